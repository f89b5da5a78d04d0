"""The same events as Prometheus counters (prometheus_client), one per event name.

Under gunicorn and RQ, several processes count: with PROMETHEUS_MULTIPROC_DIR set, each process
writes its counts to files there and /metrics sums them per scrape (console.metrics). The
metrics are module-level objects because prometheus_client registers each name once per
process; they hold counts only, so defining them at import does nothing outside this process.
"""

from __future__ import annotations

from prometheus_client import Counter, Histogram

from insights.events import EVENTS, LENGTH_BUCKETS, Event

COUNTERS: dict[str, Counter] = {
    name: Counter(f"hotline_{name}", description, labels)
    for name, (labels, description) in EVENTS.items()
}
CALL_DURATION = Histogram(
    "hotline_call_duration_seconds",
    "how long calls lasted (Twilio's CallDuration)",
    buckets=(*LENGTH_BUCKETS, float("inf")),
)


#: Each event's labelled counter, looked up once (``labels()`` checks its arguments every time).
_CHILDREN: dict[Event, Counter] = {}


def count(events: list[Event]) -> None:
    for e in events:
        child = _CHILDREN.get(e)
        if child is None:
            counter = COUNTERS[e.name]
            child = _CHILDREN[e] = counter.labels(*e.labels) if e.labels else counter
        child.inc()


def observe_call_duration(seconds: int) -> None:
    CALL_DURATION.observe(seconds)
