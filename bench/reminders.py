"""Reminders at scale, on a real Redis: memory per registration, and the cost of collecting what
is due among many registrations.

    python -m bench.reminders [--registrations 100000] [--small 10000] [--large 1000000]

1. Registers N people through the real RegistrationStore and reports Redis memory per
   registration (target: at most 512 bytes, a third of one RQ scheduled job's ~1,750).
2. Collects 1,000 due registrations among 10,000 and among 1,000,000 with the real claim script
   (median of repeated runs) and reports the ratio (target: within 2x).

Dispatching reminders through the local Twilio server at a capped rate is measured by
``bench.sms_dispatch``. Results go to stdout and bench/results/reminders.md.
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from datetime import date, datetime, timedelta
from pathlib import Path

from redis import Redis

from devtools.embedded_redis import EmbeddedRedis
from hotline import keys
from hotline.clock import PARIS
from hotline.identity import caller_key
from reminders.registrations import RegistrationStore

SECRET = "bench-secret-" + "x" * 40
NOW = datetime(2026, 11, 26, 15, tzinfo=PARIS)
RESULTS = Path(__file__).parent / "results" / "reminders.md"


def number(n: int) -> str:
    return f"+336{n:08d}"


def register(store: RegistrationStore, n: int, first_due: datetime) -> None:
    store.register(
        caller=caller_key(SECRET, number(n)),
        number=number(n),
        lang=("fr", "en", "prs", "ar")[n % 4],
        prefecture="val-de-marne",
        expiry=date(2027, 3, 15) + timedelta(days=n % 180),
        channel=("voice", "sms")[n % 2],
        first_index=0,
        first_due=first_due,
        now=NOW,
    )


def memory_per_registration(redis: Redis, count: int) -> dict[str, float]:
    redis.flushall()
    store = RegistrationStore(redis, SECRET)
    before = redis.info("memory")["used_memory"]
    started = time.perf_counter()
    for n in range(count):
        register(store, n, NOW + timedelta(days=1 + n % 120))
    elapsed = time.perf_counter() - started
    after = redis.info("memory")["used_memory"]
    sample = [caller_key(SECRET, number(n)) for n in range(0, count, max(1, count // 200))]
    hash_bytes = statistics.mean(
        redis.memory_usage(keys.REGISTRATION.format(caller=c)) for c in sample
    )
    return {
        "count": count,
        "per_registration": (after - before) / count,
        "hash_memory_usage": hash_bytes,
        "due_set_per_member": redis.memory_usage(keys.REMINDERS_DUE) / count,
        "registrations_per_second": count / elapsed,
    }


def fill(redis: Redis, total: int, due: int) -> list[str]:
    """``total`` registrations, of which ``due`` are due at NOW; returns the due callers."""
    redis.flushall()
    store = RegistrationStore(redis, SECRET)
    due_callers = []
    for n in range(total):
        if n < due:
            register(store, n, NOW - timedelta(minutes=1 + n % 30))
            due_callers.append(caller_key(SECRET, number(n)))
        else:
            register(store, n, NOW + timedelta(hours=1 + n % 3000))
    return due_callers


def collect_time(redis: Redis, due_callers: list[str], repeats: int) -> float:
    """Median seconds to claim the due registrations (restored between runs)."""
    store = RegistrationStore(redis, SECRET)
    scores = {c: (NOW - timedelta(minutes=5)).timestamp() for c in due_callers}
    times = []
    for _ in range(repeats):
        redis.zadd(keys.REMINDERS_DUE, scores)
        started = time.perf_counter()
        claimed = store.claim_due(NOW, limit=len(due_callers), lease_seconds=300)
        times.append(time.perf_counter() - started)
        assert len(claimed) == len(due_callers), len(claimed)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--registrations", type=int, default=100_000)
    parser.add_argument("--small", type=int, default=10_000)
    parser.add_argument("--large", type=int, default=1_000_000)
    parser.add_argument("--due", type=int, default=1_000)
    parser.add_argument("--repeats", type=int, default=21)
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as directory:
        server = EmbeddedRedis(Path(directory), persist=False).start()
        try:
            redis = Redis.from_url(server.url)
            version = redis.info("server")["redis_version"]
            print(f"Writing {args.registrations:,} registrations (memory)...", flush=True)
            memory = memory_per_registration(redis, args.registrations)
            timings = {}
            for total in (args.small, args.large):
                print(f"Filling {total:,} registrations, {args.due:,} due...", flush=True)
                due_callers = fill(redis, total, args.due)
                print(f"Collecting what is due, {args.repeats} times...", flush=True)
                timings[total] = collect_time(redis, due_callers, args.repeats)
        finally:
            server.stop()

    ratio = timings[args.large] / timings[args.small]
    lines = [
        f"Redis {version}, `python -m bench.reminders` "
        f"(--registrations {args.registrations} --small {args.small} --large {args.large})",
        "",
        "| measure | value | target |",
        "|---|---|---|",
        f"| Redis memory per registration ({memory['count']:,} registered) "
        f"| {memory['per_registration']:.0f} bytes | at most 512 bytes |",
        f"| of which the hash (MEMORY USAGE) | {memory['hash_memory_usage']:.0f} bytes | |",
        f"| of which the due set, per member | {memory['due_set_per_member']:.0f} bytes | |",
        f"| registrations written per second (one client) "
        f"| {memory['registrations_per_second']:,.0f} | |",
        f"| collect {args.due:,} due among {args.small:,} "
        f"| {timings[args.small] * 1000:.2f} ms | |",
        f"| collect {args.due:,} due among {args.large:,} "
        f"| {timings[args.large] * 1000:.2f} ms | |",
        f"| ratio | {ratio:.2f}x | within 2x |",
    ]
    report = "\n".join(lines)
    print(report)
    RESULTS.parent.mkdir(exist_ok=True)
    RESULTS.write_text(report + "\n")


if __name__ == "__main__":
    main()
