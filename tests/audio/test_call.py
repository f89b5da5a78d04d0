"""A whole call with audio built by espeak-ng: every prompt is a <Play>, every URL plays."""

from __future__ import annotations

import xml.etree.ElementTree as ET

import pytest
from twilio.request_validator import RequestValidator

from app import create_app
from audio.build import Builder
from audio.formats import CONTENT_TYPES, check_playable
from audio.inventory import Inventory
from audio.library import AudioLibrary
from ivr.flow import SMS_ONLY_PROMPT, Prompt
from ivr.menu import MAX_LANGUAGES_PER_MENU
from ivr.speech import Play, Speaker
from tests.audio.fakes import StubEngine, stub_chooser
from tests.caller import Caller
from tests.conftest import AUTH_TOKEN, make_settings
from wiring.web import EXTRA_VOICE_KEYS


@pytest.fixture
def settings(redis, redis_server, espeak_audio):
    return make_settings(redis_server.url, audio_dir=espeak_audio)


def test_every_prompt_of_a_call_is_played_and_every_url_fetches_audio(caller, live_server, hotline):
    heard = [caller.dial()]
    for keys in ["1", "1", "1", "0", "2", "*", "2", "*", "4", "7", None, "8", "2", "1", "*", "9"]:
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
    heard_in = {lang for h in heard for lang in h.langs}
    # French, then the second language of the menu (picked with "8", "2"), each language of the
    # first page announcing itself, and those of the second page saying "for other languages,
    # press 9": all of them pre-rendered
    assert "ka" in hotline.flow.languages and "sq" in hotline.flow.languages  # espeak-ng: built
    assert len(hotline.flow.languages) > MAX_LANGUAGES_PER_MENU  # so the menu has two pages
    assert heard_in == set(hotline.flow.languages)
    more_in = {
        lang
        for h in heard
        for k, lang in zip(h.keys, h.langs, strict=True)
        if k == "voice.language.more"
    }
    assert more_in == set(hotline.flow.languages[MAX_LANGUAGES_PER_MENU:])

    urls = {url for h in heard for url in h.plays}
    assert len(urls) >= 20
    for url in sorted(urls):
        # Absolute, on the origin Twilio called (no PUBLIC_BASE_URL here): Twilio takes a URL.
        assert url.startswith(live_server.url + "/audio/")
        response = caller.session.get(url, timeout=10)
        assert response.status_code == 200, url
        extension = url.rsplit(".", 1)[1]
        assert response.headers["Content-Type"] == CONTENT_TYPES[extension]
        info = check_playable(response.content, extension)
        assert info.channels == 1 and info.seconds > 0.2


def test_a_typed_date_is_read_back_from_clips_never_by_a_tts_voice(caller, live_server):
    caller.dial()
    caller.press("1")  # français
    caller.press("3")  # a reminder
    readback = caller.press("15032027")
    assert readback.says == []  # the caller's date never goes to Twilio's voices
    assert readback.keys[0] == "voice.remind.you_typed"
    date_clips = [url for url, key in zip(readback.plays, readback.keys, strict=True) if key == "?"]
    assert len(date_clips) == 3  # "15", "mars", "2027"
    for url in date_clips:
        assert url.startswith(live_server.url + "/audio/")
        response = caller.session.get(url, timeout=10)
        assert response.status_code == 200
        assert check_playable(response.content, url.rsplit(".", 1)[1]).seconds > 0.1


def test_the_outage_message_is_played_too(hotline):
    for lang in ("fr", "en"):
        assert isinstance(hotline.speaker.utter(Prompt("voice.outage.info", lang)), Play)


# --- Which languages a call offers --------------------------------------------------------------


def test_a_language_without_a_voice_is_offered_once_all_its_audio_is_built(hotline, tmp_path):
    content = hotline.content
    library = AudioLibrary(tmp_path / "audio")
    inventory = Inventory.of(Speaker(content), content, EXTRA_VOICE_KEYS)

    def in_menu_order(codes: set[str]) -> list[str]:
        return [lang.code for lang in content.languages if lang.code in codes]

    said = {lang.code for lang in content.languages if lang.say_voice}
    assert "ka" not in said and "ps" not in said
    assert inventory.voice_languages(library) == in_menu_order(said)  # what Twilio can say

    # Georgian has espeak-ng only: once every prompt is built, it is offered. Pashto (and
    # Dari before it) have nothing, so Georgian moves up a key: its "press N" was rendered too.
    Builder(tmp_path / "audio", stub_chooser(StubEngine(langs={"ka"}))).build(
        inventory.texts(["ka"])
    )
    library.refresh(force=True)
    assert inventory.voice_languages(library) == in_menu_order(said | {"ka"})

    # Pashto is recorded by people: offered only when the last prompt has its recording.
    ps_texts = inventory.texts(["ps"])
    Builder(tmp_path / "audio", stub_chooser(StubEngine())).build(ps_texts[:-15])
    library.refresh(force=True)
    assert inventory.voice_languages(library) == in_menu_order(said | {"ka"})
    Builder(tmp_path / "audio", stub_chooser(StubEngine())).build(ps_texts)
    library.refresh(force=True)
    assert inventory.voice_languages(library) == in_menu_order(said | {"ka", "ps"})


def test_leaving_out_languages_with_nothing_heard_before_the_walk_changes_no_menu(
    hotline, tmp_path, monkeypatch
):
    """Inventory.menu_languages leaves out, before walking the call, a language with no voice
    and no audio for its welcome nor for "sending the help by SMS": the menu must be the one
    the walk alone decides, whatever is built (nothing; Georgian in full; Pashto's two
    SMS-by-voice prompts only)."""
    content = hotline.content
    library = AudioLibrary(tmp_path / "audio")
    inventory = Inventory.of(Speaker(content), content, EXTRA_VOICE_KEYS)

    def menu() -> tuple[list[str], list[str]]:
        decided = inventory.menu_languages(library)
        with monkeypatch.context() as walk_only:
            walk_only.setattr(Inventory, "_may_be_heard", lambda self, lang, audio: True)
            assert inventory.menu_languages(library) == decided
        return decided

    def build(texts, engine: StubEngine) -> None:
        Builder(tmp_path / "audio", stub_chooser(engine)).build(texts)
        library.refresh(force=True)

    nothing = menu()
    build(inventory.texts(["ka"]), StubEngine(langs={"ka"}))
    georgian = menu()
    sms_by_voice = {"voice.language.choose", SMS_ONLY_PROMPT}
    build([t for t in inventory.texts(["ps"]) if t.key in sms_by_voice], StubEngine())
    pashto = menu()
    assert "ka" not in nothing[0] and "ka" in georgian[0] and "ps" in pashto[1]


def test_every_play_of_a_call_is_on_public_base_url_when_it_is_set(
    redis_server, redis, espeak_audio, clock
):
    """Behind a proxy, Twilio fetches audio from PUBLIC_BASE_URL, not the host the app sees."""
    public = "https://hotline.example.org"
    app = create_app(
        make_settings(redis_server.url, audio_dir=espeak_audio, public_base_url=public),
        clock=clock,
    )
    client = app.test_client()
    plays = []
    form = Caller("http://unused", AUTH_TOKEN, {}).form()  # Twilio's fields, as tests/caller.py
    path, extra = "/voice/incoming", {}
    for key in ("1", "1", None):  # French, then the main menu's first option
        fields = {**form, **extra}
        signature = RequestValidator(AUTH_TOKEN).compute_signature(public + path, fields)
        answer = client.post(path, data=fields, headers={"X-Twilio-Signature": signature})
        assert answer.status_code == 200
        root = ET.fromstring(answer.text)
        plays += [e.text for e in root.iter("Play")]
        if key is not None:  # the next key goes where the Gather says, as Twilio follows it
            action = root.find("Gather").get("action")
            assert action.startswith(public + "/voice/step?n="), action  # absolute, public
            path, extra = action.removeprefix(public), {"Digits": key}
    assert len(plays) >= 5
    assert all(url.startswith(public + "/audio/") for url in plays), plays
