"""The recording line's webhooks, /voice/studio and its steps: signed like every webhook, thin.

/voice/studio is "a call comes in" for the recording number. Every <Gather> is followed by a
<Redirect> (silence reaches the step as a request without Digits), and a <Record> by a Redirect
back to the prompt (Twilio skips the action when it heard nothing).
"""

from __future__ import annotations

import logging
import re

from flask import Blueprint, Response, request
from redis.exceptions import RedisError
from twilio.twiml.voice_response import Gather, VoiceResponse

from audio.studio import Studio, StudioTurn
from hotline.parts import part
from hotline.settings import Settings
from hotline.twilio_fields import RECORDING_SID, RECORDING_URL, valid
from hotline.twilio_request import twilio_signed, webhook_origin
from ivr.calls import CallRequest
from ivr.twiml import GATHER_TIMEOUT, add_utterances

log = logging.getLogger(__name__)
bp = Blueprint("studio", __name__, url_prefix="/voice/studio")
_TAKE = re.compile(r"[0-9a-f]{16}")
#: Seconds of silence that end a take (Twilio's default is 5: a volunteer may pause to read).
RECORD_SILENCE = 6


def studio_twiml(turn: StudioTurn, origin: str) -> str:
    """The TwiML of a turn; ``origin`` makes the callback URLs absolute."""
    response = VoiceResponse()
    parent: VoiceResponse | Gather = response
    if turn.listen:
        parent = Gather(
            action=origin + turn.listen.action,
            method="POST",
            num_digits=turn.listen.num_digits,
            finish_on_key=turn.listen.finish_on_key,
            timeout=GATHER_TIMEOUT,
        )
    add_utterances(parent, turn.utterances, origin)
    if turn.listen:
        response.append(parent)
        response.redirect(origin + turn.listen.action, method="POST")
    if turn.record:
        response.record(
            action=origin + turn.record.action,
            method="POST",
            finish_on_key="#",
            max_length=turn.record.max_length,
            timeout=RECORD_SILENCE,
            play_beep=True,
            recording_status_callback=origin + turn.record.callback,
            recording_status_callback_method="POST",
        )
    if turn.redirect:
        response.redirect(origin + turn.redirect, method="POST")
    if turn.hang_up:
        response.hangup()
    return str(response)


def _reply(turn: StudioTurn) -> Response:
    origin = webhook_origin(request, part(Settings).public_base_url)
    return Response(studio_twiml(turn, origin), mimetype="text/xml")


def _call() -> CallRequest | None:
    call = CallRequest.from_form(request.form, part(Settings).secret_key)
    return None if call.invalid or call.call_sid is None else call


def _take() -> str | None:
    return valid(_TAKE, request.args.get("take"))


def _refused() -> Response:
    """Signed, yet not what Twilio sends: no call is served on it."""
    return Response(str(VoiceResponse()), status=400, mimetype="text/xml")


@bp.post("")
@twilio_signed
def incoming() -> Response:
    """A volunteer calls the recording number: ask for the code."""
    call = _call()
    if call is None:
        return _refused()
    return _reply(part(Studio).start(call.caller))


@bp.post("/code")
@twilio_signed
def code() -> Response:
    """The code typed (or silence)."""
    call = _call()
    if call is None:
        return _refused()
    digits = request.form.get("Digits") or None
    turn = part(Studio).code(call.call_sid, call.caller, digits, call.number)
    return _reply(turn)


@bp.post("/prompt")
@twilio_signed
def prompt() -> Response:
    """The current prompt again (Twilio heard nothing in the take)."""
    call = _call()
    if call is None:
        return _refused()
    return _reply(part(Studio).prompt(call.call_sid, None))


@bp.post("/recorded")
@twilio_signed
def recorded() -> Response:
    """The take ended: hear it back."""
    call, take = _call(), _take()
    if call is None or take is None:
        return _refused()
    url = valid(RECORDING_URL, request.form.get("RecordingUrl"))  # played back: Twilio's only
    turn = part(Studio).recorded(call.call_sid, take, request.form.get("Digits"), url)
    return _reply(turn)


@bp.post("/review")
@twilio_signed
def review() -> Response:
    """Keep, again, skip, the one before, the French again."""
    call, take = _call(), _take()
    if call is None or take is None:
        return _refused()
    return _reply(part(Studio).review(call.call_sid, take, call.digits, call.number))


@bp.post("/recording")
@twilio_signed
def recording() -> Response:
    """Twilio's recording-status callback: the take's file is ready (or failed)."""
    take = _take()
    sid = valid(RECORDING_SID, request.form.get("RecordingSid"))
    url = valid(RECORDING_URL, request.form.get("RecordingUrl"))
    status = request.form.get("RecordingStatus", "")
    if take is None or sid is None or url is None:
        return Response("", status=400)
    part(Studio).recording_status(take, sid, url, status)
    return Response(str(VoiceResponse()), mimetype="text/xml")


@bp.errorhandler(RedisError)
def redis_down(error: Exception) -> Response:
    """Hang up (the volunteer calls again later; what was kept is kept)."""
    if isinstance(error, RedisError):
        log.error("Redis unavailable on the recording line: %s", error)
    response = VoiceResponse()
    response.hangup()
    return Response(str(response), mimetype="text/xml")


@bp.errorhandler(Exception)
def unexpected(error: Exception) -> Response:
    """A volunteer hears goodbye, never Twilio's "application error"; HTTP answers stay."""
    if hasattr(error, "code") and isinstance(error.code, int) and error.code < 500:
        return error  # type: ignore[return-value]  # 403, 405...
    log.exception("unexpected error on the recording line")
    return redis_down(error)
