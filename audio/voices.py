"""Which voices can speak each language, as data read from content/languages.toml.

For each language: the engine that renders it in production (``tts_engine``), each engine's own
code for it (``gtts_lang``, ``espeak_voice``), and its Twilio ``<Say>`` voice. Moving a language
from gTTS to human recordings, or adding one, is an edit of that file, not of code.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from content.catalog import LANGUAGES_FILE, read_languages_file

#: The field of languages.toml that holds each engine's code for a language.
ENGINE_FIELDS = {"gtts": "gtts_lang", "espeak": "espeak_voice"}


@dataclass(frozen=True)
class Voice:
    """How one language can be voiced."""

    code: str
    tts_engine: str | None  # None: only a person's recordings speak it
    engine_codes: Mapping[str, str] = field(default_factory=dict)  # engine name -> its code
    say_language: str | None = None
    say_voice: str | None = None

    @property
    def has_say(self) -> bool:
        """Twilio can say this language itself (the fallback when a file is missing)."""
        return self.say_voice is not None


def load_voices(path: Path = LANGUAGES_FILE) -> dict[str, Voice]:
    return {
        entry["code"]: Voice(
            code=entry["code"],
            tts_engine=entry.get("tts_engine"),
            engine_codes={
                engine: entry[name] for engine, name in ENGINE_FIELDS.items() if name in entry
            },
            say_language=entry.get("say_language"),
            say_voice=entry.get("say_voice"),
        )
        for entry in read_languages_file(path)
    }


def engine_codes(voices: Mapping[str, Voice], engine: str) -> dict[str, str]:
    """Our language code -> the engine's code, for every language the engine is configured for."""
    return {code: v.engine_codes[engine] for code, v in voices.items() if engine in v.engine_codes}
