"""Registrations for ADP reminders, in Redis: only what the reminders need, nothing longer.

One registration is a small hash ``hl:reg:{caller}`` (the number sealed, language, prefecture,
expiry date, consent time and channel, the index of the next reminder) plus one member of the
sorted set ``hl:reminders:due``, scored by when it next needs attention. Collecting what is due is
a range query on that set: its cost follows the number due, not the number registered.

The hash itself says when consent was given and by which channel. Events beyond the ordinary (a
skipped reminder, a delivery failure, an erasure) go to a short capped list ``hl:audit:{caller}``
that expires with the retention time; it holds no number. Ordinary registrations have none, which
keeps each one near 300 bytes of Redis memory (see docs/reminders.md).
"""

from __future__ import annotations

import secrets
import time
from dataclasses import dataclass
from datetime import date, datetime

from redis import Redis

from hotline import keys
from hotline.clock import PARIS
from hotline.identity import seal_number
from hotline.keyring import Keyring

#: Fields of the registration hash (short names keep each hash a compact listpack).
NUMBER, LANG, PREFECTURE, EXPIRY, CONSENT, CHANNEL, NEXT = "n", "l", "p", "e", "c", "ch", "i"
#: A random id per registration, kept when the same date is registered again: it names the
#: reminders' messages, so a registration made after STOP never reuses a withdrawn message's id.
GENERATION = "g"
AUDIT_LENGTH = 20

# Atomically take the due members and push their score past a lease, so two collectors never
# take the same registration, and one that crashes lets it come due again after the lease.
_CLAIM_DUE = """
local members = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', ARGV[1], 'LIMIT', 0, ARGV[2])
for _, member in ipairs(members) do
  redis.call('ZADD', KEYS[1], 'XX', ARGV[3], member)
end
return members
"""


# Move a registration to its next reminder only if it still exists (STOP may have erased it).
_ADVANCE = """
if redis.call('EXISTS', KEYS[1]) == 0 then return 0 end
redis.call('HSET', KEYS[1], ARGV[1], ARGV[2])
redis.call('ZADD', KEYS[2], ARGV[3], ARGV[4])
return 1
"""


@dataclass(frozen=True)
class Registration:
    caller: str
    number: str
    lang: str
    prefecture: str
    expiry: date
    consent_at: int
    channel: str
    next_index: int
    generation: str = ""  # empty for registrations made before it existed


class RegistrationStore:
    def __init__(
        self,
        redis: Redis,
        secret: str,
        retention_seconds: int = 60 * 24 * 3600,
        previous_secret: str | None = None,
    ):
        self.redis = redis
        self.secret = secret
        #: Opens numbers sealed under the current key or, during a rotation, the previous one.
        self.keyring = Keyring(secret, previous_secret)
        self.retention_seconds = retention_seconds
        self._claim = redis.register_script(_CLAIM_DUE)
        self._advance = redis.register_script(_ADVANCE)

    # --- writing ------------------------------------------------------------------------------

    def register(
        self,
        *,
        caller: str,
        number: str,
        lang: str,
        prefecture: str,
        expiry: date,
        channel: str,
        first_index: int,
        first_due: datetime,
        now: datetime,
    ) -> None:
        """Create or replace a registration (re-registering replaces the date)."""
        key = keys.REGISTRATION.format(caller=caller)
        same_date, generation = self.redis.hmget(key, EXPIRY, GENERATION)
        if same_date != expiry.isoformat().encode() or not generation:
            generation = secrets.token_hex(4).encode()
        fields = {
            NUMBER: seal_number(self.secret, number),
            LANG: lang,
            PREFECTURE: prefecture,
            EXPIRY: expiry.isoformat(),
            CONSENT: int(now.timestamp()),
            CHANNEL: channel,
            NEXT: first_index,
            GENERATION: generation,
        }
        with self.redis.pipeline() as pipe:
            pipe.delete(key)
            pipe.hset(key, mapping=fields)
            pipe.zadd(keys.REMINDERS_DUE, {caller: first_due.timestamp()})
            pipe.execute()

    def advance(self, caller: str, next_index: int, next_due: datetime) -> bool:
        """Record that reminders before ``next_index`` are done; False if the registration is gone
        (erased meanwhile: nothing is recreated)."""
        done = self._advance(
            keys=[keys.REGISTRATION.format(caller=caller), keys.REMINDERS_DUE],
            args=[NEXT, next_index, next_due.timestamp(), caller],
        )
        return bool(done)

    def reschedule(self, caller: str, due: datetime) -> None:
        self.redis.zadd(keys.REMINDERS_DUE, {caller: due.timestamp()}, xx=True)

    def erase(self, caller: str, reason: str, now: datetime | None = None) -> bool:
        """Delete everything about a registration, its audit trail included: what remains is
        one more in the day's tally of erasures for this reason, which names no one."""
        day = (now or datetime.now(PARIS)).astimezone(PARIS).strftime("%Y%m%d")
        tally = keys.ERASURES.format(day=day)
        with self.redis.pipeline() as pipe:
            pipe.delete(keys.REGISTRATION.format(caller=caller))
            pipe.zrem(keys.REMINDERS_DUE, caller)
            pipe.delete(keys.AUDIT.format(caller=caller))
            pipe.hincrby(tally, reason, 1)
            pipe.expire(tally, self.retention_seconds)
            deleted, *_ = pipe.execute()
        return bool(deleted)

    def erasures(self, day: date) -> dict[str, int]:
        """The day's tally of erasures by reason."""
        raw = self.redis.hgetall(keys.ERASURES.format(day=day.strftime("%Y%m%d")))
        return {k.decode(): int(v) for k, v in raw.items()}

    def audit(self, caller: str, event: str, now: datetime | None = None) -> None:
        moment = int(now.timestamp() if now else time.time())
        key = keys.AUDIT.format(caller=caller)
        with self.redis.pipeline(transaction=False) as pipe:
            pipe.rpush(key, f"{moment} {event}")
            pipe.ltrim(key, -AUDIT_LENGTH, -1)
            pipe.expire(key, self.retention_seconds)
            pipe.execute()

    # --- reading ------------------------------------------------------------------------------

    def get(self, caller: str) -> Registration | None:
        raw = self.redis.hgetall(keys.REGISTRATION.format(caller=caller))
        if not raw or NUMBER.encode() not in raw:
            return None
        fields = {k.decode(): v.decode() for k, v in raw.items()}
        return Registration(
            caller=caller,
            number=self.keyring.open(fields[NUMBER]),
            lang=fields[LANG],
            prefecture=fields[PREFECTURE],
            expiry=date.fromisoformat(fields[EXPIRY]),
            consent_at=int(fields[CONSENT]),
            channel=fields[CHANNEL],
            next_index=int(fields[NEXT]),
            generation=fields.get(GENERATION, ""),
        )

    def exists(self, caller: str) -> bool:
        return bool(self.redis.exists(keys.REGISTRATION.format(caller=caller)))

    def audit_trail(self, caller: str) -> list[str]:
        return [e.decode() for e in self.redis.lrange(keys.AUDIT.format(caller=caller), 0, -1)]

    def claim_due(self, now: datetime, limit: int, lease_seconds: int) -> list[str]:
        """The callers whose registrations need attention at ``now``, each taken by one claimer."""
        lease_until = now.timestamp() + lease_seconds
        members = self._claim(keys=[keys.REMINDERS_DUE], args=[now.timestamp(), limit, lease_until])
        return [m.decode() for m in members]

    def due_at(self, caller: str) -> float | None:
        return self.redis.zscore(keys.REMINDERS_DUE, caller)

    def count(self) -> int:
        return self.redis.zcard(keys.REMINDERS_DUE)

    def scan(self, batch: int = 500):
        """Every registration, for listings (numbers are opened: mask them before showing)."""
        for member, _ in self.redis.zscan_iter(keys.REMINDERS_DUE, count=batch):
            registration = self.get(member.decode())
            if registration is not None:
                yield registration
