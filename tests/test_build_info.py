"""The two builds: which one runs, which modules the compiled build compiles, and the docstring
examples of compiled modules, which run against the compiled code on the compiled build.

``SLACLOCK_EXPECT_BUILD=compiled`` (set by scripts/test-compiled.sh) says the suite is meant to
run against the compiled wheel; unset, against the pure-Python sources.
"""

from __future__ import annotations

import doctest
import importlib
import os
import sys
from pathlib import Path

import pydantic
import pytest

import slaclock
from slaclock.build_info import compiled_modules
from tests.pure_source import pure_module

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

ROOT = Path(__file__).resolve().parents[1]
EXPECT_COMPILED = os.environ.get("SLACLOCK_EXPECT_BUILD") == "compiled"


def _hook_modules() -> tuple[str, ...]:
    """The modules pyproject.toml's mypyc build hook compiles (the one list of them)."""
    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    hook = config["tool"]["hatch"]["build"]["targets"]["wheel"]["hooks"]["mypyc"]
    return tuple(sorted("slaclock." + Path(p).stem for p in hook["include"]))


def test_the_build_is_the_one_expected() -> None:
    """The pure run imports no compiled module; the compiled run imports the installed wheel,
    not src/, with exactly the modules the build hook lists compiled."""
    if EXPECT_COMPILED:
        assert _hook_modules() == compiled_modules()
        assert ROOT / "src" not in Path(slaclock.__file__).parents
    else:
        assert () == compiled_modules()


def test_the_hook_is_opt_in_and_compiles_no_pydantic_model() -> None:
    """The hook is off by default, and its modules exist and define no pydantic model (mypyc
    cannot compile those properly)."""
    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    hook = config["tool"]["hatch"]["build"]["targets"]["wheel"]["hooks"]["mypyc"]
    assert hook["enable-by-default"] is False
    for name in _hook_modules():
        module = pure_module(importlib.import_module(name))
        models = [
            value.__name__
            for value in vars(module).values()
            if isinstance(value, type)
            and issubclass(value, pydantic.BaseModel)
            and value.__module__ == module.__name__
        ]
        assert [] == models, name


@pytest.mark.parametrize("name", _hook_modules())
def test_docstring_examples_of_compiled_modules_run(name: str) -> None:
    """Each module the hook compiles has docstring examples, and they pass: on the pure build
    pytest's doctest run checks them too; on the compiled build (where mypyc keeps no docstrings
    and pytest would find none) they are read from the source and run against the compiled
    module."""
    module = importlib.import_module(name)
    source = pure_module(module)
    tests = [t for t in doctest.DocTestFinder().find(source, name) if t.examples]
    assert tests, f"{name}: no docstring examples"
    runner = doctest.DocTestRunner(optionflags=doctest.ELLIPSIS)
    for test in tests:
        test.globs = dict(vars(module))  # the names as the (compiled) module defines them
        runner.run(test)
    assert 0 == runner.summarize(verbose=False).failed


def test_a_wrongly_typed_argument_to_evaluate_is_the_same_error_in_both_builds() -> None:
    """evaluate checks its arguments in pure Python (engine.py is never compiled), so
    `explain=1` is the same ArgumentError naming the argument on both builds, not a bare
    TypeError from compiled code."""
    from slaclock import ArgumentError, Policy, evaluate

    policy = Policy(name="p", metrics={"resolution": {"targets": {"normal": "8h"}}})
    ticket = {"ticket_id": "T", "events": [{"at": "2025-01-01T09:00:00Z", "kind": "created"}]}
    assert "slaclock.engine" not in compiled_modules()
    with pytest.raises(ArgumentError, match=r"explain: 1 - expected True or False"):
        evaluate(policy, ticket, explain=1)  # type: ignore[arg-type]
