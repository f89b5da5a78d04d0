"""GET /healthz: each process of the hotline with the age of its last sign of life, as JSON.

Any uptime monitor can watch it: 200 when every check passes, 503 when one fails (Redis does not
answer, no worker or clock has a heartbeat younger than its threshold). Checks are a table: one
small function per thing watched, each answering a ``Check``; a new one is a line in ``CHECKS``.

    {"status": "ok", "checks": [{"name": "web", "ok": true, "age_seconds": 0.0}, {"name": "redis",
     ...}, {"name": "worker", "ok": true, "age_seconds": 4.1, "count": 1}, {"name": "clock", ...},
     {"name": "failed_jobs", "ok": true, "count": 0}, {"name": "quarantine", ...}]}

Failed jobs and quarantined registrations are counted, not failed on: they are work for an
operator (``flask jobs failed``, ``flask secrets quarantine``), not a process down; quarantined
registrations make the status "degraded" (still 200).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import asdict, dataclass

from flask import Blueprint
from redis import Redis
from redis.exceptions import RedisError
from rq import Queue, Worker
from rq.registry import FailedJobRegistry

from hotline import heartbeat
from hotline.parts import part
from hotline.quarantine import quarantined
from hotline.settings import Settings


@dataclass(frozen=True)
class Check:
    name: str
    ok: bool
    age_seconds: float | None = None  # since the last sign of life
    count: int | None = None
    detail: str | None = None
    degraded: bool | None = None  # ok, but an operator must look (still 200)

    def as_json(self) -> dict:
        return {k: v for k, v in asdict(self).items() if v is not None}


@dataclass(frozen=True)
class JobQueues:
    """Every queue the hotline's workers take jobs from (the web app installs it)."""

    queues: tuple[Queue, ...]


@dataclass(frozen=True)
class Probe:
    """What the checks look at, and the time they look."""

    redis: Redis
    queues: tuple[Queue, ...]
    settings: Settings
    now: float


def web(probe: Probe) -> Check:
    return Check("web", True, 0.0)  # this process is answering


def redis(probe: Probe) -> Check:
    start = time.monotonic()
    try:
        probe.redis.ping()
    except RedisError as error:
        return Check("redis", False, detail=f"no answer: {type(error).__name__}")
    return Check("redis", True, round(time.monotonic() - start, 3))


def worker(probe: Probe) -> Check:
    """RQ's registry keeps each worker's last heartbeat (every --worker-ttl - 15 s when idle)."""
    workers = {w.name: w for queue in probe.queues for w in Worker.all(queue=queue)}
    beats = [w.last_heartbeat.timestamp() for w in workers.values() if w.last_heartbeat]
    if not beats:
        return Check("worker", False, count=0, detail="no worker is running")
    return _late_or_not(
        "worker", probe.now - max(beats), probe.settings.worker_late_seconds, len(beats)
    )


def clock(probe: Probe) -> Check:
    last = heartbeat.last_beat(probe.redis, "clock")
    if last is None:
        return Check("clock", False, detail="the clock never started")
    return _late_or_not("clock", probe.now - last, probe.settings.clock_late_seconds)


def failed_jobs(probe: Probe) -> Check:
    failed = sum(FailedJobRegistry(queue=queue).count for queue in probe.queues)
    return Check("failed_jobs", True, count=failed)


def quarantine(probe: Probe) -> Check:
    """Registrations no known key opens, held for an operator (hotline/quarantine.py): still
    200, since restarting would not fix it, but "degraded"."""
    held = quarantined(probe.redis)
    if not held:
        return Check("quarantine", True, count=0)
    detail = "registrations no known key opens: flask secrets quarantine (docs/deploy.md)"
    return Check("quarantine", True, count=held, detail=detail, degraded=True)


def _late_or_not(name: str, age: float, threshold: int, count: int | None = None) -> Check:
    age = round(max(0.0, age), 1)
    if age > threshold:
        return Check(name, False, age, count, f"late: no heartbeat for more than {threshold} s")
    return Check(name, True, age, count)


#: Checks that need nothing but this process, then the ones that read Redis.
LOCAL_CHECKS: tuple[Callable[[Probe], Check], ...] = (web, redis)
REDIS_CHECKS: tuple[Callable[[Probe], Check], ...] = (worker, clock, failed_jobs, quarantine)


def run_checks(probe: Probe) -> list[Check]:
    checks = [check(probe) for check in LOCAL_CHECKS]
    redis_ok = checks[-1].ok
    for check in REDIS_CHECKS:
        if not redis_ok:
            checks.append(Check(check.__name__, False, detail="unknown: Redis does not answer"))
            continue
        try:
            checks.append(check(probe))
        except RedisError as error:
            checks.append(Check(check.__name__, False, detail=f"unknown: {type(error).__name__}"))
    return checks


bp = Blueprint("health", __name__)


@bp.get("/healthz")
def healthz() -> tuple[dict, int]:
    """Each process's state and age; 503 when one is down or late."""
    probe = Probe(part(Redis), part(JobQueues).queues, part(Settings), time.time())
    checks = run_checks(probe)
    healthy = all(c.ok for c in checks)
    status = "failing" if not healthy else "degraded" if any(c.degraded for c in checks) else "ok"
    return {"status": status, "checks": [c.as_json() for c in checks]}, 200 if healthy else 503
