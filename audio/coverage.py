"""`flask audio coverage`: per language, how many texts a caller hears from a TTS file, from a
person's recording, from nothing yet (missing), or only from audio of an older text (stale).

What counts is what a call would play now: the built manifest, checked against the current
texts. Recordings waiting in audio/recordings for the next build, and recordings whose text has
changed since (to record again), are counted beside.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field

from audio.library import AudioLibrary, Manifest
from audio.prompts import SpokenText
from audio.recordings import RecordingStore

TTS, RECORDED, STALE, MISSING = "tts", "recorded", "stale", "missing"
COLUMNS = (TTS, RECORDED, STALE, MISSING)


@dataclass
class LanguageCoverage:
    lang: str
    counts: Counter[str] = field(default_factory=Counter)
    to_build: int = 0  # current recordings not yet in the build
    to_rerecord: int = 0  # recordings made for an older text

    @property
    def total(self) -> int:
        return sum(self.counts[c] for c in COLUMNS)


def status(spoken: SpokenText, library: AudioLibrary, manifest: Manifest) -> str:
    """What a call plays for this text now."""
    entry = library.entry(spoken.lang, spoken.text)
    if entry is not None:
        return RECORDED if entry.recorded else TTS
    return STALE if manifest.get(spoken.lang, spoken.stem) is not None else MISSING


def coverage(
    texts: Iterable[SpokenText],
    library: AudioLibrary,
    recordings: RecordingStore | None,
    languages: Iterable[str] = (),
) -> dict[str, LanguageCoverage]:
    """Per language (in the order of ``languages``, then the others), what a call plays now."""
    order = {lang: i for i, lang in enumerate(languages)}
    library.refresh(force=True)
    manifest = Manifest.load(library.directory)
    report: dict[str, LanguageCoverage] = {}
    for spoken in sorted(texts, key=lambda s: order.get(s.lang, len(order))):
        row = report.setdefault(spoken.lang, LanguageCoverage(spoken.lang))
        heard = status(spoken, library, manifest)
        row.counts[heard] += 1
        found = recordings.find(spoken) if recordings else None
        if found is None:
            continue
        if found.text is not None and found.text != spoken.text:
            row.to_rerecord += 1
        elif heard != RECORDED:
            row.to_build += 1
    return report


def table(
    report: dict[str, LanguageCoverage],
    offered: Iterable[str],
    with_catalog: Iterable[str],
    sms_only: Iterable[str] = (),
) -> list[str]:
    """One line per language, in menu order; the last column says how calls offer it: full
    voice, SMS-by-voice (its menu entry and "we are sending you the help by SMS"), or absent."""
    offered, with_catalog, sms_only = set(offered), set(with_catalog), set(sms_only)
    header = f"{'lang':<6}{'total':>6}" + "".join(f"{c:>10}" for c in COLUMNS)
    lines = [header + "  recordings to build / redo   voice menu"]
    for lang, row in report.items():
        counts = "".join(f"{row.counts[c]:>10}" for c in COLUMNS)
        menu = (
            "full voice"
            if lang in offered
            else "SMS-by-voice"
            if lang in sms_only
            else "absent"
            if lang in with_catalog
            else "no catalog: date clips only"
        )
        lines.append(
            f"{lang:<6}{row.total:>6}{counts}  {row.to_build:>10} / {row.to_rerecord:<12}   {menu}"
        )
    return lines
