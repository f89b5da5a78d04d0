"""Who is calling, without keeping who is calling: phone numbers become keyed hashes.

A number is never stored or logged in clear for call state; ``caller_key`` turns it into an
HMAC keyed by HOTLINE_SECRET_KEY, so the stored value cannot be reversed or matched against a
list of numbers without the key. Where the number itself must come back (an SMS waiting to be
sent), ``seal_number`` encrypts it with a key derived from the same secret, and only
``open_number`` with that secret reads it again.
"""

from __future__ import annotations

import base64
import functools
import hashlib
import hmac
import re

from cryptography.fernet import Fernet, InvalidToken
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

#: Caller ID values carriers send when the number is withheld.
_WITHHELD = {"anonymous", "restricted", "unknown", "private", "unavailable", "+266696687"}
_E164 = re.compile(r"^\+[1-9]\d{6,14}$")


def normalise_number(raw: str | None) -> str | None:
    """The number in E.164 form, or None when it is missing, withheld or not a phone number."""
    if not raw:
        return None
    number = re.sub(r"[\s().-]", "", raw.strip())
    if number.lower() in _WITHHELD or not _E164.match(number):
        return None
    return number


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


#: Binds the derived key to this one use: the same secret also keys caller hashes.
_SEAL_CONTEXT = b"anef-hotline/phone-number-seal/v1"


@functools.lru_cache(maxsize=4)
def _sealer(secret: str) -> Fernet:
    key = HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=_SEAL_CONTEXT).derive(
        secret.encode()
    )
    return Fernet(base64.urlsafe_b64encode(key))


def seal_number(secret: str, number: str) -> str:
    """The number encrypted and authenticated (Fernet), as text fit for storing in Redis."""
    return _sealer(secret).encrypt(number.encode()).decode("ascii")


def open_number(secret: str, token: str) -> str:
    """The number a ``seal_number`` token holds; ValueError if it was altered or sealed with
    another secret."""
    try:
        return _sealer(secret).decrypt(token.encode("ascii")).decode()
    except (InvalidToken, UnicodeError) as error:
        raise ValueError("not a number sealed with this secret") from error
