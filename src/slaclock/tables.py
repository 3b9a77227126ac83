"""Report tables: rows (dicts) in a column order, rendered as aligned plain text.

Every report (attainment, durations, what-if, service level) returns a :class:`Table` or renders
through one, so they all look alike: numbers right-aligned, ``None`` as ``-``, shares as
percentages (:class:`Percent`, one decimal), scores such as NPS as whole numbers
(:class:`Score`) and durations as ``1h30m`` rounded to the second
(:func:`~slaclock.durations.display_duration`; the rows keep the exact values).

>>> from datetime import timedelta
>>> print(Table(("queue", "tickets", "share", "wait"),
...             [{"queue": "billing", "tickets": 3, "share": Percent(0.5), "wait": timedelta(minutes=90)},
...              {"queue": "tech", "tickets": 12, "share": None, "wait": timedelta(microseconds=400_000)}]).to_table())
queue    tickets  share   wait
billing        3  50.0%  1h30m
tech          12      -     0s
"""

from __future__ import annotations

import importlib
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from slaclock.durations import display_duration

__all__ = ["Percent", "Score", "Table", "group_sort_key", "printable"]


class Percent(float):
    """A share in [0, 1] that a :class:`Table` shows as a percentage (one decimal).

    It is a ``float`` in every other respect:

    >>> share = Percent(2 / 3)
    >>> print(Table(("share",), [{"share": share}]).to_table())
    share
    66.7%
    >>> share * 3
    2.0
    """


class Score(float):
    """A score that a :class:`Table` (and the HTML page) shows as a whole number, such as the
    Net Promoter Score (-100 to 100, conventionally quoted without decimals).

    Halves round away from zero, as a spreadsheet's ``ROUND`` does (``round()`` would send
    12.5 to 12 and -12.5 to -12); a score that rounds to zero shows as ``0``, never ``-0``. It is
    a ``float`` in every other respect, so the exact value stays in the data:

    >>> print(Table(("nps",), [{"nps": Score(-100)}, {"nps": Score(100 / 3)}, {"nps": Score(12.5)}]))
     nps
    -100
      33
      13
    >>> Score(100 / 3) * 3
    100.0
    """

    def display(self) -> str:
        """The whole number as text: ``Score(-12.5).display()`` is ``'-13'``."""
        whole = Decimal(float(self)).quantize(Decimal(1), rounding=ROUND_HALF_UP)
        return str(abs(whole) if whole == 0 else whole)


def printable(text: str) -> str:
    """``text`` with every character that is not printable (control characters such as a
    newline or an escape, bidirectional overrides) written as its escape: a value from an input
    file, shown in a plain-text table on a terminal, can neither break the table's lines nor send
    the terminal commands.

    >>> printable("T-1"), printable("T\\x1b[2J\\nFAKE"), printable("caf\\u00e9 \\u202egnp.exe")
    ('T-1', 'T\\\\x1b[2J\\\\nFAKE', 'café \\\\u202egnp.exe')
    """
    if text.isprintable():
        return text
    return "".join(c if c.isprintable() else c.encode("unicode_escape").decode() for c in text)


def group_sort_key(key: Sequence[Any]) -> tuple[tuple[bool, str], ...]:
    """The order of report groups: by each value's text, with ``None`` (no value) last, so
    groups of mixed types sort without error.

    >>> sorted([("b",), (None,), ("a",), (3,)], key=group_sort_key)
    [(3,), ('a',), ('b',), (None,)]
    """
    return tuple((value is None, str(value)) for value in key)


@dataclass(frozen=True)
class Table:
    """Report rows (dicts) with a plain-text rendering; ``columns`` gives the order.

    >>> table = Table(("metric", "count"), [{"metric": "first_response", "count": 4}])
    >>> print(table)
    metric          count
    first_response      4
    """

    columns: tuple[str, ...]
    rows: list[dict[str, Any]]
    caption: str | None = None

    def to_table(self) -> str:
        """The rows as an aligned plain-text table (numbers right-aligned), under the
        ``caption`` line when there is one (what the figures mean: a method, a rounding)."""
        cells = [list(self.columns)]
        for row in self.rows:
            cells.append([_cell(row.get(name)) for name in self.columns])
        widths = [max(len(line[i]) for line in cells) for i in range(len(self.columns))]
        # A column of numbers stays right-aligned when some cells have none ("-").
        numeric = [
            all(_is_number(row.get(name)) or row.get(name) is None for row in self.rows)
            and any(_is_number(row.get(name)) for row in self.rows)
            for name in self.columns
        ]
        lines = []
        for line in cells:
            parts = [
                cell.rjust(width) if is_num else cell.ljust(width)
                for cell, width, is_num in zip(line, widths, numeric)
            ]
            lines.append("  ".join(parts).rstrip())
        return "\n".join([self.caption, *lines] if self.caption else lines)

    def __str__(self) -> str:
        return self.to_table()

    def to_pandas(self) -> Any:
        """The rows as a ``pandas.DataFrame`` (needs the ``[pandas]`` extra)."""
        try:
            pd: Any = importlib.import_module("pandas")
        except ImportError as exc:  # pragma: no cover - depends on the environment
            raise ImportError("to_pandas() needs pandas: pip install 'slaclock[pandas]'") from exc
        return pd.DataFrame(self.rows, columns=list(self.columns))


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float, timedelta)) and not isinstance(value, bool)


def _cell(value: Any) -> str:
    if value is None:
        return "-"
    if isinstance(value, Percent):
        return f"{value * 100:.1f}%"
    if isinstance(value, Score):
        return value.display()
    if isinstance(value, float):
        return f"{value:.2f}"
    if isinstance(value, timedelta):
        return display_duration(value)
    return printable(str(value))
