"""The compiled form of a calendar: open intervals as sorted integer arrays, built lazily.

A :class:`~slaclock.Calendar` compiles into a :class:`CompiledCalendar`, which materialises the
open intervals of whole local years on demand (in UTC microseconds, merged, with prefix sums of
open time). Every query is then a binary search over plain ints: ``elapsed`` and ``add`` cost
O(log n) whatever the span. Extending the covered years builds a new immutable snapshot and swaps
it in, so concurrent readers never see a half-built table.

>>> from slaclock import Calendar
>>> cal = Calendar.weekdays("UTC").compiled  # Monday to Friday, 09:00-17:00
>>> friday_16 = datetime(2025, 3, 7, 16, tzinfo=timezone.utc)
>>> str(cal.elapsed(friday_16, datetime(2025, 3, 10, 10, tzinfo=timezone.utc)))  # Fri 16-17, Mon 9-10
'2:00:00'

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
from datetime import date, datetime, timedelta, timezone, tzinfo
from zoneinfo import ZoneInfo

from slaclock._open_table import DaySpans, OpenTable
from slaclock._tz import (
    MAX_INSTANT,
    MICROS_PER_DAY,
    MICROS_PER_SECOND,
    check_aware,
    from_micros,
    local_to_micros,
    micros_in_range,
    out_of_range,
    result_out_of_range,
    to_micros,
)
from slaclock.errors import CalendarNeverOpenError

__all__ = ["CompiledCalendar", "DaySpans", "OpenTable"]


# Local years a table may hold: the supported instants [1970-01-01Z, 2200-01-01Z) fall in local
# years 1969..2200 in every zone, and a table keeps a year of margin on each side. A table never
# claims validity outside the supported instants (its lo/hi are clamped to them).
_MIN_YEAR = 1968
_MAX_YEAR = 2201
_DAY = timedelta(days=1)
_MAX_MICROS = to_micros(MAX_INSTANT)
_NO_TIME = timedelta(0)
_EPOCH = datetime(1970, 1, 1, tzinfo=timezone.utc)
_ONE_MICRO = timedelta(microseconds=1)  # int * timedelta is cheaper than timedelta(microseconds=)


class CompiledCalendar:
    """Business-time arithmetic over UTC microseconds for one calendar (internal): what
    :attr:`Calendar.compiled <slaclock.Calendar.compiled>` holds.

    >>> from slaclock import Calendar
    >>> cal = Calendar.weekdays("UTC").compiled  # Monday to Friday, 09:00-17:00
    >>> friday_16 = datetime(2025, 3, 7, 16, tzinfo=timezone.utc)
    >>> cal.add(friday_16, timedelta(hours=2)).isoformat()  # 1h on Friday, 1h on Monday
    '2025-03-10T10:00:00+00:00'
    >>> [(a.isoformat(), b.isoformat()) for a, b in cal.open_intervals(friday_16, cal.add(friday_16, timedelta(hours=2)))]
    [('2025-03-07T16:00:00+00:00', '2025-03-07T17:00:00+00:00'), ('2025-03-10T09:00:00+00:00', '2025-03-10T10:00:00+00:00')]
    """

    __slots__ = (
        "_closed_on",
        "_describe",
        "_first_open_override",
        "_last_closing_day",
        "_last_open_override",
        "_never_open",
        "_overrides",
        "_seasons",
        "_table",
        "_weekly",
        "_weekly_always_open",
        "_weekly_open",
        "_years",
        "zone",
    )

    zone: ZoneInfo
    """The calendar's IANA time zone (its opening hours are local times there)."""

    def __init__(
        self,
        zone: ZoneInfo,
        weekly: Sequence[DaySpans],
        overrides: Mapping[date, DaySpans],
        closed_on: Callable[[date], bool],
        holidays_open_ended: bool,
        last_holiday: date | None,
        describe: str,
        seasons: Sequence[tuple[int, int, Sequence[DaySpans]]] = (),
    ) -> None:
        """``closed_on(day)`` says whether ``day`` is a holiday; ``holidays_open_ended`` is True
        when holidays recur for ever (country holidays), else ``last_holiday`` bounds them.
        ``seasons`` are ``(first, last, weekly)`` with ``first``/``last`` as ``month * 100 +
        day`` (inclusive, wrapping over the new year when ``first > last``): on those dates
        ``weekly`` replaces the weekly hours (the first matching season wins)."""
        self.zone = zone
        self._seasons = tuple((a, b, tuple(w)) for a, b, w in seasons)
        self._weekly = tuple(weekly)
        self._overrides = dict(overrides)
        self._closed_on = closed_on
        self._describe = describe
        self._table: OpenTable | None = None
        # Raw intervals per local year, so a table extension only materialises the new years.
        self._years: dict[int, list[tuple[int, int]]] = {}
        self._weekly_open = any(self._weekly) or any(any(w) for _, _, w in self._seasons)
        open_days = sorted(day for day, spans in self._overrides.items() if spans)
        self._first_open_override = open_days[0] if open_days else None
        self._last_open_override = open_days[-1] if open_days else None
        self._never_open = not self._weekly_open and not open_days
        # A 24x7 week never closes once the last holiday or override is behind us.
        self._weekly_always_open = not holidays_open_ended and all(
            spans == ((0, 86_400),)
            for week in (self._weekly, *(w for _, _, w in self._seasons))
            for spans in week
        )
        closing = [*self._overrides, *([last_holiday] if last_holiday else [])]
        self._last_closing_day = max(closing) if closing else None

    # ----------------------------------------------------------------------------------------
    # Materialising local years
    def day_spans(self, day: date) -> DaySpans:
        """The open spans of a local date, in seconds from its midnight: its override, none on
        a holiday, else its weekday's (or season's) spans."""
        override = self._overrides.get(day)
        if override is not None:
            return override
        if self._closed_on(day):
            return ()
        return self._weekday_spans(day.toordinal())

    def _weekday_spans(self, ordinal: int) -> DaySpans:
        """The weekly (or seasonal) spans of the date with this ordinal, holidays aside."""
        weekday = (ordinal - 1) % 7  # ordinal 1 (0001-01-01) is a Monday
        if self._seasons:
            day = date.fromordinal(ordinal)
            key = day.month * 100 + day.day
            for first, last, weekly in self._seasons:
                if (first <= key <= last) if first <= last else (key >= first or key <= last):
                    return weekly[weekday]
        return self._weekly[weekday]

    def _year_intervals(self, year: int) -> list[tuple[int, int]]:
        """The raw intervals of the spans starting on the local dates of ``year`` (cached)."""
        cached = self._years.get(year)
        if cached is None:
            cached = self._years[year] = self._materialise(year, year + 1)
        return cached

    def _midnights(self, first: int, end: int) -> list[int]:
        """The instants of the local midnights of the dates with ordinals ``first..end-1``.

        Each is guessed as "the previous midnight + 24 h" and the guess kept when it reads as
        00:00 (first occurrence) of the right date in the zone, which is exactly what the
        resolver returns; otherwise (a DST change, a skipped date) it is resolved.
        """
        zone = self.zone
        fromtimestamp = datetime.fromtimestamp
        found = local_to_micros(date.fromordinal(first), 0, zone)
        out = [found]
        for ordinal in range(first + 1, end):
            guess = found + MICROS_PER_DAY
            try:
                local: datetime | None = fromtimestamp(guess // MICROS_PER_SECOND, zone)
            except (OverflowError, OSError, ValueError):  # pragma: no cover - platform limits
                local = None
            if (
                local is not None
                and not guess % MICROS_PER_SECOND
                and not (local.hour or local.minute or local.second or local.fold)
                and local.toordinal() == ordinal
            ):
                found = guess
            else:
                found = local_to_micros(date.fromordinal(ordinal), 0, zone)
            out.append(found)
        return out

    def _materialise(self, first_year: int, end_year: int) -> list[tuple[int, int]]:
        zone = self.zone
        weekly = self._weekly
        seasonal = bool(self._seasons)
        overrides = {day.toordinal(): spans for day, spans in self._overrides.items()}
        closed_on = self._closed_on
        first = date(first_year, 1, 1).toordinal()
        end = date(end_year, 1, 1).toordinal()
        # A day's spans may run up to two local midnights later.
        midnights = self._midnights(first, end + 2)
        intervals: list[tuple[int, int]] = []
        for ordinal in range(first, end):
            spans = overrides.get(ordinal)
            if spans is None:
                # ordinal 1 (0001-01-01) is a Monday
                spans = self._weekday_spans(ordinal) if seasonal else weekly[(ordinal - 1) % 7]
                if spans and closed_on(date.fromordinal(ordinal)):
                    continue
            if not spans:
                continue
            k = ordinal - first
            m0, m1, m2 = midnights[k], midnights[k + 1], midnights[k + 2]
            # A local date that does not exist (Pacific/Apia, 2011-12-30) has no spans.
            if m1 <= m0:
                continue
            # Where both midnights of a day are 24 h apart the day's offset is constant (no
            # tzdata zone leaves an offset and returns to it within 4 days), so a local time
            # is that midnight + seconds, exactly what the resolver returns; else resolve.
            whole0 = m1 - m0 == MICROS_PER_DAY
            whole1 = m2 - m1 == MICROS_PER_DAY
            day: date | None = None
            for open_s, close_s in spans:
                if whole0:
                    start = m0 + open_s * MICROS_PER_SECOND
                else:
                    day = day or date.fromordinal(ordinal)
                    start = local_to_micros(day, open_s, zone)
                if close_s <= 86_400 and whole0:
                    stop = m0 + close_s * MICROS_PER_SECOND
                elif close_s > 86_400 and whole1:
                    stop = m1 + (close_s - 86_400) * MICROS_PER_SECOND
                else:
                    day = day or date.fromordinal(ordinal)
                    stop = local_to_micros(day, close_s, zone)
                if stop > start:
                    intervals.append((start, stop))
        return intervals

    def _build(self, first_year: int, end_year: int) -> OpenTable:
        raw: list[tuple[int, int]] = []
        for year in range(first_year, end_year):
            raw.extend(self._year_intervals(year))
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
        lo = max(0, local_to_micros(date(first_year, 1, 2), 0, self.zone))
        hi = min(_MAX_MICROS, local_to_micros(date(end_year, 1, 1), 0, self.zone))
        return OpenTable(first_year, end_year, lo, hi, starts, ends, cums, cum_ends)

    def _year_of(self, t: int) -> int:
        return from_micros(t, self.zone).year

    def table_covering(self, *instants: int) -> OpenTable:
        """A table whose valid range holds every instant given (UTC microseconds), extending
        the current one: what the bulk arithmetic of :mod:`slaclock.bulk` computes on."""
        return self._cover(*instants)

    def _cover(self, *instants: int) -> OpenTable:
        """A table whose valid range holds every instant given (extending the current one)."""
        table = self._table
        for t in instants:
            if not micros_in_range(t):
                try:
                    text = from_micros(t, None).isoformat()
                except (OverflowError, ValueError):  # beyond what datetime shows in UTC
                    text = f"an instant in about year {1970 + t // 31_556_952_000_000}"
                raise out_of_range(text)
        years = [self._year_of(t) for t in instants]
        first = min(years) - 1
        end = max(years) + 2
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

    def _extend(self, table: OpenTable, forward: bool, years: int = 1) -> OpenTable:
        if forward:
            if table.end_year > _MAX_YEAR:
                raise result_out_of_range(True)
            end = min(_MAX_YEAR + 1, table.end_year + max(years, 1))
            new = self._build(table.first_year, end)
        else:
            if table.first_year <= _MIN_YEAR:
                raise result_out_of_range(False)
            first = max(_MIN_YEAR, table.first_year - max(years, 1))
            new = self._build(first, table.end_year)
        self._table = new
        return new

    def _table_for(self, t: int) -> OpenTable:
        table = self._table
        if table is None or not table.lo <= t < table.hi:
            table = self._cover(t)
        return table

    def _years_for(self, table: OpenTable, amount: int) -> int:
        """How many more years of table likely hold ``amount`` more open time."""
        total = table.cum_ends[-1] if table.cum_ends else 0
        years = table.end_year - table.first_year
        if total <= 0:
            return years
        return amount * years // total + 1

    # ----------------------------------------------------------------------------------------
    # Guards for calendars whose open time runs out
    def check_can_add(self, duration: timedelta) -> None:
        """Raise :class:`~slaclock.errors.CalendarNeverOpenError` when the calendar is never
        open, so no nonzero ``duration`` of business time can be added."""
        if self._never_open:
            raise self._never_open_error(duration)

    def _never_open_error(self, duration: timedelta) -> CalendarNeverOpenError:
        # A negative duration is a subtraction: say so, with the amount as written.
        verb, amount = ("subtract", -duration) if duration < _NO_TIME else ("add", duration)
        return CalendarNeverOpenError(
            f"calendar is never open: {self._describe} - cannot {verb} {amount} of business time",
            value=duration,
        )

    def _no_open_time_beyond(self, t: int, forward: bool) -> bool:
        """True when no open time exists beyond ``t`` in that direction (no weekly hours and no
        override that opens a day there)."""
        if self._weekly_open:
            return False
        if self._first_open_override is None or self._last_open_override is None:
            return True
        day = from_micros(t, self.zone).date()
        if forward:
            return day > self._last_open_override + 2 * _DAY
        return day < self._first_open_override - 2 * _DAY

    def never_closes(self) -> bool:
        """True when the calendar is open around the clock with no closing day at all."""
        return self._weekly_always_open and self._last_closing_day is None

    def _never_closes_after(self, t: int) -> bool:
        """True when the calendar is open without end after ``t`` (a 24x7 week, no closing day)."""
        if not self._weekly_always_open:
            return False
        last = self._last_closing_day
        return last is None or from_micros(t, self.zone).date() > last + 2 * _DAY

    # ----------------------------------------------------------------------------------------
    # Queries (instants as aware datetimes in, aware datetimes out in the input's tzinfo)
    # The hot paths (elapsed, add) inline to_micros, cum_at and from_micros: on a warm table a
    # call is a few hundred nanoseconds, so each avoided function call shows.
    def elapsed(self, start: datetime, end: datetime) -> timedelta:
        if start.tzinfo is None:
            check_aware(start, "start")
        if end.tzinfo is None:
            check_aware(end, "end")
        delta = start - _EPOCH
        a = (delta.days * 86_400 + delta.seconds) * 1_000_000 + delta.microseconds
        delta = end - _EPOCH
        b = (delta.days * 86_400 + delta.seconds) * 1_000_000 + delta.microseconds
        table = self._table
        if table is None or not (table.lo <= a < table.hi and table.lo <= b < table.hi):
            table = self._cover(a, b)
        starts, ends, cums = table.starts, table.ends, table.cums
        i = bisect_right(starts, b) - 1
        total = 0 if i < 0 else cums[i] + (b if b < ends[i] else ends[i]) - starts[i]
        i = bisect_right(starts, a) - 1
        if i >= 0:
            total -= cums[i] + (a if a < ends[i] else ends[i]) - starts[i]
        return _ONE_MICRO * total

    def open_time_before(self, instants: Sequence[int]) -> tuple[OpenTable, list[int]]:
        """The open time from the table's origin to each of ``instants`` (ascending), and the
        table it is measured on: one table check for a whole cycle, and ``cums[j] - cums[i]`` is
        the business time between ``instants[i]`` and ``instants[j]``."""
        table = self._table
        first, last = instants[0], instants[-1]
        if table is None or not (table.lo <= first < table.hi and table.lo <= last < table.hi):
            table = self._cover(first, last)
        starts, ends, cums = table.starts, table.ends, table.cums
        out: list[int] = []
        for t in instants:
            i = bisect_right(starts, t) - 1
            out.append(0 if i < 0 else cums[i] + (t if t < ends[i] else ends[i]) - starts[i])
        return table, out

    def open_time_between(self, a: int, b: int) -> tuple[OpenTable, int, int]:
        """:meth:`open_time_before` of the two instants ``a <= b`` (the engine's most common
        case: a cycle measured in one piece), without building a list."""
        table = self._table
        if table is None or not (table.lo <= a < table.hi and table.lo <= b < table.hi):
            table = self._cover(a, b)
        starts, ends, cums = table.starts, table.ends, table.cums
        i = bisect_right(starts, a) - 1
        before_a = 0 if i < 0 else cums[i] + (a if a < ends[i] else ends[i]) - starts[i]
        i = bisect_right(starts, b) - 1
        before_b = 0 if i < 0 else cums[i] + (b if b < ends[i] else ends[i]) - starts[i]
        return table, before_a, before_b

    def add_from(self, table: OpenTable, s: int, open_before_s: int, d: int) -> int:
        """``add_micros(s, d)`` for ``d > 0`` when ``open_before_s`` is ``s``'s open time on
        ``table`` (from :meth:`open_time_before`): no second lookup of ``s`` while the answer
        lies in the table, the general path otherwise."""
        target = open_before_s + d
        i = bisect_left(table.cum_ends, target)
        if i < len(table.starts):
            t = table.starts[i] + target - table.cums[i]
            if t <= table.hi and t != _MAX_MICROS:  # the end of the range is not in it
                return t
        return self.add_micros(s, d)

    def add(self, start: datetime, duration: timedelta) -> datetime:
        tz = start.tzinfo
        if tz is None:
            check_aware(start, "start")
        d = (duration.days * 86_400 + duration.seconds) * 1_000_000 + duration.microseconds
        if d == 0:
            return start
        delta = start - _EPOCH
        s = (delta.days * 86_400 + delta.seconds) * 1_000_000 + delta.microseconds
        table = self._table
        # The first round of add_micros, inlined, when the table holds start and the result.
        if table is not None and table.lo <= s < table.hi:
            starts, cums = table.starts, table.cums
            i = bisect_right(starts, s) - 1
            if i < 0:
                target = d
            else:
                end = table.ends[i]
                target = cums[i] + (s if s < end else end) - starts[i] + d
            if d > 0:
                i = bisect_left(table.cum_ends, target)
                if i < len(starts):
                    t = starts[i] + target - cums[i]
                    if t <= table.hi and t != _MAX_MICROS:  # else add_micros raises
                        seconds, rest = divmod(t, 1_000_000)
                        if rest:
                            return from_micros(t, tz)
                        return datetime.fromtimestamp(seconds, tz)
            else:
                i = bisect_right(cums, target) - 1
                if i >= 0:
                    t = starts[i] + target - cums[i]
                    if t >= table.lo:
                        seconds, rest = divmod(t, 1_000_000)
                        if rest:
                            return from_micros(t, tz)
                        return datetime.fromtimestamp(seconds, tz)
        return from_micros(self.add_micros(s, d, duration), tz)

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
                        if t == _MAX_MICROS:  # the end of the range is not in it
                            raise result_out_of_range(True)
                        return t
                if self._no_open_time_beyond(table.hi, True):
                    raise self._no_open_time_error(s, duration, d, forward=True)
                missing = target - (table.cum_ends[-1] if table.cum_ends else 0)
                new = self._extend(table, True, self._years_for(table, missing))
            else:
                i = bisect_right(table.cums, target) - 1
                if i >= 0:
                    t = table.starts[i] + target - table.cums[i]
                    if t >= table.lo:
                        return t
                if self._no_open_time_beyond(table.lo, False):
                    raise self._no_open_time_error(s, duration, d, forward=False)
                new = self._extend(table, False, self._years_for(table, -target))
            # Re-anchor: the new table's origin differs from the old one's.
            target = new.cum_at(s) + d
            table = new

    def _no_open_time_error(
        self, s: int, duration: timedelta | None, d: int, forward: bool
    ) -> CalendarNeverOpenError:
        where = "after" if forward else "before"
        amount = duration or timedelta(microseconds=d)
        return CalendarNeverOpenError(
            f"calendar has no open time {where} its last special day: {self._describe} - "
            f"cannot {'add' if forward else 'subtract'} {abs(amount)} of business time "
            f"from {from_micros(s, self.zone).isoformat()}",
            value=amount,
        )

    def is_open(self, t: datetime) -> bool:
        if t.tzinfo is None:
            check_aware(t, "t")
        return self.is_open_micros(to_micros(t))

    def is_open_micros(self, u: int) -> bool:
        """Whether the calendar is open at ``u`` (UTC microseconds): :meth:`is_open` on the
        engine's integer instants."""
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
            if self._never_open or self._no_open_time_beyond(table.hi, True):
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
            if self._never_open or self._no_open_time_beyond(table.hi, True):
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
