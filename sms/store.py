"""Outbound messages in Redis: one small hash each, moved through its statuses atomically.

A message is created ``queued`` with its number sealed (never in clear) and its body. A worker
``claim``s it (``dispatching``, attempt n) just before the API call. The call's answer, or a
status callback, moves it forward: ``accepted`` (Twilio has it and gave a SID), ``sent``,
``delivered``; or it ends ``refused`` / ``undelivered`` / ``gave_up`` with a reason. A failed
attempt that may be retried goes back to ``retrying``; one whose outcome is unknown (no answer)
stays ``dispatching``. Statuses only move forward, so late or out-of-order callbacks change
nothing, and a message with a SID is never claimed again.

Once Twilio has the message (or it is closed) the number and body are deleted from the hash;
at a final status (delivered, undelivered, refused, gave up) the caller's keyed hash goes too:
only the status, reason, purpose and Twilio's SID stay, until the key expires (3 days).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from redis import Redis

from hotline import keys
from hotline.twilio_fields import error_code

QUEUED = "queued"
RETRYING = "retrying"
DISPATCHING = "dispatching"
ACCEPTED = "accepted"
SENT = "sent"
DELIVERED = "delivered"
UNDELIVERED = "undelivered"
REFUSED = "refused"
GAVE_UP = "gave_up"

#: How far along each status is; a message only moves to a higher rank (retrying and
#: dispatching alternate through claim and release instead).
RANK = {
    QUEUED: 0,
    RETRYING: 1,
    DISPATCHING: 1,
    ACCEPTED: 2,
    SENT: 3,
    DELIVERED: 4,
    UNDELIVERED: 4,
    REFUSED: 4,
    GAVE_UP: 4,
}
CLAIMABLE = frozenset({QUEUED, RETRYING, DISPATCHING})

#: What ``advance`` tells: the status moved, did not (already as far), the message is gone,
#: or the SID differs from the one recorded (the message was sent twice).
CHANGED, UNCHANGED, MISSING, DUPLICATE = 1, 0, -1, -2

MESSAGE_ID = re.compile(r"[A-Za-z0-9_-]{1,64}")

_RANK_TABLE = "{" + ", ".join(f"{status}={rank}" for status, rank in RANK.items()) + "}"

#: KEYS[1] message. ARGV[1] the attempt_at value seen when deciding to send, ARGV[2] now.
#: Returns the attempt number, or 0 when the message is no longer claimable (sent, closed, or
#: claimed by someone else meanwhile).
_CLAIM = """
local status = redis.call('HGET', KEYS[1], 'status')
if not status then return 0 end
local sid = redis.call('HGET', KEYS[1], 'sid')
if sid and sid ~= '' then return 0 end
if status ~= 'queued' and status ~= 'retrying' and status ~= 'dispatching' then return 0 end
if status == 'dispatching' and (redis.call('HGET', KEYS[1], 'attempt_at') or '') ~= ARGV[1] then
  return 0
end
local attempt = redis.call('HINCRBY', KEYS[1], 'attempts', 1)
redis.call('HSET', KEYS[1], 'status', 'dispatching', 'attempt_at', ARGV[2])
return attempt
"""

#: KEYS[1] message. ARGV: attempt, new status (retrying or dispatching), reason, code.
#: An attempt that failed without closing the message hands it back, if it is still its own.
_RELEASE = """
if redis.call('HGET', KEYS[1], 'status') ~= 'dispatching' then return 0 end
if redis.call('HGET', KEYS[1], 'attempts') ~= ARGV[1] then return 0 end
redis.call('HSET', KEYS[1], 'status', ARGV[2], 'reason', ARGV[3], 'code', ARGV[4])
return 1
"""

#: KEYS[1] message, KEYS[2] the SID index key (any key when ARGV[3] is empty).
#: ARGV: message id, status, sid, reason, code, index ttl.
_ADVANCE = (
    "local RANK = "
    + _RANK_TABLE
    + """
local current = redis.call('HGET', KEYS[1], 'status')
if not current then return -1 end
local sid = ARGV[3]
if sid ~= '' then
  redis.call('SET', KEYS[2], ARGV[1], 'EX', tonumber(ARGV[6]))
  local known = redis.call('HGET', KEYS[1], 'sid')
  if known and known ~= '' and known ~= sid then
    redis.call('HSET', KEYS[1], 'duplicate', sid)
    return -2
  end
  redis.call('HSET', KEYS[1], 'sid', sid)
end
local changed = 0
if RANK[ARGV[2]] > RANK[current] then
  redis.call('HSET', KEYS[1], 'status', ARGV[2])
  if ARGV[4] ~= '' then redis.call('HSET', KEYS[1], 'reason', ARGV[4]) end
  if ARGV[5] ~= '' then redis.call('HSET', KEYS[1], 'code', ARGV[5]) end
  changed = 1
end
if sid ~= '' or RANK[ARGV[2]] >= 4 then
  redis.call('HDEL', KEYS[1], 'to', 'body')
end
if RANK[ARGV[2]] >= 4 then
  -- final: nothing will be reported to the registration any more
  redis.call('HDEL', KEYS[1], 'caller')
end
return changed
"""
)


@dataclass(frozen=True)
class Message:
    id: str
    status: str
    sealed_to: str | None
    body: str | None
    caller: str | None
    purpose: str
    attempts: int
    attempt_at: str  # as stored ("" before the first attempt): compared, never parsed back
    sid: str | None
    reason: str | None
    code: int | None
    duplicate: str | None

    @classmethod
    def from_hash(cls, message_id: str, fields: dict[bytes, bytes]) -> Message:
        f = {k.decode(): v.decode() for k, v in fields.items()}
        code = f.get("code")
        return cls(
            id=message_id,
            status=f.get("status", QUEUED),
            sealed_to=f.get("to"),
            body=f.get("body"),
            caller=f.get("caller") or None,
            purpose=f.get("purpose", ""),
            attempts=int(f.get("attempts", "0")),
            attempt_at=f.get("attempt_at", ""),
            sid=f.get("sid") or None,
            reason=f.get("reason") or None,
            code=error_code(code),
            duplicate=f.get("duplicate") or None,
        )


class MessageStore:
    def __init__(self, redis: Redis):
        self.redis = redis
        self._claim = redis.register_script(_CLAIM)
        self._release = redis.register_script(_RELEASE)
        self._advance = redis.register_script(_ADVANCE)

    @staticmethod
    def key(message_id: str) -> str:
        return keys.SMS_MESSAGE.format(id=message_id)

    def create(
        self,
        message_id: str,
        *,
        sealed_to: str,
        body: str,
        caller: str | None,
        purpose: str,
        created: float,
        ttl: int,
    ) -> bool:
        """Store a new queued message; False (and nothing written) if the id is already taken."""
        key = self.key(message_id)
        if not self.redis.hsetnx(key, "status", QUEUED):
            return False
        with self.redis.pipeline(transaction=True) as pipe:
            pipe.hset(
                key,
                mapping={
                    "to": sealed_to,
                    "body": body,
                    "caller": caller or "",
                    "purpose": purpose,
                    "attempts": 0,
                    "created": f"{created:.3f}",
                },
            )
            pipe.expire(key, ttl)
            pipe.execute()
        return True

    def forget(self, message_id: str) -> None:
        self.redis.delete(self.key(message_id))

    def load(self, message_id: str) -> Message | None:
        fields = self.redis.hgetall(self.key(message_id))
        return Message.from_hash(message_id, fields) if fields else None

    def claim(self, message_id: str, seen_attempt_at: str, now: float) -> int | None:
        """Mark the message dispatching for a new attempt; its number, or None if not ours."""
        attempt = self._claim(keys=[self.key(message_id)], args=[seen_attempt_at, f"{now:.6f}"])
        return int(attempt) or None

    def release(
        self, message_id: str, attempt: int, *, in_doubt: bool, reason: str, code: int | None
    ) -> bool:
        """Hand a failed attempt back: retrying, or dispatching if its outcome is unknown."""
        status = DISPATCHING if in_doubt else RETRYING
        args = [attempt, status, reason, "" if code is None else code]
        return bool(self._release(keys=[self.key(message_id)], args=args))

    def advance(
        self,
        message_id: str,
        status: str,
        *,
        sid: str | None = None,
        reason: str | None = None,
        code: int | None = None,
    ) -> int:
        """Move the message forward (never back); CHANGED, UNCHANGED, MISSING or DUPLICATE."""
        index = keys.SMS_BY_SID.format(sid=sid or "-")
        args = [
            message_id,
            status,
            sid or "",
            reason or "",
            "" if code is None else code,
            keys.SMS_BY_SID_TTL,
        ]
        return int(self._advance(keys=[self.key(message_id), index], args=args))

    def find_by_sid(self, sid: str) -> str | None:
        message_id = self.redis.get(keys.SMS_BY_SID.format(sid=sid))
        return message_id.decode() if message_id else None
