"""The web process's composition root: ``create_app()`` (app.py exposes it, and ``app`` for
gunicorn) builds the voice and SMS lines, the status callbacks and the flask commands.

It is the only process that walks the voice flow (``ivr.reachability``, about 0.35 s of CPU a
language): the menu offers a language only when every prompt it can say has a voice.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import timedelta

from flask import Flask
from redis import Redis

from audio import studio_views
from audio import views as audio_files
from audio.cli import audio_cli
from audio.inventory import Inventory
from audio.invites import Invites
from audio.library import AudioLibrary
from audio.pending import PendingRecordings
from audio.plan import RecordingPlan
from audio.recordings import RecordingStore
from audio.spoken_dates import SpokenDates
from audio.studio import STUDIO_KEYS, Studio
from console import metrics
from console import session as console_session
from console import views as console
from console.cli import operators_cli
from console.parts import ConsoleParts
from content.catalog import Content
from content.check import CatalogUse
from content.cli import content_cli
from content.spoken_length import Heard, SpokenTexts
from hotline import development, request_log
from hotline.clock import Clock
from hotline.erasure import Erasure
from hotline.keyring import Keyring
from hotline.language_choice import LanguageChoices
from hotline.logs import setup_logging
from hotline.parts import install, part
from hotline.request_body import guard_bodies
from hotline.settings import Settings
from hotline.sms_limits import DailyLimits
from ivr import views as voice
from ivr.call_store import CallStore
from ivr.calls import SMS_KEYS as CALL_SMS_KEYS
from ivr.calls import CallService
from ivr.flow import Flow, heard_on_arrival
from ivr.reachability import reachable_prompts
from ivr.speech import FRAGMENT_KEYS, DateVoice, Speaker
from operations import health
from operations.health import JobQueues
from operations.jobs_cli import jobs_cli
from operations.release import release
from operations.twilio_cli import twilio_cli
from reminders.changes import RegistrationChanges
from reminders.cli import reminders_cli
from reminders.secrets_cli import secrets_cli
from reminders.service import ReminderService
from simulator import views as simulator
from simulator.relay import AudioTexts
from sms import status as sms_status
from sms import views as sms
from sms.callbacks import StatusCallbacks
from sms.conversation import SMS_KEYS, SmsConversation
from sms.outbound import RETRY_INTERVALS, Outbound
from sms.replays import AnsweredMessages
from sms.store import MessageStore
from wiring.connections import build_queue, build_reminder_queue, check_key_or_exit, connect_redis
from wiring.settings import settings_or_exit
from wiring.shared import (
    build_content,
    build_outbound,
    build_reminders,
    build_tally,
    default_clock,
)
from workers.recordings import FETCH_TAKE_JOB

#: Keys the voice line says outside the menu flow.
EXTRA_VOICE_KEYS = (
    "voice.outage.info",
    "voice.sms_steps.already_sent",  # said instead of a menu node by ivr.calls
    "voice.sms_steps.not_textable",
    "voice.remind.limit",
    "voice.reminder_call.voicemail",
    *sorted(FRAGMENT_KEYS),
)


@dataclass(frozen=True)
class WebParts:
    """Everything the web app uses, built once by ``build_web_parts``."""

    settings: Settings
    redis: Redis
    clock: Clock
    content: Content
    flow: Flow
    speaker: Speaker
    audio: AudioLibrary
    inventory: Inventory
    dates: SpokenDates  # dates and numbers said back to a caller, from pre-rendered clips
    outbound: Outbound
    status_callbacks: StatusCallbacks
    reminders: ReminderService
    erasure: Erasure
    calls: CallService
    sms: SmsConversation
    studio: Studio  # the recording line
    plan: RecordingPlan  # what each language still needs recorded

    def used_keys(self) -> frozenset[str]:
        """Every catalog key the code may say or text."""
        spoken = {p.key for p in reachable_prompts(self.flow)}
        return frozenset(
            spoken | set(EXTRA_VOICE_KEYS) | set(SMS_KEYS) | set(CALL_SMS_KEYS) | set(STUDIO_KEYS)
        )

    def spoken_texts(self) -> SpokenTexts:
        """Every prompt and every menu as first heard, with their words, for the spoken-length
        check (walked when the check asks, not when the app starts)."""
        speaker, flow, audio = self.speaker, self.flow, self.audio

        def collect() -> tuple[list[Heard], list[Heard]]:
            prompts = [Heard(p.lang, p.key, (speaker.text(p),)) for p in reachable_prompts(flow)]
            menus = [
                Heard(lang, name, tuple(speaker.text(p) for p in said))
                for name, lang, said in heard_on_arrival(flow)
            ]
            return prompts, menus

        def measure(lang: str, text: str) -> float | None:
            entry = audio.entry(lang, text)
            return entry.seconds if entry else None

        return SpokenTexts(collect, measure)

    def forget_number(self, number: str, reason: str) -> bool:
        """Erase everything kept about a number (see hotline.erasure)."""
        return self.erasure.forget_number(number, reason, self.clock.now())


def build_web_parts(
    settings: Settings,
    clock: Clock | None = None,
    *,
    sms_retry_intervals: Sequence[int] = RETRY_INTERVALS,
) -> WebParts:
    redis = connect_redis(settings)
    check_key_or_exit(settings, redis)
    clock = clock or default_clock(settings, redis)
    content = build_content(settings)

    audio = AudioLibrary(settings.audio_dir, settings.public_base_url)
    speaker = Speaker(content, audio)
    inventory = Inventory.of(speaker, content, EXTRA_VOICE_KEYS)
    # Offered by voice: languages with a Twilio voice, or with audio for every prompt; and,
    # SMS-by-voice, languages whose menu entry and "help by SMS" message can be heard.
    menu, sms_only = inventory.menu_languages(audio)
    flow = Flow(menu, sms_only=sms_only, policy=settings.reminder_policy)
    dates = SpokenDates(inventory.formats, audio, inventory.voices)

    tally = build_tally(redis, clock)
    outbound = build_outbound(settings, redis, build_queue(redis), sms_retry_intervals, tally)
    reminders = build_reminders(settings, redis, content, outbound, tally)
    choices = LanguageChoices(redis)
    call_store = CallStore(redis, settings.resume_window_minutes * 60)
    keyring = Keyring(settings.secret_key, settings.previous_secret_key)
    changes = RegistrationChanges(redis)
    erasure = Erasure(
        reminders.store.erase,
        [choices.forget, call_store.forget_caller, changes.forget],
        keyring,
    )
    limits = DailyLimits(redis, dict(settings.sms_daily_limits))

    def send_reply(number: str, body: str, *, message_id: str | None = None) -> None:
        outbound.enqueue(number, body, purpose="reply", message_id=message_id)

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
        limits=limits,
        destinations=outbound.destinations,
        changes=changes,
        tally=tally,
    )
    conversation = SmsConversation(
        content,
        choices,
        reminders,
        erasure,
        settings.secret_key,
        settings.prefecture,
        limits=limits,
        destinations=outbound.destinations,
        answered=AnsweredMessages(redis),
        changes=changes,
        tally=tally,
    )
    studio, plan = build_studio(settings, redis, clock, inventory, speaker, outbound)
    return WebParts(
        settings=settings,
        redis=redis,
        clock=clock,
        content=content,
        flow=flow,
        speaker=speaker,
        audio=audio,
        inventory=inventory,
        dates=dates,
        outbound=outbound,
        status_callbacks=StatusCallbacks(MessageStore(redis), reminders, tally),
        reminders=reminders,
        erasure=erasure,
        calls=calls,
        sms=conversation,
        studio=studio,
        plan=plan,
    )


def build_studio(
    settings: Settings,
    redis: Redis,
    clock: Clock,
    inventory: Inventory,
    speaker: Speaker,
    outbound: Outbound,
) -> tuple[Studio, RecordingPlan]:
    """The recording line: codes, the plan of what to record, the job queue for takes."""
    plan = RecordingPlan(
        inventory,
        RecordingStore(settings.recordings_dir),
        PendingRecordings(settings.recordings_dir),
    )
    queue = build_queue(redis)

    def send_draft(number: str, body: str, message_id: str) -> None:
        if outbound.destinations.allows(number):
            outbound.enqueue(number, body, purpose="studio", message_id=message_id)

    def enqueue(take: str, delay: int) -> None:
        options = dict(job_id=f"take-{take}", result_ttl=3600, failure_ttl=7 * 24 * 3600)
        if delay:
            queue.enqueue_in(timedelta(seconds=delay), FETCH_TAKE_JOB, take, **options)
        else:
            queue.enqueue(FETCH_TAKE_JOB, take, **options)

    studio = Studio(
        redis,
        Invites(redis, settings.secret_key),
        plan,
        speaker,
        clock,
        send_draft=send_draft,
        enqueue=enqueue,
    )
    return studio, plan


def create_app(
    settings: Settings | None = None,
    *,
    clock: Clock | None = None,
    sms_retry_intervals: Sequence[int] = RETRY_INTERVALS,
) -> Flask:
    """Build the app from settings (read from the environment when not given, exiting with one
    line per problem when they are wrong); tests and the simulator may hand in their own clock."""
    setup_logging()
    settings = settings or settings_or_exit()
    setup_logging(json_lines=not settings.development)
    app = Flask("app")
    # Floods refused, and a slow client cannot hold a worker: the whole body within
    # BODY_SECONDS, or 408.
    guard_bodies(app)
    parts = build_web_parts(settings, clock, sms_retry_intervals=sms_retry_intervals)
    install(
        app,
        {
            WebParts: parts,
            Settings: settings,
            Redis: parts.redis,
            JobQueues: JobQueues((parts.outbound.queue, build_reminder_queue(parts.redis))),
            Clock: parts.clock,
            Content: parts.content,
            Flow: parts.flow,
            Speaker: parts.speaker,
            AudioLibrary: parts.audio,
            Inventory: parts.inventory,
            DateVoice: parts.dates,
            StatusCallbacks: parts.status_callbacks,
            ReminderService: parts.reminders,
            Erasure: parts.erasure,
            CallService: parts.calls,
            SmsConversation: parts.sms,
            Studio: parts.studio,
            RecordingPlan: parts.plan,
            CatalogUse: CatalogUse(parts.used_keys, parts.flow.languages),
            SpokenTexts: parts.spoken_texts(),
            ConsoleParts: ConsoleParts.build(
                parts.redis, settings.secret_key, parts.inventory, settings.review_dir
            ),
            # What the simulator plays for each audio file (development only).
            **({AudioTexts: AudioTexts(settings.audio_dir)} if settings.development else {}),
        },
    )
    app.register_blueprint(health.bp)
    app.register_blueprint(voice.bp)
    app.register_blueprint(studio_views.bp)
    app.register_blueprint(audio_files.bp)
    app.register_blueprint(sms.bp)
    app.register_blueprint(sms_status.bp)
    app.register_blueprint(console.bp)  # operators, production and development alike
    app.register_blueprint(metrics.bp)
    console_session.configure(app, settings)
    if settings.development:
        # DNS rebinding: the development token and the simulator are public.
        development.refuse_other_hosts(app, settings.public_base_url)
        app.register_blueprint(simulator.bp)  # the browser simulator: never in production
    app.cli.add_command(content_cli)
    app.cli.add_command(audio_cli)
    app.cli.add_command(reminders_cli)
    app.cli.add_command(jobs_cli)
    app.cli.add_command(twilio_cli)
    app.cli.add_command(release)
    request_log.init_app(app)
    app.cli.add_command(secrets_cli)
    app.cli.add_command(operators_cli)
    return app


def web_parts(app: Flask) -> WebParts:
    """The parts an app was built with (tests and tools)."""
    return part(WebParts, app)
