"""`make cli ARGS="..."`: the README's flask commands on the hotline `make run` is running, from
another terminal (make run writes var/run.env with its Redis and mode, removed at the end)."""

from __future__ import annotations

import subprocess
from datetime import date
from pathlib import Path

from app import create_app
from devtools.devrun import write_run_env
from hotline.settings import DEV_SECRET_KEY
from tests.conftest import make_settings
from wiring.web import web_parts

ROOT = Path(__file__).resolve().parent.parent


def make_cli(args: str, run_env: Path) -> subprocess.CompletedProcess:
    return subprocess.run(
        ["make", "--no-print-directory", "cli", f"ARGS={args}", f"RUN_ENV={run_env}"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_make_cli_reaches_the_running_hotlines_redis(redis_server, redis, tmp_path):
    # What make run's web process would have registered, in development mode.
    running = create_app(
        make_settings(redis_server.url, mode="development", secret_key=DEV_SECRET_KEY)
    )
    web_parts(running).reminders.register(
        number="+33612340099",
        lang="fr",
        prefecture="val-de-marne",
        expiry=date(2027, 3, 15),
        channel="sms",
        now=web_parts(running).clock.now(),
    )
    run_env = tmp_path / "run.env"
    write_run_env({"HOTLINE_MODE": "development", "REDIS_URL": redis_server.url}, run_env)
    listed = make_cli("reminders list", run_env)
    assert listed.returncode == 0, listed.stderr
    assert "2027-03-15" in listed.stdout and "+33…99" in listed.stdout
    assert "+33612340099" not in listed.stdout


def test_make_cli_without_make_run_says_so(tmp_path):
    result = make_cli("reminders list", tmp_path / "absent.env")
    assert result.returncode != 0
    assert "make run is not running" in result.stderr
