"""The voice webhooks: parse Twilio's form, ask the call service, answer TwiML.

Whatever goes wrong behind them (Redis down, a bug), the caller hears the essentials and
"call back later" instead of Twilio's "application error".
"""

from __future__ import annotations

import logging
from datetime import date

from flask import Blueprint, Response, current_app, request
from redis.exceptions import RedisError

from hotline.twilio_request import twilio_signed
from ivr import twiml
from ivr.calls import CallRequest
from ivr.flow import Prompt, Turn
from ivr.speech import Utterance

log = logging.getLogger(__name__)
bp = Blueprint("voice", __name__, url_prefix="/voice")
#: Where every <Gather> posts the keys (and its <Redirect> the silence): the `step` view below.
STEP_PATH = "/voice/step"


def _hotline():
    return current_app.extensions["hotline"]


def _call(hotline) -> CallRequest:
    return CallRequest.from_form(request.form, hotline.settings.secret_key)


def _xml(document: str) -> Response:
    return Response(document, mimetype="text/xml")


def voice(hotline, prompt: Prompt) -> list[Utterance]:
    """A prompt as heard; a date the caller typed follows it, composed from date clips."""
    heard = [hotline.speaker.utter(prompt)]
    typed = dict(prompt.params).get("date")
    if typed:
        heard += hotline.dates.spoken_date(date.fromisoformat(typed), prompt.lang)
    return heard


def _origin() -> str:
    """The origin Twilio called, for absolute <Play> URLs when PUBLIC_BASE_URL is unset (the
    audio library already prefixes it when set)."""
    return request.host_url.rstrip("/")


def render(hotline, turn: Turn) -> Response:
    utterances = [u for prompt in turn.prompts for u in voice(hotline, prompt)]
    if turn.listen:
        action = request.script_root + STEP_PATH
        return _xml(twiml.listen(utterances, action, num_digits=turn.digits, origin=_origin()))
    return _xml(twiml.hang_up(utterances, origin=_origin()))


@bp.post("/incoming")
@twilio_signed
def incoming() -> Response:
    """A call comes in."""
    hotline = _hotline()
    return render(hotline, hotline.calls.incoming(_call(hotline)))


@bp.post("/step")
@twilio_signed
def step() -> Response:
    """The caller pressed a key, or stayed silent."""
    hotline = _hotline()
    return render(hotline, hotline.calls.answer(_call(hotline)))


@bp.post("/status")
@twilio_signed
def status() -> Response:
    """Twilio reports the call's status; an ended call's state is deleted."""
    hotline = _hotline()
    hotline.calls.status(_call(hotline))
    return _xml(twiml.empty())


def outage_response() -> Response:
    """The essentials in French and English, then goodbye: needs neither Redis nor state."""
    hotline = _hotline()
    prompts = [Prompt("voice.outage.info", lang) for lang in hotline.flow.before_choice]
    return _xml(twiml.hang_up((hotline.speaker.utter(p) for p in prompts), origin=_origin()))


@bp.errorhandler(RedisError)
def redis_down(error: RedisError) -> Response:
    log.error("Redis unavailable during a call: %s", error)
    return outage_response()


@bp.errorhandler(Exception)
def unexpected(error: Exception) -> Response:
    if hasattr(error, "code") and isinstance(error.code, int) and error.code < 500:
        return error  # type: ignore[return-value]  # 403, 405...: HTTP answers, not failures
    log.exception("unexpected error during a call")
    return outage_response()
