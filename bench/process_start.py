"""How fast the Procfile's processes start: the web process's first answer and a worker's first job.

    python -m bench.process_start [--runs 3]

- web: gunicorn from the Procfile's web line (production settings, an embedded Redis), the time
  from spawning it to the first 200 from /healthz (the master imports the app and builds its
  parts, walking the voice flow, once, then forks its workers: preload_app); then, every
  worker SIGKILLed, the time to an answer from the workers gunicorn forks anew;
- worker: the Procfile's worker command with one SMS already queued, the time from spawning it to
  the request reaching the local Twilio (devtools/fake_twilio.py), and the "parts built in" time
  it logs (target: under 50 ms).

Each figure is the median of ``--runs`` runs; the load average is printed with it.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import psutil
from redis import Redis

from bench.servers import Gunicorn, free_port, procfile_command, web_command
from bench.sms_dispatch import ACCOUNT_SID, AUTH_TOKEN, environment
from bench.webhooks import server_env
from devtools.embedded_redis import EmbeddedRedis
from devtools.fake_twilio import FakeTwilio
from wiring.settings import read_settings
from wiring.worker import build_worker_parts

RESULTS = Path(__file__).resolve().parent / "results"


def fresh(redis: EmbeddedRedis) -> None:
    """An empty Redis: each process is started as on a new deploy (and the web and the worker
    here use different secret keys, which the key check would refuse on the same data)."""
    with Redis.from_url(redis.url) as client:
        client.flushall()


def web_first_answer(redis: EmbeddedRedis, directory: Path) -> tuple[float, float]:
    """Seconds from spawning gunicorn to its first answer; then from SIGKILLing every worker to
    an answer from a worker gunicorn forked anew (a crash: preload_app makes it a fork, not a
    new build of the app)."""
    fresh(redis)
    port = free_port()
    env = server_env(redis.url, port)
    server = Gunicorn(
        "hotline", port, web_command(port, "app:app", env), env, directory / "web.log"
    )
    started = time.monotonic()
    server.start()
    try:
        server.wait_ready("/healthz", timeout=120)
        first_answer = time.monotonic() - started
        assert server.process is not None
        master = psutil.Process(server.process.pid)
        killed = {worker.pid for worker in master.children()}
        for pid in killed:
            os.kill(pid, signal.SIGKILL)
        started = time.monotonic()
        deadline = started + 120
        while {w.pid for w in master.children()} & killed or not master.children():
            if time.monotonic() > deadline:
                raise RuntimeError("gunicorn did not replace its killed workers in 120 s")
            time.sleep(0.01)
        server.wait_ready("/healthz", timeout=120)
        return first_answer, time.monotonic() - started
    finally:
        server.stop()


def worker_first_job(redis: EmbeddedRedis, directory: Path) -> tuple[float, float]:
    fresh(redis)
    with FakeTwilio(ACCOUNT_SID, AUTH_TOKEN) as fake:
        env = environment(redis.url, fake.url, 50.0)
        build_worker_parts(read_settings(env)).outbound.enqueue("+33612345678", "Bonjour")
        log = directory / "worker.log"
        with log.open("wb") as out:
            started = time.monotonic()
            worker = subprocess.Popen(
                procfile_command("worker", env), env=env, stdout=out, stderr=subprocess.STDOUT
            )
            try:
                if not fake.wait_for(1, timeout=120):
                    raise RuntimeError(log.read_text(errors="replace")[-2000:])
                first_job = time.monotonic() - started
            finally:
                worker.terminate()
                worker.wait(timeout=30)
        built = re.search(r"parts built in (\d+) ms", log.read_text(errors="replace"))
        return first_job, float(built.group(1)) if built else float("nan")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args(argv)
    load_before = os.getloadavg()
    web, respawn, first, built = [], [], [], []
    with tempfile.TemporaryDirectory(prefix="bench-start-") as tmp:
        directory = Path(tmp)
        redis = EmbeddedRedis(directory / "redis", persist=False).start()
        try:
            for _ in range(args.runs):
                answered, answered_again = web_first_answer(redis, directory)
                web.append(answered)
                respawn.append(answered_again)
                job, parts = worker_first_job(redis, directory)
                first.append(job)
                built.append(parts)
        finally:
            redis.stop()
    result = {
        "commands": {
            "web": " ".join(["gunicorn", *web_command(5000, "app:app", {})[1:]]),
            "worker": " ".join(["python", *procfile_command("worker", {})[1:]]),
        },
        "runs": args.runs,
        "web_first_answer_s": [round(x, 2) for x in web],
        "web_workers_killed_to_answer_s": [round(x, 2) for x in respawn],
        "worker_first_job_s": [round(x, 2) for x in first],
        "worker_parts_built_ms": built,
        "median": {
            "web_first_answer_s": round(statistics.median(web), 2),
            "web_workers_killed_to_answer_s": round(statistics.median(respawn), 2),
            "worker_first_job_s": round(statistics.median(first), 2),
            "worker_parts_built_ms": statistics.median(built),
        },
        "load_average_before": [round(x, 2) for x in load_before],
        "load_average_after": [round(x, 2) for x in os.getloadavg()],
    }
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / "process_start.json").write_text(json.dumps(result, indent=2) + "\n")
    print(json.dumps(result, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
