"""The global cap on outbound SMS per second, held in Redis so it binds every worker process.

Each send first reserves a slot: one Lua script reads the last slot handed out and gives the
caller ``max(now, last + interval)``, on the Redis server's clock (one clock for all workers, on
any host). The worker sleeps until its slot, then sends. Slots are at least ``interval`` apart,
so sends are spread evenly instead of bursting.

What "never above the cap" means here: in any window of one second, at most ⌈rate⌉ requests
leave for the API (for example at most 50 at 50/s), and also arrive there while the network adds
less than ``ARRIVAL_JITTER`` of jitter. Two margins make that hold although a worker wakes a
little after its slot and requests take varying time to arrive:

- the interval is ``(1 + GUARD) / rate``, so ⌈rate⌉ + 1 consecutive slots span 1 + GUARD s;
- a worker that wakes more than ``LATE_TOLERANCE`` after its slot does not send on it (that
  slot stays empty) but reserves a new one.

So consecutive sends start within LATE_TOLERANCE of slots that are GUARD apart in every second,
leaving GUARD - LATE_TOLERANCE (20 ms) for arrival jitter. The achieved rate is
rate / (1 + GUARD), 3% under the cap, when enough work and workers keep every slot busy. (With a
2% guard, forking workers on a saturated 2-CPU machine once put 51 requests in one second at
50/s, from CPU starvation between a slot and the far end; 3% held. See docs/sms.md.)
"""

from __future__ import annotations

import logging
import math
import time
from collections.abc import Callable

from redis import Redis

from hotline import keys

log = logging.getLogger(__name__)

#: Extra spacing, as a fraction of the one-second window.
GUARD = 0.03
#: A worker that wakes later than this after its slot takes a new slot instead.
LATE_TOLERANCE = 0.01
#: What is left of the guard for the network: requests may arrive this unevenly.
ARRIVAL_JITTER = GUARD - LATE_TOLERANCE

#: KEYS[1] the slot key. ARGV[1] interval (µs), ARGV[2] "now" in µs, or "" for the server clock.
#: Returns {slot, now} in µs. The key outlives the furthest slot by a minute, then goes.
_RESERVE = """
local now
if ARGV[2] ~= '' then
  now = tonumber(ARGV[2])
else
  local t = redis.call('TIME')
  now = tonumber(t[1]) * 1000000 + tonumber(t[2])
end
local interval = tonumber(ARGV[1])
local slot = now
local last = tonumber(redis.call('GET', KEYS[1]))
if last and last + interval > now then
  slot = last + interval
end
local ttl_ms = math.floor((slot - now) / 1000) + 60000
redis.call('SET', KEYS[1], string.format('%.0f', slot), 'PX', ttl_ms)
return {slot, now}
"""


class RateCap:
    """At most ``rate_per_second`` sends per second across every process sharing this Redis."""

    def __init__(
        self,
        redis: Redis,
        rate_per_second: float,
        *,
        key: str = keys.SMS_RATE_SLOT,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
    ):
        if not (rate_per_second > 0 and math.isfinite(rate_per_second)):
            raise ValueError(f"the SMS rate must be above 0, not {rate_per_second!r}")
        self.rate = rate_per_second
        self.interval_us = max(1, round(1_000_000 * (1 + GUARD) / rate_per_second))
        self.key = key
        self.clock = clock
        self.sleep = sleep
        self._reserve = redis.register_script(_RESERVE)

    def reserve(self, now_us: int | None = None) -> tuple[int, int]:
        """Take the next free slot: (slot, now) in µs on the Redis clock (or on ``now_us``)."""
        slot, now = self._reserve(
            keys=[self.key], args=[self.interval_us, "" if now_us is None else now_us]
        )
        return int(slot), int(now)

    def wait(self) -> float:
        """Block until this process may send one message; return the seconds spent waiting."""
        waited = 0.0
        while True:
            slot, now = self.reserve()
            delay = (slot - now) / 1_000_000
            if delay <= 0:
                return waited
            started = self.clock()
            self.sleep(delay)
            slept = self.clock() - started
            waited += slept
            if slept - delay <= LATE_TOLERANCE:
                return waited
            log.info("woke %.0f ms after a send slot; taking the next one", 1000 * (slept - delay))
