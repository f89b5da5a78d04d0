"""When a reminder call may be dialled, and how often it is tried: a pure function of the clock.

A call rings in someone's pocket, so it keeps to daytime hours in Europe/Paris (the reminders'
sending window, 09:00-19:00) and, unless configured, not on Sunday. A call nobody answered (no
answer, busy, failed) is tried again ``retries`` times, each at least ``retry_minutes`` after the
one before and inside those hours; after the last try the reminder falls back to SMS or to the
audit trail (reminders.calls).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, time, timedelta

from hotline.clock import PARIS

SUNDAY = 6


@dataclass(frozen=True)
class CallPolicy:
    retries: int = 2
    retry_minutes: int = 120
    window_start: time = time(9, 0)
    window_end: time = time(19, 0)
    sunday: bool = False
    #: Seconds Twilio lets the phone ring before "no-answer" (Twilio's default is 60).
    ring_seconds: int = 30

    def __post_init__(self) -> None:
        if not 0 <= self.retries <= 5:
            raise ValueError("REMINDER_CALL_RETRIES must be between 0 and 5")
        if self.retry_minutes < 1:
            raise ValueError("REMINDER_CALL_RETRY_MINUTES must be at least 1")
        if not self.window_start < self.window_end:
            raise ValueError("the calling hours must start before they end")

    @property
    def tries(self) -> int:
        """How many times one reminder may ring: the first try and its retries."""
        return 1 + self.retries

    def allows(self, moment: datetime) -> bool:
        local = moment.astimezone(PARIS)
        if local.weekday() == SUNDAY and not self.sunday:
            return False
        return self.window_start <= local.time() < self.window_end

    def next_allowed(self, moment: datetime) -> datetime:
        """The earliest instant at or after ``moment`` when a call may ring."""
        local = moment.astimezone(PARIS)
        for _ in range(8):
            if self.allows(local):
                return local
            day = local.date() if local.time() < self.window_start else local.date() + timedelta(1)
            local = datetime.combine(day, self.window_start, tzinfo=PARIS)
        raise AssertionError("no calling hours in a week")  # __post_init__ makes this impossible

    def retry_at(self, failed_at: datetime) -> datetime:
        """When to try again after an unanswered try at ``failed_at``."""
        return self.next_allowed(failed_at + timedelta(minutes=self.retry_minutes))


DEFAULT_CALL_POLICY = CallPolicy()
