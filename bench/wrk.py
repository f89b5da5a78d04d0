"""Webhook throughput measured by wrk (Debian's C load generator), signed requests of realistic
call walks, against gunicorn as the Procfile runs it: the hotline, then the bare Flask app
(bench/bare_app.py) under the same command.

    python -m bench.wrk [--threads 2] [--connections 8] [--duration 10] [--rounds 1]
                        [--apps hotline,uncounted,bare] (also floor-2, floor-1, floor-0)
    make bench-wrk

The calls are those of bench.webhooks (bench/walk.py: 13 requests each, Twilio's form fields,
each with its own CallSid and number and a valid X-Twilio-Signature), written before the clock
starts into one Lua table per wrk thread. Each thread replays its own calls in waves: the first
request of 64 calls, then their second, and so on, so that a call's next request goes out long
after its previous one was answered, as a caller's key press does. A Lua ``response`` counts
answers that are not 200, and 200s without ``<Gather`` beyond the one status callback per call.
Requests/s is wrk's own figure; each ratio is a server's over the bare app's. The floors
(bench/floor_app.py) do only what any signed webhook with its state in Redis must do.
"""

from __future__ import annotations

import argparse
import itertools
import json
import os
import re
import resource
import statistics
import subprocess
import sys
import tempfile
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path

from redis import Redis

from bench import walk
from bench.servers import Gunicorn, cpu_seconds, free_port, web_command
from bench.webhooks import AUTH_TOKEN, BARE_APP, server_env
from devtools.embedded_redis import EmbeddedRedis

UNCOUNTED_APP = "bench.uncounted_app:app"
#: The servers, in the order they are measured: the hotline, the same without the console's
#: counters (issue 15: counting may cost at most 5%), and the bare Flask app (issue 9: >= 0.5).
APPS = (("hotline", "app:app"), ("uncounted", UNCOUNTED_APP), ("bare", BARE_APP))
#: On request (--apps): the floor under the hotline, with its two Redis round trips per key
#: press, with one, or with none (bench/floor_app.py).
FLOORS = tuple((f"floor-{n}", f"bench.floor_app:create_app({n})") for n in (2, 1, 0))
KNOWN = dict(APPS + FLOORS)

RESULTS = Path(__file__).resolve().parent / "results"
#: Calls in flight per wrk thread, interleaved request by request.
WAVE = 64

LUA = r"""
local threads = {}

function setup(thread)
  table.insert(threads, thread)
  thread:set("id", #threads)
end

function init(args)
  requests = dofile(args[1] .. "/requests-" .. id .. ".lua")
  position = 0
  bad = 0
  without_gather = 0
  answered = 0
end

function request()
  position = position % #requests + 1
  return requests[position]
end

function response(status, headers, body)
  answered = answered + 1
  if status ~= 200 then
    bad = bad + 1
  elseif not string.find(body, "<Gather", 1, true) then
    without_gather = without_gather + 1
  end
end

function done(summary, latency, requests)
  local totals = {bad = 0, without_gather = 0, answered = 0, prepared = 0}
  for _, thread in ipairs(threads) do
    totals.bad = totals.bad + thread:get("bad")
    totals.without_gather = totals.without_gather + thread:get("without_gather")
    totals.answered = totals.answered + thread:get("answered")
  end
  io.write(string.format("COUNTS %d %d %d\n", totals.answered, totals.bad, totals.without_gather))
end
"""


@dataclass
class Run:
    name: str
    command: str
    requests_per_second: float
    answered: int
    not_200: int
    without_gather: int
    latency: str
    #: CPU microseconds per answered request: gunicorn (master and workers), redis-server, wrk.
    cpu_per_request: dict[str, float]
    wrk_output: str


def lua_string(raw: bytes) -> str:
    """A Lua string literal of these bytes (not a long bracket: Lua turns CRLF in those to LF)."""
    escaped = "".join(chr(b) if 32 <= b < 127 and b not in (34, 92) else f"\\{b:03d}" for b in raw)
    return f'"{escaped}"'


def lua_table(requests: list[bytes]) -> str:
    """A Lua file returning the raw requests."""
    return "return {\n" + ",\n".join(lua_string(raw) for raw in requests) + "\n}\n"


def interleaved(calls: list[list[bytes]], wave: int = WAVE) -> list[bytes]:
    """Requests of ``wave`` calls at a time, one request of each in turn."""
    ordered = []
    for start in range(0, len(calls), wave):
        group = calls[start : start + wave]
        for step in range(max(len(c) for c in group)):
            ordered.extend(c[step] for c in group if step < len(c))
    return ordered


def write_requests(
    directory: Path, port: int, calls_per_thread: int, threads: int, seed: int = 9
) -> None:
    """Each server gets calls of its own (``seed``): a CallSid it has seen would be a replay."""
    base_url = f"http://127.0.0.1:{port}"
    host = f"127.0.0.1:{port}"
    everyone = walk.callers(calls_per_thread * threads, seed=seed)
    for n in range(threads):
        mine = everyone[n * calls_per_thread : (n + 1) * calls_per_thread]
        calls = [[r.http(host) for r in walk.walk(c, base_url, AUTH_TOKEN)] for c in mine]
        (directory / f"requests-{n + 1}.lua").write_text(lua_table(interleaved(calls)))


def wrk_command(server: Gunicorn, args: argparse.Namespace, data: Path, script: Path) -> list[str]:
    """wrk against ``server`` with the calls prepared in ``data`` (the URL is third from last)."""
    url = f"http://127.0.0.1:{server.port}/"
    return [
        "wrk",
        f"-t{args.threads}",
        f"-c{args.connections}",
        f"-d{args.duration}s",
        "--latency",
        "-s",
        str(script),
        url,
        "--",
        str(data),
    ]


@dataclass(frozen=True)
class WrkOutput:
    """What a wrk run printed: its rate, and the Lua script's counts of answers."""

    requests_per_second: float
    answered: int
    not_200: int
    without_gather: int
    latency: str

    @classmethod
    def parse(cls, out: str) -> WrkOutput:
        rate = re.search(r"Requests/sec:\s+([\d.]+)", out)
        counts = re.search(r"COUNTS (\d+) (\d+) (\d+)", out)
        latency = re.search(r"^\s+Latency\s+(.*)$", out, re.MULTILINE)
        if not (rate and counts):
            raise RuntimeError(f"wrk failed:\n{out}")
        answered, not_200, without_gather = (int(n) for n in counts.groups())
        found = latency.group(1).strip() if latency else ""
        return cls(float(rate.group(1)), answered, not_200, without_gather, found)


def children_cpu_seconds() -> float:
    """User + system CPU seconds of this process's children that have ended (wrk, once run)."""
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def run_wrk(
    server: Gunicorn, redis: EmbeddedRedis, args: argparse.Namespace, data: Path, script: Path
) -> Run:
    """One wrk run against ``server``, and the CPU each process spent on it (where the time
    goes: a request costs the server, Redis and the load generator, all on the same cores)."""
    command = wrk_command(server, args, data, script)
    url = command[-3]
    assert redis.process is not None
    before = server.cpu_seconds(), cpu_seconds(redis.process.pid), children_cpu_seconds()
    done = subprocess.run(command, capture_output=True, text=True, timeout=args.duration + 120)
    after = server.cpu_seconds(), cpu_seconds(redis.process.pid), children_cpu_seconds()
    out = done.stdout + done.stderr
    wrk = WrkOutput.parse(out)
    spent = [(a - b) * 1e6 / max(wrk.answered, 1) for a, b in zip(after, before, strict=True)]
    return Run(
        name=server.name,
        command=" ".join(["wrk", *command[1:7], "script.lua", url]),
        requests_per_second=wrk.requests_per_second,
        answered=wrk.answered,
        not_200=wrk.not_200,
        without_gather=wrk.without_gather,
        latency=wrk.latency,
        cpu_per_request={
            k: round(v) for k, v in zip(("server", "redis", "wrk"), spent, strict=True)
        },
        wrk_output=out,
    )


def start_server(
    name: str,
    app: str,
    redis: EmbeddedRedis,
    data: Path,
    args: argparse.Namespace,
    seed: int,
    extra: Sequence[str] = (),
) -> Gunicorn:
    """``app`` under the Procfile's gunicorn command (plus ``extra`` options), with calls of its
    own (``seed``: a CallSid it has seen would be a replay) prepared in ``data``, counting for
    /metrics in files as .env.example deploys it; its log beside ``data``."""
    port = free_port()
    env = server_env(redis.url, port)
    (data / "prometheus").mkdir(parents=True)
    env["PROMETHEUS_MULTIPROC_DIR"] = str(data / "prometheus")
    write_requests(data, port, args.calls, args.threads, seed=seed)
    command = web_command(port, app, env) + list(extra)
    return Gunicorn(name, port, command, env, data.with_suffix(".log")).start()


def add_wrk_options(parser: argparse.ArgumentParser, *, duration: int, rounds: int) -> None:
    """The options of a wrk run, shared by bench.wrk and bench.wrk_pair."""
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--connections", type=int, default=8)
    parser.add_argument("--duration", type=int, default=duration)
    parser.add_argument("--calls", type=int, default=1500, help="prepared calls per thread")
    parser.add_argument(
        "--rounds", type=int, default=rounds, help="each server measured this often"
    )


def per_round(
    runs: list[Run], first: str, second: str, compare: Callable[[float, float], float]
) -> list[float]:
    """``compare(first's rate, second's rate)`` in each round, rounded."""
    mine, theirs = ([r.requests_per_second for r in runs if r.name == n] for n in (first, second))
    return [round(compare(a, b), 3) for a, b in zip(mine, theirs, strict=True)]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    add_wrk_options(parser, duration=10, rounds=1)
    parser.add_argument(
        "--apps",
        default=",".join(name for name, _ in APPS),
        help=f"servers to measure, in order, among {', '.join(KNOWN)}",
    )
    parser.add_argument(
        "--gunicorn",
        nargs="*",
        default=[],
        help="extra gunicorn options after the Procfile's, for experiments (e.g. --threads 1)",
    )
    args = parser.parse_args(argv)
    apps = [(name, KNOWN[name]) for name in args.apps.split(",") if name in KNOWN]
    if len(apps) != len(args.apps.split(",")):
        parser.error(f"--apps: choose among {', '.join(KNOWN)}")
    load_before = os.getloadavg()
    runs: list[Run] = []
    with tempfile.TemporaryDirectory(prefix="bench-wrk-") as tmp:
        directory = Path(tmp)
        script = directory / "script.lua"
        script.write_text(LUA)
        redis = EmbeddedRedis(directory / "redis", persist=False).start()
        try:
            for round_, (name, app) in itertools.product(range(args.rounds), apps):
                data = directory / f"{name}-{round_}"
                seed = 9 + len(runs)
                server = start_server(name, app, redis, data, args, seed, args.gunicorn)
                served = server.command
                try:
                    server.wait_ready("/healthz" if name != "bare" else "/")
                    runs.append(run_wrk(server, redis, args, data, script))
                finally:
                    server.stop()
                Redis.from_url(redis.url).flushall()  # each server starts from an empty Redis
        finally:
            redis.stop()
    rates = {
        name: statistics.median(r.requests_per_second for r in runs if r.name == name)
        for name, _ in apps
    }
    result = {
        "load_average_before": [round(x, 2) for x in load_before],
        "load_average_after": [round(x, 2) for x in os.getloadavg()],
        "cpus": os.cpu_count(),
        "median_requests_per_second": rates,
        "median_cpu_microseconds_per_request": {
            name: {
                part: statistics.median(r.cpu_per_request[part] for r in runs if r.name == name)
                for part in ("server", "redis", "wrk")
            }
            for name, _ in apps
        },
    }
    if "bare" in rates:
        # Round by round (the servers of a round run one after the other, within a minute): a
        # shared machine drifts by 20% between rounds, so read the medians over several rounds.
        result["ratio_to_bare"] = {
            name: round(rates[name] / rates["bare"], 3) for name in rates if name != "bare"
        }
        result["ratio_to_bare_per_round"] = {
            name: per_round(runs, name, "bare", lambda a, b: a / b)
            for name in rates
            if name != "bare"
        }
    if {"hotline", "uncounted"} <= rates.keys():
        result["counting_cost"] = round(1 - rates["hotline"] / rates["uncounted"], 3)
        result["counting_cost_per_round"] = per_round(
            runs, "hotline", "uncounted", lambda a, b: 1 - a / b
        )
    result["runs"] = [{k: v for k, v in asdict(r).items() if k != "wrk_output"} for r in runs]
    result["server_command"] = served
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / "wrk.json").write_text(json.dumps(result, indent=2) + "\n")
    print(json.dumps(result, indent=2))
    for run in runs:
        print(f"\n--- {run.name}\n{run.wrk_output}")
    for name, ratio in result.get("ratio_to_bare", {}).items():
        target = " (issue 9: >= 0.5)" if name == "hotline" else ""
        print(f"{name} ÷ bare = {ratio:.3f}{target}")
    if "counting_cost" in result:
        counting = result["counting_cost"]
        print(f"counting costs {100 * counting:.1f}% of the hotline's throughput (issue 15: <= 5%)")
    per_call = len(walk.walk(walk.callers(1, 0)[0], "", "x"))
    for run in runs:
        if run.name == "bare":
            continue  # it answers without reading the request: nothing to refuse
        if run.not_200 or run.without_gather > 1.2 * run.answered / per_call + 10:
            print(f"{run.name} answered errors: the figures do not count", file=sys.stderr)
            return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
