"""Outbound SMS: store a message, queue its sending on RQ, send it once, track what became of it.

``hotline.outbound.enqueue(number, body)`` is what the rest of the hotline calls (web views and
jobs alike, each with the ``Hotline`` its process built). It stores the message (``sms.store``)
and enqueues the RQ job ``sms.delivery.deliver`` with the message id as its only argument and as
its job id, on the "hotline" queue (JSON serializer). The job waits for a slot under the global
rate cap, sends through the configured ``SmsSender``, and records the outcome:

- accepted: the Twilio SID is recorded, number and body are deleted;
- a transient error (429, 5xx, no answer): the job raises and RQ retries it with backoff;
- a permanent error (``sms.errors``): the message is closed with its reason and
  ``on_permanent_failure(caller_key, code, reason)`` is called, once.

Sending is at-least-once with duplicates held down, not exactly-once: see docs/sms.md. A message
with a recorded SID is never sent again; a message whose previous attempt got no answer (the
worker died, the network failed) is sent again only after ``in_doubt_grace`` seconds without a
status callback having told us Twilio had it.
"""

from __future__ import annotations

import logging
import re
import time
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from redis import Redis
from rq import Queue, Retry, get_current_job
from rq.serializers import JSONSerializer
from werkzeug.datastructures import MultiDict

from hotline import keys
from hotline.identity import caller_key, mask_number, normalise_number, open_number, seal_number
from hotline.settings import Settings
from insights.events import Event, event
from insights.tally import Tally
from sms import errors
from sms.errors import Outcome
from sms.rate_cap import RateCap
from sms.sender import SendError, SmsSender, build_sender
from sms.store import (
    ACCEPTED,
    CHANGED,
    CLAIMABLE,
    DELIVERED,
    DISPATCHING,
    DUPLICATE,
    GAVE_UP,
    MESSAGE_ID,
    REFUSED,
    SENT,
    UNDELIVERED,
    MessageStore,
)

log = logging.getLogger(__name__)

QUEUE_NAME = "hotline"
DELIVER_JOB = "sms.delivery.deliver"
STATUS_PATH = "/sms/status"

#: Seconds between attempts after a transient error: 6 retries over about 50 minutes.
RETRY_INTERVALS = (10, 30, 60, 300, 900, 1800)
#: An attempt that got no answer may still have reached Twilio; its status callback normally
#: comes within seconds. Until this many seconds have passed, a retry waits instead of resending.
IN_DOUBT_GRACE = 60.0
#: The job sleeps for its rate slot, then waits at most the API timeout: far under this.
JOB_TIMEOUT = 180
RESULT_TTL = 24 * 60 * 60
FAILURE_TTL = 7 * 24 * 60 * 60
#: Twilio refuses longer bodies (error 21617).
MAX_BODY = 1600
_PURPOSE = re.compile(r"^[a-z0-9_.-]{1,40}$")

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
_MESSAGE_SID = re.compile(r"^(SM|MM)[0-9a-fA-F]{32}$")


class PermanentFailureHandler(Protocol):
    def __call__(self, caller: str | None, code: int | None, reason: str) -> None: ...


def log_permanent_failure(caller: str | None, code: int | None, reason: str) -> None:
    """The default handler: say it in the log (the registration store replaces this)."""
    log.warning("SMS to caller %s failed for good: %s (code %s)", caller or "-", reason, code)


class StillWanted(Protocol):
    def __call__(self, purpose: str, caller: str | None) -> bool: ...


def always_wanted(purpose: str, caller: str | None) -> bool:
    return True


class TransientSendError(Exception):
    """Raised by the job so that RQ retries it after the next backoff interval."""


class AwaitingOutcome(TransientSendError):
    """The previous attempt's outcome is unknown; wait for its status callback before resending."""


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
            message_sid=sid if _MESSAGE_SID.match(sid) else None,
            status=(form.get("MessageStatus") or form.get("SmsStatus") or "").strip().lower(),
            error_code=int(code) if code.isdigit() else None,
            message_id=hint if MESSAGE_ID.match(hint) else None,
        )


def _retries_left() -> int:
    job = get_current_job()
    return (job.retries_left or 0) if job is not None else 0


class Outbound:
    """Outbound SMS for the whole hotline; built once per process from the settings."""

    def __init__(
        self,
        *,
        store: MessageStore,
        queue: Queue,
        sender: SmsSender,
        rate_cap: RateCap,
        tally: Tally,
        secret: str,
        public_base_url: str | None,
        retry_intervals: Sequence[int] = RETRY_INTERVALS,
        in_doubt_grace: float = IN_DOUBT_GRACE,
        on_permanent_failure: PermanentFailureHandler = log_permanent_failure,
        still_wanted: StillWanted = always_wanted,
        clock: Callable[[], float] = time.time,
    ):
        self.store = store
        self.queue = queue
        self.sender = sender
        self.rate_cap = rate_cap
        self.tally = tally
        self.secret = secret
        self.public_base_url = public_base_url
        self.retry_intervals = tuple(retry_intervals)
        self.in_doubt_grace = in_doubt_grace
        self.on_permanent_failure = on_permanent_failure
        self.still_wanted = still_wanted
        self.clock = clock

    @classmethod
    def build(cls, settings: Settings, redis: Redis, **overrides) -> Outbound:
        parts: dict = dict(
            store=MessageStore(redis),
            queue=Queue(QUEUE_NAME, connection=redis, serializer=JSONSerializer),
            sender=build_sender(settings, redis),
            rate_cap=RateCap(redis, settings.sms_rate_per_second),
            secret=settings.secret_key,
            public_base_url=settings.public_base_url,
        )
        parts.update(overrides)
        return cls(**parts)

    # --- the web app's side -----------------------------------------------------------------------

    def enqueue(
        self,
        to_number: str,
        body: str,
        *,
        caller: str | None = None,
        purpose: str = "reply",
        at: datetime | None = None,
        message_id: str | None = None,
    ) -> str:
        """Store one SMS and queue its sending (now, or at ``at``); return its message id.

        ``caller`` defaults to the number's keyed hash (identity.caller_key). Give a
        ``message_id`` (letters, digits, ``_``, ``-``) to make enqueueing idempotent: the same id
        again is not sent twice.
        """
        number = normalise_number(to_number)
        if number is None:
            raise ValueError("not a phone number in E.164 form")
        if not body or len(body) > MAX_BODY:
            raise ValueError(f"an SMS body has 1 to {MAX_BODY} characters")
        if not _PURPOSE.match(purpose):
            raise ValueError("purpose is a short lowercase word")
        if at is not None and at.tzinfo is None:
            raise ValueError("give `at` with its time zone")
        message_id = message_id or "sms-" + uuid.uuid4().hex
        if not MESSAGE_ID.match(message_id):
            raise ValueError("a message id has 1 to 64 letters, digits, _ or -")
        now = self.clock()
        delay = max(0, int(at.timestamp() - now)) if at else 0
        created = self.store.create(
            message_id,
            sealed_to=seal_number(self.secret, number),
            body=body,
            caller=caller if caller is not None else caller_key(self.secret, number),
            purpose=purpose,
            created=now,
            ttl=delay + keys.SMS_MESSAGE_TTL,
        )
        if not created:
            log.info("SMS %s already queued; not queued again", message_id)
            return message_id
        options: dict = dict(
            job_id=message_id,
            job_timeout=JOB_TIMEOUT,
            result_ttl=RESULT_TTL,
            failure_ttl=FAILURE_TTL,
            description=f"sms {purpose}",
        )
        if self.retry_intervals:
            options["retry"] = Retry(max=len(self.retry_intervals), interval=self.retry_intervals)
        try:
            if at is not None:
                self.queue.enqueue_at(at, DELIVER_JOB, message_id, **options)
            else:
                self.queue.enqueue(DELIVER_JOB, message_id, **options)
        except Exception:
            self.store.forget(message_id)  # no job, no message: enqueueing again can work
            raise
        self._count([event("sms_outbound", purpose, "queued")])
        log.info("SMS %s (%s) queued for %s", message_id, purpose, mask_number(number))
        return message_id

    def status_callback_url(self, message_id: str) -> str | None:
        """Where Twilio reports this message's status; None without PUBLIC_BASE_URL."""
        if not self.public_base_url:
            return None
        return f"{self.public_base_url}{STATUS_PATH}?m={message_id}"

    # --- the worker's side ------------------------------------------------------------------------

    def deliver(self, message_id: str) -> str:
        """Send one stored message unless it already went; return its status.

        Raises TransientSendError (RQ then retries the job) while retries are left.
        """
        message = self.store.load(message_id)
        if message is None:
            log.warning("SMS %s is gone (expired?); nothing to send", message_id)
            return "missing"
        if message.sid or message.status not in CLAIMABLE:
            return message.status
        if not self.still_wanted(message.purpose, message.caller):
            # Queued before the person left (STOP racing a due reminder): never sent.
            self.store.advance(message_id, REFUSED, reason=errors.WITHDRAWN.reason)
            log.info("SMS %s withdrawn before sending", message_id)
            return REFUSED
        last_chance = _retries_left() == 0
        if message.status == DISPATCHING:
            # An earlier attempt got no answer: Twilio may have the message. Its status callback
            # would have recorded the SID (and then we return above); give it time to come.
            age = self.clock() - float(message.attempt_at or 0)
            if age < self.in_doubt_grace and not last_chance:
                raise AwaitingOutcome(f"SMS {message_id}: attempt {message.attempts} unanswered")
            log.warning(
                "SMS %s: attempt %d got no answer and no status came; sending again",
                message_id,
                message.attempts,
            )
        try:
            number = open_number(self.secret, message.sealed_to or "")
        except ValueError:
            return self._close(message, REFUSED, errors.UNREADABLE, None)
        attempt = self.store.claim(message_id, message.attempt_at, self.clock())
        if attempt is None:  # a status callback or another worker got there first
            current = self.store.load(message_id)
            return current.status if current else "missing"
        # Nothing but the request itself between the slot and the API: the cap holds at the far
        # end only if sends leave when their slot comes.
        self.rate_cap.wait()
        try:
            sent = self.sender.send(
                number, message.body or "", status_callback=self.status_callback_url(message_id)
            )
        except SendError as error:
            outcome = errors.classify(error.http_status, error.code)
            if not outcome.transient:
                return self._close(message, REFUSED, outcome, error.code)
            if last_chance:
                return self._close(message, GAVE_UP, errors.GAVE_UP, error.code)
            self.store.release(
                message_id, attempt, in_doubt=error.in_doubt, reason=outcome.reason, code=error.code
            )
            raise TransientSendError(f"SMS {message_id} attempt {attempt}: {error}") from error
        status = TWILIO_STATUS.get(sent.status, ACCEPTED)  # "queued" from Twilio, "sent" outbox
        result = self.store.advance(message_id, status, sid=sent.sid)
        if result == DUPLICATE:
            log.warning("SMS %s was sent twice (second SID %s)", message_id, sent.sid)
        elif result == CHANGED:
            self._count([event("sms_outbound", message.purpose, status)])
        log.info("SMS %s %s as %s (attempt %d)", message_id, status, sent.sid, attempt)
        return status

    def _close(self, message, status: str, outcome: Outcome, code: int | None) -> str:
        """End a message that will not be (re)sent, and tell the registration owner once."""
        changed = self.store.advance(message.id, status, reason=outcome.reason, code=code)
        log.warning("SMS %s %s: %s (code %s)", message.id, status, outcome.description, code or "-")
        if changed == CHANGED:
            self._count(failure_events(message.purpose, status, outcome, code))
            self._notify(message.caller, code, outcome.reason)
        return status

    def _count(self, events: list[Event]) -> None:
        self.tally.record(events)

    def _notify(self, caller: str | None, code: int | None, reason: str) -> None:
        try:
            self.on_permanent_failure(caller, code, reason)
        except Exception:
            # The message is closed either way; a retry must not send it again.
            log.exception("on_permanent_failure failed for reason %s", reason)

    # --- Twilio's status callbacks ---------------------------------------------------------------

    def record_status(self, report: StatusReport) -> str | None:
        """Record what Twilio reports about a message; its status afterwards, or None if unknown."""
        status = TWILIO_STATUS.get(report.status)
        if report.message_sid is None or status is None:
            log.info("status callback ignored: status %r", report.status)
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
        outcome = errors.classify_callback(report.error_code) if status == UNDELIVERED else None
        result = self.store.advance(
            message.id,
            status,
            sid=report.message_sid,
            reason=outcome.reason if outcome else None,
            code=report.error_code,
        )
        if result == DUPLICATE:
            log.warning("SMS %s was sent twice (status %s for another SID)", message.id, status)
            return message.status
        if result == CHANGED:
            self._count(failure_events(message.purpose, status, outcome, report.error_code))
        if result == CHANGED and outcome is not None:
            log.warning("SMS %s undelivered: %s", message.id, outcome.description)
            self._notify(message.caller, report.error_code, outcome.reason)
        return status if result == CHANGED else message.status


def failure_events(
    purpose: str, status: str, outcome: Outcome | None, code: int | None
) -> list[Event]:
    """What a message moving to ``status`` counts: the status, and a failure by its code."""
    events = [event("sms_outbound", purpose, status)]
    if outcome is not None:
        events.append(event("sms_failed", code or "-", outcome.reason))
        if purpose == "reminder":
            events.append(event("reminder_failed", outcome.reason))
    return events


def deliver(message_id: str) -> str:
    """RQ job: send one stored SMS (``Outbound.deliver``) with this worker's parts."""
    from workers.context import worker_parts  # the job runs in a worker, not in the web app

    return worker_parts().outbound.deliver(message_id)
