"""Who is calling, without keeping who is calling: phone numbers become keyed hashes.

A number is never stored or logged in clear for call state; ``caller_key`` turns it into an
HMAC keyed by HOTLINE_SECRET_KEY, so the stored value cannot be reversed or matched against a
list of numbers without the key.
"""

from __future__ import annotations

import hashlib
import hmac
import re

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
