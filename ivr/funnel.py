"""What the console counts about calls, read off the menu table: the places a call reaches, the
funnel from the language menu to a registered reminder, and how a call ended.

A place is a node's name, or ``walk.n`` for the n-th message of a walk (``steps.6``), so the
funnel can say how far callers listened. Everything here derives from ``ivr.menu``: a menu
change changes the funnel with it.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from insights.events import Event, event
from ivr.flow import CallState, Turn
from ivr.menu import (
    LANGUAGE_MENU,
    MAIN_MENU,
    MISSES_BEFORE_GOODBYE,
    NODES,
    Do,
    Menu,
    Message,
    Option,
    Walk,
)

INFORMED, GOODBYE, HUNG_UP = "informed", "goodbye_after_misses", "hung_up_in_menu"
#: How a call can end, in the order the console lists them.
ENDINGS = (INFORMED, HUNG_UP, GOODBYE)


def place(state: CallState) -> str:
    node = NODES.get(state.node)
    return f"{state.node}.{state.step + 1}" if isinstance(node, Walk) else state.node


def _options(node: object) -> tuple[Option, ...]:
    """A node's options: a menu's, or the extra option a walk offers on every step."""
    if isinstance(node, Menu):
        return node.options
    extra = getattr(node, "extra", None) if isinstance(node, Walk) else None
    return (extra,) if extra is not None else ()


def _after(*effects: str) -> tuple[str, ...]:
    """The nodes a call enters once the call service did one of ``effects`` (an SMS sent, a
    reminder registered), each once, in the menu table's order."""
    return tuple(
        dict.fromkeys(
            option.action.then
            for node in NODES.values()
            for option in _options(node)
            if isinstance(option.action, Do) and option.action.effect in effects
        )
    )


def _topics() -> tuple[str, ...]:
    main = NODES[MAIN_MENU]
    assert isinstance(main, Menu)
    targets = (getattr(option.action, "node", None) for option in main.options)
    return tuple(
        f"{t}.1" if isinstance(NODES.get(t), Walk) else t for t in targets if t is not None
    )


WALK_ENDS = tuple(
    f"{name}.{len(node.steps)}" for name, node in NODES.items() if isinstance(node, Walk)
)
#: Places where a caller has heard information they may have come for.
INFORMATION = frozenset(
    (*WALK_ENDS, *(name for name, node in NODES.items() if isinstance(node, Message)))
)


@dataclass(frozen=True)
class Stage:
    name: str  # a console label key
    places: tuple[str, ...]  # each counted apart, in this order


#: The call's path, language menu to registered reminder.
FUNNEL = (
    Stage("language_menu", (LANGUAGE_MENU,)),
    Stage("main_menu", (MAIN_MENU,)),
    Stage("topics", _topics()),
    Stage("steps_completed", WALK_ENDS),
    Stage("sms_asked", _after("send_steps")),
    Stage("reminder_registered", _after("register_by_call", "register_by_sms", "register_by_both")),
)


def turn_events(before: CallState | None, turn: Turn, pressed: str | None) -> tuple[list, list]:
    """What a turn counts: places reached (once per call each) and misses (every time)."""
    now_at = place(turn.state)
    reached = (
        [] if before is not None and place(before) == now_at else [event("call_reached", now_at)]
    )
    missed = []
    if before is not None and turn.state.misses > before.misses:
        kind = "wrong" if pressed else "silence"
        missed.append(event("call_missed", place(before), kind))
    return reached, missed


def ending(state: CallState, seen: Iterable[str]) -> str:
    """How a call ended, from its last state and the events it counted once (places reached)."""
    if state.misses >= MISSES_BEFORE_GOODBYE:
        return GOODBYE
    reached = {e.labels[0] for e in map(Event.parse, seen) if e and e.name == "call_reached"}
    return INFORMED if INFORMATION & reached else HUNG_UP


def end_events(state: CallState, seen: Iterable[str]) -> list[Event]:
    """What an ended call counts: its language and how it ended, and where it left."""
    return [
        event("call_ended", state.lang or "-", ending(state, seen)),
        event("call_left", place(state)),
    ]
