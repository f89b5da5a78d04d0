"""Logs: one JSON object a line in production, readable in development, a request id on every
line of a request, no number in clear, polling not logged at INFO, the right label on errors."""

from __future__ import annotations

import json
import logging

from twilio.request_validator import RequestValidator

from app import create_app
from devtools.embedded_redis import EmbeddedRedis
from hotline.logs import mask_phone_numbers
from tests.conftest import AUTH_TOKEN, make_settings


def lines(captured: str) -> list[str]:
    return [line for line in captured.splitlines() if line.strip()]


def signed_post(client, path: str, form: dict[str, str], **headers):
    signature = RequestValidator(AUTH_TOKEN).compute_signature(f"http://localhost{path}", form)
    return client.post(path, data=form, headers={"X-Twilio-Signature": signature, **headers})


def test_production_logs_one_json_object_a_line_with_the_request_id(settings, capfd):
    app = create_app(settings)  # its log handler writes to the stderr captured here
    capfd.readouterr()
    form = {"CallSid": "CA" + "2" * 32, "From": "+33612345678", "To": "+33100000000"}
    answer = signed_post(
        app.test_client(), "/voice/incoming", form, **{"X-Request-Id": "router-id-1234"}
    )
    assert answer.status_code == 200 and answer.headers["X-Request-Id"] == "router-id-1234"
    logging.getLogger("tests").warning("a number slipped in: +33612345678 or 06 12 34 56 78")
    # Only our handler's lines (another test's server thread may still print its own).
    records = [json.loads(line) for line in lines(capfd.readouterr().err) if line[:1] == "{"]
    access = [r for r in records if r["logger"] == "hotline.requests"]
    assert access == [
        {
            "time": access[0]["time"],
            "level": "INFO",
            "logger": "hotline.requests",
            "message": access[0]["message"],
            "request_id": "router-id-1234",
        }
    ]
    assert access[0]["message"].startswith("POST /voice/incoming 200 ")
    slipped = next(r for r in records if r["logger"] == "tests")
    assert "612345678" not in slipped["message"] and "12 34 56" not in slipped["message"]
    assert "+33…78" in slipped["message"] and "request_id" not in slipped  # outside a request


def test_a_request_without_a_router_id_gets_one_and_a_bad_one_is_replaced(client):
    made = client.get("/healthz").headers["X-Request-Id"]
    assert len(made) == 32
    forged = client.get("/healthz", headers={"X-Request-Id": 'x" "level": "forged'})
    assert len(forged.headers["X-Request-Id"]) == 32  # replaced by one made here


def test_numbers_are_masked_like_mask_number():
    assert mask_phone_numbers("to +33612345678 now") == "to +33…78 now"
    assert mask_phone_numbers("0612345678") == "06…78"
    assert (
        mask_phone_numbers("job reminders-29123456 at 15:00") == "job reminders-29123456 at 15:00"
    )


def test_development_logs_are_readable_and_polling_is_quiet(redis_server, redis, capfd):
    app = create_app(make_settings(redis_server.url, mode="development"))
    client = app.test_client()
    capfd.readouterr()
    for _ in range(3):
        assert client.get("/sms/outbox").status_code == 200  # the simulator polls every 2 s
    client.get("/simulator")
    err = lines(capfd.readouterr().err)
    assert not any("/sms/outbox" in line for line in err)
    page = [line for line in err if "GET /simulator 200" in line]
    assert len(page) == 1 and " INFO hotline.requests [" in page[0]
    assert not page[0].startswith("{")


def test_an_outbox_poll_during_a_redis_outage_is_labelled_as_one(tmp_path, caplog):
    doomed = EmbeddedRedis(tmp_path / "doomed", persist=False).start()
    app = create_app(make_settings(doomed.url, mode="development"))
    doomed.stop()
    with caplog.at_level(logging.ERROR):
        answer = app.test_client().get("/sms/outbox")
    assert answer.status_code == 503 and answer.json == {"error": "Redis unavailable"}
    errors = [r.getMessage() for r in caplog.records if r.levelno == logging.ERROR]
    assert any("local outbox" in m for m in errors)
    assert not any("status callback" in m for m in errors)
