"""GET /metrics: the counts of insights.events for Prometheus, refused without METRICS_TOKEN.

With PROMETHEUS_MULTIPROC_DIR set (gunicorn workers, RQ workers and their work horses each
write their counts there), every scrape sums the processes' files with a fresh
MultiProcessCollector, as prometheus_client's multiprocess documentation says; without it, the
counts of this process alone. The token goes in an ``Authorization: Bearer`` header.
"""

from __future__ import annotations

import hmac
import os

from flask import Blueprint, Response, abort, request
from prometheus_client import CONTENT_TYPE_LATEST, REGISTRY, CollectorRegistry, generate_latest
from prometheus_client.multiprocess import MultiProcessCollector

from hotline.parts import part
from hotline.settings import Settings

bp = Blueprint("metrics", __name__)


def registry():
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        fresh = CollectorRegistry()
        MultiProcessCollector(fresh)
        return fresh
    return REGISTRY


@bp.get("/metrics")
def metrics() -> Response:
    """The counters, for a scraper holding the token."""
    token = part(Settings).metrics_token
    sent = request.headers.get("Authorization", "").removeprefix("Bearer ").strip()
    if not token or not hmac.compare_digest(sent.encode(), token.encode()):
        abort(401 if token else 403)
    return Response(generate_latest(registry()), mimetype=CONTENT_TYPE_LATEST)
