"""Forgetting a number: everything the hotline kept about it goes at once.

Used by STOP (SMS) and `flask reminders forget`, so that no path forgets one kind of data and
keeps another. The stores it empties live in the layers above (reminders, ivr); they are handed
in as functions when the process is wired, so the core imports none of them.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime

from hotline.keyring import Keyring

#: Erase a registration with its reason; True if there was one.
EraseRegistration = Callable[[str, str, datetime | None], bool]
#: Forget one kind of data kept under a caller key (language choice, resume point).
ForgetCaller = Callable[[str], None]


class Erasure:
    def __init__(
        self,
        erase_registration: EraseRegistration,
        forget: Sequence[ForgetCaller],
        keyring: Keyring,
    ):
        self.erase_registration = erase_registration
        self.forget_others = tuple(forget)
        self.keyring = keyring

    def forget_number(self, number: str | None, reason: str, now: datetime | None = None) -> bool:
        """Forget a number under every key it may be stored under (during a key rotation, the
        previous key's too); True if there was a registration."""
        erased = [self.forget(caller, reason, now) for caller in self.keyring.caller_keys(number)]
        return any(erased)

    def forget(self, caller: str, reason: str, now: datetime | None = None) -> bool:
        """Erase the registration and everything else kept under ``caller``; True if there was a
        registration."""
        erased = self.erase_registration(caller, reason, now)
        for forget in self.forget_others:
            forget(caller)
        return erased
