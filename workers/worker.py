"""The worker process (Procfile `worker`): RQ's worker that builds the hotline's parts before
taking any job, so a worker whose HOTLINE_SECRET_KEY does not match the stored data refuses to
start (one line, non-zero exit) instead of failing every job, and its work horses inherit the
parts instead of building them each."""

from __future__ import annotations

import sys

from rq import Worker

from hotline.keyring import KeyMismatch
from hotline.settings import SettingsError
from workers.context import worker_parts


class HotlineWorker(Worker):
    def work(self, *args, **kwargs) -> bool:
        try:
            worker_parts()
        except KeyMismatch as error:
            sys.exit(f"The worker cannot start: {error}")
        except SettingsError as error:
            sys.exit(f"The worker cannot start; fix its configuration:\n{error}")
        return super().work(*args, **kwargs)
