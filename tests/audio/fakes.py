"""Audio made in the test itself, and an engine stub at our own ``synthesize`` seam."""

from __future__ import annotations

import io
import math
import threading
import wave
from array import array
from collections import Counter

from audio.engines import EngineError, TransientEngineError

#: One MPEG-2 Layer III frame as gTTS returns them (24 kHz, 32 kbit/s, mono), silent.
MP3_FRAME = bytes([0xFF, 0xF3, 0x44, 0xC4]) + bytes(92)


def mp3(frames: int = 25) -> bytes:
    """A valid mono MP3 of ``frames`` x 24 ms."""
    return MP3_FRAME * frames


def wav(
    seconds: float = 0.5,
    rate: int = 22050,
    channels: int = 1,
    width: int = 2,
    amplitude: float = 0.3,
    silence: float = 0.0,
) -> bytes:
    """A PCM WAV of a 440 Hz tone, with ``silence`` seconds of silence before and after."""
    count = int(seconds * rate)
    full = (1 << (8 * width - 1)) - 1
    tone = [int(full * amplitude * math.sin(2 * math.pi * 440 * i / rate)) for i in range(count)]
    quiet = [0] * int(silence * rate)
    frames = bytearray()
    for sample in quiet + tone + quiet:
        for _ in range(channels):
            if width == 1:
                frames.append(sample // 256 + 128)
            else:
                frames += sample.to_bytes(width, "little", signed=True)
    buffer = io.BytesIO()
    with wave.open(buffer, "wb") as w:
        w.setnchannels(channels)
        w.setsampwidth(width)
        w.setframerate(rate)
        w.writeframes(bytes(frames))
    return buffer.getvalue()


def samples_of(data: bytes) -> array:
    with wave.open(io.BytesIO(data)) as w:
        return array("h", w.readframes(w.getnframes()))


class StubEngine:
    """Renders any text as a short WAV, counting calls; can fail on chosen texts."""

    name = "stub"
    extension = "wav"
    default_jobs = 4

    def __init__(self, langs=None, fail=None, transient=None, output=None):
        self.langs = langs  # None: every language
        self.fail = set(fail or ())  # texts that fail for good
        self.transient = dict(transient or {})  # text -> how many times it fails first
        self.output = output  # bytes to return instead of a WAV
        self.calls: Counter[str] = Counter()  # by language
        self.texts: list[str] = []
        self.active = 0
        self.most_active = 0
        self._lock = threading.Lock()

    def supports(self, lang: str) -> bool:
        return self.langs is None or lang in self.langs

    def missing_reason(self, lang: str) -> str:
        return f"stub: no voice for {lang}"

    def synthesize(self, text: str, lang: str) -> bytes:
        with self._lock:
            self.calls[lang] += 1
            self.texts.append(text)
            self.active += 1
            self.most_active = max(self.most_active, self.active)
        try:
            if text in self.fail:
                raise EngineError("stub: refused")
            with self._lock:
                left = self.transient.get(text, 0)
                if left:
                    self.transient[text] = left - 1
            if left:
                raise TransientEngineError("stub: 429 Too Many Requests")
            return self.output if self.output is not None else wav(0.2, rate=8000)
        finally:
            with self._lock:
                self.active -= 1


def stub_chooser(engine: StubEngine):
    def choose(lang: str):
        return engine if engine.supports(lang) else engine.missing_reason(lang)

    return choose
