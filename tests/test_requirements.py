"""requirements.txt and .python-version: what a Procfile host's buildpack installs, kept true to
pyproject.toml and the lock (docs/deploy.md)."""

from __future__ import annotations

import tomllib

from packaging.requirements import Requirement

from devtools import requirements as req


def test_requirements_txt_is_generated_from_pyproject_and_the_lock():
    expected = req.render(req.PYPROJECT.read_text("utf-8"), req.LOCK.read_text("utf-8"))
    assert req.REQUIREMENTS.read_text("utf-8") == expected, (
        "requirements.txt drifted: run .venv/bin/python -m devtools.requirements > requirements.txt"
    )


def test_every_runtime_dependency_is_pinned_within_its_range_and_no_dev_tool_is():
    pyproject = tomllib.loads(req.PYPROJECT.read_text("utf-8"))
    pins = req.lock_pins(req.REQUIREMENTS.read_text("utf-8"))
    for spec in pyproject["project"]["dependencies"]:
        wanted = Requirement(spec)
        name, version = pins[req.canonical(wanted.name)]
        assert wanted.specifier.contains(version), f"{name}=={version} is outside {spec}"
    for spec in pyproject["project"]["optional-dependencies"]["dev"]:
        assert req.canonical(Requirement(spec).name) not in pins, f"{spec} is a development tool"


def test_the_pins_are_the_locks():
    lock = req.lock_pins(req.LOCK.read_text("utf-8"))
    for name, pin in req.lock_pins(req.REQUIREMENTS.read_text("utf-8")).items():
        assert lock[name] == pin


def test_python_version_is_the_lowest_pyproject_allows():
    version = req.PYTHON_VERSION.read_text("utf-8").strip()
    assert version == req.python_version(req.PYPROJECT.read_text("utf-8"))


def test_exactly_one_file_the_buildpack_reads_as_a_lock():
    # Heroku's and Scalingo's Python buildpacks fail when two of these exist (FACTS.md).
    # requirements.lock is not one of them: it is the developers' lock, which make installs.
    present = [
        name
        for name in ("requirements.txt", "Pipfile.lock", "poetry.lock", "uv.lock")
        if (req.ROOT / name).exists()
    ]
    assert present == ["requirements.txt"]
