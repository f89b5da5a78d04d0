"""GET /simulator: try the hotline in a browser (development mode only; 404 otherwise).

The page (static/) plays the caller and the texter. It posts what Twilio would to
``/simulator/relay``, which signs and forwards it to the real webhooks (simulator.relay); it
reads the local outbox from GET /sms/outbox; and it moves the shared clock through
``/simulator/clock`` so that reminders come due.
"""

from __future__ import annotations

import logging
from datetime import date

from flask import Blueprint, Response, abort, current_app, jsonify, request
from redis import Redis

from hotline.clock import Clock, SharedClock
from hotline.parts import part
from hotline.settings import Settings
from reminders.dialer import read_rings, take_ring
from reminders.service import ReminderService
from simulator import clock_control
from simulator.clock_control import ClockRefused
from simulator.relay import AudioTexts, RelayRefused, WebhookRequest, forward

log = logging.getLogger(__name__)
bp = Blueprint("simulator", __name__, url_prefix="/simulator", static_folder="static")


@bp.before_request
def development_only() -> None:
    # Registered only in development (app.py); checked again so that it can never serve else.
    if not part(Settings).development:
        abort(404)


@bp.get("")
def page() -> Response:
    """The simulator page."""
    response = bp.send_static_file("index.html")
    response.cache_control.no_cache = True
    return response


@bp.post("/relay")
def relay() -> Response | tuple[Response, int]:
    """Sign what the page would have Twilio post, and answer with the webhook's reply."""
    # get_json refuses anything but application/json (415): a form on another site cannot
    # post here without the browser asking this server first, which it never allows.
    try:
        webhook = WebhookRequest.from_json(request.get_json())
    except RelayRefused as refused:
        return jsonify(error=str(refused)), 403
    settings = part(Settings)
    origin = settings.public_base_url or request.host_url
    answer = forward(
        current_app._get_current_object(),  # type: ignore[attr-defined]
        webhook,
        origin=origin,
        auth_token=settings.twilio_auth_token,
    )
    texts = part(AudioTexts)
    return jsonify(
        status=answer.status,
        contentType=answer.content_type,
        body=answer.body,
        plays=texts.of_twiml(answer.body),
    )


@bp.get("/rings")
def rings() -> Response:
    """Reminder calls placed to the simulator's phone (no Twilio account), newest first."""
    response = jsonify(rings=read_rings(part(Redis)))
    response.cache_control.no_store = True
    return response


@bp.post("/rings/<sid>/taken")
def ring_taken(sid: str) -> Response:
    """The page answered, declined or let a ringing call go: it rings no more."""
    return jsonify(taken=take_ring(part(Redis), sid))


def _shared_clock() -> SharedClock:
    clock = part(Clock)
    if not isinstance(clock, SharedClock):
        abort(409, "this app was given its own clock; it cannot be moved from here")
    return clock


@bp.get("/clock")
def clock_state() -> Response:
    """The hotline's time and how far it is shifted."""
    return jsonify(clock_control.state(_shared_clock()))


@bp.post("/clock")
def move_clock() -> Response | tuple[Response, int]:
    """Move the shared clock ({"days": n}, {"date": "YYYY-MM-DD"} or {"reset": true}), then send
    what is due at the new time."""
    clock = _shared_clock()
    data = request.get_json()
    if not isinstance(data, dict):
        return jsonify(error="send a JSON object"), 400
    try:
        if data.get("reset"):
            offset = clock_control.shift_for(clock)
        elif "days" in data:
            days = data["days"]
            if not isinstance(days, int) or isinstance(days, bool):
                raise ClockRefused("days must be a whole number")
            offset = clock_control.shift_for(clock, days=days)
        elif "date" in data:
            try:
                day = date.fromisoformat(str(data["date"]))
            except ValueError as error:
                raise ClockRefused("date must be YYYY-MM-DD") from error
            offset = clock_control.shift_for(
                clock, day=day, at=part(Settings).reminder_policy.send_at
            )
        else:
            raise ClockRefused("say days, date or reset")
    except ClockRefused as refused:
        return jsonify(error=str(refused)), 400
    clock.set_shift(offset)
    now = clock.now()
    sent = part(ReminderService).send_all_due(now)  # as the reminder job does
    log.info("simulator: clock moved to %s; reminders: %s", now.isoformat(), sent or "none due")
    return jsonify(**clock_control.state(clock), reminders=sent)
