"""The shared reading of a failed Twilio REST request: a channel's code, the shared codes, the
HTTP status, then its class. Outcomes here are plain words: the mechanism never looks inside."""

from __future__ import annotations

import pytest

from hotline.twilio_errors import ACCOUNT_CODES, HTTP_STATUSES, TwilioErrors

ERRORS = TwilioErrors(
    {21211: "invalid", 20404: "channel-own"},  # a channel may read a shared code its own way
    config="config",
    transient="transient",
    network="network",
    refused="refused",
)


@pytest.mark.parametrize(
    ("http_status", "code", "outcome"),
    [
        (400, 21211, "invalid"),  # the channel's own code
        (500, 21211, "invalid"),  # a known code wins over the status
        (None, 21211, "invalid"),
        (404, 20404, "channel-own"),  # the channel's table wins over the shared one
        (401, 20003, "config"),  # shared: authentication failed
        (400, 20003, "config"),
        (429, 20429, "transient"),
        (500, 20500, "transient"),
        (503, 20503, "transient"),
        (None, None, "network"),  # no answer at all
        (None, 99999, "network"),  # an unknown code and no status: still no answer
        (401, None, "config"),
        (403, 29999, "config"),  # an unknown code is read by its status
        (404, None, "config"),
        (408, None, "transient"),
        (429, None, "transient"),
        (502, None, "transient"),  # any 5xx: passing trouble
        (599, 12345, "transient"),
        (400, None, "refused"),  # any other 4xx: refused as it is
        (422, 29999, "refused"),
        (300, None, "refused"),  # not an error status Twilio sends: never retried forever
    ],
)
def test_the_code_then_the_status_then_its_class(http_status, code, outcome):
    assert ERRORS.classify(http_status, code) == outcome


def test_shared_tables_are_only_config_or_transient():
    kinds = set(ACCOUNT_CODES.values()) | set(HTTP_STATUSES.values())
    assert kinds == {"config", "transient"}
    assert set(ERRORS.by_http_status) == set(HTTP_STATUSES)
    assert set(ERRORS.by_code) == set(ACCOUNT_CODES) | {21211}


def test_both_channels_read_shared_codes_as_their_config_and_transient_outcomes():
    from reminders import call_errors
    from sms import errors

    for channel, config, transient in (
        (errors, errors.CONFIG, errors.TRANSIENT),
        (call_errors, call_errors.CONFIG, call_errors.RETRY),
    ):
        assert channel.classify(401, 20003) is config
        assert channel.classify(None, 20404) is config
        assert channel.classify(429, None) is transient
        assert channel.classify(503, None) is transient
