"""`flask operators add NAME | list | remove NAME | reset NAME`: console accounts.

A password is never an argument (it would stay in the shell's history and in `ps`): it is typed
twice at a prompt, or read from standard input when that is not a terminal (one line), so that
a deploy script can pipe it in.
"""

from __future__ import annotations

import getpass
import sys

import click
from flask.cli import AppGroup

from console.operators import OperatorError
from console.parts import ConsoleParts
from hotline.parts import part

operators_cli = AppGroup("operators", help="Console accounts: add, list, remove, reset.")


def _store():
    return part(ConsoleParts).operators


def read_password() -> str:
    """Twice at a prompt on a terminal; else the first line of standard input."""
    if not sys.stdin.isatty():
        return sys.stdin.readline().rstrip("\r\n")
    first = getpass.getpass("Password: ")
    if getpass.getpass("Password again: ") != first:
        raise click.ClickException("the two passwords differ; nothing changed")
    return first


@operators_cli.command("add")
@click.argument("name")
def add(name: str) -> None:
    """Create an operator account."""
    try:
        _store().add(name, read_password())
    except OperatorError as error:
        raise click.ClickException(str(error)) from error
    click.echo(f"operator {name} added")


@operators_cli.command("reset")
@click.argument("name")
def reset(name: str) -> None:
    """Set a new password; the operator's open sessions end."""
    try:
        _store().reset(name, read_password())
    except OperatorError as error:
        raise click.ClickException(str(error)) from error
    click.echo(f"password of {name} changed; their sessions are closed")


@operators_cli.command("remove")
@click.argument("name")
def remove(name: str) -> None:
    """Delete an operator account; their sessions end."""
    if not _store().remove(name):
        raise click.ClickException(f"no operator named {name}")
    click.echo(f"operator {name} removed")


@operators_cli.command("list")
def list_operators() -> None:
    """Every operator's name, one a line."""
    for name in _store().names():
        click.echo(name)
