"""Call-centre service level for live channels: "X% of contacts answered within T seconds".

A :class:`Contact` is offered at an instant and then either answered or abandoned.
:func:`service_level` counts contacts per interval (15, 30 or 60 minutes, or a day, in a time
zone) and computes the service level with a named treatment of abandoned contacts, the
abandonment rate and the average speed of answer. :func:`bands` rates each interval against a
target. The formulas are written out in ``docs/reference/reports.md``.

>>> from datetime import datetime, timezone
>>> def at(minute, second=0):
...     return datetime(2025, 3, 4, 9, minute, second, tzinfo=timezone.utc)
>>> contacts = [Contact(offered_at=at(0), answered_at=at(0, 10)),    # answered in 10 s
...             Contact(offered_at=at(1), answered_at=at(1, 40)),    # answered in 40 s
...             Contact(offered_at=at(2), abandoned_at=at(2, 5)),    # abandoned after 5 s
...             Contact(offered_at=at(3), abandoned_at=at(4))]       # abandoned after 60 s
>>> report = service_level(contacts, threshold="20s", interval="30min", abandons="failures")
>>> row = report.rows[0]
>>> row.start.isoformat(), row.answered, row.abandoned, row.service_level  # 1 / (2 + 2)
('2025-03-04T09:00:00+00:00', 2, 2, 0.25)
>>> service_level(contacts, threshold="20s", abandons="excluded_within_threshold").rows[0].service_level
0.3333333333333333
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone, tzinfo
from fractions import Fraction
from typing import Any, Literal

from pydantic import (
    AwareDatetime,
    BaseModel,
    ConfigDict,
    ValidationInfo,
    field_validator,
    model_validator,
)

from slaclock._tz import (
    MAX_DURATION,
    MICROS_PER_SECOND,
    check_in_range,
    from_micros,
    load_zone,
    local_to_micros,
    timedelta_to_micros,
    to_micros,
)
from slaclock.durations import parse_duration
from slaclock.errors import ArgumentError, OutOfRangeError

__all__ = [
    "AbandonTreatment",
    "Band",
    "Contact",
    "Interval",
    "IntervalRow",
    "ServiceLevelReport",
    "bands",
    "service_level",
]

#: How abandoned contacts enter the service level (formulas in ``docs/reference/reports.md``):
#: ``ignored`` a/N; ``failures`` a/(N+A); ``successes`` (a+A)/(N+A);
#: ``excluded_within_threshold`` a/(N+A-b); ``short_abandon`` a/(N+A-s).
AbandonTreatment = Literal[
    "ignored", "failures", "successes", "excluded_within_threshold", "short_abandon"
]
#: Interval lengths: 15, 30 or 60 minutes of local wall-clock time, or a local day.
Interval = Literal["15min", "30min", "60min", "day"]
#: An interval's rating against the target (``no_contacts`` when it has no service level).
Band = Literal["on_target", "warning", "act", "all_hands", "no_contacts"]

_MINUTES: Mapping[str, int] = {"15min": 15, "30min": 30, "60min": 60}
_TREATMENTS = ("ignored", "failures", "successes", "excluded_within_threshold", "short_abandon")
_QUARTER = 15 * 60 * MICROS_PER_SECOND


class Contact(BaseModel):
    """A live contact (call, chat): offered at an instant, then answered or abandoned.

    Exactly one of ``answered_at`` and ``abandoned_at``, not before ``offered_at``.

    >>> Contact(offered_at="2025-03-04T09:00:00Z", answered_at="2025-03-04T08:59:00Z")
    Traceback (most recent call last):
    ...
    pydantic_core._pydantic_core.ValidationError: 1 validation error for Contact
      Value error, contact answered before it was offered: answered_at 2025-03-04T08:59:00+00:00 < offered_at 2025-03-04T09:00:00+00:00 - expected answered_at >= offered_at [type=value_error, input_value={'offered_at': '2025-03-0...'2025-03-04T08:59:00Z'}, input_type=dict]
    ...
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    offered_at: AwareDatetime
    answered_at: AwareDatetime | None = None
    abandoned_at: AwareDatetime | None = None
    id: str | None = None
    queue: str | None = None

    @field_validator("offered_at", "answered_at", "abandoned_at")
    @classmethod
    def _in_range(cls, value: datetime | None, info: ValidationInfo) -> datetime | None:
        return None if value is None else check_in_range(value, str(info.field_name))

    @model_validator(mode="after")
    def _one_outcome(self) -> Contact:
        if (self.answered_at is None) == (self.abandoned_at is None):
            raise ArgumentError(
                f"contact{'' if self.id is None else ' ' + repr(self.id)} needs exactly one of "
                "'answered_at' and 'abandoned_at' - expected e.g. {'offered_at': ..., "
                "'answered_at': ...}"
            )
        end = self.answered_at or self.abandoned_at
        assert end is not None
        if to_micros(end) < to_micros(self.offered_at):
            name = "answered" if self.answered_at is not None else "abandoned"
            raise ArgumentError(
                f"contact {name} before it was offered: {name}_at {end.isoformat()} < "
                f"offered_at {self.offered_at.isoformat()} - expected {name}_at >= offered_at"
            )
        return self

    @property
    def wait(self) -> timedelta:
        """Time from offered to answered or abandoned."""
        end = self.answered_at or self.abandoned_at
        assert end is not None
        # In UTC: two datetimes sharing a tzinfo subtract by wall clock (wrong across DST).
        return end.astimezone(timezone.utc) - self.offered_at.astimezone(timezone.utc)


@dataclass(frozen=True, slots=True)
class IntervalRow:
    """One interval's counts and figures.

    ``answered`` (N), ``answered_within`` (a: waited at most the threshold), ``abandoned`` (A),
    ``abandoned_within`` (b: abandoned within the threshold), ``short_abandoned`` (s: abandoned
    in less than the short-abandon cut-off), ``wait_answered`` (total wait of answered contacts).

    >>> start = datetime(2025, 3, 4, 9, tzinfo=timezone.utc)
    >>> row = IntervalRow(start, start + timedelta(minutes=30), answered=8, answered_within=6,
    ...                   abandoned=2, abandoned_within=1, short_abandoned=0,
    ...                   wait_answered=timedelta(seconds=160), treatment="failures")
    >>> row.offered, row.service_level, row.abandonment_rate  # 6 / (8 + 2); 2 / (8 + 2)
    (10, 0.6, 0.2)
    >>> row.average_speed_of_answer  # 160 s / 8
    datetime.timedelta(seconds=20)
    """

    start: datetime
    end: datetime
    answered: int
    answered_within: int
    abandoned: int
    abandoned_within: int
    short_abandoned: int
    wait_answered: timedelta
    treatment: AbandonTreatment

    @property
    def offered(self) -> int:
        """Contacts offered: ``N + A``."""
        return self.answered + self.abandoned

    def service_level_fraction(self) -> Fraction | None:
        """The exact service level (``None`` when the denominator is zero)."""
        n, a, ab = self.answered, self.answered_within, self.abandoned
        if self.treatment == "ignored":
            top, bottom = a, n
        elif self.treatment == "failures":
            top, bottom = a, n + ab
        elif self.treatment == "successes":
            top, bottom = a + ab, n + ab
        elif self.treatment == "excluded_within_threshold":
            top, bottom = a, n + ab - self.abandoned_within
        else:
            top, bottom = a, n + ab - self.short_abandoned
        return None if bottom == 0 else Fraction(top, bottom)

    @property
    def service_level(self) -> float | None:
        """The service level as a share in [0, 1] (``None``: no contact counts)."""
        value = self.service_level_fraction()
        return None if value is None else float(value)

    @property
    def abandonment_rate(self) -> float | None:
        """``A / (N + A)`` (``None`` with no contacts)."""
        return None if self.offered == 0 else self.abandoned / self.offered

    @property
    def average_speed_of_answer(self) -> timedelta | None:
        """Mean wait of answered contacts, ``wait_answered / N`` (to the microsecond)."""
        if self.answered == 0:
            return None
        total = timedelta_to_micros(self.wait_answered)
        return timedelta(microseconds=(2 * total + self.answered) // (2 * self.answered))


@dataclass(frozen=True)
class ServiceLevelReport:
    """Service level per interval (``rows``, in time order) and the settings that made it.

    >>> at = datetime(2025, 3, 4, 9, tzinfo=timezone.utc)
    >>> report = service_level(
    ...     [Contact(offered_at=at, answered_at=at + timedelta(seconds=15)),
    ...      Contact(offered_at=at + timedelta(minutes=40), answered_at=at + timedelta(minutes=41))],
    ...     threshold="20s", interval="30min")
    >>> [(row.start.strftime("%H:%M"), row.answered, row.service_level) for row in report.rows]
    [('09:00', 1, 1.0), ('09:30', 1, 0.0)]
    >>> report.total().service_level  # 1 of 2 answered within 20 s
    0.5
    """

    threshold: timedelta
    interval: Interval
    abandons: AbandonTreatment
    short_abandon: timedelta | None
    by_end: bool
    timezone: tzinfo
    rows: list[IntervalRow]

    def total(self) -> IntervalRow:
        """Every interval added up (the whole period's figures)."""
        start = self.rows[0].start if self.rows else from_micros(0, self.timezone)
        end = self.rows[-1].end if self.rows else start
        sums = [0, 0, 0, 0, 0]
        wait = timedelta(0)
        for row in self.rows:
            for i, value in enumerate(
                (
                    row.answered,
                    row.answered_within,
                    row.abandoned,
                    row.abandoned_within,
                    row.short_abandoned,
                )
            ):
                sums[i] += value
            wait += row.wait_answered
        return IntervalRow(
            start, end, sums[0], sums[1], sums[2], sums[3], sums[4], wait, self.abandons
        )

    def to_table(self, target: float | None = None) -> str:
        """A plain-text table; with ``target``, a band column from :func:`bands`."""
        from slaclock.tables import Percent, Table

        rated = bands(self, target=target) if target is not None else None
        rows = []
        for i, row in enumerate(self.rows):
            share = row.service_level
            rate = row.abandonment_rate
            asa = row.average_speed_of_answer
            data: dict[str, Any] = {
                "interval": row.start.strftime("%Y-%m-%d %H:%M"),
                "offered": row.offered,
                "answered": row.answered,
                "within": row.answered_within,
                "abandoned": row.abandoned,
                "service_level": None if share is None else Percent(share),
                "abandon_rate": None if rate is None else Percent(rate),
                "asa_seconds": None if asa is None else asa.total_seconds(),
            }
            if rated is not None:
                data["band"] = rated[i][1]
            rows.append(data)
        columns = (
            "interval",
            "offered",
            "answered",
            "within",
            "abandoned",
            "service_level",
            "abandon_rate",
            "asa_seconds",
            *(("band",) if rated is not None else ()),
        )
        return Table(columns, rows).to_table()

    def __str__(self) -> str:
        return self.to_table()


def _as_duration(value: timedelta | str | int | float, name: str) -> timedelta:
    if isinstance(value, timedelta):
        result = value
    elif isinstance(value, str):
        result = parse_duration(value)
    elif isinstance(value, (int, float)) and not isinstance(value, bool):
        if not math.isfinite(value):
            raise ArgumentError(f"{name}: {value!r} - expected a finite number of seconds")
        if abs(value) > MAX_DURATION.total_seconds():
            raise OutOfRangeError(
                f"{name}: {value!r} seconds - expected at most {MAX_DURATION.days} days",
                value=value,
            )
        result = timedelta(seconds=value)
    else:
        raise ArgumentError(
            f"{name}: {value!r} - expected a duration such as '20s' or 20 (seconds)"
        )
    if result < timedelta(0):
        raise ArgumentError(f"{name}: negative duration {result} - expected >= 0")
    return result


class _Bucketer:
    """Instants (UTC microseconds) -> interval start (UTC microseconds), in a zone."""

    def __init__(self, zone: tzinfo, interval: Interval) -> None:
        self.zone = zone
        self.minutes = _MINUTES.get(interval)
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
        if self.minutes is not None:
            return start + self.minutes * 60 * MICROS_PER_SECOND
        day = from_micros(start, self.zone).date() + timedelta(days=1)
        return local_to_micros(day, 0, self.zone)


def service_level(
    contacts: Iterable[Contact | Mapping[str, Any]],
    *,
    threshold: timedelta | str | int | float = 20,
    interval: Interval = "30min",
    abandons: AbandonTreatment = "ignored",
    short_abandon: timedelta | str | int | float | None = None,
    by_end: bool = False,
    timezone: str | tzinfo = "UTC",
    start: datetime | None = None,
    end: datetime | None = None,
) -> ServiceLevelReport:
    """Service level per interval: the share of contacts answered within ``threshold``
    (``wait <= threshold``; a number is seconds), with abandoned contacts treated as
    ``abandons`` says (see :data:`AbandonTreatment`; ``short_abandon`` needs the
    ``short_abandon`` cut-off: abandons with ``wait < short_abandon`` are removed).

    A contact belongs to the interval in which it is *offered*; ``by_end=True`` uses the
    instant it was answered or abandoned instead. Intervals are local wall-clock intervals of
    ``timezone`` (an IANA name or a tzinfo; ``UTC`` by default). With ``start`` and ``end``,
    every interval in ``[start, end)`` is listed (those without contacts have no service level)
    and contacts outside are left out; otherwise only intervals with contacts are listed.

    >>> at = datetime(2025, 3, 4, 9, tzinfo=timezone.utc)
    >>> calls = [{"offered_at": at, "answered_at": at + timedelta(seconds=30)},
    ...          {"offered_at": at, "abandoned_at": at + timedelta(seconds=3)}]
    >>> [service_level(calls, threshold=20, abandons=a).rows[0].service_level
    ...  for a in ("ignored", "successes")]  # 0 / 1; (0 + 1) / (1 + 1)
    [0.0, 0.5]
    """
    threshold_td = _as_duration(threshold, "threshold")
    if abandons not in _TREATMENTS:
        raise ArgumentError(
            f"abandons: unknown treatment {abandons!r} - expected one of {list(_TREATMENTS)}"
        )
    if interval not in ("15min", "30min", "60min", "day"):
        raise ArgumentError(
            f"interval: unknown interval {interval!r} - expected '15min', '30min', '60min' or 'day'"
        )
    short_td: timedelta | None = None
    if abandons == "short_abandon":
        if short_abandon is None:
            raise ArgumentError(
                "short_abandon: abandons='short_abandon' needs the cut-off - expected e.g. "
                "short_abandon='5s'"
            )
        short_td = _as_duration(short_abandon, "short_abandon")
    elif short_abandon is not None:
        short_td = _as_duration(short_abandon, "short_abandon")
    zone = load_zone(timezone) if isinstance(timezone, str) else timezone
    lo = hi = None
    if start is not None or end is not None:
        if start is None or end is None:
            raise ArgumentError("start and end: give both or neither")
        lo = to_micros(check_in_range(start, "start"))
        hi = to_micros(check_in_range(end, "end"))
        if hi <= lo:
            raise ArgumentError(
                f"empty range of intervals: start {start.isoformat()} >= end {end.isoformat()} - "
                "expected start < end"
            )
    limit = timedelta_to_micros(threshold_td)
    short = -1 if short_td is None else timedelta_to_micros(short_td)
    bucketer = _Bucketer(zone, interval)
    # start -> [answered, answered_within, abandoned, abandoned_within, short, wait_answered]
    counts: dict[int, list[int]] = {}
    for item in contacts:
        contact = item if isinstance(item, Contact) else Contact.model_validate(item)
        offered = to_micros(contact.offered_at)
        answered = contact.answered_at
        finished = to_micros(answered if answered is not None else contact.abandoned_at)  # type: ignore[arg-type]
        t = finished if by_end else offered
        if lo is not None and hi is not None and not lo <= t < hi:
            continue
        key = bucketer.start(t)
        row = counts.get(key)
        if row is None:
            row = counts[key] = [0, 0, 0, 0, 0, 0]
        wait = finished - offered
        if answered is not None:
            row[0] += 1
            row[5] += wait
            if wait <= limit:
                row[1] += 1
        else:
            row[2] += 1
            if wait <= limit:
                row[3] += 1
            if wait < short:
                row[4] += 1
    if lo is not None and hi is not None:
        key = bucketer.start(lo)
        while key < hi:
            counts.setdefault(key, [0, 0, 0, 0, 0, 0])
            key = bucketer.end(key)
    rows = [
        IntervalRow(
            from_micros(key, zone),
            from_micros(bucketer.end(key), zone),
            c[0],
            c[1],
            c[2],
            c[3],
            c[4],
            timedelta(microseconds=c[5]),
            abandons,
        )
        for key, c in sorted(counts.items())
    ]
    return ServiceLevelReport(threshold_td, interval, abandons, short_td, by_end, zone, rows)


def bands(
    report: ServiceLevelReport,
    *,
    target: float = 0.8,
    warning: float = 5,
    act: float = 10,
) -> list[tuple[IntervalRow, Band]]:
    """Rate each interval against ``target`` (a share, ``0.8`` for 80 %), in percentage points
    below it: ``on_target`` (at or above), ``warning`` (more than 0 and at most ``warning``
    points below), ``act`` (more than ``warning``, at most ``act`` points below), ``all_hands``
    (more than ``act`` points below); ``no_contacts`` when the interval has no service level.
    Compared exactly (no float rounding at the edges).

    >>> from datetime import datetime, timezone
    >>> t = datetime(2025, 3, 4, 9, tzinfo=timezone.utc)
    >>> calls = [Contact(offered_at=t, answered_at=t + timedelta(seconds=s)) for s in (5, 10, 15, 30, 60)]
    >>> [band for _, band in bands(service_level(calls, threshold=20), target=0.65)]  # 60 %: 5 points below
    ['warning']
    """
    if not 0 < target <= 1:
        raise ArgumentError(f"target: {target!r} - expected a share in (0, 1], e.g. 0.8")
    if not 0 <= warning <= act:
        raise ArgumentError(
            f"bands: warning={warning!r}, act={act!r} - expected 0 <= warning <= act"
        )
    goal = Fraction(str(target)) * 100
    warn_points = Fraction(str(warning))
    act_points = Fraction(str(act))
    rated: list[tuple[IntervalRow, Band]] = []
    for row in report.rows:
        value = row.service_level_fraction()
        band: Band
        if value is None:
            band = "no_contacts"
        else:
            below = goal - value * 100
            if below <= 0:
                band = "on_target"
            elif below <= warn_points:
                band = "warning"
            elif below <= act_points:
                band = "act"
            else:
                band = "all_hands"
        rated.append((row, band))
    return rated
