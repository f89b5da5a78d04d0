"""Request ids and one log line per web request (instead of gunicorn's access log).

The id is the router's X-Request-Id when it sends a sane one (Heroku and Scalingo do), otherwise
one made here; it is on every log line of the request (hotline.logs) and in the response's
X-Request-Id header. The line says method, path (never the query or the form: Twilio's forms
hold phone numbers), status and time. Polling is not news: the simulator's outbox and clock
polls, and a healthy /healthz, are logged at DEBUG.
"""

from __future__ import annotations

import logging
import re
import time
import uuid

from flask import Flask, Response, g, request

log = logging.getLogger("hotline.requests")

SANE_ID = re.compile(r"^[A-Za-z0-9._-]{8,200}$")
#: Endpoints polled every few seconds: DEBUG when they answer 200.
POLLED = frozenset({"sms_status.outbox", "simulator.clock_state", "health.healthz"})


def init_app(app: Flask) -> None:
    app.before_request(_start)
    app.after_request(_finish)


def _start() -> None:
    given = request.headers.get("X-Request-Id", "")
    g.request_id = given if SANE_ID.match(given) else uuid.uuid4().hex  # hotline.logs reads it
    g.request_started = time.perf_counter()


def _finish(response: Response) -> Response:
    rid = g.get("request_id")
    if rid:
        response.headers["X-Request-Id"] = rid
        took = (time.perf_counter() - g.request_started) * 1000
        quiet = request.endpoint in POLLED and response.status_code == 200
        log.log(
            logging.DEBUG if quiet else logging.INFO,
            "%s %s %d %.1f ms",
            request.method,
            request.path,
            response.status_code,
            took,
        )
    return response
