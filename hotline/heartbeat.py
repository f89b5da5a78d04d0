"""Heartbeats: a process writes the time it was last alive; /healthz says how long ago that was.

The clock writes one every ``EVERY`` seconds. The RQ worker needs none of ours: RQ keeps each
worker's ``last_heartbeat`` in its registry (every ``--worker-ttl`` - 15 s while idle).
"""

from __future__ import annotations

from redis import Redis

from hotline import keys

#: How often a process writes its heartbeat, in seconds.
EVERY = 10


def beat(redis: Redis, process: str, now: float) -> None:
    redis.set(keys.HEARTBEAT.format(process=process), f"{now:.3f}", ex=keys.HEARTBEAT_TTL)


def last_beat(redis: Redis, process: str) -> float | None:
    """The Unix time of the process's last heartbeat, or None when it never wrote one."""
    value = redis.get(keys.HEARTBEAT.format(process=process))
    return float(value) if value is not None else None
