"""The operators' console over HTTP (Flask's test client) and its parts: accounts from the CLI,
login and its throttle, CSRF, the session cookie, the counts behind the pages, the review patch,
the CSV export and /metrics. The browser walk is tests/test_console_browser.py."""

from __future__ import annotations

import dataclasses
import re
import subprocess
import tomllib
from pathlib import Path

import pytest

from app import create_app
from console.operators import OperatorStore
from console.stats import percentile, read_days, shown, total
from content.catalog import CATALOGS_DIR, load_catalogs
from content.review import changed_since_review, read_review
from insights.events import event
from tests.conftest import NOW

PASSWORD = "correct horse battery"
METRICS_TOKEN = "metrics-token-0123456789"
ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture
def settings(settings, tmp_path):
    return dataclasses.replace(
        settings, review_dir=tmp_path / "reviews", metrics_token=METRICS_TOKEN
    )


@pytest.fixture
def operator(app) -> str:
    result = app.test_cli_runner().invoke(args=["operators", "add", "amina"], input=PASSWORD + "\n")
    assert result.exit_code == 0, result.output
    return "amina"


def csrf_of(page: str) -> str:
    match = re.search(r'name="csrf_token" value="([^"]+)"', page)
    assert match, "the form carries no CSRF token"
    return match.group(1)


def log_in(client, name: str = "amina", password: str = PASSWORD):
    token = csrf_of(client.get("/console/login").get_data(as_text=True))
    return client.post(
        "/console/login", data={"username": name, "password": password, "csrf_token": token}
    )


# --- accounts ----------------------------------------------------------------------------------


def test_operators_from_the_cli_never_take_a_password_as_an_argument(app, operator, redis):
    runner = app.test_cli_runner()
    assert runner.invoke(args=["operators", "list"]).output.split() == ["amina"]
    stored = redis.hget("hl:operator:amina", "hash").decode()
    assert stored.startswith("$argon2id$") and PASSWORD not in stored
    again = runner.invoke(args=["operators", "add", "amina"], input=PASSWORD + "\n")
    assert again.exit_code != 0 and "already exists" in again.output
    short = runner.invoke(args=["operators", "add", "bob"], input="short\n")
    assert short.exit_code != 0 and "at least 12" in short.output
    assert runner.invoke(args=["operators", "add", "bob", PASSWORD]).exit_code != 0
    reset = runner.invoke(args=["operators", "reset", "amina"], input="another long password\n")
    assert reset.exit_code == 0
    assert OperatorStore(redis).verify("amina", PASSWORD) is None
    assert OperatorStore(redis).verify("amina", "another long password") is not None
    assert runner.invoke(args=["operators", "remove", "amina"]).exit_code == 0
    assert runner.invoke(args=["operators", "list"]).output.split() == []


def test_login_opens_the_console_and_a_reset_password_ends_the_session(app, client, operator):
    assert client.get("/console/").status_code == 302  # not logged in: to the login page
    answer = log_in(client)
    assert answer.status_code == 302 and answer.headers["Location"].endswith("/console/")
    assert client.get("/console/").status_code == 200
    app.test_cli_runner().invoke(args=["operators", "reset", "amina"], input="a new password!!\n")
    assert client.get("/console/").status_code == 302


def test_wrong_passwords_are_throttled_per_account_even_with_the_right_one_after(client, operator):
    for _ in range(5):
        assert log_in(client, password="wrong password!").status_code == 401
    throttled = log_in(client)
    assert throttled.status_code == 429
    assert "15 minutes" in throttled.get_data(as_text=True)


def test_throttled_per_address_across_accounts(client, operator):
    for n in range(20):
        assert log_in(client, name=f"guess{n}", password="wrong password!").status_code == 401
    assert log_in(client).status_code == 429


def test_csrf_refused_without_its_token(client, operator, tmp_path):
    token = csrf_of(client.get("/console/login").get_data(as_text=True))
    bare = {"username": "amina", "password": PASSWORD}
    assert client.post("/console/login", data=bare).status_code == 400
    wrong = client.post("/console/login", data={**bare, "csrf_token": token[::-1]})
    assert wrong.status_code == 400
    assert log_in(client).status_code == 302
    assert client.post("/console/content/ti/reviewed", data={"reviewer": "x"}).status_code == 400
    assert client.post("/console/logout").status_code == 400
    assert not (tmp_path / "reviews").exists()


def test_session_cookie_is_secure_httponly_strict_and_only_for_the_console(client, operator):
    cookie = log_in(client).headers["Set-Cookie"]
    for flag in ("Secure", "HttpOnly", "SameSite=Strict", "Path=/console"):
        assert flag in cookie


def test_in_development_on_loopback_http_the_cookie_is_not_secure(settings, clock, redis):
    app = create_app(dataclasses.replace(settings, mode="development"), clock=clock)
    OperatorStore(redis).add("amina", PASSWORD)
    client = app.test_client()
    token = csrf_of(client.get("http://127.0.0.1/console/login").get_data(as_text=True))
    form = {"username": "amina", "password": PASSWORD, "csrf_token": token}
    cookie = client.post("http://127.0.0.1/console/login", data=form).headers["Set-Cookie"]
    assert "Secure" not in cookie and "HttpOnly" in cookie


# --- counts -------------------------------------------------------------------------------------


def test_calls_are_counted_once_per_place_and_by_how_they_ended(hotline, new_caller, language_key):
    informed = new_caller()
    informed.dial()
    informed.press(language_key("fr"))
    informed.press("1")  # the steps walk
    for _ in range(6):  # to the last of the 7 steps
        informed.press("1")
    informed.press("*")
    informed.press("1")  # the steps again: still one call that reached them
    informed.hang_up()
    lost = new_caller()
    lost.dial()
    for _ in range(3):
        lost.silence()
    lost.hang_up()
    lost.hang_up()  # Twilio may repeat a callback: counted once

    counts = total(read_days(hotline.redis, NOW.date(), NOW.date()).values())
    assert counts[event("call_started")] == 2
    assert counts[event("call_reached", "language")] == 2
    assert counts[event("call_reached", "main")] == 1
    assert counts[event("call_reached", "steps.1")] == 1
    assert counts[event("call_reached", "steps.7")] == 1
    assert counts[event("call_missed", "language", "silence")] == 3
    assert counts[event("call_ended", "fr", "informed")] == 1
    assert counts[event("call_ended", "-", "goodbye_after_misses")] == 1
    assert counts[event("call_length", "60")] == 2  # CallDuration 42


def test_call_length_percentiles_come_from_the_buckets():
    from collections import Counter

    lengths = Counter({"30": 5, "60": 4, "600": 1})
    assert percentile(lengths, 0.5) == "≤ 30 s"
    assert percentile(lengths, 0.9) == "≤ 60 s"
    assert percentile(Counter({"30": 4}), 0.5) is None  # too few calls to say


def test_small_counts_are_shown_as_less_than_five():
    assert [shown(n) for n in (0, 1, 4, 5, 12)] == ["0", "<5", "<5", "5", "12"]
    assert shown("fr") == "fr"


# --- review -------------------------------------------------------------------------------------


def test_mark_reviewed_writes_a_patch_that_git_applies(client, operator, tmp_path, hotline):
    log_in(client)
    page = client.get("/console/content/ti").get_data(as_text=True)
    assert hotline.content.raw("voice.main.title", "ti") in page  # side by side
    assert hotline.content.raw("voice.main.title", "fr") in page
    answer = client.post(
        "/console/content/ti/reviewed", data={"reviewer": "Selam T.", "csrf_token": csrf_of(page)}
    )
    assert answer.status_code == 302
    patches = list((tmp_path / "reviews").glob("ti-reviewed-*.patch"))
    assert len(patches) == 1
    # The catalog itself is untouched: the change is for a person to commit.
    assert 'status = "draft"' in (CATALOGS_DIR / "ti.toml").read_text(encoding="utf-8")

    copy = tmp_path / "repo"
    (copy / "content").mkdir(parents=True)
    subprocess.run(["cp", "-r", str(CATALOGS_DIR), str(copy / "content")], check=True)
    subprocess.run(["git", "init", "-q", str(copy)], check=True)
    subprocess.run(["git", "-C", str(copy), "apply", str(patches[0])], check=True)
    applied = copy / "content" / "catalogs" / "ti.toml"
    meta = tomllib.loads(applied.read_text(encoding="utf-8"))["meta"]
    assert meta["status"] == "reviewed"
    assert meta["review"]["reviewer"] == "Selam T." and meta["review"]["date"] == "2026-11-26"
    review = read_review(applied)
    assert changed_since_review(hotline.content, "ti", review) == []
    assert len(changed_since_review(hotline.content, "ti", read_review(CATALOGS_DIR / "ti.toml")))
    assert load_catalogs(copy / "content" / "catalogs")["ti"].status == "reviewed"

    audit = client.get("/console/audit").get_data(as_text=True)
    assert "mark reviewed" in audit and "amina" in audit and "Selam T." in audit


# --- export and metrics -------------------------------------------------------------------------


def test_csv_export_shows_small_counts_as_less_than_five_and_is_audited(client, operator, caller):
    caller.dial()
    caller.hang_up()
    log_in(client)
    answer = client.get("/console/export/calls_by_day.csv?days=7")
    assert answer.status_code == 200 and answer.mimetype == "text/csv"
    rows = answer.get_data(as_text=True).splitlines()
    assert rows[0].startswith("period,calls")
    assert rows[-1].startswith(f"{NOW.date().isoformat()},<5")
    assert "export" in client.get("/console/audit").get_data(as_text=True)
    assert client.get("/console/export/nothing.csv").status_code == 404


def test_metrics_refused_without_the_token(client, caller, settings, clock):
    caller.dial()
    assert client.get("/metrics").status_code == 401
    assert client.get("/metrics", headers={"Authorization": "Bearer nope"}).status_code == 401
    answer = client.get("/metrics", headers={"Authorization": f"Bearer {METRICS_TOKEN}"})
    assert answer.status_code == 200
    assert re.search(r"^hotline_call_started_total \d", answer.get_data(as_text=True), re.M)
    unset = create_app(dataclasses.replace(settings, metrics_token=None), clock=clock)
    assert unset.test_client().get("/metrics").status_code == 403


def test_sms_are_counted_by_keyword_and_an_unknown_text_is_never_kept(hotline, new_texter, redis):
    texter = new_texter(number="+33612340000")
    texter.text("AIDE")
    texter.text("my secret words 0612340000")
    counts = total(read_days(hotline.redis, NOW.date(), NOW.date()).values())
    assert counts[event("sms_received", "help", "fr")] == 1
    assert counts[event("sms_received", "unknown", "fr")] == 1
    stored = b"".join(
        field + value
        for key in redis.keys("hl:stats:*")
        for field, value in redis.hgetall(key).items()
    )
    assert b"secret" not in stored and b"0612340000" not in stored


def test_the_console_has_every_word_in_english_and_french():
    from console.i18n import labels

    assert set(labels()["en"]) == set(labels()["fr"])
