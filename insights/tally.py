"""Counting events: one hash per hour (UTC) and one per day (Paris) in Redis, and Prometheus.

``Tally.record(at, events)`` costs one round trip; a caller that already writes to Redis adds
the same commands to its own round trip instead (``ivr.call_store`` does, in the script that
saves the call's state: ``bucket_keys`` and ``count`` are for that). Hours are kept 400 days,
days five years (``hotline.keys``).
"""

from __future__ import annotations

import functools
from collections.abc import Iterable
from datetime import UTC, datetime

from redis import Redis

from hotline import keys
from hotline.clock import PARIS, Clock
from insights import prometheus
from insights.events import Event, event, length_bucket


def hour_bucket(at: datetime) -> str:
    return keys.STATS_HOUR.format(hour=at.astimezone(UTC).strftime("%Y%m%d%H"))


def day_bucket(at: datetime) -> str:
    return keys.STATS_DAY.format(day=at.astimezone(PARIS).strftime("%Y%m%d"))


@functools.lru_cache(maxsize=4)
def _buckets(epoch_hour: int) -> tuple[str, str]:
    """Both bucket keys of an hour, worked out once per hour rather than on every webhook (Paris
    is a whole number of hours from UTC, so an hour lies in one Paris day)."""
    at = datetime.fromtimestamp(epoch_hour * 3600, UTC)
    return hour_bucket(at), day_bucket(at)


class Tally:
    def __init__(self, redis: Redis, clock: Clock):
        self.redis = redis
        self.clock = clock  # the hotline's (tests and the simulator set it)

    @staticmethod
    def bucket_keys(at: datetime) -> tuple[str, str]:
        """The hour and the day hashes an event at ``at`` is counted in."""
        return _buckets(int(at.timestamp()) // 3600)

    def record(self, events: Iterable[Event], at: datetime | None = None) -> None:
        """Count events (at ``at``, else now) in Redis in one round trip, and in this process's
        Prometheus counters."""
        events = list(events)
        if not events:
            return
        hour, day = self.bucket_keys(at or self.clock.now())
        with self.redis.pipeline(transaction=False) as pipe:
            for e in events:
                pipe.hincrby(hour, e.field, 1)
                pipe.hincrby(day, e.field, 1)
            pipe.expire(hour, keys.STATS_HOUR_TTL)
            pipe.expire(day, keys.STATS_DAY_TTL)
            pipe.execute()
        self.count(events)

    @staticmethod
    def count(events: list[Event]) -> None:
        """Count events in Prometheus only (their Redis counts were written by the caller)."""
        prometheus.count(events)

    def call_length(self, seconds: int) -> Event:
        """The event for a call of ``seconds``, observed in Prometheus's histogram too."""
        prometheus.observe_call_duration(seconds)
        return event("call_length", length_bucket(seconds))
