"""A wrong HOTLINE_SECRET_KEY erases nothing: every process refuses to start on it, and a value no
known key opens is quarantined and counted, never deleted."""

from __future__ import annotations

import logging
import os
import subprocess
import sys
from datetime import date, datetime
from pathlib import Path

import pytest

from hotline import keys
from hotline.keyring import KeyMismatch, Keyring, key_id
from reminders.registrations import RegistrationStore
from reminders.schedule import PARIS
from reminders.service import ReminderService
from tests.conftest import AUTH_TOKEN, SECRET_KEY

WRONG_KEY = "a-wrong-secret-key-" + "w" * 30
DUE = datetime(2027, 2, 13, 11, tzinfo=PARIS)  # 30 days before 15 March 2027: every first reminder
BIN = Path(sys.executable).parent
REGISTERED = 20


def register_people(hotline, count: int = REGISTERED) -> list[str]:
    numbers = [f"+336120000{n:02d}" for n in range(count)]
    for number in numbers:
        hotline.reminders.register(
            number=number,
            lang="fr",
            prefecture="val-de-marne",
            expiry=date(2027, 3, 15),
            channel="sms",
            now=hotline.clock.now(),
        )
    return numbers


def environment(redis_url: str, secret: str, **extra: str) -> dict[str, str]:
    return {
        **os.environ,
        "HOTLINE_MODE": "production",
        "REDIS_URL": redis_url,
        "TWILIO_AUTH_TOKEN": AUTH_TOKEN,
        "HOTLINE_SECRET_KEY": secret,
        **extra,
    }


def run(args: list[str], env: dict[str, str]) -> subprocess.CompletedProcess:
    return subprocess.run(args, env=env, capture_output=True, text=True, timeout=120)


def readable(hotline, numbers: list[str]) -> int:
    store = hotline.reminders.store
    return sum(store.get(caller) is not None for caller in map(hotline_caller(hotline), numbers))


def hotline_caller(hotline):
    return lambda number: Keyring(hotline.settings.secret_key).caller_keys(number)[0]


def test_a_reminder_run_with_a_wrong_key_refuses_to_start_and_keeps_everyone(hotline, redis_server):
    numbers = register_people(hotline)
    flask = [str(BIN / "flask"), "--app", "app", "reminders", "send-due", "--now", DUE.isoformat()]
    result = run(flask, environment(redis_server.url, WRONG_KEY))
    assert result.returncode != 0
    said = result.stderr.strip().splitlines()
    assert len(said) == 1 and "HOTLINE_SECRET_KEY" in said[0] and "cannot start" in said[0]
    assert "erased" not in result.stdout
    assert hotline.reminders.store.count() == REGISTERED
    assert readable(hotline, numbers) == REGISTERED

    # the right key still works, from the same command
    result = run(flask, environment(redis_server.url, SECRET_KEY))
    assert result.returncode == 0, result.stderr
    assert f"{REGISTERED} sent" in result.stdout


@pytest.mark.parametrize(
    "command",
    [
        ["python", "-m", "wiring.worker", "--burst"],
        ["python", "-m", "wiring.clock"],
    ],
)
def test_the_worker_and_the_clock_refuse_a_wrong_key(hotline, redis_server, command):
    register_people(hotline, 1)
    args = [str(BIN / command[0]), *command[1:]]
    result = run(args, environment(redis_server.url, WRONG_KEY))
    assert result.returncode != 0
    assert result.stderr.strip().splitlines()[-1].endswith("rotate (docs/deploy.md)")
    assert hotline.reminders.store.count() == 1


def test_the_first_start_records_the_key_and_a_rotation_accepts_the_previous_one(redis):
    assert Keyring(SECRET_KEY).check(redis) == key_id(SECRET_KEY)
    assert redis.get(keys.SECRET_KEY_ID).decode() == key_id(SECRET_KEY)
    with pytest.raises(KeyMismatch):
        Keyring(WRONG_KEY).check(redis)
    assert Keyring(WRONG_KEY, previous=SECRET_KEY).check(redis) == key_id(SECRET_KEY)
    assert key_id(SECRET_KEY) not in SECRET_KEY and len(key_id(SECRET_KEY)) == 16


def test_values_no_key_opens_are_quarantined_counted_and_reported(hotline, redis, client, caplog):
    """Even a process that skipped the check (or a damaged value) deletes nothing."""
    numbers = register_people(hotline)
    wrong = ReminderService(
        RegistrationStore(redis, WRONG_KEY), hotline.content, WRONG_KEY, outbound=_never
    )
    with caplog.at_level(logging.ERROR, logger="hotline.quarantine"):
        total = wrong.send_all_due(DUE)
    assert total == {"quarantined": REGISTERED}
    assert len(caplog.records) == REGISTERED
    assert not any(number[4:] in caplog.text for number in numbers)
    assert wrong.quarantine.count() == REGISTERED
    held = {c["name"]: c for c in client.get("/healthz").json["checks"]}["quarantine"]
    assert held["ok"] and held["degraded"] and held["count"] == REGISTERED

    # nothing was lost: with the right key, `flask secrets quarantine --release` puts them back
    result = client.application.test_cli_runner().invoke(
        args=["secrets", "quarantine", "--release"]
    )
    assert f"{REGISTERED} released" in result.output, result.output
    assert readable(hotline, numbers) == REGISTERED
    assert hotline.reminders.send_all_due(DUE) == {"sent": REGISTERED}
    released = {c["name"]: c for c in client.get("/healthz").json["checks"]}["quarantine"]
    assert released == {"name": "quarantine", "ok": True, "count": 0}


def _never(*args) -> None:
    raise AssertionError("nothing may be sent with a wrong key")
