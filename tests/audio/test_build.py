"""The build: content-hashed files, a manifest that skips what is done, failures isolated."""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import replace

import requests

import audio.build
from audio.build import FAILED, RENDERED, UNCHANGED, UNSUPPORTED, Builder, RetryPolicy
from audio.engines import engine_chooser
from audio.formats import check_playable
from audio.inventory import Inventory
from audio.library import MANIFEST_NAME, AudioLibrary, Manifest
from content.catalog import Content
from ivr.flow import Prompt
from ivr.speech import Speaker
from tests.audio.fakes import StubEngine, stub_chooser
from wiring.web import EXTRA_VOICE_KEYS, web_parts

TODAY = dt.date(2027, 3, 1)


def with_text(content: Content, key: str, texts: dict[str, str]) -> Content:
    """The same content with one key's text changed in some languages."""
    catalogs = {
        lang: replace(c, texts={**c.texts, key: texts.get(lang, c.texts[key])})
        for lang, c in content.catalogs.items()
    }
    return Content(catalogs, content.languages, content.placeholders)


def texts_of(content: Content, langs=("fr", "en")):
    inventory = Inventory.of(Speaker(content), content, EXTRA_VOICE_KEYS)
    return inventory.texts(langs, today=TODAY)


def test_full_build_renders_each_distinct_text_once_then_nothing(builder, stub, hotline, settings):
    texts = texts_of(hotline.content)
    report = builder.build(texts)
    assert report.ok
    assert {o.status for o in report.outcomes} == {RENDERED}
    distinct = {(t.lang, t.text) for t in texts}
    assert sum(stub.calls.values()) == len(distinct)  # same words in two prompts: one render

    manifest = json.loads((settings.audio_dir / MANIFEST_NAME).read_text())
    assert len(manifest["entries"]) == len(texts)
    for entry in manifest["entries"][:10]:
        check_playable((settings.audio_dir / entry["file"]).read_bytes(), "wav")

    stub.calls.clear()
    again = builder.build(texts)
    assert again.ok and {o.status for o in again.outcomes} == {UNCHANGED}
    assert sum(stub.calls.values()) == 0


def test_one_changed_text_costs_one_engine_call_per_language(builder, stub, hotline):
    builder.build(texts_of(hotline.content))
    stub.calls.clear()
    changed = with_text(
        hotline.content,
        "voice.main.title",
        {"fr": "Voici le menu principal.", "en": "Here is the main menu."},
    )
    report = builder.build(texts_of(changed))
    assert report.ok
    assert stub.calls == {"fr": 1, "en": 1}
    assert dict(report.engine_calls) == {"fr": 1, "en": 1}
    rendered = sorted(
        (o.spoken.lang, o.spoken.key) for o in report.outcomes if o.status == RENDERED
    )
    assert rendered == [("en", "voice.main.title"), ("fr", "voice.main.title")]


def test_a_changed_text_is_new_file_and_the_old_one_is_never_played(builder, hotline, settings):
    builder.build(texts_of(hotline.content))
    library = AudioLibrary(settings.audio_dir)
    old = hotline.speaker.text(Prompt("voice.main.title", "fr"))
    old_url = library.url("fr", old)
    assert old_url

    changed = with_text(hotline.content, "voice.main.title", {"fr": "Voici le menu principal."})
    builder.build(texts_of(changed))
    library.refresh(force=True)
    assert library.url("fr", old) is None  # the manifest no longer says the old words
    new_url = library.url("fr", "Voici le menu principal.")
    assert new_url and new_url != old_url


def test_one_failing_text_is_reported_and_the_rest_is_built(settings, recordings, hotline):
    texts = texts_of(hotline.content, ("fr",))
    bad = next(t for t in texts if t.key == "voice.adp.info")
    stub = StubEngine(fail={bad.text})
    report = Builder(settings.audio_dir, stub_chooser(stub), recordings).build(texts)
    assert not report.ok
    failed = [o for o in report.outcomes if o.status == FAILED]
    assert [o.spoken for o in failed] == [bad] and "refused" in failed[0].detail
    assert sum(o.status == RENDERED for o in report.outcomes) == len(texts) - 1
    assert Manifest.load(settings.audio_dir).get("fr", bad.stem) is None


def test_transient_errors_are_retried_with_backoff(settings, recordings, hotline):
    texts = texts_of(hotline.content, ("fr",))[:5]
    stub = StubEngine(transient={texts[0].text: 2})
    waits: list[float] = []
    builder = Builder(settings.audio_dir, stub_chooser(stub), recordings, sleep=waits.append)
    report = builder.build(texts)
    assert report.ok
    assert report.engine_calls["fr"] == len(texts) + 2
    assert len(waits) == 2 and waits[1] > waits[0] / 2  # the wait grows (with jitter)


def test_output_that_is_not_audio_is_refused_and_not_written(settings, recordings, hotline):
    texts = texts_of(hotline.content, ("fr",))[:3]
    stub = StubEngine(output=b"<html>Service unavailable</html>")
    report = Builder(settings.audio_dir, stub_chooser(stub), recordings).build(texts)
    assert {o.status for o in report.outcomes} == {FAILED}
    assert not list(settings.audio_dir.glob("fr/*"))


def test_a_language_the_engine_lacks_is_reported_not_faked(settings, recordings, hotline):
    stub = StubEngine(langs={"fr"})
    report = Builder(settings.audio_dir, stub_chooser(stub), recordings).build(
        texts_of(hotline.content)
    )
    statuses = {(o.spoken.lang, o.status) for o in report.outcomes}
    assert statuses == {("fr", RENDERED), ("en", UNSUPPORTED)}
    # English awaits recordings: reported, not a failure of the build
    assert stub.calls["en"] == 0 and report.ok and not report.complete


def test_concurrency_is_bounded(settings, recordings, hotline):
    stub = StubEngine()
    texts = texts_of(hotline.content)
    Builder(settings.audio_dir, stub_chooser(stub), recordings, jobs=3).build(texts)
    assert 1 <= stub.most_active <= 3


def test_engine_per_language_comes_from_languages_toml(hotline):
    from audio.voices import load_voices

    voices = load_voices()
    choose = engine_chooser(voices)
    assert choose("fr").name == "gtts" and choose("ar").name == "gtts"
    assert engine_chooser(voices, "espeak")("fr").name == "espeak"
    assert "recorded by a person" in choose("ps")  # no engine speaks Pashto
    assert "not in content/languages.toml" in choose("xx")


def test_cli_build_with_espeak_then_coverage(app, espeak_ng, tmp_path):
    runner = app.test_cli_runner()
    result = runner.invoke(
        args=["audio", "build", "--engine", "espeak", "--lang", "en", "--recordings", tmp_path]
    )
    assert result.exit_code == 0, result.output
    assert "en: " in result.output and "rendered" in result.output
    again = runner.invoke(
        args=["audio", "build", "--engine", "espeak", "--lang", "en", "--recordings", tmp_path]
    )
    assert again.exit_code == 0 and "0 engine call(s)" in again.output
    coverage = runner.invoke(args=["audio", "coverage", "--recordings", tmp_path])
    first_table = coverage.output.split("\n\n")[0]  # then the recording line's table
    rows = {line.split()[0]: line.split() for line in first_table.splitlines()[1:]}
    total, tts, recorded, stale, missing = map(int, rows["en"][1:6])
    assert tts == total and recorded == stale == missing == 0
    assert int(rows["fr"][5]) == int(rows["fr"][1])  # nothing built in French: all missing


def test_cli_build_fails_when_not_everything_is_built(app, inventory, tmp_path, monkeypatch):
    runner = app.test_cli_runner()
    unknown = runner.invoke(args=["audio", "build", "--lang", "xx"])
    assert unknown.exit_code == 2 and "no content for xx" in unknown.output

    # gTTS cannot reach Google: each render is retried, fails, is reported; the exit status says so.
    def offline(session, request, **kwargs):
        raise requests.exceptions.ConnectionError("offline")

    monkeypatch.setattr(requests.Session, "send", offline)
    monkeypatch.setattr(audio.build, "DEFAULT_RETRY", RetryPolicy(attempts=2, first_delay=0))
    result = runner.invoke(args=["audio", "build", "--lang", "ar", "--recordings", tmp_path])
    assert result.exit_code == 1
    assert "retry ar" in result.output and "FAILED ar" in result.output
    assert f"ar: {len(inventory.texts(['ar']))} texts: 0 rendered" in result.output


def test_cli_build_exits_0_with_languages_awaiting_recordings(app, espeak_ng, tmp_path):
    """Pashto (like Dari, Tigrinya, Somali) has no engine: awaiting recordings, not a failure."""
    runner = app.test_cli_runner()
    langs = ["--lang", "sq", "--lang", "ps"]  # one espeak-ng speaks, one no engine speaks
    result = runner.invoke(
        args=["audio", "build", "--engine", "espeak", *langs, "--recordings", tmp_path]
    )
    assert result.exit_code == 0, result.output
    awaiting = [line for line in result.output.splitlines() if line.startswith("ps: ")]
    assert awaiting and "0 rendered" in awaiting[0] and "awaiting recordings" in awaiting[0]
    assert any(
        line.startswith("sq: ") and " 0 rendered" not in line for line in result.output.splitlines()
    )
    assert "awaiting recordings: espeak: no espeak_voice configured for ps" in result.output


def test_cli_build_fails_when_the_engine_is_not_installed(app, tmp_path, monkeypatch):
    """espeak-ng chosen but missing from the machine: an engine that should render cannot."""
    monkeypatch.setenv("PATH", str(tmp_path))  # no espeak-ng on this PATH
    runner = app.test_cli_runner()
    result = runner.invoke(
        args=["audio", "build", "--engine", "espeak", "--lang", "en", "--recordings", tmp_path]
    )
    assert result.exit_code == 1
    assert "espeak-ng is not installed" in result.output
    assert not list((web_parts(app).settings.audio_dir / "en").glob("*"))
