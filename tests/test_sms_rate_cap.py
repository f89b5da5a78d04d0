"""The global rate cap: send slots handed out by Redis, spaced for every worker at once."""

from __future__ import annotations

import itertools
import math
import threading

import pytest
from redis import Redis

from hotline import keys
from hotline.rate_cap import ARRIVAL_JITTER, LATE_TOLERANCE, RateCap


def _max_in_a_second(times_us: list[float]) -> int:
    """The most events in any window [t, t + 1 s)."""
    times = sorted(times_us)
    most, start = 0, 0
    for end, t in enumerate(times):
        while t - times[start] >= 1_000_000:
            start += 1
        most = max(most, end - start + 1)
    return most


def test_slots_follow_each_other_at_the_interval(redis):
    cap = RateCap(redis, 50)

    slots = [cap.reserve(now_us=5_000_000)[0] for _ in range(4)]

    assert cap.interval_us == 20_600  # 1/50 s plus the 3% guard
    assert slots == [5_000_000, 5_020_600, 5_041_200, 5_061_800]


def test_an_idle_cap_gives_the_slot_at_once_and_then_expires(redis):
    cap = RateCap(redis, 1)
    cap.reserve(now_us=1_000_000)

    slot, now = cap.reserve(now_us=9_000_000)

    assert slot == now == 9_000_000
    assert 0 < redis.pttl(keys.SMS_RATE_SLOT) <= 61_000


@pytest.mark.parametrize("rate", [0.5, 1, 1.5, 7, 50, 200])
def test_no_second_ever_holds_more_than_the_cap(redis, rate):
    cap = RateCap(redis, rate)
    # Requests come in bursts from many workers, with idle gaps between.
    asks = [0] * 30 + [3_000_000 + 10 * i for i in range(30)] + [60_000_000] * 30
    slots = [cap.reserve(now_us=now)[0] for now in asks]
    # Worst case: every other send leaves late (within tolerance) and arrives slow.
    late = [s + (i % 2) * (LATE_TOLERANCE + ARRIVAL_JITTER) * 0.999e6 for i, s in enumerate(slots)]

    for times in (slots, late):
        assert _max_in_a_second(times) <= math.ceil(rate)


def test_workers_in_parallel_never_share_a_slot(redis_server):
    slots: list[int] = []
    lock = threading.Lock()

    def worker():
        cap = RateCap(Redis.from_url(redis_server.url), 1000)
        mine = [cap.reserve()[0] for _ in range(50)]
        with lock:
            slots.extend(mine)

    threads = [threading.Thread(target=worker) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert not any(thread.is_alive() for thread in threads)

    slots.sort()
    assert len(slots) == 200
    assert min(b - a for a, b in itertools.pairwise(slots)) >= 1030


class FakeTime:
    """A clock that only moves when someone sleeps; sleeps can overshoot on demand."""

    def __init__(self):
        self.now = 0.0
        self.sleeps: list[float] = []
        self.overshoot: list[float] = []

    def clock(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += seconds + (self.overshoot.pop(0) if self.overshoot else 0.0)


def test_a_worker_sleeps_until_its_slot(redis):
    time = FakeTime()
    cap = RateCap(redis, 1, clock=time.clock, sleep=time.sleep)

    assert cap.wait() == 0  # idle: send now
    cap.wait()

    [delay] = time.sleeps
    assert 1.0 < delay <= 1.03


def test_a_worker_that_wakes_late_takes_the_next_slot(redis):
    time = FakeTime()
    cap = RateCap(redis, 1, clock=time.clock, sleep=time.sleep)
    cap.wait()
    time.overshoot = [0.2]  # woke 200 ms late: sending now would crowd the next slot

    cap.wait()

    first, second = time.sleeps
    assert 1.0 < first <= 1.03
    assert 2.0 < second <= 2.06  # the slot after the one it missed


@pytest.mark.parametrize("rate", [0, -1, math.inf, math.nan])
def test_the_rate_must_be_positive(redis, rate):
    with pytest.raises(ValueError):
        RateCap(redis, rate)
