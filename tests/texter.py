"""Someone who texts the hotline: signed POSTs to /sms/incoming with Twilio's real fields,
reading the replies out of the TwiML."""

from __future__ import annotations

import random
import uuid
import xml.etree.ElementTree as ET
from dataclasses import dataclass

import requests
from twilio.request_validator import RequestValidator


@dataclass
class Replies:
    status: int
    texts: list[str]


class Texter:
    def __init__(self, base_url: str, auth_token: str, number: str | None = None):
        self.base_url = base_url.rstrip("/")
        self.validator = RequestValidator(auth_token)
        self.number = number or f"+3361{random.randrange(10**7):07d}"  # always a French mobile
        self.session = requests.Session()
        self.last_form: dict[str, str] | None = None

    def form(self, body: str) -> dict[str, str]:
        sid = "SM" + uuid.uuid4().hex
        return {
            "AccountSid": "AC" + "0" * 32,
            "ApiVersion": "2010-04-01",
            "Body": body,
            "From": self.number,
            "FromCountry": "FR",
            "MessageSid": sid,
            "NumMedia": "0",
            "NumSegments": "1",
            "SmsMessageSid": sid,
            "SmsSid": sid,
            "SmsStatus": "received",
            "To": "+33100000000",
            "ToCountry": "FR",
        }

    def text(self, body: str, *, sign: bool = True) -> Replies:
        return self.post(self.form(body), sign=sign)

    def resend(self) -> Replies:
        """The last message's webhook again, byte for byte (a replay, or Twilio's fallback)."""
        assert self.last_form is not None, "nothing was sent yet"
        return self.post(self.last_form)

    def post(self, form: dict[str, str], *, sign: bool = True) -> Replies:
        url = self.base_url + "/sms/incoming"
        self.last_form = form
        headers = (
            {"X-Twilio-Signature": self.validator.compute_signature(url, form)} if sign else {}
        )
        response = self.session.post(url, data=form, headers=headers, timeout=10)
        if response.status_code != 200:
            return Replies(response.status_code, [])
        root = ET.fromstring(response.text)
        assert root.tag == "Response"
        return Replies(200, [m.findtext("Body") or m.text or "" for m in root.iter("Message")])
