"""The console in English or French: the words in labels.toml, the language from ?lang=, kept
in the session, else the browser's preference."""

from __future__ import annotations

import tomllib
from functools import cache
from pathlib import Path

from flask import request, session

LANGUAGES = ("en", "fr")
LABELS_FILE = Path(__file__).with_name("labels.toml")


@cache
def labels() -> dict[str, dict[str, str]]:
    return tomllib.loads(LABELS_FILE.read_text(encoding="utf-8"))


def current() -> str:
    wanted = request.args.get("lang")
    if wanted in LANGUAGES:
        session["lang"] = wanted
    chosen = session.get("lang") or request.accept_languages.best_match(LANGUAGES) or "en"
    return chosen if chosen in LANGUAGES else "en"


def translate(key: str, lang: str) -> str:
    """A label in ``lang``; a value with no label (a code, a place) as it is."""
    return labels()[lang].get(str(key), str(key))
