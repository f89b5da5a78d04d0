"""Is a phone recording of a prompt worth an operator's ear? Silent, clipped, or of a length
that does not fit its text.

Pure Python on the PCM samples (the standard library's ``wave`` and ``array``): Twilio's WAV is
8 kHz mono 16-bit. A silent take is refused outright (nothing to review); clipping and an odd
length are flags the reviewer sees, never a refusal: a short word said fast is fine.
"""

from __future__ import annotations

import io
import math
import wave
from array import array
from dataclasses import dataclass

#: A 20 ms frame louder than this (RMS, dB below full scale) holds sound, not line noise.
ACTIVE_DBFS = -40.0
FRAME_SECONDS = 0.02
#: Less sound than this in a take: silent.
MIN_ACTIVE_SECONDS = 0.2
#: A sample at or above this magnitude hit the ceiling; this share of them: clipped.
CLIP_LEVEL = 32000
CLIP_SHARE = 0.001
#: Speech runs at about 12 characters a second, in any script (looser bounds below absorb the
#: difference between scripts and speakers).
CHARS_PER_SECOND = 12.0
SHORT_FACTOR, LONG_FACTOR, LONG_SLACK = 0.3, 3.0, 2.0

SILENT, CLIPPED, TOO_SHORT, TOO_LONG = "silent", "clipped", "too-short", "too-long"


@dataclass(frozen=True)
class TakeCheck:
    seconds: float  # from the first to the last sound
    flags: tuple[str, ...]

    @property
    def silent(self) -> bool:
        return SILENT in self.flags


def expected_seconds(text: str) -> float:
    """How long saying ``text`` takes, about."""
    return len(text.strip()) / CHARS_PER_SECOND


def max_record_seconds(text: str) -> int:
    """The <Record maxLength> for a text: ample room, never a cut-off sentence."""
    return max(10, math.ceil(expected_seconds(text) * LONG_FACTOR + LONG_SLACK))


def _mono_samples(data: bytes) -> tuple[array, int]:
    with wave.open(io.BytesIO(data)) as w:
        if w.getsampwidth() != 2:
            raise wave.Error("only 16-bit PCM is checked")
        channels, rate = w.getnchannels(), w.getframerate()
        samples = array("h", w.readframes(w.getnframes()))
    return (samples[::channels] if channels > 1 else samples), rate


def check_take(data: bytes, text: str) -> TakeCheck:
    """The flags of a 16-bit PCM WAV take of ``text``; raises wave.Error when not one."""
    samples, rate = _mono_samples(data)
    frame = max(1, int(rate * FRAME_SECONDS))
    threshold = 32768 * 10 ** (ACTIVE_DBFS / 20)
    active = []
    for start in range(0, len(samples), frame):
        chunk = samples[start : start + frame]
        rms = math.sqrt(sum(s * s for s in chunk) / len(chunk))
        active.append(rms >= threshold)
    if sum(active) * FRAME_SECONDS < MIN_ACTIVE_SECONDS:
        return TakeCheck(0.0, (SILENT,))
    first = active.index(True)
    last = len(active) - 1 - active[::-1].index(True)
    seconds = (last - first + 1) * frame / rate
    flags = []
    if sum(1 for s in samples if abs(s) >= CLIP_LEVEL) > CLIP_SHARE * len(samples):
        flags.append(CLIPPED)
    expected = expected_seconds(text)
    if seconds < expected * SHORT_FACTOR:
        flags.append(TOO_SHORT)
    elif seconds > expected * LONG_FACTOR + LONG_SLACK:
        flags.append(TOO_LONG)
    return TakeCheck(round(seconds, 2), tuple(flags))
