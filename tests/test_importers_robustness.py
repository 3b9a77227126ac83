"""Any JSON handed to an importer gives timelines or a clear error (ExportFormatError or a
pydantic ValidationError, both ValueErrors), never a raw traceback from deep inside."""

from __future__ import annotations

import contextlib
import json
import warnings
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from slaclock.importers import SOURCES

FIXTURES = Path(__file__).parent / "fixtures" / "importers"

json_values = st.recursive(
    st.none() | st.booleans() | st.integers(-5, 5) | st.text(max_size=4),
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=6), inner, max_size=3)
    ),
    max_leaves=12,
)


def _mutations(value: Any) -> st.SearchStrategy[Any]:
    """The fixture with one value somewhere replaced by arbitrary JSON."""
    paths: list[tuple[Any, ...]] = []

    def walk(node: Any, path: tuple[Any, ...]) -> None:
        paths.append(path)
        if isinstance(node, dict):
            for key, child in node.items():
                walk(child, (*path, key))
        elif isinstance(node, list):
            for index, child in enumerate(node):
                walk(child, (*path, index))

    walk(value, ())

    def replace(path: tuple[Any, ...], new: Any) -> Any:
        copy = json.loads(json.dumps(value))
        if not path:
            return new
        node = copy
        for part in path[:-1]:
            node = node[part]
        node[path[-1]] = new
        return copy

    return st.builds(replace, st.sampled_from(paths), json_values)


@pytest.mark.parametrize("source", sorted(SOURCES))
def test_mutated_exports_fail_clearly(source: str) -> None:
    """One value of the fixture replaced by arbitrary JSON: a result or a ValueError."""
    fixture = json.loads((FIXTURES / f"{source}.json").read_text(encoding="utf-8"))

    @settings(max_examples=150, deadline=None)
    @given(_mutations(fixture))
    def check(export: Any) -> None:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            with contextlib.suppress(ValueError):
                SOURCES[source].to_timelines(export)

    check()
