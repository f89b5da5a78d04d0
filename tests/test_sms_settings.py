"""Settings for outbound SMS: the rate cap and the sender."""

from __future__ import annotations

import pytest

from hotline.settings import SettingsError
from wiring.settings import read_settings

BASE = {
    "REDIS_URL": "redis://localhost:6379/0",
    "TWILIO_AUTH_TOKEN": "token-0123456789",
    "HOTLINE_SECRET_KEY": "k" * 40,
}


def test_the_rate_defaults_to_one_message_per_second():
    assert read_settings(BASE).sms_rate_per_second == 1.0


@pytest.mark.parametrize(("raw", "rate"), [("50", 50.0), ("0.5", 0.5), (" 2 ", 2.0)])
def test_the_rate_can_be_set(raw, rate):
    assert read_settings({**BASE, "SMS_RATE_PER_SECOND": raw}).sms_rate_per_second == rate


@pytest.mark.parametrize("raw", ["0", "-1", "fast", "nan", "inf", "100000"])
def test_a_wrong_rate_stops_the_start(raw):
    with pytest.raises(SettingsError) as error:
        read_settings({**BASE, "SMS_RATE_PER_SECOND": raw})
    assert "SMS_RATE_PER_SECOND" in str(error.value)


def test_an_account_needs_a_sender():
    with pytest.raises(SettingsError) as error:
        read_settings({**BASE, "TWILIO_ACCOUNT_SID": "AC" + "0" * 32})
    assert "TWILIO_FROM" in str(error.value)

    settings = read_settings(
        {**BASE, "TWILIO_ACCOUNT_SID": "AC" + "0" * 32, "TWILIO_MESSAGING_SERVICE_SID": "MG1"}
    )
    assert settings.sends_real_sms
