"""The floor under any hotline webhook: the work every signed, stateful answer must do, no more.

Between the bare app (bench/bare_app.py: a constant answer, the request unread) and the
hotline lies the hotline's own work. Part of it no design can remove: the body read in time,
Twilio's form parsed and its signature checked, the call's state read and written in Redis,
one log line, an answer. This app does exactly that, with the hotline's own pieces
(hotline.request_body, hotline.twilio_request, hotline.request_log, wiring.connections), and
answers the bare app's constant TwiML. ``round_trips`` Lua scripts of a turn's size stand for
the state: the hotline makes two per key press (ivr.call_store: take the step and read the
state, then save it with the turn's counts).

``bench.wrk --apps hotline,bare,floor-2,floor-1`` runs it under the Procfile's gunicorn command:
its ratio to the bare app is the most the hotline could reach with that many round trips, on
this machine, however lean its flow, TwiML and counters. A benchmark-only module.
"""

from __future__ import annotations

from flask import Flask, Response, abort, request

from bench.bare_app import TWIML
from hotline import request_log
from hotline.logs import setup_logging
from hotline.request_body import guard_bodies
from hotline.settings import Settings
from hotline.twilio_request import is_signed
from wiring.connections import connect_redis
from wiring.settings import settings_or_exit

#: A turn's script: read the call's state and write it back, as take_step and save do.
_TURN = """
local state = redis.call('GET', KEYS[1])
redis.call('SET', KEYS[1], ARGV[1], 'EX', 14400)
return state
"""
#: About the size of an encoded call state (ivr.call_store.encode).
_STATE = "x" * 160


def create_app(round_trips: int = 2, settings: Settings | None = None) -> Flask:
    """The floor app making ``round_trips`` Redis round trips per signed request (gunicorn's
    app factory: ``bench.floor_app:create_app(1)``)."""
    settings = settings or settings_or_exit()
    setup_logging(json_lines=not settings.development)
    redis = connect_redis(settings)
    turn = redis.register_script(_TURN)
    app = Flask(__name__)
    guard_bodies(app)
    request_log.init_app(app)

    @app.get("/")
    def ready() -> Response:
        return Response(TWIML, mimetype="text/xml")

    @app.post("/<path:path>")
    def webhook(path: str) -> Response:
        if not is_signed(request, settings.twilio_auth_token, settings.public_base_url):
            abort(403)
        key = f"bench:floor:{request.form.get('CallSid', '')}"
        for _ in range(round_trips):
            turn(keys=[key], args=[_STATE])
        return Response(TWIML, mimetype="text/xml")

    return app
