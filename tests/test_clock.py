"""The clock process: one reminder run a minute, queued as JSON, which the workers read."""

from __future__ import annotations

import threading
import time
import zlib
from datetime import date, datetime

from rq.job import Job
from rq.serializers import JSONSerializer

from hotline.clock import PARIS
from workers import clock
from workers.clock import tick


def test_each_minute_queues_one_run_whoever_ticks(sms):
    minute = datetime(2027, 2, 13, 10, 0, 5, tzinfo=PARIS).timestamp()
    first = tick(sms.queue, minute)
    assert first is not None
    assert tick(sms.queue, minute + 30) is None  # same minute, a second clock: nothing more
    assert tick(sms.queue, minute + 60) not in (None, first)
    job = Job.fetch(first, connection=sms.redis, serializer=JSONSerializer)
    assert job.func_name == "workers.reminders.send_due_reminders"
    # stored as JSON, not pickle: what the Procfile's `rq worker --serializer json` can read
    data = zlib.decompress(sms.redis.hget(f"rq:job:{first}", "data"))
    assert data.startswith(b'["workers.reminders.send_due_reminders"')


def test_a_queued_run_sends_what_is_due(sms, clock):
    sms.hotline.reminders.register(
        number="+33611112222",
        lang="fr",
        prefecture="val-de-marne",
        expiry=date(2027, 1, 5),
        channel="sms",
        now=clock.now(),
    )
    clock.moment = datetime(2026, 12, 6, 10, 1, tzinfo=PARIS)  # 30 days before: first reminder
    tick(sms.queue, clock.moment.timestamp())
    sms.work()
    assert [m["to"] for m in sms.fake.created] == ["+33611112222"]


def test_the_loop_ticks_until_stopped(sms, monkeypatch):
    ticks = []
    monkeypatch.setattr(clock, "tick", lambda queue, now: ticks.append(now))
    stop = threading.Event()
    thread = threading.Thread(target=clock.run, args=(sms.queue, stop, 0.01))
    thread.start()
    deadline = time.monotonic() + 10
    while len(ticks) < 3 and time.monotonic() < deadline:
        time.sleep(0.005)
    stop.set()
    thread.join(timeout=5)
    assert not thread.is_alive() and len(ticks) >= 3
