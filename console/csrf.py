"""CSRF protection for the console's forms: a random token per session, in a hidden field of
every form, checked on every POST under /console before the view runs.

Why not Flask-WTF: the console has four small forms and no other use for WTForms; this check is
twenty lines, tested directly (tests/test_console.py posts without and with a wrong token). The
session cookie is also SameSite=Strict, so a cross-site form does not even carry it.
"""

from __future__ import annotations

import hmac
import secrets

from flask import abort, request, session

FIELD = "csrf_token"


def token() -> str:
    """This session's token (made on first use; the login page makes it before any login)."""
    if FIELD not in session:
        session[FIELD] = secrets.token_urlsafe(32)
    return session[FIELD]


def renew() -> None:
    """A new token, on login and logout (a token seen before login is not kept after it)."""
    session[FIELD] = secrets.token_urlsafe(32)


def protect() -> None:
    """Refuse (400) a state-changing request whose form does not carry the session's token."""
    if request.method in ("GET", "HEAD", "OPTIONS"):
        return
    expected = session.get(FIELD)
    sent = request.form.get(FIELD, "")
    if not expected or not hmac.compare_digest(str(expected), sent):
        abort(400, description="missing or wrong CSRF token: reload the page and try again")
