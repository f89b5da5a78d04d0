"""The reminder call job: one try of one reminder call (reminders.calls), queued by the reminder
run or by a retry coming due, with only the call's opaque id as argument."""

from __future__ import annotations

from workers.parts import job_parts


def place_reminder_call(call_id: str) -> str:
    """Dial this try of the call, unless it is answered, in flight or no longer wanted."""
    parts = job_parts()
    return parts.reminders.place_call(call_id, parts.clock.now())
