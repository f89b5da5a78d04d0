"""The recording line, end to end: a volunteer records Pashto by phone through the local Twilio,
the worker fetches and checks the takes, an operator approves, and callers hear them."""

from __future__ import annotations

import dataclasses
import json
import time
from datetime import timedelta

import pytest

from app import create_app
from audio.build import Builder
from audio.engines import engine_chooser
from audio.recordings import RecordingStore
from hotline import keys
from ivr.flow import Prompt
from tests.caller import Caller, spoken_texts
from tests.conftest import AUTH_TOKEN, LiveServer
from tests.volunteer import Volunteer, silence, speech, tone
from wiring.web import web_parts

NUMBER = "+33612340001"


@pytest.fixture
def sms_settings_overrides(tmp_path) -> dict:
    return {"recordings_dir": tmp_path / "recordings", "audio_dir": tmp_path / "audio"}


@pytest.fixture
def studio(sms):
    return sms.hotline.studio


@pytest.fixture
def code(sms, clock) -> str:
    made, _ = sms.hotline.studio.invites.create("ps", "Ahmad (ps)", 7, clock.now())
    return made


@pytest.fixture
def volunteer(sms):
    texts = spoken_texts(sms.hotline)

    def make(number: str = NUMBER) -> Volunteer:
        return Volunteer(sms.url, AUTH_TOKEN, texts, number=number, fake=sms.fake)

    return make


def said(hotline, key: str, **params) -> str:
    return hotline.speaker.text(Prompt(key, "fr", tuple(sorted(params.items()))))


def says(heard) -> list[str]:
    return [text for text, _ in heard.says]


def test_a_whole_session_records_checks_resumes_and_publishes(
    sms, volunteer, code, espeak_ng, tmp_path
):
    hotline = sms.hotline
    plan = hotline.plan.to_record("ps")
    first, second, third, fourth, fifth = plan[:5]
    assert [t.spoken.key for t in plan[:3]] == ["voice.language.choose"] * 3  # menu entry first

    ahmad = volunteer()
    heard = ahmad.dial()
    assert says(heard) == [said(hotline, "voice.studio.code")]
    assert heard.listening and ahmad.record_element() is None  # nothing recorded before a code
    gather = heard.xml.split("<Gather", 1)[1].split(">", 1)[0]
    assert 'finishOnKey="#"' in gather

    heard = ahmad.press(code)
    assert says(heard)[1:] == [first.french, said(hotline, "voice.studio.record")]
    record = ahmad.record_element()
    assert record.get("finishOnKey") == "#" and int(record.get("maxLength")) >= 10
    assert record.get("recordingStatusCallback").startswith(sms.url + "/voice/studio/recording")

    # 1: a long tone (too long for its text: flagged), kept.
    heard = ahmad.record(tone(9.0))
    assert heard.plays == [sms.fake.recordings.url(ahmad.takes[-1])]
    assert says(heard)[-1] == said(hotline, "voice.studio.choices")
    assert says(ahmad.press("0"))[0] == first.french  # the French again, then the same choices
    heard = ahmad.press("1")
    assert first.french not in says(heard) and second.french in says(heard)
    # 2: speech, recorded again, then kept.
    ahmad.record(speech(espeak_ng, "Pour votre langue, appuyez sur deux."))
    heard = ahmad.press("2")
    assert second.french in says(heard) and ahmad.record_element() is not None
    ahmad.record(speech(espeak_ng, "Pour votre langue, appuyez sur deux, encore."))
    heard = ahmad.press("1")
    assert third.french in says(heard)
    # 3: silence, kept by the volunteer (the job refuses it).
    ahmad.record(silence())
    ahmad.press("1")
    # 4: skipped; 5: heard, then the volunteer hangs up.
    ahmad.record(tone(1.0, 300))
    heard = ahmad.press("3")
    assert fifth.french in says(heard)
    ahmad.twilio_reports()
    sms.work()

    fake = sms.fake.recordings
    kept = [ahmad.takes[i] for i in (0, 2, 3)]
    assert fake.fetched == kept  # only kept takes are downloaded, with the account's auth
    assert sorted(fake.deleted) == sorted(ahmad.takes) and fake.files == {}  # no copy left
    assert fake.refused == 0
    waiting = {p.stem: p for p in hotline.plan.pending.waiting("ps")}
    assert set(waiting) == {first.spoken.stem, second.spoken.stem}  # the silent one refused
    assert waiting[second.spoken.stem].recorded_by == "Ahmad (ps)"
    assert all(p.path.read_bytes()[:4] == b"RIFF" for p in waiting.values())
    # The draft translation went by SMS, once per prompt presented.
    bodies = [m["body"] for m in sms.fake.created if m["to"] == NUMBER]
    assert first.spoken.text in bodies and fifth.spoken.text in bodies
    assert len(bodies) == len(set(bodies))

    # Calling back resumes: the refused prompt first, the skipped one not at all.
    again = volunteer()
    again.dial()
    heard = again.press(code)
    assert says(heard)[0] == said(hotline, "voice.studio.intro", total=str(len(plan) - 3))
    assert says(heard)[1] == third.french
    assert fourth.french not in says(heard)

    # An operator approves both; coverage counts them.
    runner = sms.app.test_cli_runner()
    listed = runner.invoke(args=["audio", "review", "--lang", "ps"])
    assert first.spoken.stem in listed.output and "too-long" in listed.output  # flagged
    played = runner.invoke(args=["audio", "review", "--lang", "ps", "--play", first.spoken.stem])
    assert played.output.strip() == waiting[first.spoken.stem].file
    approved = runner.invoke(
        args=["audio", "review", "--lang", "ps", "--approve", "all", "--by", "lead"]
    )
    assert approved.exit_code == 0, approved.output
    index = json.loads((tmp_path / "recordings" / "ps" / "index.json").read_text())
    entry = index[f"{second.spoken.stem}.wav"]
    assert (entry["recorded_by"], entry["approved_by"]) == ("Ahmad (ps)", "lead")
    coverage = runner.invoke(args=["audio", "coverage"]).output
    line = [x for x in coverage.splitlines() if x.startswith("ps:people")][-1]
    assert line.split()[1:5] == ["2", "0", "0", str(len(plan) - 2)]

    # Every other Pashto text recorded (as `flask audio import` would), then built: a caller
    # hears the volunteer's menu entry on the language menu.
    store = RecordingStore(tmp_path / "recordings")
    for planned in plan[2:]:
        store.store(planned.spoken, tone(0.5), "wav")
    inventory = hotline.inventory
    report = Builder(tmp_path / "audio", engine_chooser(inventory.voices), store).build(
        inventory.texts(["ps"])
    )
    assert report.ok, report.summary()
    # A new web process (the menu is decided at start), on its own port.
    app = create_app(
        dataclasses.replace(hotline.settings, public_base_url=None), clock=hotline.clock
    )
    caller_line = web_parts(app)
    assert "ps" in caller_line.flow.languages
    with LiveServer(app) as server:
        caller = Caller(server.url, AUTH_TOKEN, spoken_texts(caller_line), audio=caller_line.audio)
        heard = caller.dial()
    key = str(caller_line.flow.languages.index("ps") + 1)
    entry_text = caller_line.speaker.text(Prompt("voice.language.choose", "ps", (("key", key),)))
    menu_entry = caller_line.audio.entry("ps", entry_text)
    assert menu_entry is not None and menu_entry.recorded
    assert key in ("1", "2")  # one of the two the volunteer recorded and the operator approved
    assert any(url.endswith(menu_entry.file) for url in heard.plays)


def test_wrong_expired_and_revoked_codes_record_nothing(sms, volunteer, clock):
    invites = sms.hotline.studio.invites
    code, _ = invites.create("ps", "", 1, clock.now())
    revoked, _ = invites.create("ps", "", 7, clock.now())
    assert invites.revoke(revoked)
    ahmad = volunteer()
    ahmad.dial()
    for wrong in ("12345678", revoked):
        heard = ahmad.press(wrong)
        assert says(heard)[0] == said(sms.hotline, "voice.studio.wrong_code")
        assert ahmad.record_element() is None
    # Expired: a day later (Redis drops it at the same time; the clock says so first).
    clock.advance(timedelta(days=1, seconds=1))
    heard = ahmad.press(code)
    assert says(heard)[0] == said(sms.hotline, "voice.studio.wrong_code")
    assert ahmad.record_element() is None


def test_five_wrong_codes_lock_the_number_for_an_hour(sms, volunteer, code, redis):
    ahmad = volunteer()
    ahmad.dial()
    for _ in range(4):
        assert says(ahmad.press("99999999"))[0] == said(sms.hotline, "voice.studio.wrong_code")
    heard = ahmad.press("99999999")
    assert heard.hung_up and says(heard) == [said(sms.hotline, "voice.studio.locked")]
    # Even the right code does nothing now, on a new call from the same number.
    again = volunteer()
    heard = again.dial()
    assert heard.hung_up and again.record_element() is None
    tries = redis.keys(keys.STUDIO_TRIES.format(caller="*"))
    assert len(tries) == 1 and 0 < redis.ttl(tries[0]) <= keys.STUDIO_TRIES_TTL
    # Another number is not locked out.
    other = volunteer("+33612340002")
    other.dial()
    assert other.press(code).xml.count("<Record") == 1


def test_a_code_on_the_caller_line_does_nothing_special(sms, code, new_caller_for):
    caller = new_caller_for(sms)
    first = caller.dial()
    heard = caller.press(code)
    assert "<Record" not in heard.xml
    assert "voice.studio" not in " ".join(heard.keys)
    assert heard.xml.count("<Gather") == first.xml.count("<Gather")


def test_an_unsigned_studio_request_is_refused(sms, volunteer, code):
    ahmad = volunteer()
    heard = ahmad.post("/voice/studio", ahmad.form(), sign=False)
    assert heard.status == 403


@pytest.fixture
def new_caller_for():
    def make(sms) -> Caller:
        return Caller(sms.url, AUTH_TOKEN, spoken_texts(sms.hotline), audio=sms.hotline.audio)

    return make


def test_recording_job_time_per_take(sms, volunteer, code, espeak_ng):
    """Not a benchmark: the job's time per prompt, printed for docs/audio.md (-s to see it)."""
    ahmad = volunteer()
    ahmad.dial()
    ahmad.press(code)
    for _ in range(3):
        ahmad.record(speech(espeak_ng, "Pour votre langue, appuyez sur un."))
        ahmad.press("1")
    ahmad.twilio_reports()
    started = time.perf_counter()
    sms.work()
    per_take = (time.perf_counter() - started) / 3
    assert len(sms.hotline.plan.pending.waiting("ps")) == 3
    print(f"recording job: {per_take * 1000:.0f} ms per take (burst worker, 3 takes)")


@pytest.mark.parametrize("digits", ["²①٣٤", "9" * 5000, "\x00", "<Say>x</Say>", "*", "#", ""])
def test_odd_keys_get_an_answer_never_a_failure(sms, volunteer, code, digits):
    ahmad = volunteer()
    ahmad.dial()
    heard = ahmad.post("/voice/studio/code", ahmad.form(Digits=digits))
    assert heard.status == 200 and ahmad.record_element() is None
    ahmad.press(code)
    ahmad.record(tone())
    heard = ahmad.post(ahmad.last.gather_action, ahmad.form(Digits=digits))
    # The same choices again ("*" with nothing before: the same prompt again).
    assert heard.status == 200 and (heard.listening or digits == "*")
    forged = ahmad.post("/voice/studio/review?take=../../etc", ahmad.form(Digits="1"))
    assert forged.status == 400
