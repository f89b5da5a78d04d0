"""A language with no full voice yet is offered on the language menu as soon as two short prompts
can be heard in it (its menu entry, and "we are sending you the help by SMS"): the caller gets
the help by SMS in that language and a polite goodbye in it. The recordings are made here with
espeak-ng and placed where a volunteer's recordings go."""

from __future__ import annotations

import subprocess

import pytest

from audio.build import Builder
from audio.engines import engine_chooser
from audio.inventory import Inventory
from audio.recordings import RecordingStore
from audio.voices import load_voices
from ivr.flow import SMS_ONLY_PROMPT
from tests.caller import Caller, spoken_texts
from tests.conftest import AUTH_TOKEN, make_settings
from wiring.web import EXTRA_VOICE_KEYS, build_web_parts

LANG = "ti"  # Tigrinya: no synthetic voice, recordings only
SMS_PROMPTS = ("voice.language.choose", SMS_ONLY_PROMPT)


@pytest.fixture
def audio_dir(tmp_path):
    return tmp_path / "audio"


@pytest.fixture
def recorded(espeak_ng, redis_server, audio_dir, tmp_path) -> RecordingStore:
    """The two SMS-by-voice prompts of Tigrinya recorded (by espeak-ng, as a stand-in for a
    volunteer) and built into the audio folder."""
    hotline = build_web_parts(make_settings(redis_server.url, audio_dir=audio_dir))
    inventory = Inventory.of(hotline.speaker, hotline.content, EXTRA_VOICE_KEYS)
    wanted = [t for t in inventory.prompts([LANG]) if t.key in SMS_PROMPTS]
    assert {t.key for t in wanted} == set(SMS_PROMPTS)
    store = RecordingStore(tmp_path / "recordings")
    store.folder(LANG).mkdir(parents=True)
    for spoken in wanted:
        path = store.folder(LANG) / f"{spoken.stem}.wav"
        subprocess.run(
            [espeak_ng, "-v", "en", "-w", str(path), "test recording"], check=True, timeout=30
        )
    report = Builder(audio_dir, engine_chooser(load_voices(), "espeak"), store).build(wanted)
    assert report.ok, [o.detail for o in report.outcomes if o.detail]
    return store


@pytest.fixture
def sms_settings_overrides(audio_dir, recorded) -> dict:
    return {"audio_dir": audio_dir}


def test_a_language_with_its_two_prompts_recorded_sends_the_help_by_sms(sms):
    hotline = sms.hotline
    assert hotline.flow.sms_only == (LANG,)
    assert LANG not in hotline.flow.languages  # not offered in full voice

    caller = Caller(sms.url, AUTH_TOKEN, spoken_texts(hotline), audio=hotline.audio)
    first = caller.dial()
    assert "voice.language.more" in first.keys
    page = caller.press("9")
    assert (page.keys, page.langs) == (["voice.language.choose"], [LANG])
    assert page.plays and not page.says  # the recording, not a Twilio voice

    bye = caller.press("1")
    assert bye.keys == [SMS_ONLY_PROMPT] and bye.langs == [LANG]
    assert bye.hung_up and not bye.listening
    sms.work()
    say = hotline.content.text
    sent = [m["body"] for m in sms.fake.created if m["to"] == caller.number]
    assert sent == [say("sms.steps_1", LANG), say("sms.steps_2", LANG)]


def test_a_withheld_number_choosing_it_is_told_no_sms_can_be_sent(sms):
    hotline = sms.hotline
    caller = Caller(
        sms.url, AUTH_TOKEN, spoken_texts(hotline), number="anonymous", audio=hotline.audio
    )
    caller.dial()
    caller.press("9")
    bye = caller.press("1")
    assert bye.keys == ["voice.sms_steps.no_number"] * 2 and bye.hung_up
    sms.work()
    assert sms.fake.created == []


def test_coverage_shows_full_voice_sms_by_voice_and_absent(sms, recorded):
    runner = sms.app.test_cli_runner()
    result = runner.invoke(args=["audio", "coverage", "--recordings", str(recorded.root)])
    assert result.exit_code == 0, result.output
    rows = {line.split()[0]: line for line in result.output.splitlines()[1:]}
    assert rows["fr"].endswith("full voice")
    assert rows[LANG].endswith("SMS-by-voice")
    assert rows["so"].endswith("absent")
