"""Development mode answers only requests addressed to this machine by a loopback name.

A development server signs with a public token and serves a simulator that signs webhooks for
whoever reaches it. Binding to 127.0.0.1 keeps other machines out, but not a web page the
developer happens to open: by DNS rebinding, a name the attacker controls resolves to 127.0.0.1,
and the developer's own browser then sends requests with ``Host: attacker.example``. Refusing
every request whose Host is not a loopback name or address closes that door. The one other
name answered is PUBLIC_BASE_URL's, when a developer set it (a tunnel to try real Twilio
webhooks): an attacker's page cannot make the browser send that name to 127.0.0.1.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import Flask, Response, request

from hotline.settings import is_loopback


def hostname(host_header: str) -> str | None:
    """The name in a Host header: "[::1]:5000" is "::1"; None when it is not a host."""
    try:
        return urlsplit(f"//{host_header}").hostname
    except ValueError:
        return None


def refuse_other_hosts(app: Flask, public_base_url: str | None = None) -> None:
    """Answer 403 to any request whose Host header is neither a loopback name or address nor
    the host of ``public_base_url``."""
    public = urlsplit(public_base_url).hostname if public_base_url else None

    @app.before_request
    def loopback_only() -> Response | None:
        name = hostname(request.host)
        if name is not None and (is_loopback(name) or name == public):
            return None
        return Response(
            "Development mode answers only on localhost.\n", status=403, mimetype="text/plain"
        )
