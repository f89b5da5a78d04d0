"""Webhook requests from Twilio: only signed ones are served.

Twilio signs each request with the account's auth token over the full URL it called plus the
sorted POST fields. Behind a TLS proxy the URL Flask sees is not the one Twilio called, so when
PUBLIC_BASE_URL is set it replaces the scheme and host. A bad or missing signature is answered
403 before any state is read or written.
"""

from __future__ import annotations

import base64
import functools
import hashlib
import hmac
import logging
from collections.abc import Callable
from typing import TypeVar

from flask import Request, abort, request
from twilio.request_validator import (
    HMAC_SHA1,
    HMAC_SHA256,
    RequestValidator,
    get_signature_algorithm,
)
from werkzeug.datastructures import MultiDict

from hotline.parts import part
from hotline.settings import Settings
from hotline.twilio_fields import for_log

log = logging.getLogger(__name__)
F = TypeVar("F", bound=Callable)


def webhook_origin(req: Request, public_base_url: str | None) -> str:
    """Where Twilio reaches the webhooks: PUBLIC_BASE_URL (behind a TLS proxy), else the origin
    and script root the request came to. The signature check and every absolute URL the TwiML
    gives Twilio (actions, redirects, callbacks) read it here, so they always agree."""
    return (public_base_url or req.root_url).rstrip("/")


def public_url(req: Request, public_base_url: str | None) -> str:
    """The URL Twilio requested: the webhook origin plus path and the query string exactly as
    it came (``req.url`` re-encodes it: "%3A" would become ":" and the signature, made over
    Twilio's bytes, would no longer match)."""
    query = req.query_string.decode("latin-1")
    origin = webhook_origin(req, public_base_url)
    return origin + req.path + (f"?{query}" if query else "")


_HASHES = {HMAC_SHA1: hashlib.sha1, HMAC_SHA256: hashlib.sha256}


def expected_signature(auth_token: str, url: str, form: MultiDict[str, str], algorithm: str) -> str:
    """Twilio's signature of a request: the URL, then each field name with each of its values,
    names and values sorted (``RequestValidator.compute_signature``'s rule). Computed here in one
    pass over the form: the library's version costs a caught exception per field with Flask's
    form and rebuilds the string field by field, which the webhooks pay on every request."""
    digest = _HASHES.get((algorithm or HMAC_SHA1).upper())
    if digest is None:
        raise ValueError(f"unsupported webhook signature algorithm: {algorithm}")
    signed = [url]
    for name, values in sorted(form.lists()):
        if len(values) == 1:  # Twilio's fields, but for a repeated one
            signed.append(name + values[0])
        else:
            signed.extend(name + value for value in sorted(set(values)))
    mac = hmac.new(auth_token.encode(), "".join(signed).encode(), digest)
    return base64.b64encode(mac.digest()).decode()


def is_signed(req: Request, auth_token: str, public_base_url: str | None) -> bool:
    signature = req.headers.get("X-Twilio-Signature")
    if not signature:
        return False
    algorithm = get_signature_algorithm(req.headers.get("X-Twilio-Webhooks-Signature-Settings"))
    url = public_url(req, public_base_url)
    # The URL as Twilio called it matches almost always: check it alone first (one HMAC), and
    # only then let the validator try the variants with and without the port (two more).
    try:
        expected = expected_signature(auth_token, url, req.form, algorithm)
    except ValueError:  # an algorithm we do not know
        return False
    if hmac.compare_digest(expected.encode(), signature.encode()):
        return True
    return RequestValidator(auth_token).validate(url, req.form, signature, algorithm)


def twilio_signed(view: F) -> F:
    """Serve the view only for requests that carry a valid X-Twilio-Signature; 403 otherwise."""

    @functools.wraps(view)
    def wrapper(*args, **kwargs):
        settings = part(Settings)
        if not is_signed(request, settings.twilio_auth_token, settings.public_base_url):
            log.warning("rejected unsigned or badly signed request to %s", for_log(request.path))
            abort(403)
        return view(*args, **kwargs)

    return wrapper  # type: ignore[return-value]
