"""Where the hotline may send SMS: mobile numbers of the allowed countries only.

SMS pumping (toll fraud) makes a service text numbers whose operators share the fees, usually
in countries the service has no reason to reach. The hotline serves people living in France,
so by default it texts only French mobile numbers, metropolitan and overseas (SMS_ALLOWED_COUNTRIES,
ISO region codes as phonenumbers names them: +590 is GP, BL or MF, +262 is RE or YT). A landline
cannot read an SMS: sending to one only costs. Twilio's messaging geo permissions are the second
lock (docs/deploy.md).
"""

from __future__ import annotations

from collections.abc import Iterable

import phonenumbers
from phonenumbers import NumberParseException, PhoneNumberType

_MOBILE = frozenset({PhoneNumberType.MOBILE, PhoneNumberType.FIXED_LINE_OR_MOBILE})
#: Refusals that still allow a reminder call (a landline).
_CALLABLE = frozenset({None, "not_mobile"})
#: Callers whose reach is remembered in a process (about 100 bytes each; the oldest half goes).
REACH_CACHE = 4096


class Destinations:
    def __init__(self, countries: Iterable[str]):
        self.countries = frozenset(c.upper() for c in countries)
        self._reach: dict[str, tuple[bool, bool]] = {}

    def refusal(self, number: str | None) -> str | None:
        """Why this number may not get an SMS ("invalid", "country", "not_mobile"), or None."""
        try:
            parsed = phonenumbers.parse(number or "", None)
        except NumberParseException:
            return "invalid"
        if not phonenumbers.is_valid_number(parsed):
            return "invalid"
        if phonenumbers.region_code_for_number(parsed) not in self.countries:
            return "country"
        if phonenumbers.number_type(parsed) not in _MOBILE:
            return "not_mobile"
        return None

    def allows(self, number: str | None) -> bool:
        return self.refusal(number) is None

    def allows_call(self, number: str | None) -> bool:
        """A reminder call may ring a landline too, but only in the allowed countries (a call
        abroad is the same toll-fraud risk as an SMS)."""
        return self.refusal(number) in _CALLABLE

    def reach(self, number: str | None, caller: str | None) -> tuple[bool, bool]:
        """(may get an SMS, may get a reminder call), for a caller's number on every key press.

        Parsing a number costs about as much as a Redis round trip, and a call asks on each of
        its webhooks: the answer is remembered by the caller's keyed hash (never the number,
        which must not linger in memory), in a bounded table that drops its older half when
        full. Numbers are read from Twilio's signed form, so the same hash is the same number.
        """
        if caller is None:
            return self._reach_of(number)
        known = self._reach.get(caller)
        if known is None:
            if len(self._reach) >= REACH_CACHE:
                for old in list(self._reach)[: REACH_CACHE // 2]:  # dicts keep insertion order
                    self._reach.pop(old, None)
            known = self._reach[caller] = self._reach_of(number)
        return known

    def _reach_of(self, number: str | None) -> tuple[bool, bool]:
        refusal = self.refusal(number)  # one parse for both answers
        return refusal is None, refusal in _CALLABLE
