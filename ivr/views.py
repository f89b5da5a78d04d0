"""The voice webhooks: parse Twilio's form, ask the call service, answer TwiML.

Whatever goes wrong behind them (Redis down, a bug), the caller hears the essentials and
"call back later" instead of Twilio's "application error".
"""

from __future__ import annotations

import logging
import re
from datetime import date

import phonenumbers
from flask import Blueprint, Response, abort, current_app, request
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
_REMINDER_CALL_ID = re.compile(r"^call-[0-9a-f]{32}$")


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


def render(hotline, turn: Turn) -> Response:
    utterances = [u for prompt in turn.prompts for u in voice(hotline, prompt)]
    if turn.listen:
        action = request.script_root + STEP_PATH
        return _xml(twiml.listen(utterances, action, num_digits=turn.digits))
    return _xml(twiml.hang_up(utterances))


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


@bp.post("/reminder/<call_id>")
@twilio_signed
def reminder(call_id: str) -> Response:
    """A reminder call the hotline placed was answered, by a person or a machine."""
    hotline = _hotline()
    if not _REMINDER_CALL_ID.match(call_id):
        abort(404)
    answer = hotline.calls.reminder(_call(hotline), call_id)
    if answer is None:
        return _xml(twiml.hang_up([]))
    if isinstance(answer, str):
        return _xml(twiml.hang_up(voicemail(hotline, answer)))
    return render(hotline, answer)


@bp.post("/reminder/<call_id>/status")
@twilio_signed
def reminder_status(call_id: str) -> Response:
    """Twilio reports a reminder call's progress: answered, or a try to retry."""
    hotline = _hotline()
    if not _REMINDER_CALL_ID.match(call_id):
        abort(404)
    call = _call(hotline)
    hotline.reminders.call_status(
        call_id, call.call_sid or "", (call.status or "").lower(), hotline.clock.now()
    )
    hotline.calls.status(call)
    return _xml(twiml.empty())


def voicemail(hotline, lang: str) -> list[Utterance]:
    """What a voicemail records: who called and the number to call back, nothing personal (a
    voicemail is heard by whoever shares the phone)."""
    heard = [hotline.speaker.utter(Prompt("voice.reminder_call.voicemail", lang))]
    number = hotline.settings.call_from
    if number:
        national = phonenumbers.format_number(
            phonenumbers.parse(number), phonenumbers.PhoneNumberFormat.NATIONAL
        )
        heard += hotline.dates.spoken_digits("".join(filter(str.isdigit, national)), lang, 2)
    return heard


def outage_response() -> Response:
    """The essentials in French and English, then goodbye: needs neither Redis nor state."""
    hotline = _hotline()
    prompts = [Prompt("voice.outage.info", lang) for lang in hotline.flow.before_choice]
    return _xml(twiml.hang_up(hotline.speaker.utter(p) for p in prompts))


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
