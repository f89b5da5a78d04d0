"""Answering a call: load its state, let the flow decide, carry out its effects, save.

This sits between the thin webhooks and the pure flow; it is the only voice code that touches
Redis or sends anything. Effects (an SMS, a registration) are rows of a table, each a method.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import date

from werkzeug.datastructures import MultiDict

from content.catalog import Content
from hotline.clock import Clock
from hotline.erasure import Erasure
from hotline.identity import caller_key, normalise_number
from hotline.language_choice import LanguageChoices
from hotline.sms_destinations import Destinations
from hotline.sms_limits import DailyLimits
from ivr.call_store import CallStore
from ivr.flow import CallState, Effect, Flow, Turn
from ivr.menu import ALREADY_SENT, LANGUAGE_MENU, MAIN_MENU, REMINDER_CALL, RESUMABLE
from reminders.calls import MACHINE
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

    answered_by: str = ""  # Twilio's machine detection on a call the hotline placed

    @classmethod
    def from_form(cls, form: MultiDict[str, str], secret: str) -> CallRequest:
        sid = form.get("CallSid", "")
        digits = form.get("Digits")
        # On a call the hotline placed (a reminder), the person is the one called, not From.
        person = form.get("To") if form.get("Direction", "").startswith("outbound") else None
        person = person or form.get("From")
        return cls(
            call_sid=sid if _CALL_SID.match(sid) else None,
            number=normalise_number(person),
            caller=caller_key(secret, person),
            digits=digits[:32] if digits else None,
            status=form.get("CallStatus"),
            answered_by=form.get("AnsweredBy", ""),
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
    ):
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

    def incoming(self, call: CallRequest) -> Turn:
        """A call comes in: offer to resume, or start at the language menu."""
        turn = self.flow.start(self.store.resume_point(call.caller), self.choices.get(call.caller))
        self._save(call, turn.state)
        return turn

    def answer(self, call: CallRequest) -> Turn:
        """The caller pressed keys (or nothing) on the current node."""
        state = self.store.load(call.call_sid) if call.call_sid else None
        if state is None:
            # Unknown or expired call: begin as a new call rather than fail.
            return self.incoming(call)
        can_text = self.destinations.allows(call.number)  # a mobile of an allowed country
        turn = self.flow.step(
            state,
            call.digits,
            today=self.clock.now().date(),
            can_text=can_text,
            can_call=call.number is not None,
        )
        for effect in turn.effects:
            if EFFECTS[effect.name](self, call, effect) is False:  # today's SMS already sent
                turn = self.flow.enter(replace(turn.state, node=ALREADY_SENT))
        self._save(call, turn.state, previous=state)
        return turn

    def reminder(self, call: CallRequest, call_id: str) -> Turn | str | None:
        """A reminder call was answered: the reminder's first turn for a person, the language of
        the neutral message for a machine, None when there is nothing to say (the person sent
        STOP meanwhile, or the call is unknown)."""
        calls = self.reminders.calls
        record = calls.records.load(call_id) if calls else None
        registration = self.reminders.store.get(record.caller) if record else None
        if registration is None:
            return None
        if call.answered_by in MACHINE:
            return registration.lang
        kind = "after" if registration.expiry < self.clock.now().date() else "before"
        state = CallState(
            lang=registration.lang,
            node=f"{REMINDER_CALL}.{kind}",
            path=(LANGUAGE_MENU, MAIN_MENU),
            entry=registration.expiry.isoformat(),
        )
        turn = self.flow.enter(state)
        self._save(call, turn.state)
        return turn

    def status(self, call: CallRequest) -> None:
        if call.call_sid and call.status in ENDED:
            self.store.end(call.call_sid)

    def _save(self, call: CallRequest, state: CallState, previous: CallState | None = None) -> None:
        if call.call_sid is None:
            return
        resumable = state.node in RESUMABLE
        self.store.save(
            call.call_sid, state, caller=call.caller, resumable=resumable, previous=previous
        )

    # --- effects --------------------------------------------------------------------------------

    def remember_language(self, call: CallRequest, effect: Effect) -> None:
        self.choices.set(call.caller, effect.lang)

    def send_steps(self, call: CallRequest, effect: Effect) -> bool:
        """False when this number already got the steps as often as allowed today."""
        if not call.number:
            return True
        if not self.limits.allows(call.caller, "steps", self.clock.now()):
            return False
        for key in ("sms.steps_1", "sms.steps_2"):
            self.send_sms(call.number, self.content.text(key, effect.lang))
        return True

    def send_expired(self, call: CallRequest, effect: Effect) -> None:
        if call.number and self.limits.allows(call.caller, "expired", self.clock.now()):
            self.send_sms(call.number, self.content.text("sms.remind.past", effect.lang))

    def register_reminder(self, call: CallRequest, effect: Effect, remind_by: str = "sms") -> None:
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
            remind_by=remind_by,
        )
        if (
            check is DateCheck.OK
            and self.destinations.allows(call.number)
            and self.limits.allows(call.caller, "confirmation", self.clock.now())
        ):
            body = self.content.text("sms.remind.confirm", effect.lang, date=sms_date(expiry))
            self.send_sms(call.number, body)

    def send_reminder_sms(self, call: CallRequest, effect: Effect) -> None:
        """Key 2 on a reminder call: the same reminder as a text."""
        if not effect.entry or not self.destinations.allows(call.number):
            return
        expiry = date.fromisoformat(effect.entry)
        kind = "after" if expiry < self.clock.now().date() else "before"
        body = self.content.text(f"sms.reminder.{kind}", effect.lang, date=sms_date(expiry))
        self.send_sms(call.number, body)

    def stop_reminders(self, call: CallRequest, effect: Effect) -> None:
        """Key 3 then 1 on a reminder call: erase as STOP does."""
        if call.caller is not None:
            self.erasure.forget(call.caller, "stop-key", self.clock.now())


EFFECTS: dict[str, Callable[[CallService, CallRequest, Effect], bool | None]] = {
    "remember_language": CallService.remember_language,
    "send_steps": CallService.send_steps,
    "send_expired": CallService.send_expired,
    "register_by_sms": lambda s, c, e: s.register_reminder(c, e, "sms"),
    "register_by_call": lambda s, c, e: s.register_reminder(c, e, "call"),
    "register_by_both": lambda s, c, e: s.register_reminder(c, e, "both"),
    "send_reminder_sms": CallService.send_reminder_sms,
    "stop_reminders": CallService.stop_reminders,
}
