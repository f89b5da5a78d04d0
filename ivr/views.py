"""The voice webhooks: parse Twilio's form, ask the call service, answer TwiML.

Whatever goes wrong behind them (Redis down, a bug), the caller hears the essentials and
"call back later" instead of Twilio's "application error".
"""

from __future__ import annotations

import logging
import re
from datetime import date

import phonenumbers
from flask import Blueprint, Response, abort, request
from redis.exceptions import RedisError

from hotline.clock import Clock
from hotline.parts import part
from hotline.settings import Settings
from hotline.twilio_fields import for_log
from hotline.twilio_request import twilio_signed, webhook_origin
from ivr import twiml
from ivr.calls import CallRequest, CallService, Reply
from ivr.flow import Flow, Prompt
from ivr.menu import NEUTRAL_PROMPT
from ivr.speech import DateVoice, Speaker, Utterance
from reminders.service import ReminderService

log = logging.getLogger(__name__)
bp = Blueprint("voice", __name__, url_prefix="/voice")
#: Where every <Gather> posts the keys (and its <Redirect> the silence): the `step` view below.
STEP_PATH = "/voice/step"
_REMINDER_CALL_ID = re.compile(r"^call-[0-9a-f]{32}$")


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
    """A prompt as heard; a date the caller typed follows it, composed from date clips; the
    neutral message of a reminder call is followed by the number to call back."""
    heard = [speaker.utter(prompt)]
    typed = dict(prompt.params).get("date")
    if typed:
        heard += dates.spoken_date(date.fromisoformat(typed), prompt.lang)
    if prompt.key == NEUTRAL_PROMPT:
        heard += callback_number(dates, prompt.lang)
    return heard


def _origin() -> str:
    """Where Twilio reaches the hotline (PUBLIC_BASE_URL behind a proxy, else the origin it
    called): <Gather> actions and <Play> paths are made absolute on the origin the signature
    check reads, so what Twilio is told to fetch and what it signs cannot drift apart."""
    return webhook_origin(request, part(Settings).public_base_url)


def render(reply: Reply) -> Response:
    turn = reply.turn
    speaker, dates = part(Speaker), part(DateVoice)  # type: ignore[type-abstract]
    utterances = [u for prompt in turn.prompts for u in voice(speaker, dates, prompt)]
    if turn.listen:
        # The step number rides in the signed URL: Twilio posts it back, nobody can change it.
        # Absolute, on the origin Twilio called (as the recording line's actions are): a
        # Twilio-compatible platform need not resolve a relative action as Twilio does.
        origin = _origin()
        action = f"{origin}{STEP_PATH}?n={reply.step}"
        return _xml(
            twiml.listen(
                utterances,
                action,
                num_digits=turn.num_digits,
                timeout=turn.timeout,
                origin=origin,
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


@bp.post("/reminder/<call_id>")
@twilio_signed
def reminder(call_id: str) -> Response:
    """A reminder call the hotline placed was answered, by a person or a machine."""
    if not _REMINDER_CALL_ID.match(call_id):
        abort(404)
    answer = part(CallService).reminder(_call(), call_id)
    if answer is None:
        return _xml(twiml.hang_up([]))
    if isinstance(answer, str):
        return _xml(twiml.hang_up(voicemail(answer)))
    return render(answer)


@bp.post("/reminder/<call_id>/status")
@twilio_signed
def reminder_status(call_id: str) -> Response:
    """Twilio reports a reminder call's progress: answered, or a try to retry."""
    if not _REMINDER_CALL_ID.match(call_id):
        abort(404)
    call = _call()
    status = (call.status or "").lower()
    part(ReminderService).call_status(call_id, call.call_sid or "", status, part(Clock).now())
    part(CallService).status(call)
    return _xml(twiml.empty())


def voicemail(lang: str) -> list[Utterance]:
    """What a voicemail records: who called and the number to call back, nothing personal (a
    voicemail is heard by whoever shares the phone)."""
    dates = part(DateVoice)  # type: ignore[type-abstract]
    return voice(part(Speaker), dates, Prompt(NEUTRAL_PROMPT, lang))


def callback_number(dates: DateVoice, lang: str) -> list[Utterance]:
    """The hotline's number, in pairs of digits from the digit clips."""
    number = part(Settings).call_from
    if not number:
        return []
    national = phonenumbers.format_number(
        phonenumbers.parse(number), phonenumbers.PhoneNumberFormat.NATIONAL
    )
    return dates.spoken_digits("".join(filter(str.isdigit, national)), lang, 2)


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
