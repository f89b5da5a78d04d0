"""Outbound SMS, the worker's side: send one stored message once, under the global rate cap.

``Dispatcher.deliver(message_id)`` is what the RQ job ``workers.sms.deliver`` runs. It waits for
a slot under the rate cap, sends through the configured ``SmsSender``, and records the outcome:

- accepted: the Twilio SID is recorded, number and body are deleted;
- a transient error (429, 5xx, no answer): the job raises and RQ retries it with backoff;
- a permanent error (``sms.errors``): the message is closed with its reason and the recipients'
  owner is told once (``sms.recipients``).

Sending is at-least-once with duplicates held down, not exactly-once: see docs/sms.md. A message
with a recorded SID is never sent again; a message whose previous attempt got no answer (the
worker died, the network failed) is sent again only after ``in_doubt_grace`` seconds without a
status callback having told us Twilio had it.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable

from rq import get_current_job

from hotline.keyring import Keyring
from hotline.twilio_fields import for_log
from sms import errors
from sms.callbacks import TWILIO_STATUS, status_callback_url
from sms.errors import Failure
from sms.rate_cap import RateCap
from sms.recipients import Recipients, tell_failure
from sms.sender import SendError, SmsSender
from sms.store import (
    ACCEPTED,
    CHANGED,
    CLAIMABLE,
    DISPATCHING,
    DUPLICATE,
    GAVE_UP,
    REFUSED,
    Message,
    MessageStore,
)

log = logging.getLogger(__name__)

#: An attempt that got no answer may still have reached Twilio; its status callback normally
#: comes within seconds. Until this many seconds have passed, a retry waits instead of resending.
IN_DOUBT_GRACE = 60.0


class TransientSendError(Exception):
    """Raised by the job so that RQ retries it after the next backoff interval."""


class AwaitingOutcome(TransientSendError):
    """The previous attempt's outcome is unknown; wait for its status callback before resending."""


def _retries_left() -> int:
    job = get_current_job()
    return (job.retries_left or 0) if job is not None else 0


class Dispatcher:
    """Sends stored messages; built once per worker process."""

    def __init__(
        self,
        *,
        store: MessageStore,
        sender: SmsSender,
        rate_cap: RateCap,
        secret: str,
        public_base_url: str | None,
        recipients: Recipients,
        in_doubt_grace: float = IN_DOUBT_GRACE,
        clock: Callable[[], float] = time.time,
        previous_secret: str | None = None,
    ):
        self.store = store
        self.sender = sender
        self.rate_cap = rate_cap
        self.secret = secret
        self.public_base_url = public_base_url
        self.recipients = recipients
        self.in_doubt_grace = in_doubt_grace
        self.clock = clock
        #: Opens numbers sealed before a key rotation too (reminders/rotation.py).
        self.keyring = Keyring(secret, previous_secret)

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
        if not self.recipients.still_wanted(message.purpose, message.caller):
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
            number = self.keyring.open(message.sealed_to or "")
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
                number,
                message.body or "",
                status_callback=status_callback_url(self.public_base_url, message_id),
            )
        except SendError as error:
            failure = errors.classify(error.http_status, error.code)
            if not failure.transient:
                return self._close(message, REFUSED, failure, error.code)
            if last_chance:
                return self._close(message, GAVE_UP, errors.GAVE_UP, error.code)
            self.store.release(
                message_id, attempt, in_doubt=error.in_doubt, reason=failure.reason, code=error.code
            )
            raise TransientSendError(f"SMS {message_id} attempt {attempt}: {error}") from error
        status = TWILIO_STATUS.get(sent.status, ACCEPTED)  # "queued" from Twilio, "sent" outbox
        if self.store.advance(message_id, status, sid=sent.sid) == DUPLICATE:
            log.warning("SMS %s was sent twice (second SID %s)", message_id, for_log(sent.sid))
        log.info("SMS %s %s as %s (attempt %d)", message_id, status, for_log(sent.sid), attempt)
        return status

    def _close(self, message: Message, status: str, failure: Failure, code: int | None) -> str:
        """End a message that will not be (re)sent, and tell the recipients' owner once."""
        changed = self.store.advance(message.id, status, reason=failure.reason, code=code)
        log.warning("SMS %s %s: %s (code %s)", message.id, status, failure.description, code or "-")
        if changed == CHANGED:
            tell_failure(self.recipients, message.caller, code, failure)
        return status
