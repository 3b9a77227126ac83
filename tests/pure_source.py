"""The pure-Python source of modules that the compiled build runs compiled.

mypyc keeps neither docstrings nor annotations on what it compiles, so tests that read them
(the API surface, the docstring examples) read them from a copy of the module run from its
``.py`` file, which the compiled wheel keeps beside the compiled module. On the pure build every
module is its own source and these helpers return what they are given.
"""

from __future__ import annotations

import importlib
import importlib.util
import sys
from pathlib import Path
from types import ModuleType
from typing import Any

_COPIES: dict[str, ModuleType] = {}


def is_compiled(module: ModuleType) -> bool:
    """Whether ``module`` was imported from a compiled extension, not from a ``.py`` file."""
    path = getattr(module, "__file__", None)
    return path is not None and not str(path).endswith(".py")


def pure_module(module: ModuleType) -> ModuleType:
    """``module`` itself, or for a compiled one a copy run from its ``.py`` source (its own
    imports still resolve to the installed, possibly compiled, modules)."""
    if module.__name__ == "slaclock" or not is_compiled(module):
        return module
    if module.__name__ not in _COPIES:
        path = Path(str(module.__file__)).with_name(module.__name__.split(".")[-1] + ".py")
        alias = f"pure_source_of_{module.__name__.replace('.', '_')}"
        spec = importlib.util.spec_from_file_location(alias, path)
        assert spec is not None and spec.loader is not None, f"no source beside {module}"
        copy = importlib.util.module_from_spec(spec)
        sys.modules[alias] = copy  # dataclasses look their module up while the copy runs
        spec.loader.exec_module(copy)
        _COPIES[module.__name__] = copy
    return _COPIES[module.__name__]


def pure(obj: Any) -> Any:
    """``obj``, or for a class or function of a compiled module the same name in the module's
    pure copy (:func:`pure_module`)."""
    home_name = str(getattr(obj, "__module__", ""))
    home = sys.modules.get(home_name)
    name = getattr(obj, "__name__", None)
    if not home_name.startswith("slaclock.") or home is None or name is None:
        return obj
    if not is_compiled(home):
        return obj
    return getattr(pure_module(home), name)
