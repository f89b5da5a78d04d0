"""Parts both the web app and the worker build, the same way: content, reminders, outbound SMS."""

from __future__ import annotations

from collections.abc import Sequence

from redis import Redis
from rq import Queue

from content.catalog import Content, load_catalogs, load_languages
from content.prefecture import load_prefecture
from hotline import keys
from hotline.clock import Clock, SharedClock
from hotline.language_choice import LanguageChoices
from hotline.rate_cap import RateCap
from hotline.settings import Settings
from hotline.sms_destinations import Destinations
from insights.tally import Tally
from reminders.calls import CallRecords, ReminderCalls
from reminders.dialer import build_dialer
from reminders.registrations import RegistrationStore
from reminders.service import ReminderService
from sms.outbound import Outbound
from sms.store import MessageStore
from wiring.connections import build_reminder_queue


def default_clock(settings: Settings, redis: Redis) -> Clock:
    """Production: the wall clock. Development: one clock shift for every process, set by the
    simulator."""
    return SharedClock(redis) if settings.development else Clock()


def build_content(settings: Settings) -> Content:
    prefecture = load_prefecture(settings.prefecture)
    return Content(load_catalogs(), load_languages(), prefecture.placeholders())


def build_tally(redis: Redis, clock: Clock) -> Tally:
    """Aggregate counts for the console and /metrics, on the process's clock."""
    return Tally(redis, clock)


def build_outbound(
    settings: Settings,
    redis: Redis,
    queue: Queue,
    retry_intervals: Sequence[int],
    tally: Tally | None = None,
) -> Outbound:
    return Outbound(
        store=MessageStore(redis),
        queue=queue,
        reminder_queue=build_reminder_queue(redis),
        destinations=Destinations(settings.sms_allowed_countries),
        secret=settings.secret_key,
        retry_intervals=retry_intervals,
        tally=tally,
    )


def build_reminders(
    settings: Settings,
    redis: Redis,
    content: Content,
    outbound: Outbound,
    tally: Tally | None = None,
) -> ReminderService:
    registrations = RegistrationStore(
        redis,
        settings.secret_key,
        settings.reminder_policy.retention_days * 24 * 3600,
        previous_secret=settings.previous_secret_key,
        tally=tally,
    )

    def send(caller: str, number: str, body: str, message_id: str) -> None:
        outbound.enqueue(number, body, caller=caller, purpose="reminder", message_id=message_id)

    calls = ReminderCalls(
        records=CallRecords(redis),
        registrations=registrations,
        # Reminders' own queue, which every worker takes first (wiring.worker.build_worker): a
        # flood of replies on the hotline queue never delays a reminder call or its retries.
        queue=outbound.reminder_queue,
        dialer=build_dialer(settings, redis),
        rate_cap=RateCap(redis, settings.calls_per_second, key=keys.CALL_RATE_SLOT),
        policy=settings.call_policy,
        public_base_url=settings.public_base_url,
    )
    return ReminderService(
        registrations,
        content,
        settings.secret_key,
        outbound=send,
        policy=settings.reminder_policy,
        calls=calls,
        destinations=outbound.destinations,
        # a reminder speaks the language the number chose last, by call or by SMS
        choices=LanguageChoices(redis),
    )
