"""What an incoming SMS asks for, written as people type on a phone.

Keywords come from every catalog (``sms.keyword.*``, comma-separated synonyms), so a person may
write the French, the English or their own language's word. Twilio's opt-out and opt-in words
always work. The first word is the keyword, whatever the case, accents, punctuation or emoji
around it (``Stop!``, ``Rappel:``, ``🛑 STOP``), and a keyword of 5 letters or more is still
recognised with one letter wrong, missing, extra or swapped (``RAPEL``) — except a STOP word:
erasing someone's data is never done on a guess. Dates are read in the usual ways (see
``DateReader``), with the digits of any script.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from datetime import date
from itertools import groupby

#: Commands, and the catalog key listing each one's words (``sms.keyword.<command>``).
COMMANDS = ("help", "steps", "remind", "stop", "start", "lang", "undo", "email", "thanks")
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
#: Commands never guessed from a typo: STOP erases the number's data, UNDO puts back another
#: registration; neither is done on a guess.
NEVER_GUESSED = frozenset({"stop", "undo"})
#: The shortest keyword recognised with one letter wrong: shorter words are too close to others.
TYPO_MIN_LENGTH = 5
#: A message with no word at all (emoji, "...") that is not a question: a thank-you.
SYMBOLS_ONLY = "thanks"


@dataclass(frozen=True)
class Command:
    name: str  # one of COMMANDS, or "unknown"
    argument: str = ""  # what follows the keyword, normalised
    keyword: str = ""  # the keyword as recognised (normalised), to tell its language


#: Letters written differently on Arabic and Persian keyboards, folded to one form so a Dari or
#: Pashto keyword typed on an Arabic keyboard (or the reverse) is still recognised.
#: Turkish dotless ı is folded to i, as upper-case I already is.
_LETTER_FORMS = str.maketrans({"ي": "ی", "ى": "ی", "ك": "ک", "ة": "ه", "ۀ": "ه", "ı": "i"})
#: Joiners inside a word that people type or leave out at will: apostrophes and hyphens
#: (D'ACCORD, E-MAIL), the Arabic tatweel that stretches a word.
_INNER_JOINERS = str.maketrans("", "", "'’‘`´-‐‑ـ")


#: Letters only some keyboards type. normalise() folds them, so a word is recognised whatever
#: the keyboard; but when several Arabic-script languages share a word, the letters it was typed
#: with tell the likely language (ي on an Arabic keyboard, ی on a Persian or Pashto one).
KEYBOARD_LETTERS = {
    "ar": frozenset("يكةى"),
    "prs": frozenset("یکگپچژ"),
    "ps": frozenset("یکګټډړږښڼۍې"),
}


def typed_in(langs: tuple[str, ...], text: str) -> tuple[str, ...]:
    """The languages among langs whose keyboard letters text uses; all of them when the letters
    tell nothing."""
    letters = set(text)
    narrowed = tuple(lang for lang in langs if KEYBOARD_LETTERS.get(lang, frozenset()) & letters)
    return narrowed or langs


def normalise(text: str) -> str:
    """Lower case, no accents or diacritics, no invisible marks (right-to-left marks, zero-width
    joiners), ASCII digits, single spaces."""
    decomposed = unicodedata.normalize("NFKD", text)
    kept = []
    for char in decomposed:
        if unicodedata.combining(char) or unicodedata.category(char) == "Cf":
            continue
        digit = unicodedata.decimal(char, None)
        kept.append(str(digit) if digit is not None else char)
    return " ".join("".join(kept).casefold().translate(_LETTER_FORMS).split())


def is_wordlike(char: str) -> bool:
    """A letter, a digit or a vowel sign (Bengali, Tamil and Ge'ez words are full of marks)."""
    return unicodedata.category(char)[0] in "LMN"


def trim(word: str) -> str:
    """A word without the punctuation or emoji around it and the joiners inside it."""
    start, end = 0, len(word)
    while start < end and not is_wordlike(word[start]):
        start += 1
    while end > start and not is_wordlike(word[end - 1]):
        end -= 1
    return word[start:end].translate(_INNER_JOINERS)


def first_word(words: str) -> tuple[str, str]:
    """The first word of normalised text, trimmed, and what follows it (leading punctuation
    dropped); ("", "") when there is no word."""
    tokens = words.split(" ")
    for index, token in enumerate(tokens):
        if word := trim(token):
            rest = " ".join(tokens[index + 1 :])
            start = 0
            while start < len(rest) and not is_wordlike(rest[start]):
                start += 1
            return word, rest[start:]
    return "", ""


def phrase(text: str) -> str:
    """Normalised words, each trimmed: "Créole haïtien." and "creole haitien" are one phrase."""
    return " ".join(filter(None, (trim(word) for word in normalise(text).split(" "))))


def one_typo_apart(a: str, b: str) -> bool:
    """Whether b is a with one letter changed, added, removed, or two neighbours swapped."""
    if a == b or abs(len(a) - len(b)) > 1:
        return False
    if len(a) > len(b):
        a, b = b, a
    i = 0
    while i < len(a) and a[i] == b[i]:
        i += 1
    if len(a) < len(b):
        return a[i:] == b[i + 1 :]
    return a[i + 1 :] == b[i + 1 :] or (
        i + 1 < len(a) and a[i] == b[i + 1] and a[i + 1] == b[i] and a[i + 2 :] == b[i + 2 :]
    )


def catalog_keywords(texts: Mapping[str, str]) -> Iterator[tuple[str, str]]:
    """(normalised word, command) for each word of one catalog's ``sms.keyword.<command>``."""
    for command in COMMANDS:
        for word in texts.get(f"sms.keyword.{command}", "").split(","):
            if normalised := trim(normalise(word)):
                yield normalised, command


class KeywordTable:
    """Every keyword of every catalog: its command, and which catalogs list it."""

    def __init__(self, catalogs: Mapping[str, Mapping[str, str]]):
        self.commands: dict[str, str] = dict(ALWAYS)
        self.langs: dict[str, tuple[str, ...]] = {}
        for lang, texts in catalogs.items():
            for word, command in catalog_keywords(texts):
                self.commands.setdefault(word, command)
                if lang not in self.langs.get(word, ()):
                    self.langs[word] = (*self.langs.get(word, ()), lang)
        #: Longest first, for a keyword glued to its argument ("RAPPEL15/03/2027").
        self._longest_first = sorted(self.commands, key=len, reverse=True)
        self._by_length: dict[int, list[str]] = {}
        for word in self.commands:
            self._by_length.setdefault(len(word), []).append(word)

    def find(self, word: str) -> tuple[str, str] | None:
        """(command, keyword) for a typed word: exactly, else with one typo when every keyword
        that close means the same command, that command is not STOP, and one of those keywords
        has 5 letters or more. A word close to keywords of two commands is never guessed."""
        if word in self.commands:
            return self.commands[word], word
        near = [
            (self.commands[w], w)
            for size in (len(word) - 1, len(word), len(word) + 1)
            for w in self._by_length.get(size, ())
            if one_typo_apart(word, w)
        ]
        commands = {command for command, _ in near}
        guessable = sorted((len(w), w) for _, w in near if len(w) >= TYPO_MIN_LENGTH)
        if len(commands) != 1 or commands <= NEVER_GUESSED or not guessable:
            return None
        return commands.pop(), guessable[0][1]

    def parse(self, text: str) -> Command:
        words = normalise(text or "")
        if not words:
            return Command("unknown")
        word, rest = first_word(words)
        if not word:
            return Command("help", "", "?") if "?" in words else Command(SYMBOLS_ONLY)
        if found := self.find(word):
            return Command(found[0], rest, found[1])
        # a keyword glued to its argument: "RAPPEL15/03/2027"
        for keyword in self._longest_first:
            glued = words.startswith(keyword) and words[len(keyword) : len(keyword) + 1]
            if len(keyword) > 1 and glued and glued.isdigit():
                return Command(self.commands[keyword], words[len(keyword) :].strip(), keyword)
        return Command("unknown", words)


def unique_names(pairs: Iterable[tuple[str, str]]) -> dict[str, str]:
    """Phrase → value, leaving out a phrase given two different values."""
    table: dict[str, str] = {}
    clashes: set[str] = set()
    for name, value in pairs:
        key = phrase(name)
        if key and table.setdefault(key, value) != value:
            clashes.add(key)
    return {k: v for k, v in table.items() if k not in clashes}


class LanguageNames:
    """A language as people name it after LANGUE: a code (``ar``) or a name in any catalog
    language (``arabe``, ``Arabic``, ``عربي``, ``dari``), from Babel's language names and the
    catalogs' own names; one typo forgiven in names of 5 letters or more."""

    def __init__(self, names: Iterable[tuple[str, str]]):
        pairs = list(names)
        # "العربية" is also written without its article: "عربية"
        pairs += [(phrase(n)[2:], code) for n, code in pairs if phrase(n).startswith("ال")]
        self.table = unique_names(pairs)

    def find(self, argument: str) -> str | None:
        word = first_word(normalise(argument))[0]
        for candidate in (phrase(argument), word):
            if candidate in self.table:
                return self.table[candidate]
        near = {
            code
            for name, code in self.table.items()
            if len(name) >= TYPO_MIN_LENGTH and one_typo_apart(word, name)
        }
        return near.pop() if len(near) == 1 else None


class BadDate(ValueError):
    """The text is not a date that exists, or not one date only."""


class DateReader:
    """A day, a month and a year as people type them: 15/03/2027, 15-3-27, 15.03.2027.,
    15032027, 2027-03-15, 15 mars 2027, 15 марта 2027, March 15 2027, in any digits, with words
    around (``le 15/03/2027``). Month names come from the catalogs' CLDR locales."""

    def __init__(self, month_names: Iterable[tuple[str, int]]):
        self.months = unique_names((name, str(number)) for name, number in month_names)
        self.longest = max((len(name.split(" ")) for name in self.months), default=1)

    def read(self, text: str) -> date:
        """The date in text; raises BadDate when there is none, or it is incomplete,
        ambiguous or impossible."""
        tokens = _tokens(normalise(text))
        numbers: list[str] = []
        months: list[int] = []
        i = 0
        while i < len(tokens):
            if tokens[i].isdigit():
                numbers.append(tokens[i])
                i += 1
                continue
            for size in range(self.longest, 0, -1):
                name = " ".join(tokens[i : i + size])
                if name in self.months:
                    months.append(int(self.months[name]))
                    i += size
                    break
            else:
                i += 1  # a word around the date: "le", "on", "до"...
        try:
            return _assemble(numbers, months)
        except ValueError as error:
            raise BadDate(text) from error


def _tokens(text: str) -> list[str]:
    """Runs of digits and runs of letters (with their vowel signs); the rest separates them."""

    def kind(char: str) -> str:
        return "digit" if char.isdigit() else "word" if is_wordlike(char) else ""

    return ["".join(run) for what, run in groupby(text, key=kind) if what]


def _assemble(numbers: list[str], months: list[int]) -> date:
    if len(months) > 1:
        raise ValueError("two months")
    if months:
        if len(numbers) != 2:
            raise ValueError("a month name needs a day and a year")
        year_at = 0 if len(numbers[0]) == 4 else 1
        return _date(numbers[1 - year_at], str(months[0]), numbers[year_at])
    if len(numbers) == 1 and len(numbers[0]) in (6, 8):
        run = numbers[0]
        return _date(run[:2], run[2:4], run[4:])
    if len(numbers) == 3:
        first, second, third = numbers
        if len(first) == 4:
            return _date(third, second, first)
        return _date(first, second, third)
    raise ValueError("not a day, a month and a year")


def _date(day: str, month: str, year: str) -> date:
    if len(day) > 2 or len(month) > 2 or len(year) not in (2, 4):
        raise ValueError("not a date")
    full_year = int(year) + (2000 if len(year) == 2 else 0)
    return date(full_year, int(month), int(day))


def digit_zero(text: str) -> str | None:
    """The zero of the digits someone typed, when they are not ASCII digits: ۰ (Persian), ٠
    (Arabic-Indic)..."""
    for char in text:
        value = unicodedata.decimal(char, None)
        if value is not None and not char.isascii():
            return chr(ord(char) - value)
    return None


def in_digits(text: str, zero: str | None) -> str:
    """text with its ASCII digits written with another script's digits (from its zero)."""
    if zero is None:
        return text
    return text.translate({ord("0") + n: chr(ord(zero) + n) for n in range(10)})
