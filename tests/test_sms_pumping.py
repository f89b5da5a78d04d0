"""Nobody can make the hotline send SMS without end: one abusive call, one abusive texter, numbers
abroad or landlines, and a flood of replies ahead of a reminder."""

from __future__ import annotations

from collections import Counter
from datetime import date, datetime

import pytest

from devtools.fake_twilio import FakeTwilio
from hotline.clock import PARIS
from hotline.identity import caller_key
from hotline.settings import DEFAULT_SMS_LIMITS, Settings, SettingsError
from tests.caller import Caller, spoken_texts
from tests.conftest import AUTH_TOKEN, SECRET_KEY
from tests.texter import Texter

GB_MOBILE = "+447911123456"
PARIS_LANDLINE = "+33140000000"
GUADELOUPE_MOBILE = "+590690001234"
LIMITS = dict(DEFAULT_SMS_LIMITS)


@pytest.fixture
def caller(sms) -> Caller:
    return Caller(sms.url, AUTH_TOKEN, spoken_texts(sms.hotline), audio=sms.hotline.audio)


def sent_to(fake: FakeTwilio, number: str) -> list[str]:
    return [m["body"] for m in fake.created if m["to"] == number]


def test_one_call_pressing_150_keys_sends_the_steps_twice(sms, caller):
    caller.dial()
    caller.press("1")  # français
    presses, heard = 1, Counter()
    while presses + 3 <= 150:
        caller.press("1")  # the steps...
        after = caller.press("3")  # ...by SMS
        heard[after.keys[0]] += 1
        caller.press("9")  # main menu, and again
        presses += 3
    sms.work()
    steps = [sms.hotline.content.text(k, "fr") for k in ("sms.steps_1", "sms.steps_2")]
    sent = sent_to(sms.fake, caller.number)
    print(f"\n{presses} key presses in one call: {len(sent)} SMS sent")
    assert sent == steps * LIMITS["steps"]
    assert heard["voice.sms_steps.sent"] == LIMITS["steps"]
    assert heard["voice.sms_steps.already_sent"] == 49 - LIMITS["steps"]


def test_one_texter_sending_100_etapes_gets_the_steps_twice_then_one_notice(sms):
    texter = Texter(sms.url, AUTH_TOKEN)
    say = sms.hotline.content.text
    replies = [text for _ in range(100) for text in texter.text("ETAPES").texts]
    steps = [say("sms.steps_1", "fr"), say("sms.steps_2", "fr")]
    print(f"\n100 ETAPES texts: {len(replies)} SMS in reply")
    assert replies == steps * LIMITS["steps"] + [say("sms.limit.steps", "fr")]


def test_every_command_a_hundred_times_stays_under_a_day_s_bound(sms):
    texter = Texter(sms.url, AUTH_TOKEN)
    commands = ["ETAPES", "AIDE", "RAPPEL 15/03/2027", "LANGUE en", "START", "STOP", "xyz"]
    replies = [t for _ in range(100) for command in commands for t in texter.text(command).texts]
    sms.work()
    total = len(replies) + len(sent_to(sms.fake, texter.number))
    # each kind its allowance (the steps are 2 SMS each time) plus one notice
    bound = sum(n * (2 if kind == "steps" else 1) + 1 for kind, n in LIMITS.items())
    print(f"\n700 texts of every kind: {total} SMS (bound {bound})")
    assert total <= bound


@pytest.mark.parametrize("number", [GB_MOBILE, PARIS_LANDLINE])
def test_numbers_abroad_and_landlines_get_no_sms(sms, number):
    texter = Texter(sms.url, AUTH_TOKEN, number=number)
    assert texter.text("ETAPES").texts == []
    assert texter.text("RAPPEL 15/03/2027").texts == []
    assert sms.hotline.reminders.store.count() == 0
    sms.outbound.enqueue(number, "Bonjour")  # refused at the queue too
    caller = Caller(sms.url, AUTH_TOKEN, spoken_texts(sms.hotline), number=number)
    caller.dial()
    caller.press("1")
    # A reminder: a landline in France may have reminder calls; a number abroad nothing.
    reminder = "voice.remind.ask" if number == PARIS_LANDLINE else "voice.sms_steps.not_textable"
    assert caller.press("3").keys[0] == reminder
    caller.press("9")
    caller.press("4")  # the blocked account
    assert caller.press("1").keys[0] == "voice.sms_steps.not_textable"  # its email by SMS
    sms.work()
    assert sms.fake.created == []


def test_overseas_departments_are_texted(sms):
    texter = Texter(sms.url, AUTH_TOKEN, number=GUADELOUPE_MOBILE)
    assert len(texter.text("ETAPES").texts) == 2


def test_a_reminder_goes_before_a_hundred_queued_replies(sms, clock):
    registered = "+33612345678"
    sms.hotline.reminders.register(
        number=registered,
        lang="fr",
        prefecture="val-de-marne",
        expiry=date(2027, 3, 15),
        channel="sms",
        now=clock.now(),
    )
    for n in range(100):
        sms.enqueue(f"Réponse {n}", number=f"+3361000{n:04d}")
    assert sms.hotline.reminders.send_all_due(datetime(2027, 2, 13, 11, tzinfo=PARIS)) == {
        "sent": 1
    }
    sms.work()  # a real RQ worker, on the Procfile's queues
    assert len(sms.fake.created) == 101
    assert sms.fake.created[0]["to"] == registered


def test_limits_and_countries_are_settings():
    base = {"HOTLINE_MODE": "development"}
    settings = Settings.from_env(
        {**base, "SMS_ALLOWED_COUNTRIES": "fr, re", "SMS_DAILY_LIMITS": "steps=1,reply=9"}
    )
    assert settings.sms_allowed_countries == ("FR", "RE")
    assert dict(settings.sms_daily_limits)["steps"] == 1
    assert dict(settings.sms_daily_limits)["confirmation"] == LIMITS["confirmation"]
    for wrong in ({"SMS_ALLOWED_COUNTRIES": "France"}, {"SMS_DAILY_LIMITS": "steps=²"}):
        with pytest.raises(SettingsError):
            Settings.from_env({**base, **wrong})


def test_a_caller_changing_the_date_again_and_again_is_stopped_not_silenced(sms, caller):
    """Past the confirmation allowance a date is not changed at all: a change is never made
    without the SMS that tells the number (a spoofed caller ID cannot exhaust it and then
    change the date unseen)."""
    caller.dial()
    caller.press("1")  # français
    heard = []
    for day in range(10, 16):  # six different dates
        caller.press("3")  # a reminder
        caller.press(f"{day}032027")
        caller.press("1")  # that is the right date
        caller.press("1")  # yes, remind me
        heard.append(caller.press("2").keys[0])  # by SMS
        caller.press("9")
    allowed = LIMITS["confirmation"]
    assert heard == ["voice.remind.registered"] * allowed + ["voice.remind.limit"] * (6 - allowed)
    registration = sms.hotline.reminders.store.get(caller_key(SECRET_KEY, caller.number))
    assert registration is not None and registration.expiry == date(2027, 3, 9 + allowed)
    sms.work()
    assert len(sent_to(sms.fake, caller.number)) == allowed  # each change told, no more


def test_a_number_s_reach_is_remembered_by_its_hash_only_and_bounded(monkeypatch):
    """Each key press asks whether the caller can get an SMS or a call: the answer is worked
    out once per caller, remembered under the keyed hash (never the number), in a table that
    stays bounded however many callers come."""
    from hotline import sms_destinations
    from hotline.sms_destinations import Destinations

    destinations = Destinations(["FR"])
    mobile, landline, abroad = "+33612345678", "+33145678901", "+447700900123"
    for number in (mobile, landline, abroad):
        key = caller_key(SECRET_KEY, number)
        assert destinations.reach(number, key) == (
            destinations.allows(number),
            destinations.allows_call(number),
        )
    assert destinations.reach(mobile, caller_key(SECRET_KEY, mobile)) == (True, True)
    assert destinations.reach(landline, caller_key(SECRET_KEY, landline)) == (False, True)
    assert destinations.reach(abroad, caller_key(SECRET_KEY, abroad)) == (False, False)
    assert destinations.reach(None, None) == (False, False)
    remembered = repr(destinations._reach)
    assert all(n not in remembered and n[1:] not in remembered for n in (mobile, landline, abroad))

    parsed = []
    monkeypatch.setattr(sms_destinations.Destinations, "refusal", lambda s, n: parsed.append(n))
    key = caller_key(SECRET_KEY, mobile)
    assert destinations.reach(mobile, key) == (True, True)
    assert parsed == []  # remembered: not parsed again
    monkeypatch.setattr(sms_destinations, "REACH_CACHE", 8)
    for i in range(50):
        destinations.reach(f"+336000000{i:02d}", f"k{i}")
    assert len(destinations._reach) <= 8
