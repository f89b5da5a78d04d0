"""Registrations for ADP reminders, in Redis: only what the reminders need, nothing longer.

One registration is a small hash ``hl:reg:{caller}`` (the number sealed, language, prefecture,
expiry date, consent time and channel, the index of the next reminder, and, when not by SMS
alone, how the person wants to be reminded) plus one member of the
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
from insights.events import Event, event
from insights.tally import Tally

#: Fields of the registration hash (short names keep each hash a compact listpack).
NUMBER, LANG, PREFECTURE, EXPIRY, CONSENT, CHANNEL, NEXT = "n", "l", "p", "e", "c", "ch", "i"
#: The channel field holds two letters: how consent was given (keypad or SMS), then how the
#: person wants to be reminded (SMS, a phone call, or both), "vc" for keypad and calls. Hashes
#: written before reminder calls hold "voice" or "sms" there, and mean reminders by SMS. (Two
#: letters in a field that exists cost nothing more; a field of its own cost 8 bytes.)
CONSENT_CODES = {"voice": "v", "sms": "s"}
REMIND_BY_CODES = {"sms": "s", "call": "c", "both": "b"}
_CONSENT_NAMES = {code: name for name, code in CONSENT_CODES.items()}
_REMIND_BY_NAMES = {code: name for name, code in REMIND_BY_CODES.items()}


def _channel_field(channel: str, remind_by: str) -> str:
    return CONSENT_CODES[channel] + REMIND_BY_CODES[remind_by]


def _read_channel(value: str) -> tuple[str, str]:
    """(how consent was given, how to remind) from the channel field, old or new."""
    if value in CONSENT_CODES:
        return value, "sms"
    return _CONSENT_NAMES[value[:1]], _REMIND_BY_NAMES[value[1:]]


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
# Change how an existing registration is reminded (SMS "APPEL" alone), keeping how consent was
# given (the channel field's first letter, also that of "voice" and "sms"); 0 if there is none.
_SET_REMIND_BY = """
local channel = redis.call('HGET', KEYS[1], ARGV[1])
if not channel then return 0 end
redis.call('HSET', KEYS[1], ARGV[1], string.sub(channel, 1, 1) .. ARGV[2])
return 1
"""

_ADVANCE = """
if redis.call('EXISTS', KEYS[1]) == 0 then return 0 end
redis.call('HSET', KEYS[1], ARGV[1], ARGV[2])
redis.call('ZADD', KEYS[2], ARGV[3], ARGV[4])
return 1
"""


#: Random bytes of a registration's generation. Reminder message ids derive from the generation
#: and the date, not from the person (a key rotation must keep them), so two people with the same
#: date must never draw the same one: the same id would make the second reminder a "duplicate"
#: and drop it. With 4 bytes, 10,000 people on one date collide with a chance of about 1 in 90
#: (the one reminder in 10,000 an SMS benchmark run never queued fits it); with 8, about 3 in a
#: trillion.
GENERATION_BYTES = 8


@dataclass(frozen=True)
class Registration:
    caller: str
    number: str
    lang: str
    prefecture: str
    expiry: date
    consent_at: int
    channel: str  # how consent was given: "voice" (keypad) or "sms"
    next_index: int
    remind_by: str = "sms"  # "sms", "call" or "both"

    @property
    def by_call(self) -> bool:
        return self.remind_by in ("call", "both")

    @property
    def by_sms(self) -> bool:
        return self.remind_by in ("sms", "both")

    generation: str = ""  # empty for registrations made before it existed


class RegistrationStore:
    def __init__(
        self,
        redis: Redis,
        secret: str,
        retention_seconds: int = 60 * 24 * 3600,
        previous_secret: str | None = None,
        tally: Tally | None = None,  # the console's counts (none in tools and benchmarks)
    ):
        self.redis = redis
        self.tally = tally
        self.secret = secret
        #: Opens numbers sealed under the current key or, during a rotation, the previous one.
        self.keyring = Keyring(secret, previous_secret)
        self.retention_seconds = retention_seconds
        self._claim = redis.register_script(_CLAIM_DUE)
        self._advance = redis.register_script(_ADVANCE)
        self._set_remind_by = redis.register_script(_SET_REMIND_BY)

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
        remind_by: str = "sms",
    ) -> None:
        """Create or replace a registration (re-registering replaces the date)."""
        key = keys.REGISTRATION.format(caller=caller)
        same_date, generation = self.redis.hmget(key, EXPIRY, GENERATION)
        if same_date != expiry.isoformat().encode() or not generation:
            generation = secrets.token_hex(GENERATION_BYTES).encode()
        fields = {
            NUMBER: seal_number(self.secret, number),
            LANG: lang,
            PREFECTURE: prefecture,
            EXPIRY: expiry.isoformat(),
            CONSENT: int(now.timestamp()),
            CHANNEL: _channel_field(channel, remind_by),
            NEXT: first_index,
            GENERATION: generation,
        }
        key = keys.REGISTRATION.format(caller=caller)
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

    def set_remind_by(self, caller: str, remind_by: str) -> bool:
        """Change how a registration is reminded; False when the number has none."""
        code = REMIND_BY_CODES[remind_by]
        key = keys.REGISTRATION.format(caller=caller)
        return bool(self._set_remind_by(keys=[key], args=[CHANNEL, code]))

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
        if deleted:  # reasons are words with a code after ":" (opt_out:21610): count the word
            self.record_events([event("reminder_erased", reason.split(":")[0])], now)
        return bool(deleted)

    def record_events(self, events: list[Event], at: datetime | None = None) -> None:
        """Count reminder events for the console and /metrics."""
        if self.tally is not None:
            self.tally.record(events, at)

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
        channel, remind_by = _read_channel(fields[CHANNEL])
        return Registration(
            caller=caller,
            number=self.keyring.open(fields[NUMBER]),
            lang=fields[LANG],
            prefecture=fields[PREFECTURE],
            expiry=date.fromisoformat(fields[EXPIRY]),
            consent_at=int(fields[CONSENT]),
            channel=channel,
            next_index=int(fields[NEXT]),
            remind_by=remind_by,
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
