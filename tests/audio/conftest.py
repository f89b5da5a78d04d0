"""Fixtures for the audio tests: espeak-ng (required in CI), the hotline's texts, a builder."""

from __future__ import annotations

import os
import shutil

import pytest

from audio.build import Builder, RetryPolicy
from audio.inventory import Inventory
from audio.recordings import RecordingStore
from tests.audio.fakes import StubEngine, stub_chooser
from wiring.web import EXTRA_VOICE_KEYS


@pytest.fixture(scope="session")
def espeak_ng() -> str:
    """The espeak-ng binary: CI must have it (.ci/run installs it); locally its absence skips."""
    binary = shutil.which("espeak-ng")
    if binary is None:
        if os.environ.get("CI") == "true":
            pytest.fail("espeak-ng is missing in CI (.ci/run installs it with apt-get)")
        pytest.skip("espeak-ng is not installed (apt-get install espeak-ng)")
    return binary


@pytest.fixture
def inventory(hotline) -> Inventory:
    return Inventory.of(hotline.speaker, hotline.content, EXTRA_VOICE_KEYS)


@pytest.fixture
def recordings(tmp_path) -> RecordingStore:
    return RecordingStore(tmp_path / "recordings")


@pytest.fixture
def stub() -> StubEngine:
    return StubEngine()


@pytest.fixture
def builder(settings, stub, recordings) -> Builder:
    """A builder into the app's audio folder, with the stub engine and no real waiting."""
    return Builder(
        settings.audio_dir,
        stub_chooser(stub),
        recordings,
        retry=RetryPolicy(attempts=3),
        sleep=lambda seconds: None,
    )
