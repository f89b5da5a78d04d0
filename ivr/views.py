"""The voice webhooks: parse Twilio's form, ask the call service, answer TwiML.

Whatever goes wrong behind them (Redis down, a bug), the caller hears the essentials and
"call back later" instead of Twilio's "application error".
"""

from __future__ import annotations

import logging
from datetime import date

from flask import Blueprint, Response, request
from redis.exceptions import RedisError

from hotline.parts import part
from hotline.settings import Settings
from hotline.twilio_fields import for_log
from hotline.twilio_request import twilio_signed
from ivr import twiml
from ivr.calls import CallRequest, CallService, Reply
from ivr.flow import Flow, Prompt
from ivr.speech import DateVoice, Speaker, Utterance

log = logging.getLogger(__name__)
bp = Blueprint("voice", __name__, url_prefix="/voice")
#: Where every <Gather> posts the keys (and its <Redirect> the silence): the `step` view below.
STEP_PATH = "/voice/step"


def _call() -> CallRequest:
    call = CallRequest.from_form(request.form, part(Settings).secret_key, request.args)
    if call.invalid:
        # Signed, yet not what Twilio sends: say so in the log (field names only, never the
        # number), and never serve it as a new call at every key.
        log.warning(
            "voice request to %s refused: invalid %s",
            for_log(request.path),
            ", ".join(call.invalid),
        )
    return call


def _xml(document: str) -> Response:
    return Response(document, mimetype="text/xml")


def voice(speaker: Speaker, dates: DateVoice, prompt: Prompt) -> list[Utterance]:
    """A prompt as heard; a date the caller typed follows it, composed from date clips."""
    heard = [speaker.utter(prompt)]
    typed = dict(prompt.params).get("date")
    if typed:
        heard += dates.spoken_date(date.fromisoformat(typed), prompt.lang)
    return heard


def _origin() -> str:
    """The origin Twilio called, for absolute <Play> URLs when PUBLIC_BASE_URL is unset (the
    audio library already prefixes it when set)."""
    return request.host_url.rstrip("/")


def render(reply: Reply) -> Response:
    turn = reply.turn
    speaker, dates = part(Speaker), part(DateVoice)  # type: ignore[type-abstract]
    utterances = [u for prompt in turn.prompts for u in voice(speaker, dates, prompt)]
    if turn.listen:
        # The step number rides in the signed URL: Twilio posts it back, nobody can change it.
        action = f"{request.script_root}{STEP_PATH}?n={reply.step}"
        return _xml(
            twiml.listen(
                utterances,
                action,
                num_digits=turn.num_digits,
                timeout=turn.timeout,
                origin=_origin(),
                finish_key=turn.finish_key,
            )
        )
    return _xml(twiml.hang_up(utterances, origin=_origin()))


@bp.post("/incoming")
@twilio_signed
def incoming() -> Response:
    """A call comes in."""
    call = _call()
    if call.invalid:
        return outage_response()
    return render(part(CallService).incoming(call))


@bp.post("/step")
@twilio_signed
def step() -> Response:
    """The caller pressed a key, or stayed silent."""
    call = _call()
    if call.invalid:
        return outage_response()
    return render(part(CallService).answer(call))


@bp.post("/status")
@twilio_signed
def status() -> Response:
    """Twilio reports the call's status; an ended call's state is deleted."""
    call = _call()
    if call.invalid:
        return Response(twiml.empty(), status=400, mimetype="text/xml")
    part(CallService).status(call)
    return _xml(twiml.empty())


def outage_response() -> Response:
    """The essentials in French and English, then goodbye: needs neither Redis nor state."""
    prompts = [Prompt("voice.outage.info", lang) for lang in part(Flow).before_choice]
    return _xml(twiml.hang_up((part(Speaker).utter(p) for p in prompts), origin=_origin()))


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
