"""gunicorn's configuration for the web process (Procfile `web`).

The settings are checked in the master, before any worker is forked: with a missing or wrong
setting gunicorn prints one line per problem and exits non-zero, once, instead of booting
workers that die at import and respawning them forever.
"""

from __future__ import annotations

from wiring.settings import settings_or_exit

#: Build the app once in the master, then fork the workers: its parts (the voice flow walk, about
#: a second of CPU) are built once per deploy instead of once per worker, and every worker
#: answers as soon as it is forked. Redis connections are opened per process after the fork
#: (redis-py checks the pid).
preload_app = True


def on_starting(server) -> None:
    settings_or_exit()
