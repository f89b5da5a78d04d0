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
#: The Procfile's long-running processes (not `release:`, which runs once per deploy).
PROCESSES = ("web", "worker", "clock")
#: What `make cli` reads to reach this run's Redis: written at start, removed at the end.
RUN_ENV = VAR / "run.env"
#: The settings a flask command needs to act on the running hotline's data.
CLI_SETTINGS = ("HOTLINE_MODE", "REDIS_URL", "PREFECTURE", "AUDIO_DIR", "HOTLINE_SECRET_KEY")


def write_run_env(env: dict[str, str], path: Path = RUN_ENV) -> None:
    """The settings of this run, for `make cli ARGS="reminders list"` in another terminal."""
    path.parent.mkdir(parents=True, exist_ok=True)
    lines = [f"{name}={env[name]}" for name in CLI_SETTINGS if env.get(name)]
    path.write_text("# written by make run; removed when it stops\n" + "\n".join(lines) + "\n")


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
    summary = [line for line in done.stdout.splitlines() if line[:1].isalpha()]
    for line in summary:  # one line per language (not one per file rendered)
        print(f"  {line.strip()}")
    awaiting = [line.split(":")[0] for line in summary if " 0 rendered, 0 unchanged" in line]
    if awaiting:
        print(
            f"Audio: no engine speaks {', '.join(awaiting)}: the phone menu offers them only "
            "once a person has recorded every prompt (SMS serves them now)"
        )
    if done.returncode != 0:
        print("Audio: espeak-ng failed on some prompts; the browser's voice reads those")
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
        write_run_env(env)
        build_audio(env, bin_dir)
        base = f"http://127.0.0.1:{env['PORT']}"
        simulator = f"  simulator: {base}/simulator\n" if development else ""
        print(
            f"\nThe hotline is starting on {base}\n"
            f"{simulator}"
            f"  voice webhook: {base}/voice/incoming   health: {base}/healthz\n"
            f"  SMS outbox (no Twilio account): {base}/sms/outbox, and the worker's log\n"
            f'  commands, in another terminal: make cli ARGS="reminders list"\n'
            "  Ctrl-C stops everything.\n",
            flush=True,
        )
        procfile = ["-f", str(ROOT / "Procfile"), "-d", str(ROOT)]
        honcho = subprocess.Popen(
            [str(bin_dir / "honcho"), "start", *procfile, *PROCESSES],
            env=env,
        )
        if development:
            announce_when_ready(base)
        return honcho.wait()
    except KeyboardInterrupt:
        return 0
    finally:
        RUN_ENV.unlink(missing_ok=True)
        if honcho is not None and honcho.poll() is None:
            honcho.send_signal(signal.SIGINT)
            honcho.wait()
        if redis is not None:
            redis.stop()


if __name__ == "__main__":
    sys.exit(main())
