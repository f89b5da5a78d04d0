"""Whole calls over real HTTP with signed requests, as Twilio makes them, on a real Redis."""

from __future__ import annotations

import pytest

from hotline import keys
from ivr.menu import NODES, Walk
from tests.caller import Caller
from wiring.web import web_parts

WALK = NODES["steps"]
assert isinstance(WALK, Walk)


@pytest.fixture
def choose(language_key):
    """Dial, then pick a language on the language menu."""

    def dial_and_choose(caller: Caller, lang: str):
        caller.dial()
        return caller.press(language_key(lang))

    return dial_and_choose


@pytest.fixture
def language_menu(hotline) -> list[str]:
    """The catalog keys of the first menu of a call (each language announcing itself)."""
    return ["voice.language.choose"] * len(hotline.flow.languages)


def test_the_call_opens_on_the_language_menu(caller, hotline):
    heard = caller.dial()
    assert heard.status == 200
    assert heard.keys == ["voice.language.choose"] * len(hotline.flow.languages)
    assert heard.langs == list(hotline.flow.languages)
    assert heard.langs[:1] == ["fr"] and "en" in heard.langs
    said_in = [lang for _, lang in heard.says]
    assert said_in == [hotline.content.language(c).say_language for c in hotline.flow.languages]
    assert heard.listening and heard.gather_action == f"{caller.base_url}/voice/step?n=0"


@pytest.mark.parametrize("lang", ["fr", "en"])
def test_walk_every_menu_and_every_step(caller, choose, language_menu, lang):
    main = choose(caller, lang)
    assert main.keys[:2] == ["voice.main.welcome", "voice.main.title"]
    assert set(main.langs) == {lang}

    steps = caller.press("1")
    assert steps.keys[:2] == ["voice.steps.heading", "voice.steps.1"]
    heard_steps = [steps.keys[1]]
    for _ in range(len(WALK.steps) - 1):
        heard_steps.append(caller.press("1").keys[1])
    assert heard_steps == list(WALK.steps)
    assert "voice.steps.last" in caller.last.keys
    assert caller.press("2").keys[1] == WALK.steps[-2]

    assert caller.press("*").keys[0] == "voice.main.title"
    assert caller.press("2").keys[0] == "voice.adp.info"
    assert caller.press("0").keys[0] == "voice.adp.info"
    assert caller.press("9").keys[0] == "voice.main.title"
    blocked = caller.press("4")
    assert blocked.keys[0] == "voice.blocked.info"
    assert set(blocked.langs) == {lang}
    assert caller.press("8").keys == language_menu
    assert caller.press("*").keys[0] == "voice.blocked.info"


@pytest.mark.parametrize("lang", ["fr", "en"])
@pytest.mark.parametrize("path", ["", "1", "11111", "2", "4"])
def test_silence_and_wrong_keys_anywhere_end_kindly_after_three(new_caller, choose, lang, path):
    for wrong in (None, "7"):
        caller = new_caller()
        choose(caller, lang)
        for key in path:
            caller.press(key)
        for attempt in (1, 2):
            heard = caller.silence() if wrong is None else caller.press(wrong)
            expected = "voice.miss.silence" if wrong is None else "voice.miss.wrong"
            assert heard.keys[0] == expected, attempt
            assert heard.listening
        heard = caller.silence() if wrong is None else caller.press(wrong)
        goodbye = "voice.miss.goodbye" if wrong is None else "voice.miss.goodbye_wrong"
        assert heard.keys == [goodbye]
        assert heard.langs == [lang]
        assert heard.hung_up and not heard.listening


def test_silence_on_the_language_menu_says_goodbye_in_french_and_english(caller):
    caller.dial()
    caller.silence()
    caller.silence()
    heard = caller.silence()
    assert heard.keys == ["voice.miss.goodbye", "voice.miss.goodbye"]
    assert heard.langs == ["fr", "en"]
    assert heard.hung_up


def test_calling_back_within_the_window_offers_to_continue_after_the_language(
    new_caller, choose, language_menu, redis
):
    first = new_caller(number="+33611111111")
    choose(first, "en")
    first.press("1")
    first.press("1")
    first.press("1")
    first.hang_up()
    assert redis.get(keys.CALL_STATE.format(sid=first.call_sid)) is None

    again = new_caller(number="+33611111111")
    language = again.dial()
    assert language.keys == ["voice.language.choose", "voice.language.other"]
    assert 'timeout="3"' in language.xml and set(language.langs) == {"en"}
    offer = again.press("1")
    assert offer.keys == ["voice.resume.welcome", "voice.resume.continue", "voice.resume.restart"]
    assert set(offer.langs) == {"en"}
    resumed = again.press("1")
    assert resumed.keys[:2] == ["voice.steps.heading", "voice.steps.3"]

    restart = new_caller(number="+33611111111")
    restart.dial()
    restart.press("1")
    assert restart.press("2").keys[0] == "voice.main.title"

    other = new_caller(number="+33611111111")
    other.dial()
    assert other.silence().keys == language_menu

    stranger = new_caller(number="+33622222222")
    assert stranger.dial().keys == language_menu


def test_resume_points_keep_no_phone_number_and_expire(new_caller, choose, redis):
    caller = new_caller(number="+33633333333")
    choose(caller, "fr")
    caller.press("2")
    resume_keys = redis.keys("hl:resume:*")
    assert len(resume_keys) == 1
    assert b"33633333333" not in resume_keys[0]
    assert b"33633333333" not in redis.get(resume_keys[0])
    assert 0 < redis.ttl(resume_keys[0]) <= keys.RESUME_POINT_TTL
    assert 0 < redis.ttl(keys.CALL_STATE.format(sid=caller.call_sid)) <= keys.CALL_STATE_TTL


def test_the_resume_point_is_written_when_the_caller_moves_not_on_a_repeat(
    new_caller, choose, redis
):
    caller = new_caller()
    choose(caller, "fr")
    caller.press("1")  # the steps: a place worth resuming
    [resume_key] = redis.keys("hl:resume:*")
    redis.delete(resume_key)
    caller.press("0")  # heard again: same place
    caller.silence()  # nothing pressed: same place
    assert not redis.exists(resume_key)
    caller.press("1")  # the next step: a new place
    assert redis.get(resume_key) == redis.get(keys.CALL_STATE.format(sid=caller.call_sid))


def test_a_withheld_number_simply_starts_at_the_language_menu(
    new_caller, choose, language_menu, redis
):
    caller = new_caller(number="anonymous")
    choose(caller, "fr")
    caller.press("2")
    assert redis.keys("hl:resume:*") == []
    assert new_caller(number="anonymous").dial().keys == language_menu


@pytest.mark.parametrize(
    "form_change",
    [
        {"Digits": "abc"},
        {"Digits": "9" * 500},
        {"Digits": ""},
        {"Digits": "<Say>"},
        {"CallSid": ""},
        {"CallSid": "not-a-sid"},
        {"From": ""},
    ],
)
def test_odd_fields_get_a_sensible_answer(caller, choose, form_change):
    choose(caller, "en")
    heard = caller.post("/voice/step", caller.form(**form_change))
    assert heard.status == 200
    assert heard.listening or heard.hung_up
    assert "?" not in heard.keys


def test_a_request_without_twilios_fields_is_not_served_as_a_new_call(caller, caplog):
    # It used to start a new call at every key: now the essentials, then goodbye, and a log line
    # that names the fields, never the number.
    for _ in range(2):
        heard = caller.post("/voice/step", {"From": caller.number, "Digits": "3"})
        assert heard.status == 200 and heard.hung_up and not heard.listening
        assert heard.keys == ["voice.outage.info", "voice.outage.info"]
    assert "invalid CallSid, AccountSid" in caplog.text
    assert caller.number not in caplog.text and caller.number[3:] not in caplog.text


def test_an_unknown_call_starts_a_new_call(caller, language_menu):
    heard = caller.post("/voice/step?n=4", caller.form(CallSid="CA" + "f" * 32, Digits="3"))
    assert heard.keys == language_menu
    assert heard.gather_action == f"{caller.base_url}/voice/step?n=0"


def test_status_callback_ends_the_call_state(caller, choose, redis):
    choose(caller, "fr")
    assert redis.exists(keys.CALL_STATE.format(sid=caller.call_sid))
    heard = caller.hang_up()
    assert heard.status == 200 and heard.xml.endswith("<Response />")
    assert not redis.exists(keys.CALL_STATE.format(sid=caller.call_sid))
    # a call hung up mid-way and then reported again changes nothing and does not fail
    assert caller.hang_up().status == 200


@pytest.mark.parametrize("path", ["/voice/incoming", "/voice/step", "/voice/status"])
def test_unsigned_or_badly_signed_requests_are_refused_and_change_nothing(
    caller, choose, redis, path
):
    choose(caller, "fr")
    before = redis.get(keys.CALL_STATE.format(sid=caller.call_sid))
    form = caller.form(Digits="2", CallStatus="completed")
    assert caller.post(path, form, sign=False).status == 403
    forged = Caller(caller.base_url, "not-the-token", {}, number=caller.number)
    forged.call_sid = caller.call_sid
    assert forged.post(path, form).status == 403
    # a valid signature for other parameters does not cover changed ones
    signature = caller.validator.compute_signature(caller.base_url + path, caller.form(Digits="1"))
    response = caller.session.post(
        caller.base_url + path, data=form, headers={"X-Twilio-Signature": signature}
    )
    assert response.status_code == 403
    assert redis.get(keys.CALL_STATE.format(sid=caller.call_sid)) == before


def test_signatures_are_checked_against_public_base_url_behind_a_proxy(redis_server, redis):
    from app import create_app
    from tests.caller import spoken_texts
    from tests.conftest import AUTH_TOKEN, LiveServer, make_settings

    app = create_app(make_settings(redis_server.url, public_base_url="https://hotline.example.org"))
    with LiveServer(app) as server:
        caller = Caller(server.url, AUTH_TOKEN, spoken_texts(web_parts(app)))
        # Twilio signed the public https URL; the app sees plain http on a private port
        url = "https://hotline.example.org/voice/incoming"
        form = caller.form()
        signature = caller.validator.compute_signature(url, form)
        ok = caller.session.post(
            server.url + "/voice/incoming", data=form, headers={"X-Twilio-Signature": signature}
        )
        assert ok.status_code == 200 and "<Gather" in ok.text
        # the URL the app sees is not what Twilio signed
        assert caller.dial().status == 403


def test_healthz_reports_redis_answering(client):
    # No worker or clock runs here: /healthz is 503 for them (tests/test_health.py), Redis is ok.
    checks = {c["name"]: c for c in client.get("/healthz").json["checks"]}
    assert checks["redis"]["ok"] and checks["web"]["ok"]


def test_voice_webhooks_only_take_post(client):
    assert client.get("/voice/incoming").status_code == 405
