"""The one logging setup every process uses (web, worker, clock, CLI).

Production (HOTLINE_MODE unset or "production"): one JSON object a line on stderr, which a host's
log drain can search (``{"time": ..., "level": "INFO", "logger": ..., "message": ...,
"request_id": ...}``). Development: the readable form. Every line carries the request id of the
web request it belongs to (the router's X-Request-Id, or one made here), so a Twilio webhook's
lines can be found together. Numbers never appear in clear: callers of ``log`` pass masked ones
(identity.mask_number), and anything that still looks like a phone number is masked here too.
"""

from __future__ import annotations

import json
import logging
import os
import re
import sys
from datetime import UTC, datetime

from flask import g, has_request_context

READABLE = "%(asctime)s %(levelname)s %(name)s%(request_tag)s %(message)s"


def current_request_id() -> str | None:
    """The id of the web request being served (hotline.request_log sets it), if any."""
    return g.get("request_id") if has_request_context() else None


#: What may be a phone number: a + and 8 to 15 digits, or 10+ digits in a row (spaces, dots and
#: dashes allowed between them). Kept: country code and last two digits, as mask_number does.
PHONE = re.compile(r"\+\d(?:[ .-]?\d){7,14}|\b\d(?:[ .-]?\d){9,14}\b")


def mask_phone_numbers(text: str) -> str:
    def mask(found: re.Match[str]) -> str:
        digits = re.sub(r"\D", "", found.group())
        prefix = "+" + digits[:2] if found.group().startswith("+") else digits[:2]
        return f"{prefix}…{digits[-2:]}"

    return PHONE.sub(mask, text)


class Context(logging.Filter):
    """Adds the request id to every record, and masks phone numbers in its message."""

    def filter(self, record: logging.LogRecord) -> bool:
        current = current_request_id()
        record.request_id = current
        record.request_tag = f" [{current}]" if current else ""
        message = record.getMessage()
        masked = mask_phone_numbers(message)
        if masked != message:
            record.msg, record.args = masked, None
        return True


class JsonFormatter(logging.Formatter):
    """One JSON object a line: time (UTC, ISO 8601), level, logger, message, request id, error."""

    def format(self, record: logging.LogRecord) -> str:
        entry = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        if getattr(record, "request_id", None):
            entry["request_id"] = record.request_id
        if record.exc_info:
            entry["error"] = mask_phone_numbers(self.formatException(record.exc_info))
        return json.dumps(entry, ensure_ascii=False)


def json_wanted(environ=None) -> bool:
    """JSON in production, the readable form in development (HOTLINE_MODE)."""
    env = os.environ if environ is None else environ
    return (env.get("HOTLINE_MODE") or "production").strip() != "development"


def setup_logging(level: int = logging.INFO, *, json_lines: bool | None = None) -> None:
    """Log to stderr at ``level``, as JSON lines in production. Replaces any earlier setup, so
    each process has exactly one handler whoever called first."""
    handler = logging.StreamHandler(sys.stderr)
    handler.addFilter(Context())
    use_json = json_wanted() if json_lines is None else json_lines
    handler.setFormatter(JsonFormatter() if use_json else logging.Formatter(READABLE))
    root = logging.getLogger()
    for old in list(root.handlers):
        if getattr(old, "hotline", False):
            root.removeHandler(old)
    handler.hotline = True  # type: ignore[attr-defined]
    root.addHandler(handler)
    root.setLevel(level)
