"""A change to an existing registration never silently replaces it.

A stranger calling "from" a registered number (caller ID is free to spoof) can type another
date. The number then gets an SMS saying what changed, with the word that undoes it; the same
when an SMS registers a date for a number that already has another. STOP is not undoable: it
erases, and the kept copy with it.
"""

from __future__ import annotations

from datetime import timedelta

import pytest

from hotline import keys
from hotline.identity import caller_key
from reminders.service import sms_date
from tests.conftest import NOW, SECRET_KEY

NUMBER = "+33612345678"
FIRST = NOW.date() + timedelta(days=120)
SECOND = NOW.date() + timedelta(days=200)
THIRD = NOW.date() + timedelta(days=250)


def reminder_days(hotline) -> str:
    """The days FIRST's reminders go, registered at NOW: all four are ahead."""
    days = hotline.reminders.reminder_days("fr", FIRST, NOW)
    assert days.count(",") == 2 and " et " in days
    return days


@pytest.fixture
def queued_bodies(redis):
    """The bodies of the SMS queued so far, oldest first."""

    def bodies() -> list[str]:
        found = []
        for key in redis.scan_iter(keys.SMS_MESSAGE.format(id="*")):
            fields = redis.hgetall(key)
            found.append((fields.get(b"created", b""), fields.get(b"body", b"").decode()))
        return [body for _, body in sorted(found)]

    return bodies


def expiry(redis) -> str | None:
    raw = redis.hget(keys.REGISTRATION.format(caller=caller_key(SECRET_KEY, NUMBER)), "e")
    return raw.decode() if raw else None


def register_by_voice(new_caller, language_key, day):
    caller = new_caller(number=NUMBER)
    caller.dial()
    heard = caller.press(language_key("fr"))
    if "voice.language.other" in heard.keys:  # a number that chose French before: confirm it
        caller.press("1")
    caller.press("3")  # a reminder
    caller.press(day.strftime("%d%m%Y"))
    caller.press("1")
    assert caller.press("1").keys[0] == "voice.remind.registered"
    caller.hang_up()


def test_a_date_changed_by_a_call_is_told_by_sms_and_undone_by_a_word(
    new_caller, language_key, new_texter, hotline, redis, queued_bodies
):
    register_by_voice(new_caller, language_key, FIRST)
    assert queued_bodies()[-1] == hotline.content.text(
        "sms.remind.confirm", "fr", date=sms_date(FIRST), reminders=reminder_days(hotline)
    )
    due_before = redis.zscore(keys.REMINDERS_DUE, caller_key(SECRET_KEY, NUMBER))

    # A stranger calls "from" the same number and types another date.
    register_by_voice(new_caller, language_key, SECOND)
    assert expiry(redis) == SECOND.isoformat()
    told = hotline.content.text(
        "sms.remind.changed", "fr", old=sms_date(FIRST), date=sms_date(SECOND)
    )
    assert queued_bodies()[-1] == told and "RETABLIR" in told

    # And again: the kept copy is still the person's own date.
    register_by_voice(new_caller, language_key, THIRD)

    person = new_texter(number=NUMBER)
    done = person.text("RETABLIR")
    assert done.texts == [hotline.content.text("sms.undo.done", "fr", date=sms_date(FIRST))]
    assert expiry(redis) == FIRST.isoformat()
    assert redis.zscore(keys.REMINDERS_DUE, caller_key(SECRET_KEY, NUMBER)) == due_before
    assert person.text("UNDO").texts == [hotline.content.text("sms.undo.nothing", "fr")]


def test_the_same_date_again_is_a_plain_confirmation(
    new_caller, language_key, hotline, queued_bodies
):
    register_by_voice(new_caller, language_key, FIRST)
    register_by_voice(new_caller, language_key, FIRST)
    confirm = hotline.content.text(
        "sms.remind.confirm", "fr", date=sms_date(FIRST), reminders=reminder_days(hotline)
    )
    assert queued_bodies()[-2:] == [confirm, confirm]


def test_an_sms_replacing_a_date_says_so_and_can_be_undone(new_texter, hotline, redis):
    texter = new_texter(number=NUMBER)
    texter.text(f"RAPPEL {sms_date(FIRST)}")
    changed = texter.text(f"RAPPEL {sms_date(SECOND)}")
    assert changed.texts == [
        hotline.content.text("sms.remind.changed", "fr", old=sms_date(FIRST), date=sms_date(SECOND))
    ]
    assert texter.text("RETABLIR").texts[0].endswith(f"{sms_date(FIRST)}.")
    assert expiry(redis) == FIRST.isoformat()


def test_stop_erases_the_kept_copy_too(new_texter, redis):
    texter = new_texter(number=NUMBER)
    texter.text(f"RAPPEL {sms_date(FIRST)}")
    texter.text(f"RAPPEL {sms_date(SECOND)}")
    caller = caller_key(SECRET_KEY, NUMBER)
    assert redis.exists(keys.REGISTRATION_UNDO.format(caller=caller))
    assert 0 < redis.ttl(keys.REGISTRATION_UNDO.format(caller=caller)) <= 14 * 24 * 3600
    texter.text("STOP")
    assert not redis.exists(keys.REGISTRATION_UNDO.format(caller=caller))
    assert expiry(redis) is None
    texter.text("RETABLIR")
    assert expiry(redis) is None


def test_no_change_without_its_sms_once_todays_allowance_is_spent(
    new_caller, language_key, new_texter, redis, queued_bodies
):
    """A stranger cannot first spend the number's confirmations for the day, then change the
    date unseen: with no SMS left to tell the person, the date stays."""
    texter = new_texter(number=NUMBER)
    for _ in range(3):  # SMS_DAILY_LIMITS: confirmation=3
        texter.text(f"RAPPEL {sms_date(FIRST)}")
    sent = len(queued_bodies())
    caller = new_caller(number=NUMBER)
    caller.dial()
    caller.press("1")  # the language offer (French, chosen by the SMS)
    caller.press("5")
    caller.press(SECOND.strftime("%d%m%Y"))
    caller.press("1")
    refused = caller.press("1")
    assert refused.keys[0] == "voice.remind.limit"
    assert expiry(redis) == FIRST.isoformat()
    assert len(queued_bodies()) == sent
