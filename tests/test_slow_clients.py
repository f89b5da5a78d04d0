"""Slow clients cannot stall the hotline: gunicorn started from the Procfile's own web line,
two clients trickling bytes over real sockets, and signed webhooks still answered within 2 s.

One client sends its headers a byte at a time, the other sends its headers at once and then its
body a byte at a time. With gunicorn's sync workers (two, as the Procfile runs them) each held a
whole worker and every signed request waited behind them; with threads each holds one thread,
and the body must arrive within hotline.request_body.BODY_SECONDS or is answered 408.
"""

from __future__ import annotations

import os
import select
import socket
import threading
import time
import uuid

import requests
from twilio.request_validator import RequestValidator

from bench.servers import HOTLINE_APP, LOOPBACK, Gunicorn, free_port, web_command
from hotline.request_body import BODY_SECONDS
from tests.conftest import AUTH_TOKEN, SECRET_KEY

TRICKLE_SECONDS = 0.2  # between two bytes


class Trickler(threading.Thread):
    """A client that sends a request one byte every TRICKLE_SECONDS (headers too, or only the
    body), then reads what the server answers."""

    def __init__(self, port: int, *, slow_headers: bool, stop: threading.Event):
        super().__init__(daemon=True)
        body = b"From=%2B33612345678&Body=AIDE" + b"&x=" + b"a" * 200
        head = (
            f"POST /sms/incoming HTTP/1.1\r\nHost: {LOOPBACK}:{port}\r\n"
            "Content-Type: application/x-www-form-urlencoded\r\n"
            f"X-Twilio-Signature: whatever\r\nContent-Length: {len(body)}\r\n\r\n"
        ).encode()
        self.port = port
        self.fast, self.slow = (b"", head + body) if slow_headers else (head, body)
        self.stop = stop
        self.answer = b""
        self.ended_at: float | None = None

    def run(self) -> None:
        with socket.create_connection((LOOPBACK, self.port), timeout=30) as sock:
            sock.sendall(self.fast)
            try:
                for byte in self.slow:
                    if self.stop.is_set():
                        return
                    sock.sendall(bytes([byte]))
                    # Wait between bytes, but read the server's answer as soon as it comes.
                    readable, _, _ = select.select([sock], [], [], TRICKLE_SECONDS)
                    if readable:
                        break
                self.answer = sock.recv(200)
            except OSError:
                pass  # the server cut us off (a reset may overtake its 408)
            self.ended_at = time.monotonic()


def _signed_call(port: int) -> float:
    url = f"http://{LOOPBACK}:{port}/voice/incoming"
    sid = "CA" + uuid.uuid4().hex
    form = {
        "AccountSid": "AC" + "0" * 32,
        "CallSid": sid,
        "From": "+33611112222",
        "To": "+33100000000",
        "CallStatus": "ringing",
    }
    signature = RequestValidator(AUTH_TOKEN).compute_signature(url, form)
    started = time.monotonic()
    response = requests.post(url, data=form, headers={"X-Twilio-Signature": signature}, timeout=10)
    elapsed = time.monotonic() - started
    assert response.status_code == 200 and "<Gather" in response.text
    return elapsed


def test_two_slow_clients_do_not_delay_signed_requests(redis_server, redis, tmp_path):
    port = free_port()
    env = {
        **os.environ,
        "HOTLINE_MODE": "production",
        "REDIS_URL": redis_server.url,
        "TWILIO_AUTH_TOKEN": AUTH_TOKEN,
        "HOTLINE_SECRET_KEY": SECRET_KEY,
        "AUDIO_DIR": str(tmp_path / "audio"),
    }
    server = Gunicorn("web", port, web_command(port, HOTLINE_APP, env), env, tmp_path / "web.log")
    stop = threading.Event()
    server.start()
    try:
        server.wait_ready("/healthz", timeout=90)  # each worker builds the app: slow under load
        slow = [Trickler(port, slow_headers=flag, stop=stop) for flag in (True, False)]
        began = time.monotonic()
        for client in slow:
            client.start()
        time.sleep(1.0)  # both are being read by now
        latencies = [_signed_call(port) for _ in range(10)]
        assert max(latencies) < 2.0, latencies

        # The slow body is cut off at its deadline: answered 408 and closed (under heavy load the
        # close's reset may overtake the answer). The slow headers go on: they hold one thread,
        # and a buffering proxy in front never lets them through.
        slow[1].join(timeout=BODY_SECONDS + 10)
        assert slow[1].ended_at is not None and slow[1].ended_at - began < BODY_SECONDS + 3
        assert not slow[1].answer or slow[1].answer.startswith(b"HTTP/1.1 408"), slow[1].answer
    finally:
        stop.set()
        server.stop()
    cut = slow[1].answer[:12].decode() or "closed"
    print(f"\nbeside two slow clients: signed max {max(latencies) * 1000:.0f} ms; slow body: {cut}")
