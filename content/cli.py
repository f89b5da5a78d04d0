"""`flask content ...` commands."""

from __future__ import annotations

import click
from flask.cli import AppGroup

from content.catalog import Content
from content.check import CatalogUse, check_catalogs
from content.prefecture import load_prefecture
from content.spoken_length import SpokenTexts, length_problems, longest_by_language, table_lines
from hotline.parts import part
from hotline.settings import Settings

content_cli = AppGroup("content", help="Check the catalogs and prefecture profiles.")


@content_cli.command("check")
def check() -> None:
    """Every language has every key and placeholder; exits 1 and lists problems otherwise."""
    content = part(Content)
    use = part(CatalogUse)
    problems = check_catalogs(content.catalogs, content.placeholders, use.used_keys)
    source_keys = len(content.catalogs["fr"].texts)
    click.echo(f"{'language':<22} {'status':<9} {'keys':>9}  voice")
    for language in content.languages:
        catalog = content.catalogs[language.code]
        by_voice = "offered" if language.code in use.voice_languages else "not yet (audio missing)"
        click.echo(
            f"{language.code + ' ' + language.name:<22} {catalog.status:<9} "
            f"{len(catalog.texts):>4}/{source_keys:<4}  {by_voice}"
        )
    click.echo("spoken length (150 words a minute):")
    failures, warnings = spoken_lengths()
    problems += failures
    for warning in warnings + load_prefecture(part(Settings).prefecture).warnings():
        click.echo(f"  warning: {warning}")
    if problems:
        click.echo(f"{len(problems)} problem(s):", err=True)
        for problem in problems:
            click.echo(f"  {problem}", err=True)
        raise SystemExit(1)
    click.echo(f"content OK for prefecture {part(Settings).prefecture}")


def spoken_lengths() -> tuple[list[str], list[str]]:
    """Print each language's longest prompt and menu as heard; (failures, warnings)."""
    spoken = part(SpokenTexts)
    prompts, menus = spoken.collect()
    # Judged at 150 words a minute: the development voice (espeak-ng) is far slower than the
    # production voices, so durations measured from its files would fail every language.
    table = longest_by_language(prompts, menus)
    for line in table_lines(table, [language.code for language in part(Content).languages]):
        click.echo(f"  {line}")
    return length_problems(table)
