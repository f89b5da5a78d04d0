"""`flask content check` proves every language has every key, placeholder and value."""

from __future__ import annotations

from flask import Flask

from content.catalog import Catalog, Content, load_catalogs, placeholders_of
from content.check import CatalogUse, check_catalogs
from content.cli import content_cli
from content.spoken_length import Heard, SpokenTexts
from hotline.parts import install
from hotline.settings import Settings
from wiring.web import web_parts

PROFILE = {
    "asylum_email": "a@b.fr",
    "residence_office": "bureau",
    "anef_site": "x",
    "prefecture": "P",
}


def catalogs(**by_lang: dict[str, str]) -> dict[str, Catalog]:
    return {
        lang: Catalog(lang, "source" if lang == "fr" else "draft", texts)
        for lang, texts in by_lang.items()
    }


def test_the_shipped_content_is_complete(hotline):
    content = hotline.content
    assert check_catalogs(content.catalogs, content.placeholders, hotline.used_keys()) == []
    assert {"fr", "en"} <= set(load_catalogs())


def test_missing_and_extra_keys_are_reported():
    problems = check_catalogs(catalogs(fr={"a": "A", "b": "B"}, en={"a": "A", "c": "C"}), PROFILE)
    assert problems == ["en: missing key b", "en: key c is not in the source catalog"]


def test_placeholders_must_match_the_source_and_be_filled():
    problems = check_catalogs(
        catalogs(
            fr={"a": "Écrivez à {asylum_email}.", "b": "{nowhere}"},
            en={"a": "Write to {asylum_mail}.", "b": "{nowhere}"},
        ),
        PROFILE,
    )
    assert "en: a has placeholders ['asylum_mail'], the source has ['asylum_email']" in problems
    assert "fr: b uses {nowhere}, which the profile does not fill" in problems
    assert "en: a uses {asylum_mail}, which the profile does not fill" in problems


def test_empty_texts_broken_braces_and_bad_status_are_reported():
    bad = catalogs(fr={"a": "x {", "b": " "}, en={"a": "y", "b": "z"})
    bad["en"] = Catalog("en", "finished", bad["en"].texts)
    problems = check_catalogs(bad, PROFILE)
    assert any(p.startswith("fr: a has a broken placeholder") for p in problems)
    assert "fr: b is empty" in problems
    assert any(p.startswith("en: status 'finished'") for p in problems)


def test_keys_the_code_uses_must_exist():
    problems = check_catalogs(catalogs(fr={"a": "A"}), PROFILE, used_keys={"a", "voice.x"})
    assert problems == ["fr: key voice.x is used by the code but missing"]


def test_placeholders_of():
    assert placeholders_of("Press {key} for {step} of {total}.") == {"key", "step", "total"}


def test_cli_reports_ok_and_fails_on_a_problem(app):
    runner = app.test_cli_runner()
    result = runner.invoke(args=["content", "check"])
    assert result.exit_code == 0, result.output
    assert "content OK" in result.output
    languages_table = result.output.split("spoken length")[0]
    rows = {line.split()[0]: line for line in languages_table.splitlines()[1:]}
    assert "source" in rows["fr"] and "offered" in rows["fr"]
    assert "draft" in rows["en"]
    hotline = web_parts(app)
    # The same command in an app whose code would say a key no catalog has.
    broken = Flask("broken")
    install(
        broken,
        {
            Content: hotline.content,
            Settings: hotline.settings,
            CatalogUse: CatalogUse(lambda: frozenset({"voice.not.there"}), hotline.flow.languages),
            SpokenTexts: hotline.spoken_texts(),
        },
    )
    broken.cli.add_command(content_cli)
    result = broken.test_cli_runner().invoke(args=["content", "check"])
    assert result.exit_code == 1
    assert "fr: key voice.not.there is used by the code but missing" in result.output


def test_a_prompt_over_30_seconds_fails_the_check(app):
    hotline = web_parts(app)
    long_prompt = Heard("fr", "voice.too.long", (" ".join(["mot"] * 80),))  # 80 words: 32 s
    broken = Flask("long")
    install(
        broken,
        {
            Content: hotline.content,
            Settings: hotline.settings,
            CatalogUse: CatalogUse(hotline.used_keys, hotline.flow.languages),
            SpokenTexts: SpokenTexts(lambda: ([long_prompt], [])),
        },
    )
    broken.cli.add_command(content_cli)
    result = broken.test_cli_runner().invoke(args=["content", "check"])
    assert result.exit_code == 1
    assert "voice.too.long" in result.output and "32.0" in result.output
    assert "fr: voice.too.long lasts 32 s (> 30 s)" in result.output


def test_catalogs_are_read_when_first_asked_for(monkeypatch):
    """A worker's start must stay short (issue 9: under 50 ms): the catalogs are parsed when a
    text in their language is first needed, each once."""
    from content import catalog as catalog_module
    from content.catalog import load_languages
    from content.prefecture import load_prefecture

    read = []
    real = catalog_module.load_catalog
    monkeypatch.setattr(catalog_module, "load_catalog", lambda p: read.append(p.stem) or real(p))
    catalogs = load_catalogs()
    content = Content(catalogs, load_languages(), load_prefecture("val-de-marne").placeholders())
    assert read == [] and "prs" in catalogs and len(catalogs) >= 14 and content.has_language("ps")
    assert content.text("sms.steps_1", "prs") and read == ["prs"]
    content.text("sms.steps_2", "prs")
    content.raw("sms.steps_1", "fr")
    assert read == ["prs", "fr"]
