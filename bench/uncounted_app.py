"""The hotline without the console's counters: the "before" of issue 15's 5% budget.

The same app as the Procfile serves (``app:app``), built the same way, except that a call's
turns produce no events to count: the state is saved by the same one-round-trip script, with
nothing to count in it, and nothing goes to Prometheus. ``bench.wrk`` runs it under the same
gunicorn command as the hotline, so the difference between the two is what counting costs a
webhook. A benchmark-only module: nothing in production imports it.
"""

from __future__ import annotations

from insights.tally import Tally
from ivr import funnel
from wiring.web import create_app


def _nothing_to_count(*args: object) -> tuple[list, list]:
    return [], []


funnel.turn_events = _nothing_to_count  # ivr.calls reads it through the module, at each turn
funnel.end_events = lambda *args: []
Tally.record = lambda self, events, at=None: None  # an ended call's length and ending
Tally.call_length = lambda self, seconds: None

app = create_app()
