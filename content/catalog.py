"""Catalogs: one TOML file per language mapping keys to texts, French being the source and fallback.

A catalog's nested tables flatten into dotted keys (``[voice.main] steps = "..."`` is
``voice.main.steps``). Its ``[meta]`` table says the language and the review status: every catalog
but French is a draft until a native speaker signs it off.
"""

from __future__ import annotations

import string
import tomllib
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

CATALOGS_DIR = Path(__file__).parent / "catalogs"
LANGUAGES_FILE = Path(__file__).parent / "languages.toml"
SOURCE_LANGUAGE = "fr"
#: The languages of the essentials, said or texted before anyone chose one (and when Redis is
#: down): the voice line's first words, the SMS outage reply.
FALLBACK_LANGUAGES = ("fr", "en")


@dataclass(frozen=True)
class Language:
    code: str
    name: str
    say_language: str | None
    say_voice: str | None


@dataclass(frozen=True)
class Catalog:
    lang: str
    status: str
    texts: Mapping[str, str]
    notes: Mapping[str, str] = field(default_factory=dict)
    #: The CLDR locale Babel knows the language by (month and language names, dates), when it is
    #: not the catalog's own code (Dari is ``fa_AF``).
    locale: str = ""

    @property
    def cldr_locale(self) -> str:
        return self.locale or self.lang


def placeholders_of(text: str) -> set[str]:
    """The ``{name}`` placeholders a text uses."""
    return {name for _, name, _, _ in string.Formatter().parse(text) if name}


def flatten(table: Mapping, prefix: str = "") -> dict[str, str]:
    out: dict[str, str] = {}
    for key, value in table.items():
        dotted = f"{prefix}{key}"
        if isinstance(value, Mapping):
            out.update(flatten(value, dotted + "."))
        else:
            out[dotted] = value
    return out


def read_languages_file(path: Path = LANGUAGES_FILE) -> list[dict[str, Any]]:
    """The ``[[language]]`` entries of languages.toml, in menu order: the one reader of that
    file (content reads names and codes from it, audio the voices)."""
    return tomllib.loads(path.read_text(encoding="utf-8"))["language"]


def load_languages(path: Path = LANGUAGES_FILE) -> list[Language]:
    return [
        Language(
            code=entry["code"],
            name=entry["name"],
            say_language=entry.get("say_language"),
            say_voice=entry.get("say_voice"),
        )
        for entry in read_languages_file(path)
    ]


def load_catalog(path: Path) -> Catalog:
    data = tomllib.loads(path.read_text(encoding="utf-8"))
    meta = data.pop("meta", {})
    return Catalog(
        lang=meta.get("language", path.stem),
        status=meta.get("status", "draft"),
        texts=flatten(data),
        notes=flatten(meta.get("notes", {})),
        locale=meta.get("locale", ""),
    )


class Catalogs(Mapping[str, Catalog]):
    """The catalogs of a folder, each read the first time it is asked for: parsing all 14 TOML
    files costs about 70 ms, most of a worker's start, and a worker sending French and Dari
    reminders needs two. The languages are known at once (the file names)."""

    def __init__(self, directory: Path):
        self._paths = {p.stem: p for p in sorted(directory.glob("*.toml"))}
        self._loaded: dict[str, Catalog] = {}

    def __getitem__(self, lang: str) -> Catalog:
        catalog = self._loaded.get(lang)
        if catalog is None:
            catalog = self._loaded[lang] = load_catalog(self._paths[lang])  # KeyError if unknown
        return catalog

    def __contains__(self, lang: object) -> bool:  # Mapping's would read the file
        return lang in self._paths

    def __iter__(self) -> Iterator[str]:
        return iter(self._paths)

    def __len__(self) -> int:
        return len(self._paths)


def load_catalogs(directory: Path = CATALOGS_DIR) -> Catalogs:
    return Catalogs(directory)


class Content:
    """The texts the hotline uses, with the prefecture's values filled in."""

    def __init__(
        self,
        catalogs: Mapping[str, Catalog],
        languages: list[Language],
        placeholders: Mapping[str, str],
    ):
        self.catalogs = catalogs  # read as asked (Catalogs), not copied
        self.languages = [lang for lang in languages if lang.code in self.catalogs]
        self.placeholders = dict(placeholders)

    def language(self, code: str) -> Language:
        return next(lang for lang in self.languages if lang.code == code)

    def has_language(self, code: str | None) -> bool:
        return any(lang.code == code for lang in self.languages)

    def cldr_locale(self, lang: str) -> str:
        """The CLDR locale of a language's catalog (French's when it has none)."""
        return self.catalogs.get(lang, self.catalogs[SOURCE_LANGUAGE]).cldr_locale

    def raw(self, key: str, lang: str, /) -> str:
        """The catalog text for key in lang, or the French text when lang lacks it."""
        catalog = self.catalogs.get(lang)
        if catalog is not None and key in catalog.texts:
            return catalog.texts[key]
        return self.catalogs[SOURCE_LANGUAGE].texts[key]

    def text(self, key: str, lang: str, /, **params: str) -> str:
        """The text for key in lang with the prefecture's values and params filled in."""
        return self.raw(key, lang).format_map({**self.placeholders, **params})
