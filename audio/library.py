"""The built audio: files named by a hash of what they say, and a manifest that indexes them.

AUDIO_DIR holds ``<lang>/<digest>.<mp3|wav>`` and ``manifest.json``. The digest hashes the source
(the engine, or "recording"), the language and the exact text, plus the bytes of a recording, so
a changed text or a new recording is a new file name: Twilio may cache every file forever.

The manifest records, for each prompt of each language, the text its audio says; at call time
``AudioLibrary.url(lang, text)`` answers only when a file says exactly the current text, so a
stale file is never played.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import re
import tempfile
import threading
import time
from collections.abc import Iterable, Iterator
from dataclasses import asdict, dataclass
from pathlib import Path

log = logging.getLogger(__name__)

MANIFEST_NAME = "manifest.json"
MANIFEST_VERSION = 1
#: The source of a file recorded by a person (otherwise the engine's name).
RECORDING = "recording"
#: The only names the audio folder serves: a language folder and a content hash.
FILE_NAME = re.compile(r"[a-z]{2,3}(?:-[A-Za-z0-9]{1,8})?/[0-9a-f]{24}\.(?:mp3|wav)")


def audio_file_name(source: str, lang: str, text: str, extension: str, content: str = "") -> str:
    """``<lang>/<digest>.<ext>``: the digest of source, language, text (and recording bytes)."""
    digest = hashlib.sha256("\x1f".join((source, lang, text, content)).encode("utf-8"))
    return f"{lang}/{digest.hexdigest()[:24]}.{extension}"


@dataclass(frozen=True)
class Entry:
    """The audio of one prompt in one language: which file, saying which text, made by what."""

    lang: str
    stem: str
    text: str
    source: str  # engine name or RECORDING
    file: str
    seconds: float = 0.0

    @property
    def recorded(self) -> bool:
        return self.source == RECORDING


class Manifest:
    """Entries by (language, prompt stem), read from and written to manifest.json."""

    def __init__(self, entries: Iterable[Entry] = ()):
        self.entries: dict[tuple[str, str], Entry] = {(e.lang, e.stem): e for e in entries}

    @classmethod
    def load(cls, directory: Path) -> Manifest:
        path = Path(directory) / MANIFEST_NAME
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
            return cls(Entry(**item) for item in data["entries"])
        except FileNotFoundError:
            return cls()
        except (ValueError, KeyError, TypeError) as error:
            # A damaged manifest loses only the index: the next build re-adopts files on disk.
            log.error("audio manifest %s is unreadable (%s); treating it as empty", path, error)
            return cls()

    def save(self, directory: Path) -> None:
        """Write atomically, so a web process reading it never sees half a file."""
        directory = Path(directory)
        directory.mkdir(parents=True, exist_ok=True)
        data = {
            "version": MANIFEST_VERSION,
            "entries": [asdict(e) for _, e in sorted(self.entries.items())],
        }
        with tempfile.NamedTemporaryFile(
            "w", encoding="utf-8", dir=directory, suffix=".tmp", delete=False
        ) as tmp:
            json.dump(data, tmp, ensure_ascii=False, indent=1)
        os.replace(tmp.name, directory / MANIFEST_NAME)

    def get(self, lang: str, stem: str) -> Entry | None:
        return self.entries.get((lang, stem))

    def put(self, entry: Entry) -> None:
        self.entries[(entry.lang, entry.stem)] = entry

    def __iter__(self) -> Iterator[Entry]:
        return iter(self.entries.values())


def write_atomically(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.NamedTemporaryFile(dir=path.parent, suffix=".tmp", delete=False) as tmp:
        tmp.write(data)
    os.replace(tmp.name, path)


class AudioLibrary:
    """Which file says a text, for the call: ``url(lang, text)`` or None.

    Reads the manifest at start and again when a build rewrote it (checked at most once a
    second), so new audio is played without restarting the web process.
    """

    def __init__(self, directory: Path, base_url: str | None = None, check_every: float = 1.0):
        self.directory = Path(directory).resolve()
        self.base_url = (base_url or "").rstrip("/")
        self.check_every = check_every
        self._index: dict[tuple[str, str], Entry] = {}
        self._stamp: tuple[int, int] | None = None
        self._checked = float("-inf")
        self._lock = threading.Lock()
        self.generation = 0  # counts reloads of the manifest: what depends on it can cache
        self.refresh(force=True)

    def path(self, file: str) -> Path:
        """Where a built file is (it may not exist). Also for names the library would not serve:
        ``servable`` says whether one may be played or served."""
        return self.directory / file

    def servable(self, file: str) -> Path | None:
        """The file, if it has a build name and is a regular file inside the audio folder once
        every symlink is followed: a link out of AUDIO_DIR (planted, or left by a careless copy)
        is never read, served or offered to Twilio."""
        if not FILE_NAME.fullmatch(file):
            return None
        try:
            real = (self.directory / file).resolve(strict=True)
        except (OSError, RuntimeError):  # missing, a loop of links
            return None
        return real if real.is_relative_to(self.directory) and real.is_file() else None

    def refresh(self, force: bool = False) -> None:
        now = time.monotonic()
        if not force and now - self._checked < self.check_every:
            return
        with self._lock:
            self._checked = now
            try:
                stat = (self.directory / MANIFEST_NAME).stat()
                stamp = (stat.st_mtime_ns, stat.st_size)
            except FileNotFoundError:
                stamp = None
            if stamp == self._stamp and not force:
                return
            self._stamp = stamp
            self._index = self._build_index(Manifest.load(self.directory))
            self.generation += 1

    def _build_index(self, manifest: Manifest) -> dict[tuple[str, str], Entry]:
        index: dict[tuple[str, str], Entry] = {}
        for entry in manifest:
            if self.servable(entry.file) is None:
                continue
            known = index.get((entry.lang, entry.text))
            if known is None or (entry.recorded and not known.recorded):
                index[(entry.lang, entry.text)] = entry  # a person's recording wins over TTS
        return index

    def current_generation(self) -> int:
        """The manifest's generation, after checking (at most once a second) for a new build."""
        self.refresh()
        return self.generation

    def entry(self, lang: str, text: str) -> Entry | None:
        """The audio saying exactly this text in this language, if built."""
        self.refresh()
        return self._index.get((lang, text))

    def url(self, lang: str, text: str) -> str | None:
        entry = self.entry(lang, text)
        return f"{self.base_url}/audio/{entry.file}" if entry else None
