"""Who actually places a reminder call: Twilio's Calls API, or the simulator's phone.

``TwilioDialer`` uses the official client (``calls.create``), pointed at TWILIO_API_BASE_URL like
the SMS sender (sms.sender builds the client and reads its errors). Every call asks for the status
events the retry policy needs and for answering-machine detection: ``DetectMessageEnd`` makes
Twilio fetch the call's TwiML after a voicemail greeting's beep, so the neutral message is
recorded whole, while a person who answers is detected at once.

``RingingDialer`` (development without a Twilio account) puts the call in a short Redis list the
simulator shows as a ringing phone; the simulator then plays Twilio's part.
"""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Protocol

from redis import Redis
from twilio.rest import Client

from hotline import keys
from hotline.identity import mask_number
from hotline.settings import Settings
from hotline.twilio_api import API_TIMEOUT, SendError, build_twilio_client, call_api

#: The call progress events Twilio posts to the StatusCallback (only "completed" unless asked).
STATUS_EVENTS = ("initiated", "ringing", "answered", "completed")
MACHINE_DETECTION = "DetectMessageEnd"


@dataclass(frozen=True)
class PlacedCall:
    sid: str
    status: str  # Twilio's CallStatus for the new call: queued, initiated...


class Dialer(Protocol):
    absolute_urls: bool

    def place(self, to: str, *, url: str, status_callback: str, ring_seconds: int) -> PlacedCall:
        """Start one outbound call; raise SendError when it was not (known to be) accepted."""


class TwilioDialer:
    absolute_urls = True  # Twilio fetches them

    def __init__(self, client: Client, *, from_: str | None):
        self.client = client
        self.from_ = from_

    def place(self, to: str, *, url: str, status_callback: str, ring_seconds: int) -> PlacedCall:
        if not self.from_:
            # Fails the job loudly (an operator must set it); never a silent skip.
            raise SendError(
                "TWILIO_VOICE_FROM or TWILIO_FROM is needed", http_status=None, code=21210
            )
        call = call_api(
            lambda: self.client.calls.create(
                to=to,
                from_=self.from_,
                url=url,
                method="POST",
                status_callback=status_callback,
                status_callback_method="POST",
                status_callback_event=list(STATUS_EVENTS),
                machine_detection=MACHINE_DETECTION,
                timeout=ring_seconds,
            )
        )
        return PlacedCall(sid=call.sid, status=call.status or "queued")


class RingingDialer:
    """No Twilio account: the call rings in the simulator (number masked, URLs as Twilio gets;
    without PUBLIC_BASE_URL, paths the simulator's relay posts to)."""

    absolute_urls = False

    def __init__(self, redis: Redis):
        self.redis = redis

    def place(self, to: str, *, url: str, status_callback: str, ring_seconds: int) -> PlacedCall:
        sid = "CA" + uuid.uuid4().hex
        ring = {
            "sid": sid,
            "to": mask_number(to),
            "url": url,
            "status_callback": status_callback,
            "at": datetime.now(UTC).isoformat(timespec="seconds"),
        }
        with self.redis.pipeline(transaction=True) as pipe:
            pipe.lpush(keys.CALL_RINGS, json.dumps(ring))
            pipe.ltrim(keys.CALL_RINGS, 0, keys.CALL_RINGS_LENGTH - 1)
            pipe.expire(keys.CALL_RINGS, keys.CALL_RINGS_TTL)
            pipe.execute()
        return PlacedCall(sid=sid, status="queued")


def read_rings(redis: Redis) -> list[dict]:
    """Calls ringing in the simulator, newest first."""
    return [json.loads(raw) for raw in redis.lrange(keys.CALL_RINGS, 0, -1)]


def take_ring(redis: Redis, sid: str) -> bool:
    """Remove a call from the ringing list once the simulator answered or declined it."""
    for raw in redis.lrange(keys.CALL_RINGS, 0, -1):
        if json.loads(raw).get("sid") == sid:
            return bool(redis.lrem(keys.CALL_RINGS, 1, raw))
    return False


def build_dialer(settings: Settings, redis: Redis, *, timeout: float = API_TIMEOUT) -> Dialer:
    """Twilio when credentials are set, the simulator's ringing phone otherwise."""
    if settings.sends_real_sms:
        return TwilioDialer(
            build_twilio_client(settings, timeout=timeout), from_=settings.call_from
        )
    return RingingDialer(redis)
