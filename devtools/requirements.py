"""requirements.txt for a Procfile host: the runtime dependencies only, pinned from the lock.

pyproject.toml names what the hotline needs (``dependencies``) and what developers need on top
(the ``dev`` extra); requirements.lock pins everything a developer installs. A host's Python
buildpack installs requirements.txt and nothing else (it refuses a second lock: Pipfile.lock,
poetry.lock, uv.lock), so requirements.txt is the closure of ``dependencies`` alone, each at the
version the lock pins: no test runner, linter or browser driver on a production machine.

The closure is read from the installed packages' own metadata (``.venv``, installed from the
lock), so it follows each library's real requirements and their environment markers.

    .venv/bin/python -m devtools.requirements > requirements.txt   (tests/test_requirements.py
    fails when the file and pyproject.toml or the lock drift apart)
"""

from __future__ import annotations

import re
import sys
import tomllib
from importlib import metadata
from pathlib import Path

from packaging.requirements import Requirement

ROOT = Path(__file__).resolve().parent.parent
PYPROJECT = ROOT / "pyproject.toml"
LOCK = ROOT / "requirements.lock"
REQUIREMENTS = ROOT / "requirements.txt"
PYTHON_VERSION = ROOT / ".python-version"

HEADER = """\
# The hotline's runtime dependencies, pinned: what a Procfile host installs (no development tools).
# Generated from pyproject.toml and requirements.lock; do not edit. Regenerate with:
#   .venv/bin/python -m devtools.requirements > requirements.txt
"""


def canonical(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def lock_pins(text: str) -> dict[str, tuple[str, str]]:
    """Canonical name -> (name as written, version) for every ``name==version`` line."""
    pins = {}
    for line in text.splitlines():
        line = line.split("#", 1)[0].strip()
        if "==" in line:
            name, version = (part.strip() for part in line.split("==", 1))
            pins[canonical(name)] = (name, version)
    return pins


def runtime_requirements(pyproject: dict) -> list[Requirement]:
    return [Requirement(spec) for spec in pyproject["project"]["dependencies"]]


def closure(roots: list[Requirement]) -> set[str]:
    """Every distribution the roots need at run time on this Python (canonical names)."""
    seen: set[str] = set()
    todo = [r for r in roots if r.marker is None or r.marker.evaluate()]
    while todo:
        requirement = todo.pop()
        name = canonical(requirement.name)
        if name in seen:
            continue
        seen.add(name)
        for spec in metadata.requires(requirement.name) or []:
            child = Requirement(spec)
            # Only what applies here and needs no extra (an extra is an opt-in feature).
            if child.marker is None or child.marker.evaluate({"extra": ""}):
                todo.append(child)
    return seen


def render(pyproject_text: str, lock_text: str) -> str:
    pyproject = tomllib.loads(pyproject_text)
    pins = lock_pins(lock_text)
    names = closure(runtime_requirements(pyproject))
    missing = sorted(names - pins.keys())
    if missing:
        raise SystemExit(f"requirements.lock pins no version of: {', '.join(missing)}")
    lines = [f"{pins[n][0]}=={pins[n][1]}" for n in sorted(names)]
    return HEADER + "\n".join(lines) + "\n"


def python_version(pyproject_text: str) -> str:
    """The minor version .python-version names: the lowest that requires-python allows."""
    requires = tomllib.loads(pyproject_text)["project"]["requires-python"]
    found = re.fullmatch(r">=\s*(3\.\d+)", requires.strip())
    if not found:
        raise SystemExit(f"requires-python must read '>=3.N', not {requires!r}")
    return found.group(1)


def main() -> None:
    sys.stdout.write(render(PYPROJECT.read_text("utf-8"), LOCK.read_text("utf-8")))


if __name__ == "__main__":
    main()
