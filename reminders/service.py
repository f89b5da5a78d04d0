"""Registering, reminding and forgetting: the reminder rules applied to the registration store.

Sending goes through one seam, ``outbound(caller, number, body, message_id)``: the SMS queue in the
app and the workers, a recorder in tests. Message ids are deterministic (caller, expiry, reminder
index), so a reminder handed over twice after a crash is still one message.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime

from content import cldr
from content.catalog import Content
from hotline.clock import PARIS
from hotline.identity import caller_key
from hotline.language_choice import LanguageChoices
from hotline.quarantine import Quarantine
from reminders import schedule
from reminders.registrations import RegistrationStore
from reminders.schedule import DateCheck, Policy, Purge, Send, Wait

log = logging.getLogger(__name__)

Outbound = Callable[[str, str, str, str], None]  # caller, number, body, message_id

#: How long a claimed registration is left alone before it may be claimed again (a worker that
#: died mid-way releases it this way).
LEASE_SECONDS = 300


def reminder_message_id(caller: str, expiry: date, index: int, generation: str = "") -> str:
    """The same for the same reminder of the same registration, so queueing it twice is still
    one message; another after STOP and a new registration (its ``generation`` differs), so the
    withdrawn message's id does not swallow the new one. A digest: the id (which RQ and the logs
    see) shows neither the caller key nor the date."""
    name = f"{caller}:{expiry.isoformat()}:{index}"
    if generation:  # not the caller key: a key rotation keeps the ids of queued reminders
        name = f"{generation}:{expiry.isoformat()}:{index}"
    digest = hashlib.sha256(name.encode()).hexdigest()
    return f"rem-{digest[:32]}"


def sms_date(day: date) -> str:
    """Dates in texts: 15/03/2027, read the same way in every language the hotline serves."""
    return day.strftime("%d/%m/%Y")


@dataclass(frozen=True)
class Processed:
    """What one run did with one registration."""

    caller: str
    what: str  # sent, waiting, purged, gone, quarantined


class ReminderService:
    def __init__(
        self,
        store: RegistrationStore,
        content: Content,
        secret: str,
        outbound: Outbound,
        policy: Policy = schedule.DEFAULT_POLICY,
        choices: LanguageChoices | None = None,
        quarantine: Quarantine | None = None,
    ):
        self.store = store
        self.quarantine = quarantine or Quarantine(store.redis)
        self.content = content
        self.secret = secret
        self.outbound = outbound
        self.policy = policy
        #: The language each number chose last: a reminder speaks it, not the one registered
        #: with (LANGUE uk after registering in English: the reminder comes in Ukrainian).
        self.choices = choices

    def register(
        self, *, number: str, lang: str, prefecture: str, expiry: date, channel: str, now: datetime
    ) -> DateCheck:
        """Register (or re-register with a new date); only a date that passes the check is kept."""
        check = schedule.check_expiry(expiry, now.astimezone(PARIS).date(), self.policy)
        caller = caller_key(self.secret, number)
        if check is not DateCheck.OK or caller is None:
            return check
        first = schedule.first_index(expiry, now, self.policy)
        self.store.register(
            caller=caller,
            number=number,
            lang=lang,
            prefecture=prefecture,
            expiry=expiry,
            channel=channel,
            first_index=first,
            first_due=self._due(schedule.next_action(expiry, first, now, self.policy), now),
            now=now,
        )
        return check

    def delivery_failed(
        self, caller: str | None, code: int | None, reason: str, *, forget: bool
    ) -> None:
        """A reminder or reply could not be delivered for good: record it, and take the number
        out of the reminders when it cannot or must not get SMS any more (``forget``: the
        sender's error table says so for STOP sent to the carrier, an invalid number, a
        landline)."""
        if caller is None:
            return
        if forget:
            self.store.erase(caller, f"{reason}:{code}")
        else:
            self.store.audit(caller, f"undelivered:{reason}:{code}")

    def still_wanted(self, purpose: str, caller: str | None) -> bool:
        """Whether a queued message may still go: a reminder only while its registration lives."""
        return purpose != "reminder" or (caller is not None and self.store.exists(caller))

    def process(self, caller: str, now: datetime) -> Processed:
        """Do what a registration needs at ``now``: send its reminder, wait, or purge it."""
        try:
            registration = self.store.get(caller)
        except ValueError:
            # No known key opens it: most likely a wrong HOTLINE_SECRET_KEY, and the person is
            # still waiting for the reminder. Set it aside, never delete it; the others go on.
            self.quarantine.hold(caller, "its number opens with no known key")
            return Processed(caller, "quarantined")
        if registration is None:
            self.store.erase(caller, "missing")
            return Processed(caller, "gone")
        action = schedule.next_action(
            registration.expiry, registration.next_index, now, self.policy
        )
        match action:
            case Wait(until=until):
                self.store.reschedule(caller, until)
                return Processed(caller, "waiting")
            case Purge():
                self.store.erase(caller, "retention-over", now)
                return Processed(caller, "purged")
            case Send(index=index, skipped=skipped):
                body = self.reminder_text(
                    schedule.kind_of(index, self.policy),
                    self._language(caller, registration.lang),
                    registration.expiry,
                    now,
                )
                message_id = reminder_message_id(
                    caller, registration.expiry, index, registration.generation
                )
                self.outbound(caller, registration.number, body, message_id)
                for stale in skipped:
                    self.store.audit(caller, f"skipped:{self.policy.offsets[stale]}", now)
                after = schedule.next_action(registration.expiry, index + 1, now, self.policy)
                if not self.store.advance(caller, index + 1, self._due(after, now)):
                    return Processed(caller, "gone")
                return Processed(caller, "sent")
        raise AssertionError(action)

    def reminder_text(self, kind: str, lang: str, expiry: date, now: datetime) -> str:
        """A reminder counts down: "your ADP ends in 14 days, on 15 March 2027"."""
        locale = self.content.cldr_locale(lang)
        return self.content.text(
            f"sms.reminder.{kind}",
            lang,
            date=cldr.long_date(expiry, locale),
            in_days=cldr.in_days(schedule.days_until(expiry, now), locale),
        )

    def reminder_days(self, lang: str, expiry: date, now: datetime) -> str:
        """The days a registration made at ``now`` will get its reminders, only those still
        ahead (fewer than four when the date is near), in the language's words: "13 février,
        1 mars, 8 mars et 16 mars"."""
        first = schedule.first_index(expiry, now, self.policy)
        days = [
            schedule.planned_at(expiry, index, self.policy).date()
            for index in range(first, len(self.policy.offsets))
        ]
        return cldr.day_list(days, self.content.cldr_locale(lang))

    def _language(self, caller: str, registered: str) -> str:
        chosen = self.choices.get(caller) if self.choices is not None else None
        return chosen if self.content.has_language(chosen) else registered

    def send_due(self, now: datetime, limit: int = 1000) -> list[Processed]:
        """Claim every registration due at ``now`` (at most ``limit``) and process each."""
        claimed = self.store.claim_due(now, limit, LEASE_SECONDS)
        return [self.process(caller, now) for caller in claimed]

    def send_all_due(self, now: datetime) -> dict[str, int]:
        """Process everything due at ``now``, a batch at a time; how many were sent, left
        waiting, purged..."""
        total: dict[str, int] = {}
        while outcomes := self.send_due(now):
            for outcome in outcomes:
                total[outcome.what] = total.get(outcome.what, 0) + 1
        return total

    @staticmethod
    def _due(action: schedule.Action, now: datetime) -> datetime:
        return action.until if isinstance(action, Wait) else now
