"""What an outbound message counts for the console and /metrics when it moves to a status: the
status by purpose, and a failure by Twilio's error code and reason (a reminder's also as a
failed reminder)."""

from __future__ import annotations

from insights.events import Event, event
from insights.tally import Tally
from sms.errors import Failure


def status_events(
    purpose: str, status: str, failure: Failure | None = None, code: int | None = None
) -> list[Event]:
    events = [event("sms_outbound", purpose, status)]
    if failure is not None:
        events.append(event("sms_failed", code or "-", failure.reason))
        if purpose == "reminder":
            events.append(event("reminder_failed", failure.reason))
    return events


def count(tally: Tally | None, events: list[Event]) -> None:
    """Count when the process counts (tools and some tests build these parts without a tally)."""
    if tally is not None:
        tally.record(events)
