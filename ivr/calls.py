"""Answering a call: load its state, let the flow decide, save, and hand back what to say.

This sits between the thin webhooks and the pure flow; it is the only voice code that touches
Redis.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from werkzeug.datastructures import MultiDict

from hotline.identity import caller_key
from ivr.call_store import CallStore
from ivr.flow import CallState, Flow, Turn
from ivr.menu import RESUMABLE

_CALL_SID = re.compile(r"^CA[0-9a-fA-F]{32}$")
#: Twilio's CallStatus values after which a call has ended.
ENDED = frozenset({"completed", "busy", "failed", "no-answer", "canceled"})


@dataclass(frozen=True)
class CallRequest:
    """The fields of a Twilio voice webhook the hotline uses, checked."""

    call_sid: str | None
    caller: str | None  # keyed hash of From
    digits: str | None
    status: str | None

    @classmethod
    def from_form(cls, form: MultiDict[str, str], secret: str) -> CallRequest:
        sid = form.get("CallSid", "")
        digits = form.get("Digits")
        return cls(
            call_sid=sid if _CALL_SID.match(sid) else None,
            caller=caller_key(secret, form.get("From")),
            digits=digits[:32] if digits else None,
            status=form.get("CallStatus"),
        )


class CallService:
    def __init__(self, flow: Flow, store: CallStore):
        self.flow = flow
        self.store = store

    def incoming(self, call: CallRequest) -> Turn:
        """A call comes in: offer to resume, or start at the language menu."""
        turn = self.flow.start(self.store.resume_point(call.caller))
        self._save(call, turn.state)
        return turn

    def answer(self, call: CallRequest) -> Turn:
        """The caller pressed keys (or nothing) on the current node."""
        state = self.store.load(call.call_sid) if call.call_sid else None
        if state is None:
            # Unknown or expired call: begin as a new call rather than fail.
            return self.incoming(call)
        turn = self.flow.step(state, call.digits)
        self._save(call, turn.state)
        return turn

    def status(self, call: CallRequest) -> None:
        if call.call_sid and call.status in ENDED:
            self.store.end(call.call_sid)

    def _save(self, call: CallRequest, state: CallState) -> None:
        if call.call_sid is None:
            return
        resumable = state.node in RESUMABLE
        self.store.save(call.call_sid, state, caller=call.caller, resumable=resumable)
