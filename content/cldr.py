"""What Babel's copy of the Unicode CLDR knows about each catalog language: month names, language
names, long dates and day counts with the language's own plural forms.

Nothing here is written by hand: a month or language name a person may type, or a date a reminder
writes, comes from the CLDR, so every catalog language gets the same care.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from datetime import date, timedelta
from functools import cache

from babel import Locale
from babel.dates import format_date, format_timedelta
from babel.lists import format_list

#: Every spelling of a month the CLDR gives: "mars" and "mars", "марта" (15 марта) and "март",
#: "Mar", "бер."...
MONTH_FORMS = (
    ("format", "wide"),
    ("format", "abbreviated"),
    ("stand-alone", "wide"),
    ("stand-alone", "abbreviated"),
)
#: Above any number of days a reminder counts, so Babel never rounds days to weeks or months.
_NO_ROUNDING = 10**6


@cache
def locale(code: str) -> Locale:
    return Locale.parse(code)


def month_names(code: str) -> Iterator[tuple[str, int]]:
    """(name, month number) for every way the CLDR writes a month in locale ``code``."""
    months = locale(code).months
    for context, width in MONTH_FORMS:
        for number, name in months[context][width].items():
            yield name, number


def language_names(code: str, targets: Iterable[tuple[str, str]]) -> Iterator[tuple[str, str]]:
    """(name, catalog code) for each target (catalog code, CLDR locale) that locale ``code``
    names: "arabe" for ("ar", "ar") in French, "dari" for ("prs", "fa_AF")."""
    names = locale(code).languages
    for catalog_code, cldr_code in targets:
        for key in dict.fromkeys((catalog_code, cldr_code)):
            if name := names.get(key):
                yield name, catalog_code


def own_name(code: str) -> str:
    """The language's name in itself: "العربية", "Русский"."""
    return locale(code).get_display_name(code) or code


def long_date(day: date, code: str) -> str:
    """15 mars 2027, 15 March 2027, 15 марта 2027: day, month name, year, in that order."""
    return format_date(day, "d MMMM y", locale=locale(code))


def day_list(days: Iterable[date], code: str) -> str:
    """13 février, 1 mars et 8 mars; 13 February, 1 March and 8 March: days of one year."""
    names = [format_date(day, "d MMMM", locale=locale(code)) for day in days]
    return format_list(names, locale=locale(code)) if names else ""


def in_days(days: int, code: str) -> str:
    """dans 14 jours, in 14 days, через 14 дней, خلال 14 يومًا: with the language's plurals."""
    return format_timedelta(
        timedelta(days=days),
        threshold=_NO_ROUNDING,
        granularity="day",
        add_direction=True,
        locale=locale(code),
    )
