"""A volunteer on the recording line (/voice/studio), over real HTTP, as Twilio plays the call.

Like ``tests.caller.Caller`` (signed requests with Twilio's field names), plus what <Record>
does: the take's bytes go to the local Twilio (``FakeTwilio.recordings``), the action gets
RecordingUrl and the key that ended it, and Twilio's recording-status callback is posted later
(``twilio_reports``), signed, to the URL the TwiML gave.
"""

from __future__ import annotations

import math
import subprocess
import tempfile
import xml.etree.ElementTree as ET
from array import array
from pathlib import Path

from audio.formats import mono_wav
from tests.caller import Caller, Heard


class Volunteer(Caller):
    def __init__(self, *args, fake, **kwargs):
        super().__init__(*args, **kwargs)
        self.fake = fake
        self.callbacks: list[tuple[str, str]] = []  # (callback URL, RecordingSid) to report
        self.takes: list[str] = []  # RecordingSids, in order

    def dial(self) -> Heard:
        return self.post("/voice/studio", self.form(CallStatus="ringing"))

    def record_element(self) -> ET.Element | None:
        assert self.last is not None
        return ET.fromstring(self.last.xml).find("Record")

    def record(self, wav: bytes, key: str = "#") -> Heard:
        """Speak after the beep and end with ``key``: Twilio posts the take to the action."""
        element = self.record_element()
        assert element is not None, "nothing is recording"
        sid = self.fake.recordings.add(wav)
        self.takes.append(sid)
        self.callbacks.append((element.get("recordingStatusCallback"), sid))
        return self.post(
            element.get("action"),
            self.form(
                Digits=key,
                RecordingDuration="2",
                RecordingSid=sid,
                RecordingUrl=self.fake.recordings.url(sid),
            ),
        )

    def twilio_reports(self) -> None:
        """Twilio posts every take's recording-status callback ("completed")."""
        for url, sid in self.callbacks:
            assert self.fake.recordings.send_status(url, sid, self.call_sid) == 200
        self.callbacks.clear()


# --- takes a phone could send ------------------------------------------------------------------

RATE = 8000


def _wav(samples: array, rate: int = RATE) -> bytes:
    return mono_wav(samples, rate)


def silence(seconds: float = 2.0) -> bytes:
    """A line with nobody speaking: faint noise, well under speech."""
    return _wav(array("h", ((i * 7919) % 41 - 20 for i in range(int(RATE * seconds)))))


def tone(seconds: float = 1.5, hz: float = 440.0) -> bytes:
    return _wav(
        array(
            "h",
            (
                int(12000 * math.sin(2 * math.pi * hz * i / RATE))
                for i in range(int(RATE * seconds))
            ),
        )
    )


def speech(binary: str, text: str, voice: str = "fr") -> bytes:
    """``text`` said by espeak-ng (the ``espeak_ng`` fixture finds it)."""
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "take.wav"
        subprocess.run([binary, "-v", voice, "-w", str(path), text], check=True, timeout=30)
        return path.read_bytes()
