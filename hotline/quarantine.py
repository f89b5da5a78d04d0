"""Registrations no known key can open: moved aside intact and counted, never deleted by a timer.

A value that does not open means a wrong or lost HOTLINE_SECRET_KEY far more often than a
corrupted value, and the person behind it is still waiting for their reminder. So the
registration is renamed under ``hl:quarantine:reg:{caller}`` (out of the reminder run), its
caller key added to ``hl:quarantine``, the event logged at error level, and /healthz says
"degraded" until an operator acts (`flask secrets quarantine`: release with the right key, or
drop).
"""

from __future__ import annotations

import logging

from redis import Redis

from hotline import keys

log = logging.getLogger(__name__)

# Move the registration aside and out of the due set, in one step (KEYS: registration,
# quarantined registration, due set, quarantine set; ARGV: caller key).
_HOLD = """
if redis.call('EXISTS', KEYS[1]) == 0 then return 0 end
redis.call('RENAME', KEYS[1], KEYS[2])
redis.call('ZREM', KEYS[3], ARGV[1])
redis.call('SADD', KEYS[4], ARGV[1])
return 1
"""

# Put a released registration back, due at ARGV[2] (KEYS as for _HOLD).
_RELEASE = """
if redis.call('EXISTS', KEYS[2]) == 0 then return 0 end
redis.call('RENAME', KEYS[2], KEYS[1])
redis.call('ZADD', KEYS[3], ARGV[2], ARGV[1])
redis.call('SREM', KEYS[4], ARGV[1])
return 1
"""


def _keys(caller: str) -> list[str]:
    return [
        keys.REGISTRATION.format(caller=caller),
        keys.QUARANTINED_REGISTRATION.format(caller=caller),
        keys.REMINDERS_DUE,
        keys.QUARANTINE,
    ]


class Quarantine:
    def __init__(self, redis: Redis):
        self.redis = redis
        self._hold = redis.register_script(_HOLD)
        self._release = redis.register_script(_RELEASE)

    def hold(self, caller: str, why: str) -> bool:
        """Move a registration aside; False if it was already gone."""
        held = bool(self._hold(keys=_keys(caller), args=[caller]))
        if held:
            log.error(
                "registration %s… quarantined: %s; %d held, nothing deleted (docs/deploy.md)",
                caller[:8],
                why,
                self.count(),
            )
        return held

    def release(self, caller: str, due: float) -> bool:
        """Put a quarantined registration back into the reminder run, due at ``due``."""
        return bool(self._release(keys=_keys(caller), args=[caller, due]))

    def drop(self, caller: str) -> None:
        """Delete a quarantined registration for good (an operator's decision)."""
        with self.redis.pipeline() as pipe:
            pipe.delete(keys.QUARANTINED_REGISTRATION.format(caller=caller))
            pipe.srem(keys.QUARANTINE, caller)
            pipe.execute()

    def callers(self) -> list[str]:
        return sorted(m.decode() for m in self.redis.smembers(keys.QUARANTINE))

    def count(self) -> int:
        return quarantined(self.redis)


def quarantined(redis: Redis) -> int:
    """How many registrations are held (for /healthz)."""
    return int(redis.scard(keys.QUARANTINE))
