"""gunicorn's configuration for the web process (Procfile `web`).

The settings are checked in the master, before any worker is forked: with a missing or wrong
setting gunicorn prints one line per problem and exits non-zero, once, instead of booting
workers that die at import and respawning them forever.
"""

from __future__ import annotations

import os

from wiring.settings import settings_or_exit

# Threads, so that a slow client (or a slow Redis answer) holds one thread, not a whole worker:
# with sync workers, two clients trickling their bodies stalled every signed request behind
# them (tests/test_slow_clients.py). A body still has BODY_SECONDS to arrive (hotline.request_body).
worker_class = "gthread"
threads = 4
# The app is built once, in the master, and each worker forked from it: building it walks the
# voice flow (ivr.reachability, about 0.35 s of CPU a language), which would otherwise be paid by
# every worker at boot, and again by a worker gunicorn respawns after a crash. What a worker
# must not share is made per process on first use: redis-py's pool reconnects after a fork,
# prometheus_client's multiprocess values move to the worker's own file, the body watchdog
# thread starts in the worker (hotline.request_body).
preload_app = True


def on_starting(server) -> None:
    settings_or_exit()


def child_exit(server, worker) -> None:
    """With PROMETHEUS_MULTIPROC_DIR set, an exited worker is marked dead, as prometheus_client's
    multiprocess documentation asks (its counts stay summed; only live gauges drop it)."""
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        from prometheus_client import multiprocess

        multiprocess.mark_process_dead(worker.pid)
