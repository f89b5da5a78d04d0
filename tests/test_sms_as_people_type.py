"""The SMS line read as people really type, in French, English, Arabic, Dari and Russian (and
STOP in every language): over signed HTTP, with Twilio's field names, as tests/texter.py sends."""

from __future__ import annotations

from datetime import date, datetime

import pytest

from content.catalog import load_catalogs, load_languages
from content.segments import MAX_SEGMENTS, segments
from hotline.identity import caller_key
from reminders.schedule import PARIS
from sms.keywords import (
    ALWAYS,
    COMMANDS,
    NEVER_GUESSED,
    KeywordTable,
    in_digits,
    normalise,
    trim,
)
from tests.conftest import AUTH_TOKEN, NOW, SECRET_KEY
from tests.texter import Texter

CATALOGS = load_catalogs()
LANGUAGES = [lang.code for lang in load_languages() if lang.code in CATALOGS]
EMAIL = "pref-asile@val-de-marne.gouv.fr"  # the Val-de-Marne profile's asylum-office address
PERSIAN_ZERO = "۰"


def words(lang: str, command: str) -> list[str]:
    return [w.strip() for w in CATALOGS[lang].texts[f"sms.keyword.{command}"].split(",")]


@pytest.fixture
def say(hotline):
    def text(key: str, lang: str, **params) -> str:
        return hotline.content.text(key, lang, **params)

    return text


def registered(hotline, texter):
    return hotline.reminders.store.get(caller_key(SECRET_KEY, texter.number))


# --- 1. STOP always works --------------------------------------------------------------------


def stop_variants(word: str) -> list[str]:
    return [
        f"{word}!",
        f"{word}.",
        f"{word} {word}",
        f"🛑 {word} 🛑",
        f"«{word}» svp",
        f"\u200f{word}\u200f",
        f"{word.lower()}, merci",
    ]


@pytest.mark.parametrize("lang", LANGUAGES)
def test_every_stop_word_of_every_language_erases_whatever_is_around_it(
    new_texter, hotline, say, lang
):
    for word in words(lang, "stop"):
        for body in stop_variants(word):
            texter = new_texter()
            texter.text(f"{words(lang, 'lang')[0]} {lang}")
            texter.text(f"{words(lang, 'remind')[0]} 15/03/2027")
            assert registered(hotline, texter) is not None
            assert texter.text(body).texts == [say("sms.stop.confirm", lang)], body
            assert registered(hotline, texter) is None, body
            assert hotline.sms.choices.get(caller_key(SECRET_KEY, texter.number)) is None


@pytest.mark.parametrize(
    "body",
    [
        "Stop!",
        "STOP.",
        "stop stop",
        "Arrête",
        "ARRETER",
        "stop svp",
        "Arrêtez de m'envoyer des SMS",
        "STOP 15/03/2027",
        "unsubscribe me",
        "СТОП!",
        "توقف.",
    ],
)
def test_a_message_whose_first_word_is_stop_erases_the_data(texter, hotline, body):
    texter.text("RAPPEL 15/03/2027")
    assert registered(hotline, texter) is not None
    replies = texter.text(body).texts
    assert len(replies) == 1
    assert registered(hotline, texter) is None


def test_a_typo_of_stop_is_not_guessed_and_erases_nothing(texter, hotline, say):
    texter.text("RAPPEL 15/03/2027")
    assert texter.text("STOPP").texts == [say("sms.help", "fr")]
    assert registered(hotline, texter) is not None


# --- 2. Punctuation and typos ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("body", "lang"),
    [
        ("Rappel: 15/03/2027", "fr"),
        ("RAPPEL : 15/03/2027", "fr"),
        ("rappel le 15/03/2027", "fr"),
        ("RAPEL 15/03/2027", "fr"),
        ("RAPPELLE 15/03/2027", "fr"),
        ("Remind: 15/03/2027", "en"),
        ("REMIDN 15/03/2027", "en"),
        ("تذكير: 15/03/2027", "ar"),
        ("یادآوری، ۱۵/۰۳/۲۰۲۷", "prs"),
        ("НАПОМНИТЬ - 15.03.2027", "ru"),
        ("НАПОМНИТ 15/03/2027", "ru"),
    ],
)
def test_keywords_with_punctuation_or_one_typo(texter, hotline, body, lang):
    replies = texter.text(body).texts
    registration = registered(hotline, texter)
    assert registration is not None, replies
    assert registration.expiry == date(2027, 3, 15) and registration.lang == lang


@pytest.mark.parametrize(
    ("body", "key", "lang"),
    [
        ("ETAPE", "sms.steps_1", "fr"),
        ("Etapes ?", "sms.steps_1", "fr"),
        ("STPES", "sms.steps_1", "en"),
    ],
)
def test_steps_with_a_typo(texter, say, body, key, lang):
    assert texter.text(body).texts[0] == say(key, lang)


def variants_one_typo_away(word: str):
    """Every word one letter away that can be made without knowing the alphabet: a letter left
    out, doubled, or swapped with its neighbour."""
    for i in range(len(word)):
        yield word[:i] + word[i + 1 :]
        yield word[:i] + word[i] + word[i:]
        if i + 1 < len(word):
            yield word[:i] + word[i + 1] + word[i] + word[i + 2 :]


def test_typos_never_turn_one_catalogs_keyword_into_another_command():
    table = KeywordTable({lang: CATALOGS[lang].texts for lang in LANGUAGES})
    exact = dict(ALWAYS)
    for lang in LANGUAGES:
        for command in COMMANDS:
            for word in words(lang, command):
                key = trim(normalise(word))
                exact[key] = command
                assert table.parse(word).name == command, (lang, word)
    for word, command in exact.items():
        for typo in variants_one_typo_away(word):
            found = table.parse(typo).name
            if typo in exact:
                assert found == exact[typo]
            else:
                # the keyword's own command, or not guessed; never STOP from a typo
                assert found in (command, "unknown"), (word, typo, found)
                assert found not in NEVER_GUESSED or typo in exact


# --- 3. Dates as people type them ------------------------------------------------------------


@pytest.mark.parametrize(
    "body",
    [
        "RAPPEL 15/03/27",
        "RAPPEL 15 mars 2027",
        "Rappel le 15 mars 2027.",
        "RAPPEL 2027-03-15",
        "RAPPEL 15/03/2027.",
        "REMIND 15 March 2027",
        "REMIND March 15, 2027",
        "НАПОМНИТЬ 15 марта 2027",
        "НАПОМНИТЬ 15 март 2027 года",
        "تذكير \u200f15/03/2027\u200f",
        "تذكير ١٥ مارس ٢٠٢٧",
        "یادآوری ۱۵ مارچ ۲۰۲۷",
        "یادآوری ۱۵/۰۳/۲۷",
    ],
)
def test_dates_as_people_type_them(texter, hotline, body):
    replies = texter.text(body).texts
    registration = registered(hotline, texter)
    assert registration is not None and registration.expiry == date(2027, 3, 15), replies


@pytest.mark.parametrize(
    ("setup", "body", "lang", "zero"),
    [
        (None, "RAPPEL 31/02/2027", "fr", None),
        (None, "RAPPEL 15/03", "fr", None),
        (None, "REMIND 15 March", "en", None),
        ("LANG en", "REMIND 03/15/2027", "en", None),
        ("مساعدة", "تذكير ٣١/٠٢/٢٠٢٧", "ar", "٠"),
        ("LANGUE dari", "یادآوری ۳۱/۰۲/۲۰۲۷", "prs", PERSIAN_ZERO),
        ("ЯЗЫК ru", "НАПОМНИТЬ 31.02.2027", "ru", None),
    ],
)
def test_an_impossible_or_incomplete_date_gets_the_expected_form_in_their_digits(
    new_texter, hotline, say, setup, body, lang, zero
):
    texter = new_texter()
    if setup:
        texter.text(setup)
    expected = in_digits(say("sms.remind.bad_date", lang), zero)
    assert texter.text(body).texts == [expected]
    assert registered(hotline, texter) is None


def test_a_dari_texter_gets_the_example_back_in_persian_digits(texter, say, hotline):
    texter.text("LANGUE dari")
    [reply] = texter.text("یادآوری ۳۱/۰۲/۲۰۲۷").texts
    assert "۱۵/۰۳/۲۰۲۷" in reply and "15" not in reply
    [confirm] = texter.text("یادآوری ۱۵/۰۳/۲۰۲۷").texts
    days = hotline.reminders.reminder_days("prs", date(2027, 3, 15), hotline.clock.now())
    # the CLDR's Dari list, right-to-left marks after its commas
    assert days == "13 فبروری،\u200f 1 مارچ،\u200f 8 مارچ، و 16 مارچ"
    assert confirm == in_digits(
        say("sms.remind.confirm", "prs", date="15/03/2027", reminders=days), PERSIAN_ZERO
    )


# --- 4. The conversation's language ----------------------------------------------------------


def test_an_arabic_conversation_stays_arabic_with_the_french_keywords_its_help_gives(sms, say):
    texter = Texter(sms.url, AUTH_TOKEN)
    assert texter.text("مساعدة").texts == [say("sms.help", "ar")]
    assert "RAPPEL 15/03/2027" in say("sms.help", "ar")  # the Arabic help gives the French word
    assert texter.text("RAPPEL 15/03/2027").texts == [
        say(
            "sms.remind.confirm",
            "ar",
            date="15/03/2027",
            reminders=sms.hotline.reminders.reminder_days("ar", date(2027, 3, 15), NOW),
        )
    ]
    assert texter.text("ETAPES").texts == [say("sms.steps_1", "ar"), say("sms.steps_2", "ar")]
    assert texter.text("STOP?").texts == [say("sms.stop.confirm", "ar")]


def test_arabic_replies_and_arabic_reminders_after_the_french_keyword(sms, say):
    texter = Texter(sms.url, AUTH_TOKEN)
    texter.text("مساعدة")
    texter.text("RAPPEL 15/03/2027")
    assert sms.hotline.reminders.store.get(caller_key(SECRET_KEY, texter.number)).lang == "ar"
    reminder = send_reminders_at(sms, texter, datetime(2027, 3, 1, 10, 1, tzinfo=PARIS))
    assert reminder == say("sms.reminder.before", "ar", date="15 مارس 2027", in_days="خلال 14 يومًا")


@pytest.mark.parametrize(
    ("first", "shared", "lang"),
    [("ПОМОЩЬ", "СТОП", "ru"), ("LANG en", "STOP", "en"), ("کمک", "توقف", "prs")],
)
def test_a_shared_word_never_switches_a_known_conversation(new_texter, say, first, shared, lang):
    texter = new_texter()
    texter.text(first)
    assert texter.text(shared).texts == [say("sms.stop.confirm", lang)]


@pytest.mark.parametrize(
    ("word", "langs"),
    [
        ("СТОП", ("uk", "ru")),
        ("توقف", ("prs", "ps", "ar")),
        ("STOP", ("fr", "en")),
        ("ОК", ("uk", "ru")),
    ],
)
def test_a_shared_word_on_a_first_text_is_answered_in_each_likely_language(
    texter, hotline, word, langs
):
    key = "sms.thanks" if word == "ОК" else "sms.stop.confirm"
    [reply] = texter.text(word).texts
    assert reply == "\n".join(hotline.content.text(key, lang) for lang in langs)
    assert segments(reply) <= MAX_SEGMENTS


def test_the_keyboard_tells_which_arabic_script_language_typed_a_shared_word(new_texter, say):
    # ي is typed on an Arabic keyboard, ی on a Persian one: the same word after folding
    assert new_texter().text("ايميل").texts == [say("sms.email", "ar")]
    persian = new_texter().text("ایمیل").texts
    assert persian == [say("sms.email", "prs")] or persian[0].startswith(say("sms.email", "prs"))


def test_a_first_unique_keyword_sets_the_conversations_language(texter, say):
    assert texter.text("ПОМОЩЬ").texts == [say("sms.help", "ru")]
    assert texter.text("STEPS").texts == [say("sms.steps_1", "ru"), say("sms.steps_2", "ru")]
    assert texter.text("bonjour").texts == [say("sms.help", "ru")]


# --- 5. LANGUE with language names -----------------------------------------------------------


@pytest.mark.parametrize(
    ("body", "lang"),
    [
        ("LANGUE arabe", "ar"),
        ("LANG Arabic", "ar"),
        ("لغة عربي", "ar"),
        ("لغة العربية", "ar"),
        ("LANGUE dari", "prs"),
        ("زبان دری", "prs"),
        ("LANGUE russe", "ru"),
        ("ЯЗЫК русский", "ru"),
        ("LANG english", "en"),
        ("Langue : Français", "fr"),
        ("LANGUE ukrainien", "uk"),
        ("LANGUE pachto", "ps"),
        ("LANGUE en", "en"),
    ],
)
def test_langue_takes_the_name_people_write(texter, say, body, lang):
    assert texter.text(body).texts == [say("sms.lang.confirm", lang)]
    assert texter.text("?").texts == [say("sms.help", lang)]


def test_an_unknown_language_gets_the_names_not_the_codes(new_texter, hotline, say):
    names = ", ".join(lang.name for lang in hotline.content.languages)
    [reply] = new_texter().text("LANGUE klingon").texts
    assert reply == say("sms.lang.unknown", "fr", names=names)
    assert "العربية" in reply and "Русский" in reply and " ar," not in reply
    ru = new_texter()
    ru.text("ЯЗЫК ru")
    assert ru.text("ЯЗЫК ???").texts == [say("sms.lang.unknown", "ru", names=names)]


# --- 6. Thanks ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("setup", "body", "lang"),
    [
        (None, "Merci", "fr"),
        (None, "merci beaucoup !", "fr"),
        (None, "OK", "fr"),
        (None, "👍", "fr"),
        ("LANG en", "Thanks!", "en"),
        ("LANG en", "🙏", "en"),
        (None, "Thank you", "en"),
        (None, "شكرا", "ar"),
        ("LANGUE dari", "تشکر", "prs"),
        (None, "Спасибо!", "ru"),
    ],
)
def test_a_thank_you_gets_one_line_not_the_help(new_texter, say, setup, body, lang):
    texter = new_texter()
    if setup:
        texter.text(setup)
    [reply] = texter.text(body).texts
    assert reply == say("sms.thanks", lang)
    assert "\n" not in reply and reply != say("sms.help", lang)


def test_a_thank_you_does_not_choose_the_conversations_language(texter, say):
    assert texter.text("OK").texts == [say("sms.thanks", "fr")]
    assert texter.text("مساعدة").texts == [say("sms.help", "ar")]


# --- 7. The prefecture's email address ---------------------------------------------------------


@pytest.mark.parametrize(
    ("setup", "body", "lang"),
    [
        (None, "COURRIEL", "fr"),
        (None, "courriel ?", "fr"),
        ("LANG en", "Email", "en"),
        ("مساعدة", "EMAIL", "ar"),
        ("LANGUE dari", "ایمیل", "prs"),
        ("ЯЗЫК ru", "ПОЧТА", "ru"),
    ],
)
def test_email_texts_the_address_alone_with_what_it_is_for(new_texter, say, setup, body, lang):
    texter = new_texter()
    if setup:
        texter.text(setup)
    [reply] = texter.text(body).texts
    assert reply == say("sms.email", lang)
    address, purpose = reply.split("\n")
    assert address == EMAIL  # alone on its line, to be copied
    assert EMAIL not in purpose


# --- 8. Reminders: a countdown, in the language chosen last --------------------------------------


def send_reminders_at(sms, texter, moment: datetime) -> str:
    sms.queue.enqueue("workers.reminders.send_due_reminders", moment.isoformat())
    sms.work()
    return [m["body"] for m in sms.fake.created if m["to"] == texter.number][-1]


@pytest.mark.parametrize(
    ("moment", "lang", "expected"),
    [
        (
            datetime(2027, 3, 1, 10, 1),
            "en",
            "Reminder: your ADP ends in 14 days, on 15 March 2027.",
        ),
        (
            datetime(2027, 2, 13, 10, 1),
            "fr",
            "Rappel : votre ADP finit dans 30 jours, le 15 mars 2027.",
        ),
        (
            datetime(2027, 3, 8, 10, 1),
            "ru",
            "Напоминание: срок ADP истекает через 7 дней, 15 марта 2027.",
        ),
        (datetime(2027, 3, 16, 10, 1), "en", "Your ADP ended on 15 March 2027."),
    ],
)
def test_reminders_count_down_and_say_how_to_get_the_steps(sms, moment, lang, expected):
    texter = Texter(sms.url, AUTH_TOKEN)
    texter.text(f"{words(lang, 'lang')[0]} {lang}")
    texter.text(f"{words(lang, 'remind')[0]} 15/03/2027")
    body = send_reminders_at(sms, texter, moment.replace(tzinfo=PARIS))
    assert body.startswith(expected)
    assert words(lang, "steps")[0] in body  # how to get the steps again
    assert segments(body) <= MAX_SEGMENTS


def test_the_reminder_speaks_the_language_chosen_last(sms, say):
    texter = Texter(sms.url, AUTH_TOKEN)
    texter.text("LANG en")
    texter.text("REMIND 15/03/2027")
    assert texter.text("LANG uk").texts == [say("sms.lang.confirm", "uk")]
    body = send_reminders_at(sms, texter, datetime(2027, 3, 1, 10, 1, tzinfo=PARIS))
    assert body == say("sms.reminder.before", "uk", date="15 березня 2027", in_days="через 14 днів")
