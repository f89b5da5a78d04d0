"""What a job may use, and how it gets it: the parts its worker built (``wiring.worker``).

The worker sets them for the duration of each job it performs, as RQ itself does for
``get_current_job()`` (a context variable): a job run outside a hotline worker fails at once with
a clear error, instead of building a second hotline of its own from the environment.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Protocol

from audio.takes import TakeFetcher
from hotline.clock import Clock
from reminders.service import ReminderService
from sms.dispatch import Dispatcher


class JobParts(Protocol):
    """What the hotline's jobs use (wiring.worker.WorkerParts provides it)."""

    @property
    def clock(self) -> Clock: ...

    @property
    def dispatcher(self) -> Dispatcher: ...

    @property
    def reminders(self) -> ReminderService: ...

    @property
    def takes(self) -> TakeFetcher: ...


_current: ContextVar[JobParts] = ContextVar("hotline_job_parts")


def job_parts() -> JobParts:
    """The parts of the worker running this job."""
    try:
        return _current.get()
    except LookupError:
        raise RuntimeError(
            "this job runs only in the hotline's worker (python -m wiring.worker)"
        ) from None


@contextmanager
def parts_for_job(parts: JobParts) -> Iterator[None]:
    """Give a job these parts while it runs (the worker wraps each job in this)."""
    token = _current.set(parts)
    try:
        yield
    finally:
        _current.reset(token)
