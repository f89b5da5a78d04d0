"""A local HTTP server speaking Twilio's Messages and Calls APIs: the far end of outbound SMS and
reminder calls in tests and benchmarks, so the real ``twilio`` client is exercised down to its HTTP
requests.

Calls (``POST .../Calls.json``): the call is created (201, Twilio's call resource), then the fake
plays the person called, in a thread, as Twilio would: status callbacks for initiated and ringing;
then, as scripted per number with ``callee(number, Callee...)``, busy / no-answer / failed, or an
answer by a person or a voicemail: it fetches the call's Url (signed, with AnsweredBy), follows the
TwiML (``<Gather>`` gets the person's next key, or they hang up when they have none left;
``<Redirect>``, ``<Play>``, ``<Say>``, ``<Hangup>``), records every document it got, and ends with
the completed status callback.

It serves ``POST /2010-04-01/Accounts/{AccountSid}/Messages.json`` on a loopback port, checks HTTP
basic auth (account SID and auth token), validates To / From or MessagingServiceSid / Body like
Twilio, and answers 201 with Twilio's JSON message resource. It also keeps the account's phone
numbers (``add_number``): ``GET .../IncomingPhoneNumbers.json?PhoneNumber=`` lists them and ``POST
.../IncomingPhoneNumbers/{PN...}.json`` updates their webhook URLs, as `flask twilio configure`
does. Replies can be scripted, in order:
Twilio's error bodies (``{"code", "message", "more_info", "status"}``), 429 and 5xx, or holding the
request without answering (after creating the message or not, to play "Twilio got it but the
answer never came back"). It records every request with its arrival time, and can post signed
status callbacks to the StatusCallback URL a message was created with, as Twilio does.

Recordings (``FakeRecordings``, ``fake.recordings``): a test puts a recording's bytes in
(``add``); the fake serves ``GET .../Recordings/{RecordingSid}.wav`` with HTTP basic auth, as
Twilio does for recording media, deletes on ``DELETE .../Recordings/{RecordingSid}.json`` (204),
and posts signed recording-status callbacks.
"""

from __future__ import annotations

import base64
import contextlib
import itertools
import json
import re
import socket
import struct
import sys
import threading
import time
import uuid
from collections import deque
from dataclasses import dataclass, field
from email.utils import formatdate
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qsl, urljoin
from xml.etree import ElementTree

import requests
from twilio.request_validator import RequestValidator

API_VERSION = "2010-04-01"
_MESSAGES_PATH = re.compile(r"^/2010-04-01/Accounts/(AC[0-9a-fA-F]{32})/Messages\.json$")
_CALLS_PATH = re.compile(r"^/2010-04-01/Accounts/(AC[0-9a-fA-F]{32})/Calls\.json$")
_NUMBERS_PATH = re.compile(r"^/2010-04-01/Accounts/(AC[0-9a-fA-F]{32})/IncomingPhoneNumbers\.json$")
_NUMBER_PATH = re.compile(
    r"^/2010-04-01/Accounts/(AC[0-9a-fA-F]{32})/IncomingPhoneNumbers/(PN[0-9a-f]{32})\.json$"
)
#: The form fields of an IncomingPhoneNumber update and the resource's names for them.
NUMBER_FIELDS = {
    "VoiceUrl": "voice_url",
    "VoiceMethod": "voice_method",
    "VoiceFallbackUrl": "voice_fallback_url",
    "VoiceFallbackMethod": "voice_fallback_method",
    "StatusCallback": "status_callback",
    "StatusCallbackMethod": "status_callback_method",
    "SmsUrl": "sms_url",
    "SmsMethod": "sms_method",
    "SmsFallbackUrl": "sms_fallback_url",
    "SmsFallbackMethod": "sms_fallback_method",
}
_E164 = re.compile(r"^\+[1-9]\d{6,14}$")
#: Linux's SO_TIMESTAMPNS (and SCM_TIMESTAMPNS): the kernel stamps each packet as it arrives.
_SO_TIMESTAMPNS = 35 if sys.platform.startswith("linux") else None

#: Twilio's messages for the error codes the fake answers with.
ERROR_MESSAGES = {
    20003: "Authenticate",
    20404: "The requested resource {path} was not found",
    20429: "Too Many Requests",
    20500: "Internal Server Error",
    20503: "Service Unavailable",
    21211: "Invalid 'To' Phone Number: {to}",
    21408: "Permission to send an SMS has not been enabled for the region indicated by the "
    "'To' number: {to}.",
    21602: "Message body is required.",
    21603: "A 'From' phone number is required.",
    21604: "A 'To' phone number is required.",
    21610: "Attempt to send to unsubscribed recipient",
    21612: "The 'To' phone number: {to}, is not currently reachable using the 'From' phone "
    "number: {from_} via SMS.",
    21614: "'To' number is not a valid mobile number",
    21205: "Url parameter is required.",
    21210: "The source phone number provided, {from_}, is not yet verified for your account.",
    21213: "Caller phone number is required",
    21214: "'To' phone number cannot be reached",
    21215: "Account not authorized to call {to}. Perhaps you need to enable some international "
    "permissions",
    21217: "Phone number does not appear to be valid",
}
#: The code Twilio puts in the body of a bare HTTP error.
CODE_OF_STATUS = {401: 20003, 404: 20404, 429: 20429, 500: 20500, 503: 20503}

_GSM7 = set(
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?¡"
    "ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"
)
_GSM7_EXTENDED = set("^{}\\[~]|€\f")


def segments(body: str) -> int:
    """How many SMS parts the body takes: GSM-7 160 (153 per part), else UCS-2 70 (67)."""
    if all(c in _GSM7 or c in _GSM7_EXTENDED for c in body):
        units = sum(2 if c in _GSM7_EXTENDED else 1 for c in body)
        single, part = 160, 153
    else:
        units = len(body.encode("utf-16-le")) // 2
        single, part = 70, 67
    return 1 if units <= single else -(-units // part)


@dataclass(frozen=True)
class Reply:
    """What the fake answers to one request."""

    kind: str  # "accept", "error" (HTTP status + Twilio code) or "hold"
    status: int = 201
    code: int | None = None
    accept: bool = True  # hold: create the message before holding (Twilio got it)
    callback: bool = False  # hold: post the "sent" status callback before holding

    @classmethod
    def created(cls) -> Reply:
        return cls("accept")

    @classmethod
    def error(cls, code: int, status: int = 400) -> Reply:
        """Twilio's error body with this code (21610, 21211...)."""
        return cls("error", status=status, code=code)

    @classmethod
    def http(cls, status: int) -> Reply:
        """A bare HTTP error (429, 500, 503), with the code Twilio gives it."""
        return cls("error", status=status, code=CODE_OF_STATUS.get(status, status))

    @classmethod
    def hold(cls, *, accept: bool, callback: bool = False) -> Reply:
        """Never answer (until released): the client times out, or dies waiting."""
        return cls("hold", accept=accept, callback=callback)


@dataclass(frozen=True)
class Callee:
    """How the person called behaves on one call."""

    answer: str = "human"  # human, unknown, voicemail, fax, busy, no-answer, failed
    #: Pressed one per <Gather> (None: silent until the Gather times out); then they hang up.
    keys: tuple[str | None, ...] = ()

    @classmethod
    def human(cls, *keys: str | None) -> Callee:
        return cls("human", keys)

    @classmethod
    def unknown(cls, *keys: str | None) -> Callee:
        """A person Twilio's machine detection could not recognise (AnsweredBy ``unknown``:
        say, one who picks up and says nothing), pressing these keys."""
        return cls("unknown", keys)

    @classmethod
    def voicemail(cls) -> Callee:
        return cls("voicemail")

    @classmethod
    def fax(cls) -> Callee:
        return cls("fax")

    @classmethod
    def busy(cls) -> Callee:
        return cls("busy")

    @classmethod
    def no_answer(cls) -> Callee:
        return cls("no-answer")

    @classmethod
    def failed(cls) -> Callee:
        return cls("failed")


#: What Twilio's machine detection reports for each kind of answer (DetectMessageEnd: human,
#: machine_end_beep / _silence / _other, fax, or unknown when it times out undecided).
ANSWERED_BY = {
    "human": "human",
    "unknown": "unknown",
    "voicemail": "machine_end_beep",
    "fax": "fax",
}
#: The answers where someone listens and may press keys.
LISTENERS = frozenset({"human", "unknown"})
#: Most TwiML documents one call follows (a loop in the TwiML ends the call).
MAX_DOCUMENTS = 50


@dataclass
class PlacedCall:
    """A call created through the API, and what the person heard."""

    sid: str
    to: str
    from_: str
    url: str
    status_callback: str | None
    events: tuple[str, ...]
    machine_detection: str | None
    callee: Callee
    documents: list[str] = field(default_factory=list)  # every TwiML document fetched
    statuses: list[str] = field(default_factory=list)  # CallStatus of each status callback
    first_twiml_seconds: float | None = None  # how long the call's Url took to answer
    done: bool = False

    @property
    def heard(self) -> list[str]:
        """The text of every <Say> and URL of every <Play>, in order."""
        said = []
        for document in self.documents:
            for element in ElementTree.fromstring(document).iter():
                if element.tag in ("Say", "Play"):
                    said.append(element.text or "")
        return said


@dataclass
class Received:
    at: float  # time.time() when the request reached this machine (kernel stamp, on Linux)
    path: str
    form: dict[str, str]
    authorized: bool
    answer: str  # "201", "400/21610", "hold"...
    sid: str | None = None  # the message created, if one was
    read_at: float = 0.0  # time.time() when the server had read it (later, if it was busy)


_RECORDING_MEDIA = re.compile(
    r"^/2010-04-01/Accounts/(AC[0-9a-fA-F]{32})/Recordings/(RE[0-9a-fA-F]{32})\.(wav|json)$"
)


class FakeRecordings:
    """Twilio's recordings of one account: media behind basic auth, deletable."""

    def __init__(self, fake: FakeTwilio):
        self.fake = fake
        self.files: dict[str, bytes] = {}
        self.fetched: list[str] = []  # RecordingSids downloaded, in order
        self.deleted: list[str] = []
        self.refused = 0  # requests without valid credentials
        self._lock = threading.Lock()

    def add(self, data: bytes) -> str:
        """A new recording holding these (WAV) bytes; its RecordingSid."""
        sid = "RE" + uuid.uuid4().hex
        with self._lock:
            self.files[sid] = data
        return sid

    def url(self, sid: str) -> str:
        """Its RecordingUrl, as Twilio gives it (no extension)."""
        return f"{self.fake.url}/{API_VERSION}/Accounts/{self.fake.account_sid}/Recordings/{sid}"

    def send_status(
        self, callback_url: str, sid: str, call_sid: str, status: str = "completed"
    ) -> int:
        """Post a signed recording-status callback, as Twilio does; the HTTP status."""
        data = self.files.get(sid, b"")
        seconds = max(1, round(max(0, len(data) - 44) / 16000))  # 8 kHz, 16-bit
        form = {
            "AccountSid": self.fake.account_sid,
            "CallSid": call_sid,
            "RecordingChannels": "1",
            "RecordingDuration": str(seconds),
            "RecordingSid": sid,
            "RecordingSource": "RecordVerb",
            "RecordingStartTime": formatdate(usegmt=True),
            "RecordingStatus": status,
            "RecordingTrack": "both",
            "RecordingUrl": self.url(sid),
        }
        signature = RequestValidator(self.fake.auth_token).compute_signature(callback_url, form)
        response = requests.post(
            callback_url, data=form, headers={"X-Twilio-Signature": signature}, timeout=10
        )
        return response.status_code

    def handle(self, method: str, path: str, authorization: str | None) -> tuple[int, str, bytes]:
        """(HTTP status, content type, body) for a GET of media or a DELETE."""
        match = _RECORDING_MEDIA.match(path)
        if not match or (method, match.group(3)) not in (("GET", "wav"), ("DELETE", "json")):
            return 404, "application/json", json.dumps({"code": 20404, "status": 404}).encode()
        if authorization != self.fake.basic_auth() or match.group(1) != self.fake.account_sid:
            with self._lock:
                self.refused += 1
            return 401, "application/json", json.dumps({"code": 20003, "status": 401}).encode()
        sid = match.group(2)
        with self._lock:
            if sid not in self.files:
                return 404, "application/json", json.dumps({"code": 20404, "status": 404}).encode()
            if method == "DELETE":
                del self.files[sid]
                self.deleted.append(sid)
                return 204, "application/json", b""
            self.fetched.append(sid)
            return 200, "audio/x-wav", self.files[sid]


@dataclass
class FakeTwilio:
    account_sid: str
    auth_token: str
    received: list[Received] = field(default_factory=list)
    messages: dict[str, dict] = field(default_factory=dict)  # sid -> resource (+ callback URL)
    calls: dict[str, PlacedCall] = field(default_factory=dict)
    numbers: dict[str, dict] = field(default_factory=dict)  # PN sid -> IncomingPhoneNumber

    def __post_init__(self):
        self._replies: deque[Reply] = deque()
        self._callees: dict[str, deque[Callee]] = {}
        self._sequence = itertools.count()
        self.recordings = FakeRecordings(self)
        self._lock = threading.Condition()
        self._release = threading.Event()
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
        self._server.daemon_threads = True
        self._server.block_on_close = False
        self._server.fake = self  # type: ignore[attr-defined]
        if _SO_TIMESTAMPNS is not None:  # inherited by accepted connections, from their 1st byte
            self._server.socket.setsockopt(socket.SOL_SOCKET, _SO_TIMESTAMPNS, 1)
        self.url = f"http://127.0.0.1:{self._server.server_port}"
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True
        )

    # --- running --------------------------------------------------------------------------------

    def __enter__(self) -> FakeTwilio:
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._release.set()
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=10)

    # --- scripting and observing ----------------------------------------------------------------

    def script(self, *replies: Reply) -> None:
        """Answer the next requests with these replies, in order; then accept again."""
        with self._lock:
            self._replies.extend(replies)

    def release(self) -> None:
        """Let held requests finish (their clients are usually gone by then)."""
        self._release.set()

    def wait_for(self, count: int, timeout: float = 20.0) -> bool:
        """Wait until ``count`` requests have been received."""
        with self._lock:
            return self._lock.wait_for(lambda: len(self.received) >= count, timeout)

    @property
    def created(self) -> list[dict]:
        with self._lock:
            return list(self.messages.values())

    def callee(self, number: str, *behaviours: Callee) -> None:
        """How ``number`` answers its next calls, in order; then as a person pressing nothing."""
        with self._lock:
            self._callees.setdefault(number, deque()).extend(behaviours)

    def wait_calls(self, count: int, timeout: float = 20.0) -> bool:
        """Wait until ``count`` calls have ended (every status callback sent)."""
        with self._lock:
            return self._lock.wait_for(
                lambda: sum(c.done for c in self.calls.values()) >= count, timeout
            )

    def calls_to(self, number: str) -> list[PlacedCall]:
        with self._lock:
            return [c for c in self.calls.values() if c.to == number]

    def send_status(self, sid: str, status: str, error_code: int | None = None) -> int:
        """Post a signed status callback for a message, as Twilio does; the HTTP status."""
        message = self.messages[sid]
        url = message["_status_callback"]
        form = {
            "AccountSid": self.account_sid,
            "ApiVersion": API_VERSION,
            "From": message["from"] or "",
            "MessageSid": sid,
            "MessageStatus": status,
            "SmsSid": sid,
            "SmsStatus": status,
            "To": message["to"],
        }
        if message["messaging_service_sid"]:
            form["MessagingServiceSid"] = message["messaging_service_sid"]
        if error_code is not None:
            form["ErrorCode"] = str(error_code)
        signature = RequestValidator(self.auth_token).compute_signature(url, form)
        response = requests.post(
            url, data=form, headers={"X-Twilio-Signature": signature}, timeout=10
        )
        return response.status_code

    def basic_auth(self) -> str:
        """The Authorization header Twilio's API expects from this account."""
        pair = f"{self.account_sid}:{self.auth_token}".encode()
        return "Basic " + base64.b64encode(pair).decode("ascii")

    def add_number(self, phone_number: str, **urls: str) -> dict:
        """A number of the account, with its webhook settings (resource names: voice_url...)."""
        sid = "PN" + uuid.uuid4().hex
        resource = {
            "account_sid": self.account_sid,
            "api_version": API_VERSION,
            "friendly_name": phone_number,
            "phone_number": phone_number,
            "sid": sid,
            "uri": f"/{API_VERSION}/Accounts/{self.account_sid}/IncomingPhoneNumbers/{sid}.json",
            **{name: None for name in NUMBER_FIELDS.values()},
            **urls,
        }
        with self._lock:
            self.numbers[sid] = resource
        return resource

    # --- the API --------------------------------------------------------------------------------

    def _authorized(self, authorization: str | None, account: str) -> bool:
        expected = "Basic " + base64.b64encode(
            f"{self.account_sid}:{self.auth_token}".encode()
        ).decode("ascii")
        return authorization == expected and account == self.account_sid

    def numbers_api(self, method: str, path: str, authorization: str | None, form: dict[str, str]):
        """(HTTP status, JSON body) for IncomingPhoneNumbers; None for another path."""
        listing, one = _NUMBERS_PATH.match(path.split("?")[0]), _NUMBER_PATH.match(path)
        if not (listing or one):
            return None
        account = (listing or one).group(1)
        if not self._authorized(authorization, account):
            self._record(Received(time.time(), path, form, False, "401/20003"))
            return 401, self._error_body(401, 20003, form, path)
        self._record(Received(time.time(), path, form, True, method))
        if listing and method == "GET":
            query = dict(parse_qsl(path.partition("?")[2]))
            wanted = query.get("PhoneNumber")
            with self._lock:
                found = [n for n in self.numbers.values() if wanted in (None, n["phone_number"])]
            return 200, {
                "incoming_phone_numbers": found,
                "page": 0,
                "page_size": 50,
                "first_page_uri": path,
                "next_page_uri": None,
                "previous_page_uri": None,
                "uri": path,
            }
        if one and method == "POST":
            with self._lock:
                number = self.numbers.get(one.group(2))
                if number is None:
                    return 404, self._error_body(404, 20404, form, path)
                for name, value in form.items():
                    if name in NUMBER_FIELDS:
                        number[NUMBER_FIELDS[name]] = value
                return 200, dict(number)
        return 405, self._error_body(405, 20404, form, path)

    def _next_reply(self) -> Reply:
        with self._lock:
            return self._replies.popleft() if self._replies else Reply.created()

    def _record(self, entry: Received) -> None:
        with self._lock:
            self.received.append(entry)
            self._lock.notify_all()

    def _create(self, form: dict[str, str]) -> dict:
        sid = "SM" + uuid.uuid4().hex
        service = form.get("MessagingServiceSid")
        now = formatdate(usegmt=False).replace("-0000", "+0000")
        base = f"/{API_VERSION}/Accounts/{self.account_sid}/Messages/{sid}"
        resource = {
            "account_sid": self.account_sid,
            "api_version": API_VERSION,
            "body": form["Body"],
            "date_created": now,
            "date_sent": None,
            "date_updated": now,
            "direction": "outbound-api",
            "error_code": None,
            "error_message": None,
            "from": None if service else form.get("From"),
            "messaging_service_sid": service,
            "num_media": "0",
            "num_segments": "0" if service else str(segments(form["Body"])),
            "price": None,
            "price_unit": "USD",
            "sid": sid,
            "status": "accepted" if service else "queued",
            "subresource_uris": {"media": f"{base}/Media.json"},
            "to": form["To"],
            "uri": f"{base}.json",
        }
        with self._lock:
            self.messages[sid] = {**resource, "_status_callback": form.get("StatusCallback")}
        return resource

    def _create_call(self, form: dict[str, str], events: list[str]) -> dict:
        sid = "CA" + uuid.uuid4().hex
        now = formatdate(usegmt=False).replace("-0000", "+0000")
        with self._lock:
            queue = self._callees.get(form["To"])
            callee = queue.popleft() if queue else Callee.human()
            self.calls[sid] = PlacedCall(
                sid=sid,
                to=form["To"],
                from_=form["From"],
                url=form["Url"],
                status_callback=form.get("StatusCallback"),
                events=tuple(events),
                machine_detection=form.get("MachineDetection"),
                callee=callee,
            )
        return {
            "account_sid": self.account_sid,
            "answered_by": None,
            "api_version": API_VERSION,
            "caller_name": None,
            "date_created": now,
            "date_updated": now,
            "direction": "outbound-api",
            "duration": None,
            "end_time": None,
            "forwarded_from": None,
            "from": form["From"],
            "from_formatted": form["From"],
            "parent_call_sid": None,
            "phone_number_sid": None,
            "price": None,
            "price_unit": "USD",
            "sid": sid,
            "start_time": None,
            "status": "queued",
            "subresource_uris": {},
            "to": form["To"],
            "to_formatted": form["To"],
            "uri": f"/{API_VERSION}/Accounts/{self.account_sid}/Calls/{sid}.json",
        }

    def play(self, sid: str) -> None:
        """Be the person called (in a thread): ring, answer or not, listen and press keys."""
        call = self.calls[sid]
        try:
            self._call_status(call, "initiated", "initiated")
            self._call_status(call, "ringing", "ringing")
            if call.callee.answer not in ANSWERED_BY:
                self._call_status(call, "completed", call.callee.answer)
                return
            answered_by = (
                {"AnsweredBy": ANSWERED_BY[call.callee.answer]} if call.machine_detection else {}
            )
            self._call_status(call, "answered", "in-progress", answered_by)
            keys = deque(call.callee.keys)
            url, extra = call.url, dict(answered_by)
            while url and len(call.documents) < MAX_DOCUMENTS:
                started = time.perf_counter()
                document = self._fetch(call, url, extra)
                if call.first_twiml_seconds is None:
                    call.first_twiml_seconds = time.perf_counter() - started
                if document is None:
                    break
                call.documents.append(document)
                url, extra = self._next(document, url, keys, call.callee.answer in LISTENERS)
            self._call_status(call, "completed", "completed", {"CallDuration": "42"})
        finally:
            with self._lock:
                call.done = True
                self._lock.notify_all()

    def _voice_form(self, call: PlacedCall, status: str) -> dict[str, str]:
        return {
            "AccountSid": self.account_sid,
            "ApiVersion": API_VERSION,
            "CallSid": call.sid,
            "CallStatus": status,
            "Called": call.to,
            "Caller": call.from_,
            "Direction": "outbound-api",
            "From": call.from_,
            "To": call.to,
        }

    def _post_signed(self, url: str, form: dict[str, str]) -> requests.Response:
        signature = RequestValidator(self.auth_token).compute_signature(url, form)
        return requests.post(url, data=form, headers={"X-Twilio-Signature": signature}, timeout=15)

    def _call_status(self, call: PlacedCall, event: str, status: str, extra=None) -> None:
        call.statuses.append(status)
        if not call.status_callback or (event not in call.events and event != "completed"):
            return
        form = {
            **self._voice_form(call, status),
            "CallbackSource": "call-progress-events",
            "SequenceNumber": str(next(self._sequence)),
            "Timestamp": formatdate(usegmt=True),
            **(extra or {}),
        }
        with contextlib.suppress(requests.RequestException):  # Twilio does not retry them either
            self._post_signed(call.status_callback, form)

    def _fetch(self, call: PlacedCall, url: str, extra: dict[str, str]) -> str | None:
        try:
            response = self._post_signed(url, {**self._voice_form(call, "in-progress"), **extra})
        except requests.RequestException:
            return None
        return response.text if response.status_code == 200 else None

    @staticmethod
    def _next(document: str, url: str, keys: deque, listens: bool):
        """The next request the TwiML leads to: (url, extra form), or (None, {}) to hang up."""
        for element in ElementTree.fromstring(document):
            if element.tag == "Gather":
                if listens and keys:
                    key = keys.popleft()
                    if key is None:
                        continue  # silent: the Gather times out, the next verb runs
                    action = urljoin(url, element.get("action") or url)
                    return action, {"Digits": key, "FinishedOnKey": ""}
                if listens:
                    return None, {}  # heard it all, nothing more to press: hangs up
            elif element.tag == "Redirect":
                return urljoin(url, element.text or url), {}
            elif element.tag == "Hangup":
                return None, {}
        return None, {}

    def _error_body(self, status: int, code: int, form: dict[str, str], path: str) -> dict:
        template = ERROR_MESSAGES.get(code, "Error")
        return {
            "code": code,
            "message": template.format(
                to=form.get("To", ""), from_=form.get("From", ""), path=path
            ),
            "more_info": f"https://www.twilio.com/docs/errors/{code}",
            "status": status,
        }

    @staticmethod
    def _message_problem(form: dict[str, str]) -> int | None:
        if not form.get("To"):
            return 21604
        if not _E164.match(form["To"]):
            return 21211
        if not (form.get("From") or form.get("MessagingServiceSid")):
            return 21603
        if not form.get("Body"):
            return 21602
        return None

    @staticmethod
    def _call_problem(form: dict[str, str]) -> int | None:
        if not form.get("To") or not _E164.match(form["To"]):
            return 21217
        if not form.get("From"):
            return 21213
        if not (form.get("Url") or form.get("Twiml")):
            return 21205
        return None

    def handle(
        self,
        path: str,
        authorization: str | None,
        form: dict[str, str],
        arrived: float | None,
        raw_body: str = "",
    ):
        """(HTTP status, JSON body or None to hold, Received)."""
        read_at = time.time()
        at = arrived or read_at
        match = _MESSAGES_PATH.match(path) or _CALLS_PATH.match(path)
        is_call = bool(_CALLS_PATH.match(path))
        expected = "Basic " + base64.b64encode(
            f"{self.account_sid}:{self.auth_token}".encode()
        ).decode("ascii")
        authorized = authorization == expected and bool(match)
        if not match:
            body = self._error_body(404, 20404, form, path)
            return 404, body, Received(at, path, form, authorized, "404/20404", read_at=read_at)
        if not authorized or match.group(1) != self.account_sid:
            body = self._error_body(401, 20003, form, path)
            return 401, body, Received(at, path, form, False, "401/20003", read_at=read_at)
        problem = self._call_problem(form) if is_call else self._message_problem(form)
        reply = Reply.error(problem) if problem else self._next_reply()
        if reply.kind == "error":
            code = reply.code or reply.status
            body = self._error_body(reply.status, code, form, path)
            answer = f"{reply.status}/{code}"
            return reply.status, body, Received(at, path, form, True, answer, read_at=read_at)
        create = self._create
        if is_call:
            events = [v for k, v in parse_qsl(raw_body) if k == "StatusCallbackEvent"]

            def create(form):
                return self._create_call(form, events)

        if reply.kind == "hold":
            sid = None
            if reply.accept:
                sid = create(form)["sid"]
            return None, reply, Received(at, path, form, True, "hold", sid, read_at)
        resource = create(form)
        return 201, resource, Received(at, path, form, True, "201", resource["sid"], read_at)


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    # Headers and body go out in two writes: without TCP_NODELAY, Nagle's algorithm and the
    # client's delayed ACK hold each answer on a kept-alive connection for about 40 ms.
    disable_nagle_algorithm = True

    def log_message(self, format, *args):  # quiet: tests and benchmarks read the records
        pass

    def handle_one_request(self):
        # When did the request get here, whatever this busy server's threads were doing? Peek at
        # the first byte with its kernel timestamp (requests are not pipelined: nothing waits in
        # the read buffer at this point).
        self.arrived = None
        if _SO_TIMESTAMPNS is not None:
            try:
                _, ancillary, _, _ = self.connection.recvmsg(
                    1, socket.CMSG_SPACE(16), socket.MSG_PEEK
                )
                for level, kind, data in ancillary:
                    if level == socket.SOL_SOCKET and kind == _SO_TIMESTAMPNS:
                        seconds, nanoseconds = struct.unpack("qq", data[:16])
                        self.arrived = seconds + nanoseconds / 1e9
            except OSError:
                pass
        super().handle_one_request()

    def _recordings(self, method: str) -> None:
        fake: FakeTwilio = self.server.fake  # type: ignore[attr-defined]
        status, content_type, payload = fake.recordings.handle(
            method, self.path, self.headers.get("Authorization")
        )
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)

    def do_DELETE(self):
        self._recordings("DELETE")

    def _answer(self, status: int, body: dict) -> None:
        payload = json.dumps(body).encode()
        try:
            self.send_response(status)
            self.send_header("Content-Type", "application/json; charset=utf-8")
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload)
        except OSError:
            self.close_connection = True

    def do_GET(self):
        if _RECORDING_MEDIA.match(self.path):
            self._recordings("GET")
            return
        fake: FakeTwilio = self.server.fake  # type: ignore[attr-defined]
        answer = fake.numbers_api("GET", self.path, self.headers.get("Authorization"), {})
        self._answer(*(answer or (404, fake._error_body(404, 20404, {}, self.path))))

    def do_POST(self):
        fake: FakeTwilio = self.server.fake  # type: ignore[attr-defined]
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length).decode("utf-8")
        form = dict(parse_qsl(raw, keep_blank_values=True))
        numbers = fake.numbers_api("POST", self.path, self.headers.get("Authorization"), form)
        if numbers is not None:
            self._answer(*numbers)
            return
        status, body, received = fake.handle(
            self.path, self.headers.get("Authorization"), form, self.arrived, raw
        )
        placed_call = received.sid if received.sid in fake.calls else None
        if status is None:  # hold: Twilio got it (or not), and no answer comes back
            reply: Reply = body
            if placed_call:
                # Twilio has the call: it rings whatever happens to the client.
                threading.Thread(target=fake.play, args=(placed_call,), daemon=True).start()
            elif reply.accept and reply.callback and received.sid:
                # Before the request is counted, so a test waiting for it finds the callback done.
                fake.send_status(received.sid, "sent")
            fake._record(received)
            fake._release.wait(timeout=300)  # released when the fake stops; never forever
            self.close_connection = True
            return
        fake._record(received)
        self._answer(status, body)
        if placed_call and status == 201:
            threading.Thread(target=fake.play, args=(placed_call,), daemon=True).start()
