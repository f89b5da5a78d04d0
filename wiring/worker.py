"""The worker process's composition root (Procfile `worker`: ``python -m wiring.worker``).

It builds only what jobs use: outbound SMS (queueing and dispatch) and the reminders, never the
voice flow; that takes a few milliseconds. The parts are built once, in the parent, before RQ
forks a work horse per job: every horse inherits them instead of building its own.
"""

from __future__ import annotations

import argparse
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass

import twilio.rest.api  # noqa: F401 - the client imports it on first use: at start, not in a job
from redis import Redis
from redis.exceptions import RedisError
from rq import Queue, SimpleWorker, Worker
from rq.job import Job
from rq.serializers import JSONSerializer
from rq.utils import import_attribute
from rq.worker import WorkerStatus

from audio.pending import PendingRecordings
from audio.takes import TakeFetcher, TwilioAccount
from hotline.clock import Clock
from hotline.logs import setup_logging
from hotline.rate_cap import RateCap
from hotline.settings import Settings
from reminders.service import ReminderService
from sms.dispatch import Dispatcher
from sms.outbound import RETRY_INTERVALS, Outbound
from sms.sender import build_sender
from sms.store import MessageStore
from wiring.connections import (
    build_queue,
    build_reminder_queue,
    check_key_or_exit,
    connect_redis,
)
from wiring.settings import settings_or_exit
from wiring.shared import (
    build_content,
    build_outbound,
    build_reminders,
    build_tally,
    default_clock,
)
from workers.parts import parts_for_job
from workers.sms import RENAMED_JOBS

#: How often a worker looks for jobs abandoned by a dead worker, and takes over the scheduler of
#: a dead one (RQ's default is 10 minutes).
MAINTENANCE_INTERVAL = 10
#: How often a busy worker renews its job's heartbeat. RQ counts a job abandoned once its
#: heartbeat is older than this plus 60 s; with the maintenance interval, a killed worker's
#: message goes again within about 65 + 10 s + its first retry interval (docs/deploy.md).
JOB_MONITORING_INTERVAL = 5
#: RQ runs maintenance only between two dequeues, and an idle worker blocks in its dequeue for
#: its TTL minus 15 s (405 s by default): without this, an idle worker would find a dead one's
#: job, or take over its scheduler, only minutes later. An idle worker also writes its heartbeat
#: in RQ's registry every WORKER_TTL - 15 s: /healthz reports it late after
#: HEALTH_WORKER_LATE_SECONDS (60 by default) without one.
WORKER_TTL = MAINTENANCE_INTERVAL + 15


@dataclass(frozen=True)
class WorkerParts:
    """What the hotline's jobs use (workers.parts.JobParts)."""

    settings: Settings
    redis: Redis
    clock: Clock
    outbound: Outbound
    dispatcher: Dispatcher
    reminders: ReminderService
    takes: TakeFetcher


def build_worker_parts(
    settings: Settings,
    clock: Clock | None = None,
    *,
    sms_retry_intervals: Sequence[int] = RETRY_INTERVALS,
) -> WorkerParts:
    redis = connect_redis(settings)
    check_key_or_exit(settings, redis)
    clock = clock or default_clock(settings, redis)
    content = build_content(settings)
    tally = build_tally(redis, clock)
    outbound = build_outbound(settings, redis, build_queue(redis), sms_retry_intervals, tally)
    reminders = build_reminders(settings, redis, content, outbound, tally)
    dispatcher = Dispatcher(
        store=MessageStore(redis),
        sender=build_sender(settings, redis),
        rate_cap=RateCap(redis, settings.sms_rate_per_second),
        secret=settings.secret_key,
        previous_secret=settings.previous_secret_key,
        public_base_url=settings.public_base_url,
        recipients=reminders,
        tally=tally,
    )
    account = (
        TwilioAccount(
            settings.twilio_account_sid,
            settings.twilio_auth_token,
            settings.twilio_api_base_url,
        )
        if settings.twilio_account_sid
        else None
    )
    takes = TakeFetcher(redis, account, PendingRecordings(settings.recordings_dir), clock)
    return WorkerParts(settings, redis, clock, outbound, dispatcher, reminders, takes)


class HotlineJob(Job):
    """RQ's job, running a job queued under an earlier release's name (workers.sms)."""

    @property
    def func(self):
        renamed = RENAMED_JOBS.get(self.func_name or "")
        return import_attribute(renamed) if renamed else super().func


class HotlineWorker(Worker):
    """RQ's forking worker, handing its parts (built once, before forking) to every job."""

    job_class = HotlineJob

    def __init__(self, queues, *args, parts: WorkerParts, **kwargs):
        kwargs.setdefault("maintenance_interval", MAINTENANCE_INTERVAL)
        kwargs.setdefault("job_monitoring_interval", JOB_MONITORING_INTERVAL)
        kwargs.setdefault("worker_ttl", WORKER_TTL)
        kwargs.setdefault("serializer", JSONSerializer)
        super().__init__(queues, *args, **kwargs)
        self.parts = parts
        self._takes_commands = True

    def work(self, burst: bool = False, **kwargs) -> bool:
        # A burst worker (tests, one-off catch-up) takes no commands over pubsub: RQ's pubsub
        # thread sleeps 60 s between reads, and stopping it costs every burst a 1 s join.
        self._takes_commands = not burst
        return super().work(burst=burst, **kwargs)

    def subscribe(self) -> None:
        if self._takes_commands:
            super().subscribe()

    def perform_job(self, job, queue, execution) -> bool:
        with parts_for_job(self.parts):
            return super().perform_job(job, queue, execution)


class HotlineSimpleWorker(HotlineWorker, SimpleWorker):
    """The same, running each job in the worker's own process (no fork, no copy per job).

    RQ's SimpleWorker renews a job's heartbeat only before it starts, for the job's whole timeout
    plus 60 s: a killed worker's job would wait that long to be found. Here a thread renews it
    every JOB_MONITORING_INTERVAL while the job runs, as a forking worker's parent does, so a
    killed worker's job is found as soon.
    """

    def execute_job(self, job: Job, queue: Queue) -> None:
        execution = self.prepare_execution(job)
        done = threading.Event()
        beat = threading.Thread(
            target=self._keep_alive, args=(job, execution, done), name="heartbeat", daemon=True
        )
        beat.start()
        try:
            self.perform_job(job, queue, execution)
        finally:
            done.set()
            beat.join(timeout=5)
        self.set_state(WorkerStatus.IDLE)

    def _keep_alive(self, job: Job, execution, done: threading.Event) -> None:
        while not done.wait(self.job_monitoring_interval):
            try:
                self.maintain_heartbeats(job, execution)
            except RedisError as error:  # the next beat may get through
                self.log.warning("heartbeat of job %s failed: %s", job.id, error)

    def get_heartbeat_ttl(self, job: Job, working_time: float = 0.0) -> int:
        return Worker.get_heartbeat_ttl(self, job, working_time)


WORKER_CLASSES = {"forking": HotlineWorker, "simple": HotlineSimpleWorker}


def build_worker(
    parts: WorkerParts, queue: Queue | None = None, *, kind: str = "forking", **kwargs
) -> HotlineWorker:
    """A worker on the hotline's queues, reminders first (a flood of replies never delays a
    reminder). Its own Redis connection: RQ raises that client's socket timeout above its
    blocking dequeue, which the parts' client must not get."""
    connection = connect_redis(parts.settings)
    queues = [build_reminder_queue(connection), queue or build_queue(connection)]
    return WORKER_CLASSES[kind](queues, connection=connection, parts=parts, **kwargs)


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m wiring.worker", description=__doc__)
    parser.add_argument("--class", dest="kind", choices=sorted(WORKER_CLASSES), default="simple")
    parser.add_argument("--burst", action="store_true", help="stop when the queue is empty")
    args = parser.parse_args(argv)
    setup_logging()
    settings = settings_or_exit()
    started = time.perf_counter()
    parts = build_worker_parts(settings)
    worker = build_worker(parts, kind=args.kind)
    worker.log.info("parts built in %.0f ms", (time.perf_counter() - started) * 1000)
    worker.work(burst=args.burst, with_scheduler=True, logging_level="INFO")


if __name__ == "__main__":
    main()
