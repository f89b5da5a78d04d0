"""Reading the settings, the same way in every process, and refusing to start without them."""

from __future__ import annotations

import sys
from collections.abc import Mapping

from content.prefecture import available_prefectures
from hotline.settings import Settings, SettingsError


def read_settings(environ: Mapping[str, str] | None = None) -> Settings:
    """The settings from the environment, PREFECTURE checked against the profiles we have."""
    return Settings.from_env(environ, prefectures=available_prefectures())


def settings_or_exit(environ: Mapping[str, str] | None = None) -> Settings:
    """The settings, or one line per problem on stderr and exit status 2 (no traceback)."""
    try:
        return read_settings(environ)
    except SettingsError as error:
        print(f"The hotline cannot start; fix its configuration:\n{error}", file=sys.stderr)
        raise SystemExit(2) from None
