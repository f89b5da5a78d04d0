"""The load generator: prepared calls sent over loopback, timed, in closed or open loop.

It is kept cheap because it shares the machine with the servers it measures: one asyncio loop,
one bare protocol object per request, bytes written as prepared, answers checked for a status
and one marker, nothing parsed. Each simulated call is sequential (a caller waits for the menu
before pressing the next key); many calls run side by side.

Closed loop: ``concurrency`` calls always in flight, as fast as the server answers: the most it
can serve. Open loop: requests leave at a fixed rate whatever the server does, and latency counts
from the time a request was due, not from when it left, so a slow server cannot hide its queue
by slowing the client down (coordinated omission).
"""

from __future__ import annotations

import asyncio
import math
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field

#: A request ready to send and the marker a correct answer contains.
Exchange = tuple[bytes, bytes]
Call = Sequence[Exchange]

#: Seconds a request may take before it counts as failed; Twilio gives up at 15 s.
REQUEST_TIMEOUT = 15.0


class _OneShot(asyncio.Protocol):
    """One request on one connection; the answer is everything read until the server closes."""

    def __init__(self, payload: bytes, answered: asyncio.Future[bytes]):
        self.payload = payload
        self.answered = answered
        self.chunks: list[bytes] = []

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        transport.write(self.payload)  # type: ignore[attr-defined]

    def data_received(self, data: bytes) -> None:
        self.chunks.append(data)

    def connection_lost(self, exc: Exception | None) -> None:
        if self.answered.done():
            return
        if exc is not None:
            self.answered.set_exception(exc)
        else:
            self.answered.set_result(b"".join(self.chunks))


async def exchange(host: str, port: int, payload: bytes, expect: bytes) -> str | None:
    """Send one request; None when the answer is a 200 containing ``expect``, else what failed."""
    loop = asyncio.get_running_loop()
    answered: asyncio.Future[bytes] = loop.create_future()
    try:
        async with asyncio.timeout(REQUEST_TIMEOUT):
            transport, _ = await loop.create_connection(
                lambda: _OneShot(payload, answered), host, port
            )
            try:
                answer = await answered
            finally:
                transport.close()
    except (OSError, TimeoutError) as error:
        return f"{type(error).__name__}: {error}"
    status = answer[9:12]
    if not answer.startswith(b"HTTP/1.") or status != b"200":
        return f"HTTP {status.decode(errors='replace') or '(no answer)'}"
    if expect not in answer:
        return f"200 without {expect.decode()}"
    return None


@dataclass
class Run:
    """What one timed run measured."""

    latencies: list[float] = field(default_factory=list)  # seconds, of answered requests
    errors: dict[str, int] = field(default_factory=dict)
    elapsed: float = 0.0
    client_cpu: float = 0.0  # seconds of CPU this process used during the run
    ran_out: bool = False  # the prepared calls ran out before the time was up

    def record(self, failure: str | None, latency: float) -> None:
        if failure is None:
            self.latencies.append(latency)
        else:
            self.errors[failure] = self.errors.get(failure, 0) + 1

    @property
    def requests(self) -> int:
        return len(self.latencies) + sum(self.errors.values())

    @property
    def error_count(self) -> int:
        return sum(self.errors.values())

    @property
    def rate(self) -> float:
        """Answered requests per second."""
        return len(self.latencies) / self.elapsed if self.elapsed else 0.0

    def percentile(self, p: float) -> float:
        """Latency at percentile ``p`` (nearest rank), in seconds; NaN when nothing answered."""
        if not self.latencies:
            return math.nan
        ordered = sorted(self.latencies)
        return ordered[max(0, math.ceil(p / 100 * len(ordered)) - 1)]


async def closed_loop(
    address: tuple[str, int], calls: Iterator[Call], concurrency: int, duration: float
) -> Run:
    """``concurrency`` callers, each walking call after call with no pause, for ``duration``."""
    loop = asyncio.get_running_loop()
    run = Run()
    host, port = address
    deadline = loop.time() + duration

    async def caller() -> None:
        for call in calls:  # shared: each caller takes the next prepared call
            for payload, expect in call:
                if loop.time() >= deadline:
                    return
                sent = loop.time()
                failure = await exchange(host, port, payload, expect)
                run.record(failure, loop.time() - sent)

    await _timed(run, [caller() for _ in range(concurrency)])
    run.ran_out = run.elapsed < duration
    return run


async def open_loop(
    address: tuple[str, int], calls: Iterator[Call], rate: float, duration: float
) -> Run:
    """``rate`` requests a second for ``duration``, whatever the answers' speed.

    Request n is due at start + n / rate. They are spread over ``rate`` simulated callers, so each
    caller presses a key about once a second and still waits for one menu before the next key;
    a late answer makes that caller's next request late, and its latency counts from when it
    was due.
    """
    loop = asyncio.get_running_loop()
    run = Run()
    host, port = address
    total = int(rate * duration)
    lanes = max(1, min(int(rate), total))
    start = loop.time() + 0.1  # let every caller reach its first sleep before the first slot

    async def caller(lane: int) -> None:
        slot = lane
        for call in calls:
            for payload, expect in call:
                if slot >= total:
                    return
                due = start + slot / rate
                if (delay := due - loop.time()) > 0:
                    await asyncio.sleep(delay)
                failure = await exchange(host, port, payload, expect)
                run.record(failure, loop.time() - due)
                slot += lanes

    await _timed(run, [caller(lane) for lane in range(lanes)])
    run.elapsed = loop.time() - start  # from the first due time, so the rate is the one achieved
    run.ran_out = run.requests < total
    return run


async def _timed(run: Run, callers: list) -> None:
    """Run the callers to the end, filling in wall time and this process's CPU time."""
    cpu, wall = time.process_time(), time.perf_counter()
    await asyncio.gather(*callers)
    run.elapsed = time.perf_counter() - wall
    run.client_cpu = time.process_time() - cpu
