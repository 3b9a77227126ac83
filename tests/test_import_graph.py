"""The layout stays readable: imports flow one way, no module reaches for another's private
names, and no module grows past what a reader can hold (~600 lines).

Read from the source with ``ast`` (imports inside functions and ``TYPE_CHECKING`` blocks count),
so a lazy import cannot hide a cycle.
"""

from __future__ import annotations

import ast
from graphlib import CycleError, TopologicalSorter
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parents[1] / "src" / "slaclock"
MODULES = sorted(SRC.glob("*.py"))
MAX_LINES = 600
#: Modules allowed over MAX_LINES for now, with the reason (empty: none).
TOO_LONG_FOR_NOW: dict[str, str] = {}
#: The core computes; it never imports the layers built on it (reports, files, the command line,
#: the test toolkit, plots) nor optional extras. STYLE.md: "nothing in the core imports cli,
#: testing or optional extras".
CORE = {
    "adjustments",
    "build_info",
    "bulk",
    "_clock_state",
    "_model",
    "_open_table",
    "_opening_hours",
    "_tz",
    "calendar",
    "compiled_calendar",
    "conventions",
    "cycle_targets",
    "durations",
    "engine",
    "errors",
    "full_history",
    "holidays",
    "measure",
    "metric_policy",
    "metrics",
    "policy",
    "progress",
    "replay",
    "results",
    "rules",
    "streaming",
    "targets",
    "ticket_results",
    "timeline",
}
OUTER = {
    "_csv_cells",
    "_frame_input",
    "_lines",
    "_plain_timeline",
    "_shipping",
    "alerts",
    "analytics",
    "bands",
    "batch",
    "checks",
    "cli",
    "dask",
    "details",
    "eventfiles",
    "files",
    "frame",
    "ics",
    "html_report",
    "intervals",
    "percentiles",
    "plots",
    "pytest_plugin",
    "records",
    "reports",
    "satisfaction",
    "spark",
    "servicelevel",
    "surveys",
    "sweeps",
    "synthetic",
    "tablefiles",
    "tables",
    "testing",
    "variants",
    "whatif",
    "writers",
}
#: Core modules that may import an optional extra, inside the function that needs it (bulk
#: calendar arithmetic is numpy's by nature; without numpy only those functions fail).
LAZY_EXTRAS_IN_CORE: dict[str, set[str]] = {
    # bulk converts results back to pandas only when the input was a pandas column.
    "bulk": {"numpy", "pandas"},
}
#: Third-party packages the core may import (the runtime dependencies and the standard library).
RUNTIME = {"pydantic", "pydantic_core", "dateutil", "holidays", "tzdata"}
OPTIONAL = {
    "dask",
    "distributed",
    "numpy",
    "pyspark",
    "icalendar",
    "recurring_ical_events",
    "yaml",
    "pandas",
    "polars",
    "pyarrow",
    "matplotlib",
    "tqdm",
    "pytest",
    "hypothesis",
}


def _name(path: Path) -> str:
    return path.stem if path.stem != "__init__" else "slaclock"


def _imports(path: Path) -> list[tuple[int, str, list[str]]]:
    """(line, imported module, names imported from it) for every import in the file."""
    found: list[tuple[int, str, list[str]]] = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.append((node.lineno, node.module, [a.name for a in node.names]))
        elif isinstance(node, ast.Import):
            found.extend((node.lineno, a.name, []) for a in node.names)
    return found


def _slaclock_deps(path: Path) -> set[str]:
    deps = set()
    for _, module, names in _imports(path):
        if module == "slaclock":
            # `from slaclock import x` may import the package or a submodule.
            deps.update(n for n in names if (SRC / f"{n}.py").exists())
            if not all((SRC / f"{n}.py").exists() for n in names):
                deps.add("slaclock")
        elif module.startswith("slaclock."):
            deps.add(module.split(".")[1])
    deps.discard(_name(path))
    return deps


def test_the_lists_cover_every_module() -> None:
    """Every module is placed in the core or the outer layer (a new one must be placed)."""
    names = {_name(p) for p in MODULES} - {"slaclock", "__main__"}
    assert set() == names - CORE - OUTER
    assert set() == (CORE | OUTER) - names


def test_imports_flow_one_way() -> None:
    """The module import graph has no cycle (the package's __init__ and __main__ aside: they
    only gather names and start the CLI)."""
    graph = {
        _name(p): _slaclock_deps(p) - {"slaclock"}
        for p in MODULES
        if _name(p) not in ("slaclock", "__main__")
    }
    try:
        order = list(TopologicalSorter(graph).static_order())
    except CycleError as exc:  # pragma: no cover - the failure message
        pytest.fail(f"import cycle: {' -> '.join(exc.args[1])}")
    assert set(graph) <= set(order)


@pytest.mark.parametrize("path", [p for p in MODULES if p.stem in CORE], ids=lambda p: p.stem)
def test_core_imports_no_outer_layer_and_no_extra(path: Path) -> None:
    """A core module imports only core modules, the standard library and runtime deps."""
    outer = {d for d in _slaclock_deps(path) if d in OUTER or d == "slaclock"}
    assert set() == outer
    extras = {m.split(".")[0] for _, m, _ in _imports(path)} & OPTIONAL
    assert set() == extras - LAZY_EXTRAS_IN_CORE.get(path.stem, set())


@pytest.mark.parametrize("path", MODULES, ids=lambda p: p.stem)
def test_no_private_name_is_imported_across_modules(path: Path) -> None:
    """`from slaclock.x import _name` is refused: a shared helper gets a public name. (Public
    names of private modules, like slaclock._tz.to_micros, are fine.)"""
    private = [
        f"line {line}: from {module} import {name}"
        for line, module, names in _imports(path)
        if module.startswith("slaclock")
        for name in names
        if name.startswith("_") and not name.startswith("__")
    ]
    assert [] == private


@pytest.mark.parametrize("path", MODULES, ids=lambda p: p.stem)
def test_no_private_attribute_of_another_module(path: Path) -> None:
    """`import slaclock.x as m` then `m._name` is the same reach by another road."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    aliases = {
        alias.asname or alias.name
        for node in ast.walk(tree)
        if isinstance(node, ast.Import)
        for alias in node.names
        if alias.name.startswith("slaclock")
    } | {
        alias.asname or alias.name
        for node in ast.walk(tree)
        if isinstance(node, ast.ImportFrom) and node.module == "slaclock"
        for alias in node.names
        if (SRC / f"{alias.name}.py").exists()
    }
    reads = [
        f"line {node.lineno}: {ast.unparse(node)}"
        for node in ast.walk(tree)
        if isinstance(node, ast.Attribute)
        and node.attr.startswith("_")
        and not node.attr.startswith("__")
        and ast.unparse(node.value) in aliases
    ]
    assert [] == reads


@pytest.mark.parametrize("path", MODULES, ids=lambda p: p.stem)
def test_no_module_over_600_lines(path: Path) -> None:
    """Each module stays under ~600 lines (split by idea when it grows)."""
    lines = len(path.read_text(encoding="utf-8").splitlines())
    if path.stem in TOO_LONG_FOR_NOW:
        pytest.xfail(TOO_LONG_FOR_NOW[path.stem])
    assert lines <= MAX_LINES, f"{path.name}: {lines} lines"


@pytest.mark.parametrize(
    "path",
    sorted(SRC.glob("*/*.py")),
    ids=lambda p: f"{p.parent.name}.{p.stem}",
)
def test_no_subpackage_module_over_600_lines(path: Path) -> None:
    """The same bound holds in the subpackages (commands, importers)."""
    lines = len(path.read_text(encoding="utf-8").splitlines())
    assert lines <= MAX_LINES, f"{path.parent.name}/{path.name}: {lines} lines"
