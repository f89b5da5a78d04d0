"""The call as a pure function: ``Flow.step(state, digits) -> Turn``.

No Redis, no HTTP, no words: a state and the key pressed (or None for silence) go in; the next
state and the catalog keys to say come out. Global keys, silence and wrong keys are handled here
once for every node, so a node in ``ivr.menu`` only lists its own options.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, fields
from datetime import date, datetime, time, timedelta
from typing import Any, TypeVar

from content.catalog import FALLBACK_LANGUAGES
from ivr.menu import (
    GLOBAL_KEYS,
    HINTS,
    LANGUAGE_MENU,
    LANGUAGE_OFFER,
    MAIN_MENU,
    MISSES_BEFORE_GOODBYE,
    NO_NUMBER,
    NO_SMS,
    NODES,
    OUTBOUND_ENTRIES,
    RESUMABLE,
    RESUME_MENU,
    SHORT_HINTS,
    WRONG_DATES_BEFORE_OFFER,
    Action,
    Back,
    ChooseLanguage,
    DateEntry,
    Do,
    Goto,
    HangUp,
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
from reminders.schedule import (
    DEFAULT_POLICY,
    PARIS,
    DateCheck,
    Policy,
    check_expiry,
    first_index,
    kind_of,
    planned_at,
)

#: What a language with no full voice says when chosen: "we are sending you the help by SMS".
SMS_ONLY_PROMPT = "voice.sms_only.sending"
#: What a language with a full voice says first when chosen.
WELCOME_PROMPT = "voice.main.welcome"
#: Longest "back" history kept; menus are at most 3 levels deep, so this is never reached.
MAX_PATH = 8

#: The node whose words depend on the typed date: the consent names the reminders it gets.
PLAN_NODE = "remind_consent"
#: The reminder call's "your ADP ends in N days, on:" (N from Babel's CLDR, said in one
#: pre-rendered prompt per N), and what it says instead on the last day.
COUNTDOWN_PROMPT = "voice.reminder_call.before"
LAST_DAY_PROMPT = "voice.reminder_call.today"


@dataclass(frozen=True)
class CallState:
    """Where a call is: its language, its node, the nodes to go back to, its step in a walk."""

    lang: str | None = None
    node: str = LANGUAGE_MENU
    path: tuple[str, ...] = ()
    step: int = 0
    misses: int = 0
    entry: str = ""  # a date the caller typed (ISO), until the call ends
    hinted: bool = False  # the navigation hints were said in full once in this call
    wrong_dates: int = 0  # dates typed that cannot be used, in a row


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
    finish_key: str | None = None  # a key that ends a multi-digit entry at once ("*": back)


Frozen = TypeVar("Frozen", "CallState", "Prompt", "Turn")
_FIELDS: dict[type, frozenset[str]] = {}


def replace(obj: Frozen, **changes: Any) -> Frozen:
    """``dataclasses.replace`` for this module's frozen dataclasses (no ``__post_init__``, no
    init-only fields), without its per-call introspection: the reachability walk makes about a
    million of them, a quarter of its time with the library's version. An unknown field name
    still raises TypeError."""
    cls = type(obj)
    names = _FIELDS.get(cls) or _FIELDS.setdefault(cls, frozenset(f.name for f in fields(cls)))
    if not names.issuperset(changes):
        raise TypeError(f"{cls.__name__} has no field {sorted(set(changes) - names)}")
    copy = object.__new__(cls)
    vars(copy).update(vars(obj), **changes)
    return copy


_EIGHT_DIGITS = re.compile(r"[0-9]{8}")


class Flow:
    def __init__(
        self,
        languages: Sequence[str],
        nodes: dict[str, Node] = NODES,
        *,
        sms_only: Sequence[str] = (),
        policy: Policy = DEFAULT_POLICY,
    ):
        """``languages``: the language menu, in its order; of them, ``sms_only`` have only two
        prompts heard (their menu entry and "we are sending you the help by SMS"): choosing one
        sends the SMS help in it and ends the call. The others have every prompt."""
        self.menu_languages = tuple(languages)
        self.sms_only = tuple(lang for lang in languages if lang in set(sms_only))
        self.languages = tuple(lang for lang in languages if lang not in self.sms_only)
        if not self.languages:
            raise ValueError("the call needs at least one language")
        self.policy = policy
        #: Said before a caller chose a language (goodbye, "more languages", the outage
        #: message): French and English, the languages of the essentials.
        self.before_choice = tuple(lang for lang in FALLBACK_LANGUAGES if lang in self.languages)
        self.before_choice = self.before_choice or self.languages[:1]
        self.standard = nodes is NODES  # the hotline's own menus (not a test's)
        pages = {menu.name: menu for menu in language_menus(self.menu_languages, self.sms_only)}
        self.nodes: dict[str, Node] = {**nodes, **pages}
        #: What each place offers, worked out once (guide_prompts): a finite table of nodes,
        #: languages, steps and hint lengths; never a date (a node that reads one back is not kept).
        self._guides: dict[tuple[str, str, int, bool], tuple[Prompt, ...]] = {}

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
        finished_on: str = "",
        now: datetime | None = None,
        can_call: bool | None = None,
    ) -> Turn:
        """The caller pressed digits (None or "" when they pressed nothing).

        ``today`` is needed to check a typed date (``now``, when given, says which reminders are
        still ahead); ``can_text`` says whether the caller's number can receive an SMS (a
        withheld number or a landline cannot); ``can_call`` whether we see the number at all (by
        default: the same as ``can_text``); ``finished_on`` is the key that ended a multi-digit
        entry (Twilio's FinishedOnKey: it is never part of the digits).
        """
        if now is not None:
            today = now.astimezone(PARIS).date()
        turn = self._respond(state, digits, today, can_text, finished_on, now, can_call)
        return self.count_down(turn, today)

    def _respond(
        self,
        state: CallState,
        digits: str | None,
        today: date | None,
        can_text: bool,
        finished_on: str,
        now: datetime | None,
        can_call: bool | None,
    ) -> Turn:
        if not self.is_valid(state):
            return self.enter(CallState())
        key = (digits or "").strip()
        node = self.nodes[state.node]
        if isinstance(node, DateEntry) and finished_on and finished_on == node.back_key:
            return self.with_plan(self.perform(state, GLOBAL_KEYS[node.back_key]), today, now)
        otherwise = node.otherwise if isinstance(node, Menu) else None
        if not key:
            on_silence = (node.silence if isinstance(node, Menu) else None) or otherwise
            return (
                self.perform(state, on_silence)
                if on_silence
                else self.miss(state, "voice.miss.silence")
            )
        if isinstance(node, DateEntry) and key not in GLOBAL_KEYS:
            return self.typed_date(state, node, key, today)
        action = (
            self.action_for(
                state, key, can_text=can_text, can_call=can_text if can_call is None else can_call
            )
            or otherwise
        )
        if action is None:
            return self.miss(state, "voice.miss.wrong")
        if isinstance(action, ChooseLanguage) and action.code in self.sms_only:
            return self.help_by_sms(action.code, can_text)
        return self.with_plan(self.perform(state, action), today, now)

    def help_by_sms(self, lang: str, can_text: bool) -> Turn:
        """A language with no full voice yet: the help goes by SMS in it, and the call ends."""
        if not can_text:
            said = tuple(Prompt("voice.sms_steps.no_number", code) for code in self.before_choice)
            return Turn(CallState(), said, listen=False)
        said = (Prompt(SMS_ONLY_PROMPT, lang),)
        return Turn(CallState(lang=None), said, listen=False, effects=(Effect("send_help", lang),))

    def with_plan(self, turn: Turn, today: date | None, now: datetime | None) -> Turn:
        """On the consent to reminders, say which reminders this date will really get."""
        node = self.nodes[turn.state.node]
        if not (isinstance(node, Menu) and node.name == PLAN_NODE and turn.state.entry):
            return turn
        if today is None:
            raise ValueError("the reminder plan needs today's date")
        lang = turn.state.lang or self.languages[0]
        plan = self.plan_prompts(date.fromisoformat(turn.state.entry), today, now, lang)
        at = len(node.title)
        return replace(turn, prompts=(*turn.prompts[:at], *plan, *turn.prompts[at:]))

    def count_down(self, turn: Turn, today: date | None) -> Turn:
        """A reminder call says how many days are left before the date it reads back: "your ADP
        ends in 14 days, on: 15 March 2027" ("today" on the last day). Without today's date, or
        with no date to count to, the turn is left as it is."""
        if today is None or not any(p.key == COUNTDOWN_PROMPT for p in turn.prompts):
            return turn
        prompts = []
        for prompt in turn.prompts:
            until = dict(prompt.params).get("date")
            if prompt.key == COUNTDOWN_PROMPT and until:
                days = (date.fromisoformat(until) - today).days
                if days <= 0:
                    prompt = replace(prompt, key=LAST_DAY_PROMPT)
                else:
                    prompt = replace(prompt, params=(*prompt.params, ("days", str(days))))
            prompts.append(prompt)
        return replace(turn, prompts=tuple(prompts))

    def countdown_days(self) -> range:
        """Every number of days a reminder call may count down: from the earliest reminder
        before the date (30 days by default) to 1 (a try retried later only says fewer)."""
        before = [-offset for offset in self.policy.offsets if offset < 0]
        return range(1, max(before, default=0) + 1)

    def plan_prompts(
        self, expiry: date, today: date, now: datetime | None, lang: str
    ) -> tuple[Prompt, ...]:
        """The reminders ``reminders.schedule`` will send for this date if registered now, and
        how long the data is then kept: "a reminder on 8 March, and the day after it ends"."""
        now = now or datetime.combine(today, time(23, 59), tzinfo=PARIS)
        policy = self.policy
        ahead = range(first_index(expiry, now, policy), len(policy.offsets))
        before = [
            planned_at(expiry, i, policy).date() for i in ahead if kind_of(i, policy) == "before"
        ]
        after = any(kind_of(i, policy) == "after" for i in ahead)
        prompts = []
        for n, day in enumerate(before):
            key = "voice.remind.plan_first" if n == 0 else "voice.remind.plan_also"
            prompts.append(Prompt(key, lang, (("date", day.isoformat()),)))
        if after:
            key = "voice.remind.plan_after" if before else "voice.remind.plan_after_only"
            prompts.append(Prompt(key, lang))
        days = (("days", str(policy.retention_days)),)
        prompts.append(Prompt("voice.remind.plan_keep", lang, days))
        return tuple(prompts)

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

    def action_for(
        self, state: CallState, key: str, *, can_text: bool = True, can_call: bool = True
    ) -> Action | None:
        node = self.nodes[state.node]
        if isinstance(node, Menu):
            for option in node.options:
                if option.key != key:
                    continue
                if option.needs_caller and not can_call:
                    return Goto(NO_NUMBER)
                if option.needs_number and not can_text:
                    return Goto(NO_NUMBER)
                if option.needs_sms and not can_text:
                    return Goto(NO_SMS if can_call else NO_NUMBER)
                return option.action
            if node.otherwise is not None:
                return node.otherwise  # no global key here: every other key means "otherwise"
        if isinstance(node, Walk):
            if key == node.next_key and state.step < len(node.steps) - 1:
                return NextStep()
            if key == node.previous_key and state.step > 0:
                return PreviousStep()
            extra = node.extra
            if extra is not None and key == extra.key:
                return extra.action if can_text or not extra.needs_number else Goto(NO_NUMBER)
        action = GLOBAL_KEYS.get(key)
        if isinstance(action, MainMenu) and state.lang is None:
            return None
        return action

    def keys_needing_a_number(self, state: CallState) -> frozenset[str]:
        """The keys whose answer here depends on the caller's number (withheld, a landline,
        abroad): the options ``action_for`` sends to NO_NUMBER or NO_SMS, and the languages
        ``help_by_sms`` answers by SMS. The reachability walk tries only these with each kind of
        number (tests/test_flow.py checks that no other key's answer changes)."""
        node = self.nodes[state.node]
        keys: set[str] = set()
        if isinstance(node, Menu):
            for option in node.options:
                by_sms = isinstance(option.action, ChooseLanguage) and (
                    option.action.code in self.sms_only
                )
                if option.needs_caller or option.needs_number or option.needs_sms or by_sms:
                    keys.add(option.key)
        if isinstance(node, Walk) and node.extra is not None and node.extra.needs_number:
            keys.add(node.extra.key)
        return frozenset(keys)

    def perform(self, state: CallState, action: Action) -> Turn:
        state = replace(state, misses=0, wrong_dates=0)
        match action:
            case ChooseLanguage(code=code):
                chosen = CallState(
                    lang=code, node=MAIN_MENU, path=(LANGUAGE_MENU,), hinted=state.hinted
                )
                welcome = Prompt(WELCOME_PROMPT, code)
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
            case HangUp():
                return Turn(state, (), listen=False)
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
            return self.wrong_date(state, node, "voice.remind.not_a_date")
        if today is None:
            raise ValueError("a typed date needs today's date to be checked")
        check = check_expiry(typed, today, self.policy)
        if check is DateCheck.TOO_FAR:
            return self.wrong_date(state, node, "voice.remind.too_far")
        if check is DateCheck.PAST:
            # Already expired: the guidance now, by voice and by SMS; another date may follow.
            again = replace(state, misses=0, wrong_dates=0)
            prompts = (Prompt("voice.remind.past", lang), *self.guide_prompts(again))
            return self._turn(again, prompts, effects=(Effect("send_expired", lang),))
        path = (*state.path, state.node)[-MAX_PATH:]
        return self.enter(
            replace(
                state, node=node.then, path=path, entry=typed.isoformat(), misses=0, wrong_dates=0
            )
        )

    def wrong_date(self, state: CallState, node: DateEntry, reason: str) -> Turn:
        """A date that cannot be used is not a miss (the caller is trying): say why and ask
        again; after the third, offer the SMS way to register instead."""
        wrong = state.wrong_dates + 1
        said = (Prompt(reason, state.lang or self.languages[0]),)
        if wrong >= WRONG_DATES_BEFORE_OFFER and node.wrong_dates_then:
            path = (*state.path, state.node)[-MAX_PATH:]
            offer = replace(state, node=node.wrong_dates_then, path=path, misses=0, wrong_dates=0)
            turn = self.enter(offer)
            return replace(turn, prompts=(*said, *turn.prompts))
        again = replace(state, misses=0, wrong_dates=wrong)
        return self._turn(again, said + self.guide_prompts(again))

    # --- what is said ---------------------------------------------------------------------------

    def enter(self, state: CallState) -> Turn:
        """Arrive at (or repeat) the state's node: say all of it."""
        return self._turn(state, self.full_prompts(state))

    def _turn(self, state: CallState, prompts: tuple[Prompt, ...], **kw) -> Turn:
        node = self.nodes[state.node]
        entry = isinstance(node, DateEntry)
        num_digits = node.num_digits if entry else 1
        finish_key = node.back_key if entry else None
        timeout = node.timeout if isinstance(node, Menu) else None
        # Once the hints were said in full, the rest of the call hears the short ones.
        if not state.hinted and any(p.key in _FULL_HINTS for p in prompts):
            state = replace(state, hinted=True)
        return Turn(
            state, prompts, num_digits=num_digits, timeout=timeout, finish_key=finish_key, **kw
        )

    def miss(self, state: CallState, reason: str) -> Turn:
        """Silence or a wrong key: say what happened and guide again; end after the 3rd miss,
        with a goodbye that says which it was."""
        misses = state.misses + 1
        spoken_in = (state.lang,) if state.lang else self.before_choice
        if misses >= MISSES_BEFORE_GOODBYE:
            key = GOODBYES[reason]
            goodbye = tuple(Prompt(key, lang) for lang in spoken_in)
            return Turn(replace(state, misses=misses), goodbye, listen=False)
        said = (Prompt(reason, state.lang),) if state.lang else ()
        return self._turn(replace(state, misses=misses), said + self.guide_prompts(state))

    def option_languages(self, option: Option, state: CallState) -> tuple[str, ...]:
        """A language is offered in itself, "more languages" in the languages of the next page;
        anything else in the caller's language, or, before they chose one, in French and
        English."""
        if isinstance(option.action, ChooseLanguage):
            return (option.action.code,)
        if option.said_in:
            return option.said_in
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
        """What the caller can press here: a menu's options, or a message's navigation hints.
        The same place says the same guide: kept once worked out (every turn asks, and the
        flow walk asks some 700,000 times), except where a typed date is said back."""
        place = (state.node, state.lang, state.step, state.hinted)
        known = self._guides.get(place)
        if known is not None:
            return known
        guide = self._guide_prompts(state)
        node = self.nodes[state.node]
        if not (isinstance(node, Menu) and node.reads_back):
            self._guides[place] = guide
        return guide

    def _guide_prompts(self, state: CallState) -> tuple[Prompt, ...]:
        node = self.nodes[state.node]
        lang = state.lang or self.languages[0]
        prompts: list[Prompt] = []
        if isinstance(node, DateEntry):
            prompts.append(Prompt(node.prompt, lang))
        if isinstance(node, Menu):
            said_back = (("date", state.entry),) if node.reads_back else ()
            last = len(node.title) - 1
            prompts += [
                Prompt(key, lang, said_back if i == last else ())
                for i, key in enumerate(node.title)
            ]
            prompts += [Prompt(key, lang) for key in node.after_title]
            for option in node.options:
                for said_in in self.option_languages(option, state):
                    prompts.append(Prompt(option.prompt, said_in, (("key", option.key),)))
        if isinstance(node, Walk):
            if state.step < len(node.steps) - 1:
                prompts.append(Prompt("voice.nav.next", lang, (("key", node.next_key),)))
            if state.step > 0:
                prompts.append(Prompt("voice.nav.previous", lang, (("key", node.previous_key),)))
            extra = node.extra
            if extra is not None and state.step in (0, len(node.steps) - 1):
                prompts.append(Prompt(extra.prompt, lang, (("key", extra.key),)))
        if state.lang:
            for hint in node.hints:
                key, prompt = HINTS[hint]
                prompt = SHORT_HINTS[hint] if state.hinted else prompt
                prompts.append(Prompt(prompt, lang, (("key", key),)))
        return tuple(prompts)


#: The goodbye after the third miss, by what the last miss was.
GOODBYES = {
    "voice.miss.silence": "voice.miss.goodbye",
    "voice.miss.wrong": "voice.miss.goodbye_wrong",
}
_FULL_HINTS = frozenset(prompt for _, prompt in HINTS.values())
#: Any day: what a reminder call says depends only on the days between it and the date.
SAMPLE_DAY = date(2026, 1, 15)


def heard_on_arrival(flow: Flow) -> list[tuple[str, str, tuple[Prompt, ...]]]:
    """(node name, language, prompts) for every node as a caller first hears it: each menu with
    its title, options and hints, each step of a walk, the main menu with the welcome and the
    hints in full (later nodes hear them short). What the spoken-length check measures."""
    heard = []
    for name, node in flow.nodes.items():
        languages = flow.languages if not name.startswith(LANGUAGE_MENU) else (None,)
        for lang in languages:
            steps = range(len(node.steps)) if isinstance(node, Walk) else (0,)
            for step in steps:
                # The main menu says the hints in full; every later node, the short ones.
                hinted = name != MAIN_MENU
                state = CallState(lang, name, (LANGUAGE_MENU,), step, hinted=hinted)
                if name in OUTBOUND_ENTRIES:  # the longest count a reminder call says
                    days = max(flow.countdown_days(), default=0)
                    state = replace(state, entry=(SAMPLE_DAY + timedelta(days=days)).isoformat())
                prompts = flow.count_down(flow.enter(state), SAMPLE_DAY).prompts
                if name == MAIN_MENU:
                    prompts = (Prompt(WELCOME_PROMPT, lang), *prompts)
                label = f"{name}.{step + 1}" if isinstance(node, Walk) else name
                heard.append((label, lang or "fr", prompts))
    return heard
