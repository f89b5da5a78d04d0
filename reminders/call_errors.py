"""What a failed ``calls.create`` means, as tables: retry the job, count it as an unanswered try,
drop the call with its reason, or stop and tell the operator.

The codes are the Calls API's own; an API error without one of them is read as every REST
error is (hotline.twilio_errors: the codes any request may carry, then the HTTP status). A
misconfiguration (caller ID not verified, France not allowed in the voice geo permissions, bad
credentials) would fail every reminder call the same way: it is ``loud``, the job fails where
`flask jobs failed` and the log show it, and the call can be requeued once fixed.
"""

from __future__ import annotations

from dataclasses import dataclass

from hotline.twilio_errors import TwilioErrors


@dataclass(frozen=True)
class CallOutcome:
    reason: str  # stable word, kept in the call record and the audit trail
    action: str  # "retry" (the job again soon), "unanswered" (a try used), "drop", "loud"
    description: str


RETRY = CallOutcome("transient", "retry", "temporary failure; the call is placed again soon")
NETWORK = CallOutcome("network", "retry", "no answer from the API; the outcome is unknown")
UNREACHABLE = CallOutcome("unreachable", "unanswered", "the number cannot be reached now")
INVALID = CallOutcome("invalid_number", "drop", "not a valid phone number for calls")
GEO = CallOutcome("geo_permission", "loud", "the voice geo permissions do not allow this country")
CALLER_ID = CallOutcome("caller_id", "loud", "the caller ID is not a verified or Twilio number")
CONFIG = CallOutcome("config", "loud", "our Twilio account is misconfigured")
REFUSED = CallOutcome("refused", "drop", "the API refused this call")

#: The Calls API's own codes (the ones any REST request may carry are in hotline.twilio_errors).
BY_CODE: dict[int, CallOutcome] = {
    21215: GEO,  # Geo Permission configuration is not permitting call
    21210: CALLER_ID,  # Caller phone number not verified
    21212: CALLER_ID,  # Invalid Caller Phone Number
    21217: INVALID,  # Phone number does not appear to be valid
    21211: INVALID,  # Invalid 'To' Phone Number
    21214: UNREACHABLE,  # 'To' phone number cannot be reached
}

ERRORS = TwilioErrors(BY_CODE, config=CONFIG, transient=RETRY, network=NETWORK, refused=REFUSED)


def classify(http_status: int | None, code: int | None) -> CallOutcome:
    """The outcome of a calls.create error (HTTP status and Twilio code), or of no answer."""
    return ERRORS.classify(http_status, code)
