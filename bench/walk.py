"""Realistic calls, prepared before the clock starts: Twilio's form fields, signed as Twilio signs.

Signing and encoding happen here, once, so the load generator only writes bytes it already has:
on a 2-core machine every microsecond the client spends is taken from the server it measures.
Each call has its own CallSid and its own caller number, as real calls do; a number seen twice
would get the "continue where you stopped" menu and walk a different path.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import dataclass
from urllib.parse import urlencode

from twilio.request_validator import RequestValidator

ACCOUNT_SID = "AC" + "5a" * 16
HOTLINE_NUMBER = "+33180000000"

#: The keys of one call after the language menu; None is silence (Twilio follows the <Redirect>,
#: posting no Digits). Steps 1-4, a miss, repeat, back, the ADP message, back, the blocked message.
AFTER_LANGUAGE: tuple[str | None, ...] = ("1", "1", "1", "1", None, "0", "*", "2", "*", "4")
#: Keys after the language menu that leave a call waiting in the steps walk: steps, next step.
TO_STEPS: tuple[str | None, ...] = ("1", "1")

#: What an answer must contain to count as served: a menu that listens (the outage answer also
#: comes with a 200, but hangs up), or, for the status callback, an empty TwiML document.
LISTENS = b"<Gather"
TWIML = b"<Response"


@dataclass(frozen=True)
class SignedRequest:
    """One webhook request as Twilio would send it, with what a correct answer contains."""

    path: str
    form: tuple[tuple[str, str], ...]
    signature: str
    expect: bytes

    def http(self, host: str) -> bytes:
        """The request on the wire, with ``Connection: close``: sync workers close anyway."""
        body = urlencode(self.form).encode()
        head = (
            f"POST {self.path} HTTP/1.1\r\n"
            f"Host: {host}\r\n"
            "User-Agent: TwilioProxy/1.1\r\n"
            "Accept: */*\r\n"
            "Cache-Control: max-age=259200\r\n"
            "Content-Type: application/x-www-form-urlencoded\r\n"
            f"Content-Length: {len(body)}\r\n"
            f"X-Twilio-Signature: {self.signature}\r\n"
            "Connection: close\r\n\r\n"
        )
        return head.encode() + body


@dataclass(frozen=True)
class Caller:
    call_sid: str
    number: str
    language_key: str


def twilio_form(caller: Caller, status: str, **extra: str) -> dict[str, str]:
    """The fields Twilio posts to a voice webhook (empty ones included: they are signed too)."""
    number = caller.number
    form = {"AccountSid": ACCOUNT_SID, "ApiVersion": "2010-04-01", "CallSid": caller.call_sid}
    form |= {"CallStatus": status, "Direction": "inbound", "From": number, "To": HOTLINE_NUMBER}
    form |= {"Called": HOTLINE_NUMBER, "Caller": number}
    for party in ("Called", "Caller", "From", "To"):
        form |= {f"{party}City": "", f"{party}State": "", f"{party}Zip": ""}
        form[f"{party}Country"] = "FR"
    return form | extra


def walk(
    caller: Caller,
    base_url: str,
    token: str,
    keys: Sequence[str | None] = AFTER_LANGUAGE,
    *,
    hang_up: bool = True,
) -> list[SignedRequest]:
    """One call: dial in, choose the language, press ``keys``, then (optionally) hang up."""
    validator = RequestValidator(token)

    def signed(path: str, form: dict[str, str], expect: bytes) -> SignedRequest:
        signature = validator.compute_signature(base_url + path, form)
        return SignedRequest(path, tuple(form.items()), signature, expect)

    requests = [signed("/voice/incoming", twilio_form(caller, "ringing"), LISTENS)]
    # Each <Gather> action carries the call's step number (?n=), as the hotline's TwiML says.
    for step, key in enumerate((caller.language_key, *keys)):
        pressed = {} if key is None else {"Digits": key, "FinishedOnKey": ""}
        form = twilio_form(caller, "in-progress", **pressed)
        requests.append(signed(f"/voice/step?n={step}", form, LISTENS))
    if hang_up:
        done = twilio_form(caller, "completed", CallDuration="95")
        requests.append(signed("/voice/status", done, TWIML))
    return requests


def callers(count: int, seed: int) -> list[Caller]:
    """``count`` distinct callers on French mobiles, half choosing French (1), half English (2)."""
    rng = random.Random(seed)
    numbers = rng.sample(range(10**8), count)
    return [
        Caller(f"CA{rng.getrandbits(128):032x}", f"+336{n:08d}", "1" if i % 2 == 0 else "2")
        for i, n in enumerate(numbers)
    ]


def prepare(requests: Sequence[SignedRequest], host: str) -> list[tuple[bytes, bytes]]:
    """A call as the load generator uses it: (bytes to send, marker the answer must contain)."""
    return [(r.http(host), r.expect) for r in requests]
