"""iCalendar (``.ics``) holidays and closures, in and out (needs ``slaclock[ics]``).

Reading (:func:`closures_from_ics`, :func:`read_ics`): every ``VEVENT`` of the file is a closure,
recurring rules (``RRULE``, ``RDATE``, ``EXDATE``) expanded with ``recurring-ical-events`` over the
``years`` asked for:

- an all-day event (``DTSTART;VALUE=DATE``) closes each of its days: they become the calendar's
  ``holidays`` (``DTEND`` is exclusive, as RFC 5545 says);
- a timed event closes part of the days it touches: its instants (``TZID``, UTC ``Z``, or floating
  times read in the calendar's zone) are converted to the calendar's zone, and each touched day
  gets an ``override``: the day's opening hours minus the closure. A closure that misses the
  day's opening hours changes nothing.

Writing (:func:`closures_to_ics`): a calendar's closures of one year as an ``.ics`` file: an
all-day event per holiday (explicit or country) that would otherwise be open, and a timed event
(in the calendar's zone) per closed part of a day an override shortens.

A policy or calendar file names ``.ics`` files under a calendar's ``ics`` key, by a path relative
to the file (:func:`expand_ics` does it for the files layer)::

    calendar:
      timezone: Europe/Berlin
      hours: {mon-fri: "09:00-17:00"}
      ics: [team-holidays.ics]            # or {path: team-holidays.ics, years: [2024, 2030]}

>>> ics = '''BEGIN:VCALENDAR
... VERSION:2.0
... PRODID:-//example//EN
... BEGIN:VEVENT
... UID:new-year@example.com
... DTSTAMP:20240101T000000Z
... DTSTART;VALUE=DATE:20200101
... RRULE:FREQ=YEARLY
... SUMMARY:New Year
... END:VEVENT
... END:VCALENDAR
... '''
>>> from slaclock import Calendar
>>> closures = closures_from_ics(ics, Calendar.weekdays("Europe/Berlin"), years=(2025, 2026))
>>> closures.holidays
(datetime.date(2025, 1, 1), datetime.date(2026, 1, 1))
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta, timezone
from pathlib import Path
from types import MappingProxyType
from typing import Any
from zoneinfo import ZoneInfo

from slaclock._tz import MAX_INSTANT, MIN_INSTANT
from slaclock.calendar import Calendar
from slaclock.errors import SlaclockError
from slaclock.holidays import country_holiday_dates

__all__ = [
    "DEFAULT_YEARS",
    "IcsClosures",
    "IcsError",
    "closures_from_ics",
    "closures_to_ics",
    "expand_ics",
    "read_ics",
]

#: The years recurring rules are expanded over when none are given.
DEFAULT_YEARS = (2000, 2050)
#: The most occurrences a file may expand to over the years asked for (a daily rule over the
#: default 51 years is about 18,600): past it the file is refused, not expanded for minutes.
MAX_OCCURRENCES = 100_000
# The years of the supported range of instants (1970-01-01 up to 2200-01-01).
_FIRST_YEAR, _LAST_YEAR = MIN_INSTANT.year, MAX_INSTANT.year - 1
_WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
_DAY = 86_400


class IcsError(SlaclockError, ValueError):
    """An ``.ics`` file cannot be read or used (unreadable, or a closure the calendar cannot
    express).

    >>> issubclass(IcsError, ValueError)
    True
    """


@dataclass(frozen=True)
class IcsClosures:
    """What an ``.ics`` file closes: whole days (``holidays``) and the reduced opening hours of
    partly closed days (``overrides``, date -> spans as the calendar writes them).

    >>> IcsClosures(holidays=(date(2025, 1, 1),)).apply_to(Calendar.weekdays("UTC")).holidays
    (datetime.date(2025, 1, 1),)
    """

    holidays: tuple[date, ...] = ()
    overrides: Mapping[date, tuple[tuple[str, str], ...]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        object.__setattr__(self, "overrides", MappingProxyType(dict(self.overrides)))

    def apply_to(self, calendar: Calendar) -> Calendar:
        """A copy of ``calendar`` with these holidays added and these overrides set (the
        calendar's own overrides win: they are the more specific statement)."""
        return calendar.model_copy(
            update={
                "holidays": (*calendar.holidays, *self.holidays),
                "overrides": {**self.overrides, **calendar.overrides},
            }
        )


def _import_icalendar() -> tuple[Any, Any]:
    try:
        import icalendar
        import recurring_ical_events  # type: ignore[import-untyped,unused-ignore]
    except ImportError as exc:  # pragma: no cover - depends on the environment
        raise IcsError(
            "reading .ics files needs icalendar and recurring-ical-events - install slaclock[ics]"
        ) from exc
    return icalendar, recurring_ical_events


def _seconds(text: str) -> int:
    hour, minute, *rest = (int(part) for part in text.split(":"))
    return hour * 3600 + minute * 60 + (rest[0] if rest else 0)


def _clock(seconds: int) -> str:
    hour, rest = divmod(seconds, 3600)
    minute, second = divmod(rest, 60)
    return f"{hour:02d}:{minute:02d}" + (f":{second:02d}" if second else "")


def _day_spans(calendar: Calendar, day: date) -> list[tuple[int, int]]:
    """The day's opening spans in seconds after local midnight (close > 86400: next day)."""
    if day in calendar.overrides:
        spans = calendar.overrides[day]
    else:
        spans = calendar.hours.get(_WEEKDAYS[day.weekday()], ())  # type: ignore[call-overload]
    found = []
    for open_text, close_text in spans:
        open_s, close_s = _seconds(open_text), _seconds(close_text)
        found.append((open_s, close_s if close_s > open_s else close_s + _DAY))
    return found


def _subtract(spans: Sequence[tuple[int, int]], cut: tuple[int, int]) -> list[tuple[int, int]]:
    left: list[tuple[int, int]] = []
    for open_s, close_s in spans:
        if cut[1] <= open_s or close_s <= cut[0]:
            left.append((open_s, close_s))
            continue
        if open_s < cut[0]:
            left.append((open_s, cut[0]))
        if cut[1] < close_s:
            left.append((cut[1], close_s))
    return left


def _as_text(spans: Sequence[tuple[int, int]], day: date) -> tuple[tuple[str, str], ...]:
    out = []
    for open_s, close_s in spans:
        if open_s >= _DAY:
            raise IcsError(
                f"a closure on {day} cuts an overnight opening span at midnight: what is left "
                "opens on the next day, which an override of this day cannot say - expected "
                "closures that do not split overnight spans",
                value=day,
            )
        out.append((_clock(open_s), _clock(close_s if close_s <= _DAY else close_s - _DAY)))
    return tuple(out)


def _local(value: date | datetime, zone: ZoneInfo) -> datetime:
    """A timed DTSTART/DTEND as a naive wall-clock reading in the calendar's zone."""
    if not isinstance(value, datetime):
        return datetime.combine(value, time())
    if value.tzinfo is None:  # a floating time: read in the calendar's zone
        return value
    return value.astimezone(zone).replace(tzinfo=None)


def closures_from_ics(
    text: str | bytes,
    calendar: Calendar,
    *,
    years: tuple[int, int] = DEFAULT_YEARS,
    source: str = "<ics>",
) -> IcsClosures:
    """The closures an iCalendar text describes, for ``calendar`` (its zone and hours),
    recurring events expanded over ``years`` (first and last, inclusive).

    >>> ics = '''BEGIN:VCALENDAR
    ... VERSION:2.0
    ... PRODID:-//example//EN
    ... BEGIN:VEVENT
    ... UID:party@example.com
    ... DTSTAMP:20240101T000000Z
    ... DTSTART;TZID=Europe/Berlin:20251219T150000
    ... DTEND;TZID=Europe/Berlin:20251219T180000
    ... SUMMARY:Team party
    ... END:VEVENT
    ... END:VCALENDAR
    ... '''
    >>> dict(closures_from_ics(ics, Calendar.weekdays("Europe/Berlin"), years=(2025, 2025)).overrides)
    {datetime.date(2025, 12, 19): (('09:00', '15:00'),)}
    """
    _check_years(years, source)
    occurrences = _occurrences(text, years, source)
    zone = ZoneInfo(calendar.timezone)
    holidays: set[date] = set()
    cuts: dict[date, list[tuple[int, int]]] = {}
    for event in occurrences:
        if event.name != "VEVENT":
            continue
        start = event.get("DTSTART")
        if start is None:
            continue
        start_value = start.dt
        end = event.get("DTEND")
        if not isinstance(start_value, datetime):  # all-day: [start, end) in days
            end_value = end.dt if end is not None else start_value + timedelta(days=1)
            day = start_value
            while day < end_value:
                if years[0] <= day.year <= years[1]:
                    holidays.add(day)
                day += timedelta(days=1)
            continue
        if end is not None:
            end_value = end.dt
        elif event.get("DURATION") is not None:
            end_value = start_value + event.get("DURATION").dt
        else:
            end_value = start_value
        if not isinstance(end_value, datetime):  # a DATE end of a timed event: its midnight
            end_value = datetime.combine(end_value, time(), start_value.tzinfo)
        first, last = _local(start_value, zone), _local(end_value, zone)
        day = first.date()
        while datetime.combine(day, time()) < last:
            midnight = datetime.combine(day, time())
            cut = (
                max(0, int((first - midnight).total_seconds())),
                int((last - midnight).total_seconds()),
            )
            if years[0] <= day.year <= years[1] and cut[0] < cut[1]:  # not an empty closure
                cuts.setdefault(day, []).append(cut)
            day += timedelta(days=1)
    overrides: dict[date, tuple[tuple[str, str], ...]] = {}
    for day in sorted(cuts):
        if day in holidays:
            continue
        spans = _day_spans(calendar, day)
        left = spans
        for cut in cuts[day]:
            left = _subtract(left, cut)
        if left != spans:
            overrides[day] = _as_text(left, day)
    return IcsClosures(holidays=tuple(sorted(holidays)), overrides=overrides)


def _check_years(years: object, source: str, brackets: str = "()") -> None:
    """``years`` as (first, last) in the supported range, first <= last: a reversed range
    expanded nothing, and nothing said so. ``brackets``: how the caller writes the pair."""
    low, high = _FIRST_YEAR, _LAST_YEAR
    opening, closing = brackets[0], brackets[1]
    if (
        not isinstance(years, tuple | list)
        or len(years) != 2
        or not all(isinstance(y, int) and not isinstance(y, bool) for y in years)
        or not low <= years[0] <= years[1] <= high
    ):
        raise IcsError(
            f"{source}: years {years!r} - expected {opening}first, last{closing} with {low} <= "
            f"first <= last <= {high}, e.g. {opening}2024, 2030{closing}",
            value=years,
        )


def _occurrences(text: str | bytes, years: tuple[int, int], source: str) -> list[Any]:
    """The file's occurrences in ``years``, in order of start; at most MAX_OCCURRENCES."""
    icalendar, recurring = _import_icalendar()
    found: list[Any] = []
    try:
        parsed = icalendar.Calendar.from_ical(text)
        for event in parsed.walk("VEVENT"):
            _check_event(event, source)
        # after() yields in order of start, lazily: a rule that repeats every second stops
        # at the cap instead of expanding millions of occurrences first.
        for occurrence in recurring.of(parsed).after(datetime(years[0], 1, 1)):
            start = occurrence.get("DTSTART")
            if start is not None and start.dt.year > years[1]:
                break
            if len(found) == MAX_OCCURRENCES:
                raise IcsError(
                    f"{source}: more than {MAX_OCCURRENCES:,} occurrences in the years "
                    f"{years[0]}-{years[1]} (event {str(occurrence.get('UID', '?'))!r} "
                    "among them) - expected closures; narrow 'years' or the rule",
                    value=source,
                )
            found.append(occurrence)
    except IcsError:
        raise
    except KeyError as exc:  # a component without a property the rules need
        raise IcsError(
            f"{source}: not a readable iCalendar file: a component has no {exc.args[0]} property",
            value=source,
        ) from exc
    except Exception as exc:  # the parsers raise many kinds: report them as one
        raise IcsError(f"{source}: not a readable iCalendar file: {exc}", value=source) from exc
    return found


def _check_event(event: Any, source: str) -> None:
    """A timed closure must name a zone slaclock knows and end after it starts."""
    uid = str(event.get("UID", "?"))
    for name in ("DTSTART", "DTEND"):
        prop = event.get(name)
        if prop is None:
            continue
        tzid = prop.params.get("TZID")
        if tzid is not None and isinstance(prop.dt, datetime) and prop.dt.tzinfo is None:
            raise IcsError(
                f"{source}: event {uid!r}: {name} has an unknown time zone {tzid!r} - expected "
                "an IANA name such as 'Europe/Berlin' or a VTIMEZONE in the file",
                value=tzid,
            )
    start, end = event.get("DTSTART"), event.get("DTEND")
    if start is not None and end is not None:
        first, last = start.dt, end.dt
        if (
            type(first) is type(last)
            and (not isinstance(first, datetime) or (first.tzinfo is None) == (last.tzinfo is None))
            and last < first
        ):
            raise IcsError(
                f"{source}: event {uid!r}: DTEND {last.isoformat()} is before DTSTART "
                f"{first.isoformat()} - expected an end at or after the start",
                value=uid,
            )


def read_ics(
    path: str | Path, calendar: Calendar, *, years: tuple[int, int] = DEFAULT_YEARS
) -> IcsClosures:
    """The closures of an ``.ics`` file for ``calendar`` (see :func:`closures_from_ics`).

    >>> read_ics("no-such.ics", Calendar.weekdays("UTC"))
    Traceback (most recent call last):
    ...
    slaclock.ics.IcsError: no-such.ics: cannot read: No such file or directory
    """
    path = Path(path)
    if path.exists() and not path.is_file():  # /dev/zero would be read until memory runs out
        raise IcsError(f"{path}: not a regular file - expected an .ics file", value=str(path))
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise IcsError(f"{path}: cannot read: {exc.strerror}", value=str(path)) from exc
    return closures_from_ics(data, calendar, years=years, source=str(path))


def _ics_entries(value: Any, where: str) -> list[tuple[str, tuple[int, int]]]:
    items = value if isinstance(value, list) else [value]
    found = []
    for item in items:
        if isinstance(item, str):
            found.append((item, DEFAULT_YEARS))
        elif isinstance(item, Mapping) and isinstance(item.get("path"), str):
            years = item.get("years", DEFAULT_YEARS)
            _check_years(years, f"{where}.ics", "[]")  # as a policy file writes it
            found.append((item["path"], (years[0], years[1])))
        else:
            raise IcsError(
                f"{where}.ics: {item!r} - expected a path, or {{path: ..., years: [first, last]}}",
                value=item,
            )
    return found


def _expand_calendar(data: Any, base: Path, where: str) -> Any:
    if not isinstance(data, Mapping) or "ics" not in data:
        return data
    rest = {key: value for key, value in data.items() if key != "ics"}
    try:
        calendar = Calendar.model_validate(rest)
    except ValueError:
        return rest  # the calendar itself is invalid: the files layer reports that
    for name, years in _ics_entries(data["ics"], where):
        calendar = read_ics(base / name, calendar, years=years).apply_to(calendar)
    return {
        **rest,
        "holidays": [d.isoformat() for d in calendar.holidays],
        "overrides": {
            d.isoformat(): [list(span) for span in spans] for d, spans in calendar.overrides.items()
        },
    }


def expand_ics(data: Any, path: str | Path) -> Any:
    """Policy or calendar file data with each calendar's ``ics`` files read (paths relative to
    the file at ``path``) into its ``holidays`` and ``overrides``; other data unchanged.

    >>> expand_ics({"name": "p", "metrics": {}}, "policy.yaml")
    {'name': 'p', 'metrics': {}}
    """
    base = Path(path).parent
    if not isinstance(data, Mapping):
        return data
    out = dict(data)
    if "calendar" in out:
        out["calendar"] = _expand_calendar(out["calendar"], base, "calendar")
    if isinstance(out.get("calendars"), Mapping):
        out["calendars"] = {
            name: _expand_calendar(value, base, f"calendars.{name}")
            for name, value in out["calendars"].items()
        }
    if isinstance(out.get("policies"), list):
        out["policies"] = [expand_ics(p, path) for p in out["policies"]]
    if "timezone" in out and "ics" in out:  # a calendar file
        out = dict(_expand_calendar(out, base, "calendar"))
    return out


def _escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,")


def closures_to_ics(
    calendar: Calendar, year: int, *, name: str = "slaclock", stamp: datetime | None = None
) -> str:
    """The closures of ``calendar`` in ``year`` as iCalendar text: an all-day event per holiday
    on which the calendar would otherwise be open, and a timed event per closed part of a day an
    override shortens. ``stamp`` (the events' ``DTSTAMP``, default 1 January of ``year``, UTC)
    keeps the output the same for the same inputs.

    >>> cal = Calendar(timezone="Europe/Berlin", hours={"mon-fri": "09:00-17:00"},
    ...                holidays=["2025-12-25"], overrides={"2025-12-24": [["09:00", "13:00"]]})
    >>> text = closures_to_ics(cal, 2025)
    >>> [line for line in text.splitlines() if line.startswith(("DTSTART", "DTEND"))]
    ['DTSTART;TZID=Europe/Berlin:20251224T130000', 'DTEND;TZID=Europe/Berlin:20251224T170000', 'DTSTART;VALUE=DATE:20251225', 'DTEND;VALUE=DATE:20251226']
    """
    stamp = stamp or datetime(year, 1, 1, tzinfo=timezone.utc)
    stamp_text = stamp.astimezone(timezone.utc).strftime("%Y%m%dT%H%M%SZ")
    country = calendar.country_holidays
    closed = {d for d in calendar.holidays if d.year == year}
    if country is not None:
        closed |= country_holiday_dates(country.country, country.subdiv, year)
    zone = calendar.timezone
    events: list[tuple[date, list[str]]] = []
    day = date(year, 1, 1)
    while day.year == year:
        weekly = calendar.hours.get(_WEEKDAYS[day.weekday()], ())  # type: ignore[call-overload]
        normal = [(_seconds(o), _seconds(c) if _seconds(c) > _seconds(o) else _seconds(c) + _DAY)
                  for o, c in weekly]  # fmt: skip
        uid = f"{day.isoformat()}-{{n}}@{_escape(name)}"
        if day in calendar.overrides:
            remaining = _day_spans(calendar, day)
            gaps = normal
            for span in remaining:
                gaps = _subtract(gaps, span)
            if remaining == [] and normal:
                events.append((day, _all_day(day, uid.format(n=0), stamp_text)))
            else:
                for n, (open_s, close_s) in enumerate(gaps):
                    start = datetime.combine(day, time()) + timedelta(seconds=open_s)
                    end = datetime.combine(day, time()) + timedelta(seconds=close_s)
                    events.append(
                        (
                            day,
                            [
                                "BEGIN:VEVENT",
                                f"UID:{uid.format(n=n)}",
                                f"DTSTAMP:{stamp_text}",
                                f"DTSTART;TZID={zone}:{start:%Y%m%dT%H%M%S}",
                                f"DTEND;TZID={zone}:{end:%Y%m%dT%H%M%S}",
                                "SUMMARY:Closed",
                                "END:VEVENT",
                            ],
                        )
                    )
        elif day in closed and normal:
            events.append((day, _all_day(day, uid.format(n=0), stamp_text)))
        day += timedelta(days=1)
    lines = ["BEGIN:VCALENDAR", "VERSION:2.0", f"PRODID:-//{_escape(name)}//slaclock//EN"]
    for _day, block in events:
        lines.extend(block)
    lines.append("END:VCALENDAR")
    return "\r\n".join(lines) + "\r\n"


def _all_day(day: date, uid: str, stamp: str) -> list[str]:
    return [
        "BEGIN:VEVENT",
        f"UID:{uid}",
        f"DTSTAMP:{stamp}",
        f"DTSTART;VALUE=DATE:{day:%Y%m%d}",
        f"DTEND;VALUE=DATE:{day + timedelta(days=1):%Y%m%d}",
        "SUMMARY:Closed",
        "TRANSP:OPAQUE",
        "END:VEVENT",
    ]
