"""The simulator's server side: development only, a relay that signs like Twilio and reaches only
the hotline's webhooks, and a clock control that makes reminders come due."""

from __future__ import annotations

import dataclasses
import xml.etree.ElementTree as ET
from datetime import date, timedelta

import pytest
import requests

from app import create_app
from audio.library import Entry, Manifest
from hotline.clock import FixedClock, SharedClock
from simulator.relay import AudioTexts
from sms.sender import OutboxSender, read_outbox
from tests.conftest import NOW, LiveServer
from wiring.web import web_parts
from wiring.worker import build_worker, build_worker_parts

NUMBER = "+33612345678"
CALL_SID = "CA" + "ab" * 16


def voice_form(**extra: str) -> dict[str, str]:
    return {
        "AccountSid": "AC" + "0" * 32,
        "ApiVersion": "2010-04-01",
        "CallSid": CALL_SID,
        "CallStatus": "in-progress",
        "From": NUMBER,
        "To": "+33100000000",
        "Direction": "inbound",
        **extra,
    }


def sms_form(body: str) -> dict[str, str]:
    sid = "SM" + "cd" * 16
    return {
        "AccountSid": "AC" + "0" * 32,
        "Body": body,
        "From": NUMBER,
        "To": "+33100000000",
        "MessageSid": sid,
        "SmsSid": sid,
        "NumMedia": "0",
    }


@pytest.fixture
def dev_settings(settings):
    return dataclasses.replace(settings, mode="development")


@pytest.fixture
def dev_app(dev_settings, redis):
    # The shared clock the factory builds in development, on the tests' fixed "now".
    return create_app(dev_settings, clock=SharedClock(redis, base=FixedClock(NOW)))


@pytest.fixture
def dev_client(dev_app):
    return dev_app.test_client()


def relay(client, path: str, form: dict[str, str]):
    return client.post("/simulator/relay", json={"path": path, "form": form})


def messages(twiml: str) -> list[str]:
    return [m.findtext("Body") or m.text or "" for m in ET.fromstring(twiml).iter("Message")]


# --- development only -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("get", "/simulator"),
        ("get", "/simulator/static/simulator.js"),
        ("get", "/simulator/static/twiml-player.js"),
        ("post", "/simulator/relay"),
        ("get", "/simulator/clock"),
        ("post", "/simulator/clock"),
    ],
)
def test_the_simulator_does_not_exist_in_production(client, method, path):
    assert getattr(client, method)(path, json={}).status_code == 404


def test_the_page_and_its_modules_are_served_in_development(dev_client):
    page = dev_client.get("/simulator")
    assert page.status_code == 200 and page.mimetype == "text/html"
    assert b'<script type="module" src="/simulator/static/simulator.js">' in page.data
    script = dev_client.get("/simulator/static/simulator.js")
    assert script.status_code == 200 and b"/simulator/relay" in script.data
    # A module script only runs when served as JavaScript; the page imports the player.
    assert script.mimetype in ("text/javascript", "application/javascript")
    assert b'from "./twiml-player.js"' in script.data
    player = dev_client.get("/simulator/static/twiml-player.js")
    assert player.status_code == 200 and b"export class CallPlayer" in player.data
    # The player knows TwiML, not the page: no element of the page, no relay.
    assert b"document.querySelector(" not in player.data and b"/simulator/" not in player.data


# --- the relay ------------------------------------------------------------------------------------


def test_the_relay_signs_so_the_webhook_answers(dev_client):
    answer = relay(dev_client, "/voice/incoming", voice_form(CallStatus="ringing")).get_json()
    assert answer["status"] == 200
    root = ET.fromstring(answer["body"])
    assert root.find("Gather").get("action").endswith("/voice/step?n=0")
    assert root.find("Gather").get("action").startswith("http")
    assert root.find("Redirect") is not None

    step = relay(dev_client, "/voice/step", voice_form(Digits="1")).get_json()
    assert step["status"] == 200 and "<Gather" in step["body"]


def test_the_webhooks_still_refuse_unsigned_requests(dev_client):
    assert dev_client.post("/voice/incoming", data=voice_form()).status_code == 403
    assert dev_client.post("/sms/incoming", data=sms_form("AIDE")).status_code == 403


def test_a_text_through_the_relay_gets_its_replies(dev_client, dev_app):
    answer = relay(dev_client, "/sms/incoming", sms_form("AIDE")).get_json()
    assert answer["status"] == 200
    help_text = web_parts(dev_app).content.text("sms.help", "fr")
    assert messages(answer["body"]) == [help_text]


def test_the_relay_signs_for_the_public_url_behind_a_proxy(dev_settings, redis):
    settings = dataclasses.replace(dev_settings, public_base_url="https://hotline.example.org")
    client = create_app(settings).test_client()
    answer = relay(client, "/voice/incoming", voice_form(CallStatus="ringing")).get_json()
    assert answer["status"] == 200


def test_the_relay_over_real_http(dev_app):
    import requests

    from tests.conftest import LiveServer

    with LiveServer(dev_app) as server:
        response = requests.post(
            server.url + "/simulator/relay",
            json={"path": "/sms/incoming", "form": sms_form("ETAPES")},
            timeout=10,
        )
    assert response.status_code == 200 and response.json()["status"] == 200
    assert len(messages(response.json()["body"])) == 2


@pytest.mark.parametrize(
    "path",
    [
        "/healthz",
        "/sms/status",
        "/sms/outbox",
        "/simulator/relay",
        "/audio/fr/0123456789abcdef01234567.wav",
        "https://elsewhere.example.org/voice/incoming",
        "//elsewhere.example.org/voice/incoming",
        "/voice/../healthz",
        "/voice/incoming?<script>",
        "voice/incoming",
    ],
)
def test_the_relay_reaches_only_the_hotline_webhooks(dev_client, path):
    response = relay(dev_client, path, voice_form())
    assert response.status_code == 403
    assert "error" in response.get_json()


@pytest.mark.parametrize(
    "payload",
    [
        {"path": "/voice/incoming", "form": {"Digits": 1}},
        {"path": "/voice/incoming", "form": ["Digits", "1"]},
        {"path": "/voice/incoming", "form": {f"F{i}": "x" for i in range(100)}},
        {"path": 42},
        ["/voice/incoming"],
    ],
)
def test_the_relay_refuses_malformed_requests(dev_client, payload):
    assert dev_client.post("/simulator/relay", json=payload).status_code == 403


def test_the_relay_takes_only_json(dev_client):
    # A form posted from another site cannot reach it without the browser asking first.
    response = dev_client.post("/simulator/relay", data={"path": "/voice/incoming"})
    assert response.status_code == 415


def test_the_words_of_each_played_file_come_with_the_twiml(tmp_path):
    (tmp_path / "fr").mkdir()
    file = "fr/0123456789abcdef01234567.wav"
    (tmp_path / file).write_bytes(b"RIFF")
    Manifest([Entry("fr", "voice.main.title", "Menu principal.", "espeak", file)]).save(tmp_path)
    twiml = (
        "<Response><Gather><Play>https://h.example.org/audio/" + file + "</Play>"
        "<Say language='fr-FR'>Bonjour</Say><Play>/audio/fr/unknown.wav</Play></Gather></Response>"
    )
    assert AudioTexts(tmp_path).of_twiml(twiml) == {
        "https://h.example.org/audio/" + file: {"lang": "fr", "text": "Menu principal."}
    }
    assert AudioTexts(tmp_path / "none").of_twiml(twiml) == {}


# --- the clock control ----------------------------------------------------------------------------


def test_the_clock_moves_by_days_to_a_date_and_back(dev_client, dev_app):
    clock = web_parts(dev_app).clock
    assert dev_client.get("/simulator/clock").get_json()["offsetSeconds"] == 0

    moved = dev_client.post("/simulator/clock", json={"days": 7}).get_json()
    assert moved["offsetSeconds"] == 7 * 86400 and moved["reminders"] == {}
    assert clock.now() == NOW + timedelta(days=7)

    jumped = dev_client.post("/simulator/clock", json={"date": "2027-02-01"}).get_json()
    assert jumped["now"] == "2027-02-01T10:00:00+01:00"

    back = dev_client.post("/simulator/clock", json={"reset": True}).get_json()
    assert back["offsetSeconds"] == 0 and clock.now() == NOW


@pytest.mark.parametrize(
    "payload",
    [{"days": 5000}, {"days": "7"}, {"days": True}, {"date": "01/02/2027"}, {}, ["days"]],
)
def test_the_clock_refuses_what_it_cannot_do(dev_client, payload):
    assert dev_client.post("/simulator/clock", json=payload).status_code == 400


def test_moving_the_clock_sends_the_reminder_that_came_due(dev_client, dev_app):
    hotline = web_parts(dev_app)
    expiry = (NOW + timedelta(days=40)).date()
    replies = relay(dev_client, "/sms/incoming", sms_form(f"RAPPEL {expiry:%d/%m/%Y}")).get_json()
    assert replies["status"] == 200
    assert f"{expiry:%d/%m/%Y}" in messages(replies["body"])[0]

    moved = dev_client.post("/simulator/clock", json={"days": 14}).get_json()
    assert moved["reminders"] == {"sent": 1}

    # The worker delivers it to the local outbox, where the simulator reads it.
    parts = build_worker_parts(hotline.settings, hotline.clock)
    build_worker(parts, kind="simple").work(burst=True, logging_level="WARNING")
    outbox = dev_client.get("/sms/outbox").get_json()["messages"]
    # 40 days ahead, 14 days on: the reminder counts 26 days down
    reminder = hotline.reminders.reminder_text("before", "fr", expiry, hotline.clock.now())
    assert "dans 26 jours" in reminder
    assert [m["body"] for m in outbox] == [reminder]
    assert outbox == read_outbox(hotline.redis)
    assert outbox[0]["to"] == "+33…78"  # masked: the page picks its own number's this way


def test_a_given_clock_cannot_be_moved(dev_settings, redis):
    client = create_app(dev_settings, clock=FixedClock(NOW)).test_client()
    assert client.post("/simulator/clock", json={"days": 1}).status_code == 409


def test_a_date_jump_lands_at_the_reminders_sending_hour(dev_client):
    jumped = dev_client.post("/simulator/clock", json={"date": date(2027, 6, 1).isoformat()})
    assert jumped.get_json()["now"] == "2027-06-01T10:00:00+02:00"


def test_the_outbox_is_read_by_the_full_number_not_the_masked_one(dev_client, dev_settings, redis):
    """+33611111178 and +33799999978 both show as +33…78: the thread asks by its full number."""
    sender = OutboxSender(redis, log_bodies=False, secret=dev_settings.secret_key)
    sender.send("+33611111178", "pour le premier", status_callback=None)
    sender.send("+33799999978", "pour le second", status_callback=None)
    mine = dev_client.get("/sms/outbox", query_string={"to": "+33611111178"}).json["messages"]
    assert [m["body"] for m in mine] == ["pour le premier"]
    assert all(m["to"] == "+33…78" for m in dev_client.get("/sms/outbox").json["messages"])
    nobody = dev_client.get("/sms/outbox", query_string={"to": "not a number"}).json
    assert nobody == {"messages": []}


@pytest.mark.parametrize(
    "host", ["attacker.example", "attacker.example:5000", "127.0.0.1.nip.io", "10.0.0.5", "[::2]"]
)
def test_development_mode_answers_only_for_loopback_hosts(dev_app, host):
    """DNS rebinding: a page the developer opens makes their browser call the dev server under
    the attacker's name. Every path, the simulator and the webhooks alike, is refused."""
    server = LiveServer(dev_app)
    with server:
        for method, path in [
            ("GET", "/simulator"),
            ("POST", "/simulator/relay"),
            ("GET", "/healthz"),
        ]:
            response = requests.request(
                method, server.url + path, headers={"Host": host}, json={}, timeout=10
            )
            assert response.status_code == 403, (host, path)
        for loopback in ("localhost:5000", "127.0.0.1", "127.1.2.3:80", "[::1]:5000"):
            response = requests.get(server.url + "/healthz", headers={"Host": loopback}, timeout=10)
            assert response.status_code in (200, 503), loopback
