"""Twilio's REST API as every outbound part uses it: the official client pointed at
TWILIO_API_BASE_URL with a bounded timeout, and one reading of its failures.

The SMS sender (sms.sender) and the reminder call dialer (reminders.dialer) share these, so a
Twilio error means the same thing whichever created it. A failure comes out as ``SendError``: the
HTTP status and Twilio's error code when the API answered, ``in_doubt`` when it did not (the
request may or may not have been acted on).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import TypeVar

import requests
from twilio.base.exceptions import TwilioException
from twilio.http.http_client import TwilioHttpClient
from twilio.rest import Client

from hotline.settings import Settings

T = TypeVar("T")

#: Seconds to wait for the API's answer; Twilio answers a create in well under a second.
API_TIMEOUT = 15.0


class SendError(Exception):
    """The message was not (known to be) accepted."""

    def __init__(
        self, detail: str, *, http_status: int | None, code: int | None, in_doubt: bool = False
    ):
        super().__init__(detail)
        self.http_status = http_status
        self.code = code
        self.in_doubt = in_doubt


def call_api(request: Callable[[], T]) -> T:
    """Make one REST request with the official client; any failure comes out as SendError (the
    SMS sender and the reminder call dialer share this reading of Twilio's answers)."""
    try:
        return request()
    except TwilioException as error:
        # TwilioRestException (legacy error body) and TwilioServiceException (RFC 9457)
        # both carry the HTTP status and Twilio's code.
        status = getattr(error, "status", None)
        code = getattr(error, "code", None)
        raise SendError(
            f"API answered {status} (code {code})",
            http_status=status if isinstance(status, int) else None,
            code=code if isinstance(code, int) else None,
        ) from error
    except requests.ConnectTimeout as error:
        raise SendError("no connection to the API", http_status=None, code=None) from error
    except requests.RequestException as error:
        # Sent, maybe received and acted on, but no answer came back.
        raise SendError(
            f"no answer from the API ({type(error).__name__})",
            http_status=None,
            code=None,
            in_doubt=True,
        ) from error


def build_twilio_client(settings: Settings, *, timeout: float = API_TIMEOUT) -> Client:
    """The official client, talking to TWILIO_API_BASE_URL with a bounded timeout."""
    # The client logs every request at INFO (headers only); keep that out of the hotline's log.
    quiet = logging.getLogger("sms.twilio_http")
    quiet.setLevel(logging.WARNING)
    sid, token = settings.twilio_account_sid, settings.twilio_auth_token
    client = Client(
        sid,
        token,
        http_client=TwilioHttpClient(timeout=timeout, logger=quiet),
        # Settings are the one source of configuration: the client must not pick up
        # TWILIO_EDGE or TWILIO_REGION from the process environment, which would rewrite the
        # API host (and break TWILIO_API_BASE_URL).
        environment={"TWILIO_ACCOUNT_SID": sid or "", "TWILIO_AUTH_TOKEN": token},
    )
    # Every REST call for messages goes through the Api domain; its base URL is public API.
    client.api.base_url = settings.twilio_api_base_url
    return client
