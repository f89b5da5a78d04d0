"""Outbound SMS, the sending side: store a message and queue its delivery on RQ.

``Outbound.enqueue(number, body)`` is what the rest of the hotline calls (web views and jobs
alike). It stores the message (``sms.store``) and enqueues the RQ job ``workers.sms.deliver``
by name, with the message id as its only argument and as its job id, on the queue the process's
composition root built (``wiring.queue``). A worker then runs ``sms.dispatch.Dispatcher``;
Twilio's status callbacks go to ``sms.callbacks``. What each step guarantees: docs/sms.md.
"""

from __future__ import annotations

import logging
import re
import time
import uuid
from collections.abc import Callable, Sequence
from datetime import datetime

from rq import Queue, Retry

from hotline import keys
from hotline.identity import caller_key, mask_number, normalise_number, seal_number
from hotline.sms_destinations import Destinations
from sms.store import MESSAGE_ID, MessageStore

log = logging.getLogger(__name__)

#: The RQ job that delivers one message (by name: the web app never imports worker code).
DELIVER_JOB = "workers.sms.deliver"

#: Seconds between attempts after a transient error: 6 retries over about 50 minutes.
RETRY_INTERVALS = (10, 30, 60, 300, 900, 1800)
#: The job sleeps for its rate slot, then waits at most the API timeout: far under this.
JOB_TIMEOUT = 180
RESULT_TTL = 24 * 60 * 60
FAILURE_TTL = 7 * 24 * 60 * 60
#: Twilio refuses longer bodies (error 21617).
MAX_BODY = 1600
_PURPOSE = re.compile(r"[a-z0-9_.-]{1,40}")


class Outbound:
    """Queues outbound SMS for the whole hotline; built once per process."""

    def __init__(
        self,
        *,
        store: MessageStore,
        queue: Queue,
        reminder_queue: Queue,
        destinations: Destinations,
        secret: str,
        retry_intervals: Sequence[int] = RETRY_INTERVALS,
        clock: Callable[[], float] = time.time,
    ):
        self.store = store
        self.queue = queue
        #: Reminders have their own queue, which every worker takes first: a flood of replies
        #: never delays a reminder.
        self.reminder_queue = reminder_queue
        self.destinations = destinations
        self.secret = secret
        self.retry_intervals = tuple(retry_intervals)
        self.clock = clock

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
        if not _PURPOSE.fullmatch(purpose):
            raise ValueError("purpose is a short lowercase word")
        if at is not None and at.tzinfo is None:
            raise ValueError("give `at` with its time zone")
        message_id = message_id or "sms-" + uuid.uuid4().hex
        if not MESSAGE_ID.fullmatch(message_id):
            raise ValueError("a message id has 1 to 64 letters, digits, _ or -")
        if refusal := self.destinations.refusal(number):
            # SMS pumping: only mobiles of the allowed countries (SMS_ALLOWED_COUNTRIES).
            log.warning(
                "SMS %s (%s) not queued: destination refused (%s)", message_id, purpose, refusal
            )
            return message_id
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
        queue = self.reminder_queue if purpose == "reminder" else self.queue
        try:
            if at is not None:
                queue.enqueue_at(at, DELIVER_JOB, message_id, **options)
            else:
                queue.enqueue(DELIVER_JOB, message_id, **options)
        except Exception:
            self.store.forget(message_id)  # no job, no message: enqueueing again can work
            raise
        log.info("SMS %s (%s) queued for %s", message_id, purpose, mask_number(number))
        return message_id
