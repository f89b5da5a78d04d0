"""The SMS line over signed HTTP: keywords in several languages, forgiving, never silent."""

from __future__ import annotations

from datetime import date

import pytest

from hotline import keys
from hotline.identity import caller_key
from tests.conftest import NOW, SECRET_KEY

#: The days of the reminders for an ADP ending on 15 March 2027, registered on 26 November 2026.
FOUR_REMINDERS = "13 février, 1 mars, 8 mars et 16 mars"


@pytest.fixture
def say(hotline):
    """What the hotline texts, by catalog key and language."""

    def text(key: str, lang: str, **params) -> str:
        return hotline.content.text(key, lang, **params)

    return text


@pytest.mark.parametrize(
    ("word", "lang"), [("AIDE", "fr"), ("aide", "fr"), ("Help", "en"), ("?", "fr")]
)
def test_help_in_the_language_of_the_keyword(texter, say, word, lang):
    assert texter.text(word).texts == [say("sms.help", lang)]


@pytest.mark.parametrize(("word", "lang"), [("ETAPES", "fr"), ("étapes", "fr"), ("  steps ", "en")])
def test_steps_come_in_two_messages(texter, say, word, lang):
    assert texter.text(word).texts == [say("sms.steps_1", lang), say("sms.steps_2", lang)]


@pytest.mark.parametrize(
    "body",
    [
        "",
        "bonjour",
        "x" * 2000,
        "مرحبا كيف حالك",
        "\u202eRTL override",
        "<Response/>",
        "RAPPEL",
    ],
)
def test_anything_unrecognised_gets_the_help_message(texter, say, body):
    replies = texter.text(body)
    assert replies.status == 200
    expected = say("sms.remind.bad_date", "fr") if body == "RAPPEL" else say("sms.help", "fr")
    assert replies.texts == [expected]


@pytest.mark.parametrize(
    "body", ["RAPPEL 15/03/2027", "rappel 15-03-2027", "Rappel 15.03.2027", "RAPPEL 15032027"]
)
def test_registering_by_sms_in_the_usual_date_formats(texter, say, hotline, body):
    assert texter.text(body).texts == [
        say("sms.remind.confirm", "fr", date="15/03/2027", reminders=FOUR_REMINDERS)
    ]
    registration = hotline.reminders.store.get(caller_key(SECRET_KEY, texter.number))
    assert registration.expiry == date(2027, 3, 15)
    assert registration.channel == "sms" and registration.lang == "fr"


@pytest.mark.parametrize(
    ("body", "expiry", "reminders"),
    [
        ("RAPPEL 10/12/2026", "10/12/2026", "3 décembre et 11 décembre"),
        ("RAPPEL 01/12/2026", "01/12/2026", "2 décembre"),
        ("RAPPEL 26/11/2026", "26/11/2026", "27 novembre"),
    ],
)
def test_the_confirmation_names_only_the_reminders_that_will_go(
    texter, say, body, expiry, reminders
):
    # registered on 26 November 2026 at 15:00: the reminders already past are not promised
    assert texter.text(body).texts == [
        say("sms.remind.confirm", "fr", date=expiry, reminders=reminders)
    ]


def test_a_past_date_gets_the_expired_guidance_at_once(texter, say, hotline):
    assert texter.text("REMIND 01/11/2026").texts == [say("sms.remind.past", "en")]
    assert hotline.reminders.store.count() == 0


@pytest.mark.parametrize(
    ("body", "key"),
    [("RAPPEL 31/02/2027", "sms.remind.bad_date"), ("RAPPEL 15/03/2029", "sms.remind.too_far")],
)
def test_impossible_or_far_dates_are_answered_clearly(texter, say, hotline, body, key):
    assert texter.text(body).texts == [say(key, "fr")]
    assert hotline.reminders.store.count() == 0


def test_the_reply_language_follows_the_last_choice(texter, say):
    assert texter.text("LANGUE en").texts == [say("sms.lang.confirm", "en")]
    assert texter.text("AIDE").texts == [say("sms.help", "en")]
    assert texter.text("LANG fr").texts == [say("sms.lang.confirm", "fr")]
    assert texter.text("HELP").texts == [say("sms.help", "fr")]


def test_an_unknown_language_lists_the_languages_by_name(texter, say, hotline):
    names = ", ".join(lang.name for lang in hotline.content.languages)
    # every catalog language, SMS need no audio
    assert names.startswith("Français, دری, پښتو, العربية")
    assert texter.text("LANGUE xx").texts == [say("sms.lang.unknown", "fr", names=names)]


def test_a_language_chosen_on_a_call_is_kept_for_texts(new_caller, new_texter, say, language_key):
    caller = new_caller()
    caller.dial()
    caller.press(language_key("en"))
    assert new_texter(number=caller.number).text("bonjour").texts == [say("sms.help", "en")]


def test_stop_erases_everything_and_confirms_once(texter, say, hotline, redis):
    texter.text("LANG en")
    texter.text("REMIND 15/03/2027")
    caller = caller_key(SECRET_KEY, texter.number)
    assert redis.exists(keys.REGISTRATION.format(caller=caller))
    assert texter.text("STOP").texts == [say("sms.stop.confirm", "en")]
    assert not redis.exists(keys.REGISTRATION.format(caller=caller))
    assert not redis.exists(keys.LANGUAGE_CHOICE.format(caller=caller))
    assert redis.zcard(keys.REMINDERS_DUE) == 0
    # what remains names no one: a tally of erasures, no key or value with the caller key
    assert hotline.reminders.store.erasures(NOW.date()) == {"stop": 1}
    assert not [k for k in redis.scan_iter() if caller.encode() in k + redis.dump(k)]
    # the language was erased too: START, a word French and English share, is answered in both
    both = say("sms.start.confirm", "fr") + "\n" + say("sms.start.confirm", "en")
    assert texter.text("START").texts == [both]


@pytest.mark.parametrize("word", ["Arrêt", "stopall", "UNSUBSCRIBE", "cancel", "end", "quit"])
def test_every_opt_out_word_stops(texter, say, word, hotline):
    texter.text("RAPPEL 15/03/2027")
    assert texter.text(word).texts == [say("sms.stop.confirm", "fr")]
    assert hotline.reminders.store.count() == 0


def test_nothing_kept_holds_the_number_in_clear(texter, redis):
    texter.text("LANGUE en")
    texter.text("REMIND 15/03/2027")
    digits = texter.number[1:].encode()
    for key in redis.keys("*"):
        assert digits not in key
        if redis.type(key) == b"hash":
            assert all(digits not in v for v in redis.hgetall(key).values())
        elif redis.type(key) == b"string":
            assert digits not in redis.get(key)


def test_unsigned_texts_are_refused_and_change_nothing(texter, hotline):
    assert texter.text("RAPPEL 15/03/2027", sign=False).status == 403
    assert hotline.reminders.store.count() == 0


@pytest.mark.parametrize(
    ("change", "named"),
    [
        ({"MessageSid": "SM" + "a" * 32 + "\n"}, "MessageSid"),
        ({"MessageSid": "CA" + "a" * 32}, "MessageSid"),
        ({"AccountSid": ""}, "AccountSid"),
    ],
)
def test_signed_texts_without_twilios_fields_are_refused_by_name(
    texter, hotline, caplog, change, named
):
    form = {**texter.form("RAPPEL 15/03/2027"), **change}
    assert texter.post(form).status == 400
    assert hotline.reminders.store.count() == 0
    assert f"SMS webhook refused: invalid {named}" in caplog.text
    assert texter.number not in caplog.text
