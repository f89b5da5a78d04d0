"""Call state in Redis: where each live call is, its step number, and where each caller stopped
(for a short window: RESUME_WINDOW_MINUTES, 2 hours by default).

A state is a compact JSON array of about 60 bytes (with the date being typed, whether the hints
were heard in full, and the count of unusable dates, when any is set). Both keys
expire on their own, and the resume point is keyed by the keyed hash of the number, never the
number.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import datetime

from redis import Redis

from hotline import keys
from insights.events import Event
from insights.tally import Tally
from ivr.flow import CallState


def encode(state: CallState) -> str:
    fields = [state.lang, state.node, list(state.path), state.step, state.misses]
    extra = [state.entry, int(state.hinted), state.wrong_dates]
    while extra and not extra[-1]:
        extra.pop()  # most states need none of them: keep the value short
    return json.dumps(fields + extra, separators=(",", ":"))


def decode(raw: bytes | str | None) -> CallState | None:
    """The stored state, or None when absent or unreadable (a corrupt value restarts the call)."""
    if raw is None:
        return None
    try:
        lang, node, path, step, misses, *extra = json.loads(raw)
        defaults = ["", 0, 0]
        typed, hinted, wrong_dates = [*extra, *defaults[len(extra) :]][:3]
        return CallState(
            lang,
            str(node),
            tuple(map(str, path)),
            int(step),
            int(misses),
            str(typed or ""),
            bool(hinted),
            int(wrong_dates),
        )
    except (ValueError, TypeError):
        return None


# Take step ARGV[1] of a call, and read its state, in one round trip: the step is taken only if
# the call has a state and ARGV[1] is its next step (a replayed or stale POST carries an older
# number, a call that ended holds "ended"). Returns {1 if taken, the step number as it was, the
# state} (false, read as None, for what is absent).
_TAKE_STEP = """
local current = redis.call('GET', KEYS[1])
local state = redis.call('GET', KEYS[2])
if not state or current ~= ARGV[1] then return {0, current, state} end
redis.call('SET', KEYS[1], tostring(tonumber(ARGV[1]) + 1), 'EX', ARGV[2])
return {1, current, state}
"""

ENDED = "ended"

# One round trip per turn: the call's state, the caller's resume point (when ARGV[2] is 1),
# and the turn's counts in the hour and day buckets. The first ARGV[3] fields are places
# reached, counted once per call (the call's "seen" set remembers them); the rest count every
# time. Returns a bit per field, 1 when it was counted. The TTLs are part of the script's text
# (fewer arguments to encode on every webhook).
_SAVE = """
redis.call('SET', KEYS[1], ARGV[1], 'EX', {call_ttl})
if ARGV[2] == '1' then redis.call('SET', KEYS[2], ARGV[1], 'EX', {resume_ttl}) end
local once = tonumber(ARGV[3])
local counted, bit = 0, 1
for i = 4, #ARGV do
  local new = true
  if i - 3 <= once then
    new = redis.call('SADD', KEYS[3], ARGV[i]) == 1
    if new then redis.call('EXPIRE', KEYS[3], {call_ttl}) end
  end
  if new then
    -- A bucket's lifetime is set when it gets a new field (its first, mostly), not every time.
    if redis.call('HINCRBY', KEYS[4], ARGV[i], 1) == 1 then
      redis.call('EXPIRE', KEYS[4], {hour_ttl})
    end
    if redis.call('HINCRBY', KEYS[5], ARGV[i], 1) == 1 then
      redis.call('EXPIRE', KEYS[5], {day_ttl})
    end
    counted = counted + bit
  end
  bit = bit * 2
end
return counted
"""


@dataclass(frozen=True)
class StepTaken:
    """What taking a step found: whether it was taken, the call's next step number (None when
    unknown or ended), whether the call ended, and its state (None when absent)."""

    taken: bool
    next_step: int | None
    ended: bool
    state: CallState | None


def _step_number(raw: bytes | None) -> int | None:
    return int(raw) if raw is not None and raw.isdigit() and raw.isascii() else None


@dataclass(frozen=True)
class EndedCall:
    """A call's last state and the events it counted once (places reached), read as it is
    deleted."""

    state: CallState | None
    seen: frozenset[str]


def same_place(a: CallState | None, b: CallState) -> bool:
    """Whether two states are at the same place in the call (the count of misses aside)."""
    return a is not None and replace(a, misses=0) == replace(b, misses=0)


class CallStore:
    def __init__(self, redis: Redis, resume_window: int = keys.RESUME_POINT_TTL):
        self.redis = redis
        self.resume_window = resume_window
        self._save = redis.register_script(
            _SAVE.format(
                call_ttl=keys.CALL_STATE_TTL,
                resume_ttl=int(resume_window),
                hour_ttl=keys.STATS_HOUR_TTL,
                day_ttl=keys.STATS_DAY_TTL,
            )
        )
        self._take_step = redis.register_script(_TAKE_STEP)

    # --- the step number: each step of a call is taken once ------------------------------------

    def begin(self, call_sid: str) -> bool:
        """Open a new call at step 0; False when this CallSid already began (a replay)."""
        key = keys.CALL_STEP.format(sid=call_sid)
        return bool(self.redis.set(key, 0, nx=True, ex=keys.CALL_STEP_TTL))

    def restart(self, call_sid: str) -> None:
        """Begin again at step 0 a call whose state expired."""
        self.redis.set(keys.CALL_STEP.format(sid=call_sid), 0, ex=keys.CALL_STEP_TTL)

    def take_step(self, call_sid: str, number: int | None) -> StepTaken:
        """Take step ``number`` of the call (once, for the call's next step only) and read its
        state, in one round trip."""
        keys_ = [keys.CALL_STEP.format(sid=call_sid), keys.CALL_STATE.format(sid=call_sid)]
        taken, current, raw = self._take_step(
            keys=keys_, args=["" if number is None else str(number), keys.CALL_STEP_TTL]
        )
        return StepTaken(bool(taken), _step_number(current), current == ENDED.encode(), decode(raw))

    def resume_point(self, caller: str | None) -> CallState | None:
        if caller is None:
            return None
        return decode(self.redis.get(keys.RESUME_POINT.format(caller=caller)))

    def save(
        self,
        call_sid: str,
        state: CallState,
        *,
        caller: str | None,
        resumable: bool,
        previous: CallState | None = None,
        at: datetime | None = None,
        once: Sequence[Event] = (),
        always: Sequence[Event] = (),
    ) -> None:
        """Store the call's state, and the caller's resume point when the node is worth resuming
        and the caller moved (a repeat or a silence leaves the resume point as it is); count the
        turn's events (``once``: at most once per call) in the same round trip."""
        call_key = keys.CALL_STATE.format(sid=call_sid)
        resume_key, resume = call_key, "0"
        if caller is not None and resumable and not same_place(previous, state):
            resume_key, resume = keys.RESUME_POINT.format(caller=caller), "1"
        events = [*once, *always] if at else []
        hour, day = Tally.bucket_keys(at) if at else (call_key, call_key)
        counted = self._save(
            keys=[call_key, resume_key, keys.CALL_SEEN.format(sid=call_sid), hour, day],
            args=[encode(state), resume, len(once) if at else 0, *(e.field for e in events)],
        )
        if counted:
            Tally.count([e for i, e in enumerate(events) if counted >> i & 1])

    def end(self, call_sid: str) -> EndedCall | None:
        """The call is over: its state and seen places go (the resume point stays until it
        expires), and its step number says so, so a replayed step of it is not served as a new
        call. What it was, or None if it was already gone (a second callback counts nothing)."""
        call_key = keys.CALL_STATE.format(sid=call_sid)
        seen_key = keys.CALL_SEEN.format(sid=call_sid)
        with self.redis.pipeline() as pipe:  # MULTI: two callbacks cannot both read the state
            pipe.get(call_key)
            pipe.smembers(seen_key)
            pipe.delete(call_key, seen_key)
            pipe.set(keys.CALL_STEP.format(sid=call_sid), ENDED, ex=keys.CALL_STEP_TTL)
            raw, seen, deleted, _ = pipe.execute()
        if not deleted:
            return None
        return EndedCall(decode(raw), frozenset(s.decode() for s in seen))

    def forget_caller(self, caller: str) -> None:
        """Erase where a caller stopped (STOP erases everything a number left)."""
        self.redis.delete(keys.RESUME_POINT.format(caller=caller))
