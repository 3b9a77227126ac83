"""An obviously-correct reference model of calendar semantics, for checking the fast code.

It materialises each local day's spans as aware datetimes with ``datetime(..., tzinfo=zone)``
(fold=0), exactly as the rules say, unions them, and does plain interval arithmetic on UTC
instants. It is slow and simple on purpose: no prefix sums, no bisect, no caching.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo

from slaclock import Calendar
from slaclock.holidays import country_holiday_dates

UTC = timezone.utc
WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


def _clock(text: str) -> tuple[int, int, int]:
    parts = [int(p) for p in text.split(":")] + [0]
    return parts[0], parts[1], parts[2]


def _local(day: date, text: str, zone: ZoneInfo, next_day: bool) -> datetime:
    hour, minute, second = _clock(text)
    if hour == 24:
        day, hour = day + timedelta(days=1), 0
    elif next_day:
        day = day + timedelta(days=1)
    # The rule under test: the instant of datetime(..., tzinfo=zone) with fold=0.
    return datetime.combine(day, time(hour, minute, second), tzinfo=zone).astimezone(UTC)


def _is_holiday(calendar: Calendar, day: date) -> bool:
    if day in calendar.holidays:
        return True
    country = calendar.country_holidays
    return country is not None and day in country_holiday_dates(
        country.country, country.subdiv, day.year
    )


def day_spans(calendar: Calendar, day: date) -> list[tuple[datetime, datetime]]:
    """The open spans that start on local date ``day``, as UTC instants."""
    zone = ZoneInfo(calendar.timezone)
    midnight = datetime.combine(day, time(0), tzinfo=zone).astimezone(UTC)
    next_midnight = datetime.combine(day + timedelta(days=1), time(0), tzinfo=zone).astimezone(UTC)
    if next_midnight <= midnight:  # a local date that does not exist
        return []
    if day in calendar.overrides:
        spans = calendar.overrides[day]
    elif _is_holiday(calendar, day):
        spans = ()
    else:
        hours = calendar.hours
        for season in calendar.seasons:  # the first season whose days include this date
            first, last = season.start, season.end  # "MM-DD" strings compare in date order
            key = f"{day.month:02d}-{day.day:02d}"
            if (first <= key <= last) if first <= last else (key >= first or key <= last):
                hours = season.hours
                break
        spans = hours.get(WEEKDAYS[day.weekday()], ())
    out = []
    for open_text, close_text in spans:
        overnight = _clock(close_text) <= _clock(open_text)
        start = _local(day, open_text, zone, False)
        end = _local(day, close_text, zone, overnight)
        if end > start:
            out.append((start, end))
    return out


def intervals(calendar: Calendar, first: date, last: date) -> list[tuple[datetime, datetime]]:
    """The union of the open spans of every local date in [first, last], merged and sorted."""
    raw: list[tuple[datetime, datetime]] = []
    day = first
    while day <= last:
        raw.extend(day_spans(calendar, day))
        day += timedelta(days=1)
    raw.sort()
    merged: list[tuple[datetime, datetime]] = []
    for start, end in raw:
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], end))
        else:
            merged.append((start, end))
    return merged


class Reference:
    """Reference answers for instants within a window of local dates.

    Every instant given is first expressed in UTC: Python adds to, and subtracts, datetimes that
    share a ZoneInfo tzinfo by their wall clocks, which is wrong across a DST change.
    """

    def __init__(self, calendar: Calendar, first: date, last: date) -> None:
        self.spans = intervals(calendar, first, last)

    def elapsed(self, a: datetime, b: datetime) -> timedelta:
        a, b = a.astimezone(UTC), b.astimezone(UTC)
        if b < a:
            return -self.elapsed(b, a)
        total = timedelta(0)
        for start, end in self.spans:
            lo, hi = max(start, a), min(end, b)
            if lo < hi:
                total += hi - lo
        return total

    def add(self, s: datetime, d: timedelta) -> datetime:
        """Walk span by span: earliest t >= s with elapsed(s, t) == d (d >= 0)."""
        if d == timedelta(0):
            return s
        s = s.astimezone(UTC)
        left = d
        for start, end in self.spans:
            lo = max(start, s)
            if lo >= end:
                continue
            if end - lo >= left:
                return lo + left
            left -= end - lo
        raise LookupError("window too small")

    def subtract(self, s: datetime, d: timedelta) -> datetime:
        """Latest t <= s with elapsed(t, s) == d (d > 0)."""
        s = s.astimezone(UTC)
        left = d
        for start, end in reversed(self.spans):
            hi = min(end, s)
            if hi <= start:
                continue
            if hi - start >= left:
                return hi - left
            left -= hi - start
        raise LookupError("window too small")

    def is_open(self, t: datetime) -> bool:
        return any(start <= t < end for start, end in self.spans)

    def next_open(self, t: datetime) -> datetime:
        t = t.astimezone(UTC)
        for start, end in self.spans:
            if t < end:
                return max(start, t)
        raise LookupError("window too small")

    def next_close(self, t: datetime) -> datetime:
        for _start, end in self.spans:
            if t < end:
                return end
        raise LookupError("window too small")

    def open_intervals(self, a: datetime, b: datetime) -> list[tuple[datetime, datetime]]:
        a, b = a.astimezone(UTC), b.astimezone(UTC)
        return [
            (max(start, a), min(end, b)) for start, end in self.spans if max(start, a) < min(end, b)
        ]
