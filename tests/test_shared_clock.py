"""The development clock: one shift in Redis, seen by every process; production never reads it."""

from __future__ import annotations

import dataclasses
from datetime import datetime, timedelta

from redis import Redis
from redis.backoff import NoBackoff
from redis.retry import Retry

from hotline import keys
from hotline.clock import PARIS, Clock, FixedClock, SharedClock
from tests.conftest import NOW
from wiring.web import build_web_parts


def test_a_shift_set_by_one_process_is_seen_by_another(settings, redis):
    dev = dataclasses.replace(settings, mode="development")
    web = build_web_parts(dev)
    worker = build_web_parts(dev)  # another process's parts, on the same Redis
    assert isinstance(web.clock, SharedClock) and isinstance(worker.clock, SharedClock)

    web.clock.set_shift(timedelta(days=14))

    assert redis.get(keys.DEV_CLOCK_OFFSET) is not None
    assert worker.clock.shift() == timedelta(days=14)
    ahead = worker.clock.now() - datetime.now(PARIS)
    assert timedelta(days=13) < ahead < timedelta(days=15)


def test_a_shift_moves_the_base_clock_and_reset_removes_it(redis):
    clock = SharedClock(redis, base=FixedClock(NOW))
    assert clock.now() == NOW
    clock.set_shift(timedelta(days=7, hours=2))
    assert SharedClock(redis, base=FixedClock(NOW)).now() == NOW + timedelta(days=7, hours=2)
    clock.set_shift(timedelta(0))
    assert redis.get(keys.DEV_CLOCK_OFFSET) is None
    assert clock.now() == NOW


def test_without_redis_the_last_shift_read_holds():
    unreachable = Redis(unix_socket_path="/nonexistent/redis.sock", retry=Retry(NoBackoff(), 0))
    clock = SharedClock(unreachable, base=FixedClock(NOW))
    clock.offset = timedelta(days=3)
    assert clock.now() == NOW + timedelta(days=3)


def test_production_never_reads_the_shift(settings, redis):
    redis.set(keys.DEV_CLOCK_OFFSET, timedelta(days=30).total_seconds())
    hotline = build_web_parts(settings)  # production mode
    assert type(hotline.clock) is Clock
    assert hotline.clock.now() - datetime.now(PARIS) < timedelta(days=1)
