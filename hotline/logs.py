"""The one logging setup every process uses (web, worker, clock, CLI): INFO lines to stderr.

Numbers never appear in clear in these lines (identity.mask_number); bodies only in development.
"""

from __future__ import annotations

import logging

FORMAT = "%(asctime)s %(levelname)s %(name)s %(message)s"


def setup_logging(level: int = logging.INFO) -> None:
    """Log to stderr at ``level``; a no-op when the process already set logging up."""
    logging.basicConfig(level=level, format=FORMAT)
