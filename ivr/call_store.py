"""Call state in Redis: where each live call is, its step number, and where each caller stopped
(for a short window: RESUME_WINDOW_MINUTES, 2 hours by default).

A state is a compact JSON array of about 60 bytes (with the date being typed, whether the hints
were heard in full, and the count of unusable dates, when any is set). Both keys
expire on their own, and the resume point is keyed by the keyed hash of the number, never the
number.
"""

from __future__ import annotations

import json
from dataclasses import replace

from redis import Redis

from hotline import keys
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


# Take step ARGV[1] of a call: only if it is the call's next step (a replayed or stale POST
# carries an older number, a call that ended holds "ended"). Returns 1 when taken.
_CLAIM_STEP = """
if redis.call('GET', KEYS[1]) ~= ARGV[1] then return 0 end
redis.call('SET', KEYS[1], tostring(tonumber(ARGV[1]) + 1), 'EX', ARGV[2])
return 1
"""

ENDED = "ended"

# The call's state and the caller's resume point, both written in one round trip.
_SAVE_BOTH = """
redis.call('SET', KEYS[1], ARGV[1], 'EX', ARGV[2])
redis.call('SET', KEYS[2], ARGV[1], 'EX', ARGV[3])
"""


def same_place(a: CallState | None, b: CallState) -> bool:
    """Whether two states are at the same place in the call (the count of misses aside)."""
    return a is not None and replace(a, misses=0) == replace(b, misses=0)


class CallStore:
    def __init__(self, redis: Redis, resume_window: int = keys.RESUME_POINT_TTL):
        self.redis = redis
        self.resume_window = resume_window
        self._save_both = redis.register_script(_SAVE_BOTH)
        self._claim_step = redis.register_script(_CLAIM_STEP)

    # --- the step number: each step of a call is taken once ------------------------------------

    def begin(self, call_sid: str) -> bool:
        """Open a new call at step 0; False when this CallSid already began (a replay)."""
        key = keys.CALL_STEP.format(sid=call_sid)
        return bool(self.redis.set(key, 0, nx=True, ex=keys.CALL_STEP_TTL))

    def restart(self, call_sid: str) -> None:
        """Begin again at step 0 a call whose state expired."""
        self.redis.set(keys.CALL_STEP.format(sid=call_sid), 0, ex=keys.CALL_STEP_TTL)

    def claim_step(self, call_sid: str, number: int) -> bool:
        """Take step ``number`` of the call: True once, for the call's next step only."""
        key = keys.CALL_STEP.format(sid=call_sid)
        return bool(self._claim_step(keys=[key], args=[str(number), keys.CALL_STEP_TTL]))

    def next_step(self, call_sid: str) -> int | None:
        """The number the call's next step must carry; None for an unknown or ended call."""
        raw = self.redis.get(keys.CALL_STEP.format(sid=call_sid))
        return int(raw) if raw is not None and raw.isdigit() and raw.isascii() else None

    def has_ended(self, call_sid: str) -> bool:
        return self.redis.get(keys.CALL_STEP.format(sid=call_sid)) == ENDED.encode()

    def load(self, call_sid: str) -> CallState | None:
        return decode(self.redis.get(keys.CALL_STATE.format(sid=call_sid)))

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
    ) -> None:
        """Store the call's state, and the caller's resume point when the node is worth resuming
        and the caller moved (a repeat or a silence leaves the resume point as it is)."""
        value = encode(state)
        call_key = keys.CALL_STATE.format(sid=call_sid)
        if caller is not None and resumable and not same_place(previous, state):
            resume_key = keys.RESUME_POINT.format(caller=caller)
            self._save_both(
                keys=[call_key, resume_key],
                args=[value, keys.CALL_STATE_TTL, self.resume_window],
            )
        else:
            self.redis.set(call_key, value, ex=keys.CALL_STATE_TTL)

    def end(self, call_sid: str) -> None:
        """The call is over: its state goes (the resume point stays until it expires), and its
        step number says so, so a replayed step of it is not served as a new call."""
        pipe = self.redis.pipeline()
        pipe.delete(keys.CALL_STATE.format(sid=call_sid))
        pipe.set(keys.CALL_STEP.format(sid=call_sid), ENDED, ex=keys.CALL_STEP_TTL)
        pipe.execute()

    def forget_caller(self, caller: str) -> None:
        """Erase where a caller stopped (STOP erases everything a number left)."""
        self.redis.delete(keys.RESUME_POINT.format(caller=caller))
