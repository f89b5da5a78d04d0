"""Where a voice webhook's time goes: the benchmark's calls through the app, in process, profiled.

    python -m bench.profile_webhooks [--calls N] [--top N]

No gunicorn and no sockets to the app (Redis is real), so what remains is the app's own work:
first the time per request of the hotline and of the bare app, unprofiled, then cProfile's
functions by cumulative time for the hotline. Use it to see what a change to the webhooks buys
before running the full benchmark.
"""

from __future__ import annotations

import argparse
import cProfile
import io
import pstats
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from urllib.parse import urlencode

from werkzeug.test import EnvironBuilder

from app import create_app
from bench import bare_app, walk
from devtools.embedded_redis import EmbeddedRedis
from hotline.settings import Settings

BASE_URL = "http://127.0.0.1:5000"
TOKEN = "profile-auth-token-0123456789abcdef"
Environ = dict


def environs(count: int, seed: int) -> list[Environ]:
    """WSGI environs of ``count`` whole calls, signed for BASE_URL."""
    return [
        EnvironBuilder(
            path=r.path,
            method="POST",
            base_url=BASE_URL,
            data=urlencode(r.form),
            content_type="application/x-www-form-urlencoded",
            headers={"X-Twilio-Signature": r.signature},
        ).get_environ()
        for caller in walk.callers(count, seed)
        for r in walk.walk(caller, BASE_URL, TOKEN)
    ]


def cpu_per_request(app: Callable, batches: Sequence[Sequence[Environ]]) -> float:
    """The least CPU seconds (this process's) per request over the batches: Redis's own CPU
    aside, what the app costs, with less noise than the wall clock on a shared machine."""
    best = []
    for requests in batches:
        started = time.process_time()
        serve_all(app, requests)
        best.append((time.process_time() - started) / len(requests))
    return min(best)


def serve_all(app: Callable, requests: Sequence[Environ]) -> float:
    """Seconds per request to answer every request; each answer must be a 200."""
    statuses: list[str] = []

    def start_response(status: str, headers: list) -> None:
        statuses.append(status)

    started = time.perf_counter()
    for environ in requests:
        b"".join(app(dict(environ), start_response))
        if not statuses[-1].startswith("200"):
            raise RuntimeError(f"{environ['PATH_INFO']} answered {statuses[-1]}")
    return (time.perf_counter() - started) / len(requests)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.profile_webhooks")
    parser.add_argument("--calls", type=int, default=300, help="calls per measurement")
    parser.add_argument("--top", type=int, default=30, help="functions to list")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="bench-profile-") as tmp:
        redis = EmbeddedRedis(Path(tmp) / "redis", persist=False).start()
        try:
            settings = Settings(
                redis_url=redis.url,
                twilio_auth_token=TOKEN,
                secret_key="profile-secret-key-0123456789abcdef-0123456789",
                public_base_url=BASE_URL,
            )
            hotline = create_app(settings).wsgi_app
            serve_all(hotline, environs(args.calls, seed=1))  # warm up
            ours = serve_all(hotline, environs(args.calls, seed=2))
            bare = serve_all(bare_app.app.wsgi_app, environs(args.calls, seed=3))
            print(f"per request, in process: hotline {ours * 1e6:.0f} µs, bare {bare * 1e6:.0f} µs")
            cpu = cpu_per_request(hotline, [environs(100, seed) for seed in range(10, 15)])
            print(f"hotline CPU per request, least of 5 batches of 100 calls: {cpu * 1e6:.0f} µs")
            profiler = cProfile.Profile()
            requests = environs(args.calls, seed=4)
            profiler.runcall(serve_all, hotline, requests)
        finally:
            redis.stop()
    out = io.StringIO()
    pstats.Stats(profiler, stream=out).sort_stats("cumulative").print_stats(args.top)
    print(out.getvalue())
    return 0


if __name__ == "__main__":
    sys.exit(main())
