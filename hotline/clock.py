"""The hotline's clock. Reminders depend on the date, so time is a part that tests (and the
simulator) can set, instead of a call to ``datetime.now()`` scattered in the code."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

PARIS = ZoneInfo("Europe/Paris")


class Clock:
    """Now, in Paris time, shifted by ``offset`` (zero in production)."""

    def __init__(self, offset: timedelta = timedelta(0)):
        self.offset = offset

    def now(self) -> datetime:
        return datetime.now(PARIS) + self.offset


class FixedClock(Clock):
    """A clock that shows the time it is set to, for tests."""

    def __init__(self, moment: datetime):
        super().__init__()
        self.moment = moment

    def now(self) -> datetime:
        return self.moment

    def advance(self, delta: timedelta) -> None:
        self.moment += delta
