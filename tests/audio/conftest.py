"""Fixtures for the audio tests: espeak-ng (required in CI), the hotline's texts, a builder."""

from __future__ import annotations

import pytest

from audio.build import Builder, RetryPolicy
from audio.inventory import Inventory
from audio.recordings import RecordingStore
from tests.audio.fakes import StubEngine, stub_chooser
from wiring.web import EXTRA_VOICE_KEYS


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
