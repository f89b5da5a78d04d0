"""The benchmark measures real calls: signed as Twilio signs, pressing keys the menus expect,
served with 200s by the hotline, and sent to the server the Procfile describes. No timings."""

from __future__ import annotations

import asyncio
import re
from urllib.parse import parse_qsl

import pytest
from twilio.request_validator import RequestValidator

from bench import floor_app, walk
from bench.load import closed_loop
from bench.servers import expand, web_command
from hotline import keys
from tests.conftest import AUTH_TOKEN

BASE = "http://127.0.0.1:5000"


def split_request(payload: bytes) -> tuple[str, dict[str, str], dict[str, str]]:
    """A prepared request read back: its path, headers and form fields."""
    head, body = payload.split(b"\r\n\r\n", 1)
    request_line, *header_lines = head.decode().split("\r\n")
    headers = dict(line.split(": ", 1) for line in header_lines)
    assert int(headers["Content-Length"]) == len(body)
    return request_line.split()[1], headers, dict(parse_qsl(body.decode(), keep_blank_values=True))


def test_prepared_requests_carry_valid_twilio_signatures():
    caller = walk.callers(1, seed=1)[0]
    validator = RequestValidator(AUTH_TOKEN)
    call = walk.prepare(walk.walk(caller, BASE, AUTH_TOKEN), "127.0.0.1:5000")
    for payload, _ in call:
        path, headers, form = split_request(payload)
        assert validator.validate(BASE + path, form, headers["X-Twilio-Signature"])
        assert form["CallSid"] == caller.call_sid and form["From"] == caller.number
    paths = [split_request(payload)[0] for payload, _ in call]
    assert paths[0] == "/voice/incoming" and paths[-1] == "/voice/status"
    # Each step carries the call's step number, as the hotline's <Gather> action does.
    assert paths[1:-1] == [f"/voice/step?n={n}" for n in range(len(paths) - 2)]


def test_every_call_has_its_own_sid_and_number():
    callers = walk.callers(500, seed=2)
    assert len({c.call_sid for c in callers}) == len({c.number for c in callers}) == 500
    assert all(re.fullmatch(r"CA[0-9a-f]{32}", c.call_sid) for c in callers)
    assert all(re.fullmatch(r"\+336\d{8}", c.number) for c in callers)
    assert {c.language_key for c in callers} == {"1", "2"}


def test_the_walk_presses_only_keys_the_menus_expect(hotline):
    turn = hotline.flow.start()
    nodes, missed = [], []
    for key in ("2", *walk.AFTER_LANGUAGE):
        turn = hotline.flow.step(turn.state, key)
        assert turn.listen
        nodes.append(turn.state.node)
        missed.append(turn.state.misses > 0)
    silence = 1 + walk.AFTER_LANGUAGE.index(None)
    assert missed == [i == silence for i in range(len(missed))]
    assert {"main", "steps", "adp", "blocked"} <= set(nodes)


def test_one_call_walk_is_served_by_the_hotline(live_server, redis):
    port = live_server.server.server_port
    caller = walk.callers(1, seed=3)[0]
    call = walk.prepare(walk.walk(caller, live_server.url, AUTH_TOKEN), f"127.0.0.1:{port}")

    run = asyncio.run(closed_loop(("127.0.0.1", port), iter([call]), 1, duration=60))

    assert run.errors == {}
    assert len(run.latencies) == len(call)
    assert not redis.exists(keys.CALL_STATE.format(sid=caller.call_sid))  # hung up
    assert len(list(redis.scan_iter(keys.RESUME_POINT.format(caller="*")))) == 1


def test_a_refused_request_counts_as_an_error(live_server, redis):
    port = live_server.server.server_port
    caller = walk.callers(1, seed=4)[0]
    forged = walk.walk(caller, live_server.url, "not-the-token")[:1]
    call = walk.prepare(forged, f"127.0.0.1:{port}")

    run = asyncio.run(closed_loop(("127.0.0.1", port), iter([call]), 1, duration=60))

    assert run.errors == {"HTTP 403": 1}


def test_servers_start_from_the_procfile_web_line_on_loopback():
    argv = web_command(8123, "bench.bare_app:app", {"WEB_CONCURRENCY": "3"})
    assert argv[0].endswith("gunicorn")
    assert argv[argv.index("--bind") + 1] == "127.0.0.1:8123"
    assert argv[argv.index("--workers") + 1] == "3"
    assert argv[-1] == "bench.bare_app:app" and "app:app" not in argv
    assert expand("${A:-1} ${B:-2} $C", {"A": "x", "C": "z"}) == "x 2 z"


def test_a_server_slow_to_answer_is_waited_for_not_a_crash():
    """bench-webhooks died on a TimeoutError when gunicorn took long to answer its first request."""
    import threading
    import time
    from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

    from bench.servers import wait_answering

    class Slow(BaseHTTPRequestHandler):
        calls = 0

        def do_GET(self):
            Slow.calls += 1
            if Slow.calls == 1:
                time.sleep(6)  # longer than one probe's 5 s read timeout
            self.send_response(503)  # /healthz with no worker: an answer all the same
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Slow)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05})
    thread.start()
    said: list[str] = []
    try:
        url = f"http://127.0.0.1:{server.server_port}/healthz"
        assert wait_answering(url, lambda: True, timeout=30, label="slow", say=said.append)
    finally:
        server.shutdown()
        thread.join(timeout=5)
    assert Slow.calls >= 2
    assert not wait_answering("http://127.0.0.1:9/", lambda: False, timeout=5)  # died: no wait


@pytest.mark.parametrize("round_trips", [1, 2])
def test_the_floor_app_checks_the_signature_and_makes_its_round_trips(settings, redis, round_trips):
    """The floor under the hotline (bench.wrk --apps floor-2) is only a floor if it does the
    work no hotline can skip: a forged request refused, the state written in Redis."""
    client = floor_app.create_app(round_trips, settings).test_client()
    caller = walk.callers(1, seed=5)[0]
    first, second = walk.walk(caller, "http://localhost", AUTH_TOKEN)[:2]
    forged = walk.walk(caller, "http://localhost", "not-the-token")[0]
    headers = {"X-Twilio-Signature": forged.signature}
    assert client.post(forged.path, data=dict(forged.form), headers=headers).status_code == 403
    assert not redis.exists(f"bench:floor:{caller.call_sid}")
    headers = {"X-Twilio-Signature": first.signature}
    assert client.post(first.path, data=dict(first.form), headers=headers).status_code == 200
    assert redis.exists(f"bench:floor:{caller.call_sid}")

    def evalsha_calls() -> int:
        return redis.info("commandstats").get("cmdstat_evalsha", {}).get("calls", 0)

    before = evalsha_calls()
    headers = {"X-Twilio-Signature": second.signature}
    answer = client.post(second.path, data=dict(second.form), headers=headers)

    assert answer.status_code == 200 and b"<Gather" in answer.data
    assert evalsha_calls() - before == round_trips
