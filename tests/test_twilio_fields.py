"""The checks every webhook makes on Twilio's fields: which required fields are wrong, and numbers
that are ASCII digits only (what a signed but hostile request may carry is in test_webhook_fuzz)."""

from __future__ import annotations

import pytest
from werkzeug.datastructures import MultiDict

from hotline.twilio_fields import (
    RECORDING_URL,
    SMS_FIELDS,
    VOICE_FIELDS,
    invalid_fields,
    valid,
    whole_number,
)

CALL = "CA" + "a" * 32
MESSAGE = "SM" + "b" * 32
ACCOUNT = "AC" + "0" * 32


@pytest.mark.parametrize(
    ("form", "invalid"),
    [
        ({"CallSid": CALL, "AccountSid": ACCOUNT}, ()),
        ({"CallSid": CALL, "AccountSid": ACCOUNT, "From": "anonymous"}, ()),  # others unchecked
        ({"AccountSid": ACCOUNT}, ("CallSid",)),
        ({"CallSid": CALL + "\n", "AccountSid": ACCOUNT}, ("CallSid",)),  # matched whole
        ({"CallSid": MESSAGE, "AccountSid": ACCOUNT}, ("CallSid",)),  # another kind of SID
        ({"CallSid": CALL, "AccountSid": ""}, ("AccountSid",)),
        ({}, ("CallSid", "AccountSid")),  # in the table's order
    ],
)
def test_the_voice_fields_twilio_always_sends(form, invalid):
    assert invalid_fields(MultiDict(form), VOICE_FIELDS) == invalid


@pytest.mark.parametrize(
    ("form", "invalid"),
    [
        ({"MessageSid": MESSAGE, "AccountSid": ACCOUNT}, ()),
        ({"MessageSid": "MM" + "c" * 32, "AccountSid": ACCOUNT}, ()),  # an MMS
        ({"MessageSid": CALL, "AccountSid": ACCOUNT}, ("MessageSid",)),
        ({"MessageSid": MESSAGE, "AccountSid": "AC" + "٣" * 32}, ("AccountSid",)),
    ],
)
def test_the_sms_fields_twilio_always_sends(form, invalid):
    assert invalid_fields(MultiDict(form), SMS_FIELDS) == invalid


@pytest.mark.parametrize(
    ("raw", "number"),
    [
        ("0", 0),
        ("12", 12),
        ("123456", 123456),
        ("1234567", None),  # longer than allowed
        ("", None),
        (None, None),
        ("²", None),  # a digit to str.isdigit, not to int
        ("٣", None),  # Arabic-Indic: int() takes it, we do not
        (" 12", None),
        ("12\n", None),
        ("-1", None),
        ("1e3", None),
    ],
)
def test_a_whole_number_is_ascii_digits_only(raw, number):
    assert whole_number(raw, 6) == number


RECORDING = f"/2010-04-01/Accounts/{ACCOUNT}/Recordings/RE{'f' * 32}"


@pytest.mark.parametrize(
    ("url", "ok"),
    [
        ("https://api.twilio.com" + RECORDING, True),
        ("http://127.0.0.1:8123" + RECORDING, True),  # TWILIO_API_BASE_URL: the local Twilio
        ("https://api.twilio.com" + RECORDING + "\n", False),
        ("https://api.twilio.com" + RECORDING + ".mp3", False),  # Twilio gives no extension
        ("https://api.twilio.com" + RECORDING.replace("RE", "CA"), False),
        ("https://evil.example/x.mp3", False),
        ("javascript:x", False),
        ("/etc/passwd", False),
        ("https://api.twilio.com" + RECORDING[:-1] + "\x17", False),  # breaks the TwiML
        ("", False),
    ],
)
def test_a_recording_url_is_twilios_or_nothing(url, ok):
    assert (valid(RECORDING_URL, url) is not None) == ok
