"""Reading a failed Twilio REST request: its error code first, then its HTTP status, as tables.

Every channel that calls Twilio's REST API (SMS messages, reminder calls) reads a failure the
same way: a Twilio code the channel knows wins; with no answer at all the outcome is unknown
("network"); else the HTTP status decides, and a status no table names falls back by class
(5xx passing, any other refused). That order, and the codes and statuses every REST request
shares whatever it creates (bad credentials, wrong account, too many requests, Twilio down),
live here once. What a code means to a channel (retry, drop the number, stop and tell the
operator) is the channel's own table of outcomes, kept as data in its package: this module
never knows an outcome's fields, only which of the channel's outcomes to return.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Generic, Literal, TypeVar

Outcome = TypeVar("Outcome")
#: What a shared code or status says: our account is wrong, or Twilio is passing trouble.
Kind = Literal["config", "transient"]

#: Codes of Twilio's REST API error body that any request can carry, whatever it creates.
ACCOUNT_CODES: dict[int, Kind] = {
    20003: "config",  # Authentication failed
    20404: "config",  # Resource not found (wrong account, wrong base URL)
    20429: "transient",  # Too many requests
    20500: "transient",  # Internal server error
    20503: "transient",  # Service unavailable
}

#: When the body carries no code a table knows: the HTTP status (other 5xx and 4xx by class).
HTTP_STATUSES: dict[int, Kind] = {
    401: "config",
    403: "config",
    404: "config",
    408: "transient",
    429: "transient",
}


@dataclass(frozen=True)
class TwilioErrors(Generic[Outcome]):
    """A channel's classifier: its own codes over the shared ones, its outcome for each kind."""

    codes: Mapping[int, Outcome]  # the channel's own codes; they win over ACCOUNT_CODES
    config: Outcome  # our account or settings are wrong
    transient: Outcome  # try again later (429, 5xx)
    network: Outcome  # no answer from the API at all
    refused: Outcome  # any other 4xx: this request will not pass as it is
    by_code: Mapping[int, Outcome] = field(init=False)
    by_http_status: Mapping[int, Outcome] = field(init=False)

    def __post_init__(self) -> None:
        kinds: dict[Kind, Outcome] = {"config": self.config, "transient": self.transient}
        shared = {code: kinds[kind] for code, kind in ACCOUNT_CODES.items()}
        object.__setattr__(self, "by_code", {**shared, **self.codes})
        statuses = {status: kinds[kind] for status, kind in HTTP_STATUSES.items()}
        object.__setattr__(self, "by_http_status", statuses)

    def classify(self, http_status: int | None, code: int | None) -> Outcome:
        """The outcome of an API error (HTTP status and Twilio code), or of no answer at all."""
        if code is not None and code in self.by_code:
            return self.by_code[code]
        if http_status is None:
            return self.network
        if http_status in self.by_http_status:
            return self.by_http_status[http_status]
        return self.transient if http_status >= 500 else self.refused
