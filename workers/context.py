"""The parts a worker process's jobs use, built once from the settings, like the web app's.

RQ jobs are plain functions with ID-only arguments; they get Redis, settings and the SMS sender
from ``worker_parts()``: the same ``Hotline`` the app factory builds, made on first use from
``Settings.from_env()`` and kept for the life of the process. A forking worker's work
horse inherits it when the parent called ``worker_parts()`` before forking; otherwise each horse
builds its own. Tests hand in their own parts with ``use_parts``.
"""

from __future__ import annotations

from hotline.logs import setup_logging
from hotline.services import Hotline
from hotline.settings import Settings

_parts: Hotline | None = None


def worker_parts() -> Hotline:
    """This process's parts, built from the environment on first use."""
    global _parts
    if _parts is None:
        # Like the web app: INFO to stderr (the outbox and delivery lines `make run` shows).
        setup_logging()
        _parts = Hotline.build(Settings.from_env())
    return _parts


def use_parts(parts: Hotline | None) -> None:
    """Make jobs in this process use these parts (None: build from the environment again)."""
    global _parts
    _parts = parts
