"""The layers, as the folders show them: no import cycle between modules or between packages, and
no package imports a layer above its own, not even lazily inside a function.

Written with the standard library's ``ast`` (every ``import`` statement anywhere in a file,
including inside functions and ``TYPE_CHECKING`` blocks): the rule is simple enough that a
dependency (import-linter, grimp) would add more configuration than it saves.
"""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

#: Bottom to top. A package may import its own layer's modules and those of the layers below;
#: packages sharing a layer (the two channels) may not import each other.
LAYERS: tuple[tuple[str, ...], ...] = (
    ("hotline",),  # core: settings, keys, identity, clock, Twilio request check, language choice
    ("content",),  # catalogs, languages, prefecture profiles
    ("reminders",),  # registrations and the schedule; they send through a seam
    ("ivr", "sms"),  # the channels: they register reminders
    ("audio",),  # prompt audio, built from what the voice line can say
    ("simulator",),  # development only: the browser simulator's views
    ("workers",),  # every RQ job, and the clock's loop
    ("operations",),  # /healthz, failed jobs, the Twilio number, the release step
    ("wiring",),  # the composition roots, one per process
    ("app",),  # gunicorn's and flask's entry point: wiring.web's app
    ("devtools",),  # make run, the embedded Redis, the local Twilio
    ("bench",),  # benchmarks: start what the Procfile starts
)
LEVEL = {package: level for level, packages in enumerate(LAYERS) for package in packages}


def our_modules() -> dict[str, Path]:
    modules = {}
    for package in LEVEL:
        folder = ROOT / package
        files = folder.rglob("*.py") if folder.is_dir() else [ROOT / f"{package}.py"]
        for path in files:
            parts = path.relative_to(ROOT).with_suffix("").parts
            name = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
            modules[name] = path
    return modules


def imports_of(name: str, path: Path, modules: dict[str, Path]) -> set[str]:
    """Our modules that ``name`` imports, wherever the import statement is."""
    is_package = path.name == "__init__.py"
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        targets: list[str] = []
        if isinstance(node, ast.Import):
            targets = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:  # relative: resolve against this module's package
                anchor = name.split(".")[: len(name.split(".")) - node.level + is_package]
                base = ".".join([*anchor, base] if base else anchor)
            targets = [base, *(f"{base}.{alias.name}" for alias in node.names)]
        for target in targets:
            # `import a.b.c` also runs a and a.b; keep the deepest of ours.
            while target and target not in modules:
                target = target.rpartition(".")[0]
            if target and target != name:
                found.add(target)
    return found


def graph() -> dict[str, set[str]]:
    modules = our_modules()
    return {name: imports_of(name, path, modules) for name, path in modules.items()}


def cycles(edges: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components of more than one node (Tarjan), each sorted."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for other in edges.get(node, ()):
            if other not in index:
                visit(other)
                low[node] = min(low[node], low[other])
            elif other in on_stack:
                low[node] = min(low[node], index[other])
        if low[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.append(member)
                if member == node:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for node in sorted(edges):
        if node not in index:
            visit(node)
    return found


def package_edges(edges: dict[str, set[str]]) -> dict[str, set[str]]:
    packages: dict[str, set[str]] = {}
    for module, targets in edges.items():
        top = module.split(".")[0]
        packages.setdefault(top, set()).update(
            t.split(".")[0] for t in targets if t.split(".")[0] != top
        )
    return packages


def test_no_import_cycle_between_modules():
    assert cycles(graph()) == []


def test_no_import_cycle_between_packages():
    assert cycles(package_edges(graph())) == []


def test_no_package_imports_a_layer_above_its_own_or_a_sibling():
    wrong = sorted(
        f"{module} imports {target}"
        for module, targets in graph().items()
        for target in targets
        if module.split(".")[0] != target.split(".")[0]
        and LEVEL[target.split(".")[0]] >= LEVEL[module.split(".")[0]]
    )
    assert wrong == []


def test_every_package_is_placed_in_a_layer():
    ours = {p.name for p in ROOT.iterdir() if (p / "__init__.py").is_file()} - {"tests"}
    assert ours <= set(LEVEL)


def test_the_checks_see_cycles_and_lazy_imports(tmp_path):
    """The checker itself: a cycle made through an import inside a function is found."""
    (tmp_path / "a.py").write_text("import b\n")
    (tmp_path / "b.py").write_text("def f():\n    from a import x\n")
    modules = {"a": tmp_path / "a.py", "b": tmp_path / "b.py"}
    edges = {name: imports_of(name, path, modules) for name, path in modules.items()}
    assert cycles(edges) == [["a", "b"]]
