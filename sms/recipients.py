"""What outbound SMS needs from whoever owns the recipients: a small interface, given at build.

The reminders own the registrations: a reminder queued before its person sent STOP must not go
(``still_wanted``), and a number that cannot get SMS leaves the reminders (``delivery_failed``).
The composition root hands the reminder service in as ``Recipients``; sms/ imports nothing of
reminders/.
"""

from __future__ import annotations

import logging
from typing import Protocol

from sms.errors import Failure

log = logging.getLogger(__name__)


class Recipients(Protocol):
    def still_wanted(self, purpose: str, caller: str | None) -> bool:
        """Whether a queued message may still go."""
        ...

    def delivery_failed(
        self, caller: str | None, code: int | None, reason: str, *, forget: bool
    ) -> None:
        """A message will never be delivered; ``forget``: the number cannot or must not get SMS."""
        ...


class Untracked:
    """Recipients nobody keeps: every message is wanted, failures are only logged."""

    def still_wanted(self, purpose: str, caller: str | None) -> bool:
        return True

    def delivery_failed(
        self, caller: str | None, code: int | None, reason: str, *, forget: bool
    ) -> None:
        log.warning("SMS to caller %s failed for good: %s (code %s)", caller or "-", reason, code)


def tell_failure(
    recipients: Recipients, caller: str | None, code: int | None, failure: Failure
) -> None:
    """Tell the recipients' owner, once, that a message failed for good."""
    try:
        recipients.delivery_failed(
            caller, code, failure.reason, forget=failure.registration in ("erase", "drop")
        )
    except Exception:
        # The message is closed either way; a retry must not send it again.
        log.exception("delivery_failed failed for reason %s", failure.reason)
