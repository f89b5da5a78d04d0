"""Every language gets the same help: the whole SMS conversation in every catalog language, and
the whole call in every language the voice menu offers."""

from __future__ import annotations

from datetime import date

import pytest

from content.catalog import load_catalogs, load_languages
from content.segments import segments
from hotline.identity import caller_key
from sms.keywords import normalise
from tests.conftest import SECRET_KEY

CATALOGS = load_catalogs()
LANGUAGES = [lang.code for lang in load_languages() if lang.code in CATALOGS]


def native(lang: str, command: str) -> str:
    """The first keyword a language's own catalog lists for a command."""
    return CATALOGS[lang].texts[f"sms.keyword.{command}"].split(",")[0].strip()


def test_every_catalog_language_is_served():
    assert len(LANGUAGES) == 14
    assert set(LANGUAGES) == {
        "fr",
        "en",
        "prs",
        "ps",
        "ar",
        "bn",
        "tr",
        "ru",
        "uk",
        "ka",
        "sq",
        "ta",
        "ti",
        "so",
    }
    assert all(CATALOGS[lang].status in ("source", "draft", "reviewed") for lang in LANGUAGES)


def test_no_keyword_means_two_commands():
    meaning: dict[str, str] = {}
    for catalog in CATALOGS.values():
        for key, words in catalog.texts.items():
            if key.startswith("sms.keyword."):
                command = key.rsplit(".", 1)[1]
                for word in filter(None, (normalise(w) for w in words.split(","))):
                    assert meaning.setdefault(word, command) == command, word


@pytest.mark.parametrize("lang", LANGUAGES)
def test_the_whole_sms_conversation_in_each_language(new_texter, hotline, lang):
    say = hotline.content.text
    texter = new_texter()
    assert texter.text(f"{native(lang, 'lang')} {lang}").texts == [say("sms.lang.confirm", lang)]
    assert texter.text(native(lang, "help")).texts == [say("sms.help", lang)]
    assert texter.text(native(lang, "steps")).texts == [
        say("sms.steps_1", lang),
        say("sms.steps_2", lang),
    ]
    assert texter.text(f"{native(lang, 'remind')} 15/03/2027").texts == [
        say(
            "sms.remind.confirm",
            lang,
            date="15/03/2027",
            reminders=hotline.reminders.reminder_days(lang, date(2027, 3, 15), hotline.clock.now()),
        )
    ]
    registration = hotline.reminders.store.get(caller_key(SECRET_KEY, texter.number))
    assert registration.lang == lang
    assert texter.text(native(lang, "email")).texts == [say("sms.email", lang)]
    assert native(lang, "email") in say("sms.help", lang)  # the help tells the word
    assert texter.text(f"{native(lang, 'thanks')}!").texts == [say("sms.thanks", lang)]
    assert texter.text("sans queue ni tête").texts == [say("sms.help", lang)]
    assert texter.text(native(lang, "stop")).texts == [say("sms.stop.confirm", lang)]
    assert hotline.reminders.store.count() == 0


@pytest.mark.parametrize("lang", LANGUAGES)
def test_a_first_text_with_a_native_keyword_is_answered_in_its_language(new_texter, hotline, lang):
    word = native(lang, "help")
    others = [
        other
        for other in LANGUAGES
        if other != lang
        and normalise(word)
        in {normalise(w) for w in CATALOGS[other].texts["sms.keyword.help"].split(",")}
    ]
    # a word several languages share is answered in each, when that fits 4 segments
    langs = [code for code in LANGUAGES if code == lang or code in others]
    joined = "\n".join(hotline.content.text("sms.help", code) for code in langs)
    expected = joined if segments(joined) <= 4 else hotline.content.text("sms.help", langs[0])
    assert new_texter().text(word).texts == [expected]


def test_every_language_with_a_twilio_voice_is_on_the_voice_menu(hotline):
    voiced = [lang.code for lang in hotline.content.languages if lang.say_voice]
    assert list(hotline.flow.languages) == voiced  # no audio built in these tests
    assert {"fr", "ar", "bn", "tr", "en", "uk", "ru", "ta"} == set(voiced)


def test_the_whole_call_in_each_voice_language(new_caller, hotline, language_key):
    for lang in hotline.flow.languages:
        caller = new_caller()
        caller.dial()
        main = caller.press(language_key(lang))
        assert main.keys[:2] == ["voice.main.welcome", "voice.main.title"]
        assert set(main.langs) == {lang}
        steps = [caller.press("1").keys[1]]
        steps += [caller.press("1").keys[1] for _ in range(6)]
        assert steps == [f"voice.steps.{n}" for n in range(1, 8)]
        caller.press("9")
        assert caller.press("2").keys[0] == "voice.adp.info"
        caller.press("*")
        assert caller.press("4").keys[0] == "voice.blocked.info"
        caller.press("9")
        caller.press("3")
        assert caller.press("15032027").keys[0] == "voice.remind.you_typed"
        caller.press("1")
        done = caller.press("1")
        assert done.keys[0] == "voice.remind.registered" and set(done.langs) == {lang}
        registration = hotline.reminders.store.get(caller_key(SECRET_KEY, caller.number))
        assert registration.lang == lang and registration.channel == "voice"
        # no text of any prompt was missing in this language
        assert "?" not in [k for k in main.keys + done.keys]
