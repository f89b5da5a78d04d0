"""Who is calling, without keeping who is calling: phone numbers become keyed hashes.

A number is never stored or logged in clear. ``caller_key`` turns it into an HMAC keyed by
HOTLINE_SECRET_KEY, so a stored key cannot be reversed or matched against a list of numbers
without the secret; where the number itself must be kept (to text reminders), ``seal_number``
encrypts it.
"""

from __future__ import annotations

import base64
import functools
import hashlib
import hmac
import os
import re

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from hotline.twilio_fields import E164, valid

#: Caller ID values carriers send when the number is withheld.
_WITHHELD = {"anonymous", "restricted", "unknown", "private", "unavailable", "+266696687"}
#: Separators people and carriers put in numbers (ASCII only: a number is ASCII or not a number).
_SEPARATORS = re.compile(r"[ \t().-]")
#: Longer than any formatted number; a longer value is not read at all.
_MAX_RAW = 40


def normalise_number(raw: str | None) -> str | None:
    """The number in E.164 form, or None when it is missing, withheld or not a phone number."""
    if not raw:
        return None
    if len(raw) > _MAX_RAW:
        return None
    number = _SEPARATORS.sub("", raw.strip())
    if number.lower() in _WITHHELD:
        return None
    return valid(E164, number)


def caller_key(secret: str, raw_number: str | None) -> str | None:
    """A stable, irreversible key for a phone number (32 hex characters), or None if unusable."""
    number = normalise_number(raw_number)
    if number is None:
        return None
    digest = hmac.new(secret.encode(), b"caller:" + number.encode(), hashlib.sha256)
    return digest.hexdigest()[:32]


def mask_number(raw_number: str | None) -> str:
    """A number as it may appear in logs and listings: country code and last two digits."""
    number = normalise_number(raw_number)
    if number is None:
        return "(none)"
    return f"{number[:3]}…{number[-2:]}"


@functools.cache
def _sealing_key(secret: str) -> bytes:
    hkdf = HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=b"hotline:number-sealing")
    return hkdf.derive(secret.encode())


def seal_number(secret: str, number: str) -> str:
    """The number encrypted (AES-GCM, key derived from the secret): at most 60 characters, so a
    registration stays a compact Redis hash."""
    nonce = os.urandom(12)
    sealed = nonce + AESGCM(_sealing_key(secret)).encrypt(nonce, number.encode(), b"number")
    return base64.urlsafe_b64encode(sealed).decode().rstrip("=")


def open_number(secret: str, token: str) -> str:
    """The number a ``seal_number`` token holds; raises ValueError if it was not sealed with
    this secret or was altered."""
    raw = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4))
    try:
        plain = AESGCM(_sealing_key(secret)).decrypt(raw[:12], raw[12:], b"number")
    except InvalidTag as error:
        raise ValueError("not a number sealed with this secret") from error
    return plain.decode()
