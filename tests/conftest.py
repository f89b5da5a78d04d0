"""Fixtures: a real Redis server for the session, the app on it, a real HTTP server, callers."""

from __future__ import annotations

import os
import shutil
import threading
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path

import pytest
from redis import Redis
from werkzeug.serving import make_server

from app import create_app
from audio.build import Builder
from audio.engines import engine_chooser
from audio.inventory import Inventory
from audio.voices import load_voices
from devtools.embedded_redis import EmbeddedRedis
from hotline.clock import PARIS, FixedClock
from hotline.settings import Settings
from tests.caller import Caller, spoken_texts
from tests.texter import Texter
from wiring.web import EXTRA_VOICE_KEYS, build_web_parts, web_parts

AUTH_TOKEN = "test-auth-token-0123456789abcdef"
SECRET_KEY = "test-secret-key-0123456789abcdef-0123456789"
#: An audio folder that never exists.
NO_AUDIO = Path(__file__).parent / "no-audio-here"


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
        # Never the developer's audio/build (make run fills it): calls use <Say> unless a test
        # builds audio of its own.
        audio_dir=NO_AUDIO,
    )
    values.update(overrides)
    return Settings(**values)


@pytest.fixture
def settings(redis, redis_server, tmp_path) -> Settings:
    # An empty audio folder: calls use <Say> unless a test builds audio (a developer's own
    # audio/build must not change what tests hear).
    return make_settings(redis_server.url, audio_dir=tmp_path / "audio")


#: The tests' "now": a Thursday afternoon in Paris.
NOW = datetime(2026, 11, 26, 15, 0, tzinfo=PARIS)


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock(NOW)


@pytest.fixture
def app(settings, clock):
    return create_app(settings, clock=clock)


@pytest.fixture
def hotline(app):
    return web_parts(app)


@pytest.fixture
def language_key(hotline):
    """The key that picks a language on the first page of the language menu."""

    def key(lang: str) -> str:
        return str(hotline.flow.languages.index(lang) + 1)

    return key


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

    texts = spoken_texts(hotline)

    def make(**kwargs) -> Caller:
        return Caller(live_server.url, AUTH_TOKEN, texts, audio=hotline.audio, **kwargs)

    return make


@pytest.fixture
def caller(new_caller) -> Caller:
    return new_caller()


@pytest.fixture
def new_texter(live_server):
    """Make people who text: ``new_texter()`` or ``new_texter(number="+44...")``."""

    def make(**kwargs) -> Texter:
        return Texter(live_server.url, AUTH_TOKEN, **kwargs)

    return make


@pytest.fixture
def texter(new_texter) -> Texter:
    return new_texter()


# Outbound SMS: the fake Twilio, the app sending to it, real RQ workers.
pytest_plugins = ("tests.sms_fixtures",)


# --- audio rendered offline (espeak-ng) -----------------------------------------------------------


@pytest.fixture(scope="session")
def espeak_ng() -> str:
    """The espeak-ng binary: CI must have it (.ci/run installs it); locally its absence skips."""
    binary = shutil.which("espeak-ng")
    if binary is None:
        if os.environ.get("CI") == "true":
            pytest.fail("espeak-ng is missing in CI (.ci/run installs it with apt-get)")
        pytest.skip("espeak-ng is not installed (apt-get install espeak-ng)")
    return binary


@pytest.fixture(scope="session")
def espeak_audio(tmp_path_factory, espeak_ng, redis_server):
    """Every voice prompt and date clip of every language espeak-ng speaks, rendered once for the
    session (Dari, Pashto, Tigrinya and Somali have no synthetic voice: they are recorded)."""
    directory = tmp_path_factory.mktemp("espeak-audio")
    hotline = build_web_parts(make_settings(redis_server.url, audio_dir=directory))
    inventory = Inventory.of(hotline.speaker, hotline.content, EXTRA_VOICE_KEYS)
    builder = Builder(directory, engine_chooser(load_voices(), "espeak"))
    voices = load_voices()
    speakable = [lang for lang in hotline.content.catalogs if "espeak" in voices[lang].engine_codes]
    report = builder.build(inventory.texts(speakable))  # the prompts and the date clips
    assert report.ok, [o.detail for o in report.outcomes if o.detail]
    return directory
