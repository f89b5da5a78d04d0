"""Benchmark of `flask audio build`: `python -m bench.audio` (or `make bench-audio`).

An engine stub answers each text after a fixed latency (200 ms: about one gTTS request) with a
valid MP3, so the figures measure the build itself: a full build of every text in 4 languages,
sequential and with the build's bounded concurrency; then a rebuild after one text changed in
every language, which must call the engine exactly once per language.

The four languages are French, English, Arabic and Turkish, with their own catalogs and date
words: four scripts' worth of real texts.
"""

from __future__ import annotations

import argparse
import json
import tempfile
import threading
import time
from collections import Counter
from pathlib import Path

from audio.build import Builder
from audio.engines import GttsEngine
from audio.inventory import Inventory
from audio.spoken_dates import load_date_formats
from audio.voices import load_voices
from content.catalog import Catalog, Content, load_catalogs, load_languages
from content.prefecture import load_prefecture
from ivr.speech import Speaker
from wiring.web import EXTRA_VOICE_KEYS

#: One silent MPEG-2 Layer III frame, 24 kHz mono, as gTTS produces.
MP3_FRAME = bytes([0xFF, 0xF3, 0x44, 0xC4]) + bytes(92)
LANGS = ("fr", "en", "ar", "tr")
RESULTS = Path(__file__).resolve().parent / "results" / "audio.json"


class SlowEngine:
    """Stands in for gTTS: same format and default concurrency, a fixed latency per text."""

    name = "stub"
    extension = "mp3"
    default_jobs = GttsEngine.default_jobs

    def __init__(self, latency: float):
        self.latency = latency
        self.calls: Counter[str] = Counter()
        self._lock = threading.Lock()

    def supports(self, lang: str) -> bool:
        return True

    def missing_reason(self, lang: str) -> str:
        return ""

    def synthesize(self, text: str, lang: str) -> bytes:
        with self._lock:
            self.calls[lang] += 1
        time.sleep(self.latency)
        return MP3_FRAME * 40


def four_languages(changed: str | None = None) -> Inventory:
    """The hotline's texts; ``changed`` replaces voice.main.title in every language."""
    catalogs = load_catalogs()
    languages = load_languages()
    if changed:
        catalogs = {
            code: Catalog(c.lang, c.status, {**c.texts, "voice.main.title": changed}, c.notes)
            for code, c in catalogs.items()
        }
    placeholders = load_prefecture("val-de-marne").placeholders()
    content = Content(catalogs, languages, placeholders)
    formats, years = load_date_formats()
    return Inventory.of(
        Speaker(content), content, EXTRA_VOICE_KEYS, voices=load_voices(), dates=(formats, years)
    )


def timed_build(texts, latency: float, jobs: int, directory: Path) -> tuple[float, Counter, bool]:
    engine = SlowEngine(latency)
    builder = Builder(directory, lambda lang: engine, jobs=jobs)
    start = time.perf_counter()
    report = builder.build(texts)
    return time.perf_counter() - start, engine.calls, report.ok


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--latency", type=float, default=0.2, help="seconds per engine call")
    parser.add_argument("--jobs", type=int, nargs="+", default=[GttsEngine.default_jobs, 8])
    args = parser.parse_args()

    inventory = four_languages()
    langs = list(LANGS)
    texts = inventory.texts(langs)
    distinct = len({(t.lang, t.text) for t in texts})
    print(
        f"{len(texts)} texts ({distinct} distinct) in {', '.join(langs)}: voice prompts and "
        "date/number clips."
    )
    print(f"engine stub: {args.latency * 1000:.0f} ms per call, returns MP3\n")
    figures: dict = {"texts": len(texts), "distinct": distinct, "latency": args.latency}
    with tempfile.TemporaryDirectory() as tmp:
        runs = {}
        for jobs in [1, *args.jobs]:
            seconds, calls, ok = timed_build(texts, args.latency, jobs, Path(tmp) / f"j{jobs}")
            assert ok
            runs[jobs] = seconds
            label = "sequential" if jobs == 1 else f"{jobs} at once"
            speedup = runs[1] / seconds
            print(
                f"full build, {label:>12}: {seconds:6.1f} s  ({sum(calls.values())} engine calls, "
                f"x{speedup:.1f})"
            )
        figures["full_build_seconds"] = {str(k): round(v, 2) for k, v in runs.items()}

        directory = Path(tmp) / f"j{args.jobs[0]}"
        seconds, calls, ok = timed_build(texts, args.latency, args.jobs[0], directory)
        print(f"rebuild, nothing changed:    {seconds:6.2f} s  (engine calls: {dict(calls) or 0})")
        changed = four_languages("Voici le menu principal.").texts(langs)
        seconds, calls, ok = timed_build(changed, args.latency, args.jobs[0], directory)
        per_lang = {lang: calls[lang] for lang in langs}
        print(
            f"rebuild, one text changed:   {seconds:6.2f} s  (engine calls per language: "
            f"{per_lang})"
        )
        assert ok and all(n == 1 for n in per_lang.values()), per_lang
        figures["rebuild_one_change_calls"] = per_lang
    RESULTS.parent.mkdir(exist_ok=True)
    RESULTS.write_text(json.dumps(figures, indent=1) + "\n")
    print(f"\nfigures written to {RESULTS}")


if __name__ == "__main__":
    main()
