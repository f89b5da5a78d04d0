"""What an incoming SMS asks for, whatever language, case, accents or spacing it is written in.

Keywords come from every catalog (``sms.keyword.*``, comma-separated synonyms), so a person may
write the French, the English or their own language's word. Twilio's opt-out and opt-in words
always work. Dates are read in the usual ways: 15/03/2027, 15-03-2027, 15.03.2027, 15032027,
and with Arabic-Indic or Persian digits.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from datetime import date

#: Commands, and the catalog key listing each one's words.
COMMANDS = ("help", "steps", "remind", "stop", "start", "lang", "undo")
#: Words that always mean a command (Twilio's standard opt-out and opt-in words, and "?").
ALWAYS = {
    "?": "help",
    "stop": "stop",
    "stopall": "stop",
    "unsubscribe": "stop",
    "cancel": "stop",
    "end": "stop",
    "quit": "stop",
    "arret": "stop",
    "start": "start",
    "unstop": "start",
}


@dataclass(frozen=True)
class Command:
    name: str  # one of COMMANDS, or "unknown"
    argument: str = ""  # what follows the keyword, normalised
    keyword: str = ""  # the keyword as recognised (normalised), to tell its language


#: Letters written differently on Arabic and Persian keyboards, folded to one form so a Dari or
#: Pashto keyword typed on an Arabic keyboard (or the reverse) is still recognised.
#: Turkish dotless ı is folded to i, as upper-case I already is.
_LETTER_FORMS = str.maketrans({"ي": "ی", "ى": "ی", "ك": "ک", "ة": "ه", "ۀ": "ه", "ı": "i"})


def normalise(text: str) -> str:
    """Lower case, no accents or diacritics, ASCII digits, single spaces."""
    decomposed = unicodedata.normalize("NFKD", text)
    kept = []
    for char in decomposed:
        if unicodedata.combining(char):
            continue
        digit = unicodedata.decimal(char, None)
        kept.append(str(digit) if digit is not None else char)
    return " ".join("".join(kept).casefold().translate(_LETTER_FORMS).split())


def catalog_keywords(texts: Mapping[str, str]) -> Iterator[tuple[str, str]]:
    """(normalised word, command) for each word of one catalog's ``sms.keyword.<command>``."""
    for command in COMMANDS:
        for word in texts.get(f"sms.keyword.{command}", "").split(","):
            if normalised := normalise(word):
                yield normalised, command


def keyword_table(catalog_words: Iterable[Mapping[str, str]]) -> dict[str, str]:
    """Normalised word → command, from each catalog's ``sms.keyword.<command>`` texts."""
    table = dict(ALWAYS)
    for texts in catalog_words:
        for word, command in catalog_keywords(texts):
            table.setdefault(word, command)
    return table


def parse(text: str, table: Mapping[str, str]) -> Command:
    words = normalise(text or "")
    if not words:
        return Command("unknown")
    first, _, rest = words.partition(" ")
    if first in table:
        return Command(table[first], rest, first)
    # a keyword glued to its argument: "RAPPEL15/03/2027"
    for word in sorted(table, key=len, reverse=True):
        if len(word) > 1 and first.startswith(word) and first[len(word)].isdigit():
            return Command(table[word], words[len(word) :].strip(), word)
    return Command("unknown", words)


_DATE = re.compile(r"^(\d{1,2})\s*[/.\- ]\s*(\d{1,2})\s*[/.\- ]\s*(\d{4})$")


class BadDate(ValueError):
    """The text is not a date that exists."""


def parse_date(text: str) -> date:
    """A day-month-year date as people type it; raises BadDate otherwise."""
    cleaned = normalise(text)
    if re.fullmatch(r"\d{8}", cleaned):
        day, month, year = int(cleaned[:2]), int(cleaned[2:4]), int(cleaned[4:])
    elif match := _DATE.match(cleaned):
        day, month, year = (int(g) for g in match.groups())
    else:
        raise BadDate(text)
    try:
        return date(year, month, day)
    except ValueError as error:
        raise BadDate(text) from error
