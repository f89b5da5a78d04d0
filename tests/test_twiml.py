"""The TwiML builders, compared with the exact documents Twilio will read."""

from __future__ import annotations

import pytest

from content.catalog import Content, load_catalogs, load_languages
from content.prefecture import load_prefecture
from ivr import twiml
from ivr.flow import Prompt
from ivr.speech import Play, Say, Speaker

HEAD = '<?xml version="1.0" encoding="UTF-8"?>'


@pytest.mark.parametrize(
    ("utterances", "body"),
    [
        (
            [Say("Bonjour.", "fr-FR", "Google.fr-FR-Standard-A")],
            '<Say language="fr-FR" voice="Google.fr-FR-Standard-A">Bonjour.</Say>',
        ),
        ([Say("Hello & <welcome>")], "<Say>Hello &amp; &lt;welcome&gt;</Say>"),
        (
            [Play("https://h.example/audio/fr/ab.mp3")],
            "<Play>https://h.example/audio/fr/ab.mp3</Play>",
        ),
        (
            [Say("a", "en-GB"), Play("/audio/x.wav")],
            '<Say language="en-GB">a</Say><Play>/audio/x.wav</Play>',
        ),
    ],
)
def test_listen_gathers_one_key_and_redirects_on_silence(utterances, body):
    assert twiml.listen(utterances, "/voice/step") == (
        f'{HEAD}<Response><Gather action="/voice/step" method="POST" numDigits="1" timeout="8">'
        f'{body}</Gather><Redirect method="POST">/voice/step</Redirect></Response>'
    )


def test_listen_for_several_digits():
    assert twiml.listen([Say("x")], "/voice/date", num_digits=8) == (
        f'{HEAD}<Response><Gather action="/voice/date" method="POST" numDigits="8" timeout="8">'
        '<Say>x</Say></Gather><Redirect method="POST">/voice/date</Redirect></Response>'
    )


def test_hang_up_says_then_hangs_up():
    assert twiml.hang_up([Say("Au revoir.", "fr-FR")]) == (
        f'{HEAD}<Response><Say language="fr-FR">Au revoir.</Say><Hangup /></Response>'
    )


def test_empty():
    assert twiml.empty() == f"{HEAD}<Response />"


@pytest.fixture(scope="module")
def speaker() -> Speaker:
    content = Content(
        load_catalogs(), load_languages(), load_prefecture("val-de-marne").placeholders()
    )
    return Speaker(content)


def test_keys_that_are_not_digits_are_named_in_the_language(speaker):
    assert speaker.text(Prompt("voice.nav.back", "fr", (("key", "*"),))) == (
        "Pour revenir en arrière, appuyez sur étoile."
    )
    assert (
        speaker.text(Prompt("voice.nav.back", "en", (("key", "*"),))) == "To go back, press star."
    )


def test_addresses_are_spelled_out_for_the_ear(speaker):
    fr = speaker.text(Prompt("voice.blocked.info", "fr"))
    assert "pref tiret asile arobase val tiret de tiret marne point gouv point fr" in fr
    en = speaker.text(Prompt("voice.blocked.info", "en"))
    assert "pref dash asile at val dash de dash marne dot gouv dot fr" in en


def test_a_prompt_is_said_with_its_languages_twilio_voice(speaker):
    said = speaker.utter(Prompt("voice.main.title", "en"))
    assert said == Say("Main menu.", "en-GB", "Google.en-GB-Standard-A")
