"""Twilio's webhook fields, checked with ASCII-only rules before anything acts on them.

A valid signature proves who sent a request, not that its fields are sane: a signed request can
still carry "²" as an ErrorCode (``str.isdigit`` says yes, ``int`` says no), 5,000 digits, or a
newline after a SID (``re.match`` with ``$`` accepts "CA...\\n"). Every pattern here is matched
whole (``fullmatch``) against explicit ASCII classes: never ``\\d``, ``\\w`` or ``$``.

SIDs follow Twilio's documented formats (two letters, then 32 hexadecimal characters); phone
numbers are E.164 (at most 15 digits). Whatever is logged from a request goes through
``for_log``, which caps its length and shows only printable ASCII.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

CALL_SID = re.compile(r"CA[0-9a-fA-F]{32}")
#: SM for SMS, MM for MMS; Twilio's docs also show older SMS SIDs that start with SM.
MESSAGE_SID = re.compile(r"(?:SM|MM)[0-9a-fA-F]{32}")
ACCOUNT_SID = re.compile(r"AC[0-9a-fA-F]{32}")
E164 = re.compile(r"\+[1-9][0-9]{6,14}")
#: What a <Gather> posts as Digits: keypad keys only (32 is far more than any entry here).
DIGITS = re.compile(r"[0-9*#]{1,32}")
#: Twilio's error codes are 5 digits today; 6 leaves room, a longer value is not a code.
ERROR_CODE = re.compile(r"[0-9]{1,6}")
#: A status word (queued, delivered, in-progress, no-answer...).
STATUS = re.compile(r"[a-z-]{1,20}")
RECORDING_SID = re.compile(r"RE[0-9a-fA-F]{32}")
#: Where Twilio keeps a recording (<Record>'s RecordingUrl, no extension): on its API host, or on
#: TWILIO_API_BASE_URL's (http for the local Twilio). The studio plays it back in a <Play>: any
#: other value would be an unplayable URL, or a character that breaks the TwiML document.
RECORDING_URL = re.compile(
    r"https?://[A-Za-z0-9.-]{1,253}(?::[0-9]{1,5})?"
    r"/2010-04-01/Accounts/AC[0-9a-fA-F]{32}/Recordings/RE[0-9a-fA-F]{32}"
)

#: The fields Twilio sends with every request of a kind, and their formats: a request that lacks
#: one, or carries it in another format, is not Twilio's and is not served.
VOICE_FIELDS = {"CallSid": CALL_SID, "AccountSid": ACCOUNT_SID}
SMS_FIELDS = {"MessageSid": MESSAGE_SID, "AccountSid": ACCOUNT_SID}

#: Longest value written to a log line from a request.
LOG_LIMIT = 64


def valid(pattern: re.Pattern[str], value: str | None) -> str | None:
    """``value`` when the whole of it matches ``pattern``, else None."""
    return value if value is not None and pattern.fullmatch(value) else None


def invalid_fields(
    form: Mapping[str, str], required: Mapping[str, re.Pattern[str]]
) -> tuple[str, ...]:
    """The names of the ``required`` fields that ``form`` lacks or holds in another format, in
    the table's order: what a refused request is logged with (its names, never its values)."""
    return tuple(name for name, pattern in required.items() if not valid(pattern, form.get(name)))


def whole_number(raw: str | None, max_digits: int) -> int | None:
    """``raw`` as a number when it is 1 to ``max_digits`` ASCII digits, else None ("²" and "٣"
    are digits to ``str.isdigit``, never here)."""
    if raw is None or not 0 < len(raw) <= max_digits or not (raw.isascii() and raw.isdigit()):
        return None
    return int(raw)


def error_code(raw: str | None) -> int | None:
    """Twilio's ErrorCode as a number, or None when absent or not a code (ASCII digits only)."""
    code = valid(ERROR_CODE, (raw or "").strip())
    return int(code) if code else None


def for_log(value: object, limit: int = LOG_LIMIT) -> str:
    """A request value as it may appear in a log line: printable ASCII, at most ``limit``
    characters (other characters become "?", a longer value ends with "…" and its length)."""
    text = str(value)
    shown = "".join(c if " " <= c <= "~" else "?" for c in text[:limit])
    return shown if len(text) <= limit else f"{shown}…({len(text)} chars)"
