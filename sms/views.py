"""POST /sms/incoming: a text comes in; the replies go back as TwiML <Message>s."""

from __future__ import annotations

import logging

from flask import Blueprint, Response, request
from redis.exceptions import RedisError
from twilio.twiml.messaging_response import MessagingResponse

from content.catalog import FALLBACK_LANGUAGES, Content
from hotline.clock import Clock
from hotline.parts import part
from hotline.twilio_fields import SMS_FIELDS, invalid_fields
from hotline.twilio_request import twilio_signed
from sms.conversation import Inbound, SmsConversation

log = logging.getLogger(__name__)
bp = Blueprint("sms", __name__, url_prefix="/sms")


def messages(texts: list[str]) -> Response:
    response = MessagingResponse()
    for text in texts:
        response.message(text)
    return Response(str(response), mimetype="text/xml")


@bp.post("/incoming")
@twilio_signed
def incoming() -> Response:
    """Answer one incoming SMS."""
    form = request.form
    invalid = invalid_fields(form, SMS_FIELDS)
    if invalid:
        # Signed, yet not what Twilio sends: refused, logged by field name (never the number).
        log.warning("SMS webhook refused: invalid %s", ", ".join(invalid))
        return Response(str(MessagingResponse()), status=400, mimetype="text/xml")
    inbound = Inbound(
        number=form.get("From"),
        body=form.get("Body", ""),
        now=part(Clock).now(),
        message_sid=form["MessageSid"],
    )
    return messages(part(SmsConversation).reply(inbound))


@bp.errorhandler(RedisError)
def redis_down(error: RedisError) -> Response:
    """Without Redis nothing can be registered, but the person still gets the help text; a STOP
    cannot be applied either, and the reply says so and asks to send it again (nothing is kept
    to apply later: the web process has no other store that outlives it)."""
    stop = part(SmsConversation).is_stop(request.form.get("Body", ""))
    log.error("Redis unavailable for an SMS%s: %s", " (a STOP, not applied)" if stop else "", error)
    content = part(Content)
    key = "sms.stop.unavailable" if stop else "sms.help"
    return messages([content.text(key, lang) for lang in FALLBACK_LANGUAGES])
