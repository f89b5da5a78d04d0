"""Every event the hotline counts, with its labels: one table, read by the Redis buckets, the
Prometheus counters and the console alike.

An event is counted, never stored: its labels are small closed sets (a language code, a menu
node, a status, a Twilio error code), never a number, a caller key or a person's date.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

#: name -> (label names, what one count means). Prometheus exposes each as hotline_<name>_total.
EVENTS: dict[str, tuple[tuple[str, ...], str]] = {
    "call_started": ((), "a call came in"),
    "call_reached": (("place",), "a call reached a menu node or a step of a walk (once per call)"),
    "call_missed": (("node", "kind"), "silence or a wrong key on a node"),
    "call_ended": (("lang", "how"), "a call ended, by its language and how"),
    "call_left": (("node",), "the node a call was on when it ended"),
    "call_length": (("le",), "a call's duration, by the upper bound of its bucket in seconds"),
    "sms_received": (("command", "lang"), "an SMS came in, by keyword (unknown: not understood)"),
    "sms_outbound": (("purpose", "status"), "an outbound SMS moved to a status"),
    "sms_failed": (("code", "reason"), "an outbound SMS failed for good, by Twilio error code"),
    "reminder_registered": (("channel", "lang"), "a reminder registration was made"),
    "reminder_sent": (("channel",), "a reminder was handed to its channel"),
    "reminder_failed": (("reason",), "a reminder or reply could not be delivered"),
    "reminder_erased": (("reason",), "a registration was erased (stop, opt_out, retention...)"),
}

#: Call lengths are counted in these buckets (seconds; the last is "longer").
LENGTH_BUCKETS = (15, 30, 60, 90, 120, 180, 300, 600, 1200)
LONGER = "inf"
SEPARATOR = "|"


@dataclass(frozen=True)
class Event:
    name: str
    labels: tuple[str, ...] = ()

    def __post_init__(self):
        names, _ = EVENTS[self.name]
        if len(names) != len(self.labels):
            raise ValueError(f"{self.name} takes labels {names}, not {self.labels}")

    @functools.cached_property
    def field(self) -> str:
        """Its field in a bucket hash: ``name|label|label``."""
        return SEPARATOR.join((self.name, *self.labels))

    @classmethod
    def parse(cls, field: str) -> Event | None:
        """The event a stored field counts (None for a field no longer in the table)."""
        name, *labels = field.split(SEPARATOR)
        if name not in EVENTS or len(labels) != len(EVENTS[name][0]):
            return None
        return cls(name, tuple(labels))


def event(name: str, *labels: object) -> Event:
    # "|" would split a label in two; labels are codes, so it never occurs but is replaced anyway.
    return _event(name, tuple(str(label).replace(SEPARATOR, "/") for label in labels))


@functools.lru_cache(maxsize=4096)
def _event(name: str, labels: tuple[str, ...]) -> Event:
    """One object per event: every webhook counts a few, from small closed sets of labels, so
    each is checked, hashed and joined into its field once (a few µs a turn otherwise)."""
    return Event(name, labels)


def length_bucket(seconds: int) -> str:
    """The bucket a call of ``seconds`` is counted in."""
    return next((str(b) for b in LENGTH_BUCKETS if seconds <= b), LONGER)
