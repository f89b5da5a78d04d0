"""The deploy steps: `flask audio build` in a build with no settings (no Redis, no Twilio token,
no secret), and `flask release` refusing a release whose audio or content is not ready."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

from app import create_app
from tests.conftest import make_settings

ROOT = Path(__file__).resolve().parent.parent
FLASK = str(Path(sys.executable).parent / "flask")
LANGS = ("--lang", "en", "--lang", "ti")  # one espeak-ng speaks, one no engine speaks


def bare_env(**extra: str) -> dict[str, str]:
    """What a buildpack's build has: a PATH, no hotline settings at all."""
    return {"PATH": os.environ["PATH"], "HOME": os.environ.get("HOME", "/tmp"), **extra}


def test_audio_build_needs_no_redis_no_twilio_and_no_secret(tmp_path, espeak_ng):
    audio = tmp_path / "audio"
    built = subprocess.run(
        [FLASK, "--app", "app", "audio", "build", "--engine", "espeak", *LANGS],
        cwd=tmp_path,  # as in a slug: the app is found on the path, nothing from the checkout
        env=bare_env(AUDIO_DIR=str(audio)),
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert built.returncode == 0, built.stdout + built.stderr
    assert "only `flask audio build` works here" in built.stderr
    assert "TWILIO_AUTH_TOKEN is required" in built.stderr  # says what is missing, and goes on
    assert "ti: " in built.stdout and "awaiting recordings" in built.stdout
    assert (audio / "manifest.json").is_file() and list((audio / "en").glob("*.wav"))


def test_other_commands_without_settings_say_what_is_missing_and_fail(tmp_path):
    listed = subprocess.run(
        [FLASK, "--app", "app", "reminders", "list"],
        cwd=tmp_path,
        env=bare_env(),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert listed.returncode != 0
    assert "HOTLINE_SECRET_KEY is required" in listed.stderr


def test_release_refuses_a_slug_without_its_audio(redis_server, redis, tmp_path):
    runner = create_app(
        make_settings(redis_server.url, audio_dir=tmp_path / "none")
    ).test_cli_runner()
    result = runner.invoke(args=["release"])
    assert result.exit_code == 1
    assert "content OK" in result.output  # the content check ran first
    assert "RELEASE REFUSED: fr: " in result.output and "flask audio build" in result.output
    assert "ti: awaiting recordings" in result.output  # reported, not refused


def test_release_passes_with_the_audio_built_and_refuses_a_stale_file(
    redis_server, redis, espeak_audio, tmp_path
):
    slug_audio = tmp_path / "audio"
    shutil.copytree(espeak_audio, slug_audio)
    runner = create_app(make_settings(redis_server.url, audio_dir=slug_audio)).test_cli_runner()
    passed = runner.invoke(args=["release"])
    assert passed.exit_code == 0, passed.output
    assert "release checks passed" in passed.output

    # A file gone from the slug (a build that stopped half-way): refused.
    victim = next((slug_audio / "en").glob("*.wav"))
    victim.unlink()
    refused = create_app(make_settings(redis_server.url, audio_dir=slug_audio)).test_cli_runner()
    result = refused.invoke(args=["release"])
    assert result.exit_code == 1 and "RELEASE REFUSED: en: 1 of " in result.output


def test_the_procfile_runs_the_release_step_on_heroku_and_scalingo():
    lines = dict(
        line.split(": ", 1) for line in (ROOT / "Procfile").read_text().splitlines() if line
    )
    assert lines["release"] == lines["postdeploy"] == "flask --app app release"
    hook = (ROOT / "bin" / "post_compile").read_text()
    assert "flask --app app audio build" in hook and os.access(
        ROOT / "bin" / "post_compile", os.X_OK
    )
