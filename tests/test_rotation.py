"""`flask secrets rotate`: every number re-sealed and every caller key re-keyed under the new
HOTLINE_SECRET_KEY; killed half-way and run again, nothing is lost."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time
from datetime import date
from pathlib import Path

import pytest

from app import create_app
from hotline import keys
from hotline.identity import caller_key, open_number
from hotline.keyring import KeyMismatch, Keyring, key_id
from hotline.language_choice import LanguageChoices
from tests.conftest import AUTH_TOKEN, NOW, SECRET_KEY, make_settings
from wiring.web import web_parts

OLD, NEW = SECRET_KEY, "the-new-secret-key-" + "n" * 30
COUNT = 10_000
FLASK = str(Path(sys.executable).parent / "flask")


def numbers(count: int = COUNT) -> list[str]:
    return [f"+3361{n:07d}" for n in range(count)]


def rotate_command(redis_url: str) -> tuple[list[str], dict[str, str]]:
    env = {
        **os.environ,
        "HOTLINE_MODE": "production",
        "REDIS_URL": redis_url,
        "TWILIO_AUTH_TOKEN": AUTH_TOKEN,
        "HOTLINE_SECRET_KEY": NEW,
        "HOTLINE_SECRET_KEY_PREVIOUS": OLD,
        "PYTHONUNBUFFERED": "1",  # progress lines as they come
    }
    return [FLASK, "--app", "app", "secrets", "rotate"], env


@pytest.fixture
def old_hotline(redis, redis_server):
    """The hotline as it ran before the rotation: 10,000 registrations under the old key."""
    hotline = web_parts(create_app(make_settings(redis_server.url, secret_key=OLD)))
    store = hotline.reminders.store
    for number in numbers():
        store.register(
            caller=caller_key(OLD, number),
            number=number,
            lang="fr",
            prefecture="val-de-marne",
            expiry=date(2027, 3, 15),
            channel="sms",
            first_index=0,
            first_due=NOW,
            now=NOW,
        )
    hotline.redis.set(keys.LANGUAGE_CHOICE.format(caller=caller_key(OLD, numbers()[7])), "ar")
    return hotline


def test_rotation_killed_half_way_then_resumed_loses_nothing(old_hotline, redis, redis_server):
    queued = old_hotline.outbound.enqueue(numbers()[3], "Bonjour")  # an SMS waiting in the queue
    args, env = rotate_command(redis_server.url)
    rotating = subprocess.Popen(
        args,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
    )
    deadline = time.monotonic() + 120
    assert rotating.stdout is not None
    for line in rotating.stdout:
        found = re.search(r"(\d+) rotated", line)
        if found and int(found.group(1)) >= COUNT // 2:
            break
        assert time.monotonic() < deadline, "no progress from the rotation"
    os.killpg(rotating.pid, signal.SIGKILL)
    rotating.wait(timeout=10)

    old_callers = {caller_key(OLD, n) for n in numbers()}
    members = {m.decode() for m, _ in redis.zscan_iter(keys.REMINDERS_DUE)}
    left = len(members & old_callers)
    assert 0 < left < COUNT, "killed half-way: some moved, some not"
    assert len(members) == COUNT  # each registration wholly old or wholly new, none lost
    assert redis.get(keys.SECRET_KEY_ID).decode() == key_id(OLD)  # not done: old key still valid

    resumed = subprocess.run(args, env=env, capture_output=True, text=True, timeout=300)
    assert resumed.returncode == 0, resumed.stderr
    # what the killed run moved is skipped (ZSCAN may list a moved member twice: skipped again)
    assert re.search(rf"done in .*\b{left} rotated", resumed.stdout), resumed.stdout

    # Everything opens under the new key alone, under the new caller keys.
    new_only = web_parts(create_app(make_settings(redis_server.url, secret_key=NEW)))
    store = new_only.reminders.store
    assert store.count() == COUNT and new_only.reminders.quarantine.count() == 0
    for number in numbers():
        registration = store.get(caller_key(NEW, number))
        assert registration is not None and registration.number == number
    assert not any(redis.exists(keys.REGISTRATION.format(caller=c)) for c in old_callers)
    assert LanguageChoices(redis).get(caller_key(NEW, numbers()[7])) == "ar"
    message = new_only.outbound.store.load(queued)
    assert message is not None and message.caller == caller_key(NEW, numbers()[3])
    assert open_number(NEW, message.sealed_to or "") == numbers()[3]

    # From now on only the new key starts a process.
    assert redis.get(keys.SECRET_KEY_ID).decode() == key_id(NEW)
    with pytest.raises(KeyMismatch):
        Keyring(OLD).check(redis)
