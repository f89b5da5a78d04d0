"""Reminder calls: one call per reminder, tried until answered or out of tries, never twice at once.

A due reminder for a person reminded by phone becomes a call record ``hl:rcall:{id}`` (the caller
key, the reminder's index, the tries made, the status, Twilio's CallSid). Its id is a digest of
caller, expiry and reminder index: the same reminder is one call however often it is started,
and the id in Twilio's URLs shows neither the number nor the date.

A try goes: ``waiting`` (queued, or in ``hl:rcall:due`` until the calling hours) -> ``dialing``
(claimed by one worker, which then waits for its slot under the global cap and calls
``calls.create``) -> ``placed`` (Twilio took it: we have its CallSid) -> ``answered`` -> ``done``;
or, on no-answer, busy or failed, back to ``waiting`` for a retry, or ``unanswered`` after the
last try (the reminder then falls back to SMS, see reminders.service).

A worker killed between the claim and Twilio's answer leaves the record ``dialing``: the job is
retried, and the retry dials again only if no status callback has told us, within
``IN_DOUBT_GRACE`` seconds, that Twilio had the call (Twilio posts "initiated" at once, carrying
our id in the StatusCallback URL). The registration is checked just before dialing: a person who
sent STOP after the call was queued is never called.
"""

from __future__ import annotations

import hashlib
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime

from redis import Redis
from rq import Queue, Retry, get_current_job
from rq.exceptions import DuplicateJobError

from hotline import keys
from hotline.call_policy import CallPolicy
from hotline.identity import mask_number
from hotline.rate_cap import RateCap
from hotline.twilio_api import SendError
from reminders import call_errors
from reminders.dialer import Dialer
from reminders.registrations import RegistrationStore

log = logging.getLogger(__name__)

PLACE_JOB = "workers.reminder_calls.place_reminder_call"
#: The webhook paths (ivr.views serves them): the call's TwiML and its status callback.
CALL_PATH = "/voice/reminder/{id}"
STATUS_PATH = "/voice/reminder/{id}/status"
#: After a try got no answer from the API, how long to wait for Twilio's "initiated" callback
#: before dialing again.
IN_DOUBT_GRACE = 60.0
#: Job retries for transient API errors and unanswered requests (seconds between them).
JOB_RETRIES = (10, 30, 60, 120)
JOB_TIMEOUT = 120

WAITING, DIALING, PLACED, ANSWERED = "waiting", "dialing", "placed", "answered"
DONE, UNANSWERED, DROPPED, WITHDRAWN = "done", "unanswered", "dropped", "withdrawn"
#: Twilio's CallStatus values that end a try without anyone answering.
NOT_ANSWERED = frozenset({"busy", "no-answer", "failed", "canceled"})
#: What Twilio's answering-machine detection (AnsweredBy) says answered, and what is said then:
#: a machine or a fax gets the neutral message only; a person, the reminder. Any other value
#: (``unknown``: detection timed out, typically a person who answers and says nothing; or no
#: AnsweredBy at all, though every reminder call asks for detection) may be a machine recording
#: with a person listening: the neutral message, then "to hear your message, press 1".
MACHINE = frozenset(
    {"machine_start", "machine_end_beep", "machine_end_silence", "machine_end_other", "fax"}
)
PERSON = frozenset({"human"})

# The record's fields: caller, reminder index, tries, status, CallSid, when the try began,
# the last try's outcome.
CALLER, INDEX, TRIES, STATUS, SID, AT, REASON = "c", "i", "n", "s", "sid", "t", "r"

_CREATE = """
if redis.call('EXISTS', KEYS[1]) == 1 then return 0 end
redis.call('HSET', KEYS[1], 'c', ARGV[1], 'i', ARGV[2], 'n', 0, 's', 'waiting')
redis.call('EXPIRE', KEYS[1], ARGV[3])
return 1
"""

# Take a try: {tries, 1} when this worker must dial now, {tries, 0} when an earlier try's fate is
# unknown and still within the grace, {} when there is nothing to dial.
_CLAIM = """
local s = redis.call('HGET', KEYS[1], 's')
if s == 'waiting' then
  local n = redis.call('HINCRBY', KEYS[1], 'n', 1)
  redis.call('HSET', KEYS[1], 's', 'dialing', 't', ARGV[1], 'sid', '')
  return {n, 1}
end
if s == 'dialing' and redis.call('HGET', KEYS[1], 'sid') == '' then
  local n = tonumber(redis.call('HGET', KEYS[1], 'n'))
  if tonumber(ARGV[1]) - tonumber(redis.call('HGET', KEYS[1], 't')) >= tonumber(ARGV[2]) then
    redis.call('HSET', KEYS[1], 't', ARGV[1])
    return {n, 1}
  end
  return {n, 0}
end
return {}
"""

# Twilio reports on a call. ARGV: sid, what happened ('placed', 'answered', 'ended', 'missed').
# Returns the status before, or '' when the report is stale (another try's call) or unknown.
_REPORT = """
local s = redis.call('HGET', KEYS[1], 's')
if not s then return '' end
local sid = redis.call('HGET', KEYS[1], 'sid')
if sid ~= '' and sid ~= ARGV[1] then return '' end
if s ~= 'dialing' and s ~= 'placed' and s ~= 'answered' then return '' end
redis.call('HSET', KEYS[1], 'sid', ARGV[1])
if ARGV[2] == 'placed' then
  if s == 'dialing' then redis.call('HSET', KEYS[1], 's', 'placed') end
elseif ARGV[2] == 'answered' then
  redis.call('HSET', KEYS[1], 's', 'answered')
elseif ARGV[2] == 'ended' then
  redis.call('HSET', KEYS[1], 's', 'done')
elseif ARGV[2] == 'missed' then
  if s == 'answered' then redis.call('HSET', KEYS[1], 's', 'done') return s end
  redis.call('HSET', KEYS[1], 's', ARGV[3], 'r', ARGV[4])
end
return s
"""

_TAKE_DUE = """
local ids = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', ARGV[1], 'LIMIT', 0, ARGV[2])
if #ids > 0 then redis.call('ZREM', KEYS[1], unpack(ids)) end
return ids
"""


def reminder_call_id(caller: str, expiry: date, index: int) -> str:
    """The same for the same reminder; a digest, so Twilio's URLs carry nothing personal."""
    digest = hashlib.sha256(f"call:{caller}:{expiry.isoformat()}:{index}".encode()).hexdigest()
    return f"call-{digest[:32]}"


@dataclass(frozen=True)
class CallRecord:
    id: str
    caller: str
    index: int
    tries: int
    status: str
    sid: str
    reason: str


@dataclass(frozen=True)
class Ended:
    """What a status callback meant for the reminder: ``outcome`` is ``done``, ``retry`` or
    ``unanswered`` (the last try: the caller of ``report`` falls back to SMS)."""

    record: CallRecord
    outcome: str
    reason: str = ""


class CallRecords:
    """The call records in Redis (see the module's docstring)."""

    def __init__(self, redis: Redis):
        self.redis = redis
        self._create = redis.register_script(_CREATE)
        self._claim = redis.register_script(_CLAIM)
        self._report = redis.register_script(_REPORT)
        self._take_due = redis.register_script(_TAKE_DUE)

    def create(self, call_id: str, caller: str, index: int) -> bool:
        key = keys.REMINDER_CALL.format(id=call_id)
        return bool(self._create(keys=[key], args=[caller, index, keys.REMINDER_CALL_TTL]))

    def load(self, call_id: str) -> CallRecord | None:
        raw = self.redis.hgetall(keys.REMINDER_CALL.format(id=call_id))
        if not raw:
            return None
        f = {k.decode(): v.decode() for k, v in raw.items()}
        return CallRecord(
            id=call_id,
            caller=f[CALLER],
            index=int(f[INDEX]),
            tries=int(f[TRIES]),
            status=f[STATUS],
            sid=f.get(SID, ""),
            reason=f.get(REASON, ""),
        )

    def claim(self, call_id: str, now: float, grace: float) -> tuple[int, bool] | None:
        got = self._claim(keys=[keys.REMINDER_CALL.format(id=call_id)], args=[now, grace])
        return (int(got[0]), bool(got[1])) if got else None

    def report(self, call_id: str, sid: str, what: str, missed_status: str = "", reason: str = ""):
        key = keys.REMINDER_CALL.format(id=call_id)
        before = self._report(keys=[key], args=[sid, what, missed_status, reason])
        return before.decode() if before else None

    def release(self, call_id: str) -> None:
        """Give back a try the API refused for a passing reason (429, 5xx): not counted."""
        key = keys.REMINDER_CALL.format(id=call_id)
        with self.redis.pipeline() as pipe:
            pipe.hincrby(key, TRIES, -1)
            pipe.hset(key, STATUS, WAITING)
            pipe.execute()

    def close(self, call_id: str, status: str, reason: str) -> None:
        self.redis.hset(
            keys.REMINDER_CALL.format(id=call_id), mapping={STATUS: status, REASON: reason}
        )

    def wait_until(self, call_id: str, moment: datetime) -> None:
        """Dial this call again once ``moment`` comes (a retry, or the calling hours)."""
        with self.redis.pipeline() as pipe:
            pipe.hset(keys.REMINDER_CALL.format(id=call_id), STATUS, WAITING)
            pipe.zadd(keys.REMINDER_CALLS_DUE, {call_id: moment.timestamp()})
            pipe.execute()

    def take_due(self, now: datetime, limit: int = 1000) -> list[str]:
        ids = self._take_due(keys=[keys.REMINDER_CALLS_DUE], args=[now.timestamp(), limit])
        return [i.decode() for i in ids]

    def due_at(self, call_id: str) -> float | None:
        return self.redis.zscore(keys.REMINDER_CALLS_DUE, call_id)


def _retries_left() -> int:
    job = get_current_job()
    return (job.retries_left or 0) if job is not None else 0


def _no_retry() -> None:
    """Fail this job for good: retrying cannot fix what an operator must (RQ reads retries_left
    from this very job object when the job raises)."""
    job = get_current_job()
    if job is not None:
        job.retries_left = 0


class TransientCallError(Exception):
    """Raised by the job so that RQ tries it again after its next interval."""


class CallerIdOrPermissionError(Exception):
    """Twilio refuses every call for a reason only an operator can fix: the job fails loudly."""


class ReminderCalls:
    """Places reminder calls and follows their tries; built once per process."""

    def __init__(
        self,
        *,
        records: CallRecords,
        registrations: RegistrationStore,
        queue: Queue,
        dialer: Dialer,
        rate_cap: RateCap,
        policy: CallPolicy,
        public_base_url: str | None,
        in_doubt_grace: float = IN_DOUBT_GRACE,
        job_retries: tuple[int, ...] = JOB_RETRIES,
        clock: Callable[[], float] = time.time,
    ):
        self.records = records
        self.registrations = registrations
        self.queue = queue
        self.dialer = dialer
        self.rate_cap = rate_cap
        self.policy = policy
        self.public_base_url = public_base_url
        self.in_doubt_grace = in_doubt_grace
        self.job_retries = job_retries
        self.clock = clock

    # --- starting and scheduling --------------------------------------------------------------

    def start(self, caller: str, expiry: date, index: int, now: datetime) -> str:
        """Queue the call for reminder ``index`` (now, or when the calling hours open); the same
        reminder started again is still one call."""
        call_id = reminder_call_id(caller, expiry, index)
        if not self.records.create(call_id, caller, index):
            return call_id
        if self.policy.allows(now):
            self._enqueue(call_id, 1)
        else:
            self.records.wait_until(call_id, self.policy.next_allowed(now))
        return call_id

    def queue_due(self, now: datetime) -> int:
        """Queue every call whose retry (or calling hours) has come; how many."""
        count = 0
        while ids := self.records.take_due(now):
            for call_id in ids:
                record = self.records.load(call_id)
                if record is not None and record.status == WAITING:
                    self._enqueue(call_id, record.tries + 1)
                    count += 1
        return count

    def _enqueue(self, call_id: str, attempt: int) -> None:
        options: dict = dict(
            job_id=f"{call_id}-{attempt}",
            unique=True,
            job_timeout=JOB_TIMEOUT,
            result_ttl=24 * 3600,
            failure_ttl=7 * 24 * 3600,
            description="reminder call",
        )
        if self.job_retries:
            options["retry"] = Retry(max=len(self.job_retries), interval=list(self.job_retries))
        try:
            self.queue.enqueue(PLACE_JOB, call_id, **options)
        except DuplicateJobError:
            log.info("reminder call %s try %d already queued", call_id, attempt)

    # --- the worker's side --------------------------------------------------------------------

    def url(self, template: str, call_id: str) -> str:
        if not self.public_base_url and not self.dialer.absolute_urls:
            return template.format(id=call_id)  # the simulator's relay: a path is enough
        if not self.public_base_url:
            _no_retry()
            raise CallerIdOrPermissionError(
                "PUBLIC_BASE_URL is needed to place reminder calls: Twilio fetches the call's "
                "TwiML from it"
            )
        return self.public_base_url + template.format(id=call_id)

    def place(self, call_id: str) -> str | Ended:
        """Dial one try of a reminder call unless it is done, in flight, or no longer wanted; its
        status, or what ended when Twilio refused the number for now (a try used)."""
        record = self.records.load(call_id)
        if record is None:
            return "missing"
        registration = self.registrations.get(record.caller)
        if registration is None:
            # STOP (SMS or key 3) after the call was queued: never called.
            if record.status in (WAITING, DIALING):
                self.records.close(call_id, WITHDRAWN, "stop")
            return WITHDRAWN
        url = self.url(CALL_PATH, call_id)
        status_callback = self.url(STATUS_PATH, call_id)
        claimed = self.records.claim(call_id, self.clock(), self.in_doubt_grace)
        if claimed is None:
            return record.status
        attempt, dial = claimed
        if not dial:
            if _retries_left() > 0:
                raise TransientCallError(f"{call_id}: try {attempt} unanswered by the API")
            dial = True  # the last chance: dial rather than lose the reminder
        waited = self.rate_cap.wait()  # nothing but the request between the slot and the API
        sent = time.perf_counter()
        try:
            placed = self.dialer.place(
                registration.number,
                url=url,
                status_callback=status_callback,
                ring_seconds=self.policy.ring_seconds,
            )
        except SendError as error:
            return self._refused(record, attempt, error)
        answered = time.perf_counter() - sent
        self.records.report(call_id, placed.sid, "placed")
        # Where a try's time goes (docs/reminders.md, the benchmark): waiting for its slot under
        # the shared cap, then the API's answer.
        log.info(
            "reminder call %s try %d placed to %s (slot wait %.0f ms, API %.0f ms, sent %.0f ms "
            "before this line)",
            call_id,
            attempt,
            mask_number(registration.number),
            1000 * waited,
            1000 * answered,
            1000 * (time.perf_counter() - sent),
        )
        return PLACED

    def _refused(self, record: CallRecord, attempt: int, error: SendError) -> str | Ended:
        outcome = call_errors.classify(error.http_status, error.code)
        event = f"call-refused:{outcome.reason}:{error.code}"
        if outcome.action == "retry":
            if _retries_left() > 0:
                if not error.in_doubt:
                    # The API answered: Twilio has no call. Not a try; dial at once next time.
                    self.records.release(record.id)
                raise TransientCallError(f"{record.id} try {attempt}: {error}") from error
            outcome = call_errors.UNREACHABLE  # out of job retries: count it as a try
        if outcome.action == "loud":
            self.records.close(record.id, WAITING, outcome.reason)
            self.registrations.audit(record.caller, event)
            log.error(
                "reminder calls cannot be placed: %s (code %s)", outcome.description, error.code
            )
            _no_retry()
            raise CallerIdOrPermissionError(f"{outcome.description} (Twilio code {error.code})")
        if outcome.action == "drop":
            self.records.close(record.id, DROPPED, outcome.reason)
            self.registrations.audit(record.caller, event)
            return DROPPED
        return self.missed(record.id, "", "failed", outcome.reason) or DROPPED

    # --- Twilio's status callbacks ------------------------------------------------------------

    def report(self, call_id: str, sid: str, call_status: str, now: datetime) -> Ended | None:
        """Record one status callback; what it ended, if anything."""
        if call_status in ("queued", "initiated", "ringing"):
            self.records.report(call_id, sid, "placed")
            return None
        if call_status == "in-progress":
            self.records.report(call_id, sid, "answered")
            return None
        if call_status == "completed":
            before = self.records.report(call_id, sid, "ended")
            record = self.records.load(call_id)
            if before is None or record is None:
                return None
            if before != ANSWERED:
                # Completed without the answered event: count it as answered (Twilio only says
                # completed for a call that was picked up).
                log.info("reminder call %s completed", call_id)
            return Ended(record, DONE)
        if call_status in NOT_ANSWERED:
            return self.missed(call_id, sid, call_status, call_status, now)
        log.info("reminder call %s: status %r ignored", call_id, call_status)
        return None

    def missed(
        self, call_id: str, sid: str, call_status: str, reason: str, now: datetime | None = None
    ) -> Ended | None:
        """A try nobody answered: plan the next one, or say it was the last (None for a call
        not, or no longer, known)."""
        record = self.records.load(call_id)
        if record is None:
            return None
        last = record.tries >= self.policy.tries
        before = self.records.report(
            call_id, sid or record.sid or "-", "missed", UNANSWERED if last else WAITING, reason
        )
        record = self.records.load(call_id) or record
        if before is None or before == ANSWERED:
            return Ended(record, DONE if before == ANSWERED else "stale", reason)
        moment = now or datetime.fromtimestamp(self.clock()).astimezone()
        self.registrations.audit(record.caller, f"call-missed:{reason}:{record.tries}", now)
        if last:
            return Ended(record, UNANSWERED, reason)
        self.records.wait_until(call_id, self.policy.retry_at(moment))
        return Ended(record, "retry", reason)
