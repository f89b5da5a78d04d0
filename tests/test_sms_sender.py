"""The senders at their boundary: the real twilio client against the fake Twilio, the outbox."""

from __future__ import annotations

import json

import pytest
from twilio.base.exceptions import TwilioRestException

from devtools.fake_twilio import Reply, segments
from hotline import keys
from sms.sender import (
    OutboxSender,
    SendError,
    TwilioSender,
    build_sender,
    build_twilio_client,
    read_outbox,
)
from tests.conftest import AUTH_TOKEN, make_settings
from tests.sms_fixtures import ACCOUNT_SID, NUMBER, SENDER


@pytest.fixture
def twilio_settings(redis_server, fake_twilio):
    return make_settings(
        redis_server.url,
        twilio_account_sid=ACCOUNT_SID,
        twilio_from=SENDER,
        twilio_api_base_url=fake_twilio.url,
    )


def test_the_client_goes_to_the_configured_base_url_with_basic_auth(twilio_settings, fake_twilio):
    client = build_twilio_client(twilio_settings)

    message = client.messages.create(to=NUMBER, from_=SENDER, body="Bonjour, à bientôt")

    [request] = fake_twilio.received
    assert request.path == f"/2010-04-01/Accounts/{ACCOUNT_SID}/Messages.json"
    assert request.authorized
    assert request.form == {"To": NUMBER, "From": SENDER, "Body": "Bonjour, à bientôt"}
    assert message.sid.startswith("SM") and len(message.sid) == 34
    assert message.status == "queued"
    assert message.num_segments == "1"
    assert message.direction == "outbound-api"


def test_twilio_error_bodies_become_exceptions_with_code_and_status(twilio_settings, fake_twilio):
    client = build_twilio_client(twilio_settings)
    fake_twilio.script(Reply.error(21610), Reply.http(429))

    with pytest.raises(TwilioRestException) as opted_out:
        client.messages.create(to=NUMBER, from_=SENDER, body="x")
    with pytest.raises(TwilioRestException) as busy:
        client.messages.create(to=NUMBER, from_=SENDER, body="x")

    assert (opted_out.value.status, opted_out.value.code) == (400, 21610)
    assert "unsubscribed recipient" in opted_out.value.msg
    assert (busy.value.status, busy.value.code) == (429, 20429)


def test_the_fake_checks_credentials_like_twilio(redis_server, fake_twilio):
    settings = make_settings(
        redis_server.url,
        twilio_account_sid=ACCOUNT_SID,
        twilio_auth_token="not-" + AUTH_TOKEN,
        twilio_from=SENDER,
        twilio_api_base_url=fake_twilio.url,
    )
    sender = build_sender(settings, None)

    with pytest.raises(SendError) as refused:
        sender.send(NUMBER, "x", status_callback=None)

    assert (refused.value.http_status, refused.value.code) == (401, 20003)
    assert fake_twilio.created == []


def test_the_sender_reports_api_errors_by_status_and_code(twilio_settings, fake_twilio):
    sender = build_sender(twilio_settings, None)
    fake_twilio.script(Reply.error(21211), Reply.http(503))

    with pytest.raises(SendError) as invalid:
        sender.send(NUMBER, "x", status_callback=None)
    with pytest.raises(SendError) as unavailable:
        sender.send(NUMBER, "x", status_callback=None)
    sent = sender.send(NUMBER, "x", status_callback="http://127.0.0.1:9/sms/status?m=a")

    assert (invalid.value.http_status, invalid.value.code, invalid.value.in_doubt) == (
        400,
        21211,
        False,
    )
    assert (unavailable.value.http_status, unavailable.value.code) == (503, 20503)
    assert sent.status == "queued"
    assert fake_twilio.received[-1].form["StatusCallback"] == "http://127.0.0.1:9/sms/status?m=a"


def test_no_answer_is_reported_in_doubt(twilio_settings, fake_twilio):
    sender = TwilioSender(
        build_twilio_client(twilio_settings, timeout=0.2), from_=SENDER, messaging_service_sid=None
    )
    fake_twilio.script(Reply.hold(accept=True))

    with pytest.raises(SendError) as lost:
        sender.send(NUMBER, "x", status_callback=None)

    assert lost.value.in_doubt
    assert (lost.value.http_status, lost.value.code) == (None, None)


def test_without_credentials_messages_go_to_the_outbox(redis, redis_server):
    sender = build_sender(make_settings(redis_server.url, mode="development"), redis)
    assert isinstance(sender, OutboxSender)

    sent = sender.send(NUMBER, "Bonjour", status_callback=None)
    for i in range(keys.SMS_OUTBOX_LENGTH + 5):
        sender.send(NUMBER, f"n° {i}", status_callback=None)

    outbox = read_outbox(redis)
    assert len(outbox) == keys.SMS_OUTBOX_LENGTH  # capped
    assert outbox[0]["body"] == f"n° {keys.SMS_OUTBOX_LENGTH + 4}"  # newest first
    assert outbox[0]["to"] == "+33…78"
    assert sent.sid.startswith("SM")
    raw = b"".join(redis.lrange(keys.SMS_OUTBOX, 0, -1))
    assert b"612345678" not in raw
    assert 0 < redis.ttl(keys.SMS_OUTBOX) <= keys.SMS_OUTBOX_TTL
    assert json.loads(redis.lindex(keys.SMS_OUTBOX, 0))["at"]


@pytest.mark.parametrize(
    ("body", "parts"),
    [("a" * 160, 1), ("a" * 161, 2), ("é" * 160, 1), ("ê" * 70, 1), ("ê" * 71, 2), ("€" * 80, 1)],
)
def test_the_fake_counts_segments_like_twilio(body, parts):
    assert segments(body) == parts
