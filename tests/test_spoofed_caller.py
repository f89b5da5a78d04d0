"""A caller ID is not an identity: a call "from" a registered person's number learns nothing of
what that person heard or registered.

Caller ID can be spoofed for free and Twilio passes it on, signed. Each scenario below is a
stranger calling from the number of someone who, minutes earlier, chose Arabic, listened to the
ADP topic and registered an expiry date. Everything the stranger hears (every TwiML document) is
scanned for the topics' names and texts and for the date, in every form it could be said in.
What each scenario may learn is written in docs/security.md.
"""

from __future__ import annotations

from datetime import timedelta

import pytest

from hotline import keys
from ivr.flow import Prompt
from tests.caller import Heard
from tests.conftest import NOW

VICTIM = "+33612345678"
EXPIRY = NOW.date() + timedelta(days=120)
#: What the offer says, in the language the number chose: nothing else before a key press.
OFFER = ["voice.language.choose", "voice.language.other"]


@pytest.fixture
def victim_called(new_caller, language_key, hotline):
    """The person: calls, chooses Arabic, hears the ADP topic, registers a date, hangs up."""
    person = new_caller(number=VICTIM)
    person.dial()
    person.press(language_key("ar"))
    assert person.press("2").keys[0] == "voice.adp.info"
    person.press("9")
    person.press("3")  # a reminder
    person.press(EXPIRY.strftime("%d%m%Y"))
    person.press("1")
    assert person.press("1").keys[0] == "voice.remind.channel"
    assert person.press("2").keys[0] == "voice.remind.registered"  # by SMS
    person.press("*")  # back to where they were... then hang up on the topic
    person.press("9")
    assert person.press("2").keys[0] == "voice.adp.info"
    person.hang_up()
    assert hotline.reminders.store.exists(
        next(
            iter(
                k.decode().split(":")[-1]
                for k in hotline.redis.keys(keys.REGISTRATION.format(caller="*"))
            )
        )
    )
    return person


@pytest.fixture
def secrets_of(hotline):
    """Every string that would tell the stranger what the person heard or registered."""
    texts = set()
    topics = ("voice.adp.info", "voice.blocked.info", *(f"voice.steps.{n}" for n in range(1, 8)))
    for lang in hotline.flow.languages:
        for key in topics:
            texts.add(hotline.speaker.text(Prompt(key, lang)))
    dates = {EXPIRY.strftime(f) for f in ("%d/%m/%Y", "%d%m%Y", "%Y-%m-%d", "%Y")}
    spoken = set()
    for lang in hotline.flow.languages:
        for utterance in hotline.dates.spoken_date(EXPIRY, lang):
            spoken.add(getattr(utterance, "text", None) or getattr(utterance, "url", ""))
    return texts | dates | {s for s in spoken if s}


def _learns(heard_list, secrets) -> set[str]:
    return {s for heard in heard_list for s in secrets if s in heard.without_origin}


def test_silence_learns_only_the_language_offered(victim_called, new_caller, secrets_of):
    stranger = new_caller(number=VICTIM)
    first = stranger.dial()
    assert first.keys == OFFER and set(first.langs) == {"ar"}
    then = stranger.silence()
    assert then.keys == ["voice.language.choose"] * len(then.keys)  # the language menu
    assert _learns([first, then], secrets_of) == set()


@pytest.mark.parametrize("press", ["2", "7", "0", "*", "#", "9"])
def test_any_other_key_learns_nothing_more(victim_called, new_caller, secrets_of, press):
    stranger = new_caller(number=VICTIM)
    first = stranger.dial()
    then = stranger.press(press)
    assert set(then.keys) == {"voice.language.choose"}
    assert _learns([first, then], secrets_of) == set()


def test_confirming_the_language_names_no_topic_and_no_date(victim_called, new_caller, secrets_of):
    stranger = new_caller(number=VICTIM)
    heard = [stranger.dial(), stranger.press("1")]
    # "Welcome back: to continue, press 1; to start again, press 2": no topic is named.
    assert heard[-1].keys == [
        "voice.resume.welcome",
        "voice.resume.continue",
        "voice.resume.restart",
    ]
    heard.append(stranger.press("2"))  # the main menu: the same for everyone
    assert _learns(heard, secrets_of) == set()


def test_after_the_resume_window_even_confirming_learns_nothing(
    victim_called, new_caller, secrets_of, redis
):
    for key in redis.scan_iter(keys.RESUME_POINT.format(caller="*")):
        assert 0 < redis.ttl(key) <= 2 * 60 * 60  # the default window: 2 hours
        redis.delete(key)  # as it is once the window has passed
    stranger = new_caller(number=VICTIM)
    heard = [stranger.dial(), stranger.press("1")]
    assert heard[-1].keys[0] == "voice.main.welcome"
    assert _learns(heard, secrets_of) == set()


def test_a_withheld_or_new_number_starts_at_the_language_menu(victim_called, new_caller):
    for number in ("anonymous", "+33699999999"):
        assert set(new_caller(number=number).dial().keys) == {"voice.language.choose"}


def test_the_scan_reads_paths_and_queries_but_not_the_servers_port():
    heard = Heard(status=200, xml="<Play>http://127.0.0.1:20271/audio/ar/2027.mp3?d=15</Play>")
    assert heard.without_origin == "<Play>/audio/ar/2027.mp3?d=15</Play>"
    assert _learns([heard], {"2027", "15", "20271"}) == {"2027", "15"}
