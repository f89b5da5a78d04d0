"""A catalog's native review: who reviewed it, when, and which keys changed since.

"Mark reviewed" (the console) never rewrites a catalog: it writes a patch for a person to read
and commit. The patch sets ``status = "reviewed"`` and a ``[meta.review]`` table with the
reviewer, the date, and one short fingerprint per key (a hash of the French source and this
language's text as reviewed): a key whose fingerprint no longer matches changed since review.
"""

from __future__ import annotations

import difflib
import hashlib
import re
import tomllib
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from content.catalog import CATALOGS_DIR, SOURCE_LANGUAGE, Content

REVIEW_TABLE = "meta.review"
_STATUS_LINE = re.compile(r'^status\s*=\s*"[a-z]+"\s*$', re.MULTILINE)
_HEADER = re.compile(r"^\[([^\]]+)\]\s*$")


@dataclass(frozen=True)
class Review:
    reviewer: str | None = None
    date: str | None = None
    fingerprints: dict[str, str] = field(default_factory=dict)


def fingerprint(source: str, text: str) -> str:
    return hashlib.sha256(f"{source}\0{text}".encode()).hexdigest()[:10]


def fingerprints(content: Content, lang: str) -> dict[str, str]:
    """Each key's fingerprint now (French source and the language's own text)."""
    source = content.catalogs[SOURCE_LANGUAGE].texts
    texts = content.catalogs[lang].texts
    return {key: fingerprint(source[key], texts.get(key, "")) for key in sorted(source)}


def read_review(path: Path) -> Review:
    meta = tomllib.loads(path.read_text(encoding="utf-8")).get("meta", {})
    review = meta.get("review", {})
    return Review(review.get("reviewer"), review.get("date"), dict(review.get("fingerprints", {})))


def changed_since_review(content: Content, lang: str, review: Review) -> list[str]:
    """Keys whose French source or translation changed since the review (all, if never)."""
    now = fingerprints(content, lang)
    return [key for key, value in now.items() if review.fingerprints.get(key) != value]


def _without_review_table(lines: list[str]) -> list[str]:
    """The catalog's lines without its [meta.review] tables (a new review replaces the old)."""
    kept, skipping = [], False
    for line in lines:
        header = _HEADER.match(line.strip())
        if header:
            skipping = header.group(1) == REVIEW_TABLE or header.group(1).startswith(
                REVIEW_TABLE + "."
            )
        if not skipping:
            kept.append(line)
    while kept and not kept[-1].strip():
        kept.pop()
    return kept


def _quote(text: str) -> str:
    if any(ord(c) < 32 for c in text):
        raise ValueError("no control characters in a catalog value")
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def reviewed_text(current: str, reviewer: str, day: date, prints: dict[str, str]) -> str:
    """The catalog's text once reviewed: status, reviewer, date and fingerprints set."""
    text, count = _STATUS_LINE.subn('status = "reviewed"', current, count=1)
    if count != 1:
        raise ValueError("the catalog's [meta] has no status line")
    lines = _without_review_table(text.splitlines())
    lines += [
        "",
        f"[{REVIEW_TABLE}]",
        '# Written by the console\'s "mark reviewed": who reviewed, when, and a fingerprint of',
        "# each key as reviewed (French source and this text); a key that differs changed since.",
        f"reviewer = {_quote(reviewer)}",
        f'date = "{day.isoformat()}"',
        "",
        f"[{REVIEW_TABLE}.fingerprints]",
        *(f"{_quote(key)} = {_quote(value)}" for key, value in prints.items()),
    ]
    return "\n".join(lines) + "\n"


def review_patch(
    content: Content,
    lang: str,
    reviewer: str,
    day: date,
    catalogs_dir: Path = CATALOGS_DIR,
    repo_path: str = "content/catalogs",
) -> str:
    """A unified diff (``git apply`` reads it) that marks ``lang``'s catalog reviewed."""
    path = catalogs_dir / f"{lang}.toml"
    current = path.read_text(encoding="utf-8")
    updated = reviewed_text(current, reviewer, day, fingerprints(content, lang))
    tomllib.loads(updated)  # never propose a catalog that does not parse
    name = f"{repo_path}/{lang}.toml"
    return "".join(
        difflib.unified_diff(
            current.splitlines(keepends=True),
            updated.splitlines(keepends=True),
            fromfile=f"a/{name}",
            tofile=f"b/{name}",
        )
    )
