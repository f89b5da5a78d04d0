"""Two servers measured at the same time, each by its own wrk: what one costs more than the
other, with the machine's drift cancelled.

    python -m bench.wrk_pair [--rounds 6] [--duration 5]

Measured one after the other (``bench.wrk``), the same server's rate moves by up to 20% from one
round to the next on a shared 2-CPU machine, more than the 5% issue 15 allows counting to cost.
Here the hotline (``app:app``) and the same app without counting (``bench/uncounted_app.py``)
run side by side under the Procfile's gunicorn command, each with its own calls, each loaded by
``wrk -t2 -c8`` with the same signed call walks: both get the same machine at the same moment,
so the ratio of their rates is the ratio of their costs. The two swap their start order every
round. Counting costs ``1 - hotline ÷ uncounted``.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

from redis import Redis

from bench.wrk import (
    LUA,
    RESULTS,
    UNCOUNTED_APP,
    WrkOutput,
    add_wrk_options,
    start_server,
    wrk_command,
)
from devtools.embedded_redis import EmbeddedRedis

PAIR = (("hotline", "app:app"), ("uncounted", UNCOUNTED_APP))


def one_round(
    round_: int, redis: EmbeddedRedis, directory: Path, args: argparse.Namespace
) -> dict[str, float]:
    """Both servers loaded at once; their rates (requests/s, wrk's figure)."""
    order = PAIR if round_ % 2 == 0 else PAIR[::-1]
    started = []
    for i, (name, app) in enumerate(order):
        data = directory / f"{name}-{round_}"
        started.append((start_server(name, app, redis, data, args, 100 * round_ + i), data))
    script = directory / "script.lua"
    try:
        for server, _ in started:
            server.wait_ready("/healthz")
        loads = [
            subprocess.Popen(
                wrk_command(server, args, data, script),
                stdout=subprocess.PIPE,
                stderr=subprocess.STDOUT,
                text=True,
            )
            for server, data in started
        ]
        rates = {}
        for (server, _), load in zip(started, loads, strict=True):
            out, _ = load.communicate(timeout=args.duration + 120)
            wrk = WrkOutput.parse(out)
            if wrk.not_200:
                raise RuntimeError(f"{server.name}: answers were not 200:\n{out}")
            rates[server.name] = wrk.requests_per_second
        return rates
    finally:
        for server, _ in started:
            server.stop()
        Redis.from_url(redis.url).flushall()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    add_wrk_options(parser, duration=5, rounds=6)
    args = parser.parse_args(argv)
    load_before = os.getloadavg()
    rounds = []
    with tempfile.TemporaryDirectory(prefix="bench-wrk-pair-") as tmp:
        directory = Path(tmp)
        (directory / "script.lua").write_text(LUA)
        redis = EmbeddedRedis(directory / "redis", persist=False).start()
        try:
            for round_ in range(args.rounds):
                rounds.append(one_round(round_, redis, directory, args))
        finally:
            redis.stop()
    costs = [round(1 - r["hotline"] / r["uncounted"], 3) for r in rounds]
    result = {
        "load_average_before": [round(x, 2) for x in load_before],
        "load_average_after": [round(x, 2) for x in os.getloadavg()],
        "rounds": rounds,
        "counting_cost_per_round": costs,
        "counting_cost_median": statistics.median(costs),
    }
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / "wrk_pair.json").write_text(json.dumps(result, indent=2) + "\n")
    print(json.dumps(result, indent=2))
    print(f"counting costs {100 * statistics.median(costs):.1f}% (median; issue 15: <= 5%)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
