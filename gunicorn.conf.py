"""gunicorn's settings, read from the working directory (the Procfile's `web:` runs there).

Only what the command line cannot say: with PROMETHEUS_MULTIPROC_DIR set, a worker that exits
is marked dead, so /metrics stops counting its live gauges (its counts stay summed), as
prometheus_client's multiprocess documentation asks. The directory must be emptied before the
processes start (`make run` does it; see docs/console.md for a deploy).
"""

import os


def child_exit(server, worker):
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        from prometheus_client import multiprocess

        multiprocess.mark_process_dead(worker.pid)
