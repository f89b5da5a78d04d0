"""Who actually sends an SMS: Twilio's REST API, or the local outbox when there is no account.

One ``SmsSender`` is built from the settings (``build_sender``) by the app factory and by workers
alike. ``TwilioSender`` uses the official client, pointed at TWILIO_API_BASE_URL (Twilio itself,
a Twilio-compatible provider, or a local fake in tests). ``OutboxSender`` keeps the latest
messages in a capped Redis list, numbers masked, for ``make run`` and the simulator to show.

A failure reaches the caller as ``SendError``: the HTTP status and Twilio's error code when the
API answered, ``in_doubt`` when it did not (the request may or may not have been acted on).
"""

from __future__ import annotations

import json
import logging
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Protocol

import requests
from redis import Redis
from twilio.base.exceptions import TwilioException
from twilio.http.http_client import TwilioHttpClient
from twilio.rest import Client

from hotline import keys
from hotline.identity import caller_key, mask_number
from hotline.settings import Settings

log = logging.getLogger(__name__)

#: Seconds to wait for the API's answer; Twilio answers a message create in well under a second.
API_TIMEOUT = 15.0


@dataclass(frozen=True)
class SentMessage:
    sid: str
    status: str  # the provider's status for the new message: queued, accepted, sent...


class SendError(Exception):
    """The message was not (known to be) accepted."""

    def __init__(
        self, detail: str, *, http_status: int | None, code: int | None, in_doubt: bool = False
    ):
        super().__init__(detail)
        self.http_status = http_status
        self.code = code
        self.in_doubt = in_doubt


class SmsSender(Protocol):
    def send(self, to: str, body: str, *, status_callback: str | None) -> SentMessage: ...


class TwilioSender:
    """Creates Message resources through the official client (REST API, one request each)."""

    def __init__(self, client: Client, *, from_: str | None, messaging_service_sid: str | None):
        if not (from_ or messaging_service_sid):
            raise ValueError("TWILIO_FROM or TWILIO_MESSAGING_SERVICE_SID is needed to send SMS")
        self.client = client
        self.from_ = from_
        self.messaging_service_sid = messaging_service_sid

    def send(self, to: str, body: str, *, status_callback: str | None) -> SentMessage:
        sender = (
            {"messaging_service_sid": self.messaging_service_sid}
            if self.messaging_service_sid
            else {"from_": self.from_}
        )
        optional = {"status_callback": status_callback} if status_callback else {}
        try:
            message = self.client.messages.create(to=to, body=body, **sender, **optional)
        except TwilioException as error:
            # TwilioRestException (legacy error body) and TwilioServiceException (RFC 9457)
            # both carry the HTTP status and Twilio's code.
            status = getattr(error, "status", None)
            code = getattr(error, "code", None)
            raise SendError(
                f"API answered {status} (code {code})",
                http_status=status if isinstance(status, int) else None,
                code=code if isinstance(code, int) else None,
            ) from error
        except requests.ConnectTimeout as error:
            raise SendError("no connection to the API", http_status=None, code=None) from error
        except requests.RequestException as error:
            # Sent, maybe received and acted on, but no answer came back.
            raise SendError(
                f"no answer from the API ({type(error).__name__})",
                http_status=None,
                code=None,
                in_doubt=True,
            ) from error
        return SentMessage(sid=message.sid, status=message.status or "queued")


class OutboxSender:
    """No Twilio account: messages go to a capped Redis list (masked numbers) and the log."""

    def __init__(self, redis: Redis, *, log_bodies: bool, secret: str):
        self.redis = redis
        self.log_bodies = log_bodies
        self.secret = secret  # keys the number's hash, so the simulator finds its own messages

    def send(self, to: str, body: str, *, status_callback: str | None) -> SentMessage:
        sid = "SM" + uuid.uuid4().hex
        entry = {
            "sid": sid,
            "to": mask_number(to),
            "caller": caller_key(self.secret, to),
            "body": body,
            "at": datetime.now(UTC).isoformat(timespec="seconds"),
        }
        with self.redis.pipeline(transaction=True) as pipe:
            pipe.lpush(keys.SMS_OUTBOX, json.dumps(entry, ensure_ascii=False))
            pipe.ltrim(keys.SMS_OUTBOX, 0, keys.SMS_OUTBOX_LENGTH - 1)
            pipe.expire(keys.SMS_OUTBOX, keys.SMS_OUTBOX_TTL)
            pipe.execute()
        if self.log_bodies:
            log.info("outbox: SMS to %s (%s): %s", entry["to"], sid, body)
        else:
            log.info("outbox: SMS to %s (%s), %d characters", entry["to"], sid, len(body))
        return SentMessage(sid=sid, status="sent")


def read_outbox(
    redis: Redis, limit: int = keys.SMS_OUTBOX_LENGTH, *, caller: str | None = None
) -> list[dict]:
    """The outbox, newest first; only the messages to ``caller`` (a caller key) when given: the
    masked number alone (+33…78) would mix up numbers that end alike."""
    messages = [json.loads(raw) for raw in redis.lrange(keys.SMS_OUTBOX, 0, limit - 1)]
    return [m for m in messages if caller is None or m.get("caller") == caller]


def build_twilio_client(settings: Settings, *, timeout: float = API_TIMEOUT) -> Client:
    """The official client, talking to TWILIO_API_BASE_URL with a bounded timeout."""
    # The client logs every request at INFO (headers only); keep that out of the hotline's log.
    quiet = logging.getLogger("sms.twilio_http")
    quiet.setLevel(logging.WARNING)
    sid, token = settings.twilio_account_sid, settings.twilio_auth_token
    client = Client(
        sid,
        token,
        http_client=TwilioHttpClient(timeout=timeout, logger=quiet),
        # Settings are the one source of configuration: the client must not pick up
        # TWILIO_EDGE or TWILIO_REGION from the process environment, which would rewrite the
        # API host (and break TWILIO_API_BASE_URL).
        environment={"TWILIO_ACCOUNT_SID": sid or "", "TWILIO_AUTH_TOKEN": token},
    )
    # Every REST call for messages goes through the Api domain; its base URL is public API.
    client.api.base_url = settings.twilio_api_base_url
    return client


def build_sender(settings: Settings, redis: Redis, *, timeout: float = API_TIMEOUT) -> SmsSender:
    """Twilio when credentials are set (settings.sends_real_sms), the local outbox otherwise."""
    if settings.sends_real_sms:
        return TwilioSender(
            build_twilio_client(settings, timeout=timeout),
            from_=settings.twilio_from,
            messaging_service_sid=settings.twilio_messaging_service_sid,
        )
    return OutboxSender(redis, log_bodies=settings.development, secret=settings.secret_key)
