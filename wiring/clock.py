"""The clock process's composition root (Procfile `clock`: ``python -m wiring.clock``): the
queue, nothing else."""

from __future__ import annotations

import logging
import signal
import threading

from hotline.logs import setup_logging
from wiring.connections import build_queue, check_key_or_exit, connect_redis
from wiring.settings import settings_or_exit
from workers.clock import INTERVAL, run

log = logging.getLogger("workers.clock")


def main() -> None:
    setup_logging()
    settings = settings_or_exit()
    redis = connect_redis(settings)
    check_key_or_exit(settings, redis)
    queue = build_queue(redis)
    stop = threading.Event()
    for signum in (signal.SIGINT, signal.SIGTERM):
        signal.signal(signum, lambda *_: stop.set())
    log.info("clock started: the reminder run is queued every %d s", INTERVAL)
    run(queue, stop)


if __name__ == "__main__":
    main()
