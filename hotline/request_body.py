"""A request body is read within a time limit, or the request is answered 408 and closed.

A client that sends its headers, then its body one byte a second, holds whatever reads it: a
whole sync worker, or a thread of a threaded one. Twilio sends its small forms at once, so every
body must be complete within ``seconds`` of the first read. The body is read here, before the
app sees it, and handed on in memory (Flask refuses anything above MAX_CONTENT_LENGTH anyway).

Under gunicorn the client socket is in ``environ["gunicorn.socket"]``; a socket timeout only
bounds each recv (a trickle of one byte per recv never trips it), so one watchdog thread per
process shuts the reading side of every socket whose deadline passed: the blocked read returns
at once, and the client gets 408. Behind a buffering proxy (docs/deploy.md) this never triggers.
"""

from __future__ import annotations

import contextlib
import io
import itertools
import os
import socket
import threading
import time
from collections.abc import Callable, Iterable

from flask import Flask

#: Seconds a whole request body may take to arrive.
BODY_SECONDS = 5.0
#: The largest body taken: Twilio's forms are small, anything bigger is a flood.
BODY_LIMIT = 64 * 1024
_CHUNK = 16 * 1024


class _Watchdog:
    """Shuts the reading side of sockets whose deadline passed (one thread per process)."""

    def __init__(self, tick: float = 0.1):
        self.tick = tick
        self.lock = threading.Lock()
        self.deadlines: dict[int, tuple[float, socket.socket]] = {}
        self.ids = itertools.count()
        self.pid = 0

    def watch(self, sock: socket.socket, deadline: float) -> int:
        with self.lock:
            if self.pid != os.getpid():  # first use in this (forked) worker: start its thread
                self.pid = os.getpid()
                threading.Thread(target=self._run, name="body-deadline", daemon=True).start()
            token = next(self.ids)
            self.deadlines[token] = (deadline, sock)
            return token

    def release(self, token: int) -> None:
        with self.lock:
            self.deadlines.pop(token, None)

    def _run(self) -> None:
        while True:
            time.sleep(self.tick)
            now = time.monotonic()
            with self.lock:
                late = [t for t, (deadline, _) in self.deadlines.items() if deadline <= now]
                socks = [self.deadlines.pop(t)[1] for t in late]
            for sock in socks:
                with contextlib.suppress(OSError):  # already closed
                    sock.shutdown(socket.SHUT_RD)


_WATCHDOG = _Watchdog()

StartResponse = Callable[..., object]
WsgiApp = Callable[[dict, StartResponse], Iterable[bytes]]


class BodyWithin:
    """WSGI middleware: read the whole body within ``seconds``, else answer 408."""

    def __init__(self, app: WsgiApp, seconds: float = BODY_SECONDS, limit: int = BODY_LIMIT):
        self.app = app
        self.seconds = seconds
        self.limit = limit

    def __call__(self, environ: dict, start_response: StartResponse) -> Iterable[bytes]:
        raw_length = environ.get("CONTENT_LENGTH") or ""
        if not raw_length:
            return self.app(environ, start_response)
        if not (raw_length.isascii() and raw_length.isdigit()) or int(raw_length) > self.limit:
            return _answer(start_response, "413 Content Too Large")
        body = self._read(environ, int(raw_length))
        if body is None:
            return _answer(start_response, "408 Request Timeout")
        environ["wsgi.input"] = io.BytesIO(body)
        environ["CONTENT_LENGTH"] = str(len(body))
        return self.app(environ, start_response)

    def _read(self, environ: dict, length: int) -> bytes | None:
        stream = environ["wsgi.input"]
        sock = environ.get("gunicorn.socket")
        deadline = time.monotonic() + self.seconds
        token = _WATCHDOG.watch(sock, deadline) if sock is not None else None
        chunks: list[bytes] = []
        remaining = length
        try:
            while remaining > 0 and time.monotonic() < deadline:
                chunk = stream.read(min(remaining, _CHUNK))
                if not chunk:
                    break
                chunks.append(chunk)
                remaining -= len(chunk)
        except OSError:
            return None
        finally:
            if token is not None:
                _WATCHDOG.release(token)
        return b"".join(chunks) if remaining == 0 else None


def guard_bodies(app: Flask) -> None:
    """Refuse bodies over BODY_LIMIT (Flask's own limit too) and read each within BODY_SECONDS:
    how every web app serving webhooks is set up (wiring.web, and bench.floor_app beside it)."""
    app.config["MAX_CONTENT_LENGTH"] = BODY_LIMIT
    app.wsgi_app = BodyWithin(app.wsgi_app, limit=BODY_LIMIT)  # type: ignore[method-assign]


def _answer(start_response: StartResponse, status: str) -> list[bytes]:
    text = status.split(" ", 1)[1].encode() + b"\n"
    headers = [("Content-Type", "text/plain"), ("Content-Length", str(len(text)))]
    start_response(status, [*headers, ("Connection", "close")])
    return [text]
