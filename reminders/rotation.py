"""Rotating HOTLINE_SECRET_KEY: re-seal every stored number and re-key every caller key under the
new key, with the previous one still known (HOTLINE_SECRET_KEY_PREVIOUS).

A caller key is an HMAC of the number under the secret, so a new secret means new caller keys:
each registration moves from ``hl:reg:{old}`` to ``hl:reg:{new}`` with its number re-sealed, its
place in the due set, and what hangs off the same caller key (audit trail, language choice,
resume point), in one Lua call, so a rotation killed at any point leaves each registration
either wholly old or wholly new. Running it again skips what is already new: it is resumable by
running it again. Queued SMS get their number re-sealed and caller key re-keyed the same way.

What the rotation cannot re-key is what never held a number: a language choice or a resume point
of someone without a registration, and the caller key of a message Twilio already has. They keep
the old caller key, are not found again, and expire (180 days, 1 day, 3 days). Only when every
registration is new does the stored key id change to the new key's: from then on a process with
only the old key refuses to start.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable

from redis import Redis

from hotline import keys
from hotline.identity import caller_key, open_number, seal_number
from hotline.keyring import Keyring
from hotline.quarantine import Quarantine
from reminders.registrations import NUMBER

BATCH = 500

# KEYS: old registration, new registration, due set, then (old, new) pairs of the keys that hang
# off the caller key. ARGV: old caller, new caller, the number sealed with the new key.
_MOVE = """
if redis.call('EXISTS', KEYS[1]) == 0 then return 0 end
local score = redis.call('ZSCORE', KEYS[3], ARGV[1])
redis.call('ZREM', KEYS[3], ARGV[1])
if redis.call('EXISTS', KEYS[2]) == 1 then
  -- registered again under the new key meanwhile: the newer registration replaces this one
  redis.call('DEL', KEYS[1])
  return 2
end
redis.call('HSET', KEYS[1], ARGV[4], ARGV[3])
redis.call('RENAME', KEYS[1], KEYS[2])
if score then redis.call('ZADD', KEYS[3], score, ARGV[2]) end
for i = 4, #KEYS, 2 do
  if redis.call('EXISTS', KEYS[i]) == 1 and redis.call('EXISTS', KEYS[i + 1]) == 0 then
    redis.call('RENAME', KEYS[i], KEYS[i + 1])
  end
end
return 1
"""

# A queued message: new sealed number and caller key, only while it still holds a number.
_RESEAL_MESSAGE = """
if redis.call('HEXISTS', KEYS[1], 'to') == 0 then return 0 end
redis.call('HSET', KEYS[1], 'to', ARGV[1])
if ARGV[2] ~= '' then redis.call('HSET', KEYS[1], 'caller', ARGV[2]) end
return 1
"""

#: Templates keyed by caller key that move with a registration.
_FOLLOWERS = (keys.AUDIT, keys.LANGUAGE_CHOICE, keys.RESUME_POINT)

Progress = Callable[[Counter], None]


class Rotation:
    def __init__(self, redis: Redis, keyring: Keyring, quarantine: Quarantine, batch: int = BATCH):
        if keyring.previous is None:
            raise ValueError("set HOTLINE_SECRET_KEY_PREVIOUS to the key being replaced")
        self.redis = redis
        self.keyring = keyring
        self.quarantine = quarantine
        self.batch = batch
        self._move = redis.register_script(_MOVE)
        self._reseal = redis.register_script(_RESEAL_MESSAGE)

    def run(self, progress: Progress = lambda counts: None) -> Counter:
        """Rotate everything; then record the new key as the one the data is sealed with."""
        counts = release_quarantined(self.redis, self.keyring, self.quarantine)
        counts += self.registrations(progress)
        counts += self.messages()
        if not self.quarantine.count():
            self.keyring.adopt(self.redis)
        return counts

    def registrations(self, progress: Progress) -> Counter:
        counts: Counter = Counter()
        cursor = 0
        while True:
            cursor, members = self.redis.zscan(keys.REMINDERS_DUE, cursor, count=self.batch)
            callers = [member.decode() for member, _ in members]
            with self.redis.pipeline(transaction=False) as pipe:
                for caller in callers:
                    pipe.hget(keys.REGISTRATION.format(caller=caller), NUMBER)
                sealed = pipe.execute()
            with self.redis.pipeline(transaction=False) as pipe:
                for caller, token in zip(callers, sealed, strict=True):
                    counts[self._plan(pipe, caller, token.decode() if token else None)] += 1
                pipe.execute()
            progress(counts)
            if cursor == 0:
                return counts

    def _plan(self, pipe, caller: str, sealed: str | None) -> str:
        """Queue the move of one registration on ``pipe``; what it will be."""
        if sealed is None:
            return "gone"
        try:
            number = open_number(self.keyring.current, sealed)
            if caller_key(self.keyring.current, number) == caller:
                return "already new"
        except ValueError:
            try:
                number = self.keyring.open(sealed)
            except ValueError:
                self.quarantine.hold(caller, "neither key opens its number")
                return "quarantined"
        new = caller_key(self.keyring.current, number)
        assert new is not None
        pairs = [template.format(caller=c) for template in _FOLLOWERS for c in (caller, new)]
        self._move(
            keys=[
                keys.REGISTRATION.format(caller=caller),
                keys.REGISTRATION.format(caller=new),
                keys.REMINDERS_DUE,
                *pairs,
            ],
            args=[caller, new, seal_number(self.keyring.current, number), NUMBER],
            client=pipe,
        )
        return "rotated"

    def messages(self) -> Counter:
        """Queued SMS: number re-sealed, caller key re-keyed."""
        counts: Counter = Counter()
        pattern = keys.SMS_MESSAGE.format(id="*")
        for batch in _batches(self.redis.scan_iter(match=pattern, count=self.batch), self.batch):
            with self.redis.pipeline(transaction=False) as pipe:
                for key in batch:
                    pipe.hmget(key, "to", "caller")
                found = pipe.execute()
            with self.redis.pipeline(transaction=False) as pipe:
                for key, (sealed, caller) in zip(batch, found, strict=True):
                    if sealed is None:
                        continue
                    try:
                        number = self.keyring.open(sealed.decode())
                    except ValueError:
                        counts["messages unreadable"] += 1
                        continue
                    old = caller.decode() if caller else ""
                    new = caller_key(self.keyring.current, number) if old else ""
                    args = [seal_number(self.keyring.current, number), new or ""]
                    self._reseal(keys=[key], args=args, client=pipe)
                    counts["messages re-sealed"] += 1
                pipe.execute()
        return counts


def release_quarantined(redis: Redis, keyring: Keyring, quarantine: Quarantine) -> Counter:
    """Quarantined registrations a known key opens go back into the reminder run (due at once:
    the run then waits, sends or purges as their dates say)."""
    counts: Counter = Counter()
    for caller in quarantine.callers():
        sealed = redis.hget(keys.QUARANTINED_REGISTRATION.format(caller=caller), NUMBER)
        try:
            keyring.open(sealed.decode() if sealed else "")
        except ValueError:
            counts["still quarantined"] += 1
            continue
        counts["released"] += quarantine.release(caller, 0)
    return counts


def _batches(items, size: int):
    batch: list = []
    for item in items:
        batch.append(item)
        if len(batch) == size:
            yield batch
            batch = []
    if batch:
        yield batch
