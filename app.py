"""The hotline's web app: ``create_app()`` for tests and tools, ``app`` for gunicorn (Procfile).

A call flows: Twilio → /voice/incoming (ivr.views) → ivr.calls (state in Redis) → ivr.flow (the
menu table in ivr.menu) → ivr.speech (catalog text, or audio) → ivr.twiml → Twilio.
"""

from __future__ import annotations

import logging
import sys

from flask import Flask

from audio import views as audio_files
from audio.cli import audio_cli
from audio.inventory import Inventory
from console import metrics
from console import session as console_session
from console import views as console
from console.cli import operators_cli
from console.parts import ConsoleParts
from content.cli import content_cli
from hotline import health
from hotline.clock import Clock
from hotline.services import EXTRA_VOICE_KEYS, Hotline
from hotline.settings import Settings, SettingsError
from ivr import views as voice
from reminders.cli import reminders_cli
from simulator import views as simulator
from sms import status as sms_status
from sms import views as sms


def create_app(settings: Settings | None = None, *, clock: Clock | None = None) -> Flask:
    """Build the app from settings (read from the environment when not given); tests and the
    simulator may hand in their own clock."""
    settings = settings or Settings.from_env()
    app = Flask(__name__)
    app.config["MAX_CONTENT_LENGTH"] = 64 * 1024  # Twilio's forms are small; refuse floods
    app.extensions["hotline"] = hotline = Hotline.build(settings, clock)
    app.extensions["console"] = ConsoleParts.build(
        hotline.redis,
        settings.secret_key,
        Inventory.of(hotline.speaker, hotline.content, EXTRA_VOICE_KEYS),
        settings.review_dir,
    )
    console_session.configure(app, settings)
    app.register_blueprint(health.bp)
    app.register_blueprint(voice.bp)
    app.register_blueprint(audio_files.bp)
    app.register_blueprint(sms.bp)
    app.register_blueprint(sms_status.bp)
    app.register_blueprint(console.bp)  # operators, production and development alike
    app.register_blueprint(metrics.bp)
    if settings.development:
        app.register_blueprint(simulator.bp)  # the browser simulator: never in production
    app.cli.add_command(content_cli)
    app.cli.add_command(audio_cli)
    app.cli.add_command(reminders_cli)
    app.cli.add_command(operators_cli)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s %(message)s")
    return app


def _app_from_env() -> Flask:
    try:
        return create_app()
    except SettingsError as error:
        sys.exit(f"The hotline cannot start; fix its configuration:\n{error}")


def __getattr__(name: str) -> Flask:
    # `app` is built on first use (gunicorn's app:app, flask --app app), not at import, so that
    # importing this module never needs a configured environment.
    if name == "app":
        globals()["app"] = application = _app_from_env()
        return application
    raise AttributeError(name)
