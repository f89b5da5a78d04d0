"""When reminders go out: daytime only, once each, only the latest after an outage, then purge."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest

from reminders.schedule import (
    PARIS,
    DateCheck,
    Policy,
    Purge,
    Send,
    Wait,
    check_expiry,
    first_index,
    kind_of,
    next_action,
    next_window_opening,
    planned_at,
)

EXPIRY = date(2027, 3, 15)
P = Policy()


def paris(*args) -> datetime:
    return datetime(*args, tzinfo=PARIS)


@pytest.mark.parametrize(
    ("expiry", "check"),
    [
        (date(2026, 11, 25), DateCheck.PAST),
        (date(2026, 11, 26), DateCheck.OK),
        (date(2027, 11, 26), DateCheck.OK),
        (date(2027, 11, 28), DateCheck.TOO_FAR),
    ],
)
def test_dates_are_checked_against_today(expiry, check):
    assert check_expiry(expiry, date(2026, 11, 26)) is check


def test_reminders_are_planned_30_14_7_days_before_and_the_day_after_at_10():
    planned = [planned_at(EXPIRY, i, P) for i in range(4)]
    assert planned == [
        paris(2027, 2, 13, 10),
        paris(2027, 3, 1, 10),
        paris(2027, 3, 8, 10),
        paris(2027, 3, 16, 10),
    ]
    assert [kind_of(i, P) for i in range(4)] == ["before", "before", "before", "after"]


def test_a_late_registration_starts_with_the_next_reminder_ahead():
    assert first_index(EXPIRY, paris(2026, 12, 1), P) == 0
    assert first_index(EXPIRY, paris(2027, 3, 5), P) == 2
    assert first_index(EXPIRY, paris(2027, 3, 15, 12), P) == 3


def test_nothing_is_due_before_its_time():
    assert next_action(EXPIRY, 0, paris(2027, 2, 13, 9, 59), P) == Wait(paris(2027, 2, 13, 10))


def test_a_due_reminder_is_sent():
    assert next_action(EXPIRY, 0, paris(2027, 2, 13, 10), P) == Send(0)


def test_at_night_a_due_reminder_waits_for_nine_in_the_morning():
    # found due at 23:30 (say after an outage): not sent before 09:00 the next day
    assert next_action(EXPIRY, 1, paris(2027, 3, 1, 23, 30), P) == Wait(paris(2027, 3, 2, 9))
    assert next_action(EXPIRY, 1, paris(2027, 3, 2, 8, 59), P) == Wait(paris(2027, 3, 2, 9))
    assert next_action(EXPIRY, 1, paris(2027, 3, 2, 9), P) == Send(1)


def test_after_an_outage_only_the_most_recent_missed_reminder_goes():
    assert next_action(EXPIRY, 0, paris(2027, 3, 10, 11), P) == Send(2, skipped=(0, 1))
    assert next_action(EXPIRY, 1, paris(2027, 3, 20, 11), P) == Send(3, skipped=(1, 2))


def test_after_the_last_reminder_the_data_is_purged_after_the_retention_time():
    last = planned_at(EXPIRY, 3, P)
    assert next_action(EXPIRY, 4, last + timedelta(days=1), P) == Wait(last + timedelta(days=30))
    assert next_action(EXPIRY, 4, last + timedelta(days=30), P) == Purge()


def test_the_window_crosses_daylight_saving_time():
    # Paris changes to summer time on 28 March 2027 at 02:00
    opening = next_window_opening(paris(2027, 3, 27, 22), P)
    assert opening == paris(2027, 3, 28, 9)
    assert opening.utcoffset() == timedelta(hours=2)


@pytest.mark.parametrize(
    "kwargs", [{"offsets": (-7, -14)}, {"offsets": ()}, {"send_at": datetime(1, 1, 1, 20).time()}]
)
def test_a_policy_that_makes_no_sense_is_refused(kwargs):
    with pytest.raises(ValueError):
        Policy(**kwargs)
