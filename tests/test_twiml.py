"""The TwiML builders, compared with the exact documents Twilio will read."""

from __future__ import annotations

import pytest
from twilio.twiml.voice_response import VoiceResponse

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


def test_a_date_entry_ends_at_once_on_star_and_posts_even_when_empty():
    # finishOnKey: one key, never collected in Digits, posted as FinishedOnKey; with
    # actionOnEmptyResult a star pressed before any digit still reaches the action.
    assert twiml.listen([Say("x")], "/voice/step", num_digits=8, finish_key="*") == (
        f'{HEAD}<Response><Gather action="/voice/step" actionOnEmptyResult="true" '
        'finishOnKey="*" method="POST" numDigits="8" timeout="8">'
        '<Say>x</Say></Gather><Redirect method="POST">/voice/step</Redirect></Response>'
    )


def test_hang_up_says_then_hangs_up():
    assert twiml.hang_up([Say("Au revoir.", "fr-FR")]) == (
        f'{HEAD}<Response><Say language="fr-FR">Au revoir.</Say><Hangup /></Response>'
    )


def test_empty():
    assert twiml.empty() == f"{HEAD}<Response />"


def test_utterances_added_to_any_document_play_absolute_urls():
    # What the recording line builds on: a path is made absolute on the origin, a URL kept.
    response = VoiceResponse()
    utterances = [Play("/audio/fr/a.mp3"), Play("https://cdn.example/b.mp3"), Say("c", "fr-FR")]
    twiml.add_utterances(response, utterances, "https://h.example")
    assert str(response) == (
        f"{HEAD}<Response><Play>https://h.example/audio/fr/a.mp3</Play>"
        '<Play>https://cdn.example/b.mp3</Play><Say language="fr-FR">c</Say></Response>'
    )


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


def test_email_addresses_are_announced_spelled_in_groups_and_said_twice(speaker):
    spelled = "pref, tiret, asile, arobase, val, tiret, de, tiret, marne, point, gouv, point, fr"
    fr = speaker.text(Prompt("voice.blocked.email", "fr"))
    assert fr == f"L'adresse e-mail est : {spelled}. Je répète : {spelled}."
    en = speaker.text(Prompt("voice.blocked.email", "en"))
    assert en.startswith("The email address is: pref, dash, asile, at, val, dash, de")
    assert en.count("pref, dash, asile, at, val, dash, de, dash, marne, dot, gouv, dot, fr") == 2
    for lang in speaker.content.catalogs:
        said = speaker.text(Prompt("voice.blocked.email", lang))
        assert said.count("pref,") == 2, lang


def test_the_residence_office_is_said_in_short_groups_once(speaker):
    en = speaker.text(Prompt("voice.adp.info", "en"))
    assert en.startswith("ADP expired")  # the action first
    assert "ask to renew your adp" in en.lower()
    groups = "bureau, du séjour, des étrangers, de la préfecture, du Val-de-Marne"
    assert en.count(groups) == 1


def test_a_prompt_is_said_with_its_languages_twilio_voice(speaker):
    said = speaker.utter(Prompt("voice.steps.last", "en"))
    assert said == Say("This is the last step.", "en-GB", "Google.en-GB-Standard-A")
