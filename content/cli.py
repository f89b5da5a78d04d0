"""`flask content ...` commands."""

from __future__ import annotations

import click
from flask import current_app
from flask.cli import AppGroup

from content.check import check_catalogs
from content.prefecture import load_prefecture
from content.spoken_length import Heard, length_problems, longest_by_language, table_lines
from ivr.flow import heard_on_arrival, reachable_prompts

content_cli = AppGroup("content", help="Check the catalogs and prefecture profiles.")


@content_cli.command("check")
def check() -> None:
    """Every language has every key and placeholder; exits 1 and lists problems otherwise."""
    hotline = current_app.extensions["hotline"]
    content = hotline.content
    problems = check_catalogs(content.catalogs, content.placeholders, hotline.used_keys())
    source_keys = len(content.catalogs["fr"].texts)
    click.echo(f"{'language':<22} {'status':<9} {'keys':>9}  voice")
    for language in content.languages:
        catalog = content.catalogs[language.code]
        by_voice = (
            "offered" if language.code in hotline.flow.languages else "not yet (audio missing)"
        )
        click.echo(
            f"{language.code + ' ' + language.name:<22} {catalog.status:<9} "
            f"{len(catalog.texts):>4}/{source_keys:<4}  {by_voice}"
        )
    click.echo("spoken length (built audio where there is, else 150 words a minute):")
    failures, warnings = spoken_lengths(hotline)
    problems += failures
    for warning in warnings + load_prefecture(hotline.settings.prefecture).warnings():
        click.echo(f"  warning: {warning}")
    if problems:
        click.echo(f"{len(problems)} problem(s):", err=True)
        for problem in problems:
            click.echo(f"  {problem}", err=True)
        raise SystemExit(1)
    click.echo(f"content OK for prefecture {hotline.settings.prefecture}")


def spoken_lengths(hotline) -> tuple[list[str], list[str]]:
    """Print each language's longest prompt and menu as heard; (failures, warnings)."""
    speaker, flow = hotline.speaker, hotline.flow

    def measure(lang: str, text: str) -> float | None:
        entry = hotline.audio.entry(lang, text)
        return entry.seconds if entry else None

    prompts = [Heard(p.lang, p.key, (speaker.text(p),)) for p in reachable_prompts(flow)]
    menus = [
        Heard(lang, name, tuple(speaker.text(p) for p in said))
        for name, lang, said in heard_on_arrival(flow)
    ]
    table = longest_by_language(prompts, menus, measure)
    for line in table_lines(table):
        click.echo(f"  {line}")
    return length_problems(table)
