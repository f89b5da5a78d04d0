"""Our one-pass signature is Twilio's: the same as the official RequestValidator's, field for
field (multi-valued, empty, repeated and non-ASCII values, both algorithms)."""

from __future__ import annotations

import pytest
from twilio.request_validator import HMAC_SHA1, HMAC_SHA256, RequestValidator
from werkzeug.datastructures import MultiDict

from hotline.twilio_request import expected_signature

TOKEN = "test-auth-token-0123456789abcdef"
URL = "https://hotline.example.org/voice/step?x=1"

FORMS = [
    [],
    [("Digits", "1"), ("CallSid", "CA" + "0" * 32), ("FinishedOnKey", "")],
    [("b", "2"), ("a", "z"), ("a", "y"), ("a", "z")],  # repeated names and values
    [("Body", "RAPPEL 15/03/2027 «ç» ۱۵"), ("From", "+33612345678")],
    [("ab", "c"), ("a", "bc")],
]


@pytest.mark.parametrize("algorithm", [HMAC_SHA1, HMAC_SHA256])
@pytest.mark.parametrize("fields", FORMS)
def test_the_same_as_twilios_validator(fields, algorithm):
    form = MultiDict(fields)
    official = RequestValidator(TOKEN).compute_signature(URL, form, algorithm)
    assert expected_signature(TOKEN, URL, form, algorithm) == official


def test_an_unknown_algorithm_is_refused():
    with pytest.raises(ValueError):
        expected_signature(TOKEN, URL, MultiDict(), "HMAC_MD5")
