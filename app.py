"""The hotline's web app: ``create_app()`` for tests and tools, ``app`` for gunicorn (Procfile).

The app is composed in ``wiring.web``. A call flows: Twilio → /voice/incoming (ivr.views) →
ivr.calls (state in Redis) → ivr.flow (the menu table in ivr.menu) → ivr.speech (catalog text,
or audio) → ivr.twiml → Twilio.
"""

from __future__ import annotations

import sys

import click
from flask import Flask

from hotline.settings import SettingsError
from wiring.build import create_build_app
from wiring.settings import read_settings
from wiring.web import create_app

__all__ = ["create_app"]


def __getattr__(name: str) -> Flask:
    # `app` is built on first use (gunicorn's app:app, flask --app app), not at import, so that
    # importing this module never needs a configured environment. Wrong settings: one line per
    # problem and exit status 2 (wiring.settings).
    if name == "app":
        globals()["app"] = application = _cli_app_without_settings() or create_app()
        return application
    raise AttributeError(name)


def _cli_app_without_settings() -> Flask | None:
    """For the flask command line only (never gunicorn): when the deployment's settings are
    missing, an app that can still build the audio (a slug is built without secrets)."""
    if click.get_current_context(silent=True) is None:
        return None
    try:
        read_settings()
    except SettingsError as error:
        print(
            f"The hotline's settings are incomplete: only `flask audio build` works here.\n{error}",
            file=sys.stderr,
        )
        return create_build_app()
    return None
