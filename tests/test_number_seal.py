"""Sealed phone numbers: encrypted with a key derived from HOTLINE_SECRET_KEY."""

from __future__ import annotations

import pytest

from hotline.identity import open_number, seal_number
from tests.conftest import SECRET_KEY


def test_a_sealed_number_opens_with_the_same_secret_only():
    token = seal_number(SECRET_KEY, "+33612345678")

    assert open_number(SECRET_KEY, token) == "+33612345678"
    with pytest.raises(ValueError):
        open_number("another-secret-key-0123456789abcdef-0000", token)


def test_a_sealed_number_shows_nothing_and_differs_every_time():
    first = seal_number(SECRET_KEY, "+33612345678")
    second = seal_number(SECRET_KEY, "+33612345678")

    assert first != second
    assert "612345678" not in first


@pytest.mark.parametrize("token", ["", "garbage", "gAAAAA" + "x" * 90])
def test_altered_tokens_are_refused(token):
    with pytest.raises(ValueError):
        open_number(SECRET_KEY, token)


def test_a_flipped_character_is_detected():
    token = seal_number(SECRET_KEY, "+33612345678")
    flipped = token[:40] + ("A" if token[40] != "A" else "B") + token[41:]
    with pytest.raises(ValueError):
        open_number(SECRET_KEY, flipped)
