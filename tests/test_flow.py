"""The call as a pure function: every node, every key, silence, misses, resume."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import pytest

from ivr.flow import CallState, Flow, Prompt
from ivr.menu import (
    LANGUAGE_MENU,
    LANGUAGE_OFFER,
    MAIN_MENU,
    NODES,
    OFFER_TIMEOUT,
    RESUME_MENU,
    Walk,
)
from ivr.reachability import KEYPAD, reachable_prompts

LANGS = ("fr", "en")


@pytest.fixture
def flow() -> Flow:
    return Flow(LANGS)


def keys(turn) -> list[str]:
    return [p.key for p in turn.prompts]


def at(node: str, lang: str = "en", **kw) -> CallState:
    path = {MAIN_MENU: (LANGUAGE_MENU,)}.get(node, (LANGUAGE_MENU, MAIN_MENU))
    return CallState(lang=lang, node=node, path=path, **kw)


def test_a_call_starts_with_each_language_in_its_own_language(flow):
    turn = flow.start()
    assert turn.state == CallState()
    assert turn.prompts == (
        Prompt("voice.language.choose", "fr", (("key", "1"),)),
        Prompt("voice.language.choose", "en", (("key", "2"),)),
    )
    assert turn.listen


@pytest.mark.parametrize(("key", "lang"), [("1", "fr"), ("2", "en")])
def test_choosing_a_language_welcomes_in_it_and_says_the_main_menu(flow, key, lang):
    turn = flow.step(flow.start().state, key)
    assert turn.state == CallState(lang=lang, node=MAIN_MENU, path=(LANGUAGE_MENU,), hinted=True)
    # the most-needed information first, at most 4 options, then the hints in full
    assert keys(turn) == [
        "voice.main.welcome",
        "voice.main.title",
        "voice.main.steps",
        "voice.main.adp",
        "voice.main.remind",
        "voice.main.blocked",
        "voice.nav.repeat",
        "voice.nav.language",
    ]
    assert {p.lang for p in turn.prompts} == {lang}
    # the option first, then its key
    assert turn.prompts[2].params == (("key", "1"),)
    # the hints are said in full once a call, shortened after
    again = flow.step(turn.state, "0")
    assert keys(again)[-2:] == ["voice.nav_short.repeat", "voice.nav_short.language"]


@pytest.mark.parametrize(
    ("key", "node", "first"),
    [
        ("1", "steps", "voice.steps.heading"),
        ("2", "adp", "voice.adp.info"),
        ("3", "remind_date", "voice.remind.ask"),
        ("4", "blocked", "voice.blocked.info"),
    ],
)
def test_main_menu_options_lead_to_their_topic(flow, key, node, first):
    turn = flow.step(at(MAIN_MENU), key)
    assert turn.state.node == node
    assert turn.state.path == (LANGUAGE_MENU, MAIN_MENU)
    assert keys(turn)[0] == first


def test_the_walk_goes_forward_and_back_one_step_at_a_time(flow):
    walk = NODES["steps"]
    assert isinstance(walk, Walk)
    state = flow.step(at(MAIN_MENU), "1").state
    heard = []
    for n in range(len(walk.steps)):
        turn = flow.enter(state)
        heard.append(keys(turn)[1])
        assert turn.prompts[0].params == (("step", str(n + 1)), ("total", str(len(walk.steps))))
        if n < len(walk.steps) - 1:
            assert "voice.nav.next" in keys(turn)
            state = flow.step(state, "1").state
    assert heard == list(walk.steps)
    last = flow.enter(state)
    assert "voice.steps.last" in keys(last) and "voice.nav.next" not in keys(last)
    # "next" on the last step is a wrong key; "previous" goes back
    assert keys(flow.step(state, "1"))[0] == "voice.miss.wrong"
    back = flow.step(state, "2")
    assert back.state.step == len(walk.steps) - 2
    # no "previous" on the first step
    first = at("steps")
    assert "voice.nav.previous" not in keys(flow.enter(first))
    assert keys(flow.step(first, "2"))[0] == "voice.miss.wrong"


def test_repeat_says_the_same_thing_again(flow):
    state = replace(at("steps", step=3), hinted=True)
    assert flow.step(state, "0").prompts == flow.enter(state).prompts
    assert flow.step(state, "0").state == state


def test_star_goes_back_one_menu_up_to_the_language_menu(flow):
    state = at("steps", step=2)
    to_main = flow.step(state, "*")
    assert to_main.state.node == MAIN_MENU
    to_language = flow.step(to_main.state, "*")
    assert to_language.state.node == LANGUAGE_MENU
    assert flow.step(CallState(), "*").state == CallState()


def test_nine_is_the_main_menu_and_eight_the_language_menu_from_anywhere(flow):
    for node in ("steps", "adp", "blocked", MAIN_MENU):
        assert flow.step(at(node), "9").state.node == MAIN_MENU
        to_lang = flow.step(at(node, step=0), "8")
        assert to_lang.state.node == LANGUAGE_MENU
        assert to_lang.state.lang == "en"
        # and back from the language menu returns where the caller was
        assert flow.step(to_lang.state, "*").state.node == node


def test_nine_before_choosing_a_language_is_a_wrong_key(flow):
    turn = flow.step(CallState(), "9")
    assert turn.state.misses == 1
    assert keys(turn) == ["voice.language.choose"] * 2


def every_node_state():
    for name, node in NODES.items():
        if name in (RESUME_MENU, LANGUAGE_OFFER):
            continue  # the offer has no misses (see test_the_language_offer...)
        yield at(name)
        if isinstance(node, Walk):
            yield at(name, step=len(node.steps) - 1)
    yield CallState()


@pytest.mark.parametrize("state", list(every_node_state()), ids=lambda s: f"{s.node}-{s.step}")
@pytest.mark.parametrize(
    ("press", "reason"), [(None, "voice.miss.silence"), ("7", "voice.miss.wrong")]
)
def test_silence_and_wrong_keys_guide_twice_then_say_goodbye(flow, state, press, reason):
    if press and state.node == "remind_date":
        return  # a wrong date is not a miss (see the test of wrong dates below)
    if press is None and getattr(NODES.get(state.node), "silence", None):
        return  # silence ends a call a machine may be recording (see the test below)
    first = flow.step(state, press)
    assert first.listen and first.state.misses == 1
    assert first.state.node == state.node
    if state.lang:
        assert keys(first)[0] == reason
        assert len(first.prompts) > 1  # followed by what can be pressed
    second = flow.step(first.state, press)
    assert second.listen and second.state.misses == 2
    third = flow.step(second.state, press)
    assert not third.listen
    goodbye = "voice.miss.goodbye" if press is None else "voice.miss.goodbye_wrong"
    assert keys(third) == [goodbye] * (1 if state.lang else 2)


def test_a_good_key_resets_the_misses(flow):
    state = flow.step(flow.step(at(MAIN_MENU), None).state, "7").state
    assert state.misses == 2
    recovered = flow.step(state, "2")
    assert recovered.state.misses == 0 and recovered.state.node == "adp"


def test_several_digits_at_once_are_a_wrong_key(flow):
    assert flow.step(at(MAIN_MENU), "12").state.misses == 1


def test_an_unknown_or_stale_state_starts_the_call_again(flow):
    for broken in (
        CallState(lang="en", node="no-such-node"),
        CallState(lang="xx", node=MAIN_MENU),
        CallState(lang="en", node="steps", step=99),
        CallState(lang="en", node=MAIN_MENU, path=("gone",)),
    ):
        assert flow.step(broken, "1") == flow.start()


def test_a_caller_who_stopped_in_a_topic_is_offered_to_continue_once_they_confirm(flow):
    point = at("steps", lang="fr", step=3)
    language = flow.start(point, "fr")
    assert language.state.node == LANGUAGE_OFFER and keys(language) == OFFER
    offer = flow.step(language.state, "1")
    assert offer.state.node == RESUME_MENU and offer.state.lang == "fr"
    assert keys(offer) == ["voice.resume.welcome", "voice.resume.continue", "voice.resume.restart"]
    assert [e.name for e in offer.effects] == ["remember_language"]
    resumed = flow.step(offer.state, "1")
    assert replace(resumed.state, hinted=False) == point
    restarted = flow.step(offer.state, "2")
    assert restarted.state.node == MAIN_MENU and restarted.state.lang == "fr"
    # Another language, silence or any other key: the language menu, where it came from forgotten.
    for press in ("2", None, "7", "0", "*", "9"):
        assert flow.step(language.state, press).state == CallState()


OFFER = ["voice.language.choose", "voice.language.other"]


def test_nothing_to_continue_from_a_menu_or_an_unknown_language(flow):
    assert flow.start(at(MAIN_MENU)).state == CallState()
    assert flow.start(at("adp", lang="xx")).state == CallState()
    assert flow.start(None).state == CallState()


def test_every_key_in_every_reachable_state_has_an_answer(flow):
    prompts = reachable_prompts(flow)
    spoken = {p.key for p in prompts}
    assert {"voice.steps.6", "voice.adp.info", "voice.blocked.info", "voice.miss.goodbye"} <= spoken
    assert {p.lang for p in prompts} == set(LANGS)
    assert len(KEYPAD) == 12


def test_only_the_keys_the_flow_names_answer_differently_without_a_number():
    """The walk tries a withheld number and a landline only on the keys
    ``keys_needing_a_number`` names: every other key of every state reachable with a
    number must answer the same whatever the number, and each named key must differ."""
    flow = Flow(("fr", "ar", "ti"), sms_only=("ar",))
    today = date(2026, 1, 15)
    queue, seen, checked = [flow.start(), flow.start(None, "ti")], set(), 0
    while queue:
        turn = queue.pop()
        if not turn.listen or turn.state in seen:
            continue
        seen.add(turn.state)
        named = flow.keys_needing_a_number(turn.state)
        for key in KEYPAD:
            usual = flow.step(turn.state, key, today=today)
            withheld = flow.step(turn.state, key, today=today, can_text=False)
            landline = flow.step(turn.state, key, today=today, can_text=False, can_call=True)
            assert (withheld != usual or landline != usual) == (key in named), (turn.state, key)
            checked += 1
            queue.append(usual)
    assert len(seen) > 100 and checked == len(seen) * len(KEYPAD)


def test_no_menu_offers_more_than_five_options():
    from ivr.menu import Menu

    assert all(len(n.options) <= 5 for n in NODES.values() if isinstance(n, Menu))


MANY = ("fr", "prs", "ps", "ar", "bn", "tr", "en", "uk", "ru", "ka")


def test_more_than_eight_languages_go_on_a_second_page():
    flow = Flow(MANY)
    first = flow.start()
    chosen = [p for p in first.prompts if p.key == "voice.language.choose"]
    assert [p.lang for p in chosen] == list(MANY[:8])
    assert [dict(p.params)["key"] for p in chosen] == [str(n) for n in range(1, 9)]
    more = [p for p in first.prompts if p.key == "voice.language.more"]
    # "for other languages, press 9" is said in the languages of the second page
    assert [(p.lang, dict(p.params)["key"]) for p in more] == [("ru", "9"), ("ka", "9")]

    second = flow.step(first.state, "9")
    assert second.state.node == "language.2"
    assert [(p.lang, dict(p.params)["key"]) for p in second.prompts] == [("ru", "1"), ("ka", "2")]
    assert flow.step(second.state, "*").state.node == "language"
    georgian = flow.step(second.state, "2")
    assert georgian.state.lang == "ka" and georgian.state.node == "main"
    # "8" on the first page is the 8th language, not the language menu
    assert flow.step(first.state, "8").state.lang == "uk"


def test_a_known_language_is_offered_first_with_how_to_change_it(flow):
    turn = flow.start(known_lang="en")
    # Only two short prompts, in that language, then a short wait: the offer and the way out.
    assert turn.state == CallState(lang="en", node=LANGUAGE_OFFER)
    assert keys(turn) == OFFER and {p.lang for p in turn.prompts} == {"en"}
    assert turn.timeout == OFFER_TIMEOUT <= 3 and turn.listen
    main = flow.step(turn.state, "1")
    assert main.state == CallState(lang="en", node=MAIN_MENU, path=(LANGUAGE_MENU,), hinted=True)
    assert keys(main)[0] == "voice.main.welcome" and main.prompts[0].lang == "en"
    assert [e.name for e in main.effects] == ["remember_language"]
    assert flow.step(turn.state, "2").state == CallState()
    # a language no longer offered by voice starts at the language menu
    assert flow.start(known_lang="xx").state == CallState()
    # where the caller stopped comes after the confirmed language, in that language
    confirmed = flow.step(flow.start(at("adp", lang="fr"), known_lang="en").state, "1")
    assert confirmed.state.node == RESUME_MENU and confirmed.state.lang == "en"


def test_a_wrong_date_is_not_a_miss_and_the_third_offers_the_sms_way(flow):
    state = at("remind_date")
    for attempt in (1, 2):
        turn = flow.step(state, "31022027", today=date(2026, 12, 1))
        assert keys(turn)[0] == "voice.remind.not_a_date" and turn.listen, attempt
        assert turn.state.misses == 0 and turn.state.node == "remind_date"
        state = turn.state
    turn = flow.step(state, "99999999", today=date(2026, 12, 1))
    assert keys(turn)[:2] == ["voice.remind.not_a_date", "voice.remind.sms_way"]
    assert turn.state.node == "remind_by_sms" and turn.listen


def test_star_while_typing_a_date_goes_back_at_once(flow):
    state = at("remind_date")
    entry = flow.enter(state)
    assert entry.finish_key == "*" and entry.num_digits == 8
    back = flow.step(state, "", finished_on="*", today=date(2026, 12, 1))
    assert back.state.node == MAIN_MENU
    # digits typed before the star are dropped: still back
    back = flow.step(state, "89", finished_on="*", today=date(2026, 12, 1))
    assert back.state.node == MAIN_MENU


@pytest.mark.parametrize(
    ("today", "expected"),
    [
        # 100 days ahead: 30, 14 and 7 days before, and the day after
        (
            date(2027, 1, 1),
            [
                ("voice.remind.plan_first", "2027-03-11"),
                ("voice.remind.plan_also", "2027-03-27"),
                ("voice.remind.plan_also", "2027-04-03"),
                ("voice.remind.plan_after", None),
            ],
        ),
        # fewer than 30 days left: the 7-day one and the day after
        (
            date(2027, 3, 28),
            [("voice.remind.plan_first", "2027-04-03"), ("voice.remind.plan_after", None)],
        ),
        # 3 days left: only the day after
        (date(2027, 4, 7), [("voice.remind.plan_after_only", None)]),
    ],
)
def test_the_consent_says_which_reminders_this_date_will_get(flow, today, expected):
    expiry = "10042027"
    typed = flow.step(at("remind_date"), expiry, today=today)
    consent = flow.step(typed.state, "1", today=today)
    plan = [
        (p.key, dict(p.params).get("date"))
        for p in consent.prompts
        if p.key.startswith("voice.remind.plan_") and p.key != "voice.remind.plan_keep"
    ]
    assert plan == expected
    keep = [p for p in consent.prompts if p.key == "voice.remind.plan_keep"]
    assert keep[0].params == (("days", "30"),)


@pytest.mark.parametrize(
    "state",
    [
        CallState(),
        CallState("fr", "main", ("language",), hinted=True),
        CallState("fr", "remind_date", ("language", "main"), misses=1, wrong_dates=2),
        CallState("en", "remind_confirm", ("language",), entry="2027-03-15", hinted=True),
    ],
)
def test_a_stored_call_state_reads_back_the_same(state):
    from ivr.call_store import decode, encode

    assert decode(encode(state)) == state
    assert decode('["fr","main",["language"],0,0]') == CallState("fr", "main", ("language",))


@pytest.mark.parametrize("kind", ["before", "after"])
def test_an_unsure_answer_hears_the_neutral_message_and_1_or_silence(flow, kind):
    """Twilio could not tell a person from a machine: the neutral message (the view adds the
    number to call back) and one option; 1 is the reminder, silence hangs up at once."""
    state = at(f"reminder.ask.{kind}")
    assert keys(flow.enter(state)) == ["voice.reminder_call.voicemail", "voice.reminder_call.hear"]
    silent = flow.step(state, None)
    assert not silent.listen and silent.prompts == ()
    heard = flow.step(state, "1", today=date(2026, 1, 15))
    assert heard.state.node == f"reminder.{kind}" and heard.listen
