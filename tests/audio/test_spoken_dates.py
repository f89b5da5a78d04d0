"""Dates and numbers said back to a caller: composed from clips, never sent to a TTS engine."""

from __future__ import annotations

import datetime as dt
import re

import pytest

from audio.build import Builder
from audio.engines import EspeakEngine
from audio.formats import check_playable
from audio.inventory import Inventory
from audio.library import AudioLibrary, Manifest
from audio.spoken_dates import SpokenDates, load_date_formats
from audio.voices import load_voices
from ivr.speech import Play, Say
from tests.audio.fakes import StubEngine, stub_chooser
from wiring.web import EXTRA_VOICE_KEYS

TODAY = dt.date(2027, 1, 10)
FORMATS, YEARS = load_date_formats()


@pytest.mark.parametrize(
    ("lang", "date", "text"),
    [
        ("fr", dt.date(2027, 3, 15), "15 mars 2027"),
        ("fr", dt.date(2027, 4, 1), "1er avril 2027"),
        ("en", dt.date(2027, 3, 15), "15 March 2027"),  # the order the prompt says
        ("en", dt.date(2028, 12, 1), "1 December 2028"),
        ("ar", dt.date(2027, 3, 15), "15 مارس 2027"),
        ("ar", dt.date(2026, 8, 31), "31 أغسطس 2026"),
    ],
)
def test_a_date_in_words_follows_the_language_pattern(lang, date, text):
    assert FORMATS[lang].text(date) == text


def build_clips(tmp_path, hotline, engine, langs=("fr", "en", "ar")):
    inventory = Inventory.of(hotline.speaker, hotline.content, EXTRA_VOICE_KEYS)
    clips = inventory.clips(langs, today=TODAY)
    report = Builder(tmp_path / "audio", stub_chooser(engine)).build(clips)
    assert report.ok
    library = AudioLibrary(tmp_path / "audio")
    return library, SpokenDates(FORMATS, library, load_voices())


def heard_texts(library, lang, utterances):
    """The words of each played clip, found back through the manifest."""
    entries = [e for e in Manifest.load(library.directory) if e.lang == lang]
    by_url = {library.url(lang, e.text): e.text for e in entries}
    return [by_url[u.url] for u in utterances]


@pytest.mark.parametrize(
    ("lang", "clips"),
    [
        ("fr", ["15", "mars", "2027"]),
        ("en", ["15", "March", "2027"]),  # the order the prompt says
        ("ar", ["15", "مارس", "2027"]),
    ],
)
def test_a_date_is_played_from_its_clips_in_the_language_order(tmp_path, hotline, lang, clips):
    engine = StubEngine()
    library, dates = build_clips(tmp_path, hotline, engine)
    utterances = dates.spoken_date(dt.date(2027, 3, 15), lang)
    assert all(isinstance(u, Play) for u in utterances)
    assert heard_texts(library, lang, utterances) == clips


def test_no_personal_date_ever_reaches_the_engine(tmp_path, hotline):
    engine = StubEngine()
    _, dates = build_clips(tmp_path, hotline, engine)
    # What the engine got: single words and numbers, never a whole date.
    assert not [t for t in engine.texts if re.search(r"\d.*\s.*\d", t)]
    calls = sum(engine.calls.values())
    for day in range(1, 29):
        dates.spoken_date(dt.date(2027, 2, day), "fr")
    assert sum(engine.calls.values()) == calls  # saying dates calls no engine


def test_a_year_without_its_clip_is_said_digit_by_digit(tmp_path, hotline):
    library, dates = build_clips(tmp_path, hotline, StubEngine())
    utterances = dates.spoken_date(dt.date(2035, 3, 15), "fr")
    assert heard_texts(library, "fr", utterances) == ["15", "mars", "2", "0", "3", "5"]


def test_without_clips_a_date_is_one_say_in_the_language_voice(hotline):
    dates = SpokenDates(FORMATS, hotline.audio, load_voices())
    assert dates.spoken_date(dt.date(2027, 3, 15), "en") == [
        Say("15 March 2027", "en-GB", "Google.en-GB-Standard-A")
    ]
    assert hotline.dates.spoken_date(dt.date(2027, 4, 1), "fr") == [
        Say("1er avril 2027", "fr-FR", "Google.fr-FR-Standard-A")
    ]


def test_digits_are_read_one_by_one(tmp_path, hotline):
    library, dates = build_clips(tmp_path, hotline, StubEngine())
    played = dates.spoken_digits("0612", "en")
    assert heard_texts(library, "en", played) == ["0", "6", "1", "2"]
    said = SpokenDates(FORMATS, None, load_voices()).spoken_digits("061234", "fr", group=2)
    assert said == [Say("0 6, 1 2, 3 4", "fr-FR", "Google.fr-FR-Standard-A")]


def test_arabic_clips_render_for_real_with_espeak(tmp_path, hotline, espeak_ng):
    engine = EspeakEngine({"ar": "ar"}, binary=espeak_ng)
    library, dates = build_clips(tmp_path, hotline, engine, langs=("ar",))
    utterances = dates.spoken_date(dt.date(2027, 3, 15), "ar")
    assert len(utterances) == 3
    for u in utterances:
        check_playable(library.path(u.url.removeprefix("/audio/")).read_bytes(), "wav")
