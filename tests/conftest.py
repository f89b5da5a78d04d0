"""Fixtures: a real Redis server for the session, the app on it, a real HTTP server, callers."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from redis import Redis
from werkzeug.serving import make_server

from app import create_app
from hotline.embedded_redis import EmbeddedRedis
from hotline.settings import Settings
from tests.caller import Caller

AUTH_TOKEN = "test-auth-token-0123456789abcdef"
SECRET_KEY = "test-secret-key-0123456789abcdef-0123456789"


@pytest.fixture(scope="session")
def redis_server(tmp_path_factory) -> Iterator[EmbeddedRedis]:
    server = EmbeddedRedis(tmp_path_factory.mktemp("redis"), persist=False).start()
    yield server
    server.stop()


@pytest.fixture
def redis(redis_server) -> Iterator[Redis]:
    client = Redis.from_url(redis_server.url)
    client.flushall()
    yield client
    client.flushall()
    client.close()


def make_settings(redis_url: str, **overrides) -> Settings:
    values = dict(
        mode="production",
        redis_url=redis_url,
        twilio_auth_token=AUTH_TOKEN,
        secret_key=SECRET_KEY,
        prefecture="val-de-marne",
        audio_dir=Path("audio/build"),
    )
    values.update(overrides)
    return Settings(**values)


@pytest.fixture
def settings(redis, redis_server) -> Settings:
    return make_settings(redis_server.url)


@pytest.fixture
def app(settings):
    return create_app(settings)


@pytest.fixture
def hotline(app):
    return app.extensions["hotline"]


@pytest.fixture
def client(app):
    return app.test_client()


class LiveServer:
    """The app behind a real HTTP server on a loopback port, in a thread."""

    def __init__(self, app):
        self.server = make_server("127.0.0.1", 0, app, threaded=True)
        self.url = f"http://127.0.0.1:{self.server.server_port}"
        self.thread = threading.Thread(
            target=self.server.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True
        )

    def __enter__(self) -> LiveServer:
        self.thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.server.shutdown()
        self.thread.join()


@pytest.fixture
def live_server(app) -> Iterator[LiveServer]:
    with LiveServer(app) as server:
        yield server


@pytest.fixture
def new_caller(live_server, hotline):
    """Make callers: ``new_caller()`` or ``new_caller(number="+44...")``."""

    def make(**kwargs) -> Caller:
        return Caller(live_server.url, AUTH_TOKEN, hotline, **kwargs)

    return make


@pytest.fixture
def caller(new_caller) -> Caller:
    return new_caller()


# Outbound SMS: the fake Twilio, the app sending to it, real RQ workers.
pytest_plugins = ("tests.sms_fixtures",)
