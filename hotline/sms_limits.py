"""How many SMS of each kind one number may trigger in a day, whatever the channel.

One call pressing keys, or one person texting ETAPES in a loop, must not make the hotline send
SMS without end: each sending of a kind (the steps, a confirmation, a reply...) takes one unit of
that number's daily allowance for the kind (SMS_DAILY_LIMITS). Past it the person is told once
("we already sent you the steps today": by voice on a call, by one SMS notice when texting), then
nothing more is sent that day. Counters are keyed by a digest of the Paris day and the caller key
(which nothing else stored can be matched with), and expire the next day; a STOP does not reset
them (it would reset a pumper's allowance).
Reminders are not counted here: the schedule bounds them (at most 4 a cycle, one id each).
"""

from __future__ import annotations

import enum
import hashlib
from collections.abc import Mapping
from datetime import datetime

from redis import Redis

from hotline import keys
from hotline.clock import PARIS

#: How many "already sent today" notices per kind and day (by SMS; a call is told by voice).
NOTICES_PER_KIND = 1

# INCR with the key's expiry set on first use (KEYS[1]; ARGV[1] ttl). Returns the new count.
_TAKE = """
local n = redis.call('INCR', KEYS[1])
if n == 1 then redis.call('EXPIRE', KEYS[1], ARGV[1]) end
return n
"""


class Verdict(enum.Enum):
    SEND = "send"
    NOTICE = "notice"  # over the limit: say so, once
    SILENT = "silent"  # over the limit and already told


class DailyLimits:
    def __init__(self, redis: Redis, limits: Mapping[str, int]):
        """``limits``: sendings per number and day for each kind (settings.SMS_DAILY_LIMITS)."""
        self.redis = redis
        self.limits = dict(limits)
        self._take = redis.register_script(_TAKE)

    def take(self, caller: str | None, kind: str, now: datetime, *, notice: bool = True) -> Verdict:
        """Count one sending of ``kind`` to ``caller`` today; whether it may go (and, past the
        allowance, whether an SMS notice may still say so)."""
        day = now.astimezone(PARIS).strftime("%Y%m%d")
        # A digest of the day and the caller key, not the caller key itself: after a STOP
        # nothing left in Redis can be joined to the number's other data, even for the day.
        who = hashlib.sha256(f"{day}:{caller or '-'}".encode()).hexdigest()[:24]
        if self._count(keys.SMS_LIMIT.format(day=day, kind=kind, caller=who)) <= self.limits[kind]:
            return Verdict.SEND
        if not notice:
            return Verdict.SILENT
        notice_key = keys.SMS_LIMIT.format(day=day, kind="notice-" + kind, caller=who)
        return Verdict.NOTICE if self._count(notice_key) <= NOTICES_PER_KIND else Verdict.SILENT

    def allows(self, caller: str | None, kind: str, now: datetime) -> bool:
        """Count one sending; whether it may go (a call says "already sent" by voice)."""
        return self.take(caller, kind, now, notice=False) is Verdict.SEND

    def _count(self, key: str) -> int:
        return int(self._take(keys=[key], args=[keys.SMS_LIMIT_TTL]))
