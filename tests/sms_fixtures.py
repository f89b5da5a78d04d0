"""Fixtures for outbound SMS: the fake Twilio."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.conftest import AUTH_TOKEN
from tests.fake_twilio import FakeTwilio

ACCOUNT_SID = "AC" + "5e" * 16
SENDER = "+33700000001"
NUMBER = "+33612345678"


@pytest.fixture
def fake_twilio() -> Iterator[FakeTwilio]:
    with FakeTwilio(ACCOUNT_SID, AUTH_TOKEN) as fake:
        yield fake
