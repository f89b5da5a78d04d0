"""The error table: Twilio codes and HTTP statuses to outcomes."""

from __future__ import annotations

import pytest

from sms import errors


@pytest.mark.parametrize(
    ("http_status", "code", "reason", "transient", "registration"),
    [
        (400, 21610, "opt_out", False, "erase"),
        (400, 21211, "invalid_number", False, "drop"),
        (400, 21614, "not_mobile", False, "drop"),
        (400, 21612, "unroutable", False, "keep"),
        (400, 21408, "unroutable", False, "keep"),
        (400, 21606, "config", True, "keep"),
        (401, 20003, "config", True, "keep"),
        (429, 20429, "transient", True, "keep"),
        (429, None, "transient", True, "keep"),
        (500, 20500, "transient", True, "keep"),
        (502, None, "transient", True, "keep"),
        (503, 20503, "transient", True, "keep"),
        (599, 12345, "transient", True, "keep"),  # unknown 5xx: try again
        (400, 29999, "refused", False, "keep"),  # unknown 4xx: final, logged with its code
        (None, None, "network", True, "keep"),  # no answer
    ],
)
def test_api_errors(http_status, code, reason, transient, registration):
    outcome = errors.classify(http_status, code)
    assert (outcome.reason, outcome.transient, outcome.registration) == (
        reason,
        transient,
        registration,
    )


@pytest.mark.parametrize(
    ("code", "reason"),
    [
        (21610, "opt_out"),
        (30003, "unreachable"),
        (30005, "invalid_number"),
        (30006, "not_mobile"),
        (30007, "blocked"),
        (20500, "unknown"),  # too late to retry from a callback
        (None, "unknown"),
        (39999, "unknown"),
    ],
)
def test_callback_errors_are_never_transient(code, reason):
    outcome = errors.classify_callback(code)
    assert outcome.reason == reason
    assert not outcome.transient


def test_every_outcome_is_named_once():
    for reason, outcome in errors.FAILURES.items():
        assert outcome.reason == reason
        assert outcome.registration in ("erase", "drop", "keep")
