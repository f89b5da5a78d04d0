"""`flask content check`: every language has every key and placeholder, and every placeholder a
value.

French is the source: another catalog must have exactly its keys, each with the same placeholders.
A placeholder is filled either by the prefecture profile or by the code at run time (RUNTIME).
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import date

from content import cldr
from content.catalog import SOURCE_LANGUAGE, Catalog, load_languages, placeholders_of
from content.segments import MAX_SEGMENTS, segments

#: Placeholders the code fills when it speaks or texts, with the longest value each may take
#: (for the SMS segment budget).
RUNTIME_SAMPLES = {
    "key": "1",
    "step": "6",
    "total": "6",
    "date": "15/03/2027",
    "days": "30",
    "in_days": "",  # "dans 30 jours": made per language, as reminders write it (content.cldr)
    "reminders": "",  # "13 septembre, 29 septembre, 6 octobre et 14 octobre": made per language
    "names": "",  # the languages' own names: made from the catalogs being checked
    "old": "15/03/2027",  # the date a change replaced (sms.remind.changed)
}
RUNTIME_PLACEHOLDERS = frozenset(RUNTIME_SAMPLES)
#: Catalog keys that are not messages (keyword lists).
NOT_MESSAGES = "sms.keyword."
STATUSES = frozenset({"source", "draft", "reviewed"})


@dataclass(frozen=True)
class CatalogUse:
    """What the code does with the catalogs, found by the web app's wiring: the keys it may say
    or text, and the languages the voice menu offers. The keys are found by walking the voice
    flow for the menu's languages, seconds of CPU that only ``flask content check`` needs: walked
    when first asked, not when a web worker boots."""

    find_used_keys: Callable[[], frozenset[str]]
    voice_languages: tuple[str, ...]

    @functools.cached_property
    def used_keys(self) -> frozenset[str]:
        return self.find_used_keys()


def check_catalogs(
    catalogs: Mapping[str, Catalog],
    profile_values: Mapping[str, str],
    used_keys: Iterable[str] = (),
) -> list[str]:
    """Problems, one readable line each; an empty list means the content is complete."""
    if SOURCE_LANGUAGE not in catalogs:
        return [f"no source catalog ({SOURCE_LANGUAGE}.toml)"]
    source = catalogs[SOURCE_LANGUAGE].texts
    known = RUNTIME_PLACEHOLDERS | set(profile_values)
    names = ", ".join(lang.name for lang in load_languages() if lang.code in catalogs)
    problems = [
        f"{SOURCE_LANGUAGE}: key {k} is used by the code but missing"
        for k in sorted(set(used_keys) - set(source))
    ]
    for lang, catalog in sorted(catalogs.items()):
        samples = {**_samples_in(catalog.cldr_locale), "names": names}
        if catalog.status not in STATUSES:
            problems.append(f"{lang}: status {catalog.status!r} is not one of {sorted(STATUSES)}")
        for key in sorted(set(source) - set(catalog.texts)):
            problems.append(f"{lang}: missing key {key}")
        for key in sorted(set(catalog.texts) - set(source)):
            problems.append(f"{lang}: key {key} is not in the source catalog")
        for key, text in sorted(catalog.texts.items()):
            if not isinstance(text, str) or not text.strip():
                problems.append(f"{lang}: {key} is empty")
                continue
            try:
                names = placeholders_of(text)
            except ValueError as error:
                problems.append(f"{lang}: {key} has a broken placeholder ({error})")
                continue
            if key in source and lang != SOURCE_LANGUAGE:
                expected = _placeholders_or_none(source[key])
                if expected is not None and names != expected:
                    problems.append(
                        f"{lang}: {key} has placeholders {sorted(names)}, "
                        f"the source has {sorted(expected)}"
                    )
            for name in sorted(names - known):
                problems.append(f"{lang}: {key} uses {{{name}}}, which the profile does not fill")
            if key.startswith("sms.") and not key.startswith(NOT_MESSAGES) and names <= known:
                filled = text.format_map({**samples, **profile_values})
                if (count := segments(filled)) > MAX_SEGMENTS:
                    problems.append(
                        f"{lang}: {key} takes {count} SMS segments, more than {MAX_SEGMENTS}"
                    )
    return problems


def _samples_in(locale: str) -> dict[str, str]:
    """The longest value each run-time placeholder takes in a language: a date is written
    15/03/2027 in replies and "30 septembre 2027" in reminders."""
    long_date = cldr.long_date(date(2027, 9, 30), locale)
    return {
        **RUNTIME_SAMPLES,
        "date": max(RUNTIME_SAMPLES["date"], long_date, key=len),
        "in_days": cldr.in_days(30, locale),
        "reminders": cldr.day_list(
            [date(2027, 9, 13), date(2027, 9, 29), date(2027, 10, 6), date(2027, 10, 14)], locale
        ),
    }


def _placeholders_or_none(text: str) -> set[str] | None:
    """The placeholders of a source text, or None when it is broken (reported on its own)."""
    try:
        return placeholders_of(text)
    except ValueError:
        return None
