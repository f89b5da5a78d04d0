"""The servers under test: gunicorn started from the Procfile's own web line, on loopback.

Reading the command from the Procfile (rather than writing our own) is what makes the figures
those of the deployed server: if someone changes workers, worker class or logging there, the
benchmark follows. The bare app gets the very same command with only the app swapped.
"""

from __future__ import annotations

import contextlib
import os
import re
import shlex
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator, Mapping
from pathlib import Path

import psutil

ROOT = Path(__file__).resolve().parent.parent
PROCFILE = ROOT / "Procfile"
#: How long a server may take to answer its first request: a loaded 2-core machine can take
#: tens of seconds to boot gunicorn and build the app.
READY_TIMEOUT = 180.0
HOTLINE_APP = "app:app"
LOOPBACK = "127.0.0.1"
_VARIABLE = re.compile(r"\$\{(\w+)(?::-([^}]*))?\}|\$(\w+)")


def free_port() -> int:
    """A TCP port nobody listens on right now (the OS picks it)."""
    with socket.socket() as probe:
        probe.bind((LOOPBACK, 0))
        return probe.getsockname()[1]


def expand(command: str, env: Mapping[str, str]) -> str:
    """``$NAME``, ``${NAME}`` and ``${NAME:-default}`` as the shell honcho runs them would."""

    def value(match: re.Match) -> str:
        name = match.group(1) or match.group(3)
        return env.get(name) or match.group(2) or ""

    return _VARIABLE.sub(value, command)


def procfile_command(process: str, env: Mapping[str, str], procfile: Path = PROCFILE) -> list[str]:
    """The Procfile's command for ``process`` as honcho would run it, with this venv's Python
    and console scripts."""
    lines = [line for line in procfile.read_text().splitlines() if line.startswith(f"{process}:")]
    if len(lines) != 1:
        raise RuntimeError(f"{procfile} must have exactly one {process}: line")
    argv = shlex.split(expand(lines[0].removeprefix(f"{process}:"), env))
    if argv[0] == "python":
        return [sys.executable, *argv[1:]]
    return [str(Path(sys.executable).with_name(argv[0])), *argv[1:]]


#: The caller ID the benchmarks' processes send from.
BENCH_FROM = "+33700000001"


def production_environment(
    redis_url: str, api_url: str, account: tuple[str, str], secret_key: str, **settings: str
) -> dict[str, str]:
    """The environment a deployment gives the Procfile's processes (production mode), pointed at
    a local Redis and the local Twilio (``account``: its SID and auth token), plus ``settings``
    (CALLS_PER_SECOND...)."""
    sid, token = account
    return {
        **os.environ,
        "HOTLINE_MODE": "production",
        "REDIS_URL": redis_url,
        "TWILIO_ACCOUNT_SID": sid,
        "TWILIO_AUTH_TOKEN": token,
        "TWILIO_FROM": BENCH_FROM,
        "TWILIO_API_BASE_URL": api_url,
        "HOTLINE_SECRET_KEY": secret_key,
        **settings,
    }


@contextlib.contextmanager
def procfile_workers(
    env: Mapping[str, str], count: int, log: Callable[[int], Path]
) -> Iterator[list[subprocess.Popen]]:
    """``count`` processes of the Procfile's ``worker:`` command, configured by ``env`` alone
    (nothing is built for them), the output of process n in ``log(n)``. On leaving: the warm
    shutdown a deploy gives them (SIGTERM: RQ lets the current job finish), a kill after 30 s."""
    command = procfile_command("worker", env)
    with contextlib.ExitStack() as logs:
        processes = [
            subprocess.Popen(
                command,
                env=dict(env),
                stdout=logs.enter_context(log(n).open("wb")),
                stderr=subprocess.STDOUT,
            )
            for n in range(count)
        ]
        try:
            yield processes
        finally:
            for process in processes:
                process.terminate()
            for process in processes:
                try:
                    process.wait(timeout=30)
                except subprocess.TimeoutExpired:
                    process.kill()
                    process.wait()


def web_command(
    port: int, app: str, env: Mapping[str, str], procfile: Path = PROCFILE
) -> list[str]:
    """The Procfile's web command for ``app``, bound to loopback on ``port``."""
    lines = [line for line in procfile.read_text().splitlines() if line.startswith("web:")]
    if len(lines) != 1:
        raise RuntimeError(f"{procfile} must have exactly one web: line")
    argv = shlex.split(expand(lines[0].removeprefix("web:"), {**env, "PORT": str(port)}))
    if not argv or argv[0] != "gunicorn" or HOTLINE_APP not in argv:
        raise RuntimeError(f"the benchmark expects `gunicorn ... {HOTLINE_APP}` in {procfile}")
    argv[argv.index(HOTLINE_APP)] = app
    return [str(Path(sys.executable).with_name("gunicorn")), *_on_loopback(argv[1:], port)]


def _on_loopback(args: list[str], port: int) -> list[str]:
    """The arguments with the bind address replaced by loopback: nothing listens outside."""
    address = f"{LOOPBACK}:{port}"
    bound, replaced = [], False
    for i, arg in enumerate(args):
        if i > 0 and args[i - 1] in ("-b", "--bind"):
            arg, replaced = address, True
        elif arg.startswith("--bind="):
            arg, replaced = f"--bind={address}", True
        bound.append(arg)
    return bound if replaced else ["--bind", address, *bound]


class Gunicorn:
    """One gunicorn master and its workers, its output in a log file."""

    def __init__(self, name: str, port: int, argv: list[str], env: Mapping[str, str], log: Path):
        self.name = name
        self.port = port
        self.argv = argv
        self.env = dict(env)
        self.log = log
        self.process: subprocess.Popen | None = None

    @property
    def address(self) -> tuple[str, int]:
        return (LOOPBACK, self.port)

    @property
    def command(self) -> str:
        """The command as a person would type it (gunicorn from the venv's PATH)."""
        return shlex.join(["gunicorn", *self.argv[1:]])

    def start(self) -> Gunicorn:
        with self.log.open("wb") as log:
            # A session of its own: a Ctrl-C reaches us only, and we stop the server in order.
            self.process = subprocess.Popen(
                self.argv, cwd=ROOT, env=self.env, stdin=subprocess.DEVNULL, stdout=log,
                stderr=subprocess.STDOUT, start_new_session=True,
            )  # fmt: skip
        return self

    def wait_ready(self, path: str, timeout: float = READY_TIMEOUT) -> None:
        """Wait until GET ``path`` answers (any HTTP status: /healthz is 503 with no worker);
        fail with the end of the log if the server dies or stays silent for ``timeout``."""
        url = f"http://{LOOPBACK}:{self.port}{path}"
        alive = lambda: self.process is not None and self.process.poll() is None  # noqa: E731
        if not wait_answering(url, alive, timeout, label=self.name):
            tail = self.log.read_text(errors="replace")[-2000:]
            raise RuntimeError(f"{self.name} did not become ready on {url}:\n{tail}")

    def cpu_seconds(self) -> float:
        """CPU time used so far by the master and its workers (user + system)."""
        if self.process is None:
            return 0.0
        return cpu_seconds(self.process.pid, children=True)

    def stop(self) -> None:
        """Graceful stop (SIGTERM lets workers finish), then kill if it takes too long."""
        if self.process is None or self.process.poll() is not None:
            return
        self.process.send_signal(signal.SIGTERM)
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait()


def machine_busy_seconds() -> float:
    """CPU seconds every core of the machine has spent busy (not idle, waiting or stolen)."""
    times = psutil.cpu_times()
    idle = times.idle + getattr(times, "iowait", 0.0) + getattr(times, "steal", 0.0)
    return sum(times) - idle - getattr(times, "guest", 0.0) - getattr(times, "guest_nice", 0.0)


def cpu_seconds(pid: int, *, children: bool = False) -> float:
    """User + system CPU seconds of a process (and of its live children when asked)."""
    try:
        process = psutil.Process(pid)
        processes = [process, *(process.children(recursive=True) if children else [])]
    except psutil.NoSuchProcess:
        return 0.0
    total = 0.0
    for each in processes:
        try:
            times = each.cpu_times()
        except psutil.NoSuchProcess:  # a worker restarted between listing and reading
            continue
        total += times.user + times.system
    return total


def wait_answering(
    url: str,
    alive: Callable[[], bool],
    timeout: float = READY_TIMEOUT,
    *,
    label: str = "the server",
    say: Callable[[str], None] = lambda line: print(line, flush=True),
) -> bool:
    """True once ``url`` answers HTTP at all; False if ``alive()`` turns false or ``timeout``
    passes. A slow answer (a read timeout) is waiting, not a failure; progress every 10 s."""
    started = time.monotonic()
    next_word = started + 10
    while time.monotonic() - started < timeout:
        if not alive():
            return False
        try:
            with urllib.request.urlopen(url, timeout=5):
                return True
        except urllib.error.HTTPError:
            return True  # it answers: an error status is still an answer
        except OSError:  # refused, reset, or no answer within 5 s (TimeoutError): not up yet
            pass
        if time.monotonic() >= next_word:
            say(f"  still waiting for {label} to answer ({time.monotonic() - started:.0f} s)...")
            next_word += 10
        time.sleep(0.1)
    return False
