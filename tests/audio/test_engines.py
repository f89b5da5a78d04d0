"""The engines at their HTTP layer (gTTS, stubbed with Google's real response shape) and for real
(espeak-ng)."""

from __future__ import annotations

import base64
import io
import json
import urllib.parse

import pytest
import requests

from audio.build import FAILED, RENDERED, Builder, RetryPolicy
from audio.engines import EngineError, EspeakEngine, GttsEngine, TransientEngineError
from audio.formats import check_playable
from audio.prompts import SpokenText
from tests.audio.fakes import mp3, stub_chooser


def batchexecute_body(audio: bytes) -> bytes:
    """What translate.google.com's batchexecute answers for the jQ1olc (TTS) call."""
    compact = {"separators": (",", ":")}  # Google's JSON has no spaces
    payload = json.dumps([base64.b64encode(audio).decode()], **compact)
    first = json.dumps([["wrb.fr", "jQ1olc", payload, None, None, None, "generic"]], **compact)
    frames = [
        first,
        '[["di",37],["af.httprm",36,"-668177807451224424",66]]',
        '[["e",4,null,null,5662]]',
    ]
    return (")]}'\n\n" + "".join(f"{len(f)}\n{f}\n" for f in frames)).encode()


def response(request, status: int, body: bytes = b"") -> requests.Response:
    reply = requests.Response()
    reply.status_code = status
    reply.reason = {200: "OK", 403: "Forbidden", 429: "Too Many Requests"}.get(status, "Error")
    reply.raw = io.BytesIO(body)  # read as a stream, as from the socket
    reply.headers["Content-Type"] = "application/json; charset=utf-8"
    reply.request = request
    reply.url = request.url
    return reply


def spoken_chunk(request) -> str:
    """The text a gTTS request asks to speak, read back from its form body."""
    form = urllib.parse.parse_qs(request.body)
    rpc = json.loads(form["f.req"][0])
    return json.loads(rpc[0][0][1])[0]


class Google:
    """Stands in for Google's endpoint at requests.Session.send: answers in order, records."""

    def __init__(self, monkeypatch, *answers):
        self.answers = list(answers)  # status codes or exceptions; then 200 for ever
        self.chunks: list[str] = []
        self.timeouts: list = []
        monkeypatch.setattr(requests.Session, "send", self.send)

    def send(self, request, **kwargs):  # set on the class, called as session.send(request=...)
        self.timeouts.append(kwargs.get("timeout"))
        assert request.url.startswith("https://translate.google.com/_/TranslateWebserverUi/")
        self.chunks.append(spoken_chunk(request))
        answer = self.answers.pop(0) if self.answers else 200
        if isinstance(answer, Exception):
            raise answer
        body = batchexecute_body(mp3(10)) if answer == 200 else b"Too many requests"
        return response(request, answer, body)


@pytest.fixture
def gtts():
    return GttsEngine({"fr": "fr", "en": "en", "ka": "ka"}, timeout=(3, 7))


def test_gtts_renders_a_long_text_chunk_by_chunk_into_one_mp3(monkeypatch, gtts, hotline):
    google = Google(monkeypatch)
    from ivr.flow import Prompt

    text = hotline.speaker.text(Prompt("voice.steps.4", "fr"))
    assert len(text) > 100
    audio = gtts.synthesize(text, "fr")
    assert len(google.chunks) >= 2  # Google takes at most 100 characters a request
    assert all(len(chunk) <= 100 for chunk in google.chunks)
    assert all(chunk in text for chunk in google.chunks)
    assert audio == mp3(10) * len(google.chunks)
    info = check_playable(audio, "mp3")
    assert (info.channels, info.sample_rate) == (1, 24000)
    assert google.timeouts == [(3, 7)] * len(google.chunks)  # never without a timeout


def test_gtts_429_is_transient_and_the_build_retries_it(monkeypatch, gtts, tmp_path):
    google = Google(monkeypatch, 429)
    with pytest.raises(TransientEngineError, match="429"):
        gtts.synthesize("Bonjour.", "fr")

    google.answers = [429, 429]
    waits: list[float] = []
    builder = Builder(
        tmp_path,
        stub_chooser(gtts),
        retry=RetryPolicy(attempts=4, first_delay=1.0),
        sleep=waits.append,
    )
    report = builder.build([SpokenText("fr", "voice.main.title", (), "Menu principal.")])
    assert [o.status for o in report.outcomes] == [RENDERED]
    assert report.engine_calls["fr"] == 3
    assert len(waits) == 2 and 0.5 <= waits[0] <= 1.0 and 1.0 <= waits[1] <= 2.0  # backoff


def test_gtts_timeouts_and_network_errors_are_transient(monkeypatch, gtts):
    Google(monkeypatch, requests.exceptions.ReadTimeout("read timed out"))
    with pytest.raises(TransientEngineError):
        gtts.synthesize("Bonjour.", "fr")
    Google(monkeypatch, requests.exceptions.ConnectionError("no route to host"))
    with pytest.raises(TransientEngineError):
        gtts.synthesize("Bonjour.", "fr")


def test_gtts_refusal_is_final_and_the_build_goes_on(monkeypatch, gtts, tmp_path):
    Google(monkeypatch, 403)
    with pytest.raises(EngineError) as caught:
        gtts.synthesize("Bonjour.", "fr")
    assert not isinstance(caught.value, TransientEngineError)

    google = Google(monkeypatch, 403)
    texts = [
        SpokenText("fr", "voice.main.title", (), "Menu principal."),
        SpokenText("fr", "voice.resume.welcome", (), "Bon retour."),
    ]
    report = Builder(tmp_path, stub_chooser(gtts), jobs=1, sleep=lambda s: None).build(texts)
    assert sorted(o.status for o in report.outcomes) == [FAILED, RENDERED]
    assert len(google.chunks) == 2  # no retry of a 403
    assert not report.ok


def test_gtts_answer_without_audio_is_an_error(monkeypatch, gtts):
    def send(session, request, **kwargs):
        empty = b")]}'\n\n" + b'47\n[["wrb.fr","jQ1olc",null,null,null,[3],"generic"]]\n'
        return response(request, 200, empty)

    monkeypatch.setattr(requests.Session, "send", send)
    with pytest.raises(EngineError):
        gtts.synthesize("Bonjour.", "fr")


def test_gtts_reports_languages_google_lacks(gtts):
    assert gtts.supports("fr")
    assert not gtts.supports("ka")  # Georgian: no Google voice
    assert "gtts_lang" in gtts.missing_reason("ps")
    with pytest.raises(EngineError):
        gtts.synthesize("text", "ps")


@pytest.mark.parametrize(
    ("lang", "voice", "text"),
    [
        ("fr", "fr-fr", "Bienvenue. Pour le menu principal, appuyez sur 9."),
        ("en", "en-gb", "Welcome. For the main menu, press 9."),
        ("ar", "ar", "١٥ مارس ٢٠٢٧"),
    ],
)
def test_espeak_renders_mono_wav_for_real(espeak_ng, lang, voice, text):
    engine = EspeakEngine({lang: voice}, binary=espeak_ng)
    audio = engine.synthesize(text, lang)
    info = check_playable(audio, "wav")
    assert info.channels == 1 and info.sample_rate == 22050 and info.seconds > 0.5


def test_espeak_reports_a_language_it_has_no_voice_for(espeak_ng):
    engine = EspeakEngine({"fr": "fr-fr"}, binary=espeak_ng)
    assert not engine.supports("ps")
    assert "espeak_voice" in engine.missing_reason("ps")
    missing = EspeakEngine({"fr": "fr-fr"}, binary=None)
    missing.binary = None
    assert not missing.supports("fr") and "not installed" in missing.missing_reason("fr")
