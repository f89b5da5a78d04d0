"""POST /sms/status: Twilio's message status callbacks, signed like Twilio signs them."""

from __future__ import annotations

import logging

import pytest
import requests
from twilio.request_validator import RequestValidator

from hotline.identity import caller_key
from sms import store
from tests.conftest import AUTH_TOKEN, SECRET_KEY
from tests.sms_fixtures import ACCOUNT_SID, NUMBER, SENDER


def _sent(sms) -> tuple[str, str]:
    """A message sent through a worker: (message id, Twilio SID)."""
    message_id = sms.enqueue()
    sms.work()
    [created] = sms.fake.created
    return message_id, created["sid"]


def _form(sid: str, status: str, error_code: int | None = None) -> dict[str, str]:
    form = {
        "AccountSid": ACCOUNT_SID,
        "ApiVersion": "2010-04-01",
        "From": SENDER,
        "MessageSid": sid,
        "MessageStatus": status,
        "SmsSid": sid,
        "SmsStatus": status,
        "To": NUMBER,
    }
    if error_code is not None:
        form["ErrorCode"] = str(error_code)
    return form


def _post(sms, form: dict[str, str], *, query: str = "", sign: bool = True) -> requests.Response:
    url = f"{sms.url}/sms/status{query}"
    headers = {}
    if sign:
        headers["X-Twilio-Signature"] = RequestValidator(AUTH_TOKEN).compute_signature(url, form)
    return requests.post(url, data=form, headers=headers, timeout=10)


def test_a_signed_callback_records_delivery_and_answers_empty_twiml(sms):
    message_id, sid = _sent(sms)

    assert sms.fake.send_status(sid, "sent") == 200
    response = _post(sms, _form(sid, "delivered"), query=f"?m={message_id}")

    assert response.status_code == 200
    assert response.headers["Content-Type"].startswith("text/xml")
    assert response.text == '<?xml version="1.0" encoding="UTF-8"?><Response />'
    assert sms.message(message_id).status == store.DELIVERED


def test_a_callback_without_our_query_finds_the_message_by_its_sid(sms):
    # A Messaging Service's own status callback URL carries no ?m=.
    message_id, sid = _sent(sms)

    _post(sms, _form(sid, "delivered"))

    assert sms.message(message_id).status == store.DELIVERED


def test_an_unsigned_or_badly_signed_callback_is_refused_and_changes_nothing(sms):
    message_id, sid = _sent(sms)
    form = _form(sid, "undelivered", 21610)

    unsigned = _post(sms, form, query=f"?m={message_id}", sign=False)
    url = f"{sms.url}/sms/status?m={message_id}"
    forged = requests.post(
        url,
        data=form,
        headers={
            "X-Twilio-Signature": RequestValidator("not-the-token").compute_signature(url, form)
        },
        timeout=10,
    )

    assert unsigned.status_code == 403
    assert forged.status_code == 403
    assert sms.message(message_id).status == store.ACCEPTED
    assert sms.failures == []


def test_a_late_stop_reported_by_callback_is_final_and_reported_once(sms):
    message_id, sid = _sent(sms)

    sms.fake.send_status(sid, "failed", error_code=21610)
    sms.fake.send_status(sid, "failed", error_code=21610)  # Twilio may repeat itself

    message = sms.message(message_id)
    assert (message.status, message.reason, message.code) == (store.UNDELIVERED, "opt_out", 21610)
    assert sms.failures == [(caller_key(SECRET_KEY, NUMBER), 21610, "opt_out")]


def test_undelivered_to_a_landline_is_reported_as_not_mobile(sms):
    message_id, sid = _sent(sms)

    sms.fake.send_status(sid, "undelivered", error_code=30006)

    assert sms.message(message_id).reason == "not_mobile"
    assert sms.failures == [(caller_key(SECRET_KEY, NUMBER), 30006, "not_mobile")]


def test_a_phone_switched_off_is_recorded_but_keeps_the_registration(sms):
    message_id, sid = _sent(sms)

    sms.fake.send_status(sid, "undelivered", error_code=30003)

    assert sms.message(message_id).reason == "unreachable"
    assert sms.failures == [(caller_key(SECRET_KEY, NUMBER), 30003, "unreachable")]


def test_statuses_only_move_forward(sms):
    message_id, sid = _sent(sms)

    sms.fake.send_status(sid, "delivered")
    sms.fake.send_status(sid, "sent")  # callbacks can arrive out of order

    assert sms.message(message_id).status == store.DELIVERED


def test_callbacks_for_unknown_messages_are_answered_and_ignored(sms):
    response = _post(sms, _form("SM" + "f" * 32, "delivered"), query="?m=sms-unknown")
    nonsense = _post(sms, {"MessageSid": "not-a-sid", "MessageStatus": "delivered"})

    assert response.status_code == 200
    assert nonsense.status_code == 200


@pytest.mark.parametrize("code", ["²", "①", "٣", "9" * 5000, "30003x", " 30003 4"])
def test_an_error_code_that_is_not_ascii_digits_is_no_code_and_no_failure(sms, code):
    # str.isdigit accepts "²" and "①", int() refuses them, and 5,000 digits too: this was a 500.
    message_id, sid = _sent(sms)
    form = _form(sid, "undelivered") | {"ErrorCode": code}

    response = _post(sms, form, query=f"?m={message_id}")

    assert response.status_code == 200
    message = sms.message(message_id)
    assert (message.status, message.code) == (store.UNDELIVERED, None)


def test_a_status_logged_from_a_callback_is_capped(sms, caplog):
    caplog.set_level(logging.INFO)
    _post(sms, _form("SM" + "f" * 32, "x" * 5000 + "\n\x1b[31m"))
    assert "status callback ignored" in caplog.text
    assert "x" * 65 not in caplog.text and "\x1b" not in caplog.text
