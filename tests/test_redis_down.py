"""When Redis stops, callers still hear the essentials and "call back later", never an error."""

from __future__ import annotations

import logging
from unittest.mock import ANY

import pytest

from app import create_app
from devtools.embedded_redis import EmbeddedRedis
from tests.caller import Caller, spoken_texts
from tests.conftest import AUTH_TOKEN, LiveServer, make_settings
from tests.texter import Texter
from wiring.web import web_parts


@pytest.fixture
def doomed_redis(tmp_path):
    server = EmbeddedRedis(tmp_path / "doomed", persist=False).start()
    yield server
    server.stop()


def test_calls_get_the_essentials_in_french_and_english_when_redis_is_down(doomed_redis):
    app = create_app(make_settings(doomed_redis.url))
    texts = spoken_texts(web_parts(app))
    with LiveServer(app) as server:
        caller = Caller(server.url, AUTH_TOKEN, texts)
        assert caller.dial().listening  # working while Redis runs
        assert redis_check(app) == {"name": "redis", "ok": True, "age_seconds": ANY}

        doomed_redis.stop()

        for heard in (caller.dial(), caller.post("/voice/step", caller.form(Digits="1"))):
            assert heard.status == 200
            assert heard.keys == ["voice.outage.info", "voice.outage.info"]
            assert heard.langs == ["fr", "en"]
            assert heard.hung_up
        assert caller.hang_up().status == 200
        health = app.test_client().get("/healthz")
        assert health.status_code == 503
        assert not redis_check(app)["ok"]
        # a bad signature is still refused, outage or not
        assert caller.post("/voice/incoming", caller.form(), sign=False).status == 403


def redis_check(app) -> dict:
    checks = app.test_client().get("/healthz").json["checks"]
    return next(c for c in checks if c["name"] == "redis")


def test_a_stop_while_redis_is_down_is_answered_as_not_applied(doomed_redis, caplog):
    """Nothing can keep the STOP for later: the reply says it was not recorded and to send it
    again, instead of the help text (or a confirmation that would be a lie)."""
    app = create_app(make_settings(doomed_redis.url))
    content = web_parts(app).content
    with LiveServer(app) as server:
        texter = Texter(server.url, AUTH_TOKEN)
        assert texter.text("RAPPEL 15/03/2027").status == 200

        doomed_redis.stop()

        with caplog.at_level(logging.ERROR):
            replies = texter.text("Stop svp")
        assert replies.status == 200
        assert replies.texts == [
            content.text("sms.stop.unavailable", "fr"),
            content.text("sms.stop.unavailable", "en"),
        ]
        assert "STOP, not applied" in caplog.text and texter.number[3:] not in caplog.text
        # anything else still gets the help text
        assert texter.text("ETAPES").texts == [
            content.text("sms.help", lang) for lang in ("fr", "en")
        ]
