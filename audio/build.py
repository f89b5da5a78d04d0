"""`flask audio build`: render every text that has no audio for its current words yet.

For each text: a person's current recording is used as it is; otherwise the language's engine
renders it, unless a file for the same engine, language and text already exists (its name is a
hash of those, so an unchanged text costs nothing and a changed one exactly one engine call).
Renders run in a bounded thread pool, each with retries and backoff on rate limits and network
errors; a failing text is reported and the others go on. Every file is checked to be playable
audio before it is written, and the manifest is written last, atomically.

This runs ahead of time (a deploy step, an operator), never while a call waits.
"""

from __future__ import annotations

import random
import threading
import time
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

from audio.engines import Engine, TransientEngineError, Unavailable
from audio.formats import InvalidAudio, check_playable
from audio.library import RECORDING, Entry, Manifest, audio_file_name, write_atomically
from audio.prompts import SpokenText
from audio.recordings import Recording, RecordingStore

#: UNSUPPORTED: no engine speaks the language (or --engine's lacks it): the text awaits a
#: person's recording, which is not a failure of the build.
RENDERED, UNCHANGED, RECORDED, FAILED, UNSUPPORTED = (
    "rendered",
    "unchanged",
    "recorded",
    "failed",
    "awaiting recordings",
)
#: Outcomes that leave the text with current audio.
DONE = frozenset({RENDERED, UNCHANGED, RECORDED})


@dataclass(frozen=True)
class RetryPolicy:
    """Attempts per text and the waits between them: 1 s, 2 s, 4 s... (jittered, capped)."""

    attempts: int = 4
    first_delay: float = 1.0
    factor: float = 2.0
    max_delay: float = 30.0

    def delay(self, retry: int) -> float:
        base = min(self.max_delay, self.first_delay * self.factor**retry)
        return base * random.uniform(0.5, 1.0)  # jitter: parallel workers do not retry in step


@dataclass
class TextResult:
    spoken: SpokenText
    status: str
    source: str | None = None
    file: str | None = None
    detail: str = ""


@dataclass
class BuildReport:
    outcomes: list[TextResult] = field(default_factory=list)
    engine_calls: Counter[str] = field(default_factory=Counter)  # by language, retries included

    @property
    def ok(self) -> bool:
        """No engine failed on a text it should have rendered: the command exits 0 only then.
        Texts awaiting recordings are reported, not failed on."""
        return all(o.status != FAILED for o in self.outcomes)

    @property
    def complete(self) -> bool:
        """Every text has current audio."""
        return all(o.status in DONE for o in self.outcomes)

    def counts(self) -> dict[str, Counter[str]]:
        by_lang: dict[str, Counter[str]] = defaultdict(Counter)
        for o in self.outcomes:
            by_lang[o.spoken.lang][o.status] += 1
        return dict(by_lang)

    def summary(self) -> list[str]:
        lines = []
        for lang, counts in sorted(self.counts().items()):
            parts = ", ".join(
                f"{counts[s]} {s}" for s in (RENDERED, UNCHANGED, RECORDED, FAILED, UNSUPPORTED)
            )
            lines.append(
                f"{lang}: {sum(counts.values())} texts: {parts}; "
                f"{self.engine_calls[lang]} engine call(s)"
            )
        return lines


EngineChooser = Callable[[str], "Engine | str"]
#: Up to 4 attempts, waiting about 1, 2 and 4 seconds between them.
DEFAULT_RETRY = RetryPolicy()


class Builder:
    def __init__(
        self,
        directory: Path,
        choose_engine: EngineChooser,
        recordings: RecordingStore | None = None,
        *,
        jobs: int | None = None,
        retry: RetryPolicy | None = None,
        sleep: Callable[[float], None] = time.sleep,
        echo: Callable[[str], None] = lambda line: None,
    ):
        self.directory = Path(directory)
        self.choose_engine = choose_engine
        self.recordings = recordings
        self.jobs = jobs
        self.retry = retry or DEFAULT_RETRY
        self.sleep = sleep
        self.echo = echo
        self._calls_lock = threading.Lock()

    def build(self, texts: Sequence[SpokenText]) -> BuildReport:
        report = BuildReport()
        manifest = Manifest.load(self.directory)
        pending: dict[str, list[SpokenText]] = defaultdict(list)  # file name -> texts it says
        engines: dict[str, Engine] = {}
        outcomes: dict[SpokenText, TextResult] = {}
        for spoken in texts:
            outcome = self._use_recording(spoken, manifest)
            if outcome is None:
                outcome = self._plan_tts(spoken, manifest, pending, engines)
            if outcome is not None:
                outcomes[spoken] = outcome
        for outcome in self._render(pending, engines, manifest, report):
            outcomes[outcome.spoken] = outcome
        report.outcomes = [outcomes[s] for s in texts]
        self._forget_removed(manifest, texts)
        manifest.save(self.directory)
        return report

    # --- planning -------------------------------------------------------------------------------

    def _use_recording(self, spoken: SpokenText, manifest: Manifest) -> TextResult | None:
        recording = self.recordings.current(spoken, adopt=True) if self.recordings else None
        if recording is None:
            return None
        try:
            file, seconds = self._copy_recording(spoken, recording)
        except (InvalidAudio, OSError) as error:
            self.echo(f"  ignored recording {recording.path}: {error}")
            return None
        manifest.put(Entry(spoken.lang, spoken.stem, spoken.text, RECORDING, file, seconds))
        return TextResult(spoken, RECORDED, RECORDING, file)

    def _copy_recording(self, spoken: SpokenText, recording: Recording) -> tuple[str, float]:
        file = audio_file_name(
            RECORDING, spoken.lang, spoken.text, recording.extension, recording.sha256
        )
        data = recording.path.read_bytes()
        info = check_playable(data)
        target = self.directory / file
        if not target.is_file():
            write_atomically(target, data)
        return file, round(info.seconds, 2)

    def _plan_tts(
        self,
        spoken: SpokenText,
        manifest: Manifest,
        pending: dict[str, list[SpokenText]],
        engines: dict[str, Engine],
    ) -> TextResult | None:
        engine = self.choose_engine(spoken.lang)
        if isinstance(engine, str):  # the old entry stays, stale
            status = FAILED if isinstance(engine, Unavailable) else UNSUPPORTED
            return TextResult(spoken, status, detail=engine)
        file = audio_file_name(engine.name, spoken.lang, spoken.text, engine.extension)
        if (self.directory / file).is_file():
            old = manifest.get(spoken.lang, spoken.stem)
            seconds = old.seconds if old and old.file == file else 0.0
            manifest.put(Entry(spoken.lang, spoken.stem, spoken.text, engine.name, file, seconds))
            return TextResult(spoken, UNCHANGED, engine.name, file)
        pending[file].append(spoken)  # two prompts with the same words share one render
        engines[file] = engine
        return None

    # --- rendering ------------------------------------------------------------------------------

    def _render(
        self,
        pending: dict[str, list[SpokenText]],
        engines: dict[str, Engine],
        manifest: Manifest,
        report: BuildReport,
    ) -> Iterable[TextResult]:
        if not pending:
            return []
        used = {e.name: e for e in engines.values()}
        workers = self.jobs or max(e.default_jobs for e in used.values())
        limits = {
            name: threading.BoundedSemaphore(self.jobs or e.default_jobs)
            for name, e in used.items()
        }

        def render(file: str) -> list[TextResult]:
            engine, texts = engines[file], pending[file]
            first = texts[0]
            with limits[engine.name]:
                try:
                    data = self._synthesize(engine, first, report)
                    info = check_playable(data, engine.extension)
                    write_atomically(self.directory / file, data)
                except Exception as error:  # one bad text must not stop the others
                    self.echo(f"  FAILED {first.lang} {first.stem}: {error}")
                    return [TextResult(s, FAILED, engine.name, detail=str(error)) for s in texts]
            self.echo(f"  rendered {first.lang} {first.stem} ({engine.name}, {info.seconds:.1f} s)")
            outcomes = []
            for s in texts:
                manifest.put(
                    Entry(s.lang, s.stem, s.text, engine.name, file, round(info.seconds, 2))
                )
                outcomes.append(TextResult(s, RENDERED, engine.name, file))
            return outcomes

        with ThreadPoolExecutor(max_workers=workers, thread_name_prefix="audio-build") as pool:
            results = list(pool.map(render, list(pending)))
        return [outcome for outcomes in results for outcome in outcomes]

    def _synthesize(self, engine: Engine, spoken: SpokenText, report: BuildReport) -> bytes:
        for attempt in range(self.retry.attempts):
            with self._calls_lock:
                report.engine_calls[spoken.lang] += 1
            try:
                return engine.synthesize(spoken.text, spoken.lang)
            except TransientEngineError as error:
                if attempt == self.retry.attempts - 1:
                    raise
                wait = self.retry.delay(attempt)
                self.echo(f"  retry {spoken.lang} {spoken.stem} in {wait:.1f} s: {error}")
                self.sleep(wait)
        raise AssertionError("unreachable")

    def _forget_removed(self, manifest: Manifest, texts: Sequence[SpokenText]) -> None:
        """Entries of prompts that no longer exist go (their files stay for calls in progress)."""
        langs = {s.lang for s in texts}
        current = {(s.lang, s.stem) for s in texts}
        for key in [k for k in manifest.entries if k[0] in langs and k not in current]:
            del manifest.entries[key]
