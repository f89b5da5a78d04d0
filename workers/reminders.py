"""The reminder job. The clock (Procfile `clock`, workers/clock.py) queues ``send_due_reminders``
every minute.

Each run claims what is due (a lease keeps two runs from taking the same registration), hands
each reminder to the SMS queue under a deterministic message id, and moves the registration on.
A worker killed mid-way loses nothing: the lease runs out, the next run takes the registration
again, and the message id keeps the reminder from being queued twice.
"""

from __future__ import annotations

from datetime import datetime

from workers.parts import job_parts


def send_due_reminders(now: str | None = None) -> dict[str, int]:
    """Process every registration due at ``now`` (ISO 8601; default: the clock's now)."""
    parts = job_parts()
    moment = datetime.fromisoformat(now) if now else parts.clock.now()
    return parts.reminders.send_all_due(moment)
