"""What a failed send means: Twilio's error codes and HTTP statuses mapped to outcomes, as tables.

A send can fail when the API answers (an HTTP error with Twilio's error body), when the network
fails (no answer), or later, when Twilio reports the message undelivered in a status callback
(``ErrorCode``). All three go through these tables, in the order every REST error is read
(hotline.twilio_errors): the code, then the HTTP status, then the status's class (5xx
transient, other 4xx refused). An outcome is either transient (RQ retries the job with backoff)
or final (the message is closed with its reason, and the registration owner is told through
``Recipients.delivery_failed`` (sms.outbound), with ``forget`` set when ``registration`` says
the number cannot or must not get SMS any more.

Twilio adds finer codes over time (in 2024 it split some cases out of 21211 and 21614); an unknown
4xx code is final ("refused") and logged with its code, so the table can be extended.
"""

from __future__ import annotations

from dataclasses import dataclass

from hotline.twilio_errors import TwilioErrors


@dataclass(frozen=True)
class Failure:
    reason: str  # stable word: stored on the message, passed to Recipients.delivery_failed
    transient: bool
    registration: str  # what the registration owner should do: "erase", "drop" or "keep"
    description: str


TRANSIENT = Failure("transient", True, "keep", "temporary failure; sent again later")
NETWORK = Failure("network", True, "keep", "no answer from the API; the outcome is unknown")
OPT_OUT = Failure("opt_out", False, "erase", "the number sent STOP to our sender")
INVALID_NUMBER = Failure("invalid_number", False, "drop", "not a valid or active phone number")
NOT_MOBILE = Failure("not_mobile", False, "drop", "not a mobile number (a landline?)")
UNROUTABLE = Failure("unroutable", False, "keep", "Twilio cannot reach this number from our sender")
UNREACHABLE = Failure("unreachable", False, "keep", "the phone was off or out of coverage")
BLOCKED = Failure("blocked", False, "keep", "blocked or filtered by the carrier")
#: Our own account or sender is wrong: nothing is wrong with the message, and an operator will fix
#: the settings. Retried like a transient error, so that a worker misconfigured for an hour loses
#: no reminder (sms.outbound.RETRY_INTERVALS spans about two hours).
CONFIG = Failure("config", True, "keep", "our Twilio account or sender is misconfigured")
REFUSED = Failure("refused", False, "keep", "the API refused this message")
UNKNOWN = Failure("unknown", False, "keep", "undelivered for an unknown reason")
GAVE_UP = Failure("gave_up", False, "keep", "still failing after every retry")
UNREADABLE = Failure("unreadable", False, "keep", "the stored number cannot be decrypted")
WITHDRAWN = Failure("withdrawn", False, "keep", "no longer wanted (the person sent STOP)")

#: The Messaging API's own codes, from the REST API's error body ("code") or a status callback's
#: ErrorCode (the codes any REST request may carry, and the HTTP statuses, are in
#: hotline.twilio_errors).
BY_CODE: dict[int, Failure] = {
    # answered by the REST API when creating the message
    21610: OPT_OUT,  # Attempt to send to unsubscribed recipient
    21211: INVALID_NUMBER,  # Invalid 'To' Phone Number
    21614: NOT_MOBILE,  # 'To' number is not a valid mobile number
    21612: UNROUTABLE,  # 'To' number not currently reachable via SMS from this sender
    21408: UNROUTABLE,  # Permission to send an SMS has not been enabled for the region
    21606: CONFIG,  # 'From' number is not a valid message-capable Twilio number
    21603: CONFIG,  # 'From' number is required
    21604: REFUSED,  # 'To' number is required
    21602: REFUSED,  # Message body is required
    21617: REFUSED,  # Concatenated message body exceeds the 1600 character limit
    # reported later in status callbacks (MessageStatus undelivered or failed)
    30003: UNREACHABLE,  # Unreachable destination handset
    30004: BLOCKED,  # Message blocked
    30005: INVALID_NUMBER,  # Unknown destination handset (number not in service)
    30006: NOT_MOBILE,  # Landline or unreachable carrier
    30007: BLOCKED,  # Message filtered
    30008: UNKNOWN,  # Unknown error
}

ERRORS = TwilioErrors(BY_CODE, config=CONFIG, transient=TRANSIENT, network=NETWORK, refused=REFUSED)

FAILURES: dict[str, Failure] = {
    o.reason: o
    for o in (
        *ERRORS.by_code.values(),
        *ERRORS.by_http_status.values(),
        NETWORK,
        REFUSED,
        GAVE_UP,
        UNREADABLE,
        WITHDRAWN,
    )
}


def classify(http_status: int | None, code: int | None) -> Failure:
    """The outcome of an API error (HTTP status and Twilio code), or of no answer at all."""
    return ERRORS.classify(http_status, code)


def classify_callback(error_code: int | None) -> Failure:
    """The outcome of a status callback reporting a message undelivered or failed."""
    if error_code is None:
        return UNKNOWN
    outcome = ERRORS.by_code.get(error_code, UNKNOWN)
    # Too late to retry from a callback: a transient code there just means "not delivered".
    return UNKNOWN if outcome.transient else outcome
