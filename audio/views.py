"""GET /audio/<lang>/<digest>.<ext>: the built audio files Twilio's <Play> fetches.

Not signed (Twilio fetches <Play> URLs with a plain GET), so only names of the build's exact form
are served: a language folder and a content hash, nothing else, which no path can escape; and
only regular files that stay inside AUDIO_DIR once symlinks are followed. A name
never changes meaning, so it is cached for a year as immutable, with the hash as a strong ETag;
Range and HEAD requests are answered by werkzeug's conditional send_file.
"""

from __future__ import annotations

from flask import Blueprint, Response, abort, send_file

from audio.formats import CONTENT_TYPES
from audio.library import AudioLibrary
from hotline.parts import part

bp = Blueprint("audio", __name__, url_prefix="/audio")

ONE_YEAR = 365 * 24 * 60 * 60


@bp.get("/<path:name>")
def audio_file(name: str) -> Response:
    """One built audio file, cacheable forever."""
    path = part(AudioLibrary).servable(name)
    if path is None:
        abort(404)
    extension = path.suffix.lstrip(".")
    response = send_file(
        path,
        mimetype=CONTENT_TYPES[extension],
        conditional=True,
        etag=path.stem,
        max_age=ONE_YEAR,
    )
    response.cache_control.public = True
    response.cache_control.immutable = True
    return response
