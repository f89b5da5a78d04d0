"""`flask reminders ...`: look at, send and erase registrations from the command line."""

from __future__ import annotations

import json
from datetime import datetime

import click
from flask.cli import AppGroup

from hotline.clock import PARIS, Clock
from hotline.erasure import Erasure
from hotline.identity import caller_key, mask_number, normalise_number
from hotline.parts import part
from hotline.settings import Settings
from reminders.service import ReminderService

reminders_cli = AppGroup("reminders", help="ADP expiry reminders.")


@reminders_cli.command("list")
def list_registrations() -> None:
    """Pending registrations, numbers masked, one JSON object per line."""
    service = part(ReminderService)
    for registration in service.store.scan():
        due = service.store.due_at(registration.caller)
        click.echo(
            json.dumps(
                {
                    "number": mask_number(registration.number),
                    "lang": registration.lang,
                    "prefecture": registration.prefecture,
                    "expiry": registration.expiry.isoformat(),
                    "channel": registration.channel,
                    "next_reminder": registration.next_index,
                    "due": datetime.fromtimestamp(due, PARIS).isoformat() if due else None,
                },
                ensure_ascii=False,
            )
        )


@reminders_cli.command("send-due")
@click.option("--now", "now_text", help="The instant to act at (ISO 8601); default: now.")
def send_due(now_text: str | None) -> None:
    """Send every reminder due at that instant (catch-up after an outage, and tests)."""
    now = _instant(now_text) if now_text else part(Clock).now()
    total = part(ReminderService).send_all_due(now)
    summary = ", ".join(f"{count} {what}" for what, count in sorted(total.items())) or "nothing due"
    click.echo(f"{now.isoformat()}: {summary}")


@reminders_cli.command("forget")
@click.argument("phone")
def forget(phone: str) -> None:
    """Erase a number's data (registration, language choice, where it stopped in a call)."""
    number = normalise_number(phone)
    if number is None:
        raise click.BadParameter("give the number in international form, e.g. +33612345678")
    caller = caller_key(part(Settings).secret_key, number)
    erased = caller is not None and part(Erasure).forget(caller, "operator", part(Clock).now())
    click.echo(f"{mask_number(number)}: {'erased' if erased else 'nothing was registered'}")


def _instant(text: str) -> datetime:
    try:
        moment = datetime.fromisoformat(text)
    except ValueError as error:
        raise click.BadParameter("use ISO 8601, e.g. 2027-03-08T10:00:00+01:00") from error
    return moment if moment.tzinfo else moment.replace(tzinfo=PARIS)
