"""The call as a pure function: ``Flow.step(state, digits) -> Turn``.

No Redis, no HTTP, no words: a state and the key pressed (or None for silence) go in; the next
state and the catalog keys to say come out. Global keys, silence and wrong keys are handled here
once for every node, so a node in ``ivr.menu`` only lists its own options.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import date

from content.catalog import FALLBACK_LANGUAGES
from ivr.menu import (
    GLOBAL_KEYS,
    HINTS,
    LANGUAGE_MENU,
    LANGUAGE_OFFER,
    MAIN_MENU,
    MISSES_BEFORE_GOODBYE,
    NO_NUMBER,
    NODES,
    RESUMABLE,
    RESUME_MENU,
    Action,
    Back,
    ChooseLanguage,
    DateEntry,
    Do,
    Goto,
    KeepLanguage,
    LanguageMenu,
    MainMenu,
    Menu,
    Message,
    NextStep,
    Node,
    Option,
    PreviousStep,
    Repeat,
    Restart,
    Walk,
    language_menus,
)
from reminders.schedule import DateCheck, check_expiry

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
    entry: str = ""  # a date the caller typed (ISO), until the call ends


@dataclass(frozen=True)
class Prompt:
    """A catalog key to say, in a language, with the values of its runtime placeholders."""

    key: str
    lang: str
    params: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True)
class Effect:
    """Something the call service must do beyond speaking: send an SMS, register a reminder."""

    name: str  # remember_language, send_steps, register_reminder, send_expired
    lang: str
    entry: str = ""


@dataclass(frozen=True)
class Turn:
    """What happens next: say these prompts, then listen for keys (or hang up)."""

    state: CallState
    prompts: tuple[Prompt, ...]
    listen: bool = True
    num_digits: int = 1  # how many keys to listen for (Twilio's numDigits)
    effects: tuple[Effect, ...] = ()
    timeout: int | None = None  # seconds to wait for a key; None for the usual wait


_EIGHT_DIGITS = re.compile(r"[0-9]{8}")


class Flow:
    def __init__(self, languages: Sequence[str], nodes: dict[str, Node] = NODES):
        if not languages:
            raise ValueError("the call needs at least one language")
        self.languages = tuple(languages)
        #: Said before a caller chose a language (goodbye, "more languages", the outage
        #: message): French and English, the languages of the essentials.
        self.before_choice = tuple(lang for lang in FALLBACK_LANGUAGES if lang in self.languages)
        self.before_choice = self.before_choice or self.languages[:1]
        self.standard = nodes is NODES  # the hotline's own menus (not a test's)
        pages = {menu.name: menu for menu in language_menus(self.languages)}
        self.nodes: dict[str, Node] = {**nodes, **pages}

    # --- entry points ---------------------------------------------------------------------------

    def start(self, resume_point: CallState | None = None, known_lang: str | None = None) -> Turn:
        """A new call. From a number that chose a language before (or stopped on a topic within
        the resume window): only the offer of that language, and how to change it, within the
        first 3 seconds; the offer to continue comes after the caller confirms. Else the
        language menu. A caller ID can be spoofed, so nothing before the confirmation names a
        topic, a date or a registration."""
        resumable = self.can_resume(resume_point)
        lang = known_lang if known_lang in self.languages else None
        if lang is None and resumable:
            assert resume_point is not None
            lang = resume_point.lang
        if lang is None:
            return self.enter(CallState())
        offer = CallState(lang=lang, node=LANGUAGE_OFFER)
        if resumable:
            assert resume_point is not None
            where = (*resume_point.path, resume_point.node)[-MAX_PATH:]
            offer = replace(offer, path=where, step=resume_point.step)
        return self.enter(offer)

    def step(
        self,
        state: CallState,
        digits: str | None,
        *,
        today: date | None = None,
        can_text: bool = True,
    ) -> Turn:
        """The caller pressed digits (None or "" when they pressed nothing).

        ``today`` is needed to check a typed date; ``can_text`` says whether the caller's number
        can receive an SMS (a withheld number cannot).
        """
        if not self.is_valid(state):
            return self.enter(CallState())
        key = (digits or "").strip()
        node = self.nodes[state.node]
        otherwise = node.otherwise if isinstance(node, Menu) else None
        if not key:
            return (
                self.perform(state, otherwise)
                if otherwise
                else self.miss(state, "voice.miss.silence")
            )
        if isinstance(node, DateEntry) and key not in GLOBAL_KEYS:
            return self.typed_date(state, node, key, today)
        action = self.action_for(state, key, can_text=can_text) or otherwise
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
        if not state.node.startswith(LANGUAGE_MENU) and state.lang not in self.languages:
            return False
        return not isinstance(node, Walk) or 0 <= state.step < len(node.steps)

    # --- keys -----------------------------------------------------------------------------------

    def action_for(self, state: CallState, key: str, *, can_text: bool = True) -> Action | None:
        node = self.nodes[state.node]
        if isinstance(node, Menu):
            for option in node.options:
                if option.key == key:
                    return option.action if can_text or not option.needs_number else Goto(NO_NUMBER)
            if node.otherwise is not None:
                return node.otherwise  # no global key here: every other key means "otherwise"
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
                return replace(
                    turn,
                    prompts=(welcome, *turn.prompts),
                    effects=(Effect("remember_language", code),),
                )
            case KeepLanguage() if state.path and state.path[-1] in RESUMABLE:
                # Confirmed, and a topic heard within the resume window: offer to continue.
                assert state.lang is not None
                turn = self.enter(replace(state, node=RESUME_MENU))
                return replace(turn, effects=(Effect("remember_language", state.lang),))
            case KeepLanguage():
                assert state.lang is not None
                return self.perform(CallState(), ChooseLanguage(state.lang))
            case Restart():
                return self.enter(CallState())
            case Goto(node=target):
                path = (*state.path, state.node)[-MAX_PATH:]
                return self.enter(replace(state, node=target, path=path, step=0))
            case Back() if state.path:
                return self.enter(replace(state, node=state.path[-1], path=state.path[:-1]))
            case Back() | Repeat():
                return self.enter(state)
            case MainMenu():
                return self.enter(replace(state, node=MAIN_MENU, path=(LANGUAGE_MENU,), step=0))
            case LanguageMenu() if not state.node.startswith(LANGUAGE_MENU):
                path = (*state.path, state.node)[-MAX_PATH:]
                return self.enter(replace(state, node=LANGUAGE_MENU, path=path))
            case LanguageMenu():
                return self.enter(state)
            case NextStep():
                return self.enter(replace(state, step=state.step + 1))
            case PreviousStep():
                return self.enter(replace(state, step=state.step - 1))
            case Do(effect=effect, then=then):
                lang = state.lang or self.languages[0]
                done = replace(state, node=then, path=(LANGUAGE_MENU, MAIN_MENU), entry="")
                turn = self.enter(done)
                return replace(turn, effects=(Effect(effect, lang, state.entry),))
        raise AssertionError(f"unhandled action {action!r}")

    def typed_date(self, state: CallState, node: DateEntry, key: str, today: date | None) -> Turn:
        """A date typed as 8 digits: read it back, or say why it cannot be used."""
        lang = state.lang or self.languages[0]
        try:
            if not _EIGHT_DIGITS.fullmatch(key):
                raise ValueError(key)
            typed = date(int(key[4:]), int(key[2:4]), int(key[:2]))
        except ValueError:
            return self.miss(state, "voice.remind.not_a_date")
        if today is None:
            raise ValueError("a typed date needs today's date to be checked")
        check = check_expiry(typed, today)
        if check is DateCheck.TOO_FAR:
            return self.miss(state, "voice.remind.too_far")
        if check is DateCheck.PAST:
            # Already expired: the guidance now, by voice and by SMS; another date may follow.
            again = replace(state, misses=0)
            prompts = (Prompt("voice.remind.past", lang), *self.guide_prompts(again))
            return self._turn(again, prompts, effects=(Effect("send_expired", lang),))
        path = (*state.path, state.node)[-MAX_PATH:]
        return self.enter(
            replace(state, node=node.then, path=path, entry=typed.isoformat(), misses=0)
        )

    # --- what is said ---------------------------------------------------------------------------

    def enter(self, state: CallState) -> Turn:
        """Arrive at (or repeat) the state's node: say all of it."""
        return self._turn(state, self.full_prompts(state))

    def _turn(self, state: CallState, prompts: tuple[Prompt, ...], **kw) -> Turn:
        node = self.nodes[state.node]
        num_digits = node.num_digits if isinstance(node, DateEntry) else 1
        timeout = node.timeout if isinstance(node, Menu) else None
        return Turn(state, prompts, num_digits=num_digits, timeout=timeout, **kw)

    def miss(self, state: CallState, reason: str) -> Turn:
        """Silence or a wrong key: say what happened and guide again; end after the 3rd miss."""
        misses = state.misses + 1
        spoken_in = (state.lang,) if state.lang else self.before_choice
        if misses >= MISSES_BEFORE_GOODBYE:
            goodbye = tuple(Prompt("voice.miss.goodbye", lang) for lang in spoken_in)
            return Turn(replace(state, misses=misses), goodbye, listen=False)
        said = (Prompt(reason, state.lang),) if state.lang else ()
        return self._turn(replace(state, misses=misses), said + self.guide_prompts(state))

    def option_languages(self, option: Option, state: CallState) -> tuple[str, ...]:
        """A language is offered in itself; anything else in the caller's language, or, before
        they chose one, in French and English."""
        if isinstance(option.action, ChooseLanguage):
            return (option.action.code,)
        return (state.lang,) if state.lang else self.before_choice

    def full_prompts(self, state: CallState) -> tuple[Prompt, ...]:
        node = self.nodes[state.node]
        lang = state.lang or self.languages[0]
        if isinstance(node, Menu | DateEntry):
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
        if isinstance(node, DateEntry):
            prompts.append(Prompt(node.prompt, lang))
        if isinstance(node, Menu):
            said_back = (("date", state.entry),) if node.reads_back else ()
            prompts += [Prompt(key, lang, said_back) for key in node.title]
            for option in node.options:
                for said_in in self.option_languages(option, state):
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
