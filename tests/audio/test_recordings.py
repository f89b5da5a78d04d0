"""Recordings made by a person: they override TTS, go stale when the text changes, are scripted,
imported (checked and normalised) and counted by the coverage report."""

from __future__ import annotations

import csv
import io
import json

import pytest

from audio.build import RECORDED, RENDERED
from audio.coverage import MISSING, STALE, TTS, coverage
from audio.coverage import RECORDED as HEARD_RECORDED
from audio.formats import InvalidAudio, check_playable, inspect
from audio.library import AudioLibrary
from audio.recordings import import_recordings, prepare
from ivr.flow import Prompt
from ivr.speech import Play, Say, Speaker
from tests.audio.fakes import mp3, samples_of, wav
from tests.audio.test_build import texts_of, with_text


def welcome(texts):
    return next(t for t in texts if t.key == "voice.main.welcome" and t.lang == "fr")


def test_a_recording_at_its_path_overrides_tts(builder, stub, recordings, hotline, settings):
    texts = texts_of(hotline.content, ("fr",))
    spoken = welcome(texts)
    path = recordings.folder("fr") / "voice.main.welcome.wav"  # the documented path
    path.parent.mkdir(parents=True)
    path.write_bytes(wav(1.0, rate=16000))

    report = builder.build(texts)
    outcome = next(o for o in report.outcomes if o.spoken == spoken)
    assert outcome.status == RECORDED
    assert spoken.text not in stub.texts  # no engine call for a recorded prompt
    index = json.loads((recordings.folder("fr") / "index.json").read_text())
    assert index["voice.main.welcome.wav"]["text"] == spoken.text  # adopted for this text

    library = AudioLibrary(settings.audio_dir)
    speaker = Speaker(hotline.content, library)
    heard = speaker.utter(Prompt("voice.main.welcome", "fr"))
    assert isinstance(heard, Play)
    assert library.entry("fr", spoken.text).recorded
    assert (
        settings.audio_dir / heard.url.removeprefix("/audio/")
    ).read_bytes() == path.read_bytes()


def test_a_recording_goes_stale_when_its_text_changes(builder, stub, recordings, hotline, settings):
    texts = texts_of(hotline.content, ("fr",))
    path = recordings.folder("fr") / "voice.main.welcome.wav"
    path.parent.mkdir(parents=True)
    path.write_bytes(wav(1.0))
    builder.build(texts)

    changed = with_text(hotline.content, "voice.main.welcome", {"fr": "Bonjour et bienvenue."})
    new_texts = texts_of(changed, ("fr",))
    library = AudioLibrary(settings.audio_dir)

    before = coverage(new_texts, library, recordings)["fr"]
    assert before.counts[STALE] == 1 and before.to_rerecord == 1  # text changed, not rebuilt

    report = builder.build(new_texts)
    outcome = next(o for o in report.outcomes if o.spoken == welcome(new_texts))
    assert outcome.status == RENDERED  # TTS takes over the stale recording
    after = coverage(new_texts, library, recordings)["fr"]
    assert after.counts[STALE] == 0 and after.counts[TTS] == after.total
    assert after.to_rerecord == 1


def test_coverage_counts_tts_recorded_stale_and_missing(builder, recordings, hotline, settings):
    texts = texts_of(hotline.content, ("fr", "en"))
    fr = [t for t in texts if t.lang == "fr"]
    path = recordings.folder("fr") / f"{fr[0].stem}.wav"
    path.parent.mkdir(parents=True)
    path.write_bytes(wav(0.5))
    builder.build(fr)  # French only: English has nothing
    changed = with_text(
        hotline.content, "voice.nav.repeat", {"fr": "Pour répéter, appuyez sur {key}."}
    )
    now = texts_of(changed, ("fr", "en"))

    report = coverage(now, AudioLibrary(settings.audio_dir), recordings)
    assert report["fr"].counts == {
        HEARD_RECORDED: 1,
        STALE: 1,  # voice.nav.repeat: audio for the old words only
        TTS: len(fr) - 2,
    }
    assert report["en"].counts == {MISSING: len(now) - len(fr)}


def test_script_lists_what_to_record_with_french_and_english_meaning(app, tmp_path):
    result = app.test_cli_runner().invoke(args=["audio", "script", "--lang", "en"])
    assert result.exit_code == 0, result.output
    rows = list(csv.DictReader(io.StringIO(result.output)))
    assert set(rows[0]) == {"file", "key", "text", "meaning_fr", "meaning_en"}
    by_file = {row["file"]: row for row in rows}
    row = by_file["voice.nav.next__key-1.wav"]
    assert row["key"] == "voice.nav.next key=1"
    assert row["text"] == "For the next step, press 1."
    assert row["meaning_fr"] == "Pour l'étape suivante, appuyez sur 1."
    assert by_file["voice.nav.back__key-star.wav"]["text"] == "To go back, press star."
    assert by_file["date.month__n-3.wav"]["meaning_fr"] == "mars"
    assert by_file["date.day__n-1.wav"]["meaning_fr"] == "1er"


def test_import_checks_and_normalises_what_the_talent_sends(recordings, hotline, tmp_path):
    texts = texts_of(hotline.content, ("fr",))
    sent = tmp_path / "from-talent"
    sent.mkdir()
    # Stereo, 44.1 kHz, 24-bit, with a second of silence each side, too quiet.
    (sent / "voice.main.welcome.wav").write_bytes(
        wav(1.0, rate=44100, channels=2, width=3, amplitude=0.1, silence=1.0)
    )
    (sent / "voice.main.title.mp3").write_bytes(mp3(40))
    (sent / "voice.main.nothing.wav").write_bytes(wav(1.0))  # no such prompt
    (sent / "voice.resume.welcome.wav").write_bytes(b"not audio at all")
    (sent / "voice.miss.wrong.m4a").write_bytes(b"....ftypM4A ")

    result = import_recordings(recordings, sent, texts, use_ffmpeg=False)
    assert sorted(result.imported) == ["voice.main.title.mp3", "voice.main.welcome.wav"]
    rejected = dict(result.rejected)
    assert set(rejected) == {
        "voice.main.nothing.wav",
        "voice.resume.welcome.wav",
        "voice.miss.wrong.m4a",
    }
    assert "no prompt" in rejected["voice.main.nothing.wav"]
    assert "ffmpeg" in rejected["voice.miss.wrong.m4a"]

    kept = (recordings.folder("fr") / "voice.main.welcome.wav").read_bytes()
    info = check_playable(kept, "wav")
    assert info.channels == 1 and info.sample_rate == 44100
    assert 1.0 <= info.seconds <= 1.5  # silence trimmed to short margins
    assert max(abs(s) for s in samples_of(kept)) > 0.8 * 32767  # brought up to -1 dBFS

    index = json.loads((recordings.folder("fr") / "index.json").read_text())
    assert index["voice.main.welcome.wav"]["text"] == welcome(texts).text
    assert recordings.current(welcome(texts)) is not None


def test_prepare_refuses_silence_and_stereo_mp3_without_ffmpeg():
    with pytest.raises(InvalidAudio, match="silent"):
        prepare(wav(1.0, amplitude=0.0), "wav", None)
    stereo = bytes([0xFF, 0xF3, 0x44, 0x04]) + bytes(92)  # the same frame, in stereo
    with pytest.raises(InvalidAudio):
        prepare(stereo * 30, "mp3", None)
    assert inspect(prepare(mp3(30), "mp3", None)[0]).format == "mp3"


def test_import_cli_reports_and_exits_1_on_a_rejection(app, tmp_path):
    sent = tmp_path / "sent"
    sent.mkdir()
    (sent / "voice.main.title.wav").write_bytes(wav(0.8))
    (sent / "typo.wav").write_bytes(wav(0.8))
    store = tmp_path / "recordings"
    result = app.test_cli_runner().invoke(
        args=[
            "audio",
            "import",
            "--lang",
            "en",
            str(sent),
            "--recordings",
            str(store),
            "--no-ffmpeg",
        ]
    )
    assert result.exit_code == 1
    assert "imported voice.main.title.wav" in result.output
    assert "REJECTED typo.wav" in result.output
    assert (store / "en" / "voice.main.title.wav").is_file()


def test_without_audio_the_speaker_says_it(hotline):
    heard = hotline.speaker.utter(Prompt("voice.main.title", "en"))
    assert heard == Say("Main menu.", "en-GB", "Google.en-GB-Standard-A")
