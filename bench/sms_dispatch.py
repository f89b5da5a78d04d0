"""Benchmark: dispatch many SMS through real RQ workers under the global rate cap.

    python -m bench.sms_dispatch [--messages 10000] [--rate 50] [--workers 2]
                                 [--source sms|reminders]
    make bench-sms

Everything runs on this machine, over loopback: an embedded Redis, the fake Twilio Messages API
(devtools/fake_twilio.py) as the far end, and ``--workers`` processes started with the Procfile's
own ``worker:`` command, configured by environment as in production: nothing is built for them
beforehand, each builds its own parts as it starts.

With ``--source sms`` the messages are enqueued first through ``Outbound.enqueue``; with
``--source reminders`` people are registered, then one reminder run is queued as the clock
queues it, and a worker runs it: every first reminder is due and handed to the SMS queue while
the other workers already send. The workers are stopped (SIGTERM) once every message arrived.
The fake server timestamps each request as it arrives; from those:

- the achieved rate: (requests - 1) / (last arrival - first arrival);
- the most requests that arrived in any window of one second (sliding, [t, t + 1 s)).

It passes when the achieved rate is within 5% under the cap, no one-second window holds more
than the cap, and every message arrived exactly once. Results go to bench/results/.
"""

from __future__ import annotations

import argparse
import itertools
import json
import math
import os
import subprocess
import sys
import tempfile
import time
from collections import Counter
from datetime import date, datetime, timedelta
from datetime import time as time_of_day
from pathlib import Path

from bench.servers import procfile_command, procfile_workers, production_environment
from devtools.embedded_redis import EmbeddedRedis
from devtools.fake_twilio import FakeTwilio
from hotline.clock import PARIS
from sms.store import MessageStore
from wiring.connections import QUEUE_NAME
from wiring.settings import read_settings
from wiring.worker import WorkerParts, build_worker_parts

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results"
ACCOUNT_SID = "AC" + "be" * 16
AUTH_TOKEN = "bench-auth-token-0123456789abcdef"
SECRET_KEY = "bench-secret-key-0123456789abcdef-0123456789"


def max_in_window(times: list[float], window: float = 1.0) -> int:
    """The most arrivals in any window [t, t + window)."""
    most, start = 0, 0
    for end, t in enumerate(times):
        while t - times[start] >= window:
            start += 1
        most = max(most, end - start + 1)
    return most


def per_window(times: list[float], window: float) -> list[int]:
    """Arrivals in each ``window`` seconds from the first arrival."""
    counts = Counter(int((t - times[0]) // window) for t in times) if times else Counter()
    return [counts[i] for i in range(max(counts, default=-1) + 1)]


def environment(redis_url: str, api_url: str, rate: float) -> dict[str, str]:
    return production_environment(
        redis_url, api_url, (ACCOUNT_SID, AUTH_TOKEN), SECRET_KEY, SMS_RATE_PER_SECOND=repr(rate)
    )


def run(messages: int, rate: float, workers: int, source: str = "sms") -> dict:
    with tempfile.TemporaryDirectory(prefix="bench-sms-") as tmp:
        redis_server = EmbeddedRedis(Path(tmp) / "redis", persist=False).start()
        try:
            with FakeTwilio(ACCOUNT_SID, AUTH_TOKEN) as fake:
                return _run(redis_server, fake, messages, rate, workers, source)
        finally:
            redis_server.stop()


def register_due_reminders(parts: WorkerParts, count: int) -> str:
    """``count`` people registered 40 days before their ADP ends; the instant, 11 days later
    (in daytime), at which every first reminder is due (ISO 8601)."""
    expiry = date(2027, 3, 15)
    registered = datetime.combine(expiry - timedelta(days=40), time_of_day(15), tzinfo=PARIS)
    for i in range(count):
        parts.reminders.register(
            number=f"+336{i % 100_000_000:08d}",
            lang="fr",
            prefecture="val-de-marne",
            expiry=expiry,
            channel="sms",
            now=registered,
        )
    return datetime.combine(
        expiry - timedelta(days=29), time_of_day(10, 30), tzinfo=PARIS
    ).isoformat()


def _wait_for_arrivals(
    processes: list[subprocess.Popen], fake: FakeTwilio, messages: int, deadline: float
) -> None:
    """Until every message arrived (or a worker died, or time ran out)."""
    while len(fake.received) < messages and time.monotonic() < deadline:
        if any(p.poll() is not None for p in processes):
            break  # a worker died: report what arrived
        time.sleep(0.5)
    time.sleep(2)  # anything sent twice would arrive now


def _run(
    redis_server: EmbeddedRedis,
    fake: FakeTwilio,
    messages: int,
    rate: float,
    workers: int,
    source: str,
) -> dict:
    env = environment(redis_server.url, fake.url, rate)
    # The bench's own parts, to prepare the work; the workers build theirs from the environment.
    parts = build_worker_parts(read_settings(env))
    started = time.monotonic()
    if source == "reminders":
        run_at = register_due_reminders(parts, messages)
        parts.outbound.queue.enqueue(
            "workers.reminders.send_due_reminders", run_at, job_id="reminders-bench"
        )
    else:
        for i in range(messages):
            number = f"+336{i % 100_000_000:08d}"
            parts.outbound.enqueue(number, f"Rappel de test n° {i:05d}", purpose="bench")
    enqueue_seconds = time.monotonic() - started
    print(f"prepared {messages} {source} in {enqueue_seconds:.1f} s", flush=True)

    command = procfile_command("worker", env)
    budget = messages / rate * 1.5 + 60
    RESULTS.mkdir(parents=True, exist_ok=True)
    with procfile_workers(env, workers, lambda n: RESULTS / f"worker-{n}.log") as processes:
        _wait_for_arrivals(processes, fake, messages, time.monotonic() + budget)

    times = sorted(r.at for r in fake.received)
    bodies = Counter((r.form.get("To"), r.form.get("Body")) for r in fake.received)
    store = MessageStore(parts.redis)
    statuses = Counter()
    for key in parts.redis.scan_iter(match="hl:sms:msg:*", count=1000):
        message = store.load(key.decode().rsplit(":", 1)[1])
        statuses[message.status if message else "missing"] += 1
    span = times[-1] - times[0] if len(times) > 1 else 0.0
    achieved = (len(times) - 1) / span if span else 0.0
    window_max = max_in_window(times)
    read_window_max = max_in_window(sorted(r.read_at for r in fake.received))
    gaps = [b - a for a, b in itertools.pairwise(times)]
    cap_per_window = math.ceil(rate)
    result = {
        "command": f"python -m bench.sms_dispatch --messages {messages} --rate {rate:g} "
        f"--workers {workers} --source {source}",
        "messages": messages,
        "workers": workers,
        "worker_command": " ".join(["python", *command[1:]]),
        "cpus": os.cpu_count(),
        # other work on the machine matters: a worker kept off the CPU between its slot and the
        # wire can bunch requests at the far end (docs/sms.md)
        "load_average_1_5_15_min_at_end": [round(x, 2) for x in os.getloadavg()],
        "cap_per_second": rate,
        "received": len(times),
        "created": len(fake.created),
        "duplicates": sum(n - 1 for n in bodies.values() if n > 1),
        "statuses": dict(statuses),
        "enqueue_seconds": round(enqueue_seconds, 2),
        "dispatch_seconds": round(span, 2),
        "achieved_per_second": round(achieved, 3),
        "achieved_vs_cap": round(achieved / rate, 4),
        "max_in_any_1s_window": window_max,
        # the same, by when the fake server's threads got round to reading each request
        "max_in_any_1s_window_as_read": read_window_max,
        "min_gap_ms": round(1000 * min(gaps), 2) if gaps else None,
        # where the rate was lost: arrivals in each 10 s from the first (the last one partial)
        "per_10s": per_window(times, 10.0),
        "queue_left": parts.outbound.queue.count,
        "queue": QUEUE_NAME,
    }
    result["passed"] = (
        result["received"] == messages
        and result["duplicates"] == 0
        and achieved >= 0.95 * rate
        and window_max <= cap_per_window
    )
    return result


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--messages", type=int, default=10_000)
    parser.add_argument("--rate", type=float, default=50.0)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument(
        "--source",
        choices=("sms", "reminders"),
        default="sms",
        help="enqueue plain SMS, or register people and let the reminder run queue their SMS",
    )
    args = parser.parse_args(argv)
    if args.workers < 1 or args.messages < 2 or args.rate <= 0:
        parser.error("need at least 1 worker, 2 messages and a rate above 0")
    expected = args.messages / args.rate
    print(
        f"Sending {args.messages:,} SMS at a cap of {args.rate:g}/s with {args.workers} worker(s): "
        f"at least {expected:.0f} s of dispatch, plus setup",
        flush=True,
    )
    result = run(args.messages, args.rate, args.workers, args.source)
    RESULTS.mkdir(parents=True, exist_ok=True)
    out = RESULTS / f"sms_dispatch_{args.source}.json"
    out.write_text(json.dumps(result, indent=2) + "\n")
    print(json.dumps(result, indent=2))
    print(
        f"\n{result['received']} messages in {result['dispatch_seconds']} s: "
        f"{result['achieved_per_second']}/s for a cap of {args.rate:g}/s "
        f"({100 * result['achieved_vs_cap']:.1f}%), at most {result['max_in_any_1s_window']} "
        f"in any second; {'PASS' if result['passed'] else 'FAIL'} (written to {out})"
    )
    return 0 if result["passed"] else 1


if __name__ == "__main__":
    sys.exit(main())
