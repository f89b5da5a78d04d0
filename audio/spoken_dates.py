"""Dates and numbers said back to a caller, composed at call time from pre-rendered clips.

A caller's date (an ADP expiry) is personal data: it must never be sent to a TTS service. So the
build renders, once, clips that carry no personal data (the days 1-31, the twelve months, the
years around this one, the digits 0-9), and ``spoken_date`` plays them in the language's order
("15 | mars | 2027", "March | 15 | 2027"). The per-language words and patterns are data, in
content/dates.toml. When a clip is missing, a language with a Twilio voice gets one <Say> of the
whole date instead.
"""

from __future__ import annotations

import datetime as dt
import string
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from audio.prompts import SpokenText
from audio.voices import Voice
from ivr.speech import AudioLookup, Play, Say, Utterance

DATES_FILE = Path(__file__).resolve().parent.parent / "content" / "dates.toml"

#: The pseudo catalog key of each kind of clip (clips are named like prompts: ``date.day__n-15``).
CLIP_KEYS = {"day": "date.day", "month": "date.month", "year": "date.year"}
DIGIT_KEY = "number.digit"


@dataclass(frozen=True)
class DateFormat:
    """How one language says a date: the order of its parts and the words for each."""

    lang: str
    pattern: str  # "{day} {month} {year}"
    months: tuple[str, ...]
    days: Mapping[int, str] = field(default_factory=dict)
    digits: Mapping[int, str] = field(default_factory=dict)
    status: str = "draft"

    def word(self, part: str, n: int) -> str:
        """The words of one clip: day 1 in French is "1er", month 3 "mars", year 2027 "2027"."""
        if part == "day":
            return self.days.get(n, str(n))
        if part == "month":
            return self.months[n - 1]
        if part == "digit":
            return self.digits.get(n, str(n))
        return str(n)

    def order(self) -> list[str]:
        """The parts in spoken order: ["month", "day", "year"] for English."""
        return [name for _, name, _, _ in string.Formatter().parse(self.pattern) if name]

    def parts(self, date: dt.date) -> list[tuple[str, int]]:
        values = {"day": date.day, "month": date.month, "year": date.year}
        return [(part, values[part]) for part in self.order()]

    def text(self, date: dt.date) -> str:
        """The date as one text: "15 mars 2027", "15 March 2027"."""
        return self.pattern.format(**{part: self.word(part, n) for part, n in self.parts(date)})

    def clip(self, part: str, n: int) -> SpokenText:
        key = DIGIT_KEY if part == "digit" else CLIP_KEYS[part]
        return SpokenText(self.lang, key, (("n", str(n)),), self.word(part, n))


@dataclass(frozen=True)
class YearRange:
    """Years rendered as clips, relative to the year of the build."""

    before: int = 1
    after: int = 2

    def years(self, today: dt.date) -> range:
        return range(today.year - self.before, today.year + self.after + 1)


def load_date_formats(path: Path = DATES_FILE) -> tuple[dict[str, DateFormat], YearRange]:
    data = tomllib.loads(path.read_text(encoding="utf-8"))
    years = YearRange(**data.pop("years", {}))
    formats = {
        lang: DateFormat(
            lang=lang,
            pattern=entry["pattern"],
            months=tuple(entry["months"]),
            days={int(k): v for k, v in entry.get("days", {}).items()},
            digits={int(k): v for k, v in entry.get("digits", {}).items()},
            status=entry.get("status", "draft"),
        )
        for lang, entry in data.items()
    }
    return formats, years


def clip_texts(fmt: DateFormat, years: YearRange, today: dt.date) -> list[SpokenText]:
    """Every clip a date or number in this language is made of."""
    return [
        *(fmt.clip("day", n) for n in range(1, 32)),
        *(fmt.clip("month", n) for n in range(1, 13)),
        *(fmt.clip("year", n) for n in years.years(today)),
        *(fmt.clip("digit", n) for n in range(10)),
    ]


class SpokenDates:
    """Dates and digit strings as utterances: clips when built, else one <Say>."""

    def __init__(
        self,
        formats: Mapping[str, DateFormat],
        audio: AudioLookup | None,
        voices: Mapping[str, Voice],
    ):
        self.formats = dict(formats)
        self.audio = audio
        self.voices = dict(voices)

    def spoken_date(self, date: dt.date, lang: str) -> list[Utterance]:
        """The date in ``lang`` ("15 mars 2027"): its day, month and year clips, or one <Say>."""
        fmt = self.formats.get(lang)
        if fmt is None:
            return self._play_or_say([], f"{date.day}/{date.month}/{date.year}", lang)
        clips: list[SpokenText] = []
        for part, n in fmt.parts(date):
            clip = fmt.clip(part, n)
            if part == "year" and self._url(clip) is None:
                # A year with no clip of its own is said digit by digit: 2 0 3 5.
                clips += [fmt.clip("digit", int(d)) for d in str(n)]
            else:
                clips.append(clip)
        return self._play_or_say(clips, fmt.text(date), lang)

    def spoken_digits(self, digits: str, lang: str, group: int = 0) -> list[Utterance]:
        """A number typed on the keypad, read digit by digit (in groups of ``group`` for <Say>)."""
        fmt = self.formats.get(lang)
        if fmt is None or not digits.isdigit():
            return self._play_or_say([], " ".join(digits), lang)
        clips = [fmt.clip("digit", int(d)) for d in digits]
        words = [clip.text for clip in clips]
        if group:
            chunks = [" ".join(words[i : i + group]) for i in range(0, len(words), group)]
            text = ", ".join(chunks)
        else:
            text = " ".join(words)
        return self._play_or_say(clips, text, lang)

    def _url(self, clip: SpokenText) -> str | None:
        return self.audio.url(clip.lang, clip.text) if self.audio else None

    def _play_or_say(self, clips: list[SpokenText], text: str, lang: str) -> list[Utterance]:
        urls = [self._url(clip) for clip in clips]
        if clips and all(urls):
            return [Play(url) for url in urls if url]
        voice = self.voices.get(lang)
        if voice is not None and voice.has_say:
            return [Say(text, voice.say_language, voice.say_voice)]
        # No Twilio voice either: play what exists (such a language is not offered by voice
        # until every clip is built or recorded).
        return [Play(url) for url in urls if url]
