"""What a caller hears and gets, in their words (issue 11, the voice side): who the service is
for, the blocked-account email by SMS, "*" while typing a date, accurate goodbyes, wrong dates,
short hints, the reminder plan, and the spoken length of every prompt and menu."""

from __future__ import annotations

from datetime import datetime

import pytest

from content.spoken_length import MENU_TARGET, PROMPT_TARGET, Heard, longest_by_language
from ivr.flow import heard_on_arrival
from ivr.reachability import reachable_prompts
from reminders.schedule import PARIS
from tests.caller import Caller, spoken_texts
from tests.conftest import AUTH_TOKEN


@pytest.fixture
def sms_caller(sms) -> Caller:
    """A caller on the app whose SMS go through the real queue to the local Twilio."""
    return Caller(sms.url, AUTH_TOKEN, spoken_texts(sms.hotline))


def texts_to(sms, number: str) -> list[str]:
    return [m["body"] for m in sms.fake.created if m["to"] == number]


def test_the_welcome_says_who_the_service_is_for(caller):
    caller.dial()
    main = caller.press("1")
    welcome = main.says[0][0]
    assert "réfugiés" in welcome and "protégés subsidiaires" in welcome
    assert main.keys[2:6] == [
        "voice.main.steps",
        "voice.main.adp",
        "voice.main.remind",
        "voice.main.blocked",
    ]


def test_the_blocked_account_email_is_spelled_twice_and_sent_by_sms_once(sms, sms_caller):
    caller = sms_caller
    caller.dial()
    caller.press("1")
    blocked = caller.press("4")
    assert blocked.keys[:3] == ["voice.blocked.info", "voice.blocked.email", "voice.blocked.sms"]
    email = blocked.says[1][0]
    assert email.startswith("L'adresse e-mail est : ")
    assert email.count("pref, tiret, asile, arobase, val, tiret, de, tiret, marne") == 2
    sent = caller.press("1")
    assert sent.keys[0] == "voice.sms_steps.sent"
    caller.press("*")  # back, and asked again: still one SMS
    caller.press("1")
    sms.work()
    said = sms.hotline.content.text("sms.email", "fr")
    assert "pref-asile@val-de-marne.gouv.fr" in said
    assert texts_to(sms, caller.number) == [said]


def test_the_adp_answer_puts_renewal_first_and_sends_the_office_by_sms(sms, sms_caller):
    caller = sms_caller
    caller.dial()
    caller.press(str(1 + sms.hotline.flow.languages.index("en")))
    adp = caller.press("2")
    assert adp.keys[:3] == ["voice.adp.info", "voice.adp.what", "voice.adp.sms"]
    assert "renew your ADP" in adp.says[0][0]
    assert adp.says[0][0].count("bureau, du séjour, des étrangers") == 1
    caller.press("1")
    sms.work()
    assert texts_to(sms, caller.number) == [sms.hotline.content.text("sms.office.residence", "en")]


@pytest.mark.parametrize("typed", ["*89*8921", "*", "15*"])
def test_star_while_typing_a_date_goes_back_at_once(caller, typed):
    caller.dial()
    caller.press("1")
    ask = caller.press("3")
    assert ask.keys[0] == "voice.remind.ask"
    assert ask.gather["finishOnKey"] == "*" and ask.gather["numDigits"] == "8"
    back = caller.type(typed)
    assert back.keys[0] == "voice.main.title"  # the main menu, not "this date does not exist"
    assert "voice.remind.not_a_date" not in back.keys


def test_a_whole_date_typed_is_read_back(caller):
    caller.dial()
    caller.press("1")
    caller.press("3")
    readback = caller.type("15032027")
    assert readback.keys[0] == "voice.remind.you_typed"


def test_the_goodbye_says_whether_keys_were_wrong_or_none_came(new_caller):
    wrong = new_caller()
    wrong.dial()
    wrong.press("1")
    for _ in range(3):
        heard = wrong.press("6")
    assert heard.keys == ["voice.miss.goodbye_wrong"] and heard.hung_up
    assert "pas compris votre choix" in heard.says[0][0]
    silent = new_caller()
    silent.dial()
    silent.press("1")
    for _ in range(3):
        heard = silent.silence()
    assert heard.keys == ["voice.miss.goodbye"] and heard.hung_up


def test_three_wrong_dates_offer_the_sms_way_instead_of_hanging_up(sms, sms_caller):
    caller = sms_caller
    caller.dial()
    caller.press("1")
    caller.press("3")
    for wrong in ("31022027", "00000000"):
        heard = caller.type(wrong)
        assert heard.keys[0] == "voice.remind.not_a_date" and heard.listening
    offer = caller.type("99999999")
    assert offer.keys[:3] == [
        "voice.remind.not_a_date",
        "voice.remind.by_sms",
        "voice.remind.by_sms_send",
    ]
    assert offer.listening
    caller.press("1")
    sms.work()
    assert texts_to(sms, caller.number) == [sms.hotline.content.text("sms.help", "fr")]


def test_hints_are_said_in_full_once_then_short(caller):
    caller.dial()
    main = caller.press("1")
    assert main.keys[-2:] == ["voice.nav.repeat", "voice.nav.language"]
    adp = caller.press("2")
    assert adp.keys[-2:] == ["voice.nav_short.repeat", "voice.nav_short.back"]
    assert adp.says[-1][0] == "étoile : retour."


def test_the_consent_says_which_reminders_this_date_gets(caller, clock):
    clock.moment = datetime(2027, 3, 1, 11, 0, tzinfo=PARIS)  # the 14-day one went at 10:00
    caller.dial()
    caller.press("1")
    caller.press("3")
    caller.type("15032027")  # 14 days ahead: the 7-day reminder and the day after
    consent = caller.press("1")
    said_keys = [key for key in consent.keys if key != "?"]  # "?": the date, from date clips
    assert said_keys[:4] == [
        "voice.remind.consent",
        "voice.remind.plan_first",
        "voice.remind.plan_after",
        "voice.remind.plan_keep",
    ]
    said = [text for text, _ in consent.says]
    assert "8 mars 2027" in " ".join(said)  # the date said after "Vous recevrez un rappel le"
    assert "30 jours après le dernier rappel" in " ".join(said)


def test_every_french_prompt_and_menu_is_short_enough_by_ear(hotline):
    speaker, flow = hotline.speaker, hotline.flow
    prompts = [Heard(p.lang, p.key, (speaker.text(p),)) for p in reachable_prompts(flow)]
    menus = [
        Heard(lang, name, tuple(speaker.text(p) for p in said))
        for name, lang, said in heard_on_arrival(flow)
    ]
    french = longest_by_language(prompts, menus)["fr"]
    assert french.prompt_seconds < PROMPT_TARGET, french
    assert french.menu_seconds < MENU_TARGET, french
    assert french.main_seconds < MENU_TARGET, french


def test_content_check_prints_the_spoken_length_table_and_the_unset_contacts(app):
    result = app.test_cli_runner().invoke(args=["content", "check"])
    assert "longest prompt" in result.output and "voice.steps.1" in result.output
    assert "residence_office.address is unset" in result.output
    assert result.exit_code == 0, result.output
