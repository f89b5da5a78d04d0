"""When reminders may go, as configured (REMINDER_DAYS, REMINDER_RETENTION_DAYS): plain data.

The settings hold one ``Policy``; ``reminders.schedule`` applies it. It lives in the core so that
the settings need nothing above them.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import time


@dataclass(frozen=True)
class Policy:
    #: Days relative to expiry, in time order: -30 is 30 days before, 1 the day after.
    offsets: tuple[int, ...] = (-30, -14, -7, 1)
    send_at: time = time(10, 0)
    window_start: time = time(9, 0)
    window_end: time = time(19, 0)
    retention_days: int = 30
    horizon_days: int = 366

    def __post_init__(self) -> None:
        if list(self.offsets) != sorted(set(self.offsets)) or not self.offsets:
            raise ValueError("reminder offsets must be distinct and in increasing order")
        if not self.window_start <= self.send_at < self.window_end:
            raise ValueError("reminders must be planned inside the sending window")


DEFAULT_POLICY = Policy()
