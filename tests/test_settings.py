"""Settings come from the environment and say clearly what is wrong."""

from __future__ import annotations

from pathlib import Path

import pytest

from hotline.settings import DEV_AUTH_TOKEN, DEV_SECRET_KEY, SettingsError
from wiring.settings import read_settings

PRODUCTION = {
    "REDIS_URL": "redis://redis.internal:6379/0",
    "TWILIO_AUTH_TOKEN": "tok",
    "HOTLINE_SECRET_KEY": "k" * 40,
}


def test_production_needs_redis_token_and_secret():
    with pytest.raises(SettingsError) as error:
        read_settings({})
    text = str(error.value)
    assert "REDIS_URL is required" in text
    assert "TWILIO_AUTH_TOKEN is required" in text
    assert "HOTLINE_SECRET_KEY is required" in text
    assert len(error.value.problems) == 3


def test_a_complete_production_environment():
    settings = read_settings(
        {**PRODUCTION, "PUBLIC_BASE_URL": "https://hotline.example.org/", "AUDIO_DIR": "/srv/a"}
    )
    assert settings.mode == "production" and not settings.development
    assert settings.public_base_url == "https://hotline.example.org"
    assert settings.audio_dir == Path("/srv/a")
    assert settings.prefecture == "val-de-marne"
    assert not settings.sends_real_sms


def test_development_mode_fills_in_local_defaults():
    settings = read_settings({"HOTLINE_MODE": "development"})
    assert settings.development
    assert settings.twilio_auth_token == DEV_AUTH_TOKEN
    assert len(settings.secret_key) >= 32


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"HOTLINE_MODE": "staging"}, "HOTLINE_MODE must be one of"),
        ({"REDIS_URL": "http://x"}, "REDIS_URL must start with"),
        ({"HOTLINE_SECRET_KEY": "short"}, "at least 32 characters"),
        ({"PUBLIC_BASE_URL": "http://hotline.example.org"}, "PUBLIC_BASE_URL must be an https://"),
        ({"PUBLIC_BASE_URL": "ftp://x"}, "PUBLIC_BASE_URL must be an https://"),
        ({"TWILIO_API_BASE_URL": "http://10.0.0.1"}, "TWILIO_API_BASE_URL must be an https://"),
        ({"TWILIO_ACCOUNT_SID": "XY123"}, "TWILIO_ACCOUNT_SID must start with AC"),
        ({"PREFECTURE": "atlantis"}, "PREFECTURE 'atlantis' has no profile"),
    ],
)
def test_each_wrong_value_is_named(change, message):
    with pytest.raises(SettingsError) as error:
        read_settings({**PRODUCTION, **change})
    assert message in str(error.value)


@pytest.mark.parametrize(
    "url", ["http://127.0.0.1:5000", "http://localhost:8080", "http://[::1]:5000"]
)
def test_plain_http_is_accepted_on_loopback(url):
    assert read_settings({**PRODUCTION, "PUBLIC_BASE_URL": url}).public_base_url == url


def test_real_sms_needs_an_account(monkeypatch):
    settings = read_settings(
        {**PRODUCTION, "TWILIO_ACCOUNT_SID": "AC" + "1" * 32, "TWILIO_FROM": "+33100000000"}
    )
    assert settings.sends_real_sms


def test_the_app_refuses_to_start_with_a_clear_message(monkeypatch, capsys):
    import importlib

    for name in ("REDIS_URL", "TWILIO_AUTH_TOKEN", "HOTLINE_SECRET_KEY", "HOTLINE_MODE"):
        monkeypatch.delenv(name, raising=False)
    module = importlib.import_module("app")
    module.__dict__.pop("app", None)
    with pytest.raises(SystemExit) as exit_:
        module.app  # noqa: B018 - the gunicorn entry point
    assert exit_.value.code == 2
    message = capsys.readouterr().err
    assert "fix its configuration" in message
    assert "HOTLINE_SECRET_KEY is required" in message


def test_reminder_days_and_retention_are_settable():
    settings = read_settings(
        {**PRODUCTION, "REMINDER_DAYS": "-20, -5, 2", "REMINDER_RETENTION_DAYS": "10"}
    )
    assert settings.reminder_policy.offsets == (-20, -5, 2)
    assert settings.reminder_policy.retention_days == 10
    assert read_settings(PRODUCTION).reminder_policy.offsets == (-30, -14, -7, 1)


@pytest.mark.parametrize(
    "change",
    [{"REMINDER_DAYS": "-7,-14"}, {"REMINDER_DAYS": "soon"}, {"REMINDER_RETENTION_DAYS": "x"}],
)
def test_reminder_settings_that_make_no_sense_are_named(change):
    with pytest.raises(SettingsError) as error:
        read_settings({**PRODUCTION, **change})
    assert "REMINDER_DAYS must be days relative to the ADP's expiry" in str(error.value)


DEV = {"HOTLINE_MODE": "development"}
REAL_ACCOUNT = {"TWILIO_ACCOUNT_SID": "AC" + "1" * 32, "TWILIO_FROM": "+33100000000"}


@pytest.mark.parametrize(
    ("environment", "refused"),
    [
        # A real account in development mode, with the public token or secret filled in.
        ({**DEV, **REAL_ACCOUNT, "TWILIO_AUTH_TOKEN": "real-token"}, ["HOTLINE_SECRET_KEY"]),
        ({**DEV, **REAL_ACCOUNT, "HOTLINE_SECRET_KEY": "s" * 40}, ["TWILIO_AUTH_TOKEN"]),
        ({**DEV, **REAL_ACCOUNT}, ["TWILIO_AUTH_TOKEN", "HOTLINE_SECRET_KEY"]),
        # The public values typed in explicitly, in production.
        ({**PRODUCTION, "TWILIO_AUTH_TOKEN": DEV_AUTH_TOKEN}, ["TWILIO_AUTH_TOKEN"]),
        ({**PRODUCTION, "HOTLINE_SECRET_KEY": DEV_SECRET_KEY}, ["HOTLINE_SECRET_KEY"]),
    ],
)
def test_real_credentials_never_go_with_the_public_development_token_or_secret(
    environment, refused
):
    with pytest.raises(SettingsError) as error:
        read_settings(environment)
    named = [p.split(" ")[0] for p in error.value.problems if "public development" in p]
    assert named == refused


def test_development_without_an_account_keeps_its_public_defaults():
    assert read_settings(DEV).twilio_auth_token == DEV_AUTH_TOKEN
    full = read_settings(
        {**DEV, **REAL_ACCOUNT, "TWILIO_AUTH_TOKEN": "t", "HOTLINE_SECRET_KEY": "s" * 40}
    )
    assert full.sends_real_sms


@pytest.mark.parametrize("sid", ["AC123", "AC" + "g" * 32, "AC" + "１" * 32])
def test_the_account_sid_has_twilios_form(sid):
    with pytest.raises(SettingsError, match="32 hexadecimal"):
        read_settings({**PRODUCTION, **REAL_ACCOUNT, "TWILIO_ACCOUNT_SID": sid})
