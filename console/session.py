"""The console's session cookie: signed (Flask), HttpOnly, SameSite=Strict, limited to /console,
eight hours, and Secure everywhere except plain http to a loopback address in development mode
(`make run` on 127.0.0.1, where a browser would drop a Secure cookie)."""

from __future__ import annotations

import hashlib
import hmac
from datetime import timedelta

from flask import Flask, Request, request
from flask.sessions import SecureCookieSessionInterface

from hotline.settings import Settings, is_loopback

COOKIE = "hotline_console"
PATH = "/console"
LIFETIME = timedelta(hours=8)


class ConsoleSession(SecureCookieSessionInterface):
    def __init__(self, development: bool):
        self.development = development

    def open_session(self, app: Flask, request: Request):
        # Only the console has sessions: a webhook gets Flask's null session, never reads or
        # writes a cookie, and costs nothing here (the webhooks' throughput is measured).
        if not request.path.startswith(PATH):
            return None
        return super().open_session(app, request)

    def get_cookie_secure(self, app: Flask) -> bool:
        local = request.scheme == "http" and is_loopback(request.host.rsplit(":", 1)[0])
        return not (self.development and local)


def configure(app: Flask, settings: Settings) -> None:
    """Give the app its session signing key (derived from HOTLINE_SECRET_KEY) and cookie rules."""
    app.secret_key = hmac.new(
        settings.secret_key.encode(), b"console-session", hashlib.sha256
    ).hexdigest()
    app.config.update(
        SESSION_COOKIE_NAME=COOKIE,
        SESSION_COOKIE_PATH=PATH,
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Strict",
        PERMANENT_SESSION_LIFETIME=LIFETIME,
    )
    app.session_interface = ConsoleSession(settings.development)
