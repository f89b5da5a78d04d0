"""Fixtures for outbound SMS: the fake Twilio, the app sending to it, real RQ workers.

``sms`` is an ``SmsWorld``: the web app built with Twilio credentials pointing at the fake Twilio
(TWILIO_API_BASE_URL), served over real HTTP so the fake can post status callbacks to it
(PUBLIC_BASE_URL), and the worker's parts built from the same settings by the production wiring
(``wiring.worker``), run by real RQ workers.
"""

from __future__ import annotations

import contextlib
import dataclasses
import os
import signal
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import psutil
import pytest
from rq.job import Job
from rq.registry import ScheduledJobRegistry, StartedJobRegistry
from rq.serializers import JSONSerializer

from app import create_app
from bench.servers import procfile_command
from devtools.fake_twilio import FakeTwilio
from hotline import keys
from hotline.identity import caller_key
from sms.dispatch import Dispatcher
from sms.store import Message
from tests.conftest import AUTH_TOKEN, SECRET_KEY, LiveServer, listening_socket, make_settings
from wiring.web import web_parts
from wiring.worker import WorkerParts, build_worker, build_worker_parts

ACCOUNT_SID = "AC" + "5e" * 16
SENDER = "+33700000001"
NUMBER = "+33612345678"
#: High enough that the rate cap never holds a test back.
TEST_RATE = 1000.0
#: Retries at once: no waiting in tests (a test module may override the fixture).
TEST_RETRIES = (0, 0, 0)


class SmsWorld:
    def __init__(self, app, parts: WorkerParts, live_url: str, fake: FakeTwilio, redis_url: str):
        self.app = app
        self.hotline = web_parts(app)
        self.parts = parts  # what the workers run jobs with
        self.outbound = self.hotline.outbound
        self.redis = self.hotline.redis
        self.queue = self.outbound.queue
        self.url = live_url
        self.fake = fake
        self.redis_url = redis_url

    def enqueue(self, body: str = "Bonjour", number: str = NUMBER, **kwargs) -> str:
        return self.outbound.enqueue(number, body, **kwargs)

    def message(self, message_id: str) -> Message:
        message = self.outbound.store.load(message_id)
        assert message is not None
        return message

    def job(self, message_id: str) -> Job:
        return Job.fetch(message_id, connection=self.redis, serializer=JSONSerializer)

    @property
    def failures(self) -> list[tuple[str | None, int | None, str]]:
        """What the reminders were told of failed deliveries to NUMBER: its audit trail, and the
        tally of erasures (which names no one: these tests text NUMBER only)."""
        caller = caller_key(SECRET_KEY, NUMBER)
        events = [e.split(" ", 1)[1] for e in self.hotline.reminders.store.audit_trail(caller)]
        for key in self.redis.scan_iter(match=keys.ERASURES.format(day="*")):
            events += [f"erased:{reason.decode()}" for reason in self.redis.hgetall(key)]
        found = []
        for event in events:
            kind, _, rest = event.partition(":")
            reason, _, code = rest.rpartition(":")
            if kind in ("undelivered", "erased") and reason:
                found.append((caller, int(code) if code.isdigit() else None, reason))
        return found

    def with_dispatcher(self, **changes) -> WorkerParts:
        """The workers' parts with a dispatcher built with some arguments changed."""
        current = self.parts.dispatcher
        fields = {
            name: getattr(current, name)
            for name in (
                "store",
                "sender",
                "rate_cap",
                "secret",
                "public_base_url",
                "recipients",
                "in_doubt_grace",
                "clock",
            )
        }
        return dataclasses.replace(self.parts, dispatcher=Dispatcher(**{**fields, **changes}))

    def work(self, *, forking: bool = False, parts: WorkerParts | None = None) -> None:
        """Run the hotline's RQ worker in burst mode until the queue is empty."""
        worker = build_worker(
            parts or self.parts, self.queue, kind="forking" if forking else "simple"
        )
        worker.work(burst=True, logging_level="WARNING")

    def scheduled(self) -> list[str]:
        return ScheduledJobRegistry(queue=self.queue).get_job_ids()

    def promote_scheduled(self) -> None:
        """Enqueue every scheduled job now, as the scheduler will once its time comes."""
        for queue in (self.outbound.reminder_queue, self.queue):
            registry = ScheduledJobRegistry(queue=queue)
            for job_id in registry.get_job_ids():
                registry.requeue(job_id)

    def reap_abandoned(self) -> None:
        """What a worker's maintenance does once a dead worker's jobs have expired: retry them."""
        for queue in (self.outbound.reminder_queue, self.queue):
            StartedJobRegistry(queue=queue).cleanup(timestamp=time.time() + 10**6)

    def worker_process(self, *, burst: bool = True, log: Path | None = None) -> subprocess.Popen:
        """The worker as the Procfile runs it (in burst mode unless told), configured by
        environment."""
        env = {
            **os.environ,
            "HOTLINE_MODE": "production",
            "REDIS_URL": self.redis_url,
            "TWILIO_ACCOUNT_SID": ACCOUNT_SID,
            "TWILIO_AUTH_TOKEN": AUTH_TOKEN,
            "TWILIO_FROM": SENDER,
            "TWILIO_API_BASE_URL": self.fake.url,
            "PUBLIC_BASE_URL": self.url,
            "HOTLINE_SECRET_KEY": SECRET_KEY,
            "SMS_RATE_PER_SECOND": str(TEST_RATE),
        }
        out = log.open("ab") if log else None
        try:
            return subprocess.Popen(
                [*procfile_command("worker", env), *(["--burst"] if burst else [])],
                env=env,
                start_new_session=True,  # its own process group: killed with its work horse
                stdout=out or subprocess.DEVNULL,
                stderr=subprocess.STDOUT,
            )
        finally:
            if out:
                out.close()  # the child has its own copy

    @staticmethod
    def kill(process: subprocess.Popen) -> None:
        """SIGKILL the worker and its work horse (rq puts the horse in a session of its own, so
        killing the worker's process group alone leaves the horse running its job)."""
        horses = psutil.Process(process.pid).children(recursive=True)
        os.killpg(process.pid, signal.SIGKILL)
        for horse in horses:
            with contextlib.suppress(psutil.NoSuchProcess):
                horse.kill()
        process.wait(timeout=10)
        psutil.wait_procs(horses, timeout=10)


@pytest.fixture
def fake_twilio() -> Iterator[FakeTwilio]:
    with FakeTwilio(ACCOUNT_SID, AUTH_TOKEN) as fake:
        yield fake


@pytest.fixture
def sms_settings_overrides() -> dict:
    """Override in a test module to change the settings ``sms`` is built with."""
    return {}


@pytest.fixture
def sms_retry_intervals() -> tuple[int, ...]:
    """Override in a test (parametrize) to queue messages with other retry intervals."""
    return TEST_RETRIES


@pytest.fixture
def sms(
    redis, redis_server, fake_twilio, sms_settings_overrides, sms_retry_intervals, clock
) -> Iterator[SmsWorld]:
    # The app must know its own URL (status callbacks) before it exists: bind the port first.
    listening = listening_socket()
    url = f"http://127.0.0.1:{listening.getsockname()[1]}"
    values = dict(
        twilio_account_sid=ACCOUNT_SID,
        twilio_from=SENDER,
        twilio_api_base_url=fake_twilio.url,
        public_base_url=url,
        sms_rate_per_second=TEST_RATE,
    )
    values.update(sms_settings_overrides)
    settings = make_settings(redis_server.url, **values)
    app = create_app(settings, clock=clock, sms_retry_intervals=sms_retry_intervals)
    parts = build_worker_parts(settings, clock, sms_retry_intervals=sms_retry_intervals)
    world = SmsWorld(app, parts, url, fake_twilio, redis_server.url)
    with LiveServer(app, listening):
        yield world
    listening.close()
