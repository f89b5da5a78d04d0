"""The composition root of `flask audio build` where a deployment's settings are absent.

A slug is built without the deployment's secrets (and must not need them): building the audio
reads only the catalogs, the prefecture profile (PREFECTURE) and where the audio goes (AUDIO_DIR).
No Redis, no Twilio, no secret key. ``app.py`` serves this app to the flask command line when the
full settings are missing, so ``flask --app app audio build`` works in a build step as anywhere.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path

from flask import Flask
from flask.cli import AppGroup

from audio import cli as audio_commands
from audio.inventory import Inventory
from audio.library import AudioLibrary
from content.prefecture import available_prefectures
from hotline.logs import setup_logging
from hotline.parts import install
from hotline.settings import Settings, SettingsError
from ivr.speech import Speaker
from wiring.shared import build_content
from wiring.web import EXTRA_VOICE_KEYS


def build_settings(environ: Mapping[str, str] | None = None) -> Settings:
    """PREFECTURE and AUDIO_DIR only; every other field keeps its default and is never used."""
    env = os.environ if environ is None else environ
    defaults = Settings()
    prefecture = (env.get("PREFECTURE") or "").strip() or defaults.prefecture
    if prefecture not in available_prefectures():
        raise SettingsError([f"PREFECTURE {prefecture!r} has no profile"])
    audio_dir = Path((env.get("AUDIO_DIR") or "").strip() or defaults.audio_dir)
    return Settings(prefecture=prefecture, audio_dir=audio_dir)


def create_build_app(environ: Mapping[str, str] | None = None) -> Flask:
    """An app whose only command is `flask audio build`."""
    setup_logging()
    settings = build_settings(environ)
    content = build_content(settings)
    audio = AudioLibrary(settings.audio_dir)
    inventory = Inventory.of(Speaker(content, audio), content, EXTRA_VOICE_KEYS)
    app = Flask("app")
    install(app, {Inventory: inventory, AudioLibrary: audio})
    group = AppGroup("audio", help="Pre-rendered audio (only `build` without the settings).")
    group.add_command(audio_commands.build)
    app.cli.add_command(group)
    return app
