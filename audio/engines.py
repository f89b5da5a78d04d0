"""Text-to-speech engines behind one seam: ``synthesize(text, lang) -> audio bytes``.

Only ``flask audio build`` calls them, never a webhook. gTTS (Google Translate's voice, MP3) is
the production engine for the languages it speaks; espeak-ng (WAV, offline, robotic) serves
development, tests and machines without internet. Each engine knows a language by its own code,
taken from content/languages.toml; a language it lacks is refused, never voiced by another one.

Errors say whether trying again may help: a rate limit (HTTP 429), a server error or a network
failure is a TransientEngineError, which the build retries with backoff.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from collections.abc import Mapping
from pathlib import Path
from typing import Protocol

from audio.voices import Voice, engine_codes


class EngineError(Exception):
    """The engine could not render the text, and trying again will not help."""


class TransientEngineError(EngineError):
    """The engine failed in a way that may pass: rate limit, server error, timeout, network."""


class Unavailable(str):
    """Why a language's engine cannot run on this machine (not installed): a failure of the
    build, unlike a language no engine speaks, which awaits a person's recordings."""


class Engine(Protocol):
    name: str
    extension: str  # format of what synthesize returns: "mp3" or "wav"
    default_jobs: int  # how many renders may run at once by default

    def supports(self, lang: str) -> bool: ...

    def missing_reason(self, lang: str) -> str: ...

    def synthesize(self, text: str, lang: str) -> bytes: ...


class GttsEngine:
    """Google Translate's text-to-speech through the gTTS package: MP3, 24 kHz, mono.

    gTTS sends one HTTP request per chunk of at most 100 characters and has no timeout unless
    given one; both the per-request timeout and the error mapping are set here.
    """

    name = "gtts"
    extension = "mp3"
    default_jobs = 4  # polite to a free service that answers 429 when pressed

    def __init__(self, codes: Mapping[str, str], timeout: float | tuple[float, float] = (5, 20)):
        self.codes = dict(codes)
        self.timeout = timeout

    def supports(self, lang: str) -> bool:
        from gtts.lang import tts_langs

        return self.codes.get(lang) in tts_langs()

    def missing_reason(self, lang: str) -> str:
        if lang not in self.codes:
            return f"gtts: no gtts_lang configured for {lang} in content/languages.toml"
        return f"gtts: Google does not speak {self.codes[lang]!r}"

    def synthesize(self, text: str, lang: str) -> bytes:
        from gtts import gTTS, gTTSError

        if not self.supports(lang):
            raise EngineError(self.missing_reason(lang))
        tts = gTTS(text, lang=self.codes[lang], lang_check=False, timeout=self.timeout)
        try:
            return b"".join(tts.stream())
        except gTTSError as error:
            status = error.rsp.status_code if error.rsp is not None else None
            # No response at all is a network failure or a timeout: worth another try.
            if status is None or status == 429 or status >= 500:
                raise TransientEngineError(f"gtts: {error}") from error
            raise EngineError(f"gtts: {error}") from error


class EspeakEngine:
    """espeak-ng, offline: PCM WAV, 22 kHz, mono, in milliseconds. Robotic but always there."""

    name = "espeak"
    extension = "wav"
    default_jobs = os.cpu_count() or 2
    #: Words per minute: a little slower than espeak's 175, for callers on a poor line.
    SPEED = 145

    def __init__(self, codes: Mapping[str, str], timeout: float = 30, binary: str | None = None):
        self.codes = dict(codes)
        self.timeout = timeout
        self.binary = binary or shutil.which("espeak-ng")

    def supports(self, lang: str) -> bool:
        return self.binary is not None and lang in self.codes

    def missing_reason(self, lang: str) -> str:
        if self.binary is None:
            return Unavailable("espeak: espeak-ng is not installed (apt-get install espeak-ng)")
        return f"espeak: no espeak_voice configured for {lang} in content/languages.toml"

    def synthesize(self, text: str, lang: str) -> bytes:
        if not self.supports(lang):
            raise EngineError(self.missing_reason(lang))
        assert self.binary is not None
        # -w writes a file with a correct header; --stdout would leave the sizes unset.
        with tempfile.TemporaryDirectory() as tmp:
            out = Path(tmp) / "prompt.wav"
            command = [self.binary, "-v", self.codes[lang], "-s", str(self.SPEED), "-w", str(out)]
            try:
                subprocess.run(
                    [*command, "--stdin"],
                    input=text.encode("utf-8"),
                    capture_output=True,
                    timeout=self.timeout,
                    check=True,
                )
            except subprocess.TimeoutExpired as error:
                raise TransientEngineError(f"espeak: timed out after {self.timeout} s") from error
            except subprocess.CalledProcessError as error:
                raise EngineError(f"espeak: {error.stderr.decode(errors='replace')}") from error
            return out.read_bytes()


#: Every engine by the name used in languages.toml and on the command line.
ENGINES = {"gtts": GttsEngine, "espeak": EspeakEngine}


def make_engine(name: str, voices: Mapping[str, Voice]) -> Engine:
    if name not in ENGINES:
        raise ValueError(f"unknown engine {name!r}; known: {', '.join(ENGINES)}")
    return ENGINES[name](engine_codes(voices, name))


def engine_chooser(
    voices: Mapping[str, Voice],
    override: str | None = None,
    engines: Mapping[str, Engine] | None = None,
):
    """A function lang -> the Engine that renders it, or why none can.

    The engine is the language's ``tts_engine`` unless ``override`` (``--engine``) names one;
    a language the chosen engine lacks gets a reason, never another engine's voice. The reason is
    ``Unavailable`` when the engine should speak the language but cannot run here.
    """
    made: dict[str, Engine] = dict(engines or {})

    def choose(lang: str) -> Engine | str:
        voice = voices.get(lang)
        if voice is None:
            return f"{lang} is not in content/languages.toml"
        name = override or voice.tts_engine
        if name is None:
            return f"{lang} has no TTS engine: it is recorded by a person (flask audio script)"
        if name not in made:
            made[name] = make_engine(name, voices)
        engine = made[name]
        return engine if engine.supports(lang) else engine.missing_reason(lang)

    return choose
