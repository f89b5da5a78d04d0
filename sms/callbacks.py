"""Twilio's message status callbacks: what became of a message Twilio accepted.

``StatusCallbacks.record`` is what POST /sms/status (sms.status) calls. A callback can come
before the worker recorded the SID (it then tells the worker Twilio has the message), late, twice,
or for a message we no longer know: each case leaves the store consistent.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from werkzeug.datastructures import MultiDict

from hotline.twilio_fields import MESSAGE_SID, error_code, for_log, valid
from sms import errors
from sms.recipients import Recipients, tell_failure
from sms.store import (
    ACCEPTED,
    CHANGED,
    DELIVERED,
    DUPLICATE,
    MESSAGE_ID,
    SENT,
    UNDELIVERED,
    MessageStore,
)

log = logging.getLogger(__name__)

STATUS_PATH = "/sms/status"

#: Twilio's MessageStatus values, as our statuses.
TWILIO_STATUS = {
    "accepted": ACCEPTED,
    "scheduled": ACCEPTED,
    "queued": ACCEPTED,
    "sending": ACCEPTED,
    "sent": SENT,
    "delivered": DELIVERED,
    "read": DELIVERED,
    "undelivered": UNDELIVERED,
    "failed": UNDELIVERED,
    "canceled": UNDELIVERED,
}


def status_callback_url(public_base_url: str | None, message_id: str) -> str | None:
    """Where Twilio reports this message's status; None without PUBLIC_BASE_URL."""
    if not public_base_url:
        return None
    return f"{public_base_url}{STATUS_PATH}?m={message_id}"


@dataclass(frozen=True)
class StatusReport:
    """The fields of Twilio's message status callback the hotline uses, checked."""

    message_sid: str | None
    status: str
    error_code: int | None
    message_id: str | None  # ours, from the StatusCallback URL we gave (?m=...)

    @classmethod
    def from_request(cls, form: MultiDict[str, str], args: MultiDict[str, str]) -> StatusReport:
        sid = form.get("MessageSid") or form.get("SmsSid") or ""
        code = (form.get("ErrorCode") or "").strip()
        hint = args.get("m", "")
        return cls(
            message_sid=valid(MESSAGE_SID, sid),
            status=(form.get("MessageStatus") or form.get("SmsStatus") or "").strip().lower()[:20],
            error_code=error_code(code),
            message_id=valid(MESSAGE_ID, hint),
        )


class StatusCallbacks:
    def __init__(self, store: MessageStore, recipients: Recipients):
        self.store = store
        self.recipients = recipients

    def record(self, report: StatusReport) -> str | None:
        """Record what Twilio reports about a message; its status afterwards, or None if unknown."""
        status = TWILIO_STATUS.get(report.status)
        if report.message_sid is None or status is None:
            log.info("status callback ignored: status %s", for_log(report.status))
            return None
        message = None
        if report.message_id:
            message = self.store.load(report.message_id)
        if message is None:
            message_id = self.store.find_by_sid(report.message_sid)
            message = self.store.load(message_id) if message_id else None
        if message is None:
            log.info("status %s for a message not (or no longer) known", status)
            return None
        failure = errors.classify_callback(report.error_code) if status == UNDELIVERED else None
        result = self.store.advance(
            message.id,
            status,
            sid=report.message_sid,
            reason=failure.reason if failure else None,
            code=report.error_code,
        )
        if result == DUPLICATE:
            log.warning("SMS %s was sent twice (status %s for another SID)", message.id, status)
            return message.status
        if result == CHANGED and failure is not None:
            log.warning("SMS %s undelivered: %s", message.id, failure.description)
            tell_failure(self.recipients, message.caller, report.error_code, failure)
        return status if result == CHANGED else message.status
