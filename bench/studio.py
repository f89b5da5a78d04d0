"""How long recording a whole language by phone takes: `python -m bench.studio [--lang ps]`.

Counts what the recording line asks for (every text of the language, as `flask audio coverage`
counts them) and estimates a volunteer's time from the words heard and said, at about 12
characters a second (audio.checks.CHARS_PER_SECOND): per prompt, the French text, the record
instruction, the take, hearing it back, and either the whole choices prompt (a first-timer) or a
key pressed as soon as the take has played (someone used to the line: a <Gather> takes keys
while it plays). Then times the recording job's checks and conversion on a take of each length.
"""

from __future__ import annotations

import argparse
import math
import os
import statistics
import time
from array import array

from audio.checks import check_take, expected_seconds
from audio.formats import mono_wav
from audio.recordings import prepare
from content.catalog import SOURCE_LANGUAGE
from ivr.flow import Prompt

#: Seconds between the end of a prompt and the volunteer's voice or key.
REACTION = 1.0
BEEP = 0.5


def _take(seconds: float, rate: int = 8000) -> bytes:
    samples = array(
        "h",
        (int(9000 * math.sin(2 * math.pi * 220 * i / rate)) for i in range(int(rate * seconds))),
    )
    return mono_wav(samples, rate)


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.studio", description=__doc__)
    parser.add_argument("--lang", default="ps")
    args = parser.parse_args()
    os.environ.setdefault("HOTLINE_MODE", "development")
    from wiring.settings import settings_or_exit
    from wiring.web import build_web_parts  # the web app's own wiring (needs REDIS_URL or none)

    parts = build_web_parts(settings_or_exit())
    texts = parts.plan.texts(args.lang)
    said = sum(len(t.spoken.text) for t in texts)
    french = sum(len(t.french) for t in texts)

    def heard(key: str) -> float:
        return expected_seconds(parts.speaker.text(Prompt(key, SOURCE_LANGUAGE)))

    record, choices = heard("voice.studio.record"), heard("voice.studio.choices")
    base = sum(
        expected_seconds(t.french) + record + BEEP + REACTION + 2 * expected_seconds(t.spoken.text)
        for t in texts
    )
    first_timer = base + len(texts) * (choices + REACTION)
    practised = base + len(texts) * REACTION
    print(f"{args.lang}: {len(texts)} prompts, {said} characters to say, {french} in French")
    print(f"  speaking time alone: {said / 12 / 60:.1f} min")
    print(
        f"  a session: {practised / 60:.0f} min (keys pressed early) to {first_timer / 60:.0f} min"
    )

    timings = []
    for planned in texts:
        data = _take(max(0.5, expected_seconds(planned.spoken.text)))
        started = time.perf_counter()
        check = check_take(data, planned.spoken.text)
        prepare(data, "wav", None)
        timings.append(time.perf_counter() - started)
        assert not check.silent
    median, worst = statistics.median(timings) * 1000, max(timings) * 1000
    print(
        f"  recording job's checks and conversion: median {median:.0f} ms, max {worst:.0f} ms"
        f" per take ({len(timings)} takes)"
    )


if __name__ == "__main__":
    main()
