"""The Redis client and the RQ queue, built the same way by every process.

One client setting for all: a command that gets no answer within 2 s fails (a webhook must
answer Twilio within 15 s, a job must not hang). The queue is the one the hotline's jobs go on,
JSON-serialised (pickle is unsafe).
"""

from __future__ import annotations

from redis import Redis
from rq import Queue
from rq.serializers import JSONSerializer

from hotline.settings import Settings

QUEUE_NAME = "hotline"


def connect_redis(settings: Settings) -> Redis:
    return Redis.from_url(
        settings.redis_url,
        socket_timeout=2,
        socket_connect_timeout=2,
        health_check_interval=30,
    )


def build_queue(redis: Redis) -> Queue:
    """The hotline's job queue (the web app, the worker and the clock enqueue on it)."""
    return Queue(QUEUE_NAME, connection=redis, serializer=JSONSerializer)
