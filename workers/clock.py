"""The clock's loop (Procfile `clock`, built by wiring.clock): every minute, queue one reminder
run for the workers.

Run exactly one. A second one by mistake does no harm: each minute's run has its own job id
(``reminders-<minute>``), queued only if absent, and a run only claims what is due.

Why not ``rq cron``: in rq 3.0 it queues its jobs with the default (pickle) serializer, whatever
``--serializer`` says, and the hotline's workers read JSON only (pickle is unsafe).
"""

from __future__ import annotations

import logging
import threading
import time

from rq import Queue
from rq.exceptions import DuplicateJobError

from hotline import heartbeat

log = logging.getLogger("workers.clock")

INTERVAL = 60
JOB = "workers.reminders.send_due_reminders"


def tick(queue: Queue, now: float) -> str | None:
    """Queue this minute's reminder run; its job id, or None when it is already queued."""
    job_id = f"reminders-{int(now // INTERVAL)}"
    try:
        queue.enqueue(
            JOB,
            job_id=job_id,
            unique=True,
            ttl=10 * INTERVAL,  # a run not started within 10 minutes is dropped: the next one
            result_ttl=3600,  # covers the same registrations
            failure_ttl=7 * 24 * 3600,
            description="send the reminders that are due",
        )
    except DuplicateJobError:
        return None
    return job_id


def run(queue: Queue, stop: threading.Event, interval: float = INTERVAL) -> None:
    """Tick at the start of every minute until ``stop`` is set, with a heartbeat every
    ``heartbeat.EVERY`` seconds in between (/healthz reports the clock late without it)."""
    next_tick = 0.0
    while not stop.is_set():
        now = time.time()
        try:
            heartbeat.beat(queue.connection, "clock", now)
            if now >= next_tick:
                if job_id := tick(queue, now):
                    log.info("queued %s", job_id)
                next_tick = now - now % interval + interval
        except Exception:  # Redis away for a moment: try again at the next heartbeat
            log.exception("could not queue the reminder run")
        stop.wait(max(0.0, min(heartbeat.EVERY, next_tick - time.time())))
