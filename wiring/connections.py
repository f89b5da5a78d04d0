"""The Redis client and the RQ queue, built the same way by every process.

One client setting for all: a command that gets no answer within 2 s fails (a webhook must
answer Twilio within 15 s, a job must not hang). The queue is the one the hotline's jobs go on,
JSON-serialised (pickle is unsafe).

Managed Redis services (Heroku, Scalingo) speak TLS (rediss://), often with a certificate their
own CA signed: REDIS_CA_FILE names that CA's certificate (PEM) so the certificate is still
verified. Nothing here ever turns verification off.
"""

from __future__ import annotations

import logging
import sys

from redis import Redis
from redis.exceptions import RedisError
from rq import Queue
from rq.serializers import JSONSerializer

from hotline.keyring import KeyMismatch, Keyring
from hotline.settings import Settings

log = logging.getLogger(__name__)

QUEUE_NAME = "hotline"
#: Reminders' own queue, which every worker empties first (wiring.worker.build_worker).
REMINDER_QUEUE_NAME = "hotline-reminders"


def connect_redis(settings: Settings) -> Redis:
    tls = {}
    if settings.redis_ca_file and settings.redis_url.startswith("rediss://"):
        tls = {"ssl_ca_certs": str(settings.redis_ca_file), "ssl_cert_reqs": "required"}
    return Redis.from_url(
        settings.redis_url,
        socket_timeout=2,
        socket_connect_timeout=2,
        health_check_interval=30,
        **tls,
    )


def build_queue(redis: Redis) -> Queue:
    """The hotline's job queue (the web app, the worker and the clock enqueue on it)."""
    return Queue(QUEUE_NAME, connection=redis, serializer=JSONSerializer)


def build_reminder_queue(redis: Redis) -> Queue:
    """The queue of reminder SMS, taken before the other by every worker."""
    return Queue(REMINDER_QUEUE_NAME, connection=redis, serializer=JSONSerializer)


def check_key_or_exit(settings: Settings, redis: Redis) -> None:
    """Refuse to start a process whose HOTLINE_SECRET_KEY is not the stored data's: one line on
    stderr, exit status 2. With Redis away the check waits for the next start: the web must
    still answer (the outage message), and a reminder run on a wrong key quarantines, never
    deletes."""
    keyring = Keyring(settings.secret_key, settings.previous_secret_key)
    try:
        keyring.check(redis)
    except RedisError as error:
        log.warning("could not check HOTLINE_SECRET_KEY against Redis: %s", error)
    except KeyMismatch as error:
        print(f"The hotline cannot start: {error}", file=sys.stderr)
        raise SystemExit(2) from None
