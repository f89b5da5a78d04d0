"""The simulator's clock control: shift the shared development clock, then send what is due.

Every process of ``make run`` reads the same offset (hotline.clock.SharedClock), so after a jump
the web app, the worker and the scheduler agree on the date. Sending what is due right away does
what the scheduler's next tick would do; the worker then delivers the SMS to the outbox.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

from hotline.clock import PARIS, SharedClock

#: The furthest the clock control moves in one step, either way (a registration's horizon).
MAX_DAYS = 400


class ClockRefused(ValueError):
    """A clock request that cannot be done; the message says why."""


def shift_for(
    clock: SharedClock, *, days: int | None = None, day: date | None = None, at: time = time(10)
) -> timedelta:
    """The offset that moves the clock ``days`` further, or to ``day`` at ``at`` (Paris time)."""
    if days is not None:
        if not -MAX_DAYS <= days <= MAX_DAYS:
            raise ClockRefused(f"move at most {MAX_DAYS} days at once")
        return clock.shift() + timedelta(days=days)
    if day is not None:
        target = datetime.combine(day, at, tzinfo=PARIS)
        offset = target - clock.base.now()
        if abs(offset) > timedelta(days=3 * MAX_DAYS):
            raise ClockRefused("that date is too far from today")
        return offset
    return timedelta(0)


def state(clock: SharedClock) -> dict:
    now = clock.now().astimezone(PARIS)
    return {
        "now": now.isoformat(timespec="seconds"),
        "offsetSeconds": int(clock.shift().total_seconds()),
    }
