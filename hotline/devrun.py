"""`make run`: the whole hotline on this machine, with no Twilio account and no Redis installed.

Starts an embedded real Redis persisting under var/ (unless REDIS_URL is set), then every process
of the Procfile through honcho, in development mode. Ctrl-C stops them all, Redis last, so the
data written so far is on disk for the next run.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

from hotline.embedded_redis import EmbeddedRedis

ROOT = Path(__file__).resolve().parent.parent
VAR = ROOT / "var"


def _interrupt(signum, frame):
    raise KeyboardInterrupt


def main() -> int:
    signal.signal(signal.SIGTERM, _interrupt)
    env = dict(os.environ)
    env.setdefault("HOTLINE_MODE", "development")
    env.setdefault("PORT", "5000")
    bin_dir = Path(sys.executable).parent
    env["PATH"] = f"{bin_dir}{os.pathsep}{env.get('PATH', '')}"
    redis = None
    if not env.get("REDIS_URL"):
        redis = EmbeddedRedis(VAR / "redis", persist=True).start()
        env["REDIS_URL"] = redis.url
        print(f"Embedded Redis: {redis.url} (data kept in {redis.directory})")
    base = f"http://127.0.0.1:{env['PORT']}"
    print(
        f"\nThe hotline is starting on {base}\n"
        f"  voice webhook: {base}/voice/incoming   health: {base}/healthz\n"
        f"  SMS outbox (no Twilio account): {base}/sms/outbox, and the worker's log\n"
        "  Ctrl-C stops everything.\n",
        flush=True,
    )
    honcho = subprocess.Popen(
        [str(bin_dir / "honcho"), "start", "-f", str(ROOT / "Procfile"), "-d", str(ROOT)],
        env=env,
    )
    try:
        return honcho.wait()
    except KeyboardInterrupt:
        return 0
    finally:
        if honcho.poll() is None:
            honcho.send_signal(signal.SIGINT)
            honcho.wait()
        if redis is not None:
            redis.stop()


if __name__ == "__main__":
    sys.exit(main())
