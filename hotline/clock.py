"""The hotline's clock. Reminders depend on the date, so time is a part that tests (and the
simulator) can set, instead of a call to ``datetime.now()`` scattered in the code.

``SharedClock`` is the simulator's: in development mode every process reads one offset from Redis.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from redis import Redis
from redis.exceptions import RedisError

from hotline import keys

PARIS = ZoneInfo("Europe/Paris")


class Clock:
    """Now, in Paris time, shifted by ``offset`` (zero in production)."""

    def __init__(self, offset: timedelta = timedelta(0)):
        self.offset = offset

    def now(self) -> datetime:
        return datetime.now(PARIS) + self.offset


class FixedClock(Clock):
    """A clock that shows the time it is set to, for tests."""

    def __init__(self, moment: datetime):
        super().__init__()
        self.moment = moment

    def now(self) -> datetime:
        return self.moment

    def advance(self, delta: timedelta) -> None:
        self.moment += delta


class SharedClock(Clock):
    """Development only: ``base`` shifted by an offset kept in Redis, so the web app, the worker
    and the scheduler all move together when the simulator's clock control sets it.

    The offset is read on every ``now()``; when Redis does not answer, the last offset read is
    used. Production builds a plain ``Clock`` and never reads this key.
    """

    def __init__(self, redis: Redis, base: Clock | None = None):
        super().__init__()
        self.redis = redis
        self.base = base or Clock()

    def now(self) -> datetime:
        return self.base.now() + self.shift()

    def shift(self) -> timedelta:
        """The offset shared through Redis (zero when none is set)."""
        try:
            raw = self.redis.get(keys.DEV_CLOCK_OFFSET)
        except RedisError:
            return self.offset
        self.offset = timedelta(seconds=float(raw)) if raw else timedelta(0)
        return self.offset

    def set_shift(self, offset: timedelta) -> None:
        """Shift every process's clock by ``offset`` from the base clock (zero: back to it)."""
        if offset:
            self.redis.set(keys.DEV_CLOCK_OFFSET, offset.total_seconds())
        else:
            self.redis.delete(keys.DEV_CLOCK_OFFSET)
        self.offset = offset
