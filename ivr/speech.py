"""Where a prompt becomes something Twilio can voice: ``<Play>`` of a file, or ``<Say>`` of text.

This is the one seam between what the flow decides to say and how it is heard: a prompt whose
exact words have a pre-rendered file (audio.library) is played; any other is said by the
language's Twilio voice.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from datetime import date
from typing import Protocol, runtime_checkable

from content import cldr
from content.catalog import Content
from ivr.flow import Prompt

#: Placeholders whose values are addresses: read aloud symbol by symbol, never as one word.
SPELLED_PLACEHOLDERS = ("asylum_email", "anef_site")
#: Placeholders whose values are French names a caller must repeat: said in short groups.
SLOW_PLACEHOLDERS = ("residence_office",)
_FRENCH_GROUPS = re.compile(r"(?<=\w) ((?:du|des|de|de la) )")
#: Keys that are not digits, and the catalog key of their spoken name.
KEY_NAMES = {"*": "voice.key.star", "#": "voice.key.hash"}
_SYMBOLS = {"@": "voice.spell.at", ".": "voice.spell.dot", "-": "voice.spell.dash"}
#: Keys only ever said inside another prompt's text, never on their own.
FRAGMENT_KEYS = frozenset({*KEY_NAMES.values(), *_SYMBOLS.values()})


@dataclass(frozen=True)
class Say:
    text: str
    language: str | None = None
    voice: str | None = None


@dataclass(frozen=True)
class Play:
    url: str


Utterance = Say | Play


class AudioLookup(Protocol):
    def url(self, lang: str, text: str) -> str | None:
        """The URL of a file saying exactly this text in this language, if one is built."""

    def current_generation(self) -> int:
        """Changes whenever the files behind ``url`` may have changed."""


@runtime_checkable
class DateVoice(Protocol):
    """Says a date back to a caller from pre-rendered clips (audio.spoken_dates), never TTS."""

    def spoken_date(self, day: date, lang: str) -> list[Utterance]: ...

    def spoken_digits(self, digits: str, lang: str, group: int = 0) -> list[Utterance]: ...


class Speaker:
    def __init__(self, content: Content, audio: AudioLookup | None = None):
        self.content = content
        self.audio = audio

    def utter(self, prompt: Prompt) -> Utterance:
        generation = self.audio.current_generation() if self.audio else 0
        return self._utter(prompt, generation)

    # A call hears the same few hundred prompts again and again: each is worked out once per
    # build of the audio (a new build changes the generation, and so the cache key).
    @functools.lru_cache(maxsize=8192)  # noqa: B019 - one Speaker per app
    def _utter(self, prompt: Prompt, generation: int) -> Utterance:
        text = self.text(prompt)
        url = self.audio.url(prompt.lang, text) if self.audio else None
        if url:
            return Play(url)
        language = self.content.language(prompt.lang)
        return Say(text, language.say_language, language.say_voice)

    def text(self, prompt: Prompt) -> str:
        """The words of a prompt as they are spoken: keys named, addresses spelled out."""
        params = dict(prompt.params)
        if "key" in params and params["key"] in KEY_NAMES:
            params["key"] = self.content.text(KEY_NAMES[params["key"]], prompt.lang)
        if "days" in params and "{in_days}" in self.content.raw(prompt.key, prompt.lang):
            # "in 14 days", with the language's plurals (one pre-rendered prompt per count)
            locale = self.content.cldr_locale(prompt.lang)
            params["in_days"] = cldr.in_days(int(params["days"]), locale)
        return self.content.text(prompt.key, prompt.lang, **self.spelled(prompt.lang), **params)

    @functools.cache  # noqa: B019 - one Speaker per app, a handful of languages
    def spelled(self, lang: str) -> dict[str, str]:
        """Placeholders said slowly: addresses spelled in groups, a pause after each ("pref,
        tiret, asile, arobase, val, ..."); French names in short groups ("bureau, du séjour, des
        étrangers, ..."), for a caller who must repeat them at the counter."""
        spelled = {}
        for name in SPELLED_PLACEHOLDERS:
            value = self.content.placeholders.get(name)
            if value is None:
                continue
            words = re.sub(
                r"[@.\-]",
                lambda m: f" {self.content.text(_SYMBOLS[m.group()], lang)} ",
                value,
            )
            spelled[name] = ", ".join(words.split())
        for name in SLOW_PLACEHOLDERS:
            value = self.content.placeholders.get(name)
            if value is not None:
                spelled[name] = _FRENCH_GROUPS.sub(r", \1", value)
        return spelled
