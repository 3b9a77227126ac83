"""Which build of slaclock is running: the pure-Python one (the default install) or the opt-in
compiled build, whose engine hot path is compiled with mypyc (see the how-to "The compiled
build"). Both give identical results; the compiled one is faster.

>>> compiled_modules() == () or all(m.startswith("slaclock.") for m in compiled_modules())
True
"""

from __future__ import annotations

import pkgutil
from importlib.machinery import EXTENSION_SUFFIXES
from importlib.util import find_spec

__all__ = ["compiled_modules"]


def compiled_modules() -> tuple[str, ...]:
    """The slaclock modules that import as compiled extension modules, sorted: empty on the
    pure-Python build. Python imports a compiled module in preference to the ``.py`` file
    beside it, so these are the modules that run compiled.

    >>> build = "compiled" if compiled_modules() else "pure Python"
    >>> build in ("compiled", "pure Python")
    True
    """
    package = find_spec("slaclock")
    if package is None or package.submodule_search_locations is None:
        return ()
    found = set()
    for module in pkgutil.iter_modules(package.submodule_search_locations, "slaclock."):
        spec = find_spec(module.name)
        if spec is not None and str(spec.origin).endswith(tuple(EXTENSION_SUFFIXES)):
            found.add(module.name)
    return tuple(sorted(found))
