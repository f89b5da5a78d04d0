"""The call as a pure function: ``Flow.step(state, digits) -> Turn``.

No Redis, no HTTP, no words: a state and the key pressed (or None for silence) go in; the next
state and the catalog keys to say come out. Global keys, silence and wrong keys are handled here
once for every node, so a node in ``ivr.menu`` only lists its own options.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace

from ivr.menu import (
    GLOBAL_KEYS,
    HINTS,
    LANGUAGE_MENU,
    MAIN_MENU,
    MISSES_BEFORE_GOODBYE,
    NODES,
    RESUMABLE,
    RESUME_MENU,
    Action,
    Back,
    ChooseLanguage,
    Goto,
    LanguageMenu,
    MainMenu,
    Menu,
    Message,
    NextStep,
    Node,
    PreviousStep,
    Repeat,
    Walk,
    language_menu,
)

#: Longest "back" history kept; menus are at most 3 levels deep, so this is never reached.
MAX_PATH = 8


@dataclass(frozen=True)
class CallState:
    """Where a call is: its language, its node, the nodes to go back to, its step in a walk."""

    lang: str | None = None
    node: str = LANGUAGE_MENU
    path: tuple[str, ...] = ()
    step: int = 0
    misses: int = 0


@dataclass(frozen=True)
class Prompt:
    """A catalog key to say, in a language, with the values of its runtime placeholders."""

    key: str
    lang: str
    params: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True)
class Turn:
    """What happens next: say these prompts, then listen for a key (or hang up)."""

    state: CallState
    prompts: tuple[Prompt, ...]
    listen: bool = True


class Flow:
    def __init__(self, languages: Sequence[str], nodes: dict[str, Node] = NODES):
        if not languages:
            raise ValueError("the call needs at least one language")
        self.languages = tuple(languages)
        self.nodes: dict[str, Node] = {**nodes, LANGUAGE_MENU: language_menu(self.languages)}

    # --- entry points ---------------------------------------------------------------------------

    def start(self, resume_point: CallState | None = None) -> Turn:
        """A new call: the language menu, or the offer to continue where the caller stopped."""
        if self.can_resume(resume_point):
            assert resume_point is not None
            state = CallState(
                lang=resume_point.lang,
                node=RESUME_MENU,
                path=(*resume_point.path, resume_point.node)[-MAX_PATH:],
                step=resume_point.step,
            )
            return self.enter(state)
        return self.enter(CallState())

    def step(self, state: CallState, digits: str | None) -> Turn:
        """The caller pressed digits (None or "" when they pressed nothing)."""
        if not self.is_valid(state):
            return self.enter(CallState())
        key = (digits or "").strip()
        if not key:
            return self.miss(state, "voice.miss.silence")
        action = self.action_for(state, key)
        if action is None:
            return self.miss(state, "voice.miss.wrong")
        return self.perform(state, action)

    def can_resume(self, point: CallState | None) -> bool:
        return (
            point is not None
            and point.lang in self.languages
            and point.node in RESUMABLE
            and self.is_valid(point)
        )

    def is_valid(self, state: CallState) -> bool:
        """A state this flow can continue from (stored states may predate a menu change)."""
        node = self.nodes.get(state.node)
        if node is None or any(name not in self.nodes for name in state.path):
            return False
        if state.node != LANGUAGE_MENU and state.lang not in self.languages:
            return False
        return not isinstance(node, Walk) or 0 <= state.step < len(node.steps)

    # --- keys -----------------------------------------------------------------------------------

    def action_for(self, state: CallState, key: str) -> Action | None:
        node = self.nodes[state.node]
        if isinstance(node, Menu):
            for option in node.options:
                if option.key == key:
                    return option.action
        if isinstance(node, Walk):
            if key == node.next_key and state.step < len(node.steps) - 1:
                return NextStep()
            if key == node.previous_key and state.step > 0:
                return PreviousStep()
        action = GLOBAL_KEYS.get(key)
        if isinstance(action, MainMenu) and state.lang is None:
            return None
        return action

    def perform(self, state: CallState, action: Action) -> Turn:
        state = replace(state, misses=0)
        match action:
            case ChooseLanguage(code=code):
                chosen = CallState(lang=code, node=MAIN_MENU, path=(LANGUAGE_MENU,))
                welcome = Prompt("voice.main.welcome", code)
                turn = self.enter(chosen)
                return replace(turn, prompts=(welcome, *turn.prompts))
            case Goto(node=target):
                path = (*state.path, state.node)[-MAX_PATH:]
                return self.enter(replace(state, node=target, path=path, step=0))
            case Back() if state.path:
                return self.enter(replace(state, node=state.path[-1], path=state.path[:-1]))
            case Back() | Repeat():
                return self.enter(state)
            case MainMenu():
                return self.enter(replace(state, node=MAIN_MENU, path=(LANGUAGE_MENU,), step=0))
            case LanguageMenu() if state.node != LANGUAGE_MENU:
                path = (*state.path, state.node)[-MAX_PATH:]
                return self.enter(replace(state, node=LANGUAGE_MENU, path=path))
            case LanguageMenu():
                return self.enter(state)
            case NextStep():
                return self.enter(replace(state, step=state.step + 1))
            case PreviousStep():
                return self.enter(replace(state, step=state.step - 1))
        raise AssertionError(f"unhandled action {action!r}")

    # --- what is said ---------------------------------------------------------------------------

    def enter(self, state: CallState) -> Turn:
        """Arrive at (or repeat) the state's node: say all of it."""
        return Turn(state, self.full_prompts(state))

    def miss(self, state: CallState, reason: str) -> Turn:
        """Silence or a wrong key: say what happened and guide again; end after the 3rd miss."""
        misses = state.misses + 1
        spoken_in = (state.lang,) if state.lang else self.languages[:2]
        if misses >= MISSES_BEFORE_GOODBYE:
            goodbye = tuple(Prompt("voice.miss.goodbye", lang) for lang in spoken_in)
            return Turn(replace(state, misses=misses), goodbye, listen=False)
        said = (Prompt(reason, state.lang),) if state.lang else ()
        return Turn(replace(state, misses=misses), said + self.guide_prompts(state))

    def full_prompts(self, state: CallState) -> tuple[Prompt, ...]:
        node = self.nodes[state.node]
        lang = state.lang or self.languages[0]
        if isinstance(node, Menu):
            return self.guide_prompts(state)
        if isinstance(node, Message):
            return (Prompt(node.prompt, lang), *self.guide_prompts(state))
        total = len(node.steps)
        heading = Prompt(node.heading, lang, (("step", str(state.step + 1)), ("total", str(total))))
        body = [heading, Prompt(node.steps[state.step], lang)]
        if state.step == total - 1:
            body.append(Prompt(node.last, lang))
        return (*body, *self.guide_prompts(state))

    def guide_prompts(self, state: CallState) -> tuple[Prompt, ...]:
        """What the caller can press here: a menu's options, or a message's navigation hints."""
        node = self.nodes[state.node]
        lang = state.lang or self.languages[0]
        prompts: list[Prompt] = []
        if isinstance(node, Menu):
            prompts += [Prompt(key, lang) for key in node.title]
            for option in node.options:
                said_in = option.action.code if isinstance(option.action, ChooseLanguage) else lang
                prompts.append(Prompt(option.prompt, said_in, (("key", option.key),)))
        if isinstance(node, Walk):
            if state.step < len(node.steps) - 1:
                prompts.append(Prompt("voice.nav.next", lang, (("key", node.next_key),)))
            if state.step > 0:
                prompts.append(Prompt("voice.nav.previous", lang, (("key", node.previous_key),)))
        if state.lang:
            for hint in node.hints:
                key, prompt = HINTS[hint]
                prompts.append(Prompt(prompt, lang, (("key", key),)))
        return tuple(prompts)


#: Every key a phone keypad can send.
KEYPAD = tuple("0123456789*#")


def reachable_prompts(flow: Flow) -> set[Prompt]:
    """Every prompt a call can hear, found by pressing every key (and none) in every reachable
    state: what the content check and the audio build must cover."""
    resume_points = [
        CallState(lang=lang, node=node, path=(LANGUAGE_MENU, MAIN_MENU))
        for lang in flow.languages
        for node in sorted(RESUMABLE)
    ]
    queue = [flow.start(), *(flow.start(point) for point in resume_points)]
    seen: set[CallState] = set()
    prompts: set[Prompt] = set()
    while queue:
        turn = queue.pop()
        prompts.update(turn.prompts)
        if not turn.listen or turn.state in seen:
            continue
        seen.add(turn.state)
        queue.extend(flow.step(turn.state, key) for key in (*KEYPAD, None))
    return prompts
