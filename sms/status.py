"""POST /sms/status: Twilio reports what became of an outbound message (signed, TwiML answer).

Also GET /sms/outbox in development mode: the local outbox, for when there is no Twilio account.
"""

from __future__ import annotations

import logging

from flask import Blueprint, Response, abort, request
from redis import Redis
from redis.exceptions import RedisError
from twilio.twiml.messaging_response import MessagingResponse

from hotline.identity import caller_key
from hotline.parts import part
from hotline.settings import Settings
from hotline.twilio_request import twilio_signed
from sms.callbacks import StatusCallbacks, StatusReport
from sms.sender import read_outbox

log = logging.getLogger(__name__)
bp = Blueprint("sms_status", __name__, url_prefix="/sms")


def _empty_twiml(status: int = 200) -> Response:
    return Response(str(MessagingResponse()), status=status, mimetype="text/xml")


@bp.post("/status")
@twilio_signed
def status() -> Response:
    """Twilio's message status callback: record the outcome on the message."""
    part(StatusCallbacks).record(StatusReport.from_request(request.form, request.args))
    return _empty_twiml()


@bp.get("/outbox")
def outbox() -> dict:
    """The local outbox, newest first (development mode only: bodies are personal data);
    ``?to=+33...`` keeps the messages to that number only (the simulator's thread)."""
    settings = part(Settings)
    if not settings.development:
        abort(404)
    to = request.args.get("to")
    caller = caller_key(settings.secret_key, to) if to else None
    if to and caller is None:
        return {"messages": []}
    return {"messages": read_outbox(part(Redis), caller=caller)}


@bp.errorhandler(RedisError)
def redis_down(error: RedisError) -> Response | tuple[dict, int]:
    if request.endpoint == "sms_status.outbox":
        log.error("Redis unavailable for the local outbox (simulator polling): %s", error)
        return {"error": "Redis unavailable"}, 503
    # Twilio logs the failed callback in its console; no caller is waiting on this answer.
    log.error("Redis unavailable for an SMS status callback: %s", error)
    return _empty_twiml(503)
