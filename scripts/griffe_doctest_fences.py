"""A griffe extension for the docs build: show docstring examples as code.

The docstrings hold doctests (``>>>`` lines and their output) in plain text, which Markdown would
read as block quotes and ``[...]`` output as cross-references (``mkdocs build --strict`` fails on
those). This wraps each run of example lines, up to the next blank line, in a ``pycon`` fence.
Registered in ``mkdocs.yml`` under the mkdocstrings python handler's ``extensions``.
"""

from __future__ import annotations

from typing import Any

import griffe


def fence_examples(text: str) -> str:
    """``text`` with every block of ``>>>`` lines (and their output) in a ``pycon`` fence."""
    out: list[str] = []
    lines = text.splitlines()
    i = 0
    while i < len(lines):
        line = lines[i]
        if not line.lstrip().startswith(">>>"):
            out.append(line)
            i += 1
            continue
        indent = line[: len(line) - len(line.lstrip())]
        out.append(f"{indent}```pycon")
        while i < len(lines) and lines[i].strip():
            out.append(lines[i])
            i += 1
        out.append(f"{indent}```")
    return "\n".join(out)


class DoctestFences(griffe.Extension):
    """Fence the examples of every docstring griffe loads."""

    def on_object(self, *, obj: griffe.Object, **kwargs: Any) -> None:
        """Rewrite ``obj``'s docstring (modules, classes, functions, attributes)."""
        if obj.docstring is not None and ">>>" in obj.docstring.value:
            obj.docstring.value = fence_examples(obj.docstring.value)
