"""The cells of an events file's CSV rows (:mod:`slaclock.eventfiles` reads the lines): a row's
cells to event data, the header's checks, and where a row that swallowed the rest began.

>>> event_from_csv(["ticket_id", "at", "kind", "tags"], ["T-1", "2025-03-03T09:00:00Z", "created", "vip;eu"])
{'at': '2025-03-03T09:00:00Z', 'kind': 'created', 'attributes': {'tags': ['vip', 'eu']}}
"""

from __future__ import annotations

import csv
from collections.abc import Iterator, Mapping, Sequence
from typing import Any

__all__ = [
    "EVENT_FIELDS",
    "PUBLIC_WORDS",
    "RememberedLines",
    "event_from_csv",
    "named_twice",
    "short",
    "ticket_cell",
]

#: The columns that are fields of the event; any other column is an attribute.
EVENT_FIELDS = ("at", "kind", "id", "status", "priority", "public", "author")
#: The words a ``public`` cell may hold (any case, spaces around ignored) and what they mean;
#: the columnar path (:func:`slaclock.evaluate_frame`) reads a text ``public`` column alike.
#: They are the words pydantic reads as booleans (so JSON Lines events agree).
PUBLIC_WORDS: Mapping[str, bool] = {
    "true": True, "1": True, "yes": True, "y": True, "on": True, "t": True,
    "false": False, "0": False, "no": False, "n": False, "off": False, "f": False,
}  # fmt: skip


def short(value: Any) -> str:
    """``repr(value)``, cut to 80 characters for an error message.

    >>> short("x" * 100)[-5:]
    'xx...'
    """
    text = repr(value)
    return text if len(text) <= 80 else text[:77] + "..."


def event_from_csv(header: Sequence[str], cells: Sequence[str]) -> dict[str, Any]:
    """The event data of a row's ``cells`` under the ``header`` (empty cells are absent, ``tags``
    is split on ``;``); a ``ValueError`` saying what is wrong with the row."""
    if len(cells) > len(header):
        raise ValueError(
            f"{len(cells)} cells but the header names {len(header)} columns: extra "
            f"{short(cells[len(header) :])} - expected at most one cell per column"
        )
    event: dict[str, Any] = {}
    extra: dict[str, Any] = {}
    for column, (key, value) in enumerate(zip(header, cells), start=1):
        if value == "" or key == "ticket_id":
            continue
        if key == "":
            raise ValueError(
                f"{short(value)} in column {column}, which the header does not name - expected "
                "a name for every column that holds values"
            )
        if key in EVENT_FIELDS:
            if key == "public":
                flag = PUBLIC_WORDS.get(value.strip().lower())
                if flag is None:
                    raise ValueError(f"public: {value!r} - expected true or false")
                event[key] = flag
            else:
                event[key] = value
        else:
            name = key.removeprefix("attributes.")
            # "vip; eu" as a person types it: the tag is "eu", not " eu" (no condition names that)
            tags = [tag.strip() for tag in value.split(";")]
            extra[name] = [tag for tag in tags if tag] if name == "tags" else value
    if extra:
        event["attributes"] = extra
    return event


class RememberedLines:
    """Lines passed on to the csv reader, keeping line number ``keep`` (the first line of the
    row being read: a quoted cell left open swallows the rest, and its row's ticket is there)."""

    def __init__(self, lines: Iterator[str]) -> None:
        self.lines = lines
        self.number = 0
        self.keep = 1
        self.kept = ""

    def __iter__(self) -> RememberedLines:
        return self

    def __next__(self) -> str:
        text = next(self.lines)
        self.number += 1
        if self.number == self.keep:
            self.kept = text
        return text


def ticket_cell(text: str, index: int, header: Sequence[str] | None) -> str | None:
    """The ticket id in the ``index``-th cell of the start of a row (read leniently), or
    ``None`` when the header is not read yet or the row does not get that far."""
    if header is None:
        return None
    try:
        cells = next(csv.reader([text]), [])
    except csv.Error:  # the row's start is malformed too (a lone carriage return): split plainly
        cells = text.split(",")
    return cells[index] or None if index < len(cells) else None


def named_twice(header: Sequence[str]) -> str | None:
    """Why a CSV header is refused for naming a column twice (each row would keep one of the
    two cells silently), or ``None``. ``attributes.group`` and ``group`` name the same column."""
    seen: dict[str, str] = {}
    for name in header:
        same = name.removeprefix("attributes.")
        if name and same in seen:
            spelt = f" ({seen[same]!r} and {name!r})" if seen[same] != name else ""
            return f"the header names column {same!r} twice{spelt} - expected each column once"
        seen[same] = name
    return None
