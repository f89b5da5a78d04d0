"""When reminders go out: a pure function of the expiry date, the policy and the clock.

The ADP lasts 6 months. Reminders go 30, 14 and 7 days before it expires and the day after
(configurable), each at a daytime hour in Europe/Paris, never at night. A registration remembers
only which reminder comes next; after an outage only the most recent missed reminder goes out,
never a burst of stale ones. Its data is deleted some days after the last reminder.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from enum import Enum

from hotline.clock import PARIS
from hotline.reminder_policy import DEFAULT_POLICY, Policy

__all__ = ["DEFAULT_POLICY", "Policy"]  # the policy is configuration (core); applied here


class DateCheck(Enum):
    OK = "ok"
    PAST = "past"  # already expired: give the "expired" guidance at once
    TOO_FAR = "too_far"  # more than about 12 months ahead: surely a typing error


def check_expiry(expiry: date, today: date, policy: Policy = DEFAULT_POLICY) -> DateCheck:
    if expiry < today:
        return DateCheck.PAST
    if expiry > today + timedelta(days=policy.horizon_days):
        return DateCheck.TOO_FAR
    return DateCheck.OK


def planned_at(expiry: date, index: int, policy: Policy) -> datetime:
    """When reminder ``index`` is planned (aware, Paris time)."""
    day = expiry + timedelta(days=policy.offsets[index])
    return datetime.combine(day, policy.send_at, tzinfo=PARIS)


def kind_of(index: int, policy: Policy) -> str:
    """The catalog's name for reminder ``index``: ``before`` expiry or ``after``."""
    return "before" if policy.offsets[index] <= 0 else "after"


def first_index(expiry: date, registered_at: datetime, policy: Policy = DEFAULT_POLICY) -> int:
    """The first reminder still ahead when someone registers (len(offsets) when none is)."""
    for index in range(len(policy.offsets)):
        if planned_at(expiry, index, policy) > registered_at:
            return index
    return len(policy.offsets)


def in_window(moment: datetime, policy: Policy) -> bool:
    local = moment.astimezone(PARIS).time()
    return policy.window_start <= local < policy.window_end


def next_window_opening(moment: datetime, policy: Policy) -> datetime:
    """The earliest instant at or after ``moment`` inside the sending window."""
    local = moment.astimezone(PARIS)
    if in_window(local, policy):
        return local
    day = local.date() if local.time() < policy.window_start else local.date() + timedelta(days=1)
    return datetime.combine(day, policy.window_start, tzinfo=PARIS)


@dataclass(frozen=True)
class Send:
    """Send reminder ``index`` now; the ones before it are stale and skipped."""

    index: int
    skipped: tuple[int, ...] = ()


@dataclass(frozen=True)
class Wait:
    """Nothing to do before ``until``."""

    until: datetime


@dataclass(frozen=True)
class Purge:
    """Every reminder has gone and the retention time is over: delete the registration."""


Action = Send | Wait | Purge


def next_action(
    expiry: date, next_index: int, now: datetime, policy: Policy = DEFAULT_POLICY
) -> Action:
    """What to do for a registration whose next reminder is ``next_index``, at ``now``."""
    count = len(policy.offsets)
    if next_index >= count:
        last = planned_at(expiry, count - 1, policy)
        purge_at = last + timedelta(days=policy.retention_days)
        return Purge() if now >= purge_at else Wait(purge_at)
    due = [i for i in range(next_index, count) if planned_at(expiry, i, policy) <= now]
    if not due:
        return Wait(planned_at(expiry, next_index, policy))
    if not in_window(now, policy):
        return Wait(next_window_opening(now, policy))
    return Send(index=due[-1], skipped=tuple(due[:-1]))


def days_until(expiry: date, moment: datetime) -> int:
    """Whole days from ``moment``'s date in Paris to the expiry: what a reminder counts down."""
    return (expiry - moment.astimezone(PARIS).date()).days
