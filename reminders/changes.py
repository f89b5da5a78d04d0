"""A change to an existing registration never silently replaces it: it can be undone by SMS.

Caller ID can be spoofed for free (and, less easily, an SMS sender): a stranger calling "from"
a registered number could type another date. So before a registration is replaced, it is kept
as it was (an opaque Redis DUMP of its hash, sealed number included, and its due time) for
keys.REGISTRATION_UNDO_TTL, and the number is told by SMS what changed and that UNDO restores
it. The SMS goes to the real number, whoever called. Only the first copy within that window is
kept, so two changes in a row by a stranger still undo to the person's own registration.

STOP is not kept here: erasure must erase (and Twilio stops delivering to a number that sent
STOP until it sends START).
"""

from __future__ import annotations

from datetime import date

from redis import Redis

from content.catalog import Content
from hotline import keys
from reminders.registrations import EXPIRY
from reminders.service import sms_date

# Keep a copy of the registration (and its due score) unless one is already kept.
_KEEP = """
if redis.call('EXISTS', KEYS[2]) == 1 then return 0 end
local dumped = redis.call('DUMP', KEYS[1])
if not dumped then return 0 end
local due = redis.call('ZSCORE', KEYS[3], ARGV[1])
redis.call('HSET', KEYS[2], 'reg', dumped, 'due', due or '')
redis.call('EXPIRE', KEYS[2], ARGV[2])
return 1
"""

# Put the kept copy back in place of the registration, and its due score; forget the copy.
_UNDO = """
local kept = redis.call('HMGET', KEYS[2], 'reg', 'due')
if not kept[1] then return 0 end
redis.call('RESTORE', KEYS[1], 0, kept[1], 'REPLACE')
if kept[2] and kept[2] ~= '' then
    redis.call('ZADD', KEYS[3], kept[2], ARGV[1])
else
    redis.call('ZREM', KEYS[3], ARGV[1])
end
redis.call('DEL', KEYS[2])
return 1
"""


class RegistrationChanges:
    def __init__(self, redis: Redis):
        self.redis = redis
        self._keep = redis.register_script(_KEEP)
        self._undo = redis.register_script(_UNDO)

    def _keys(self, caller: str) -> list[str]:
        registration = keys.REGISTRATION.format(caller=caller)
        return [registration, keys.REGISTRATION_UNDO.format(caller=caller), keys.REMINDERS_DUE]

    def expiry(self, caller: str) -> date | None:
        """The expiry date registered for this caller now, if any."""
        raw = self.redis.hget(keys.REGISTRATION.format(caller=caller), EXPIRY)
        try:
            return date.fromisoformat(raw.decode()) if raw else None
        except ValueError:
            return None

    def before_replacing(self, caller: str | None, expiry: date) -> date | None:
        """Call before registering ``expiry``: when another date is registered, keep a copy of
        that registration and return its date (the caller is then told by SMS)."""
        if caller is None:
            return None
        current = self.expiry(caller)
        if current is None or current == expiry:
            return None
        self._keep(keys=self._keys(caller), args=[caller, keys.REGISTRATION_UNDO_TTL])
        return current

    def undo(self, caller: str | None) -> date | None:
        """Put back the registration kept before the last change; its date, or None."""
        if caller is None or not self._undo(keys=self._keys(caller), args=[caller]):
            return None
        return self.expiry(caller)

    def forget(self, caller: str) -> None:
        """STOP erases the kept copy too."""
        self.redis.delete(keys.REGISTRATION_UNDO.format(caller=caller))


def registered_message(
    expiry: date, replaced: date | None, reminder_days: str
) -> tuple[str, dict[str, str]]:
    """The SMS after a registration, as a catalog key and its values: the confirmation with the
    days its reminders will go, or, when it replaced another date, what changed and how to undo
    it."""
    if replaced is None:
        return "sms.remind.confirm", {"date": sms_date(expiry), "reminders": reminder_days}
    return "sms.remind.changed", {"old": sms_date(replaced), "date": sms_date(expiry)}


def registered_text(
    content: Content, lang: str, expiry: date, replaced: date | None, reminder_days: str
) -> str:
    key, params = registered_message(expiry, replaced, reminder_days)
    return content.text(key, lang, **params)
