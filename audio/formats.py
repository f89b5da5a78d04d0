"""What counts as audio Twilio can play, and how a recording is made fit for the telephone.

Twilio's <Play> takes MP3 (audio/mpeg) and PCM WAV (audio/wav) without transcoding on our side:
gTTS gives MP3, espeak-ng gives WAV. Every file the build writes or a recording import accepts is
parsed here first (mutagen for MP3, the standard library for WAV), so a truncated download or an
HTML error page never reaches a caller.
"""

from __future__ import annotations

import io
import shutil
import subprocess
import tempfile
import wave
from array import array
from dataclasses import dataclass
from pathlib import Path

from mutagen import MutagenError
from mutagen.mp3 import MP3

#: Content type of each format we serve, by file extension.
CONTENT_TYPES = {"mp3": "audio/mpeg", "wav": "audio/wav"}
#: Sample rates a phone call gains nothing above, and below which speech is unintelligible.
MIN_RATE, MAX_RATE = 8000, 48000
#: A prompt shorter than this is a broken render; longer than this, a wrong file.
MIN_SECONDS, MAX_SECONDS = 0.05, 600.0


class InvalidAudio(ValueError):
    """The bytes are not audio Twilio can play well; the message says why."""


@dataclass(frozen=True)
class AudioInfo:
    format: str  # "mp3" or "wav"
    channels: int
    sample_rate: int
    seconds: float


def sniff(data: bytes) -> str:
    """The format the bytes claim to be: "wav" for a RIFF/WAVE header, else "mp3"."""
    return "wav" if data[:4] == b"RIFF" and data[8:12] == b"WAVE" else "mp3"


def inspect(data: bytes) -> AudioInfo:
    """Parse the audio; raise InvalidAudio when it is not MP3 or PCM WAV."""
    if sniff(data) == "wav":
        try:
            with wave.open(io.BytesIO(data)) as w:
                frames = w.getnframes()
                rate = w.getframerate()
                return AudioInfo("wav", w.getnchannels(), rate, frames / rate if rate else 0.0)
        except (wave.Error, EOFError) as error:
            raise InvalidAudio(f"not a PCM WAV file ({error})") from error
    try:
        info = MP3(io.BytesIO(data)).info
    except (MutagenError, ValueError) as error:
        raise InvalidAudio(f"neither MP3 nor WAV ({error})") from error
    return AudioInfo("mp3", info.channels, info.sample_rate, info.length)


def check_playable(data: bytes, expected_format: str | None = None) -> AudioInfo:
    """The audio's info when it is fit for a call: mono, a sane rate and length; else raise."""
    info = inspect(data)
    if expected_format and info.format != expected_format:
        raise InvalidAudio(f"expected {expected_format}, got {info.format}")
    if info.channels != 1:
        raise InvalidAudio(f"{info.channels} channels; a call is mono")
    if not MIN_RATE <= info.sample_rate <= MAX_RATE:
        raise InvalidAudio(f"sample rate {info.sample_rate} Hz is outside {MIN_RATE}-{MAX_RATE}")
    if not MIN_SECONDS <= info.seconds <= MAX_SECONDS:
        raise InvalidAudio(f"{info.seconds:.2f} s long")
    return info


# --- Normalising a person's recording ----------------------------------------------------------

#: Peak level after normalising: -1 dBFS, loud and clear without clipping.
TARGET_PEAK = int(32767 * 0.89)
#: Below this fraction of the peak a sample counts as silence when trimming the ends.
SILENCE = 0.03
#: Silence kept before and after the speech, in seconds, so words are not clipped.
MARGIN = 0.15


def ffmpeg() -> str | None:
    """The ffmpeg binary when installed (optional: it converts formats Python cannot read)."""
    return shutil.which("ffmpeg")


def to_wav_with_ffmpeg(data: bytes, binary: str, rate: int = 16000) -> bytes:
    """Any format ffmpeg reads -> mono 16-bit PCM WAV at ``rate``."""
    with tempfile.TemporaryDirectory() as tmp:
        source, target = Path(tmp) / "in", Path(tmp) / "out.wav"
        source.write_bytes(data)
        subprocess.run(
            [
                binary,
                "-v",
                "error",
                "-y",
                "-i",
                str(source),
                "-ac",
                "1",
                "-ar",
                str(rate),
                "-sample_fmt",
                "s16",
                str(target),
            ],
            check=True,
            capture_output=True,
            timeout=120,
        )
        return target.read_bytes()


def _samples(raw: bytes, width: int) -> list[int]:
    """PCM bytes -> signed 16-bit range integers, whatever the sample width."""
    if width == 1:  # 8-bit WAV is unsigned
        return [(b - 128) << 8 for b in raw]
    if width == 2:
        return list(array("h", raw))
    if width == 3:
        return [
            int.from_bytes(raw[i : i + 3], "little", signed=True) >> 8
            for i in range(0, len(raw), 3)
        ]
    if width == 4:
        return [s >> 16 for s in array("i", raw)]
    raise InvalidAudio(f"unsupported sample width {width}")


def normalise_wav(data: bytes) -> bytes:
    """A PCM WAV made telephone-friendly: mono, 16-bit, silent ends trimmed, peak at -1 dBFS.

    The sample rate is kept (resampling well needs ffmpeg, which the import uses when present).
    """
    try:
        with wave.open(io.BytesIO(data)) as w:
            channels, width, rate = w.getnchannels(), w.getsampwidth(), w.getframerate()
            raw = w.readframes(w.getnframes())
    except (wave.Error, EOFError) as error:
        raise InvalidAudio(f"not a PCM WAV file ({error})") from error
    samples = _samples(raw, width)
    if channels > 1:
        samples = [
            sum(samples[i : i + channels]) // channels for i in range(0, len(samples), channels)
        ]
    peak = max((abs(s) for s in samples), default=0)
    if peak == 0:
        raise InvalidAudio("the recording is silent")
    loud = [i for i, s in enumerate(samples) if abs(s) >= peak * SILENCE]
    margin = int(rate * MARGIN)
    samples = samples[max(0, loud[0] - margin) : loud[-1] + margin + 1]
    gain = TARGET_PEAK / peak
    return mono_wav(array("h", (max(-32768, min(32767, round(s * gain))) for s in samples)), rate)


def mono_wav(samples: array, rate: int) -> bytes:
    """16-bit mono PCM samples as a WAV file."""
    buffer = io.BytesIO()
    with wave.open(buffer, "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(rate)
        w.writeframes(samples.tobytes())
    return buffer.getvalue()
