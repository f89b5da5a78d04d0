"""The simulator's relay: sign a webhook request as Twilio would, hand it to the real webhook.

The browser never holds the auth token. It sends the path and the form Twilio would post; the
relay signs them with the app's token over the exact URL the webhook will see (PUBLIC_BASE_URL
when set, like behind a proxy), runs the request through the app's own WSGI stack, and returns
the status and TwiML. The webhooks are untouched and check the signature as for Twilio.

Only the hotline's inbound webhooks can be reached this way: /voice/<step> and /sms/incoming.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

from flask import Flask
from twilio.request_validator import RequestValidator

from audio.library import MANIFEST_NAME, Manifest

#: The webhooks a person on the phone or texting reaches: voice steps and incoming SMS.
#: Not /sms/status: that is Twilio reporting on our own messages, nothing a person does.
ALLOWED_PATH = re.compile(r"/voice/[a-z][a-z_-]{0,31}|/sms/incoming")
SAFE_QUERY = re.compile(r"[A-Za-z0-9=&_.%-]{0,200}")
MAX_FIELDS = 40
MAX_VALUE = 1600  # an SMS body's longest


class RelayRefused(ValueError):
    """The page asked for something the relay does not do; the message says what."""


@dataclass(frozen=True)
class WebhookRequest:
    path: str  # path and query, e.g. /voice/step
    form: dict[str, str]

    @classmethod
    def from_json(cls, data: object) -> WebhookRequest:
        """Check what the page sent: a webhook path and a flat form of strings."""
        if not isinstance(data, dict):
            raise RelayRefused("send a JSON object with path and form")
        target = data.get("path")
        form = data.get("form", {})
        if not isinstance(target, str):
            raise RelayRefused("path must be a string")
        parts = urlsplit(target)
        if parts.scheme or parts.netloc or not ALLOWED_PATH.fullmatch(parts.path):
            raise RelayRefused("only the hotline's webhooks: /voice/<step> and /sms/incoming")
        if not SAFE_QUERY.fullmatch(parts.query):
            raise RelayRefused("query string not allowed")
        if not isinstance(form, dict) or len(form) > MAX_FIELDS:
            raise RelayRefused(f"form must be an object of at most {MAX_FIELDS} fields")
        for name, value in form.items():
            if not isinstance(value, str) or len(value) > MAX_VALUE:
                raise RelayRefused(f"form field {name!r} must be a string (at most {MAX_VALUE})")
        path = parts.path + (f"?{parts.query}" if parts.query else "")
        return cls(path=path, form=dict(form))


@dataclass(frozen=True)
class WebhookAnswer:
    status: int
    content_type: str
    body: str


def forward(app: Flask, request: WebhookRequest, *, origin: str, auth_token: str) -> WebhookAnswer:
    """Sign ``request`` for ``origin`` + path with the token, and run it through ``app``."""
    origin = origin.rstrip("/")
    url = origin + request.path
    signature = RequestValidator(auth_token).compute_signature(url, request.form)
    client = app.test_client()
    response = client.post(
        request.path,
        base_url=origin,
        data=request.form,
        headers={"X-Twilio-Signature": signature},
    )
    return WebhookAnswer(
        status=response.status_code,
        content_type=response.content_type or "",
        body=response.get_data(as_text=True),
    )


class AudioTexts:
    """What each built audio file says, from the audio manifest, so the transcript can show the
    words of a ``<Play>``. Re-read when the manifest changes (``flask audio build`` ran)."""

    def __init__(self, directory: Path):
        self.directory = Path(directory)
        self._stamp: tuple[int, int] | None = None
        self._files: dict[str, tuple[str, str]] = {}

    def _refresh(self) -> None:
        try:
            stat = (self.directory / MANIFEST_NAME).stat()
            stamp = (stat.st_mtime_ns, stat.st_size)
        except FileNotFoundError:
            stamp = None
        if stamp != self._stamp:
            self._stamp = stamp
            self._files = {e.file: (e.lang, e.text) for e in Manifest.load(self.directory)}

    def of_twiml(self, body: str) -> dict[str, dict[str, str]]:
        """For each ``<Play>`` URL of a TwiML document: {"lang": ..., "text": ...} when known."""
        if "<Play" not in body:
            return {}
        try:
            root = ET.fromstring(body)
        except ET.ParseError:
            return {}
        self._refresh()
        said: dict[str, dict[str, str]] = {}
        for play in root.iter("Play"):
            url = (play.text or "").strip()
            _, _, file = url.partition("/audio/")
            if file in self._files:
                lang, text = self._files[file]
                said[url] = {"lang": lang, "text": text}
        return said
