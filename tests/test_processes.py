"""Every process of the Procfile, and the flask CLI, started as production starts them with wrong
settings: one line per problem, a non-zero exit, once, within seconds.

gunicorn checks the settings in its master before forking (wiring/gunicorn_conf.py), so no worker
boots, dies and is respawned; the RQ worker never starts taking jobs; the clock exits without a
traceback.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from bench.servers import free_port, procfile_command, web_command

pytestmark = pytest.mark.slow

#: Long enough for Python to start and import the app on a busy 2-CPU machine (about 3 s idle).
EXIT_WITHIN = 30.0

#: Production settings with two wrong values and three missing ones.
WRONG = {
    "HOTLINE_MODE": "production",
    "REDIS_URL": "http://redis.example.org",
    "HOTLINE_SECRET_KEY": "too-short",
}
PROBLEMS = (
    "REDIS_URL must start with",
    "HOTLINE_SECRET_KEY must be at least 32 characters",
    "TWILIO_AUTH_TOKEN is required",
)


def environment() -> dict[str, str]:
    venv_bin = str(Path(sys.executable).parent)
    return {
        "PATH": f"{venv_bin}:{os.environ['PATH']}",
        "HOME": os.environ.get("HOME", "/"),
        **WRONG,
    }


def commands() -> dict[str, list[str]]:
    env = environment()
    return {
        "web": web_command(free_port(), "app:app", env),
        "worker": procfile_command("worker", env),
        "clock": procfile_command("clock", env),
        "flask": [
            str(Path(sys.executable).with_name("flask")),
            "--app",
            "app",
            "reminders",
            "list",
        ],
    }


@pytest.mark.parametrize("process", ["web", "worker", "clock", "flask"])
def test_a_process_with_wrong_settings_says_why_and_exits_once(process):
    started = time.monotonic()
    done = subprocess.run(
        commands()[process],
        env=environment(),
        capture_output=True,
        text=True,
        timeout=EXIT_WITHIN * 2,  # a process that never exits fails here instead of hanging
    )
    elapsed = time.monotonic() - started

    assert done.returncode != 0
    assert elapsed < EXIT_WITHIN
    output = done.stdout + done.stderr
    # Once: "The hotline cannot start; fix its configuration:" (the flask CLI says which of its
    # commands still work without the settings, then refuses the one asked for).
    assert sum(line.startswith("The hotline") for line in output.splitlines()) == 1
    lines = [line for line in done.stderr.splitlines() if line.startswith(" - ")]
    assert len(lines) == len(PROBLEMS)  # one line per problem
    for problem in PROBLEMS:
        assert any(problem in line for line in lines), problem
    assert "Traceback" not in output
    assert "Booting worker" not in output  # gunicorn forked nothing
