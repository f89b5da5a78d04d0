"""The whole life of a registration, through real HTTP, a real Redis, real RQ workers and a local
server speaking Twilio's Messages API: from the keypad or an SMS to the reminders and STOP."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest

from devtools.fake_twilio import Reply
from hotline import keys
from hotline.clock import PARIS
from hotline.identity import caller_key
from tests.caller import Caller, spoken_texts
from tests.conftest import AUTH_TOKEN, SECRET_KEY
from tests.texter import Texter
from wiring.worker import build_worker


def paris(*args) -> datetime:
    return datetime(*args, tzinfo=PARIS)


@pytest.fixture
def caller(sms) -> Caller:
    return Caller(sms.url, AUTH_TOKEN, spoken_texts(sms.hotline), audio=sms.hotline.audio)


@pytest.fixture
def texter(sms) -> Texter:
    return Texter(sms.url, AUTH_TOKEN)


def texts_to(sms, number: str) -> list[str]:
    return [m["body"] for m in sms.fake.created if m["to"] == number]


def erasures(redis) -> dict[str, int]:
    """Every day's tally of erasures, by reason."""
    pattern = keys.ERASURES.format(day="*")
    tally: dict[str, int] = {}
    for key in redis.scan_iter(match=pattern):
        for reason, count in redis.hgetall(key).items():
            tally[reason.decode()] = tally.get(reason.decode(), 0) + int(count)
    return tally


def run_reminder_job(sms, now: datetime) -> None:
    """What the clock does every minute: queue the job, and a worker runs it (then the SMS)."""
    sms.queue.enqueue("workers.reminders.send_due_reminders", now.isoformat())
    sms.work()


def test_register_by_keypad_then_get_every_reminder(sms, caller, clock):
    say = sms.hotline.content.text
    caller.dial()
    caller.press("1")  # français
    ask = caller.press("3")
    assert ask.keys[0] == "voice.remind.ask"
    readback = caller.press("15032027")
    assert readback.keys[0] == "voice.remind.you_typed"
    assert any("15 mars 2027" in text for text, _ in readback.says)  # the date said back
    assert "voice.remind.correct" in readback.keys
    consent = caller.press("1")
    assert consent.keys[0] == "voice.remind.consent"
    done = caller.press("1")
    assert done.keys[0] == "voice.remind.registered"

    caller_id = caller_key(SECRET_KEY, caller.number)
    registration = sms.hotline.reminders.store.get(caller_id)
    assert registration.expiry == date(2027, 3, 15) and registration.channel == "voice"

    sms.work()  # the confirmation SMS
    assert texts_to(sms, caller.number) == [
        say(
            "sms.remind.confirm",
            "fr",
            date="15/03/2027",
            reminders="13 février, 1 mars, 8 mars et 16 mars",
        )
    ]

    for moment, kind, in_days in [
        (paris(2027, 2, 13, 10, 1), "before", "dans 30 jours"),
        (paris(2027, 3, 1, 10, 1), "before", "dans 14 jours"),
        (paris(2027, 3, 8, 10, 1), "before", "dans 7 jours"),
        (paris(2027, 3, 16, 10, 1), "after", ""),
    ]:
        run_reminder_job(sms, moment)
        run_reminder_job(sms, moment + timedelta(minutes=1))  # the next run sends nothing more
        assert texts_to(sms, caller.number)[-1] == say(
            f"sms.reminder.{kind}", "fr", date="15 mars 2027", in_days=in_days
        )
    assert len(texts_to(sms, caller.number)) == 5
    run_reminder_job(sms, paris(2027, 4, 15, 10, 2))
    assert sms.hotline.reminders.store.get(caller_id) is None  # purged after 30 days


def test_register_by_sms_in_english_and_stop_before_a_queued_reminder_goes(sms, texter):
    texter.text("LANG en")
    texter.text("REMIND 15.03.2027")
    # The reminder is due and queued as an SMS job...
    sms.queue.enqueue("workers.reminders.send_due_reminders", paris(2027, 2, 13, 11).isoformat())
    build_worker(sms.parts, sms.queue, kind="simple").work(burst=True, max_jobs=1)
    # ...then STOP arrives before a worker sends it.
    stop = texter.text("STOP")
    assert stop.texts == [sms.hotline.content.text("sms.stop.confirm", "en")]
    sms.work()
    assert texts_to(sms, texter.number) == []
    assert sms.hotline.reminders.store.count() == 0


def test_a_number_that_sent_stop_to_its_carrier_leaves_the_reminders(sms, texter):
    texter.text("RAPPEL 15/03/2027")
    sms.fake.script(Reply.error(21610))
    run_reminder_job(sms, paris(2027, 2, 13, 11))
    caller_id = caller_key(SECRET_KEY, texter.number)
    assert sms.hotline.reminders.store.get(caller_id) is None
    assert erasures(sms.redis) == {"opt_out:21610": 1}
    assert sms.hotline.reminders.store.audit_trail(caller_id) == []


@pytest.mark.parametrize(("code", "reason"), [(21211, "invalid_number"), (21614, "not_mobile")])
def test_invalid_or_landline_numbers_are_dropped_with_their_reason(sms, texter, code, reason):
    texter.text("RAPPEL 15/03/2027")
    sms.fake.script(Reply.error(code))
    run_reminder_job(sms, paris(2027, 2, 13, 11))
    caller_id = caller_key(SECRET_KEY, texter.number)
    assert sms.hotline.reminders.store.get(caller_id) is None
    assert erasures(sms.redis) == {f"{reason}:{code}": 1}


def test_quiet_hours_and_catch_up_from_the_command_line(sms, texter):
    texter.text("RAPPEL 15/03/2027")
    runner = sms.app.test_cli_runner()
    night = runner.invoke(args=["reminders", "send-due", "--now", "2027-03-09T23:00:00+01:00"])
    assert "1 waiting" in night.output
    sms.work()
    assert texts_to(sms, texter.number) == []
    morning = runner.invoke(args=["reminders", "send-due", "--now", "2027-03-10T09:00:00+01:00"])
    assert "1 sent" in morning.output
    sms.work()
    # three reminders were missed; only the most recent (7 days before) goes
    assert texts_to(sms, texter.number) == [
        sms.hotline.content.text(
            "sms.reminder.before", "fr", date="15 mars 2027", in_days="dans 5 jours"
        )
    ]


def test_list_masks_numbers_and_forget_erases(sms, texter):
    texter.text("RAPPEL 15/03/2027")
    runner = sms.app.test_cli_runner()
    listed = runner.invoke(args=["reminders", "list"])
    assert texter.number not in listed.output
    assert f'"number": "{texter.number[:3]}…{texter.number[-2:]}"' in listed.output
    assert '"expiry": "2027-03-15"' in listed.output
    forgotten = runner.invoke(args=["reminders", "forget", texter.number])
    assert "erased" in forgotten.output
    assert sms.hotline.reminders.store.count() == 0
    assert runner.invoke(args=["reminders", "forget", "not a number"]).exit_code != 0


@pytest.mark.parametrize(
    ("typed", "heard"),
    [
        ("31022027", "voice.remind.not_a_date"),
        ("15032029", "voice.remind.too_far"),
        ("123", "voice.remind.not_a_date"),
    ],
)
def test_impossible_or_far_dates_can_be_typed_again(sms, caller, language_key, typed, heard):
    caller.dial()
    caller.press(language_key("en"))
    caller.press("3")
    answer = caller.press(typed)
    assert answer.keys[0] == heard
    assert "voice.remind.ask" in answer.keys
    assert caller.press("15032027").keys[0] == "voice.remind.you_typed"


def test_a_past_date_gets_the_expired_guidance_by_voice_and_sms(sms, caller, language_key):
    caller.dial()
    caller.press(language_key("en"))
    caller.press("3")
    answer = caller.press("01112026")
    assert answer.keys[0] == "voice.remind.past"
    assert answer.listening  # another date may be typed
    sms.work()
    assert texts_to(sms, caller.number) == [sms.hotline.content.text("sms.remind.past", "en")]
    assert sms.hotline.reminders.store.count() == 0


def test_retyping_and_refusing_keep_nothing(sms, caller):
    caller.dial()
    caller.press("1")
    caller.press("3")
    caller.press("15032027")
    assert caller.press("2").keys[0] == "voice.remind.ask"  # type another date
    caller.press("16032027")
    caller.press("1")
    assert caller.press("2").keys[0] == "voice.remind.refused"
    sms.work()
    assert sms.hotline.reminders.store.count() == 0
    assert texts_to(sms, caller.number) == []


def test_steps_by_sms_after_a_key_press(sms, caller):
    caller.dial()
    caller.press("1")
    steps = caller.press("1")
    assert "voice.steps.sms" in steps.keys  # offered on the first and the last step
    assert caller.press("3").keys[0] == "voice.sms_steps.sent"
    sms.work()
    say = sms.hotline.content.text
    assert texts_to(sms, caller.number) == [say("sms.steps_1", "fr"), say("sms.steps_2", "fr")]


def test_a_withheld_number_is_told_no_sms_can_be_sent(sms):
    withheld = Caller(sms.url, AUTH_TOKEN, spoken_texts(sms.hotline), number="anonymous")
    withheld.dial()
    withheld.press("1")
    assert withheld.press("3").keys[0] == "voice.sms_steps.no_number"
    assert withheld.press("9").keys[0] == "voice.main.title"
    withheld.press("1")
    assert withheld.press("3").keys[0] == "voice.sms_steps.no_number"


def test_stop_then_the_same_date_again_still_gets_the_reminder(sms, texter):
    """The withdrawn reminder's message id must not swallow the new registration's."""
    due = paris(2027, 2, 13, 11)
    reminder = sms.hotline.content.text(
        "sms.reminder.before", "fr", date="15 mars 2027", in_days="dans 30 jours"
    )
    texter.text("RAPPEL 15/03/2027")
    assert sms.hotline.reminders.send_all_due(due) == {"sent": 1}  # queued, not yet sent
    texter.text("STOP")
    sms.work()  # the queued reminder is withdrawn: the person left
    assert texts_to(sms, texter.number) == []

    texter.text("RAPPEL 15/03/2027")  # back, the same date, within the message-id window
    assert sms.hotline.reminders.send_all_due(due) == {"sent": 1}
    sms.work()
    assert texts_to(sms, texter.number) == [reminder]


def test_the_same_date_twice_is_still_one_reminder(sms, texter):
    due = paris(2027, 2, 13, 11)
    texter.text("RAPPEL 15/03/2027")
    sms.hotline.reminders.send_all_due(due)
    sms.work()
    texter.text("RAPPEL 15/03/2027")  # asked again after the reminder went: not sent twice
    sms.hotline.reminders.send_all_due(due)
    sms.work()
    assert len(texts_to(sms, texter.number)) == 1
