"""Local wall-clock intervals (15, 30, 60 minutes or a day) in a time zone, over integer
instants: what a service-level report counts contacts in.

>>> from datetime import datetime, timezone
>>> from slaclock._tz import to_micros
>>> halves = LocalIntervals(timezone.utc, 30)
>>> start = halves.start(to_micros(datetime(2025, 3, 4, 9, 40, tzinfo=timezone.utc)))
>>> from_micros(start, timezone.utc).strftime("%H:%M"), from_micros(halves.end(start), timezone.utc).strftime("%H:%M")
('09:30', '10:00')
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta, tzinfo

from slaclock._tz import (
    MICROS_PER_SECOND,
    from_micros,
    is_repeated,
    local_to_micros,
    timedelta_to_micros,
)

__all__ = ["LocalIntervals", "interval_label"]

_QUARTER = 15 * 60 * MICROS_PER_SECOND


class LocalIntervals:
    """Local wall-clock intervals of ``minutes`` (or local days when ``None``) in ``zone``:
    an instant (UTC microseconds) -> the start of its interval (UTC microseconds), and a start
    -> its end. Intervals are half-open, ``[start, end)``; a local day lasts 23 or 25 hours on
    a DST day.

    >>> from datetime import datetime, timezone
    >>> from zoneinfo import ZoneInfo
    >>> from slaclock._tz import to_micros
    >>> kolkata = LocalIntervals(ZoneInfo("Asia/Kolkata"), 60)  # +05:30: hours start at :30 UTC
    >>> start = kolkata.start(to_micros(datetime(2025, 3, 4, 4, 40, tzinfo=timezone.utc)))
    >>> from_micros(start, timezone.utc).isoformat()
    '2025-03-04T04:30:00+00:00'
    """

    def __init__(self, zone: tzinfo, minutes: int | None) -> None:
        self.zone = zone
        self.minutes = minutes
        self.offsets: dict[int, int | None] = {}
        self.day_starts: dict[date, int] = {}

    def _offset(self, t: int) -> int:
        # The zone's offset, cached per UTC quarter hour when it is constant over it.
        quarter = t // _QUARTER
        offset = self.offsets.get(quarter, -1)
        if offset == -1:
            first = self._exact_offset(quarter * _QUARTER)
            last = self._exact_offset(quarter * _QUARTER + _QUARTER - 1)
            offset = self.offsets[quarter] = first if first == last else None
        return offset if offset is not None else self._exact_offset(t)

    def _exact_offset(self, t: int) -> int:
        delta = from_micros(t, self.zone).utcoffset()
        assert delta is not None
        return timedelta_to_micros(delta)

    def start(self, t: int) -> int:
        """The start of the interval holding instant ``t``."""
        offset = self._offset(t)
        local = t + offset
        if self.minutes is not None:
            size = self.minutes * 60 * MICROS_PER_SECOND
            return local - local % size - offset
        day = date.fromordinal(719_163 + local // (86_400 * MICROS_PER_SECOND))
        found = self.day_starts.get(day)
        if found is None:
            found = self.day_starts[day] = local_to_micros(day, 0, self.zone)
        return found

    def end(self, start: int) -> int:
        """The end of the interval starting at ``start`` (the next one's start)."""
        if self.minutes is not None:
            return start + self.minutes * 60 * MICROS_PER_SECOND
        day = from_micros(start, self.zone).date() + timedelta(days=1)
        return local_to_micros(day, 0, self.zone)


def interval_label(start: datetime, end: datetime) -> str:
    """``[start, end)`` in local time: ``2025-03-04 09:10-09:30``, or the date alone for a whole
    local day. A local time that happens twice (a DST fold) carries its zone's abbreviation.

    >>> from zoneinfo import ZoneInfo
    >>> ny = ZoneInfo("America/New_York")
    >>> first = datetime(2025, 11, 2, 1, tzinfo=ny)  # 01:00 EDT, the first of two
    >>> interval_label(first, datetime(2025, 11, 2, 1, fold=1, tzinfo=ny))
    '2025-11-02 01:00 EDT-01:00 EST'
    >>> interval_label(datetime(2025, 3, 4, tzinfo=ny), datetime(2025, 3, 5, tzinfo=ny))
    '2025-03-04'
    """
    end_date = end.date()
    midnight = end.time() == time(0) and end_date > start.date()
    if start.time() == time(0) and midnight and end_date == start.date() + timedelta(days=1):
        return start.strftime("%Y-%m-%d")
    opens, closes = (f" {t.strftime('%Z')}" if is_repeated(t) else "" for t in (start, end))
    close = "24:00" if midnight else end.strftime("%H:%M") + closes
    return f"{start.strftime('%Y-%m-%d %H:%M')}{opens}-{close}"
