"""gunicorn's configuration for the web process (Procfile `web`).

The settings are checked in the master, before any worker is forked: with a missing or wrong
setting gunicorn prints one line per problem and exits non-zero, once, instead of booting
workers that die at import and respawning them forever.
"""

from __future__ import annotations

from wiring.settings import settings_or_exit


def on_starting(server) -> None:
    settings_or_exit()
