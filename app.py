"""The hotline's web app: ``create_app()`` for tests and tools, ``app`` for gunicorn (Procfile).

The app is composed in ``wiring.web``. A call flows: Twilio → /voice/incoming (ivr.views) →
ivr.calls (state in Redis) → ivr.flow (the menu table in ivr.menu) → ivr.speech (catalog text,
or audio) → ivr.twiml → Twilio.
"""

from __future__ import annotations

from flask import Flask

from wiring.web import create_app

__all__ = ["create_app"]


def __getattr__(name: str) -> Flask:
    # `app` is built on first use (gunicorn's app:app, flask --app app), not at import, so that
    # importing this module never needs a configured environment. Wrong settings: one line per
    # problem and exit status 2 (wiring.settings).
    if name == "app":
        globals()["app"] = application = create_app()
        return application
    raise AttributeError(name)
