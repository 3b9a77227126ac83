"""The public surface: every name a public module exports exists, is documented with an
example, and no public signature exposes a private type.

Public modules are those under src/slaclock whose name does not start with ``_``; their public
names are their ``__all__``. Classes and functions need a docstring of their own with a ``>>>``
example (the doctests run them); constants and type aliases need a ``#:`` comment above them
(what the API reference shows).

On the compiled build (docs/how-to/compiled-build.md) the docstrings and annotations of compiled
modules are read from their pure-Python source, which mypyc's compiled code does not keep
(tests/pure_source.py); existence is checked on the modules as imported.
"""

from __future__ import annotations

import importlib
import inspect
import re
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

import slaclock
from tests.pure_source import pure, pure_module

SRC = Path(slaclock.__file__).parent
PUBLIC_MODULES = ["slaclock"] + [
    f"slaclock.{p.stem}" for p in sorted(SRC.glob("*.py")) if not p.stem.startswith("_")
]
#: Modules whose examples are still being written by another branch, and why (emptied when it
#: lands; the other checks apply to them already).
EXAMPLES_PENDING: dict[str, str] = {}
# A private name in an annotation: `_Lines`, `slaclock._clock._Table` (not dunders).
_PRIVATE = re.compile(r"(?<![\w])_[A-Za-z]\w*|\._[A-Za-z]\w*")


def _module(name: str) -> ModuleType:
    if name == "slaclock.plots":
        pytest.importorskip("matplotlib")
    return importlib.import_module(name)


def _is_code(obj: Any) -> bool:
    """A class or something called like a function (functions, cached functions, fixtures)."""
    return inspect.isclass(obj) or inspect.isroutine(obj) or hasattr(obj, "__wrapped__")


def _own_doc(obj: Any) -> str:
    if inspect.isclass(obj):
        return str(vars(obj).get("__doc__") or "")
    return str(getattr(obj, "__doc__", None) or "")


def _documented_data(name: str) -> bool:
    """A `#:` comment on the line right above `name = ...` / `name: T = ...` (or an unpacking
    such as `A, name, B = ...`) in the module that defines it (re-exports point there)."""
    word = re.escape(name)
    defines = re.compile(rf"{word}\s*[:=]|(?:\w+\s*,\s*)*{word}\s*(?:,\s*\w+\s*)*=")
    for path in sorted(SRC.glob("*.py")):
        lines = path.read_text(encoding="utf-8").splitlines()
        for i, line in enumerate(lines):
            if defines.match(line):
                return i > 0 and lines[i - 1].lstrip().startswith("#:")
    return False


def _public_names() -> list[Any]:
    """One pytest param per (module, name in its __all__); a module whose optional extra is
    missing (plots without matplotlib) is read from its source."""
    params = []
    for module_name in PUBLIC_MODULES:
        try:
            names = getattr(importlib.import_module(module_name), "__all__", ())
        except ImportError:
            text = (SRC / f"{module_name.split('.')[-1]}.py").read_text(encoding="utf-8")
            found = re.search(r"__all__ = \[(.*?)\]", text, re.S)
            names = re.findall(r'"(\w+)"', found.group(1)) if found else []
        params.extend(pytest.param(module_name, n, id=f"{module_name}.{n}") for n in names)
    return params


@pytest.mark.parametrize("module_name", PUBLIC_MODULES)
def test_public_module_declares_all_and_an_example(module_name: str) -> None:
    """Each public module has `__all__` and a module docstring with an example."""
    module = _module(module_name)
    assert isinstance(getattr(module, "__all__", None), list), f"{module_name}: no __all__"
    module = pure_module(module)
    if ">>>" not in (module.__doc__ or "") and module_name in EXAMPLES_PENDING:
        pytest.xfail(EXAMPLES_PENDING[module_name])
    assert ">>>" in (module.__doc__ or ""), f"{module_name}: module docstring has no example"


@pytest.mark.parametrize(("module_name", "name"), _public_names())
def test_public_name_exists_and_is_documented(module_name: str, name: str) -> None:
    """The name exists; a class or function has its own docstring with a `>>>` example; a
    constant or type alias has a `#:` comment."""
    module = _module(module_name)
    assert hasattr(module, name), f"{module_name}.__all__ names {name!r}, which does not exist"
    obj = pure(getattr(module, name))
    if name == "__version__":
        return
    if _is_code(obj):
        documented = ">>>" in _own_doc(obj)
        problem = f"{module_name}.{name}: no example in its docstring"
    else:
        documented = _documented_data(name)
        problem = f"{module_name}.{name}: no `#:` comment above it"
    if not documented and module_name in EXAMPLES_PENDING:
        pytest.xfail(f"{problem} ({EXAMPLES_PENDING[module_name]})")
    assert documented, problem


def _signatures(obj: Any, prefix: str) -> list[tuple[str, str]]:
    """(where, annotation text) for the public callables of a function or class."""
    found: list[tuple[str, str]] = []
    functions: list[tuple[str, Any]] = []
    if inspect.isclass(obj):
        for attr, value in vars(obj).items():
            if attr.startswith("_") and attr != "__init__":
                continue
            value = value.fget if isinstance(value, property) else value
            value = getattr(value, "__func__", value)
            if inspect.isfunction(value):
                functions.append((f"{prefix}.{attr}", value))
        for field, annotation in vars(obj).get("__annotations__", {}).items():
            if not field.startswith("_"):
                found.append((f"{prefix}.{field}", str(annotation)))
    elif inspect.isfunction(inspect.unwrap(obj)):
        functions.append((prefix, inspect.unwrap(obj)))
    for where, function in functions:
        for parameter, annotation in function.__annotations__.items():
            found.append((f"{where}({parameter})", str(annotation)))
    return found


@pytest.mark.parametrize(("module_name", "name"), _public_names())
def test_no_public_signature_exposes_a_private_type(module_name: str, name: str) -> None:
    """Parameters, return values and fields of public names use public types only."""
    obj = pure(getattr(_module(module_name), name))
    exposed = [
        f"{where}: {annotation}"
        for where, annotation in _signatures(obj, f"{module_name}.{name}")
        if _PRIVATE.search(annotation)
    ]
    assert [] == exposed


def test_pending_modules_exist() -> None:
    """The list of modules whose examples are pending names real public modules only."""
    assert set() == set(EXAMPLES_PENDING) - set(PUBLIC_MODULES)


def test_package_all_matches_the_modules() -> None:
    """Every name in `slaclock.__all__` is the object its home module exports."""
    for name in slaclock.__all__:
        obj = getattr(slaclock, name)
        home = getattr(obj, "__module__", None)
        if name == "__version__" or home is None or not home.startswith("slaclock."):
            continue
        module = importlib.import_module(home)
        assert name in getattr(module, "__all__", ()), f"{name}: not in {home}.__all__"
