"""Reading what people text, and counting what the hotline texts back."""

from __future__ import annotations

from datetime import date

import pytest

from content import cldr
from content.segments import is_gsm7, segments
from sms.keywords import (
    BadDate,
    Command,
    DateReader,
    KeywordTable,
    digit_zero,
    in_digits,
    normalise,
    one_typo_apart,
)

TABLE = KeywordTable(
    {
        "fr": {
            "sms.keyword.help": "AIDE, INFO",
            "sms.keyword.remind": "RAPPEL",
            "sms.keyword.lang": "LANGUE",
            "sms.keyword.steps": "ETAPES",
        },
        "en": {
            "sms.keyword.help": "HELP",
            "sms.keyword.remind": "REMIND",
            "sms.keyword.steps": "STEPS",
        },
        "prs": {"sms.keyword.steps": "مراحل"},
    }
)
DATES = DateReader(m for code in ("fr", "en", "ru", "fa_AF") for m in cldr.month_names(code))


@pytest.mark.parametrize(
    ("text", "command"),
    [
        ("AIDE", Command("help", "", "aide")),
        ("  aide  ", Command("help", "", "aide")),
        ("Àide", Command("help", "", "aide")),
        ("?", Command("help", "", "?")),
        ("help me please", Command("help", "me please", "help")),
        ("steps", Command("steps", "", "steps")),
        ("مراحل", Command("steps", "", "مراحل")),
        ("RAPPEL 15/03/2027", Command("remind", "15/03/2027", "rappel")),
        ("rappel   15-03-2027", Command("remind", "15-03-2027", "rappel")),
        ("Remind 15.03.2027", Command("remind", "15.03.2027", "remind")),
        ("RAPPEL15032027", Command("remind", "15032027", "rappel")),
        ("STOP", Command("stop", "", "stop")),
        ("Arrêt", Command("stop", "", "arret")),
        ("unsubscribe", Command("stop", "", "unsubscribe")),
        ("START", Command("start", "", "start")),
        ("LANGUE en", Command("lang", "en", "langue")),
        ("Stop!", Command("stop", "", "stop")),
        ("🛑 STOP 🛑", Command("stop", "", "stop")),
        ("«stop» svp", Command("stop", "svp", "stop")),
        ("Rappel: 15/03/2027", Command("remind", "15/03/2027", "rappel")),
        ("RAPPEL : 15/03/2027", Command("remind", "15/03/2027", "rappel")),
        ("rappel le 15/03/2027", Command("remind", "le 15/03/2027", "rappel")),
        ("RAPEL 15/03/2027", Command("remind", "15/03/2027", "rappel")),
        ("RAPPPEL", Command("remind", "", "rappel")),
        ("ETAPSE", Command("steps", "", "etapes")),
        ("\u200fمراحل\u200f", Command("steps", "", "مراحل")),
        ("", Command("unknown")),
        ("🙂🙂", Command("thanks")),
        ("?!", Command("help", "", "?")),
        ("سلام", Command("unknown", "سلام")),
        # a typo of a STOP word is never guessed: erasing is not done on a guess
        ("stopp", Command("unknown", "stopp")),
        ("stops", Command("unknown", "stops")),
        # short keywords are not guessed from a typo
        ("aid", Command("unknown", "aid")),
    ],
)
def test_keywords_whatever_the_case_accents_punctuation_or_typo(text, command):
    assert TABLE.parse(text) == command


@pytest.mark.parametrize(
    ("a", "b", "close"),
    [
        ("rappel", "rapel", True),
        ("rappel", "rappell", True),
        ("rappel", "rapple", True),
        ("rappel", "rappal", True),
        ("rappel", "rappel", False),
        ("rappel", "rappelle", False),
        ("etapes", "etpaes", True),
        ("etapes", "epates", False),
    ],
)
def test_one_typo_apart(a, b, close):
    assert one_typo_apart(a, b) is close
    assert one_typo_apart(b, a) is close


@pytest.mark.parametrize(
    "text",
    [
        "15/03/2027",
        "15-03-2027",
        "15.03.2027",
        "15032027",
        "15 / 3 / 2027",
        "۱۵/۰۳/۲۰۲۷",
        "١٥/٠٣/٢٠٢٧",
        "15/03/27",
        "150327",
        "2027-03-15",
        "15/03/2027.",
        "le 15/03/2027",
        "\u200f15/03/2027\u200e",
        "15 mars 2027",
        "15 March 2027",
        "March 15, 2027",
        "15 Mar. 2027",
        "15 марта 2027",
        "15 март 27",
        "۱۵ مارچ ۲۰۲۷",
    ],
)
def test_dates_in_the_usual_ways_and_scripts(text):
    assert DATES.read(text) == date(2027, 3, 15)


@pytest.mark.parametrize(
    "text",
    [
        "31/02/2027",
        "15/13/2027",
        "15/03",
        "15 mars",
        "tomorrow",
        "",
        "1503202",
        "15/03/2027 16/03/2027",
        "15 mars avril 2027",
        "15/03/202",
    ],
)
def test_impossible_incomplete_or_ambiguous_dates(text):
    with pytest.raises(BadDate):
        DATES.read(text)


def test_a_reply_can_be_written_in_the_digits_the_person_typed():
    assert digit_zero("RAPPEL ۱۵/۰۳") == "۰"
    assert digit_zero("تذكير ١٥") == "٠"
    assert digit_zero("RAPPEL 15/03") is None
    assert in_digits("RAPPEL 15/03/2027", "۰") == "RAPPEL ۱۵/۰۳/۲۰۲۷"
    assert in_digits("RAPPEL 15/03/2027", None) == "RAPPEL 15/03/2027"


def test_normalise():
    assert normalise("  RÉPONSE\tçà  ") == "reponse ca"
    # Arabic and Persian keyboards write these letters differently: one form for both
    assert normalise("مساعدة") == normalise("مساعده")
    assert normalise("كمك") == normalise("کمک")
    assert normalise("يادآوري") == normalise("یادآوری")
    assert normalise("yardım") == normalise("YARDIM") == normalise("Yardim")
    # invisible right-to-left marks and joiners are dropped
    assert normalise("\u200fتوقف\u200f") == normalise("توقف")


@pytest.mark.parametrize(
    ("text", "count", "gsm"),
    [
        ("", 1, True),
        ("a" * 160, 1, True),
        ("a" * 161, 2, True),
        ("a" * 306, 2, True),
        ("a" * 307, 3, True),
        ("é" * 160, 1, True),  # é stays GSM-7
        ("€" * 80, 1, True),  # extension characters count twice
        ("€" * 81, 2, True),
        ("ê" * 70, 1, False),  # ê makes it UCS-2
        ("ê" * 71, 2, False),
        ("ç" + "a" * 69, 1, False),
        ("ç" + "a" * 70, 2, False),
        ("س" * 134, 2, False),
        ("س" * 135, 3, False),
        ("🙂" * 35, 1, False),  # an emoji is two UTF-16 units
        ("🙂" * 36, 2, False),
    ],
)
def test_segments_are_counted_like_carriers_do(text, count, gsm):
    assert segments(text) == count
    assert is_gsm7(text) is gsm
