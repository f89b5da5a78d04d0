"""Every webhook, fuzzed with signed hostile input: never a 5xx, every voice answer valid TwiML.

A valid signature only says Twilio (or whoever holds the token) sent the request; its fields can
still be anything. Hypothesis builds forms with Twilio's field names and values that are valid,
nearly valid (a SID with a newline, Unicode digits, "²", 5,000 digits) or junk, signs them like
Twilio, and posts them to a real app on a real Redis, where calls are already under way so that
steps reach the menus (and, on the recording line, volunteers record and listen back). Each
answer is checked against the TwiML Twilio accepts (verbs, nesting,
attributes and their values), as Twilio would read it.

In CI (CI=true) the examples are derandomized, so a run is repeatable; locally each run explores
new ones. The totals are printed (run with -s to see them).
"""

from __future__ import annotations

import os
import xml.etree.ElementTree as ET
from collections import Counter
from urllib.parse import parse_qs, urlencode, urlsplit

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from twilio.request_validator import RequestValidator

from tests.conftest import AUTH_TOKEN

EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "700"))
FUZZ = settings(
    max_examples=EXAMPLES,
    deadline=None,
    database=None,
    derandomize=os.environ.get("CI") == "true",
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
TALLY: Counter[str] = Counter()

CALL_SIDS = ["CA" + c * 32 for c in "abcdef"]
#: Calls on the recording line (/voice/studio); a caller line's CallSid may come there too.
STUDIO_SIDS = ["CA" + c * 32 for c in "0123"]
MESSAGE_SIDS = ["SM" + c * 32 for c in "abc"]
ACCOUNT = "AC" + "0" * 32
RECORDING = "RE" + "e" * 32
RECORDING_URL = f"https://api.twilio.com/2010-04-01/Accounts/{ACCOUNT}/Recordings/{RECORDING}"
NUMBERS = ["+33612345678", "+33700000001", "anonymous", "+266696687", "client:alice", ""]

#: Values that broke or could break a parser: Unicode digits, newlines after a valid value,
#: lone surrogates are not valid form data, so they are left out.
NASTY = [
    "²",
    "①",
    "٣٤",
    "9" * 5000,
    "CA" + "a" * 32 + "\n",
    "SM" + "a" * 32 + "\n",
    "\x00",
    "\u202e",
    "<Say>x</Say>",
    "]]>",
    "%s%n",
    " ",
    "1" * 9,
    "15032027",
    "*",
    "#",
    "0",
]


def _text(max_size: int = 40):
    return st.one_of(st.text(max_size=max_size), st.sampled_from(NASTY))


def _field(valid: list[str]):
    return st.one_of(st.sampled_from(valid), _text())


def _voice_form():
    return st.fixed_dictionaries(
        {
            "CallSid": _field(CALL_SIDS),
            "AccountSid": _field([ACCOUNT]),
            "From": _field(NUMBERS),
            "To": _field(["+33100000000"]),
            "Direction": _field(["inbound", "outbound-api"]),
        },
        optional={
            "Digits": _field([*"0123456789*#", "15032027", "1" * 8, "hangup"]),
            "CallStatus": _field(["ringing", "in-progress", "completed", "busy", "no-answer"]),
            "FinishedOnKey": _field(["", "#"]),
            "SpeechResult": _text(),
            "ApiVersion": _field(["2010-04-01"]),
        },
    )


def _mostly(right, other):
    """``right`` three times in four: the fields that let a request reach a volunteer's call
    and take, so that most examples test what comes after them (``other`` still comes)."""
    return st.integers(0, 3).flatmap(lambda n: right if n else other)


def _studio_form():
    """What Twilio posts on the recording line: a call's fields, and <Record>'s."""
    return st.fixed_dictionaries(
        {
            "CallSid": _mostly(st.sampled_from(STUDIO_SIDS), _field([CALL_SIDS[0]])),
            "AccountSid": _mostly(st.just(ACCOUNT), _field([ACCOUNT])),
            "From": _field(NUMBERS),
            "To": _field(["+33100000001"]),
        },
        optional={
            "Digits": _field([*"0123*#", "hangup", "1" * 10]),
            "CallStatus": _field(["ringing", "in-progress", "completed"]),
            "RecordingUrl": _field(
                [RECORDING_URL, RECORDING_URL + "\n", RECORDING_URL + ".mp3", ""]
            ),
            "RecordingSid": _field([RECORDING]),
            "RecordingDuration": _field(["2", "0"]),
            "RecordingStatus": _field(["completed", "failed", "absent"]),
        },
    )


def _sms_form():
    return st.fixed_dictionaries(
        {
            "MessageSid": _field(MESSAGE_SIDS),
            "AccountSid": _field([ACCOUNT]),
            "From": _field(NUMBERS),
            "To": _field(["+33100000000"]),
            "Body": st.one_of(
                st.sampled_from(
                    ["STOP", "AIDE", "ETAPES", "RAPPEL 15/03/2027", "LANGUE ar", "START", "?"]
                ),
                _text(400),
            ),
        },
        optional={"NumMedia": _field(["0"]), "SmsSid": _field(MESSAGE_SIDS)},
    )


def _status_form():
    return st.fixed_dictionaries(
        {
            "MessageSid": _field(MESSAGE_SIDS),
            "AccountSid": _field([ACCOUNT]),
            "MessageStatus": _field(["queued", "sent", "delivered", "undelivered", "failed"]),
        },
        optional={
            "ErrorCode": _field(["30003", "21610", "30006", "", "0"]),
            "SmsStatus": _text(),
            "To": _field(NUMBERS),
        },
    )


def _ascii(max_size: int):
    return st.text(alphabet=st.characters(min_codepoint=32, max_codepoint=126), max_size=max_size)


def _query():
    """What the URL may carry: the step number of a call, our message id. Twilio calls only URLs
    we gave it, which are ASCII (a non-ASCII URL is signed over a form Twilio does not say)."""
    return st.one_of(
        st.just({}),
        st.fixed_dictionaries({"n": st.one_of(st.integers(0, 12).map(str), _ascii(8))}),
        st.fixed_dictionaries({"m": _ascii(20)}),
    )


def _post(client, path: str, form: dict[str, str], query: dict[str, str] | None = None):
    target = path + (f"?{urlencode(query)}" if query else "")
    signature = RequestValidator(AUTH_TOKEN).compute_signature(f"http://localhost{target}", form)
    response = client.post(target, data=form, headers={"X-Twilio-Signature": signature})
    TALLY["requests"] += 1
    TALLY[f"status {response.status_code}"] += 1
    if response.status_code >= 500:
        TALLY["5xx"] += 1
    return response


# --- what Twilio accepts ----------------------------------------------------------------------

#: TwiML voice verbs we may answer with, the attributes Twilio documents for each, and what may
#: be nested in them (twilio.com/docs/voice/twiml).
VOICE_VERBS = {
    "Say": {"voice", "language", "loop"},
    "Play": {"loop", "digits"},
    "Pause": {"length"},
    "Redirect": {"method"},
    "Hangup": set(),
    "Record": {
        "action",
        "method",
        "finishOnKey",
        "maxLength",
        "timeout",
        "playBeep",
        "trim",
        "recordingStatusCallback",
        "recordingStatusCallbackMethod",
        "recordingStatusCallbackEvent",
    },
    "Gather": {
        "action",
        "method",
        "numDigits",
        "timeout",
        "finishOnKey",
        "input",
        "actionOnEmptyResult",
        "language",
        "hints",
        "speechTimeout",
    },
}
GATHER_NESTS = {"Say", "Play", "Pause"}
INTEGER_ATTRIBUTES = {"numDigits", "timeout", "loop", "length", "maxLength"}
#: Where Twilio takes a URL: absolute (a relative one is resolved on the request's URL).
URL_ATTRIBUTES = {"action", "recordingStatusCallback"}


def assert_valid_voice_twiml(response) -> None:
    # Signed: never refused as forged (403), never a failure (5xx).
    assert response.status_code in (200, 400), response.status_code
    assert response.mimetype == "text/xml"
    root = ET.fromstring(response.get_data(as_text=True))
    assert root.tag == "Response" and not root.attrib
    for verb in root:
        _check_verb(verb, top=True)
    if response.status_code == 200 and len(root):
        # A call never falls silent: it ends, or listens and is redirected on silence.
        last = root[-1].tag
        assert last in ("Hangup", "Redirect"), last
        if last == "Redirect":
            # After a <Gather> (no key) to its own action; after a <Record> (nothing heard).
            assert root[-2].tag in ("Gather", "Record")
            if root[-2].tag == "Gather":
                assert root[-1].text == root[-2].get("action")


def _check_verb(verb: ET.Element, *, top: bool) -> None:
    assert verb.tag in VOICE_VERBS, verb.tag
    assert set(verb.attrib) <= VOICE_VERBS[verb.tag], verb.attrib
    for name in INTEGER_ATTRIBUTES & set(verb.attrib):
        assert verb.get(name, "").isascii() and verb.get(name, "").isdigit()
    for name in ("method", "recordingStatusCallbackMethod"):
        if name in verb.attrib:
            assert verb.get(name) in ("GET", "POST")
    for name in URL_ATTRIBUTES & set(verb.attrib):
        assert verb.get(name, "").startswith(("/", "https://", "http://"))
    if "playBeep" in verb.attrib:
        assert verb.get("playBeep") in ("true", "false")
    if verb.tag in ("Redirect", "Play"):
        assert (verb.text or "").startswith(("/", "https://", "http://"))
    if verb.tag == "Say":
        assert (verb.text or "").strip()
    if verb.tag == "Gather":
        assert top and (verb.get("action") or "").startswith(("/", "https://", "http://"))
        for child in verb:
            assert child.tag in GATHER_NESTS
            _check_verb(child, top=False)
    else:
        assert len(verb) == 0, f"{verb.tag} holds {[c.tag for c in verb]}"


def assert_valid_messaging_twiml(response) -> None:
    assert response.status_code in (200, 400), response.status_code
    assert response.mimetype == "text/xml"
    root = ET.fromstring(response.get_data(as_text=True))
    assert root.tag == "Response"
    for message in root:
        assert message.tag == "Message" and (message.text or "").strip()


# --- the fuzzing ------------------------------------------------------------------------------


@pytest.fixture
def calls_under_way(client):
    """Calls that have begun, so that steps reach the menus (and one of them is in a date)."""
    for sid in CALL_SIDS:
        form = {"CallSid": sid, "AccountSid": ACCOUNT, "From": NUMBERS[0], "To": "+33100000000"}
        assert _post(client, "/voice/incoming", form).status_code == 200
    return client


@FUZZ
@given(
    path=st.sampled_from(["/voice/incoming", "/voice/step", "/voice/status"]),
    form=_voice_form(),
    query=_query(),
)
def test_voice_webhooks_answer_valid_twiml_whatever_the_signed_input(
    calls_under_way, path, form, query
):
    assert_valid_voice_twiml(_post(calls_under_way, path, form, query))


@FUZZ
@given(form=_sms_form())
def test_the_sms_webhook_answers_valid_twiml_whatever_the_signed_input(client, form):
    assert_valid_messaging_twiml(_post(client, "/sms/incoming", form))


@FUZZ
@given(form=_status_form(), query=_query())
def test_the_sms_status_callback_never_fails_whatever_the_signed_input(client, form, query):
    assert_valid_messaging_twiml(_post(client, "/sms/status", form, query))


@pytest.fixture
def studio_under_way(calls_under_way, hotline, clock):
    """Volunteers on the recording line: each typed a living code and was asked to record (its
    take is the one fuzzed queries may name); the first also recorded and is listening back."""
    code, _ = hotline.studio.invites.create("ps", "Fuzz (ps)", 7, clock.now())
    takes = []
    for sid in STUDIO_SIDS:
        form = {"CallSid": sid, "AccountSid": ACCOUNT, "From": NUMBERS[0], "To": "+33100000001"}
        assert _post(calls_under_way, "/voice/studio", form).status_code == 200
        answer = _post(calls_under_way, "/voice/studio/code", {**form, "Digits": code})
        record = ET.fromstring(answer.get_data(as_text=True)).find("Record")
        assert record is not None, answer.get_data(as_text=True)
        takes.append(parse_qs(urlsplit(record.get("action", "")).query)["take"][0])
    heard = {
        "CallSid": STUDIO_SIDS[0],
        "AccountSid": ACCOUNT,
        "Digits": "#",
        "RecordingUrl": RECORDING_URL,
    }
    review = _post(calls_under_way, "/voice/studio/recorded", heard, {"take": takes[0]})
    assert ET.fromstring(review.get_data(as_text=True)).find("Gather") is not None
    return calls_under_way, takes


def _studio_query(takes: list[str]):
    """A take of a call under way, a take-like id nobody was given, junk, or nothing."""
    nobodys = st.text(alphabet="0123456789abcdef", min_size=16, max_size=16)
    other = st.one_of(
        st.just({}),
        st.fixed_dictionaries({"take": nobodys}),
        st.fixed_dictionaries({"take": _ascii(20)}),
    )
    return _mostly(st.fixed_dictionaries({"take": st.sampled_from(takes)}), other)


STUDIO_VOICE = ["/voice/studio", "/voice/studio/code", "/voice/studio/prompt"]
STUDIO_TAKES = ["/voice/studio/recorded", "/voice/studio/review"]


# Half the examples: one line, fewer states than the caller line, and most requests reach them.
@settings(FUZZ, max_examples=max(EXAMPLES // 2, 50))
@given(
    path=st.sampled_from([*STUDIO_VOICE, *STUDIO_TAKES, "/voice/studio/recording"]),
    form=_studio_form(),
    data=st.data(),
)
def test_the_recording_line_answers_valid_twiml_whatever_the_signed_input(
    studio_under_way, path, form, data
):
    client, takes = studio_under_way
    response = _post(client, path, form, data.draw(_studio_query(takes)))
    TALLY[f"studio {response.status_code}"] += 1
    if path == "/voice/studio/recording":
        # Twilio's recording-status callback: it reads no TwiML, but a 5xx is still a failure.
        assert response.status_code in (200, 400), response.status_code
        if response.status_code == 200:
            assert_valid_voice_twiml(response)
    else:
        assert_valid_voice_twiml(response)


WEBHOOKS = [
    "/voice/incoming",
    "/voice/step",
    "/voice/status",
    "/sms/incoming",
    "/sms/status",
    *STUDIO_VOICE,
    *STUDIO_TAKES,
    "/voice/studio/recording",
]


@settings(FUZZ, max_examples=max(EXAMPLES // 2, 50))
@given(
    path=st.sampled_from(WEBHOOKS),
    form=st.one_of(_voice_form(), _sms_form(), _status_form(), _studio_form()),
    forgery=st.sampled_from(
        ["unsigned", "other token", "field changed", "field added", "other url"]
    ),
    extra=_ascii(10),
)
def test_forged_requests_are_refused_whatever_they_carry(
    calls_under_way, redis, path, form, forgery, extra
):
    url = f"http://localhost{path}"
    token, signed_url, sent = AUTH_TOKEN, url, dict(form)
    if forgery == "other token":
        token = "not-the-token-0123456789abcdef"
    elif forgery == "field changed":
        name = sorted(sent)[0]
        sent[name] = sent[name] + "x"
    elif forgery == "field added":
        sent["Digits"] = sent.get("Digits", "") + "1"
    elif forgery == "other url":
        signed_url = url.replace("localhost", "attacker.example")
    headers = {}
    if forgery != "unsigned":
        headers["X-Twilio-Signature"] = RequestValidator(token).compute_signature(signed_url, form)
    before = redis.dbsize()
    response = calls_under_way.post(path, data=sent, headers=headers)
    TALLY["forged"] += 1
    assert response.status_code == 403
    TALLY["forged refused"] += 1
    assert redis.dbsize() == before  # and nothing was written


def test_fuzz_totals(capsys):
    """Runs last in this file: the figures for the report (pytest -s shows them)."""
    with capsys.disabled():
        print(f"\nwebhook fuzz: {dict(sorted(TALLY.items()))}")
    assert TALLY["5xx"] == 0 and TALLY["forged"] == TALLY["forged refused"]
