"""Prompts recorded by a person: where they live, what to record, and taking them in.

A recording is ``audio/recordings/<lang>/<stem>.wav`` (or ``.mp3``), where the stem names the
prompt (``voice.nav.next__key-1``, ``date.month__n-3``); when present and made for the prompt's
current text, it replaces the TTS audio of that prompt. ``index.json`` beside the files records,
for each file, the text it was recorded for and a hash of its bytes: when the catalog text
changes, the recording is stale and TTS (or <Say>) takes over until it is recorded again.

A file put there by hand, with no index entry (or whose bytes changed since), is taken to say the
text current when the next build first sees it; ``flask audio import`` records the text at import.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

from audio.formats import (
    InvalidAudio,
    check_playable,
    ffmpeg,
    normalise_wav,
    sniff,
    to_wav_with_ffmpeg,
)
from audio.library import write_atomically
from audio.prompts import SpokenText

RECORDINGS_DIR = Path(__file__).resolve().parent / "recordings"
INDEX_NAME = "index.json"
#: Formats kept as they are (after checks); others need ffmpeg to convert them.
KEPT_FORMATS = ("wav", "mp3")
#: Formats a phone or a recorder may produce, accepted when ffmpeg is installed.
CONVERTIBLE_FORMATS = ("m4a", "aac", "ogg", "oga", "opus", "flac", "webm", "3gp", "amr")


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


@dataclass(frozen=True)
class Recording:
    lang: str
    stem: str
    path: Path
    text: str | None  # the text it was recorded for; None when unknown (placed by hand)
    sha256: str

    @property
    def extension(self) -> str:
        return self.path.suffix.lstrip(".")


class RecordingStore:
    """The recordings folder: one sub-folder per language, with its index."""

    def __init__(self, root: Path = RECORDINGS_DIR):
        self.root = Path(root)

    def folder(self, lang: str) -> Path:
        return self.root / lang

    def _index(self, lang: str) -> dict[str, dict[str, str]]:
        try:
            return json.loads((self.folder(lang) / INDEX_NAME).read_text(encoding="utf-8"))
        except FileNotFoundError:
            return {}

    def _save_index(self, lang: str, index: dict[str, dict[str, str]]) -> None:
        data = json.dumps(dict(sorted(index.items())), ensure_ascii=False, indent=1) + "\n"
        write_atomically(self.folder(lang) / INDEX_NAME, data.encode("utf-8"))

    def find(self, spoken: SpokenText) -> Recording | None:
        """The recording of this prompt, if a file is there (current or not)."""
        for ext in KEPT_FORMATS:
            path = self.folder(spoken.lang) / f"{spoken.stem}.{ext}"
            if path.is_file():
                sha = _sha256(path.read_bytes())
                known = self._index(spoken.lang).get(path.name, {})
                text = known.get("text") if known.get("sha256") == sha else None
                return Recording(spoken.lang, spoken.stem, path, text, sha)
        return None

    def current(self, spoken: SpokenText, *, adopt: bool = False) -> Recording | None:
        """The recording when it says the prompt's current text.

        With ``adopt``, a recording of unknown text (placed by hand) is recorded in the index as
        saying the current text, so that a later change of text makes it stale.
        """
        found = self.find(spoken)
        if found is None:
            return None
        if found.text is None:
            if not adopt:
                return found
            self._remember(found, spoken.text)
            return Recording(found.lang, found.stem, found.path, spoken.text, found.sha256)
        return found if found.text == spoken.text else None

    def _remember(
        self, recording: Recording, text: str, credits: dict[str, str] | None = None
    ) -> None:
        """Note in the index which text this recording says (and, from the recording line, the
        French source's hash, who recorded it and who approved it)."""
        index = self._index(recording.lang)
        index[recording.path.name] = {"text": text, "sha256": recording.sha256, **(credits or {})}
        self._save_index(recording.lang, index)

    def credits(self, recording: Recording) -> dict[str, str]:
        """What the index says of a recording beyond its text: source, recorded_by..."""
        entry = dict(self._index(recording.lang).get(recording.path.name, {}))
        entry.pop("text", None)
        return entry if entry.pop("sha256", None) == recording.sha256 else {}

    def store(
        self,
        spoken: SpokenText,
        data: bytes,
        extension: str,
        *,
        credits: dict[str, str] | None = None,
    ) -> Recording:
        """Keep a checked recording of this prompt, replacing any earlier one."""
        folder = self.folder(spoken.lang)
        for ext in KEPT_FORMATS:
            (folder / f"{spoken.stem}.{ext}").unlink(missing_ok=True)
        path = folder / f"{spoken.stem}.{extension}"
        write_atomically(path, data)
        recording = Recording(spoken.lang, spoken.stem, path, spoken.text, _sha256(data))
        self._remember(recording, spoken.text, credits)
        return recording


# --- What a voice talent records ---------------------------------------------------------------

SCRIPT_COLUMNS = ("file", "key", "text", "meaning_fr", "meaning_en")


def script_csv(
    texts: Iterable[SpokenText], meaning: Callable[[SpokenText, str], str | None]
) -> str:
    """The recording script as CSV (opens in any spreadsheet): one row per file to record.

    ``meaning(spoken, lang)`` gives the same prompt's words in French and English, so a talent
    who reads neither script perfectly can check what each line says.
    """
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(SCRIPT_COLUMNS)
    for spoken in texts:
        key = spoken.key + "".join(f" {name}={value}" for name, value in spoken.params)
        writer.writerow(
            (
                f"{spoken.stem}.wav",
                key,
                spoken.text,
                meaning(spoken, "fr") or "",
                meaning(spoken, "en") or "",
            )
        )
    return out.getvalue()


# --- Taking recordings in ----------------------------------------------------------------------


@dataclass
class ImportResult:
    imported: list[str] = field(default_factory=list)
    rejected: list[tuple[str, str]] = field(default_factory=list)  # (file name, why)

    @property
    def ok(self) -> bool:
        return not self.rejected


def prepare(data: bytes, extension: str, ffmpeg_binary: str | None) -> tuple[bytes, str]:
    """Check and normalise a recording: (bytes to keep, their format); raise InvalidAudio."""
    extension = extension.lower()
    if extension not in KEPT_FORMATS + CONVERTIBLE_FORMATS:
        raise InvalidAudio(f".{extension} is not an audio format we take (send WAV or MP3)")
    if ffmpeg_binary:
        # ffmpeg reads anything and resamples well: everything becomes 16 kHz mono WAV.
        try:
            data = to_wav_with_ffmpeg(data, ffmpeg_binary)
        except Exception as error:
            raise InvalidAudio(f"ffmpeg cannot read it ({error})") from error
    elif extension in CONVERTIBLE_FORMATS:
        raise InvalidAudio(f".{extension} needs ffmpeg to convert it; send WAV or MP3")
    if sniff(data) == "wav":
        data = normalise_wav(data)
    check_playable(data)
    return data, sniff(data)


def import_recordings(
    store: RecordingStore,
    folder: Path,
    expected: Iterable[SpokenText],
    ffmpeg_binary: str | None = None,
    *,
    use_ffmpeg: bool = True,
) -> ImportResult:
    """Take in every file of ``folder`` named after a prompt of the script; report the rest."""
    by_stem = {spoken.stem: spoken for spoken in expected}
    binary = ffmpeg_binary or (ffmpeg() if use_ffmpeg else None)
    result = ImportResult()
    for path in sorted(Path(folder).iterdir()):
        if not path.is_file() or path.name.startswith(".") or path.name == INDEX_NAME:
            continue
        spoken = by_stem.get(path.stem)
        if spoken is None:
            result.rejected.append((path.name, "no prompt of the script has this name"))
            continue
        try:
            data, extension = prepare(path.read_bytes(), path.suffix.lstrip("."), binary)
        except InvalidAudio as error:
            result.rejected.append((path.name, str(error)))
            continue
        store.store(spoken, data, extension)
        result.imported.append(path.name)
    return result
