"""TwiML documents, built only through ``twilio.twiml`` by pure functions of what is to be said.

Every ``<Gather>`` is followed by a ``<Redirect>`` to the same action: when the caller presses
nothing, Twilio does not call the action but runs the next verb, so silence reaches the flow as a
request without Digits instead of a hang-up.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable

from twilio.twiml.voice_response import Gather, VoiceResponse

from ivr.speech import Play, Utterance

#: Seconds Twilio waits for a key after the prompts end; longer than its 5 s default, for
#: callers who need time to find the key.
GATHER_TIMEOUT = 8


def add_utterances(
    parent: VoiceResponse | Gather, utterances: Iterable[Utterance], origin: str
) -> None:
    """Append each utterance to ``parent``: a recording as <Play> (its path made absolute on
    ``origin``), else <Say> in its language's voice.

    Public because every phone line speaks this way: the recording line (audio.studio_views)
    builds its own documents (<Record>, a longer <Gather>) but must play and say prompts exactly
    as callers hear them, so that rule lives here once.
    """
    for u in utterances:
        if isinstance(u, Play):
            # Twilio documents <Play> as taking a URL, relative only for action and <Redirect>:
            # a path is made absolute on the origin Twilio called.
            parent.play(origin + u.url if u.url.startswith("/") else u.url)
        else:
            attrs = {k: v for k, v in (("language", u.language), ("voice", u.voice)) if v}
            parent.say(u.text, **attrs)


def listen(
    utterances: Iterable[Utterance],
    action: str,
    *,
    num_digits: int = 1,
    timeout: int | None = None,
    origin: str = "",
    finish_key: str | None = None,
) -> str:
    """Say the utterances while listening for keys, then post them (or silence) to action;
    wait ``timeout`` seconds for a key after the prompts (GATHER_TIMEOUT unless given).
    ``origin`` (scheme and host, e.g. https://hotline.example) makes every <Play> URL absolute.

    With ``finish_key`` (a multi-digit entry), that key ends the entry at once, digits typed or
    not, and is never collected: Twilio posts it as FinishedOnKey, and posts even an empty entry
    (actionOnEmptyResult), so "back" before any digit reaches the flow too.
    """
    wait = timeout or GATHER_TIMEOUT
    return _listen(tuple(utterances), action, num_digits, wait, origin, finish_key)


def hang_up(utterances: Iterable[Utterance], *, origin: str = "") -> str:
    """Say the utterances, then end the call."""
    return _hang_up(tuple(utterances), origin)


# The menus produce a few dozen distinct documents per language: each is built once. (Building
# one with twilio.twiml costs about as much as the rest of a webhook.)
@functools.lru_cache(maxsize=2048)
def _listen(
    utterances: tuple[Utterance, ...],
    action: str,
    num_digits: int,
    timeout: int,
    origin: str,
    finish_key: str | None,
) -> str:
    response = VoiceResponse()
    entry = {} if finish_key is None else {"finish_on_key": finish_key}
    if finish_key is not None:
        entry["action_on_empty_result"] = True
    gather = Gather(action=action, method="POST", num_digits=num_digits, timeout=timeout, **entry)
    add_utterances(gather, utterances, origin)
    response.append(gather)
    response.redirect(action, method="POST")
    return str(response)


@functools.lru_cache(maxsize=256)
def _hang_up(utterances: tuple[Utterance, ...], origin: str) -> str:
    response = VoiceResponse()
    add_utterances(response, utterances, origin)
    response.hangup()
    return str(response)


def empty() -> str:
    """The answer to a status callback: nothing to do."""
    return str(VoiceResponse())
