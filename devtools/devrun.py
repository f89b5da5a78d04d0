"""`make run`: the whole hotline on this machine, with no Twilio account and no Redis installed.

Starts an embedded real Redis persisting under var/ (unless REDIS_URL is set), builds the audio
the offline engine can (espeak-ng, when installed), then every process of the Procfile through
honcho, in development mode, and prints the simulator's URL. Ctrl-C stops them all, Redis last,
so the data written so far is on disk for the next run.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path

from devtools.embedded_redis import EmbeddedRedis

ROOT = Path(__file__).resolve().parent.parent
VAR = ROOT / "var"


def _interrupt(signum, frame):
    raise KeyboardInterrupt


def build_audio(env: dict[str, str], bin_dir: Path) -> None:
    """Render the prompts espeak-ng can, offline; a missing engine or a failure only says so.

    Only texts not already rendered are rendered, so later runs take a moment. Languages the
    engine cannot speak are read by the browser's voice in the simulator.
    """
    if shutil.which("espeak-ng", path=env.get("PATH")) is None:
        print("Audio: no espeak-ng here; the simulator reads prompts with the browser's voice")
        return
    print("Audio: building the prompts with espeak-ng (offline)...", flush=True)
    command = [str(bin_dir / "flask"), "--app", "app", "audio", "build", "--engine", "espeak"]
    try:
        done = subprocess.run(
            command, env=env, cwd=ROOT, capture_output=True, text=True, timeout=600
        )
    except (OSError, subprocess.TimeoutExpired) as error:
        print(f"Audio: not built ({error}); the simulator reads prompts with the browser's voice")
        return
    for line in done.stdout.splitlines():
        if not line.startswith("  rendered "):  # one line per file: keep the summary only
            print(f"  {line.strip()}")
    if done.returncode != 0:
        print("Audio: some prompts have no audio; the browser's voice reads those")
        if done.stderr.strip():
            print("  " + done.stderr.strip().splitlines()[-1])


def announce_when_ready(base: str, timeout: float = 60.0) -> None:
    """Once the web process answers, say where the simulator is (after honcho's start-up lines)."""

    def wait() -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                with urllib.request.urlopen(f"{base}/healthz", timeout=1):
                    break
            except urllib.error.HTTPError:
                break  # it answers (503 while Redis is not there yet: the page still loads)
            except OSError:
                time.sleep(0.5)
        else:
            return
        print(f"\n  Ready: open {base}/simulator in your browser (Ctrl-C stops)\n", flush=True)

    threading.Thread(target=wait, daemon=True).start()


def main() -> int:
    signal.signal(signal.SIGTERM, _interrupt)
    env = dict(os.environ)
    env.setdefault("HOTLINE_MODE", "development")
    env.setdefault("PORT", "5000")
    # Only this machine reaches a development server: its simulator and dev token are public.
    env.setdefault("HOST", "127.0.0.1")
    bin_dir = Path(sys.executable).parent
    env["PATH"] = f"{bin_dir}{os.pathsep}{env.get('PATH', '')}"
    development = env["HOTLINE_MODE"] == "development"
    redis = None
    honcho = None
    try:
        if not env.get("REDIS_URL"):
            redis = EmbeddedRedis(VAR / "redis", persist=True).start()
            env["REDIS_URL"] = redis.url
            print(f"Embedded Redis: {redis.url} (data kept in {redis.directory})")
        build_audio(env, bin_dir)
        # /metrics sums the counts every process writes here; a new run starts from none.
        metrics_dir = Path(env.setdefault("PROMETHEUS_MULTIPROC_DIR", str(VAR / "prometheus")))
        shutil.rmtree(metrics_dir, ignore_errors=True)
        metrics_dir.mkdir(parents=True)
        base = f"http://127.0.0.1:{env['PORT']}"
        simulator = f"  simulator: {base}/simulator\n" if development else ""
        print(
            f"\nThe hotline is starting on {base}\n"
            f"{simulator}"
            f"  voice webhook: {base}/voice/incoming   health: {base}/healthz\n"
            f"  SMS outbox (no Twilio account): {base}/sms/outbox, and the worker's log\n"
            "  Ctrl-C stops everything.\n",
            flush=True,
        )
        honcho = subprocess.Popen(
            [str(bin_dir / "honcho"), "start", "-f", str(ROOT / "Procfile"), "-d", str(ROOT)],
            env=env,
        )
        if development:
            announce_when_ready(base)
        return honcho.wait()
    except KeyboardInterrupt:
        return 0
    finally:
        if honcho is not None and honcho.poll() is None:
            honcho.send_signal(signal.SIGINT)
            honcho.wait()
        if redis is not None:
            redis.stop()


if __name__ == "__main__":
    sys.exit(main())
