"""`flask audio ...`: build the audio, report its coverage, export and import recordings."""

from __future__ import annotations

from pathlib import Path

import click
from flask.cli import AppGroup

from audio.build import FAILED, UNSUPPORTED, Builder
from audio.coverage import coverage as coverage_of
from audio.coverage import table
from audio.engines import ENGINES, engine_chooser
from audio.inventory import Inventory
from audio.library import AudioLibrary
from audio.plan import RecordingPlan
from audio.recordings import RECORDINGS_DIR, RecordingStore, import_recordings, script_csv
from audio.studio_cli import COMMANDS as STUDIO_COMMANDS
from audio.studio_cli import recording_table
from hotline.parts import part
from ivr.flow import Flow

#: The languages a script gives the meaning of each line in.
REFERENCES = ("fr", "en")

audio_cli = AppGroup("audio", help="Pre-rendered audio: build, coverage, recordings.")

recordings_option = click.option(
    "--recordings",
    type=click.Path(file_okay=False, path_type=Path),
    default=RECORDINGS_DIR,
    show_default=True,
    help="Folder of recordings made by people, one sub-folder per language.",
)


def _inventory() -> Inventory:
    return part(Inventory)  # built by the web app's wiring, with the keys said outside the menus


def _check_langs(inventory: Inventory, langs: tuple[str, ...]) -> None:
    unknown = [lang for lang in langs if lang not in inventory.known_languages()]
    if unknown:
        raise click.UsageError(
            f"no content for {', '.join(unknown)}; known: {', '.join(inventory.known_languages())}"
        )


@audio_cli.command("build")
@click.option("--lang", "langs", multiple=True, help="Only this language (repeatable).")
@click.option("--engine", type=click.Choice(sorted(ENGINES)), help="Override every language's.")
@click.option("--jobs", type=click.IntRange(1, 64), help="Renders at once (default per engine).")
@recordings_option
def build(langs: tuple[str, ...], engine: str | None, jobs: int | None, recordings: Path) -> None:
    """Render every text not already rendered with the same words. Exits 1 only when an engine
    failed on a text it should have rendered; a language no engine speaks awaits recordings."""
    inventory = _inventory()
    _check_langs(inventory, langs)
    texts = inventory.texts(langs or None)
    directory = part(AudioLibrary).directory
    click.echo(
        f"Building {len(texts)} texts into {directory} with "
        f"{engine or 'each language’s engine (content/languages.toml)'}"
    )
    builder = Builder(
        directory,
        engine_chooser(inventory.voices, engine),
        RecordingStore(recordings),
        jobs=jobs,
        echo=click.echo,
    )
    report = builder.build(texts)
    for line in report.summary():
        click.echo(line)
    awaiting = sorted({o.detail for o in report.outcomes if o.status == UNSUPPORTED})
    for reason in awaiting:
        click.echo(f"  awaiting recordings: {reason}")
    failed = sorted({o.detail for o in report.outcomes if o.status == FAILED})
    for reason in failed[:10]:
        click.echo(f"  failed: {reason}", err=True)
    if not report.ok:
        click.echo(f"Audio build FAILED: {len(failed)} distinct error(s) above", err=True)
        raise SystemExit(1)


@audio_cli.command("coverage")
@recordings_option
def coverage(recordings: Path) -> None:
    """Per language: texts heard from TTS, from recordings, stale, missing; and whether calls
    offer it in full voice, SMS-by-voice, or not at all."""
    inventory = _inventory()
    report = coverage_of(
        inventory.texts(),
        part(AudioLibrary),
        RecordingStore(recordings),
        inventory.known_languages(),
    )
    flow = part(Flow)
    for line in table(report, flow.languages, inventory.languages, flow.sms_only):
        click.echo(line)
    for line in recording_table(part(RecordingPlan)):
        click.echo(line)


@audio_cli.command("script")
@click.option("--lang", required=True, help="The language to record.")
@click.option("--out", type=click.File("w", encoding="utf-8"), default="-", help="CSV file.")
def script(lang: str, out) -> None:
    """What a voice talent must record: file name, key, text, French and English meaning."""
    inventory = _inventory()
    _check_langs(inventory, (lang,))
    known = inventory.known_languages()
    references = {
        (s.lang, s.stem): s.text for s in inventory.texts(r for r in REFERENCES if r in known)
    }
    texts = inventory.texts([lang])
    out.write(script_csv(texts, lambda s, ref: references.get((ref, s.stem))))


@audio_cli.command("import")
@click.option("--lang", required=True, help="The language of the recordings.")
@click.argument("folder", type=click.Path(exists=True, file_okay=False, path_type=Path))
@click.option("--ffmpeg/--no-ffmpeg", "use_ffmpeg", default=True, help="Use ffmpeg if installed.")
@recordings_option
def import_(lang: str, folder: Path, use_ffmpeg: bool, recordings: Path) -> None:
    """Check, normalise and file the recordings a voice talent sent back (named as the script)."""
    inventory = _inventory()
    _check_langs(inventory, (lang,))
    store = RecordingStore(recordings)
    result = import_recordings(store, folder, inventory.texts([lang]), use_ffmpeg=use_ffmpeg)
    for name in result.imported:
        click.echo(f"  imported {name}")
    for name, why in result.rejected:
        click.echo(f"  REJECTED {name}: {why}", err=True)
    click.echo(
        f"{len(result.imported)} imported into {store.folder(lang)}, "
        f"{len(result.rejected)} rejected; run `flask audio build` to use them"
    )
    if not result.ok:
        raise SystemExit(1)


for _command in STUDIO_COMMANDS:
    audio_cli.add_command(_command)
