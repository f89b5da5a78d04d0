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

The rates still move by ±25% a round: how the kernel shares 2 CPUs between two groups of busy
processes is itself noisy. So each round also reads each server's own CPU time (gunicorn master
and workers) per answered request, which measures the work a request takes rather than the share
of the machine a server got: counting's cost in CPU is ``1 - uncounted µs ÷ hotline µs``. It
leaves out Redis and wrk (shared, and the same for both), so it overstates the cost a little.
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
) -> tuple[dict[str, float], dict[str, float]]:
    """Both servers loaded at once: their rates (requests/s, wrk's figure) and their CPU
    microseconds per answered request."""
    order = PAIR if round_ % 2 == 0 else PAIR[::-1]
    started = []
    for i, (name, app) in enumerate(order):
        data = directory / f"{name}-{round_}"
        started.append((start_server(name, app, redis, data, args, 100 * round_ + i), data))
    script = directory / "script.lua"
    try:
        for server, _ in started:
            server.wait_ready("/healthz")
        cpu_before = [server.cpu_seconds() for server, _ in started]
        loads = [
            subprocess.Popen(
                wrk_command(server, args, data, script),
                stdout=subprocess.PIPE,
                stderr=subprocess.STDOUT,
                text=True,
            )
            for server, data in started
        ]
        rates, cpu = {}, {}
        for (server, _), load, before in zip(started, loads, cpu_before, strict=True):
            out, _ = load.communicate(timeout=args.duration + 120)
            spent = server.cpu_seconds() - before  # its wrk is done: no more requests for it
            wrk = WrkOutput.parse(out)
            if wrk.not_200:
                raise RuntimeError(f"{server.name}: answers were not 200:\n{out}")
            rates[server.name] = wrk.requests_per_second
            cpu[server.name] = round(spent * 1e6 / max(wrk.answered, 1))
        return rates, cpu
    finally:
        for server, _ in started:
            server.stop()
        Redis.from_url(redis.url).flushall()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    add_wrk_options(parser, duration=5, rounds=6)
    args = parser.parse_args(argv)
    load_before = os.getloadavg()
    rounds, cpus = [], []
    with tempfile.TemporaryDirectory(prefix="bench-wrk-pair-") as tmp:
        directory = Path(tmp)
        (directory / "script.lua").write_text(LUA)
        redis = EmbeddedRedis(directory / "redis", persist=False).start()
        try:
            for round_ in range(args.rounds):
                rates, cpu = one_round(round_, redis, directory, args)
                rounds.append(rates)
                cpus.append(cpu)
        finally:
            redis.stop()
    costs = [round(1 - r["hotline"] / r["uncounted"], 3) for r in rounds]
    cpu_costs = [round(1 - c["uncounted"] / c["hotline"], 3) for c in cpus]
    result = {
        "load_average_before": [round(x, 2) for x in load_before],
        "load_average_after": [round(x, 2) for x in os.getloadavg()],
        "rounds": rounds,
        "counting_cost_per_round": costs,
        "counting_cost_median": statistics.median(costs),
        "server_cpu_microseconds_per_request": cpus,
        "counting_cpu_cost_per_round": cpu_costs,
        "counting_cpu_cost_median": statistics.median(cpu_costs),
    }
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / "wrk_pair.json").write_text(json.dumps(result, indent=2) + "\n")
    print(json.dumps(result, indent=2))
    print(f"counting costs {100 * statistics.median(costs):.1f}% (median; issue 15: <= 5%)")
    print(f"in the server's CPU per request: {100 * statistics.median(cpu_costs):.1f}% (median)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
