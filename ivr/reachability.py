"""Every prompt a call can hear, found by walking the flow: what the content check, the audio
build and the choice of voice languages must cover.

Only the web app and the commands need it (about 0.35 s of CPU for every language); a
worker never walks the flow.
"""

from __future__ import annotations

import functools
from datetime import date, timedelta

from ivr.flow import COUNTDOWN_PROMPT, LAST_DAY_PROMPT, CallState, Flow, Prompt
from ivr.menu import LANGUAGE_MENU, MAIN_MENU, OUTBOUND_ENTRIES, RESUMABLE
from reminders.schedule import Policy

#: Every key a phone keypad can send.
KEYPAD = tuple("0123456789*#")
#: Typed dates that reach every answer of a date entry (valid, past, impossible, too far).
SAMPLE_TODAY = date(2026, 1, 15)
SAMPLE_DATES = (
    (SAMPLE_TODAY + timedelta(days=90)).strftime("%d%m%Y"),
    (SAMPLE_TODAY - timedelta(days=3)).strftime("%d%m%Y"),
    "31022026",
    (SAMPLE_TODAY + timedelta(days=800)).strftime("%d%m%Y"),
    (SAMPLE_TODAY + timedelta(days=3)).strftime("%d%m%Y"),  # only the day-after reminder
    "123",
)


def reachable_prompts(flow: Flow) -> set[Prompt]:
    """Every prompt a call can hear, found by pressing every key (and none) in every reachable
    state: what the content check and the audio build must cover.

    The walk takes about 5 s of CPU for 14 languages, and depends only on the menus and
    the languages: it is done once per set of languages for the hotline's own menus."""
    if flow.standard:
        return set(_standard_reachable_prompts(flow.menu_languages, flow.sms_only, flow.policy))
    return _walk(flow)


@functools.lru_cache(maxsize=16)
def _standard_reachable_prompts(
    languages: tuple[str, ...], sms_only: tuple[str, ...], policy: Policy
) -> frozenset[Prompt]:
    return frozenset(_walk(Flow(languages, sms_only=sms_only, policy=policy)))


def _walk(flow: Flow) -> set[Prompt]:
    resume_points = [
        CallState(lang=lang, node=node, path=(LANGUAGE_MENU, MAIN_MENU))
        for lang in flow.languages
        for node in sorted(RESUMABLE)
    ]
    reminder_calls = [
        CallState(lang=lang, node=node, path=(LANGUAGE_MENU, MAIN_MENU), entry=sample.isoformat())
        for lang in flow.languages
        for node in OUTBOUND_ENTRIES
        if node in flow.nodes
        for sample in (SAMPLE_TODAY + timedelta(days=14),)
    ]
    queue = [
        flow.start(),
        *(flow.start(None, lang) for lang in flow.languages),
        *(flow.start(point, point.lang) for point in resume_points),
        *(flow.count_down(flow.enter(state), SAMPLE_TODAY) for state in reminder_calls),
    ]
    seen: set[CallState] = set()
    prompts: set[Prompt] = set()
    while queue:
        turn = queue.pop()
        # One visit per state and what it says, whatever date it carries: the walk does not
        # repeat itself for every date a reminder call or a typed entry brings along, but a date
        # that changes what is said (the consent names the reminders it gets) is walked on. A
        # visit seen before said nothing new (its prompts are part of it).
        state = turn.state  # a tuple of its fields but the date: replace() costs 4 µs a call
        visit = (state.lang, state.node, state.path, state.step, state.misses, state.hinted)
        visit += (state.wrong_dates, turn.listen, turn.prompts)
        if visit in seen:
            continue
        seen.add(visit)
        prompts.update(turn.prompts)
        if not turn.listen:
            continue
        presses = (*KEYPAD, None, *SAMPLE_DATES) if turn.num_digits > 1 else (*KEYPAD, None)
        queue.extend(flow.step(turn.state, key, today=SAMPLE_TODAY) for key in presses)
        if turn.finish_key:
            queue.append(flow.step(turn.state, "", today=SAMPLE_TODAY, finished_on=turn.finish_key))
        # The options that need a number: a withheld one hears "no SMS" wherever an SMS is
        # offered and cannot register; a landline (a number, but no SMS) gets calls only.
        for key in sorted(flow.keys_needing_a_number(turn.state)):
            queue.append(flow.step(turn.state, key, today=SAMPLE_TODAY, can_text=False))
            queue.append(
                flow.step(turn.state, key, today=SAMPLE_TODAY, can_text=False, can_call=True)
            )
    return prompts | countdown_variants(flow, prompts)


def countdown_variants(flow: Flow, prompts: set[Prompt]) -> set[Prompt]:
    """A reminder call says how many days are left (ivr.flow.Flow.count_down): the walk meets
    one count; a call may say any other (one pre-rendered prompt per count, "today" on the last
    day), without walking the call again for each."""
    variants = set()
    for prompt in prompts:
        if prompt.key != COUNTDOWN_PROMPT:
            continue
        for days in flow.countdown_days():
            until = (SAMPLE_TODAY + timedelta(days=days)).isoformat()
            variants.add(Prompt(prompt.key, prompt.lang, (("date", until), ("days", str(days)))))
        variants.add(Prompt(LAST_DAY_PROMPT, prompt.lang, (("date", SAMPLE_TODAY.isoformat()),)))
    return variants
