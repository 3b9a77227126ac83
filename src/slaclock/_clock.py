"""The compiled form of a calendar: open intervals as sorted integer arrays, built lazily.

A :class:`~slaclock.Calendar` compiles into a :class:`CompiledCalendar`, which materialises the
open intervals of whole local years on demand (in UTC microseconds, merged, with prefix sums of
open time). Every query is then a binary search over plain ints: ``elapsed`` and ``add`` cost
O(log n) whatever the span. Extending the covered years builds a new immutable snapshot and swaps
it in, so concurrent readers never see a half-built table.

The rules applied per local date ``d`` (in this order):

1. ``d`` has an override: its spans are the override's spans.
2. ``d`` is a holiday: no span starts on ``d``.
3. otherwise: the weekly spans of ``d``'s weekday.

A span runs from ``resolve(d, open)`` to ``resolve(d or d+1, close)`` with the single resolver
:func:`slaclock._tz.local_to_micros`. Spans that resolve to nothing (inside a DST gap) vanish and
overlapping spans merge, so the table is a union of disjoint, non-empty intervals.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta, tzinfo
from zoneinfo import ZoneInfo

from slaclock._tz import (
    check_aware,
    from_micros,
    local_to_micros,
    timedelta_to_micros,
    to_micros,
)
from slaclock.errors import CalendarNeverOpenError, OutOfRangeError

__all__ = ["CompiledCalendar", "DaySpans"]

# A day's spans as (open, close) seconds after local midnight; close may exceed 86_400 for a
# span that runs into the next day (at most 2 * 86_400).
DaySpans = tuple[tuple[int, int], ...]

_MIN_YEAR = 2  # keep one local year of margin inside datetime's range
_MAX_YEAR = 9998
_DAY = timedelta(days=1)


@dataclass(frozen=True, slots=True)
class _Table:
    """Open intervals of the local dates [first_day, end_day), valid for instants in [lo, hi)."""

    first_year: int
    end_year: int
    lo: int
    hi: int
    starts: list[int]
    ends: list[int]
    cums: list[int]  # open time before starts[i], from the table's origin
    cum_ends: list[int]  # cums[i] + ends[i] - starts[i]

    def cum_at(self, t: int) -> int:
        i = bisect_right(self.starts, t) - 1
        if i < 0:
            return 0
        end = self.ends[i]
        return self.cums[i] + (t if t < end else end) - self.starts[i]


class CompiledCalendar:
    """Business-time arithmetic over UTC microseconds for one calendar (internal)."""

    __slots__ = (
        "_closed_on",
        "_describe",
        "_first_open_override",
        "_last_closing_day",
        "_last_open_override",
        "_never_open",
        "_overrides",
        "_table",
        "_weekly",
        "_weekly_always_open",
        "_weekly_open",
        "_zone",
    )

    def __init__(
        self,
        zone: ZoneInfo,
        weekly: Sequence[DaySpans],
        overrides: Mapping[date, DaySpans],
        closed_on: Callable[[date], bool],
        holidays_open_ended: bool,
        last_holiday: date | None,
        describe: str,
    ) -> None:
        """``closed_on(day)`` says whether ``day`` is a holiday; ``holidays_open_ended`` is True
        when holidays recur for ever (country holidays), else ``last_holiday`` bounds them."""
        self._zone = zone
        self._weekly = tuple(weekly)
        self._overrides = dict(overrides)
        self._closed_on = closed_on
        self._describe = describe
        self._table: _Table | None = None
        self._weekly_open = any(self._weekly)
        open_days = sorted(day for day, spans in self._overrides.items() if spans)
        self._first_open_override = open_days[0] if open_days else None
        self._last_open_override = open_days[-1] if open_days else None
        self._never_open = not self._weekly_open and not open_days
        # A 24x7 week never closes once the last holiday or override is behind us.
        self._weekly_always_open = not holidays_open_ended and all(
            spans == ((0, 86_400),) for spans in self._weekly
        )
        closing = [*self._overrides, *([last_holiday] if last_holiday else [])]
        self._last_closing_day = max(closing) if closing else None

    # ----------------------------------------------------------------------------------------
    # Materialising local years
    def _day_spans(self, day: date) -> DaySpans:
        override = self._overrides.get(day)
        if override is not None:
            return override
        if self._closed_on(day):
            return ()
        return self._weekly[day.weekday()]

    def _materialise(self, first_year: int, end_year: int) -> list[tuple[int, int]]:
        zone = self._zone
        intervals: list[tuple[int, int]] = []
        day = date(first_year, 1, 1)
        end = date(end_year, 1, 1)
        midnight = local_to_micros(day, 0, zone)
        while day < end:
            next_day = day + _DAY
            next_midnight = local_to_micros(next_day, 0, zone)
            spans = self._day_spans(day)
            # A local date that does not exist (Pacific/Apia, 2011-12-30) has no spans.
            if spans and next_midnight > midnight:
                for open_s, close_s in spans:
                    start = local_to_micros(day, open_s, zone)
                    stop = local_to_micros(day, close_s, zone)
                    if stop > start:
                        intervals.append((start, stop))
            day, midnight = next_day, next_midnight
        return intervals

    def _build(self, first_year: int, end_year: int) -> _Table:
        raw = self._materialise(first_year, end_year)
        raw.sort()
        starts: list[int] = []
        ends: list[int] = []
        for start, stop in raw:
            if ends and start <= ends[-1]:
                if stop > ends[-1]:
                    ends[-1] = stop
            else:
                starts.append(start)
                ends.append(stop)
        cums: list[int] = []
        cum_ends: list[int] = []
        total = 0
        for start, stop in zip(starts, ends):
            cums.append(total)
            total += stop - start
            cum_ends.append(total)
        # Spans of the day before first_year may reach up to two local midnights later.
        lo = local_to_micros(date(first_year, 1, 2), 0, self._zone)
        hi = local_to_micros(date(end_year, 1, 1), 0, self._zone)
        return _Table(first_year, end_year, lo, hi, starts, ends, cums, cum_ends)

    def _year_of(self, t: int) -> int:
        return from_micros(t, self._zone).year

    def _cover(self, *instants: int) -> _Table:
        """A table whose valid range holds every instant given (extending the current one)."""
        table = self._table
        years = [self._year_of(t) for t in instants]
        first = min(years) - 1
        end = max(years) + 2
        if first < _MIN_YEAR or end > _MAX_YEAR + 1:
            raise OutOfRangeError(
                f"instant out of range: year {min(years) if first < _MIN_YEAR else max(years)} "
                f"- expected years {_MIN_YEAR + 1}..{_MAX_YEAR - 1}",
                value=min(years) if first < _MIN_YEAR else max(years),
            )
        if table is not None:
            first = min(first, table.first_year)
            end = max(end, table.end_year)
            # Grow geometrically so a walk across many years rebuilds O(log n) times.
            span = table.end_year - table.first_year
            if end > table.end_year:
                end = min(_MAX_YEAR + 1, max(end, table.end_year + span // 2))
            if first < table.first_year:
                first = max(_MIN_YEAR, min(first, table.first_year - span // 2))
        table = self._build(first, end)
        self._table = table
        return table

    def _extend(self, table: _Table, forward: bool, years: int = 1) -> _Table:
        if forward:
            if table.end_year > _MAX_YEAR:
                raise OutOfRangeError(
                    f"result out of range: after year {_MAX_YEAR - 1} - "
                    "expected a result datetime can represent",
                    value=_MAX_YEAR,
                )
            end = min(_MAX_YEAR + 1, table.end_year + max(years, 1))
            new = self._build(table.first_year, end)
        else:
            if table.first_year <= _MIN_YEAR:
                raise OutOfRangeError(
                    f"result out of range: before year {_MIN_YEAR + 1} - "
                    "expected a result datetime can represent",
                    value=_MIN_YEAR,
                )
            first = max(_MIN_YEAR, table.first_year - max(years, 1))
            new = self._build(first, table.end_year)
        self._table = new
        return new

    def _table_for(self, t: int) -> _Table:
        table = self._table
        if table is None or not table.lo <= t < table.hi:
            table = self._cover(t)
        return table

    def _years_for(self, table: _Table, amount: int) -> int:
        """How many more years of table likely hold ``amount`` more open time."""
        total = table.cum_ends[-1] if table.cum_ends else 0
        years = table.end_year - table.first_year
        if total <= 0:
            return years
        return amount * years // total + 1

    # ----------------------------------------------------------------------------------------
    # Guards for calendars whose open time runs out
    def _never_open_error(self, duration: timedelta) -> CalendarNeverOpenError:
        return CalendarNeverOpenError(
            f"calendar is never open: {self._describe} - cannot add {duration} of business time",
            value=duration,
        )

    def _run_out(self, t: int, forward: bool) -> bool:
        """True when no open time exists beyond ``t`` in that direction (no weekly hours and no
        override that opens a day there)."""
        if self._weekly_open:
            return False
        if self._first_open_override is None or self._last_open_override is None:
            return True
        day = from_micros(t, self._zone).date()
        if forward:
            return day > self._last_open_override + 2 * _DAY
        return day < self._first_open_override - 2 * _DAY

    def _never_closes_after(self, t: int) -> bool:
        """True when the calendar is open without end after ``t`` (a 24x7 week, no closing day)."""
        if not self._weekly_always_open:
            return False
        last = self._last_closing_day
        return last is None or from_micros(t, self._zone).date() > last + 2 * _DAY

    # ----------------------------------------------------------------------------------------
    # Queries (instants as aware datetimes in, aware datetimes out in the input's tzinfo)
    def elapsed(self, start: datetime, end: datetime) -> timedelta:
        if start.tzinfo is None:
            check_aware(start, "start")
        if end.tzinfo is None:
            check_aware(end, "end")
        a = to_micros(start)
        b = to_micros(end)
        table = self._table
        if table is None or not (table.lo <= a < table.hi and table.lo <= b < table.hi):
            table = self._cover(a, b)
        return timedelta(microseconds=table.cum_at(b) - table.cum_at(a))

    def elapsed_micros(self, a: int, b: int) -> int:
        table = self._table
        if table is None or not (table.lo <= a < table.hi and table.lo <= b < table.hi):
            table = self._cover(a, b)
        return table.cum_at(b) - table.cum_at(a)

    def add(self, start: datetime, duration: timedelta) -> datetime:
        if start.tzinfo is None:
            check_aware(start, "start")
        d = timedelta_to_micros(duration)
        if d == 0:
            return start
        t = self.add_micros(to_micros(start), d, duration)
        return from_micros(t, start.tzinfo)

    def add_micros(self, s: int, d: int, duration: timedelta | None = None) -> int:
        if d == 0:
            return s
        if self._never_open:
            raise self._never_open_error(duration or timedelta(microseconds=d))
        table = self._table_for(s)
        base = table.cum_at(s)
        target = base + d
        while True:
            if d > 0:
                i = bisect_left(table.cum_ends, target)
                if i < len(table.starts):
                    t = table.starts[i] + target - table.cums[i]
                    if t <= table.hi:
                        return t
                if self._run_out(table.hi, True):
                    raise self._ran_out(s, duration, d, forward=True)
                missing = target - (table.cum_ends[-1] if table.cum_ends else 0)
                new = self._extend(table, True, self._years_for(table, missing))
            else:
                i = bisect_right(table.cums, target) - 1
                if i >= 0:
                    t = table.starts[i] + target - table.cums[i]
                    if t >= table.lo:
                        return t
                if self._run_out(table.lo, False):
                    raise self._ran_out(s, duration, d, forward=False)
                new = self._extend(table, False, self._years_for(table, -target))
            # Re-anchor: the new table's origin differs from the old one's.
            target = new.cum_at(s) + d
            table = new

    def _ran_out(
        self, s: int, duration: timedelta | None, d: int, forward: bool
    ) -> CalendarNeverOpenError:
        where = "after" if forward else "before"
        amount = duration or timedelta(microseconds=d)
        return CalendarNeverOpenError(
            f"calendar has no open time {where} its last special day: {self._describe} - "
            f"cannot {'add' if forward else 'subtract'} {abs(amount)} of business time "
            f"from {from_micros(s, self._zone).isoformat()}",
            value=amount,
        )

    def is_open(self, t: datetime) -> bool:
        if t.tzinfo is None:
            check_aware(t, "t")
        u = to_micros(t)
        table = self._table_for(u)
        i = bisect_right(table.starts, u) - 1
        return i >= 0 and u < table.ends[i]

    def next_open(self, t: datetime) -> datetime:
        if t.tzinfo is None:
            check_aware(t, "t")
        u = to_micros(t)
        table = self._table_for(u)
        while True:
            i = bisect_right(table.starts, u) - 1
            if i >= 0 and u < table.ends[i]:
                return t
            if i + 1 < len(table.starts) and table.starts[i + 1] < table.hi:
                return from_micros(table.starts[i + 1], t.tzinfo)
            if self._never_open or self._run_out(table.hi, True):
                raise CalendarNeverOpenError(
                    f"calendar never opens again: {self._describe} - no open time after "
                    f"{t.isoformat()}",
                    value=t,
                )
            table = self._extend(table, True)

    def next_close(self, t: datetime) -> datetime:
        if t.tzinfo is None:
            check_aware(t, "t")
        u = to_micros(t)
        table = self._table_for(u)
        while True:
            i = bisect_right(table.starts, u) - 1
            if not (i >= 0 and u < table.ends[i]):
                i += 1  # closed now: the close of the next open interval
            if i < len(table.starts) and table.ends[i] < table.hi:
                return from_micros(table.ends[i], t.tzinfo)
            if self._never_open or self._run_out(table.hi, True):
                raise CalendarNeverOpenError(
                    f"calendar never opens again: {self._describe} - no close after "
                    f"{t.isoformat()}",
                    value=t,
                )
            if self._never_closes_after(table.hi):
                raise CalendarNeverOpenError(
                    f"calendar never closes: {self._describe} - no close after {t.isoformat()}",
                    value=t,
                )
            table = self._extend(table, True)

    def open_micros(self, a: int, b: int) -> list[tuple[int, int]]:
        if b <= a:
            return []
        table = self._table
        if table is None or not (table.lo <= a < table.hi and table.lo <= b < table.hi):
            table = self._cover(a, b)
        starts, ends = table.starts, table.ends
        i = max(bisect_right(starts, a) - 1, 0)
        out: list[tuple[int, int]] = []
        while i < len(starts) and starts[i] < b:
            lo = max(starts[i], a)
            hi = min(ends[i], b)
            if lo < hi:
                out.append((lo, hi))
            i += 1
        return out

    def open_intervals(self, start: datetime, end: datetime) -> list[tuple[datetime, datetime]]:
        check_aware(start, "start")
        check_aware(end, "end")
        tz: tzinfo | None = start.tzinfo
        return [
            (from_micros(a, tz), from_micros(b, tz))
            for a, b in self.open_micros(to_micros(start), to_micros(end))
        ]
