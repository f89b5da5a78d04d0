"""`flask twilio configure` and `flask twilio fallback-twiml`: the Twilio number's settings.

``configure`` points the hotline's number at this deployment through Twilio's REST API: the voice
webhook, the call status callback, the SMS webhook, and the fallback URLs when given (a TwiML Bin
holding what ``fallback-twiml`` prints, so callers still hear the essentials when the app is down:
the fallback must not live on the app). It prints each setting as it is and as it should be, and
changes nothing unless ``--apply``. The SMS status callback is not a setting of the number: the
hotline gives it with every message it sends (``<base>/sms/status?m=<id>``).
"""

from __future__ import annotations

from dataclasses import dataclass

import click
from flask.cli import AppGroup

from content.catalog import Content
from hotline.parts import part
from hotline.settings import Settings
from ivr import twiml
from ivr.flow import Flow, Prompt
from ivr.speech import Say, Speaker
from sms.sender import build_twilio_client

twilio_cli = AppGroup("twilio", help="The hotline's Twilio number.")


@dataclass(frozen=True)
class Wanted:
    field: str  # the API's name (update keyword and resource key)
    label: str
    value: str


def wanted_settings(
    base: str, voice_fallback: str | None, sms_fallback: str | None
) -> list[Wanted]:
    """What the number's settings should be for a deployment at ``base``."""
    wanted = [
        Wanted("voice_url", "A call comes in (webhook)", f"{base}/voice/incoming"),
        Wanted("voice_method", "  method", "POST"),
        Wanted("status_callback", "Call status changes", f"{base}/voice/status"),
        Wanted("status_callback_method", "  method", "POST"),
        Wanted("sms_url", "A message comes in (webhook)", f"{base}/sms/incoming"),
        Wanted("sms_method", "  method", "POST"),
    ]
    if voice_fallback:
        wanted += [
            Wanted("voice_fallback_url", "Primary handler fails (voice)", voice_fallback),
            Wanted("voice_fallback_method", "  method", "POST"),
        ]
    if sms_fallback:
        wanted += [
            Wanted("sms_fallback_url", "Primary handler fails (SMS)", sms_fallback),
            Wanted("sms_fallback_method", "  method", "POST"),
        ]
    return wanted


@twilio_cli.command("configure")
@click.option("--number", help="The hotline's number in E.164 (default: TWILIO_FROM).")
@click.option("--voice-fallback-url", help="The TwiML Bin's URL (see fallback-twiml).")
@click.option("--sms-fallback-url", help="Where Twilio goes when the SMS webhook fails.")
@click.option("--apply", "apply_", is_flag=True, help="Change the settings (default: dry run).")
def configure(
    number: str | None, voice_fallback_url: str | None, sms_fallback_url: str | None, apply_: bool
) -> None:
    """Point the Twilio number at this deployment (PUBLIC_BASE_URL); a dry run unless --apply."""
    settings = part(Settings)
    problems = []
    if not settings.sends_real_sms:
        problems.append("TWILIO_ACCOUNT_SID and TWILIO_AUTH_TOKEN are needed")
    if not settings.public_base_url:
        problems.append("PUBLIC_BASE_URL is needed: the https origin Twilio must call")
    number = number or settings.twilio_from
    if not number:
        problems.append("say which number: --number +33... (or set TWILIO_FROM)")
    if problems:
        raise click.UsageError("; ".join(problems))
    client = build_twilio_client(settings)
    found = client.incoming_phone_numbers.list(phone_number=number, limit=2)
    if len(found) != 1:
        raise click.ClickException(f"the account has no number {number}")
    resource = found[0]
    wanted = wanted_settings(settings.public_base_url, voice_fallback_url, sms_fallback_url)
    changes = {}
    click.echo(f"Twilio number {resource.phone_number} ({resource.sid}):")
    for w in wanted:
        current = getattr(resource, w.field, None) or ""
        same = (
            current.upper() == w.value.upper() if w.field.endswith("method") else current == w.value
        )
        if not same:
            changes[w.field] = w.value
        click.echo(
            f"  {w.label:32} {'ok' if same else 'CHANGE'}  {current or '(unset)'}"
            + ("" if same else f" -> {w.value}")
        )
    if not voice_fallback_url:
        click.echo("  (no --voice-fallback-url: callers hear Twilio's error when the app is down)")
    click.echo(
        f"  {'SMS status callback':32} set on each message: {settings.public_base_url}/sms/status"
    )
    if not changes:
        click.echo("Nothing to change.")
    elif apply_:
        client.incoming_phone_numbers(resource.sid).update(**changes)
        click.echo(f"Applied {len(changes)} change(s).")
    else:
        click.echo(f"Dry run: {len(changes)} change(s) to make; run again with --apply.")


@twilio_cli.command("fallback-twiml")
def fallback_twiml() -> None:
    """The TwiML for a TwiML Bin (the number's voice fallback URL): the essentials in French and
    English, read by Twilio's own voices, then goodbye. It needs nothing of this app to run."""
    said = []
    for lang in part(Flow).before_choice:
        language = part(Content).language(lang)
        text = part(Speaker).text(Prompt("voice.outage.info", lang))
        said.append(Say(text, language.say_language, language.say_voice))
    click.echo(twiml.hang_up(said))
