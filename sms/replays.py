"""Incoming SMS already answered, by Twilio's MessageSid, so a replayed webhook acts once.

A signature proves Twilio sent a request, not that it is the first time it arrives: Twilio's
signatures carry no date, so a captured request stays valid. Each MessageSid is marked before the
message is acted on (SET NX: of two copies racing, one wins) and kept for
keys.SMS_INBOUND_SEEN_TTL. The key holds Twilio's opaque SID only: no number, no text.
"""

from __future__ import annotations

from redis import Redis

from hotline import keys


class AnsweredMessages:
    def __init__(self, redis: Redis):
        self.redis = redis

    def first_time(self, message_sid: str) -> bool:
        """Mark the message as answered; False when it already was (a replay)."""
        key = keys.SMS_INBOUND_SEEN.format(sid=message_sid)
        return bool(self.redis.set(key, 1, nx=True, ex=keys.SMS_INBOUND_SEEN_TTL))

    def forget(self, message_sid: str) -> None:
        """Unmark a message whose answer failed half-way, so that Twilio's retry is served."""
        self.redis.delete(keys.SMS_INBOUND_SEEN.format(sid=message_sid))
