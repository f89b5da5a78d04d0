"""Answering a call: load its state, let the flow decide, carry out its effects, save.

This sits between the thin webhooks and the pure flow; it is the only voice code that touches
Redis or sends anything. Effects (an SMS, a registration) are rows of a table, each a method.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from datetime import date
from typing import Protocol

from werkzeug.datastructures import MultiDict

from content.catalog import Content
from hotline.clock import Clock
from hotline.erasure import Erasure
from hotline.identity import caller_key, normalise_number
from hotline.language_choice import LanguageChoices
from hotline.sms_destinations import Destinations
from hotline.sms_limits import DailyLimits
from hotline.twilio_fields import (
    CALL_SID,
    DIGITS,
    STATUS,
    VOICE_FIELDS,
    invalid_fields,
    valid,
    whole_number,
)
from insights.events import Event, event
from insights.tally import Tally
from ivr import funnel
from ivr.call_store import CallStore
from ivr.flow import CallState, Effect, Flow, Turn
from ivr.menu import (
    ALREADY_SENT,
    LANGUAGE_MENU,
    MAIN_MENU,
    NO_NUMBER,
    NOT_TEXTABLE,
    REMIND_LIMIT,
    REMINDER_ASK,
    REMINDER_CALL,
    RESUMABLE,
)
from reminders.calls import MACHINE, PERSON
from reminders.changes import RegistrationChanges, registered_text
from reminders.schedule import PARIS, DateCheck
from reminders.service import ReminderService

#: Digits that are not keypad keys: heard as a wrong key, never as a date or an option.
NOT_A_KEY = "?"
#: The step number a <Gather> action carries (?n=): ASCII digits, at most 6 (a call has far fewer).
_STEP = 6
#: What FinishedOnKey may hold: one keypad key (or nothing).
_KEYPAD_KEYS = frozenset("0123456789*#")
#: Twilio's CallStatus values after which a call has ended.
ENDED = frozenset({"completed", "busy", "failed", "no-answer", "canceled"})


class SendSms(Protocol):
    def __call__(self, number: str, body: str, *, message_id: str | None = None) -> None:
        """Queue one SMS; the same ``message_id`` again is not sent twice."""


@dataclass(frozen=True)
class Reply:
    """A turn of the call, and the step number the next POST of this call must carry."""

    turn: Turn
    step: int


@dataclass(frozen=True)
class CallRequest:
    """The fields of a Twilio voice webhook the hotline uses, checked."""

    call_sid: str | None
    number: str | None  # E.164, never stored: only for an SMS the caller asked for
    caller: str | None  # keyed hash of the number
    digits: str | None
    status: str | None
    step: int | None = None  # the step number the action URL carried
    duration: int | None = None  # seconds, in the status callback of an ended call
    #: Names of the fields Twilio always sends that are missing or not in Twilio's format: such
    #: a request is not served as a call (logged by field name, never with its values).
    invalid: tuple[str, ...] = ()
    finished_on: str = ""  # the key that ended a multi-digit entry (never among the digits)

    answered_by: str = ""  # Twilio's machine detection on a call the hotline placed

    @classmethod
    def from_form(
        cls, form: MultiDict[str, str], secret: str, args: MultiDict[str, str] | None = None
    ) -> CallRequest:
        sid = valid(CALL_SID, form.get("CallSid"))
        digits = form.get("Digits") or None
        if digits is not None and not valid(DIGITS, digits):
            digits = NOT_A_KEY
        finished_on = form.get("FinishedOnKey", "")
        # On a call the hotline placed (a reminder), the person is the one called, not From.
        outbound = form.get("Direction", "").startswith("outbound")
        person = form.get("To") if outbound else form.get("From")
        return cls(
            call_sid=sid,
            number=normalise_number(person),
            caller=caller_key(secret, person),
            digits=digits,
            status=valid(STATUS, form.get("CallStatus")),
            step=whole_number((args or MultiDict()).get("n"), _STEP),
            invalid=invalid_fields(form, VOICE_FIELDS),
            finished_on=finished_on if finished_on in _KEYPAD_KEYS else "",
            duration=whole_number(form.get("CallDuration"), _STEP),
            answered_by=form.get("AnsweredBy", "")[:32],
        )


class CallService:
    def __init__(
        self,
        flow: Flow,
        store: CallStore,
        *,
        content: Content,
        choices: LanguageChoices,
        reminders: ReminderService,
        erasure: Erasure,
        send_sms: SendSms,
        clock: Clock,
        prefecture: str,
        limits: DailyLimits,
        destinations: Destinations,
        changes: RegistrationChanges,
        tally: Tally,
    ):
        self.changes = changes
        self.tally = tally
        self.flow = flow
        self.store = store
        self.content = content
        self.choices = choices
        self.reminders = reminders
        self.erasure = erasure
        self.send_sms = send_sms
        self.clock = clock
        self.prefecture = prefecture
        self.limits = limits
        self.destinations = destinations

    def incoming(self, call: CallRequest) -> Reply:
        """A call comes in: offer the language it chose before, or the language menu. The same
        CallSid coming in again (a replayed webhook) hears where that call is, nothing more."""
        assert call.call_sid is not None
        if not self.store.begin(call.call_sid):
            return self._replayed(call.call_sid)
        return self._start(call)

    def _start(self, call: CallRequest, new: bool = True) -> Reply:
        turn = self.flow.start(self.store.resume_point(call.caller), self.choices.get(call.caller))
        reached, _ = funnel.turn_events(None, turn, None)
        self._save(call, turn.state, once=reached, always=[event("call_started")] if new else [])
        return Reply(turn, 0)

    def answer(self, call: CallRequest) -> Reply:
        """The caller pressed keys (or nothing) on the current node. Each step number is taken
        once: a replayed or stale POST hears the current node again and changes nothing."""
        assert call.call_sid is not None
        found = self.store.take_step(call.call_sid, call.step)
        state = found.state
        if state is None:
            if found.ended:
                return Reply(Turn(CallState(), (), listen=False), 0)
            # Expired (or never begun): begin as a new call rather than fail.
            self.store.restart(call.call_sid)
            return self._start(call, new=False)
        if not found.taken:
            return self._again(state, found.next_step)
        can_text, can_call = self.destinations.reach(call.number, call.caller)
        turn = self.flow.step(
            state,
            call.digits,
            now=self.clock.now(),
            can_text=can_text,  # a mobile of an allowed country
            can_call=can_call,  # an allowed country, landlines included
            finished_on=call.finished_on,
        )
        if turn.state.node == NO_NUMBER and call.number is not None:  # abroad, or a landline
            turn = self.flow.enter(replace(turn.state, node=NOT_TEXTABLE))
        for effect in turn.effects:
            if instead := EFFECTS[effect.name](self, call, effect):  # not done: say why
                turn = self.flow.enter(replace(turn.state, node=instead))
        reached, missed = funnel.turn_events(state, turn, call.digits)
        self._save(call, turn.state, previous=state, once=reached, always=missed)
        return Reply(turn, call.step + 1)

    def _again(self, state: CallState, step: int | None) -> Reply:
        """The current node said again, listening with the call's current step number."""
        if step is None:
            return Reply(Turn(state, (), listen=False), 0)
        today = self.clock.now().astimezone(PARIS).date()
        return Reply(self.flow.count_down(self.flow.enter(state), today), step)

    def _replayed(self, call_sid: str) -> Reply:
        """A call that already began came in again: where it is (no step number is carried, so
        none is taken: the same one round trip reads the state and the next step)."""
        found = self.store.take_step(call_sid, None)
        return self._again(found.state or CallState(), found.next_step)

    def reminder(self, call: CallRequest, call_id: str) -> Reply | str | None:
        """A reminder call was answered: the reminder's first turn for a person; the language of
        the neutral message for a machine; for an answer Twilio could not tell (``unknown``),
        the neutral message and "to hear your message, press 1" (reminders.calls.PERSON); None
        when there is nothing to say (the person sent STOP meanwhile, or the call is unknown)."""
        assert call.call_sid is not None
        calls = self.reminders.calls
        record = calls.records.load(call_id) if calls else None
        registration = self.reminders.store.get(record.caller) if record else None
        if registration is None:
            return None
        if call.answered_by in MACHINE:
            return registration.lang
        if not self.store.begin(call.call_sid):
            return self._replayed(call.call_sid)  # the same webhook again: where the call is
        today = self.clock.now().astimezone(PARIS).date()
        kind = "after" if registration.expiry < today else "before"
        first = REMINDER_CALL if call.answered_by in PERSON else REMINDER_ASK
        state = CallState(
            lang=registration.lang,
            node=f"{first}.{kind}",
            path=(LANGUAGE_MENU, MAIN_MENU),
            entry=registration.expiry.isoformat(),
        )
        turn = self.flow.count_down(self.flow.enter(state), today)
        self._save(call, turn.state)
        return Reply(turn, 0)

    def status(self, call: CallRequest) -> None:
        """An ended call's state is deleted, and how it went is counted (once)."""
        if not (call.call_sid and call.status in ENDED):
            return
        ended = self.store.end(call.call_sid)
        if ended is None or ended.state is None:
            return
        counts = funnel.end_events(ended.state, ended.seen)
        if call.duration is not None:
            counts.append(self.tally.call_length(call.duration))
        self.tally.record(counts)

    def _save(
        self,
        call: CallRequest,
        state: CallState,
        previous: CallState | None = None,
        once: Sequence[Event] = (),
        always: Sequence[Event] = (),
    ) -> None:
        if call.call_sid is None:
            return
        resumable = state.node in RESUMABLE
        self.store.save(
            call.call_sid,
            state,
            caller=call.caller,
            resumable=resumable,
            previous=previous,
            at=self.clock.now(),
            once=once,
            always=always,
        )

    # --- effects --------------------------------------------------------------------------------

    def remember_language(self, call: CallRequest, effect: Effect) -> None:
        self.choices.set(call.caller, effect.lang)

    def send_steps(self, call: CallRequest, effect: Effect) -> str | None:
        """The node to say instead when this number already got the steps as often as allowed
        today."""
        if not call.number:
            return None
        if not self.limits.allows(call.caller, "steps", self.clock.now()):
            return ALREADY_SENT
        for key in ("sms.steps_1", "sms.steps_2"):
            self.send_sms(call.number, self.content.text(key, effect.lang))
        return None

    def send_expired(self, call: CallRequest, effect: Effect) -> None:
        if call.number and self.limits.allows(call.caller, "expired", self.clock.now()):
            self.send_sms(call.number, self.content.text("sms.remind.past", effect.lang))

    def _send_once(self, call: CallRequest, effect: Effect, key: str) -> str | None:
        """An SMS the caller asked for with a key: once per call however often it is asked
        (one message id per call), within the number's daily allowance of replies (past it, the
        node that says it was already sent today)."""
        if not call.number:
            return None
        if not self.limits.allows(call.caller, "reply", self.clock.now()):
            return ALREADY_SENT
        body = self.content.text(key, effect.lang)
        once = f"{effect.name.replace('_', '-')}-{call.call_sid}" if call.call_sid else None
        self.send_sms(call.number, body, message_id=once)
        return None

    def send_email(self, call: CallRequest, effect: Effect) -> str | None:
        return self._send_once(call, effect, "sms.email")

    def send_office(self, call: CallRequest, effect: Effect) -> str | None:
        return self._send_once(call, effect, "sms.office.residence")

    def send_remind_help(self, call: CallRequest, effect: Effect) -> str | None:
        return self._send_once(call, effect, "sms.help")

    def send_help(self, call: CallRequest, effect: Effect) -> None:
        """A language with no full voice yet: the steps by SMS in it (within the daily allowance
        of steps), and its replies in it from now on. The call ends either way."""
        self.choices.set(call.caller, effect.lang)
        if not call.number or not self.limits.allows(call.caller, "steps", self.clock.now()):
            return
        for key in ("sms.steps_1", "sms.steps_2"):
            once = f"help-{key[-1]}-{call.call_sid}" if call.call_sid else None
            self.send_sms(call.number, self.content.text(key, effect.lang), message_id=once)

    def register_reminder(
        self, call: CallRequest, effect: Effect, remind_by: str = "sms"
    ) -> str | None:
        """Register the date, and text the confirmation (or what it replaced) when the number
        can get SMS. Past today's allowance nothing changes (a change must never go untold): the
        node that says so."""
        if not call.number or not effect.entry:
            return None
        now = self.clock.now()
        if not self.limits.allows(call.caller, "confirmation", now):
            return REMIND_LIMIT
        expiry = date.fromisoformat(effect.entry)
        # A caller ID is not an identity: replacing another date is told to the number by SMS,
        # with the word that undoes it (reminders.changes).
        replaced = self.changes.before_replacing(call.caller, expiry)
        check = self.reminders.register(
            number=call.number,
            lang=effect.lang,
            prefecture=self.prefecture,
            expiry=expiry,
            channel="voice",
            now=now,
            remind_by=remind_by,
        )
        if check is DateCheck.OK and self.destinations.allows(call.number):
            days = self.reminders.reminder_days(effect.lang, expiry, now)
            body = registered_text(self.content, effect.lang, expiry, replaced, days)
            self.send_sms(call.number, body)
        return None

    def send_reminder_sms(self, call: CallRequest, effect: Effect) -> None:
        """Key 2 on a reminder call: the same reminder as a text."""
        if not effect.entry or not self.destinations.allows(call.number):
            return
        expiry = date.fromisoformat(effect.entry)
        kind = "after" if expiry < self.clock.now().date() else "before"
        body = self.reminders.reminder_text(kind, effect.lang, expiry, self.clock.now())
        self.send_sms(call.number, body)

    def stop_reminders(self, call: CallRequest, effect: Effect) -> None:
        """Key 3 then 1 on a reminder call: erase as STOP does."""
        if call.caller is not None:
            self.erasure.forget(call.caller, "stop-key", self.clock.now())


#: The SMS texts a call may send (for the content check: each must exist).
SMS_KEYS = (
    "sms.steps_1",
    "sms.steps_2",
    "sms.help",
    "sms.remind.past",
    "sms.remind.confirm",
    "sms.email",
    "sms.office.residence",
)

#: Each effect returns None, or the node to say instead when it could not be done today.
EFFECTS: dict[str, Callable[[CallService, CallRequest, Effect], str | None]] = {
    "remember_language": CallService.remember_language,
    "send_steps": CallService.send_steps,
    "send_expired": CallService.send_expired,
    "send_email": CallService.send_email,
    "send_office": CallService.send_office,
    "send_help": CallService.send_help,
    "send_remind_help": CallService.send_remind_help,
    "register_by_sms": lambda s, c, e: s.register_reminder(c, e, "sms"),
    "register_by_call": lambda s, c, e: s.register_reminder(c, e, "call"),
    "register_by_both": lambda s, c, e: s.register_reminder(c, e, "both"),
    "send_reminder_sms": CallService.send_reminder_sms,
    "stop_reminders": CallService.stop_reminders,
}
