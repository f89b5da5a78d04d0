"""Benchmark: 1,000 due reminder calls through the local Twilio, under the global call cap.

    python -m bench.reminder_calls [--calls 1000] [--rate 5] [--workers 2]

Everything runs on this machine, over loopback: an embedded Redis; the web app as the Procfile
starts it (gunicorn, ``web:``), which serves the calls' TwiML and status callbacks; ``--workers``
processes started with the Procfile's ``worker:`` command, configured by environment, building
their own parts (nothing is built for them); and the fake Twilio (devtools/fake_twilio.py)
playing each person called: it answers, fetches the call's TwiML (signed), listens, hangs up.

People are registered for calls, one reminder run is queued as the clock queues it; a worker
runs it and queues one call job per person while the others dial. From the fake's records:

- calls placed per second: (calls - 1) / (last ``calls.create`` arrival - first);
- the most ``calls.create`` in any window of one second (never above the cap);
- lost (registered, never called) and duplicates (called twice);
- the time the web app took to answer each call's first TwiML (p50, p99), under that load.

Results go to bench/results/reminder_calls.json.
"""

from __future__ import annotations

import argparse
import itertools
import json
import os
import re
import statistics
import tempfile
import time
from collections import Counter
from datetime import date, datetime, timedelta
from datetime import time as time_of_day
from pathlib import Path

from bench.servers import (
    Gunicorn,
    free_port,
    procfile_command,
    procfile_workers,
    production_environment,
    web_command,
)
from bench.sms_dispatch import max_in_window
from devtools.embedded_redis import EmbeddedRedis
from devtools.fake_twilio import FakeTwilio
from hotline.clock import PARIS
from wiring.settings import read_settings
from wiring.worker import build_worker_parts

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results"
ACCOUNT_SID = "AC" + "ca" * 16
AUTH_TOKEN = "bench-auth-token-0123456789abcdef"
SECRET_KEY = "bench-secret-key-0123456789abcdef-0123456789"
#: The reminder 30 days before this end date falls on a Tuesday (calls do not ring on Sunday).
EXPIRY = date(2027, 3, 18)


def environment(redis_url: str, api_url: str, public_url: str, rate: float) -> dict[str, str]:
    return production_environment(
        redis_url,
        api_url,
        (ACCOUNT_SID, AUTH_TOKEN),
        SECRET_KEY,
        PUBLIC_BASE_URL=public_url,
        CALLS_PER_SECOND=repr(rate),
        WEB_CONCURRENCY="2",
    )


_PLACED = re.compile(
    r"call (call-[0-9a-f]+) try \d+ placed to .* \(slot wait (\d+) ms, API (\d+) ms, "
    r"sent (\d+) ms before this line\)"
)
_LATE = re.compile(r"woke (\d+) ms after a send slot")


def worker_timings(logs: list[Path], arrivals: dict[str, float]) -> dict:
    """Where the call jobs' time went, from the workers' own log lines (reminders.calls,
    hotline.rate_cap): waiting for a slot; from leaving the slot (the request built and sent) to
    reaching the local Twilio (``arrivals``: call id -> the fake's kernel stamp; the log's clock
    is to the millisecond), which the cap's guard allows 20 ms; the API's answer; and the slots
    lost because a worker woke too late to use them."""
    waits, answers, wire, late = [], [], [], []
    for path in logs:
        for line in path.read_text(errors="replace").splitlines():
            record = json.loads(line) if line.startswith("{") else {}
            if found := _PLACED.search(record.get("message", "")):
                waits.append(float(found.group(2)))
                answers.append(float(found.group(3)))
                if found.group(1) in arrivals:  # the log's own time is to the millisecond
                    logged = datetime.fromisoformat(record["time"]).timestamp()
                    sent = logged - float(found.group(4)) / 1000
                    wire.append(1000 * (arrivals[found.group(1)] - sent))
            elif found := _LATE.search(record.get("message", "")):
                late.append(float(found.group(1)))
    return {
        "slot_wait_ms_p50": statistics.median(waits) if waits else None,
        "sent_to_arrival_ms_p50": round(statistics.median(wire), 1) if wire else None,
        "sent_to_arrival_ms_max": round(max(wire), 1) if wire else None,
        "api_answer_ms_p50": statistics.median(answers) if answers else None,
        "api_answer_ms_p99": percentile(answers, 0.99) if answers else None,
        "slots_lost_to_late_wakes": len(late),
        "late_wake_ms_max": max(late, default=None),
    }


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))]


def run(calls: int, rate: float, workers: int) -> dict:
    with tempfile.TemporaryDirectory(prefix="bench-calls-") as tmp:
        redis_server = EmbeddedRedis(Path(tmp) / "redis", persist=False).start()
        try:
            with FakeTwilio(ACCOUNT_SID, AUTH_TOKEN) as fake:
                return _run(redis_server, fake, calls, rate, workers, Path(tmp))
        finally:
            redis_server.stop()


def _run(redis_server, fake: FakeTwilio, calls: int, rate: float, workers: int, tmp: Path):
    port = free_port()
    env = environment(redis_server.url, fake.url, f"http://127.0.0.1:{port}", rate)
    parts = build_worker_parts(read_settings(env))
    registered = datetime.combine(EXPIRY - timedelta(days=40), time_of_day(15), tzinfo=PARIS)
    numbers = [f"+336{i:08d}" for i in range(calls)]
    for number in numbers:
        parts.reminders.register(
            number=number,
            lang="fr",
            prefecture="val-de-marne",
            expiry=EXPIRY,
            channel="sms",
            now=registered,
            remind_by="call",
        )
    run_at = datetime.combine(EXPIRY - timedelta(days=29), time_of_day(10, 30), tzinfo=PARIS)
    web = Gunicorn("web", port, web_command(port, "app:app", env), env, tmp / "web.log").start()
    worker_command = procfile_command("worker", env)
    RESULTS.mkdir(parents=True, exist_ok=True)
    try:
        web.wait_ready("/healthz", timeout=120)
        parts.outbound.queue.enqueue(
            "workers.reminders.send_due_reminders", run_at.isoformat(), job_id="reminders-bench"
        )
        with procfile_workers(env, workers, lambda n: RESULTS / f"calls-worker-{n}.log"):
            fake.wait_calls(calls, timeout=calls / rate * 1.5 + 120)
            time.sleep(3)  # a call placed twice would arrive now
    finally:
        web.stop()

    creates = [r for r in fake.received if r.path.endswith("/Calls.json")]
    times = sorted(r.at for r in creates)
    per_number = Counter(r.form.get("To") for r in creates)
    placed = list(fake.calls.values())
    first_twiml = [c.first_twiml_seconds for c in placed if c.first_twiml_seconds is not None]
    span = times[-1] - times[0] if len(times) > 1 else 0.0
    achieved = (len(times) - 1) / span if span else 0.0
    window_max = max_in_window(times)
    result = {
        "command": f"python -m bench.reminder_calls --calls {calls} --rate {rate:g} "
        f"--workers {workers}",
        "worker_command": " ".join(["python", *worker_command[1:]]),
        "web_command": web.command,
        "cpus": os.cpu_count(),
        "load_average_1_5_15_min_at_end": [round(x, 2) for x in os.getloadavg()],
        "cap_per_second": rate,
        "calls_created": len(creates),
        "lost": sum(1 for n in numbers if per_number[n] == 0),
        "duplicates": sum(n - 1 for n in per_number.values() if n > 1),
        "answered_and_heard": sum(1 for c in placed if c.documents),
        "placing_seconds": round(span, 2),
        "calls_per_second": round(achieved, 3),
        "achieved_vs_cap": round(achieved / rate, 4) if rate else None,
        "max_in_any_1s_window": window_max,
        "first_twiml_ms_p50": round(1000 * statistics.median(first_twiml), 1)
        if first_twiml
        else None,
        "first_twiml_ms_p99": round(1000 * percentile(first_twiml, 0.99), 1)
        if first_twiml
        else None,
        "min_gap_ms": round(1000 * min(b - a for a, b in itertools.pairwise(times)), 1)
        if len(times) > 1
        else None,
        **worker_timings(
            [RESULTS / f"calls-worker-{n}.log" for n in range(workers)],
            {r.form["Url"].rsplit("/", 1)[-1]: r.at for r in creates},
        ),
    }
    result["passed"] = (
        result["lost"] == 0
        and result["duplicates"] == 0
        and achieved >= 0.95 * rate
        and window_max <= int(rate)
    )
    return result


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--calls", type=int, default=1000)
    parser.add_argument("--rate", type=float, default=5.0)
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args(argv)
    if args.calls < 2 or args.rate <= 0 or args.workers < 1:
        parser.error("need at least 2 calls, a rate above 0 and 1 worker")
    result = run(args.calls, args.rate, args.workers)
    (RESULTS / "reminder_calls.json").write_text(json.dumps(result, indent=2) + "\n")
    print(json.dumps(result, indent=2))
    return 0 if result["passed"] else 1


if __name__ == "__main__":
    raise SystemExit(main())
