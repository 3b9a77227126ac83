"""The compiled table of a calendar: merged open intervals with prefix sums of open time.

:class:`~slaclock.compiled_calendar.CompiledCalendar` builds these tables (and re-exports the
names); the per-item arithmetic and the bulk arithmetic of :mod:`slaclock.bulk` read them.
"""

from __future__ import annotations

from bisect import bisect_right
from dataclasses import dataclass

__all__ = ["DaySpans", "OpenTable"]

#: A day's spans as (open, close) seconds after local midnight; close may exceed 86_400 for a
#: span that runs into the next day (at most 2 * 86_400).
DaySpans = tuple[tuple[int, int], ...]


@dataclass(frozen=True, slots=True)
class OpenTable:
    """Open intervals of the local years [first_year, end_year), valid for instants in [lo, hi).

    ``starts``/``ends`` are the merged open intervals (UTC microseconds); ``cums[i]`` is the open
    time before ``starts[i]`` counted from the table's origin, so the business time between two
    instants of the table is the difference of their :meth:`cum_at`.

    >>> table = OpenTable(2025, 2026, 0, 100, starts=[10, 50], ends=[20, 60], cums=[0, 10],
    ...                   cum_ends=[10, 20])
    >>> table.cum_at(15), table.cum_at(30), table.cum_at(55)
    (5, 10, 15)
    """

    first_year: int
    end_year: int
    lo: int
    hi: int
    starts: list[int]
    ends: list[int]
    cums: list[int]  # open time before starts[i], from the table's origin
    cum_ends: list[int]  # cums[i] + ends[i] - starts[i]

    def cum_at(self, t: int) -> int:
        """The open time before ``t`` from the table's origin."""
        i = bisect_right(self.starts, t) - 1
        if i < 0:
            return 0
        end = self.ends[i]
        return self.cums[i] + (t if t < end else end) - self.starts[i]
