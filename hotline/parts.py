"""The one way a view or a command reaches the app's parts: ``part(Kind)``.

The web composition root (``wiring.web``) builds each part once and installs them on the app by
type; a view asks for the type it uses (``part(CallService)``). Keyed by type, the lookup is
typed and the core needs to import none of the layers whose parts it hands out.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TypeVar, cast

from flask import Flask, current_app

T = TypeVar("T")

EXTENSION = "hotline.parts"


def install(app: Flask, parts: Mapping[type, object]) -> None:
    """Give the app its parts, each under the type views will ask for."""
    for kind, value in parts.items():
        if not isinstance(value, kind):
            raise TypeError(f"{value!r} is not a {kind.__name__}")
    app.extensions[EXTENSION] = dict(parts)


def part(kind: type[T], app: Flask | None = None) -> T:
    """The app's one ``kind`` (the current app's unless ``app`` is given)."""
    parts = (app or current_app).extensions[EXTENSION]
    return cast(T, parts[kind])
