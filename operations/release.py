"""`flask release`: what runs once per deploy, before the new release takes calls (Procfile
``release:`` on Heroku, ``postdeploy:`` on Scalingo). A non-zero exit stops the deploy.

It checks, and changes nothing: the content (every language has every key and placeholder, SMS
within budget: `flask content check`), and the audio built into the slug (bin/post_compile runs
`flask audio build`): every text of a language that a TTS engine renders has a file saying its
current words. A language no engine speaks awaits recordings and is reported, not failed on.
"""

from __future__ import annotations

import click
from flask.cli import with_appcontext

from audio.coverage import MISSING, STALE, coverage
from audio.inventory import Inventory
from audio.library import AudioLibrary
from content.cli import check as content_check
from hotline.parts import part


def audio_problems(inventory: Inventory, library: AudioLibrary) -> tuple[list[str], list[str]]:
    """(problems, notes): languages a TTS engine renders whose audio is missing or stale, and
    languages awaiting recordings."""
    report = coverage(inventory.texts(), library, None, inventory.known_languages())
    problems, notes = [], []
    for lang, row in report.items():
        voice = inventory.voices.get(lang)
        lacking = row.counts[MISSING] + row.counts[STALE]
        if voice is not None and voice.tts_engine and lacking:
            problems.append(
                f"{lang}: {lacking} of {row.total} texts have no audio for their current words "
                f"in {library.directory} (the build step runs `flask audio build`)"
            )
        elif lacking:
            notes.append(f"{lang}: awaiting recordings ({row.total - lacking}/{row.total} done)")
    return problems, notes


@click.command("release")
@with_appcontext
def release() -> None:
    """Check the content and the built audio before this release takes calls; exit 1 if not."""
    ctx = click.get_current_context()
    ctx.invoke(content_check)
    problems, notes = audio_problems(part(Inventory), part(AudioLibrary))
    for note in notes:
        click.echo(f"  {note}")
    if problems:
        for problem in problems:
            click.echo(f"RELEASE REFUSED: {problem}", err=True)
        raise SystemExit(1)
    click.echo("release checks passed: content and audio are ready")
