"""A whole call with audio built by espeak-ng: every prompt is a <Play>, every URL plays."""

from __future__ import annotations

import dataclasses

import pytest

from audio.build import Builder
from audio.engines import engine_chooser
from audio.formats import CONTENT_TYPES, check_playable
from audio.inventory import Inventory
from audio.library import AudioLibrary
from audio.spoken_dates import load_date_formats
from audio.voices import Voice, load_voices
from content.catalog import Content, Language
from hotline.services import EXTRA_VOICE_KEYS, Hotline
from ivr.flow import Prompt
from ivr.speech import Play, Speaker
from tests.audio.fakes import StubEngine, stub_chooser
from tests.conftest import make_settings


@pytest.fixture(scope="session")
def espeak_audio(tmp_path_factory, espeak_ng, redis_server):
    """Every voice prompt and date clip of every language, rendered once for the session by
    espeak-ng."""
    directory = tmp_path_factory.mktemp("espeak-audio")
    hotline = Hotline.build(make_settings(redis_server.url, audio_dir=directory))
    inventory = Inventory.of(hotline.speaker, hotline.content, EXTRA_VOICE_KEYS)
    builder = Builder(directory, engine_chooser(load_voices(), "espeak"))
    report = builder.build(inventory.texts())  # the prompts and the date clips
    assert report.ok, [o.detail for o in report.outcomes if o.detail]
    return directory


@pytest.fixture
def settings(redis, redis_server, espeak_audio):
    return make_settings(redis_server.url, audio_dir=espeak_audio)


def test_every_prompt_of_a_call_is_played_and_every_url_fetches_audio(caller, live_server):
    heard = [caller.dial()]
    for keys in ["1", "1", "1", "0", "2", "*", "2", "*", "3", "7", None, "8", "2", "1", "*", "9"]:
        heard.append(caller.silence() if keys is None else caller.press(keys))
    heard.append(caller.hang_up())

    said = [s for h in heard for s in h.says]
    assert said == []  # nothing left to Twilio's own voices
    keys = [k for h in heard for k in h.keys]
    assert "?" not in keys  # every <Play> is a known prompt
    assert {"voice.language.choose", "voice.main.welcome", "voice.steps.1", "voice.steps.2"} <= set(
        keys
    )
    assert {"voice.miss.wrong", "voice.miss.silence", "voice.adp.info"} <= set(keys)
    assert set(lang for h in heard for lang in h.langs) == {"fr", "en"}

    urls = {url for h in heard for url in h.plays}
    assert len(urls) >= 20
    for url in sorted(urls):
        assert url.startswith("/audio/")
        response = caller.session.get(live_server.url + url, timeout=10)
        assert response.status_code == 200, url
        extension = url.rsplit(".", 1)[1]
        assert response.headers["Content-Type"] == CONTENT_TYPES[extension]
        info = check_playable(response.content, extension)
        assert info.channels == 1 and info.seconds > 0.2


def test_a_typed_date_is_read_back_from_clips_never_by_a_tts_voice(caller, live_server):
    caller.dial()
    caller.press("1")  # français
    caller.press("5")  # a reminder
    readback = caller.press("15032027")
    assert readback.says == []  # the caller's date never goes to Twilio's voices
    assert readback.keys[0] == "voice.remind.you_typed"
    date_clips = [url for url, key in zip(readback.plays, readback.keys, strict=True) if key == "?"]
    assert len(date_clips) == 3  # "15", "mars", "2027"
    for url in date_clips:
        response = caller.session.get(live_server.url + url, timeout=10)
        assert response.status_code == 200
        assert check_playable(response.content, url.rsplit(".", 1)[1]).seconds > 0.1


def test_the_outage_message_is_played_too(hotline):
    for lang in ("fr", "en"):
        assert isinstance(hotline.speaker.utter(Prompt("voice.outage.info", lang)), Play)


# --- Which languages a call offers --------------------------------------------------------------


def content_with(hotline, *codes: str) -> Content:
    """The hotline's content plus languages with no Twilio voice, using the French texts."""
    extra = [Language(code, code.upper(), "ltr", None, None) for code in codes]
    catalogs = dict(hotline.content.catalogs)
    for code in codes:
        catalogs[code] = dataclasses.replace(catalogs["fr"], lang=code)
    return Content(catalogs, hotline.content.languages + extra, hotline.content.placeholders)


def test_a_language_without_a_voice_is_offered_once_all_its_audio_is_built(hotline, tmp_path):
    content = content_with(hotline, "ps", "ka")
    voices = {
        **load_voices(),
        "ps": Voice("ps", None),  # to be recorded by people
        "ka": Voice("ka", "espeak", {"espeak": "ka"}),
    }
    formats, years = load_date_formats()
    formats = {**formats, **{c: dataclasses.replace(formats["fr"], lang=c) for c in ("ps", "ka")}}
    library = AudioLibrary(tmp_path / "audio")
    inventory = Inventory.of(
        Speaker(content), content, EXTRA_VOICE_KEYS, voices=voices, dates=(formats, years)
    )
    assert inventory.voice_languages(library) == ["fr", "en"]

    engine = StubEngine(langs={"ka"})
    builder = Builder(tmp_path / "audio", stub_chooser(engine))
    builder.build(inventory.texts(["ka"]))
    library.refresh(force=True)
    # Pashto has nothing, so Georgian moves up to key 3: its "press 3" was rendered too.
    assert inventory.voice_languages(library) == ["fr", "en", "ka"]

    ps_texts = inventory.texts(["ps"])
    Builder(tmp_path / "audio", stub_chooser(StubEngine())).build(ps_texts[:-15])
    library.refresh(force=True)
    assert inventory.voice_languages(library) == ["fr", "en", "ka"]  # still some missing
    Builder(tmp_path / "audio", stub_chooser(StubEngine())).build(ps_texts)
    library.refresh(force=True)
    assert inventory.voice_languages(library) == ["fr", "en", "ps", "ka"]
