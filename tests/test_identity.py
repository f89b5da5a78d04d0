"""Phone numbers become keyed hashes; nothing stores or logs them in clear."""

from __future__ import annotations

import pytest

from hotline.identity import caller_key, mask_number, normalise_number

SECRET = "s" * 40


def test_the_same_number_written_differently_has_one_key():
    assert caller_key(SECRET, "+33 6 12 34 56 78") == caller_key(SECRET, "+33612345678")
    assert len(caller_key(SECRET, "+33612345678")) == 32


def test_keys_depend_on_the_secret_and_the_number():
    assert caller_key(SECRET, "+33612345678") != caller_key("t" * 40, "+33612345678")
    assert caller_key(SECRET, "+33612345678") != caller_key(SECRET, "+33612345679")


@pytest.mark.parametrize("raw", [None, "", "anonymous", "Restricted", "+266696687", "12", "abc"])
def test_withheld_or_odd_numbers_have_no_key(raw):
    assert normalise_number(raw) is None
    assert caller_key(SECRET, raw) is None


def test_masked_numbers_show_only_the_country_and_two_digits():
    assert mask_number("+33612345678") == "+33…78"
    assert mask_number(None) == "(none)"
