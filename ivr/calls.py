"""Answering a call: load its state, let the flow decide, carry out its effects, save.

This sits between the thin webhooks and the pure flow; it is the only voice code that touches
Redis or sends anything. Effects (an SMS, a registration) are rows of a table, each a method.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

from werkzeug.datastructures import MultiDict

from content.catalog import Content
from hotline.clock import Clock
from hotline.identity import caller_key, normalise_number
from hotline.language_choice import LanguageChoices
from insights.events import Event, event
from insights.tally import Tally
from ivr import funnel
from ivr.call_store import CallStore
from ivr.flow import CallState, Effect, Flow, Turn
from ivr.menu import RESUMABLE
from reminders.schedule import DateCheck
from reminders.service import ReminderService, sms_date

_CALL_SID = re.compile(r"^CA[0-9a-fA-F]{32}$")
#: Twilio's CallStatus values after which a call has ended.
ENDED = frozenset({"completed", "busy", "failed", "no-answer", "canceled"})

SendSms = Callable[[str, str], None]  # number, body


@dataclass(frozen=True)
class CallRequest:
    """The fields of a Twilio voice webhook the hotline uses, checked."""

    call_sid: str | None
    number: str | None  # E.164, never stored: only for an SMS the caller asked for
    caller: str | None  # keyed hash of the number
    digits: str | None
    status: str | None
    duration: int | None = None  # seconds, in the status callback of an ended call

    @classmethod
    def from_form(cls, form: MultiDict[str, str], secret: str) -> CallRequest:
        sid = form.get("CallSid", "")
        digits = form.get("Digits")
        duration = form.get("CallDuration", "")
        return cls(
            call_sid=sid if _CALL_SID.match(sid) else None,
            number=normalise_number(form.get("From")),
            caller=caller_key(secret, form.get("From")),
            digits=digits[:32] if digits else None,
            status=form.get("CallStatus"),
            duration=int(duration) if duration.isdigit() else None,
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
        send_sms: SendSms,
        clock: Clock,
        prefecture: str,
        tally: Tally,
    ):
        self.flow = flow
        self.store = store
        self.content = content
        self.choices = choices
        self.reminders = reminders
        self.send_sms = send_sms
        self.clock = clock
        self.prefecture = prefecture
        self.tally = tally

    def incoming(self, call: CallRequest) -> Turn:
        """A call comes in: offer to resume, or start at the language menu."""
        turn = self.flow.start(self.store.resume_point(call.caller), self.choices.get(call.caller))
        reached, _ = funnel.turn_events(None, turn, None)
        self._save(call, turn.state, once=reached, always=[event("call_started")])
        return turn

    def answer(self, call: CallRequest) -> Turn:
        """The caller pressed keys (or nothing) on the current node."""
        state = self.store.load(call.call_sid) if call.call_sid else None
        if state is None:
            # Unknown or expired call: begin as a new call rather than fail.
            return self.incoming(call)
        turn = self.flow.step(
            state, call.digits, today=self.clock.now().date(), can_text=call.number is not None
        )
        for effect in turn.effects:
            EFFECTS[effect.name](self, call, effect)
        reached, missed = funnel.turn_events(state, turn, call.digits)
        self._save(call, turn.state, previous=state, once=reached, always=missed)
        return turn

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
        once: list[Event] = [],  # noqa: B006 (never mutated)
        always: list[Event] = [],  # noqa: B006
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

    def send_steps(self, call: CallRequest, effect: Effect) -> None:
        if call.number:
            for key in ("sms.steps_1", "sms.steps_2"):
                self.send_sms(call.number, self.content.text(key, effect.lang))

    def send_expired(self, call: CallRequest, effect: Effect) -> None:
        if call.number:
            self.send_sms(call.number, self.content.text("sms.remind.past", effect.lang))

    def register_reminder(self, call: CallRequest, effect: Effect) -> None:
        if not call.number or not effect.entry:
            return
        expiry = date.fromisoformat(effect.entry)
        check = self.reminders.register(
            number=call.number,
            lang=effect.lang,
            prefecture=self.prefecture,
            expiry=expiry,
            channel="voice",
            now=self.clock.now(),
        )
        if check is DateCheck.OK:
            body = self.content.text("sms.remind.confirm", effect.lang, date=sms_date(expiry))
            self.send_sms(call.number, body)


EFFECTS: dict[str, Callable[[CallService, CallRequest, Effect], None]] = {
    "remember_language": CallService.remember_language,
    "send_steps": CallService.send_steps,
    "send_expired": CallService.send_expired,
    "register_reminder": CallService.register_reminder,
}
