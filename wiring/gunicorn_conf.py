"""gunicorn's configuration for the web process (Procfile `web`).

The settings are checked in the master, before any worker is forked: with a missing or wrong
setting gunicorn prints one line per problem and exits non-zero, once, instead of booting
workers that die at import and respawning them forever.
"""

from __future__ import annotations

from wiring.settings import settings_or_exit

# Threads, so that a slow client (or a slow Redis answer) holds one thread, not a whole worker:
# with sync workers, two clients trickling their bodies stalled every signed request behind
# them (tests/test_slow_clients.py). A body still has BODY_SECONDS to arrive (hotline.request_body).
worker_class = "gthread"
threads = 4


def on_starting(server) -> None:
    settings_or_exit()
