"""The hotline's parts, built once by the app factory and kept in ``app.extensions["hotline"]``.

Workers and CLI commands build the same object from the same settings, so nothing is created at
import time and tests can hand in their own settings.
"""

from __future__ import annotations

from dataclasses import dataclass

from redis import Redis

from audio.inventory import Inventory
from audio.library import AudioLibrary
from audio.spoken_dates import SpokenDates
from content.catalog import Content, load_catalogs, load_languages
from content.prefecture import load_prefecture
from hotline import keys
from hotline.clock import Clock, SharedClock
from hotline.erasure import Erasure
from hotline.identity import caller_key
from hotline.language_choice import LanguageChoices
from hotline.settings import Settings
from ivr.call_store import CallStore
from ivr.calls import CallService
from ivr.flow import Flow, reachable_prompts
from ivr.speech import FRAGMENT_KEYS, Speaker
from reminders.calls import CallRecords, ReminderCalls
from reminders.dialer import build_dialer
from reminders.registrations import RegistrationStore
from reminders.service import ReminderService
from sms.conversation import SMS_KEYS, SmsConversation
from sms.delivery import Outbound
from sms.rate_cap import RateCap

#: Keys the voice line says outside the menu flow.
EXTRA_VOICE_KEYS = ("voice.outage.info", "voice.reminder_call.voicemail", *sorted(FRAGMENT_KEYS))


@dataclass
class Hotline:
    settings: Settings
    redis: Redis
    clock: Clock
    content: Content
    flow: Flow
    speaker: Speaker
    audio: AudioLibrary
    dates: SpokenDates  # dates and numbers said back to a caller, from pre-rendered clips
    outbound: Outbound
    reminders: ReminderService
    erasure: Erasure
    calls: CallService
    sms: SmsConversation

    @classmethod
    def build(cls, settings: Settings, clock: Clock | None = None) -> Hotline:
        redis = Redis.from_url(
            settings.redis_url,
            socket_timeout=2,
            socket_connect_timeout=2,
            health_check_interval=30,
        )
        if clock is None:
            # Development: one clock shift for every process, set by the simulator.
            clock = SharedClock(redis) if settings.development else Clock()
        prefecture = load_prefecture(settings.prefecture)
        content = Content(load_catalogs(), load_languages(), prefecture.placeholders())

        audio = AudioLibrary(settings.audio_dir, settings.public_base_url)
        speaker = Speaker(content, audio)
        inventory = Inventory.of(speaker, content, EXTRA_VOICE_KEYS)
        # Offered by voice: languages with a Twilio voice, or with audio for every prompt.
        flow = Flow(inventory.voice_languages(audio))
        dates = SpokenDates(inventory.formats, audio, inventory.voices)

        choices = LanguageChoices(redis)
        call_store = CallStore(redis)
        registrations = RegistrationStore(
            redis, settings.secret_key, settings.reminder_policy.retention_days * 24 * 3600
        )
        erasure = Erasure(registrations, choices, call_store)
        outbound = Outbound.build(settings, redis)
        reminder_calls = ReminderCalls(
            records=CallRecords(redis),
            registrations=registrations,
            queue=outbound.queue,
            dialer=build_dialer(settings, redis),
            rate_cap=RateCap(redis, settings.calls_per_second, key=keys.CALL_RATE_SLOT),
            policy=settings.call_policy,
            secret=settings.secret_key,
            public_base_url=settings.public_base_url,
        )
        reminders = ReminderService(
            registrations,
            content,
            settings.secret_key,
            outbound=lambda caller, number, body, message_id: outbound.enqueue(
                number, body, caller=caller, purpose="reminder", message_id=message_id
            ),
            policy=settings.reminder_policy,
            calls=reminder_calls,
        )
        # A number that sent STOP to its carrier, or cannot get SMS, leaves the reminders.
        outbound.on_permanent_failure = reminders.delivery_failed
        outbound.still_wanted = reminders.still_wanted

        def send_reply(number: str, body: str) -> None:
            outbound.enqueue(number, body, purpose="reply")

        calls = CallService(
            flow,
            call_store,
            content=content,
            choices=choices,
            reminders=reminders,
            erasure=erasure,
            send_sms=send_reply,
            clock=clock,
            prefecture=settings.prefecture,
        )
        conversation = SmsConversation(
            content, choices, reminders, erasure, settings.secret_key, settings.prefecture
        )
        return cls(
            settings=settings,
            redis=redis,
            clock=clock,
            content=content,
            flow=flow,
            speaker=speaker,
            audio=audio,
            dates=dates,
            outbound=outbound,
            reminders=reminders,
            erasure=erasure,
            calls=calls,
            sms=conversation,
        )

    def used_keys(self) -> set[str]:
        """Every catalog key the code may say or text."""
        spoken = {p.key for p in reachable_prompts(self.flow)}
        return spoken | set(EXTRA_VOICE_KEYS) | set(SMS_KEYS)

    def forget_number(self, number: str, reason: str) -> bool:
        """Erase everything kept about a number (see hotline.erasure)."""
        caller = caller_key(self.settings.secret_key, number)
        return caller is not None and self.erasure.forget(caller, reason, self.clock.now())
