"""POST /sms/incoming: a text comes in; the replies go back as TwiML <Message>s."""

from __future__ import annotations

import logging

from flask import Blueprint, Response, request
from redis.exceptions import RedisError
from twilio.twiml.messaging_response import MessagingResponse

from content.catalog import FALLBACK_LANGUAGES, Content
from hotline.clock import Clock
from hotline.parts import part
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
    inbound = Inbound(
        number=request.form.get("From"),
        body=request.form.get("Body", ""),
        now=part(Clock).now(),
    )
    return messages(part(SmsConversation).reply(inbound))


@bp.errorhandler(RedisError)
def redis_down(error: RedisError) -> Response:
    """Without Redis nothing can be registered, but the person still gets the help text."""
    log.error("Redis unavailable for an SMS: %s", error)
    content = part(Content)
    return messages([content.text("sms.help", lang) for lang in FALLBACK_LANGUAGES])
