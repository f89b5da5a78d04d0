"""Forgetting a number: everything the hotline kept about it goes at once.

Used by STOP (SMS), `flask reminders forget` and permanent delivery failures, so that no path
forgets one kind of data and keeps another.
"""

from __future__ import annotations

from datetime import datetime

from hotline.keyring import Keyring
from hotline.language_choice import LanguageChoices
from ivr.call_store import CallStore
from reminders.registrations import RegistrationStore


class Erasure:
    def __init__(
        self,
        registrations: RegistrationStore,
        choices: LanguageChoices,
        calls: CallStore,
        keyring: Keyring,
    ):
        self.registrations = registrations
        self.choices = choices
        self.calls = calls
        self.keyring = keyring

    def forget_number(self, number: str | None, reason: str, now: datetime | None = None) -> bool:
        """Forget a number under every key it may be stored under (during a rotation, the
        previous key's too); True if there was a registration."""
        erased = [self.forget(caller, reason, now) for caller in self.keyring.caller_keys(number)]
        return any(erased)

    def forget(self, caller: str, reason: str, now: datetime | None = None) -> bool:
        """Erase the registration, the language choice and the resume point of ``caller``;
        True if there was a registration."""
        erased = self.registrations.erase(caller, reason, now)
        self.choices.forget(caller)
        self.calls.forget_caller(caller)
        return erased
