"""Every webhook, fuzzed with signed hostile input: never a 5xx, every voice answer valid TwiML.

A valid signature only says Twilio (or whoever holds the token) sent the request; its fields can
still be anything. Hypothesis builds forms with Twilio's field names and values that are valid,
nearly valid (a SID with a newline, Unicode digits, "²", 5,000 digits) or junk, signs them like
Twilio, and posts them to a real app on a real Redis, where calls are already under way so that
steps reach the menus. Each answer is checked against the TwiML Twilio accepts (verbs, nesting,
attributes and their values), as Twilio would read it.

In CI (CI=true) the examples are derandomized, so a run is repeatable; locally each run explores
new ones. The totals are printed (run with -s to see them).
"""

from __future__ import annotations

import os
import xml.etree.ElementTree as ET
from collections import Counter
from urllib.parse import urlencode

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
MESSAGE_SIDS = ["SM" + c * 32 for c in "abc"]
ACCOUNT = "AC" + "0" * 32
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
INTEGER_ATTRIBUTES = {"numDigits", "timeout", "loop", "length"}


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
            assert root[-2].tag == "Gather"
            assert root[-1].text == root[-2].get("action")


def _check_verb(verb: ET.Element, *, top: bool) -> None:
    assert verb.tag in VOICE_VERBS, verb.tag
    assert set(verb.attrib) <= VOICE_VERBS[verb.tag], verb.attrib
    for name in INTEGER_ATTRIBUTES & set(verb.attrib):
        assert verb.get(name, "").isascii() and verb.get(name, "").isdigit()
    if "method" in verb.attrib:
        assert verb.get("method") in ("GET", "POST")
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


WEBHOOKS = ["/voice/incoming", "/voice/step", "/voice/status", "/sms/incoming", "/sms/status"]


@settings(FUZZ, max_examples=max(EXAMPLES // 2, 50))
@given(
    path=st.sampled_from(WEBHOOKS),
    form=st.one_of(_voice_form(), _sms_form(), _status_form()),
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
