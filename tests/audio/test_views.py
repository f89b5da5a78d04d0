"""GET /audio/...: the right type, ETag, immutable caching, Range and HEAD; nothing else served."""

from __future__ import annotations

import pytest

from audio.library import Manifest
from ivr.flow import Prompt
from ivr.speech import Play
from tests.audio.test_build import texts_of
from tests.conftest import make_settings
from wiring.web import build_web_parts


@pytest.fixture
def built(builder, hotline, settings):
    assert builder.build(texts_of(hotline.content, ("fr",))[:3]).ok
    entry = next(iter(Manifest.load(settings.audio_dir)))
    return entry, (settings.audio_dir / entry.file).read_bytes()


def test_serves_a_built_file_cacheable_for_ever(client, built):
    entry, data = built
    response = client.get(f"/audio/{entry.file}")
    assert response.status_code == 200
    assert response.mimetype == "audio/wav"
    assert response.data == data
    cache = response.headers["Cache-Control"]
    assert "public" in cache and "max-age=31536000" in cache and "immutable" in cache
    assert response.headers["ETag"] == f'"{entry.file.split("/")[1].split(".")[0]}"'
    assert response.headers["Accept-Ranges"] == "bytes"

    again = client.get(f"/audio/{entry.file}", headers={"If-None-Match": response.headers["ETag"]})
    assert again.status_code == 304 and again.data == b""


def test_head_and_range(client, built):
    entry, data = built
    head = client.head(f"/audio/{entry.file}")
    assert head.status_code == 200 and head.data == b""
    assert int(head.headers["Content-Length"]) == len(data)

    part = client.get(f"/audio/{entry.file}", headers={"Range": "bytes=0-99"})
    assert part.status_code == 206
    assert part.data == data[:100]
    assert part.headers["Content-Range"] == f"bytes 0-99/{len(data)}"


@pytest.mark.parametrize(
    "path",
    [
        "/audio/manifest.json",
        "/audio/fr/0123456789abcdef01234567.wav",  # well formed, not built
        "/audio/fr/../manifest.json",
        "/audio/..%2fmanifest.json",
        "/audio/fr/%2e%2e/%2e%2e/app.py",
        "/audio/fr/0123456789abcdef01234567.wav/../../../app.py",
        "/audio//etc/passwd",
        "/audio/fr/0123456789ABCDEF01234567.wav",
        "/audio/fr/0123456789abcdef01234567.ogg",
        "/audio/",
    ],
)
def test_anything_else_is_404(client, built, path):
    # (werkzeug first redirects a doubled slash to the merged path, which is then refused)
    assert client.get(path, follow_redirects=True).status_code == 404


def test_audio_urls_are_absolute_with_public_base_url(built, redis_server, settings):
    hotline = build_web_parts(
        make_settings(
            redis_server.url,
            audio_dir=settings.audio_dir,
            public_base_url="https://hotline.example.org",
        )
    )
    heard = hotline.speaker.utter(Prompt("voice.adp.info", "fr"))
    assert isinstance(heard, Play)
    assert heard.url.startswith("https://hotline.example.org/audio/fr/")


def test_a_symlink_out_of_the_audio_folder_is_never_served_nor_played(
    client, built, hotline, settings, tmp_path
):
    """A link planted in AUDIO_DIR, with a build name, pointing at a file outside it."""
    entry, _ = built
    outside = tmp_path / "outside-secret.wav"
    outside.write_bytes(b"RIFF not for callers")
    planted = settings.audio_dir / "fr" / "0123456789abcdef01234567.wav"
    planted.symlink_to(outside)
    assert client.get("/audio/fr/0123456789abcdef01234567.wav").status_code == 404

    # A whole language folder linked out of AUDIO_DIR: nothing in it is served either.
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (elsewhere / "0123456789abcdef01234567.wav").write_bytes(b"RIFF")
    (settings.audio_dir / "en").symlink_to(elsewhere, target_is_directory=True)
    assert client.get("/audio/en/0123456789abcdef01234567.wav").status_code == 404

    # The built file itself replaced by a link out: no longer offered to Twilio nor served.
    real = settings.audio_dir / entry.file
    moved = tmp_path / "moved.wav"
    real.rename(moved)
    real.symlink_to(moved)
    library = hotline.audio
    library.refresh(force=True)
    assert library.entry(entry.lang, entry.text) is None
    assert client.get(f"/audio/{entry.file}").status_code == 404


def test_a_symlink_that_stays_inside_the_audio_folder_is_served(client, built, settings):
    entry, data = built
    alias = settings.audio_dir / entry.lang / "fedcba9876543210fedcba98.wav"
    alias.symlink_to(settings.audio_dir / entry.file)
    response = client.get(f"/audio/{entry.lang}/fedcba9876543210fedcba98.wav")
    assert response.status_code == 200 and response.data == data
