"""Replayed webhooks: a signed request sent again is answered without acting twice.

Twilio's signatures never expire, so anyone who captured one signed request (a proxy log, a
leaked capture) could send it again. An SMS is acted on once per MessageSid; a call step once per
CallSid and step number (the <Gather> action carries ?n=, inside the signed URL).
"""

from __future__ import annotations

import pytest

from hotline import keys
from tests.conftest import NOW


@pytest.fixture
def queued_sms(redis):
    def count() -> int:
        return sum(1 for _ in redis.scan_iter(keys.SMS_MESSAGE.format(id="*")))

    return count


def _registration_count(redis) -> int:
    return sum(1 for _ in redis.scan_iter(keys.REGISTRATION.format(caller="*")))


def test_a_replayed_sms_is_answered_without_acting_twice(new_texter, queued_sms, redis):
    texter = new_texter()
    first = texter.text("RAPPEL 15/03/2027")
    assert first.status == 200 and len(first.texts) == 1
    assert _registration_count(redis) == 1
    redis.delete(*redis.keys(keys.REGISTRATION.format(caller="*")))

    again = texter.resend()
    assert again.status == 200 and again.texts == []  # no second reply: replies cost money
    assert _registration_count(redis) == 0  # and nothing registered again

    # A new message (a new MessageSid) with the same words is served as usual.
    assert texter.text("RAPPEL 15/03/2027").texts == first.texts


def test_a_replayed_stop_erases_nothing_new(new_texter, redis):
    texter = new_texter()
    texter.text("STOP")
    stop = texter.last_form
    texter.text("RAPPEL 15/03/2027")  # the person registers again, later
    assert _registration_count(redis) == 1
    replayed = texter.post(stop)
    assert replayed.status == 200 and replayed.texts == []
    assert _registration_count(redis) == 1


def _register_by_voice(caller, language_key):
    caller.dial()
    caller.press(language_key("fr"))
    caller.press("3")  # a reminder
    caller.press((NOW.date().replace(year=NOW.year + 1)).strftime("%d%m%Y"))
    return caller.press("1")  # "this is the date": the consent question comes next


def test_a_replayed_call_step_does_not_act_twice_nor_advance(
    caller, language_key, queued_sms, redis
):
    consent = _register_by_voice(caller, language_key)
    assert consent.keys[0] == "voice.remind.consent"
    action = consent.gather_action
    form = caller.form(Digits="1", FinishedOnKey="")
    done = caller.post(action, form)
    assert done.keys[0] == "voice.remind.registered"
    sent = queued_sms()
    assert sent == 1 and _registration_count(redis) == 1

    redis.delete(*redis.keys(keys.REGISTRATION.format(caller="*")))
    replayed = caller.post(action, form)
    # The call stays where it is: the current message again, listening with the current step.
    assert replayed.keys == done.keys and replayed.gather_action == done.gather_action
    assert queued_sms() == sent and _registration_count(redis) == 0

    # The call goes on normally from the step it is at.
    assert caller.press("9").keys[0] == "voice.main.title"


def test_a_replayed_first_request_does_not_restart_the_call(caller, language_key):
    caller.dial()
    main = caller.press(language_key("en"))
    assert "voice.main.title" in main.keys
    again = caller.dial()  # the same CallSid coming in again
    # the main menu again (its welcome said once, its hints short the second time)
    options = [k for k in main.keys[1:] if not k.startswith("voice.nav")]
    assert [k for k in again.keys if not k.startswith("voice.nav")] == options
    assert again.keys[-2:] == ["voice.nav_short.repeat", "voice.nav_short.language"]
    assert "voice.language.choose" not in again.keys
    assert again.gather_action == main.gather_action


def test_a_step_of_an_ended_call_is_not_served_as_a_new_call(caller, language_key):
    caller.dial()
    main = caller.press(language_key("en"))
    caller.hang_up()
    late = caller.post(main.gather_action, caller.form(Digits="1"))
    assert late.status == 200 and late.hung_up and late.keys == []
