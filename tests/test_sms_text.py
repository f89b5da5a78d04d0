"""Reading what people text, and counting what the hotline texts back."""

from __future__ import annotations

from datetime import date

import pytest

from content.segments import is_gsm7, segments
from sms.keywords import BadDate, Command, keyword_table, normalise, parse, parse_date

TABLE = keyword_table(
    [
        {
            "sms.keyword.help": "AIDE, INFO",
            "sms.keyword.remind": "RAPPEL",
            "sms.keyword.lang": "LANGUE",
        },
        {"sms.keyword.help": "HELP", "sms.keyword.remind": "REMIND", "sms.keyword.steps": "STEPS"},
        {"sms.keyword.steps": "مراحل"},
    ]
)


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
        ("", Command("unknown")),
        ("🙂🙂", Command("unknown", "🙂🙂")),
        ("سلام", Command("unknown", "سلام")),
    ],
)
def test_keywords_whatever_the_case_accents_or_spacing(text, command):
    assert parse(text, TABLE) == command


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
    ],
)
def test_dates_in_the_usual_ways_and_scripts(text):
    assert parse_date(text) == date(2027, 3, 15)


@pytest.mark.parametrize(
    "text", ["31/02/2027", "15/13/2027", "2027-03-15", "15/03", "tomorrow", "", "1503202"]
)
def test_impossible_or_unreadable_dates(text):
    with pytest.raises(BadDate):
        parse_date(text)


def test_normalise():
    assert normalise("  RÉPONSE\tçà  ") == "reponse ca"
    # Arabic and Persian keyboards write these letters differently: one form for both
    assert normalise("مساعدة") == normalise("مساعده")
    assert normalise("كمك") == normalise("کمک")
    assert normalise("يادآوري") == normalise("یادآوری")
    assert normalise("yardım") == normalise("YARDIM") == normalise("Yardim")


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
