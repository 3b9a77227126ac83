"""Opening hours as written in a calendar: weekdays, opening spans, weekly hours and seasons.

This is where the text a user writes (``{"mon-fri": "09:00-12:00, 13:00-17:00"}``, an overnight
``["22:00", "06:00"]``, ``"24:00"`` for the end of the day) is checked and read into spans of
seconds after local midnight, the form :class:`~slaclock.compiled_calendar.CompiledCalendar`
compiles. :class:`~slaclock.calendar.Calendar` validates its fields with these functions; the
public names are re-exported from :mod:`slaclock.calendar`.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import date
from typing import Any, Literal

from pydantic import ConfigDict, Field, field_validator

from slaclock._model import ValueModel
from slaclock._open_table import DaySpans

__all__ = [
    "MAX_SPANS_PER_DAY",
    "WEEKDAYS",
    "OpeningSpan",
    "Season",
    "Weekday",
    "day_spans",
    "month_day",
    "opening_spans",
    "weekly_hours",
]

#: A day of the week as written in ``hours`` (``mon`` ... ``sun``; ranges like ``mon-fri`` too).
Weekday = Literal["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
WEEKDAYS: tuple[Weekday, ...] = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
#: One opening span: local wall-clock ``(open, close)``, e.g. ``("09:00", "17:00")``.
#: (Called ``Span`` before 0.2; ``slaclock.Span`` is a piece of a cycle's clock trace.)
OpeningSpan = tuple[str, str]

#: The accepted names of each weekday: "mon" and "monday" (any case); nothing else.
_WEEKDAY_NAMES: dict[str, Weekday] = {
    **{day: day for day in WEEKDAYS},
    **dict(
        zip(
            ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"), WEEKDAYS
        )
    ),
}
#: The most opening spans one day may have: a calendar's compiled table holds every span of
#: every day it covers, so its size (and first-use cost) grows with this.
MAX_SPANS_PER_DAY = 24
_CLOCK = re.compile(r"(\d{1,2}):(\d{2})(?::(\d{2}))?")
_EXPECTED_SPAN = "expected [open, close] times such as ['09:00', '17:00']"


def _parse_clock(text: object, where: str) -> int:
    """Seconds after midnight of ``"HH:MM"`` / ``"HH:MM:SS"`` (``"24:00"`` is 86400)."""
    match = _CLOCK.fullmatch(text.strip()) if isinstance(text, str) else None
    if match is None:
        raise ValueError(f"{where}: not a time of day: {text!r} - expected 'HH:MM' such as '09:00'")
    hour, minute, second = int(match[1]), int(match[2]), int(match[3] or 0)
    if minute > 59 or second > 59 or hour > 24 or (hour == 24 and (minute or second)):
        raise ValueError(
            f"{where}: not a time of day: {text!r} - expected 00:00 to 23:59, or 24:00 for the "
            "end of the day"
        )
    return hour * 3600 + minute * 60 + second


def _format_clock(seconds: int) -> str:
    hour, rest = divmod(seconds, 3600)
    minute, second = divmod(rest, 60)
    return f"{hour:02d}:{minute:02d}" + (f":{second:02d}" if second else "")


def _span_items(value: object, where: str) -> list[object]:
    """The spans of one day, from a list or from text such as ``"09:00-12:00, 13:00-17:00"``."""
    if isinstance(value, str):
        text = value.strip()
        if text.lower() in ("", "closed"):
            return []
        return [part.split("-") for part in text.split(",")]
    if isinstance(value, (list, tuple)):
        return list(value)
    raise ValueError(f"{where}: not a list of spans: {value!r} - {_EXPECTED_SPAN}")


def day_spans(value: object, where: str) -> DaySpans:
    """Validated spans of one day as (open, close) seconds; close > 86400 runs into the next day."""
    spans: list[tuple[int, int]] = []
    items = _span_items(value, where)
    if len(items) > MAX_SPANS_PER_DAY:
        raise ValueError(
            f"{where}: {len(items)} spans in one day - expected at most {MAX_SPANS_PER_DAY}"
        )
    for item in items:
        if isinstance(item, str) and "-" in item:
            item = item.split("-")
        if not isinstance(item, (list, tuple)) or len(item) != 2:
            raise ValueError(f"{where}: not a span: {item!r} - {_EXPECTED_SPAN}")
        open_s = _parse_clock(item[0], where)
        close_s = _parse_clock(item[1], where)
        if open_s == 86_400:
            raise ValueError(
                f"{where}: a span cannot open at 24:00: {list(item)!r} - {_EXPECTED_SPAN}"
            )
        if close_s <= open_s:
            close_s += 86_400  # an overnight span runs into the next day
        if spans and open_s < spans[-1][1]:
            previous = spans[-1]
            problem = "overlap" if open_s >= previous[0] else "are not in order"
            raise ValueError(
                f"{where}: spans {problem}: {_span_text(previous)} and {_span_text((open_s, close_s))}"
                " - expected ordered, non-overlapping spans"
            )
        spans.append((open_s, close_s))
    return tuple(spans)


def _span_text(span: tuple[int, int]) -> str:
    return f"{_format_clock(span[0])}-{_format_clock(span[1] % 86_400 or span[1])}"


def opening_spans(spans: DaySpans) -> tuple[OpeningSpan, ...]:
    """Spans of seconds back as the text a calendar keeps (``(("09:00", "17:00"),)``)."""
    return tuple(
        (_format_clock(open_s), _format_clock(close_s if close_s <= 86_400 else close_s - 86_400))
        for open_s, close_s in spans
    )


def _day_keys(key: object) -> list[Weekday]:
    """Weekdays named by a key: ``"mon"``, ``"mon-fri"``, ``"sat,sun"``, ``"daily"``."""
    if not isinstance(key, str):
        raise ValueError(f"hours: unknown weekday: {key!r} - expected one of {', '.join(WEEKDAYS)}")
    text = key.strip().lower()
    if text in ("daily", "everyday", "all"):
        return list(WEEKDAYS)
    days: list[Weekday] = []
    for part in text.split(","):
        names = [_WEEKDAY_NAMES.get(name.strip(), "") for name in part.split("-")]
        if any(name not in WEEKDAYS for name in names) or len(names) > 2:
            raise ValueError(
                f"hours: unknown weekday: {key!r} - expected one of {', '.join(WEEKDAYS)} (or "
                "the full names 'monday' .. 'sunday'), a range such as 'mon-fri', a list such "
                "as 'sat,sun', or 'daily'"
            )
        first = WEEKDAYS.index(names[0])  # type: ignore[arg-type,unused-ignore]
        last = WEEKDAYS.index(names[-1])  # type: ignore[arg-type,unused-ignore]
        count = (last - first) % 7 + 1
        days.extend(WEEKDAYS[(first + k) % 7] for k in range(count))
    return days


def weekly_hours(value: Any) -> dict[str, tuple[OpeningSpan, ...]]:
    """Weekly hours as written (``{"mon-fri": "09:00-17:00"}``) -> weekday -> spans, checked."""
    if not isinstance(value, Mapping):
        raise ValueError(
            f"hours: not a mapping: {value!r} - expected e.g. {{'mon': [['09:00', '17:00']]}}"
        )
    seconds: dict[Weekday, DaySpans] = {}
    for key, spans in value.items():
        for day in _day_keys(key):
            if day in seconds:
                raise ValueError(
                    f"hours: {day!r} is given twice (in key {key!r}) - expected each weekday once"
                )
            seconds[day] = day_spans(spans, f"hours[{day!r}]")
    _check_overnight(seconds)
    return {day: opening_spans(seconds[day]) for day in WEEKDAYS if day in seconds}


_MONTH_DAY = re.compile(r"(\d\d)-(\d\d)")


def month_day(text: str) -> int:
    """``"MM-DD"`` as the number ``MM * 100 + DD`` (``"02-29"`` is allowed: leap years).

    >>> month_day("06-01"), month_day("12-24")
    (601, 1224)
    """
    problem = f"not a day of the year: {text!r} - expected 'MM-DD', e.g. '06-01'"
    found = _MONTH_DAY.fullmatch(text) if isinstance(text, str) else None
    if found is None:
        raise ValueError(problem)
    month, day = int(found[1]), int(found[2])
    try:
        date(2000, month, day)  # 2000 is a leap year
    except ValueError:
        raise ValueError(problem) from None
    return month * 100 + day


class Season(ValueModel):
    """Weekly hours that apply between two days of every year (``start`` and ``end``, both
    ``"MM-DD"`` and included; a season may run over the new year, ``"12-15"`` to ``"01-15"``).

    On the local dates of a season its ``hours`` replace the calendar's weekly hours (a weekday
    it does not list is closed); holidays and per-date ``overrides`` still win. When seasons
    overlap, the first one listed applies.

    >>> summer = Season(start="07-01", end="08-31", hours={"mon-fri": "08:00-14:00"})
    >>> summer.hours["fri"], summer.covers(date(2025, 8, 31)), summer.covers(date(2025, 9, 1))
    ((('08:00', '14:00'),), True, False)
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    start: str
    end: str
    hours: dict[Weekday, tuple[OpeningSpan, ...]] = Field(default_factory=dict)

    @field_validator("start", "end")
    @classmethod
    def _day_of_year(cls, value: str) -> str:
        month_day(value)
        return value

    @field_validator("hours", mode="before")
    @classmethod
    def _expand_hours(cls, value: Any) -> dict[str, tuple[OpeningSpan, ...]]:
        return weekly_hours(value)

    def covers(self, day: date) -> bool:
        """Whether the season applies on the local date ``day``."""
        first, last, key = month_day(self.start), month_day(self.end), day.month * 100 + day.day
        return first <= key <= last if first <= last else key >= first or key <= last


def _check_overnight(seconds: Mapping[Weekday, DaySpans]) -> None:
    """An overnight span must end before the next day's first span opens."""
    for index, day in enumerate(WEEKDAYS):
        spans = seconds.get(day, ())
        if not spans or spans[-1][1] <= 86_400:
            continue
        following = WEEKDAYS[(index + 1) % 7]
        next_spans = seconds.get(following, ())
        if next_spans and next_spans[0][0] < spans[-1][1] - 86_400:
            raise ValueError(
                f"hours[{day!r}]: span {_span_text(spans[-1])} runs into {following}'s span "
                f"{_span_text(next_spans[0])} - expected an overnight span to end before the next "
                "day opens"
            )
