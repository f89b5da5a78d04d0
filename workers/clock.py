"""The clock (Procfile `clock`): every minute, queue one reminder run for the workers.

Run exactly one. A second one by mistake does no harm: each minute's run has its own job id
(``reminders-<minute>``), queued only if absent, and a run only claims what is due.

Why not ``rq cron``: in rq 3.0 it queues its jobs with the default (pickle) serializer, whatever
``--serializer`` says, and the hotline's workers read JSON only (pickle is unsafe).
"""

from __future__ import annotations

import logging
import signal
import threading
import time

from rq import Queue
from rq.exceptions import DuplicateJobError
from rq.serializers import JSONSerializer

from hotline import heartbeat
from hotline.logs import setup_logging
from hotline.redis_connection import connect
from hotline.settings import Settings
from sms.delivery import QUEUE_NAME

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


def main() -> None:
    setup_logging()
    settings = Settings.from_env()
    redis = connect(settings.redis_url, settings.redis_ca_file)
    queue = Queue(QUEUE_NAME, connection=redis, serializer=JSONSerializer)
    stop = threading.Event()
    for signum in (signal.SIGINT, signal.SIGTERM):
        signal.signal(signum, lambda *_: stop.set())
    log.info("clock started: the reminder run is queued every %d s", INTERVAL)
    run(queue, stop)


if __name__ == "__main__":
    main()
