"""Recordings made on the recording line, waiting for an operator's review.

``<RECORDINGS_DIR>/pending/<lang>/<stem>.wav`` with ``pending.json`` beside them: for each, the
text it was recorded for, a hash of the French source the volunteer heard, who recorded it (the
name given to the code), when, how long it is and the checks' flags. Approving moves it where
``flask audio import`` puts recordings (audio/recordings.py), with who recorded and who approved
in that folder's index; rejecting deletes it, so the prompt is asked again on the line.

This is also the small read API an operator page can show (``PendingRecordings.waiting``).
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import asdict, dataclass
from pathlib import Path

from audio.library import write_atomically
from audio.prompts import SpokenText
from audio.recordings import Recording, RecordingStore

PENDING_FOLDER = "pending"
PENDING_INDEX = "pending.json"


def source_hash(french_text: str) -> str:
    """The hash of the French text a recording translates (16 hex characters)."""
    return hashlib.sha256(french_text.encode("utf-8")).hexdigest()[:16]


@dataclass(frozen=True)
class PendingRecording:
    lang: str
    stem: str
    text: str  # the catalog text in ``lang`` when it was recorded
    source: str  # source_hash of the French text heard
    recorded_by: str
    recorded_at: str  # ISO-8601
    seconds: float
    flags: tuple[str, ...]
    file: str  # the WAV's path

    @property
    def path(self) -> Path:
        return Path(self.file)


class PendingRecordings:
    def __init__(self, root: Path):
        self.root = Path(root) / PENDING_FOLDER

    def folder(self, lang: str) -> Path:
        return self.root / lang

    def _index(self, lang: str) -> dict[str, dict]:
        try:
            return json.loads((self.folder(lang) / PENDING_INDEX).read_text(encoding="utf-8"))
        except FileNotFoundError:
            return {}

    def _save(self, lang: str, index: dict[str, dict]) -> None:
        data = json.dumps(dict(sorted(index.items())), ensure_ascii=False, indent=1) + "\n"
        write_atomically(self.folder(lang) / PENDING_INDEX, data.encode("utf-8"))

    def add(self, item: PendingRecording, wav: bytes) -> PendingRecording:
        """File a checked take, replacing an earlier pending take of the same prompt."""
        path = self.folder(item.lang) / f"{item.stem}.wav"
        write_atomically(path, wav)
        item = PendingRecording(**{**asdict(item), "file": str(path)})
        index = self._index(item.lang)
        entry = asdict(item)
        del entry["lang"], entry["stem"], entry["file"]
        index[item.stem] = entry
        self._save(item.lang, index)
        return item

    def waiting(self, lang: str | None = None) -> list[PendingRecording]:
        """Pending recordings of a language (or of every language), by prompt."""
        langs = [lang] if lang else sorted(p.name for p in self.root.glob("*") if p.is_dir())
        found = []
        for code in langs:
            for stem, entry in sorted(self._index(code).items()):
                path = self.folder(code) / f"{stem}.wav"
                if path.is_file():
                    found.append(
                        PendingRecording(
                            lang=code,
                            stem=stem,
                            text=entry["text"],
                            source=entry["source"],
                            recorded_by=entry["recorded_by"],
                            recorded_at=entry["recorded_at"],
                            seconds=entry["seconds"],
                            flags=tuple(entry["flags"]),
                            file=str(path),
                        )
                    )
        return found

    def get(self, lang: str, stem: str) -> PendingRecording | None:
        return next((p for p in self.waiting(lang) if p.stem == stem), None)

    def stems(self, lang: str) -> set[str]:
        return {p.stem for p in self.waiting(lang)}

    def _drop(self, item: PendingRecording) -> None:
        item.path.unlink(missing_ok=True)
        index = self._index(item.lang)
        index.pop(item.stem, None)
        self._save(item.lang, index)

    def approve(
        self, item: PendingRecording, spoken: SpokenText, store: RecordingStore, approved_by: str
    ) -> Recording:
        """Publish it as the prompt's recording (for the next `flask audio build`)."""
        credits = {
            "source": item.source,
            "recorded_by": item.recorded_by,
            "approved_by": approved_by,
        }
        recording = store.store(spoken, item.path.read_bytes(), "wav", credits=credits)
        self._drop(item)
        return recording

    def reject(self, item: PendingRecording) -> None:
        """Delete it: the prompt is missing again, and the recording line asks for it."""
        self._drop(item)
