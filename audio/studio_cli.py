"""`flask audio invite / invites / revoke / review`: the operator's side of the recording line.

Review is scriptable (``--approve STEM``, ``--reject STEM``, ``--play STEM``, repeatable) and,
with no action given on a terminal, asks prompt by prompt.
"""

from __future__ import annotations

import dataclasses
import getpass
import sys

import click
from flask.cli import with_appcontext
from redis import Redis

from audio.invites import DEFAULT_DAYS, MAX_DAYS, Invites
from audio.pending import PendingRecording
from audio.plan import STATES, RecordingPlan
from hotline import keys
from hotline.clock import Clock
from hotline.parts import part
from hotline.settings import Settings


def _invites() -> Invites:
    return Invites(part(Redis), part(Settings).secret_key)


def _languages(plan: RecordingPlan) -> list[str]:
    return list(plan.inventory.languages)


def _check_lang(lang: str) -> None:
    known = _languages(part(RecordingPlan))
    if lang not in known:
        raise click.UsageError(f"no catalog for {lang}; known: {', '.join(known)}")


@click.command("invite")
@with_appcontext
@click.option("--lang", required=True, help="The language the volunteer records.")
@click.option("--name", default="", help='Who records, as it goes in the manifest: "Ahmad (ps)".')
@click.option("--days", type=click.IntRange(1, MAX_DAYS), default=DEFAULT_DAYS, show_default=True)
def invite(lang: str, name: str, days: int) -> None:
    """Print a one-time recording code for the recording line (/voice/studio)."""
    _check_lang(lang)
    code, made = _invites().create(lang, name or f"volunteer ({lang})", days, part(Clock).now())
    click.echo(
        f"code {code}  language {lang}  for {made.name}  until {made.expires:%Y-%m-%d %H:%M}"
    )
    click.echo("Give it to the volunteer only; it is shown once (stored as a keyed hash).")


@click.command("invites")
@with_appcontext
def invites() -> None:
    """Living codes: id, language, volunteer, expiry (the codes themselves are not kept)."""
    for item in _invites().living():
        click.echo(f"{item.short_id}  {item.lang:<4} {item.expires:%Y-%m-%d %H:%M}  {item.name}")


@click.command("revoke")
@with_appcontext
@click.argument("code")
def revoke(code: str) -> None:
    """Revoke a code (the code, or the id `flask audio invites` shows)."""
    if not _invites().revoke(code):
        raise click.ClickException("no living code matches")
    click.echo("revoked")


def _line(item: PendingRecording) -> str:
    flags = ",".join(item.flags) or "ok"
    return f"{item.stem:<48} {item.seconds:>5.1f}s  {flags:<20} by {item.recorded_by}"


def approve_pending(item: PendingRecording, plan: RecordingPlan, approved_by: str) -> None:
    """Publish it for the text it was recorded for (a text changed since stays outdated)."""
    planned = plan.find(item.lang, item.stem)
    if planned is None:
        raise click.ClickException(f"{item.stem} is no longer a prompt of {item.lang}")
    spoken = dataclasses.replace(planned.spoken, text=item.text)
    plan.pending.approve(item, spoken, plan.recordings, approved_by)


def reject_pending(item: PendingRecording, plan: RecordingPlan, invites: Invites) -> None:
    """Delete it, and put the prompt back on the list of every code of the language."""
    plan.pending.reject(item)
    for living in invites.living():
        if living.lang == item.lang:
            part(Redis).srem(keys.STUDIO_DONE.format(code=living.id), item.stem)


@click.command("review")
@with_appcontext
@click.option("--lang", required=True)
@click.option("--play", "play", multiple=True, help="Print the file path of this prompt's take.")
@click.option("--approve", "approve", multiple=True, help="Approve this prompt (stem), or 'all'.")
@click.option("--reject", "reject", multiple=True, help="Reject this prompt (stem).")
@click.option("--by", "by", default=None, help="Who approves (default: your login name).")
def review(lang: str, play, approve, reject, by: str | None) -> None:
    """Pending recordings of a language, with their flags: play, approve, reject."""
    _check_lang(lang)
    plan, invites_ = part(RecordingPlan), _invites()
    by = by or getpass.getuser()
    waiting = {p.stem: p for p in plan.pending.waiting(lang)}
    wanted = set(waiting) if "all" in approve else set(approve)
    unknown = (wanted | set(reject) | set(play)) - set(waiting)
    if unknown:
        raise click.ClickException(f"nothing pending for {', '.join(sorted(unknown))}")
    if not (play or approve or reject):
        for item in waiting.values():
            click.echo(_line(item))
        if not sys.stdin.isatty():
            click.echo(f"{len(waiting)} pending")
            return
        for item in waiting.values():
            choice = click.prompt(
                f"{item.stem}: [p]lay, [a]pprove, [r]eject, [s]kip",
                type=click.Choice(["p", "a", "r", "s"]),
                default="s",
            )
            if choice == "p":
                click.echo(item.file)
                choice = click.prompt("[a]pprove, [r]eject, [s]kip", default="s")
            if choice == "a":
                approve_pending(item, plan, by)
            elif choice == "r":
                reject_pending(item, plan, invites_)
        return
    for stem in play:
        click.echo(waiting[stem].file)
    for stem in sorted(wanted):
        approve_pending(waiting[stem], plan, by)
        click.echo(f"approved {stem}")
    for stem in reject:
        reject_pending(waiting[stem], plan, invites_)
        click.echo(f"rejected {stem}: back on the volunteers' list")
    if wanted:
        click.echo("run `flask audio build` to publish the approved recordings")


def recording_table(plan: RecordingPlan) -> list[str]:
    """Per language: texts approved, pending review, outdated, missing."""
    lines = ["recorded-by-people    " + "".join(f"{s:>10}" for s in STATES)]
    for lang in _languages(plan):
        counts = plan.counts(lang)
        lines.append(f"{lang + ':people':<22}" + "".join(f"{counts[s]:>10}" for s in STATES))
    return lines


COMMANDS = (invite, invites, revoke, review)
