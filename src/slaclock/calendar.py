"""Business-hours calendars: a time zone, weekly opening hours, holidays and special days.

A :class:`Calendar` is an immutable, validated value that loads from plain data::

    {"timezone": "America/New_York",
     "hours": {"mon": [["09:00", "17:00"]], "sat": [["22:00", "06:00"]]},
     "holidays": ["2025-07-04"],
     "country_holidays": {"country": "US", "subdiv": "NY"},
     "overrides": {"2025-12-24": [["09:00", "13:00"]], "2025-12-31": []}}

and answers the business-time questions exactly (to the microsecond) in O(log n):

>>> from datetime import datetime, timedelta
>>> from zoneinfo import ZoneInfo
>>> cal = Calendar.weekdays("America/New_York", "09:00", "17:00")
>>> friday_4pm = datetime(2025, 3, 7, 16, 0, tzinfo=ZoneInfo("America/New_York"))
>>> cal.add(friday_4pm, timedelta(hours=2))  # 1h on Friday, 1h on Monday
datetime.datetime(2025, 3, 10, 10, 0, tzinfo=zoneinfo.ZoneInfo(key='America/New_York'))
>>> cal.elapsed(friday_4pm, datetime(2025, 3, 10, 10, 0, tzinfo=ZoneInfo("America/New_York")))
datetime.timedelta(seconds=7200)

The exact rules are in ``docs/semantics/calendars.md``.
"""

from __future__ import annotations

import warnings
from collections.abc import Mapping, Sequence
from datetime import date, datetime, timedelta
from functools import cached_property
from typing import Annotated, Any

from pydantic import ConfigDict, Field, field_validator, model_serializer

from slaclock._model import ValueModel
from slaclock._opening_hours import (
    MAX_SPANS_PER_DAY,
    WEEKDAYS,
    OpeningSpan,
    Season,
    Weekday,
    day_spans,
    month_day,
    opening_spans,
    weekly_hours,
)
from slaclock._tz import (
    MAX_INSTANT,
    check_in_range,
    from_micros,
    load_zone,
    local_to_micros,
    to_micros,
)
from slaclock.compiled_calendar import CompiledCalendar
from slaclock.durations import parse_duration
from slaclock.errors import ArgumentError, OutOfRangeError, PolicyError, value_text
from slaclock.holidays import CountryHolidays, country_holiday_dates

__all__ = [
    "ALWAYS_OPEN",
    "MAX_BUSINESS_DAYS",
    "MAX_SPANS_PER_DAY",
    "Calendar",
    "CountryHolidays",
    "OpeningSpan",
    "Season",
    "Weekday",
]

#: The most business days :meth:`Calendar.business_day_close` counts (about 14 years of
#: weekdays): it walks day by day, so the bound keeps every call fast.
MAX_BUSINESS_DAYS = 3660
_MAX_CLOSES = 4096


class Calendar(ValueModel):
    """A business-hours calendar: an IANA time zone, weekly hours, holidays and special days.

    Fields (all but ``timezone`` optional):

    - ``hours``: weekday (``"mon"`` .. ``"sun"``) -> list of ``[open, close]`` local times. A
      weekday not listed is closed. A span whose close is at or before its open runs into the next
      day; ``"24:00"`` is the end of the day. On input, keys such as ``"mon-fri"`` and values
      such as ``"09:00-12:00, 13:00-17:00"`` are accepted too.
    - ``holidays``: dates on which no span starts.
    - ``country_holidays``: ``{"country": "US", "subdiv": "NY"}``, read year by year on demand.
    - ``overrides``: date -> the spans of that date (``[]`` closes it); an override beats a
      holiday.
    - ``seasons``: weekly hours for part of every year (summer hours, a December schedule), each
      a :class:`Season`; on its dates they replace ``hours`` (holidays and overrides still win).

    >>> cal = Calendar(timezone="Europe/Berlin", hours={"mon-fri": "09:00-12:00, 13:00-17:00"})
    >>> cal.hours["mon"]
    (('09:00', '12:00'), ('13:00', '17:00'))
    >>> Calendar(timezone="Europe/Berlin", hours={"mon": [["09:00", "25:00"]]})
    Traceback (most recent call last):
    ...
    pydantic_core._pydantic_core.ValidationError: 1 validation error for Calendar
    hours
      Value error, hours['mon']: not a time of day: '25:00' - expected 00:00 to 23:59, or 24:00 for the end of the day [type=value_error, input_value={'mon': [['09:00', '25:00']]}, input_type=dict]
    ...
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    timezone: Annotated[str, Field(description="IANA time zone name, e.g. 'America/New_York'.")]
    hours: dict[Weekday, tuple[OpeningSpan, ...]] = Field(default_factory=dict)
    holidays: tuple[date, ...] = ()
    country_holidays: CountryHolidays | None = None
    overrides: dict[date, tuple[OpeningSpan, ...]] = Field(default_factory=dict)
    seasons: tuple[Season, ...] = ()

    @model_serializer(mode="wrap")
    def _without_empty_seasons(self, handler: Any) -> Any:
        # Calendars without seasons dump exactly as before seasons existed.
        data = handler(self)
        if not self.seasons and isinstance(data, dict):
            data.pop("seasons", None)
        return data

    # ------------------------------------------------------------------------------------------
    # Validation
    @field_validator("timezone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        load_zone(value)
        return value

    @field_validator("hours", mode="before")
    @classmethod
    def _expand_hours(cls, value: Any) -> dict[str, tuple[OpeningSpan, ...]]:
        return weekly_hours(value)

    @field_validator("overrides", mode="before")
    @classmethod
    def _check_overrides(cls, value: Any) -> dict[Any, tuple[OpeningSpan, ...]]:
        if not isinstance(value, Mapping):
            raise ValueError(
                f"overrides: not a mapping: {value!r} - expected {{'2025-12-24': [['09:00', '13:00']]}}"
            )
        return {
            day: opening_spans(day_spans(spans, f"overrides[{str(day)!r}]"))
            for day, spans in value.items()
        }

    @field_validator("holidays")
    @classmethod
    def _sorted_holidays(cls, value: tuple[date, ...]) -> tuple[date, ...]:
        return tuple(sorted(set(value)))

    # ------------------------------------------------------------------------------------------
    # Named constructors
    @classmethod
    def always_open(cls, timezone: str = "UTC") -> Calendar:
        """A 24x7 calendar: business time equals elapsed real time.

        >>> Calendar.always_open("Europe/Berlin").hours["sun"]
        (('00:00', '24:00'),)
        """
        return cls(timezone=timezone, hours={"daily": [["00:00", "24:00"]]})

    @classmethod
    def weekdays(
        cls,
        timezone: str,
        open: str = "09:00",
        close: str = "17:00",
        *,
        country: str | None = None,
        subdiv: str | None = None,
        holidays: Sequence[date | str] = (),
    ) -> Calendar:
        """A Monday-to-Friday calendar, open ``open``-``close``, with optional country holidays.

        >>> cal = Calendar.weekdays("America/New_York", country="US")
        >>> cal.hours["fri"], "sat" in cal.hours, cal.country_holidays.country
        ((('09:00', '17:00'),), False, 'US')
        """
        return cls.model_validate(
            {
                "timezone": timezone,
                "hours": {"mon-fri": [[open, close]]},
                "holidays": list(holidays),
                "country_holidays": {"country": country, "subdiv": subdiv} if country else None,
            }
        )

    # ------------------------------------------------------------------------------------------
    # The compiled form (built once per calendar value, on first use)
    @cached_property
    def compiled(self) -> CompiledCalendar:
        """The compiled form the arithmetic runs on (internal; built on first use)."""
        zone = load_zone(self.timezone)
        weekly = [day_spans(self.hours.get(day, ()), day) for day in WEEKDAYS]
        overrides = {day: day_spans(spans, str(day)) for day, spans in self.overrides.items()}
        explicit = frozenset(self.holidays)
        country = self.country_holidays

        if country is None:

            def closed_on(day: date) -> bool:
                return day in explicit
        else:
            code, subdiv = country.country, country.subdiv

            def closed_on(day: date) -> bool:
                return day in explicit or day in country_holiday_dates(code, subdiv, day.year)

        seasons = [
            (
                month_day(season.start),
                month_day(season.end),
                tuple(day_spans(season.hours.get(day, ()), day) for day in WEEKDAYS),
            )
            for season in self.seasons
        ]
        return CompiledCalendar(
            zone,
            weekly,
            overrides,
            closed_on,
            holidays_open_ended=country is not None,
            last_holiday=self.holidays[-1] if self.holidays else None,
            describe=self._describe(),
            seasons=seasons,
        )

    def _describe(self) -> str:
        hours = {day: [list(span) for span in spans] for day, spans in self.hours.items()}
        text = f"hours={hours}"
        if self.seasons:
            text += f" and {len(self.seasons)} season(s)"
        if not any(self.hours.values()) and not any(s.hours for s in self.seasons):
            text += " and no override opens a day" if not any(self.overrides.values()) else ""
        return text

    def __hash__(self) -> int:
        return self._hash

    @cached_property
    def _hash(self) -> int:
        # The hash of the canonical JSON form, computed once: the value is immutable.
        return hash(self.model_dump_json())

    # ------------------------------------------------------------------------------------------
    # Business-time arithmetic
    def elapsed(self, start: datetime, end: datetime) -> timedelta:
        """Business time in ``[start, end)``; negative when ``end < start``.

        >>> from zoneinfo import ZoneInfo
        >>> ny = ZoneInfo("America/New_York")
        >>> cal = Calendar.weekdays("America/New_York")
        >>> cal.elapsed(datetime(2025, 3, 7, 8, tzinfo=ny), datetime(2025, 3, 7, 10, tzinfo=ny))
        datetime.timedelta(seconds=3600)
        """
        return self.compiled.elapsed(start, end)

    def add(self, start: datetime, duration: timedelta | str) -> datetime:
        """The earliest instant ``t >= start`` with ``elapsed(start, t) == duration``.

        A negative duration goes backwards: the latest ``t <= start`` with
        ``elapsed(t, start) == -duration``. ``duration`` may be text such as ``"4h"``.
        The result carries ``start``'s tzinfo.

        >>> from zoneinfo import ZoneInfo
        >>> ny = ZoneInfo("America/New_York")
        >>> cal = Calendar.weekdays("America/New_York")
        >>> cal.add(datetime(2025, 3, 7, 9, tzinfo=ny), "8h")  # used up exactly at closing
        datetime.datetime(2025, 3, 7, 17, 0, tzinfo=zoneinfo.ZoneInfo(key='America/New_York'))
        """
        if type(duration) is not timedelta:
            duration = parse_duration(duration)
        return self.compiled.add(start, duration)

    def add_many(self, starts: Any, durations: Any) -> Any:
        """:meth:`add` for a whole column at once: each of ``starts`` plus the matching
        duration (or one duration for all), exact like :meth:`add`, vectorised (numpy).

        ``starts``: aware datetimes (a sequence, or an object column), a pandas
        Series/DatetimeIndex with a zone, or a numpy ``datetime64`` array (read as UTC);
        ``durations``: one ``timedelta``, text or whole seconds, a sequence of them, or a
        ``timedelta64`` column. The result comes back in the same kind of container (a list
        or object column keeps each start's tzinfo; a Series its zone and index; numpy:
        ``datetime64[us]``).

        >>> import numpy as np
        >>> cal = Calendar.weekdays("America/New_York")
        >>> starts = np.array(["2025-03-07T21:00", "2025-03-10T13:00"], "datetime64[us]")  # UTC
        >>> cal.add_many(starts, "2h")  # Fri 16:00 EST + 2h -> Mon 10:00 EDT; Mon 09:00 EDT + 2h
        array(['2025-03-10T14:00:00.000000', '2025-03-10T15:00:00.000000'],
              dtype='datetime64[us]')
        """
        from slaclock.bulk import add_many

        return add_many(self.compiled, starts, durations)

    def elapsed_many(self, starts: Any, ends: Any) -> Any:
        """:meth:`elapsed` for whole columns at once (pairs of ``starts`` and ``ends``), exact,
        vectorised (numpy); inputs and results as for :meth:`add_many` (durations come back as
        timedeltas, ``timedelta64[us]`` or a pandas timedelta Series).

        >>> from zoneinfo import ZoneInfo
        >>> ny = ZoneInfo("America/New_York")
        >>> cal = Calendar.weekdays("America/New_York")
        >>> cal.elapsed_many([datetime(2025, 3, 7, 16, tzinfo=ny)], [datetime(2025, 3, 10, 10, tzinfo=ny)])
        [datetime.timedelta(seconds=7200)]
        """
        from slaclock.bulk import elapsed_many

        return elapsed_many(self.compiled, starts, ends)

    def subtract(self, end: datetime, duration: timedelta | str) -> datetime:
        """The latest instant ``t <= end`` with ``elapsed(t, end) == duration`` (for ``duration >= 0``).

        >>> from zoneinfo import ZoneInfo
        >>> ny = ZoneInfo("America/New_York")
        >>> Calendar.weekdays("America/New_York").subtract(datetime(2025, 3, 10, 10, tzinfo=ny), "2h")
        datetime.datetime(2025, 3, 7, 16, 0, tzinfo=zoneinfo.ZoneInfo(key='America/New_York'))
        """
        return self.compiled.add(end, -parse_duration(duration))

    def is_open(self, t: datetime) -> bool:
        """Whether ``t`` lies inside an open span (spans are half-open: ``[open, close)``).

        >>> from zoneinfo import ZoneInfo
        >>> ny = ZoneInfo("America/New_York")
        >>> cal = Calendar.weekdays("America/New_York")
        >>> cal.is_open(datetime(2025, 3, 7, 9, tzinfo=ny)), cal.is_open(datetime(2025, 3, 7, 17, tzinfo=ny))
        (True, False)
        """
        return self.compiled.is_open(t)

    def next_open(self, t: datetime) -> datetime:
        """``t`` itself when open, else the instant the calendar next opens.

        >>> from zoneinfo import ZoneInfo
        >>> ny = ZoneInfo("America/New_York")
        >>> Calendar.weekdays("America/New_York").next_open(datetime(2025, 3, 8, 12, tzinfo=ny))
        datetime.datetime(2025, 3, 10, 9, 0, tzinfo=zoneinfo.ZoneInfo(key='America/New_York'))
        """
        return self.compiled.next_open(t)

    def next_close(self, t: datetime) -> datetime:
        """The end of the open span holding ``t``, or of the next one when closed at ``t``.

        >>> from zoneinfo import ZoneInfo
        >>> ny = ZoneInfo("America/New_York")
        >>> Calendar.weekdays("America/New_York").next_close(datetime(2025, 3, 7, 12, tzinfo=ny))
        datetime.datetime(2025, 3, 7, 17, 0, tzinfo=zoneinfo.ZoneInfo(key='America/New_York'))
        """
        return self.compiled.next_close(t)

    def open_intervals(self, start: datetime, end: datetime) -> list[tuple[datetime, datetime]]:
        """The open spans clipped to ``[start, end)``, as pairs of aware datetimes.

        >>> from zoneinfo import ZoneInfo
        >>> ny = ZoneInfo("America/New_York")
        >>> cal = Calendar.weekdays("America/New_York")
        >>> [(a.hour, b.hour) for a, b in cal.open_intervals(
        ...     datetime(2025, 3, 7, 12, tzinfo=ny), datetime(2025, 3, 10, 10, tzinfo=ny))]
        [(12, 17), (9, 10)]
        """
        return self.compiled.open_intervals(start, end)

    def business_day_close(self, start: datetime, days: int) -> datetime:
        """The close of the ``days``-th business day after ``start``'s local date (in
        ``start``'s tzinfo): the due instant of a target of ``days`` business days.

        A business day is a local date on which some open span starts; its close is the end of
        the last span that starts on it. ``days`` must be at least 1.

        >>> from zoneinfo import ZoneInfo
        >>> cal = Calendar.weekdays("Europe/Berlin")
        >>> friday = datetime(2025, 3, 7, 16, tzinfo=ZoneInfo("Europe/Berlin"))
        >>> cal.business_day_close(friday, 1).isoformat()  # Monday's close
        '2025-03-10T17:00:00+01:00'
        """
        check_in_range(start, "start")
        if isinstance(days, bool) or not isinstance(days, int):
            raise ArgumentError(
                f"business days: {days!r} - expected a whole number of days (an int)", value=days
            )
        if days < 1:
            raise PolicyError(
                f"business days: {value_text(days)} - expected at least 1", value=days
            )
        if days > MAX_BUSINESS_DAYS:
            raise OutOfRangeError(
                f"business days: {value_text(days)} - expected at most {MAX_BUSINESS_DAYS}",
                value=days,
            )
        zone = self.compiled.zone
        day = start.astimezone(zone).date()
        # The close depends only on the local date: kept on the calendar per (date, days).
        closes = self._business_day_closes
        close = closes.get((day, days))
        if close is None:
            close = self._find_business_day_close(start, day, days)
            if len(closes) >= _MAX_CLOSES:  # one entry per local date asked about: bounded
                closes.clear()
            closes[day, days] = close
        return close.astimezone(start.tzinfo)

    @cached_property
    def _business_day_closes(self) -> dict[tuple[date, int], datetime]:
        return {}

    def _find_business_day_close(self, start: datetime, day: date, days: int) -> datetime:
        zone = self.compiled.zone
        candidate = day + timedelta(days=1)
        found = 0
        for _ in range(days * 400 + 400):  # bounded: a business day comes at least once a year
            # Closed from the candidate's midnight until the next opening: no span starts on
            # the dates in between, so the next business day is at the opening's date or later.
            midnight = datetime(candidate.year, candidate.month, candidate.day, tzinfo=zone)
            opening = self.next_open(midnight).astimezone(zone).date()
            candidate = max(candidate, opening)
            close = self._last_close_on(candidate)
            if close is not None:
                found += 1
                if found == days:
                    return from_micros(close, zone)
            candidate += timedelta(days=1)
        raise PolicyError(f"no {days} business days found after {start.isoformat()}", value=days)

    def _last_close_on(self, day: date) -> int | None:
        """The end (UTC microseconds) of the last span starting on local date ``day``, or
        ``None`` when none does. Spans are read one by one, not from the merged open time: a
        span ending where the next day's begins (``00:00-24:00``, a night shift) still closes
        the day it starts on."""
        closes = self._day_closes  # kept per date: business days overlap from call to call
        if day in closes:
            return closes[day]
        zone = self.compiled.zone
        if local_to_micros(day, 86_400, zone) <= local_to_micros(day, 0, zone):
            return None  # a local date the zone skips (Pacific/Apia, 2011-12-30)
        ends = [
            stop
            for open_s, close_s in self.compiled.day_spans(day)
            if (stop := local_to_micros(day, close_s, zone)) > local_to_micros(day, open_s, zone)
        ]  # a span inside a DST gap resolves to nothing, as in the compiled table
        close = max(ends, default=None)
        if close is not None and close >= to_micros(MAX_INSTANT):
            raise OutOfRangeError(
                f"business days: the close of {day.isoformat()} is at or after "
                f"{MAX_INSTANT.isoformat()} - expected a result before then "
                "(see docs/reference/limits.md)",
                value=day,
            )
        if len(closes) >= _MAX_CLOSES:  # bounded, as _business_day_closes
            closes.clear()
        closes[day] = close
        return close

    @cached_property
    def _day_closes(self) -> dict[date, int | None]:
        return {}


#: The 24x7 calendar in UTC: business time is elapsed real time.
ALWAYS_OPEN = Calendar.always_open("UTC")


def __getattr__(name: str) -> Any:
    # Deprecated names, kept for one release.
    if name == "Span":
        warnings.warn(
            "slaclock.calendar.Span is deprecated: use slaclock.calendar.OpeningSpan "
            "(slaclock.Span is a piece of a cycle's clock trace)",
            DeprecationWarning,
            stacklevel=2,
        )
        return OpeningSpan
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
