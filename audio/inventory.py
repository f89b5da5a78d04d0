"""What the hotline can say in each language, and which languages a caller can be offered.

The inventory joins the voice prompts (from the call flow over every content language) and the
date and number clips (from content/dates.toml). The same list drives the build, the recording
script, the coverage report and the choice of voice languages, so they never disagree.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from audio.prompts import SpokenText, call_prompts, prompt_texts
from audio.spoken_dates import DateFormat, YearRange, clip_texts, load_date_formats
from audio.voices import Voice, load_voices
from content.catalog import Content
from ivr.flow import SMS_ONLY_PROMPT, WELCOME_PROMPT, Flow, Prompt
from ivr.speech import Speaker

#: The clips a date needs whatever the year (a year with no clip is said digit by digit).
REQUIRED_CLIPS = ("date.day", "date.month", "number.digit")


@dataclass(frozen=True)
class Inventory:
    speaker: Speaker
    languages: tuple[str, ...]  # the content languages, in menu order
    extra_keys: tuple[str, ...]
    voices: Mapping[str, Voice]
    formats: Mapping[str, DateFormat]
    years: YearRange

    @classmethod
    def of(
        cls,
        speaker: Speaker,
        content: Content,
        extra_keys: Iterable[str],
        voices: Mapping[str, Voice] | None = None,
        dates: tuple[Mapping[str, DateFormat], YearRange] | None = None,
    ) -> Inventory:
        formats, years = dates or load_date_formats()
        return cls(
            speaker=speaker,
            languages=tuple(lang.code for lang in content.languages),
            extra_keys=tuple(extra_keys),
            voices=voices if voices is not None else load_voices(),
            formats=formats,
            years=years,
        )

    def known_languages(self) -> list[str]:
        """Languages with something to render: content languages, then date-only ones."""
        return [*self.languages, *(lang for lang in self.formats if lang not in self.languages)]

    def prompts(self, langs: Iterable[str] | None = None) -> list[SpokenText]:
        """Voice prompts. Only languages with a catalog have prompts (others would fall back to
        French words)."""
        wanted = set(self.languages if langs is None else langs)
        return [
            s
            for s in prompt_texts(self.speaker, self.languages, self.extra_keys)
            if s.lang in wanted
        ]

    def clips(
        self, langs: Iterable[str] | None = None, today: dt.date | None = None
    ) -> list[SpokenText]:
        today = today or dt.date.today()
        wanted = self.known_languages() if langs is None else list(langs)
        return [
            clip
            for lang in wanted
            if lang in self.formats
            for clip in clip_texts(self.formats[lang], self.years, today)
        ]

    def texts(
        self, langs: Iterable[str] | None = None, today: dt.date | None = None
    ) -> list[SpokenText]:
        """Everything to render in these languages (default: all)."""
        langs = self.known_languages() if langs is None else list(langs)
        return [*self.prompts(langs), *self.clips(langs, today)]

    def voice_languages(self, audio) -> list[str]:
        """The languages a call can offer with every prompt (see ``menu_languages``)."""
        menu, sms_only = self.menu_languages(audio)
        return [lang for lang in menu if lang not in sms_only]

    def menu_languages(self, audio) -> tuple[list[str], list[str]]:
        """(the language menu, those of it offered SMS-by-voice).

        A language is offered in full when it has a Twilio <Say> voice, or audio for every prompt
        of the call and every date clip; short of that, SMS-by-voice when its two prompts can be
        heard (its menu entry and "we are sending you the help by SMS"). A language left out moves
        the next ones up a key, which changes their menu prompt: so decide again until nothing
        changes. Each pass only ever moves a language down (full, SMS-by-voice, absent)."""
        full, sms_only = [lang for lang in self.languages if self._may_be_heard(lang, audio)], []
        while full:
            if not sms_only and all(self._has_say(lang) for lang in full):
                return full, []  # nothing depends on audio: no need to walk the call
            menu = [lang for lang in self.languages if lang in full or lang in sms_only]
            prompts = call_prompts(Flow(menu, sms_only=sms_only), self.extra_keys)
            texts = [SpokenText(p.lang, p.key, p.params, self.speaker.text(p)) for p in prompts]
            hearable = [lang for lang in full if self._hearable(lang, texts, audio)]
            by_sms = [
                lang
                for lang in menu
                if lang not in hearable and self._sms_hearable(lang, texts, audio)
            ]
            if hearable == full and by_sms == sms_only:
                return menu, sms_only
            full, sms_only = hearable, by_sms
        return list(self.languages[:1]), []  # never an empty menu: the source language has <Say>

    def _may_be_heard(self, lang: str, audio) -> bool:
        """False for a language that can be neither full nor SMS-by-voice whatever the menu: no
        <Say> voice, and no audio for its welcome (said when it is chosen, so needed in full)
        nor for "we are sending you the help by SMS" (needed by SMS-by-voice). Left out before
        the first walk (about 0.35 s of CPU a language), as that walk would leave it out."""
        if self._has_say(lang):
            return True
        said = (Prompt(WELCOME_PROMPT, lang), Prompt(SMS_ONLY_PROMPT, lang))
        return audio is not None and any(audio.url(lang, self.speaker.text(p)) for p in said)

    def _has_say(self, lang: str) -> bool:
        voice = self.voices.get(lang)
        return voice is not None and voice.has_say

    def _hearable(self, lang: str, texts: Sequence[SpokenText], audio) -> bool:
        if self._has_say(lang):
            return True
        if lang not in self.formats:
            return False  # it could not say a date back
        clips = [c for c in self.clips([lang]) if c.key in REQUIRED_CLIPS]
        needed = [*(t for t in texts if t.lang == lang), *clips]
        return all(audio is not None and audio.url(lang, t.text) for t in needed)

    def _sms_hearable(self, lang: str, texts: Sequence[SpokenText], audio) -> bool:
        """Whether the SMS-by-voice prompts of ``lang`` can be heard: its menu entry (at the key
        it has now) and the "help by SMS" message."""
        entry = [t for t in texts if t.lang == lang and t.key == "voice.language.choose"]
        sending = self.speaker.text(Prompt(SMS_ONLY_PROMPT, lang))
        return bool(entry) and all(
            audio is not None and audio.url(lang, text)
            for text in (*(t.text for t in entry), sending)
        )
