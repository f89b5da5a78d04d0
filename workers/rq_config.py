"""Settings for the RQ command line (Procfile ``worker: rq worker -c workers.rq_config ...``).

``rq worker --url`` takes a bare URL; the hotline's Redis may need a CA file (REDIS_CA_FILE for a
rediss:// server) and always wants its timeouts. RQ reads REDIS_URL from this module instead, with
those options in the query string. Read from the same settings as every other process, so a
worker started without them stops here with one line per problem instead of failing every job.
"""

from __future__ import annotations

import sys

from hotline.logs import setup_logging
from hotline.redis_connection import url_with_options
from hotline.settings import Settings, SettingsError

# Before RQ sets up its own handler: it then finds ours and logs through it (JSON in production).
setup_logging()
try:
    _settings = Settings.from_env()
except SettingsError as error:
    sys.exit(f"The worker cannot start; fix its configuration:\n{error}")

REDIS_URL = url_with_options(_settings.redis_url, _settings.redis_ca_file)
