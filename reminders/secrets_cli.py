"""`flask secrets ...`: rotate HOTLINE_SECRET_KEY, and look after what no key could open."""

from __future__ import annotations

import time

import click
from flask.cli import AppGroup
from redis import Redis

from hotline.keyring import Keyring
from hotline.parts import part
from hotline.quarantine import Quarantine
from hotline.settings import Settings
from reminders.rotation import Rotation, release_quarantined

secrets_cli = AppGroup("secrets", help="The secret key: rotation and quarantine.")


def _parts():
    settings, redis = part(Settings), part(Redis)
    keyring = Keyring(settings.secret_key, settings.previous_secret_key)
    return redis, keyring, Quarantine(redis)


def _summary(counts) -> str:
    return ", ".join(f"{n} {what}" for what, n in sorted(counts.items())) or "nothing stored"


@secrets_cli.command("rotate")
def rotate() -> None:
    """Re-seal every number and re-key every caller key under HOTLINE_SECRET_KEY, opening them
    with HOTLINE_SECRET_KEY_PREVIOUS. Interrupted, run it again: it goes on where it stopped."""
    redis, keyring, quarantine = _parts()
    try:
        rotation = Rotation(redis, keyring, quarantine)
    except ValueError as error:
        raise click.UsageError(str(error)) from error
    started = time.monotonic()
    counts = rotation.run(progress=lambda c: click.echo(f"registrations: {_summary(c)}"))
    elapsed = time.monotonic() - started
    click.echo(f"done in {elapsed:.1f} s: {_summary(counts)}")
    if quarantine.count():
        raise click.ClickException(
            f"{quarantine.count()} registrations opened with neither key stay quarantined: "
            "the stored key id is unchanged (see `flask secrets quarantine`)"
        )
    click.echo("all sealed with HOTLINE_SECRET_KEY now: remove HOTLINE_SECRET_KEY_PREVIOUS")


@secrets_cli.command("quarantine")
@click.option("--release", is_flag=True, help="Put back those a known key opens.")
@click.option("--drop", is_flag=True, help="Delete every quarantined registration for good.")
def quarantine_command(release: bool, drop: bool) -> None:
    """Registrations no known key opened: how many, and release or drop them."""
    redis, keyring, quarantine = _parts()
    if release:
        click.echo(_summary(release_quarantined(redis, keyring, quarantine)))
    if drop:
        callers = quarantine.callers()
        click.confirm(f"Delete {len(callers)} registrations for good?", abort=True)
        for caller in callers:
            quarantine.drop(caller)
    click.echo(f"{quarantine.count()} quarantined")
