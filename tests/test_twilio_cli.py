"""`flask twilio configure` against the local Twilio's phone numbers, and the fallback TwiML."""

from __future__ import annotations

import xml.etree.ElementTree as ET

import pytest

from app import create_app
from devtools.fake_twilio import FakeTwilio
from tests.conftest import AUTH_TOKEN, make_settings

ACCOUNT_SID = "AC" + "7f" * 16
NUMBER = "+33700000009"
PUBLIC = "https://hotline.example.org"
BIN = "https://handler.twilio.com/twiml/EH" + "0" * 32


@pytest.fixture
def fake():
    with FakeTwilio(ACCOUNT_SID, AUTH_TOKEN) as fake:
        yield fake


@pytest.fixture
def runner(fake, redis_server, redis):
    settings = make_settings(
        redis_server.url,
        twilio_account_sid=ACCOUNT_SID,
        twilio_from=NUMBER,
        twilio_api_base_url=fake.url,
        public_base_url=PUBLIC,
    )
    return create_app(settings).test_cli_runner()


def test_configure_is_a_dry_run_by_default_then_applies(fake, runner):
    number = fake.add_number(NUMBER, voice_url="https://old.example.org/voice", sms_method="GET")
    fake.add_number("+33700000010")  # another number of the account: left alone

    dry = runner.invoke(args=["twilio", "configure", "--voice-fallback-url", BIN])
    assert dry.exit_code == 0, dry.output
    assert (
        "https://old.example.org/voice -> https://hotline.example.org/voice/incoming" in dry.output
    )
    assert "Dry run: 8 change(s)" in dry.output
    assert fake.numbers[number["sid"]]["voice_url"] == "https://old.example.org/voice"
    assert [r.form for r in fake.received if r.form] == []  # nothing was posted

    applied = runner.invoke(args=["twilio", "configure", "--voice-fallback-url", BIN, "--apply"])
    assert applied.exit_code == 0, applied.output
    assert "Applied 8 change(s)." in applied.output
    configured = fake.numbers[number["sid"]]
    assert configured["voice_url"] == PUBLIC + "/voice/incoming"
    assert configured["status_callback"] == PUBLIC + "/voice/status"
    assert configured["sms_url"] == PUBLIC + "/sms/incoming"
    assert configured["voice_fallback_url"] == BIN
    assert configured["voice_method"] == configured["sms_method"] == "POST"
    others = [n for n in fake.numbers.values() if n["phone_number"] != NUMBER]
    assert others[0]["voice_url"] is None

    again = runner.invoke(args=["twilio", "configure", "--voice-fallback-url", BIN])
    assert again.exit_code == 0 and "Nothing to change." in again.output


def test_configure_refuses_without_what_it_needs(fake, redis_server, redis):
    runner = create_app(make_settings(redis_server.url)).test_cli_runner()
    refused = runner.invoke(args=["twilio", "configure"])
    assert refused.exit_code == 2
    assert "TWILIO_ACCOUNT_SID" in refused.output and "PUBLIC_BASE_URL" in refused.output


def test_configure_says_when_the_number_is_not_the_accounts(fake, runner):
    result = runner.invoke(args=["twilio", "configure", "--number", "+33799999999"])
    assert result.exit_code == 1 and "no number +33799999999" in result.output


def test_fallback_twiml_says_the_essentials_in_french_and_english_and_hangs_up(runner):
    result = runner.invoke(args=["twilio", "fallback-twiml"])
    assert result.exit_code == 0
    root = ET.fromstring(result.output)
    says = root.findall("Say")
    assert [s.get("language") for s in says] == ["fr-FR", "en-GB"]  # Twilio voices: no app needed
    assert "Administration étrangers en France" in says[0].text
    assert "residence card" in says[1].text
    assert root.find("Hangup") is not None and root.find("Play") is None  # needs nothing of ours
