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
from dataclasses import dataclass, replace
from datetime import datetime, timedelta, timezone, tzinfo
from fractions import Fraction
from typing import Any, Literal, cast

from pydantic import (
    AwareDatetime,
    ConfigDict,
    ValidationInfo,
    field_validator,
    model_validator,
)

from slaclock._model import ValueModel
from slaclock._tz import (
    MAX_DURATION,
    check_in_range,
    from_micros,
    not_a_number,
    timedelta_to_micros,
    to_micros,
    zone_of,
)
from slaclock.bands import BandRule, BandScale
from slaclock.durations import format_duration, parse_duration, round_for_display
from slaclock.errors import ArgumentError, OutOfRangeError, ReportOptionError
from slaclock.intervals import LocalIntervals, interval_label
from slaclock.tables import Percent, Table

__all__ = [
    "AbandonTreatment",
    "Band",
    "BandRule",
    "Contact",
    "Interval",
    "IntervalRow",
    "ServiceLevelReport",
    "TREATMENTS",
    "Undefined",
    "abandon_bands",
    "bands",
    "service_level",
]

#: How abandoned contacts enter the service level (N answered, a answered within the threshold,
#: A abandoned, b abandoned within the threshold, s short abandons):
#: ``ignored`` a/N; ``failures`` a/(N+A); ``excluded_within_threshold`` a/(N+A-b);
#: ``successes_within_threshold`` (a+b)/(N+A); ``short_excluded`` a/(N+A-s);
#: ``short_successes`` (a+s)/(N+A).
AbandonTreatment = Literal[
    "ignored",
    "failures",
    "excluded_within_threshold",
    "successes_within_threshold",
    "short_excluded",
    "short_successes",
]
#: Interval lengths: 15, 30 or 60 minutes of local wall-clock time, or a local day.
Interval = Literal["15min", "30min", "60min", "day"]
#: Why a figure has no value: nobody was offered, or every contact offered abandoned (so the
#: treatment's denominator is zero; the worst intervals must not look empty).
Undefined = Literal["no_contacts", "all_abandoned"]
#: An interval's rating against a target, or why it has no figure to rate.
Band = Literal["on_target", "warning", "act", "all_hands", "no_contacts", "all_abandoned"]

#: Each treatment's formula, as the reports print it.
TREATMENTS: Mapping[str, str] = {
    "ignored": "a / N",
    "failures": "a / (N + A)",
    "excluded_within_threshold": "a / (N + A - b)",
    "successes_within_threshold": "(a + b) / (N + A)",
    "short_excluded": "a / (N + A - s)",
    "short_successes": "(a + s) / (N + A)",
}
# Names that used to exist, and what replaces them.
_RETIRED: Mapping[str, str] = {
    "successes": (
        "abandons='successes' was removed: it counted every abandon as a success, "
        "(a + A) / (N + A), so a caller who hung up after ten minutes raised the service level - "
        "use 'successes_within_threshold' for (a + b) / (N + A) (abandons within the threshold "
        "are successes) or 'excluded_within_threshold' for a / (N + A - b)"
    ),
    "short_abandon": (
        "abandons='short_abandon' was renamed: use 'short_excluded' for a / (N + A - s) "
        "or 'short_successes' for (a + s) / (N + A)"
    ),
}
_SHORT = ("short_excluded", "short_successes")
_MINUTES: Mapping[str, int] = {"15min": 15, "30min": 30, "60min": 60}


class Contact(ValueModel):
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

    _not_a_number = field_validator("offered_at", "answered_at", "abandoned_at", mode="before")(
        not_a_number
    )

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

    ``start`` and ``end`` are what the row covers, ``[start, end)``: a whole interval, or the
    part of it inside the report's ``start`` and ``end``. ``answered`` (N),
    ``answered_within`` (a: waited at most the threshold), ``abandoned`` (A),
    ``abandoned_within`` (b: abandoned within the threshold, ``wait <= T``),
    ``short_abandoned`` (s: abandoned in *less* than the short-abandon cut-off, ``wait < S``),
    ``wait_answered`` (total wait of answered contacts).

    >>> from datetime import datetime, timezone
    >>> nine = datetime(2025, 3, 4, 9, 10, tzinfo=timezone.utc)
    >>> row = IntervalRow(nine, nine.replace(minute=30), 0, 0, 3, 3, 0, timedelta(0), "failures")
    >>> row.label, row.service_level, row.undefined, row.abandonment_rate  # a / (N + A) = 0 / 3
    ('2025-03-04 09:10-09:30', 0.0, None, 1.0)
    >>> row.replace_treatment("ignored").undefined  # a / N with N = 0: everyone hung up
    'all_abandoned'
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

    def replace_treatment(self, treatment: AbandonTreatment) -> IntervalRow:
        """The same counts under another treatment of abandons."""
        _check_treatment(treatment)
        return replace(self, treatment=treatment)

    def _ratio(self) -> tuple[int, int]:
        n, a, ab = self.answered, self.answered_within, self.abandoned
        b, s = self.abandoned_within, self.short_abandoned
        return {
            "ignored": (a, n),
            "failures": (a, n + ab),
            "excluded_within_threshold": (a, n + ab - b),
            "successes_within_threshold": (a + b, n + ab),
            "short_excluded": (a, n + ab - s),
            "short_successes": (a + s, n + ab),
        }[self.treatment]

    def service_level_fraction(self) -> Fraction | None:
        """The exact service level (``None`` when the denominator is zero: see :attr:`undefined`)."""
        top, bottom = self._ratio()
        return None if bottom == 0 else Fraction(top, bottom)

    @property
    def service_level(self) -> float | None:
        """The service level as a share in [0, 1] (``None``: see :attr:`undefined`)."""
        value = self.service_level_fraction()
        return None if value is None else float(value)

    @property
    def undefined(self) -> Undefined | None:
        """Why the service level has no value: ``no_contacts`` (nobody was offered) or
        ``all_abandoned`` (every contact the treatment counts abandoned); ``None`` when it has one."""
        if self.offered == 0:
            return "no_contacts"
        return "all_abandoned" if self._ratio()[1] == 0 else None

    def abandonment_rate_fraction(self) -> Fraction | None:
        """The exact abandonment rate ``A / (N + A)`` (``None`` with no contacts)."""
        return None if self.offered == 0 else Fraction(self.abandoned, self.offered)

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

    @property
    def label(self) -> str:
        """What the row covers, in local time: ``2025-03-04 09:10-09:30`` (half-open: 09:30 is
        the next row's), or the date alone for a whole local day. A local time that happens
        twice (a DST fold) carries its zone's abbreviation: ``2025-11-02 01:00 EDT-01:00 EST``
        is the first of New York's two hours from 01:00, ``2025-11-02 01:00 EST-02:00`` the
        second (:func:`~slaclock.intervals.interval_label`)."""
        return interval_label(self.start, self.end)


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

    def describe(self) -> str:
        """The definitions the figures use, as the first line of every table."""
        by = "answered or abandoned" if self.by_end else "offered"
        short = (
            ""
            if self.short_abandon is None
            else f"; short abandon: wait < {format_duration(self.short_abandon)}"
        )
        return (
            f"service level = {TREATMENTS[self.abandons]} (abandons={self.abandons}); within = "
            f"wait <= {format_duration(self.threshold)}{short}; a contact counts in the interval "
            f"[start, end) it was {by} in, local time {self.timezone}"
        )

    def to_table(
        self,
        target: float | None = None,
        *,
        bands: BandRule | None = None,
        abandon_bands: BandRule | None = None,
    ) -> str:
        """A plain-text table under a line stating the definitions; with ``target`` (or a
        ``bands`` rule) a band column, with ``abandon_bands`` an abandon-rate band column, each
        with a line saying which bands (absolute or relative) rate it.

        >>> from datetime import datetime, timezone
        >>> nine = datetime(2025, 3, 4, 9, 10, tzinfo=timezone.utc)
        >>> calls = [Contact(offered_at=nine, answered_at=nine + timedelta(seconds=s)) for s in (5, 30)]
        >>> print(service_level(calls, start=nine, end=nine.replace(hour=10, minute=0)).to_table(0.8))
        service level = a / N (abandons=ignored); within = wait <= 20s; a contact counts in the interval [start, end) it was offered in, local time UTC
        band: target at least 80%; warning up to 5 points below, act up to 10 points below, all_hands beyond (absolute bands)
        interval                offered  answered  within  abandoned  service_level  abandon_rate  asa  band
        2025-03-04 09:10-09:30        2         2       1          0          50.0%          0.0%  18s  all_hands
        2025-03-04 09:30-10:00        0         0       0          0              -             -    -  no_contacts
        """
        if bands is None and target is not None:
            bands = BandRule(target=target)
        rows = []
        for row in self.rows:
            share = row.service_level_fraction()
            rate = row.abandonment_rate
            asa = row.average_speed_of_answer
            data: dict[str, Any] = {
                "interval": row.label,
                "offered": row.offered,
                "answered": row.answered,
                "within": row.answered_within,
                "abandoned": row.abandoned,
                "service_level": None if share is None else Percent(share),
                "abandon_rate": None if rate is None else Percent(rate),
                "asa": None if asa is None else round_for_display(asa),
            }
            if bands is not None:
                data["band"] = bands.rate(share, row.undefined or "no_contacts")
            if abandon_bands is not None:
                data["abandon_band"] = abandon_bands.rate(row.abandonment_rate_fraction())
            rows.append(data)
        columns = (
            "interval",
            "offered",
            "answered",
            "within",
            "abandoned",
            "service_level",
            "abandon_rate",
            "asa",
            *(("band",) if bands is not None else ()),
            *(("abandon_band",) if abandon_bands is not None else ()),
        )
        lines = [self.describe()]
        if bands is not None:
            lines.append(f"band: {bands.describe()}")
        if abandon_bands is not None:
            lines.append(f"abandon_band: abandon rate {abandon_bands.describe()}")
        return "\n".join([*lines, Table(columns, rows).to_table()])

    def __str__(self) -> str:
        return self.to_table()


def _check_treatment(abandons: str) -> None:
    if abandons in _RETIRED:
        raise ReportOptionError(_RETIRED[abandons], value=abandons)
    if abandons not in TREATMENTS:
        raise ReportOptionError(
            f"abandons: unknown treatment {abandons!r} - expected one of {list(TREATMENTS)}",
            value=abandons,
        )


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
    (``wait <= threshold``, inclusive; a number is seconds), with abandoned contacts treated as
    ``abandons`` says (see :data:`TREATMENTS`). The short-abandon treatments need the
    ``short_abandon`` cut-off ``S``: a short abandon waited *less* than it (``wait < S``,
    exclusive: with ``S = 5s`` an abandon after exactly 5 s is not short).

    A contact belongs to the interval in which it is *offered*; ``by_end=True`` uses the
    instant it was answered or abandoned instead. Intervals are half-open, ``[start, end)``, in
    local wall-clock time of ``timezone`` (an IANA name or a tzinfo; ``UTC`` by default). With
    ``start`` and ``end``, every interval in ``[start, end)`` is listed (those without contacts
    have no service level, ``undefined == "no_contacts"``), contacts outside are left out, and
    the first and last rows cover only their part inside (a report from 09:10 starts with the
    row 09:10-09:30); otherwise only intervals with contacts are listed.

    >>> from datetime import datetime, timezone
    >>> service_level([], abandons="successes")
    Traceback (most recent call last):
    ...
    slaclock.errors.ReportOptionError: abandons='successes' was removed: it counted every abandon as a success, (a + A) / (N + A), so a caller who hung up after ten minutes raised the service level - use 'successes_within_threshold' for (a + b) / (N + A) (abandons within the threshold are successes) or 'excluded_within_threshold' for a / (N + A - b)
    """
    threshold_td = _as_duration(threshold, "threshold")
    _check_treatment(abandons)
    if interval not in ("15min", "30min", "60min", "day"):
        raise ReportOptionError(
            f"interval: unknown interval {interval!r} - expected '15min', '30min', '60min' or 'day'",
            value=interval,
        )
    short_td: timedelta | None = None
    if abandons in _SHORT:
        if short_abandon is None:
            raise ReportOptionError(
                f"short_abandon: abandons={abandons!r} needs the cut-off - expected e.g. "
                "short_abandon='5s'"
            )
        short_td = _as_duration(short_abandon, "short_abandon")
    elif short_abandon is not None:
        short_td = _as_duration(short_abandon, "short_abandon")
    zone = zone_of(timezone)
    lo = hi = None
    if start is not None or end is not None:
        if start is None or end is None:
            raise ReportOptionError("start and end: give both or neither")
        lo = to_micros(check_in_range(start, "start"))
        hi = to_micros(check_in_range(end, "end"))
        if hi <= lo:
            raise ReportOptionError(
                f"empty range of intervals: start {start.isoformat()} >= end {end.isoformat()} - "
                "expected start < end"
            )
    limit = timedelta_to_micros(threshold_td)
    short = -1 if short_td is None else timedelta_to_micros(short_td)
    bucketer = LocalIntervals(zone, _MINUTES.get(interval))
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
    lowest = -(2**63) if lo is None else lo
    highest = 2**63 if hi is None else hi
    rows = [
        IntervalRow(
            from_micros(max(key, lowest), zone),
            from_micros(min(bucketer.end(key), highest), zone),
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
    scale: BandScale = "points",
) -> list[tuple[IntervalRow, Band]]:
    """Rate each interval's service level against ``target`` (a share, ``0.8`` for 80 %):
    ``on_target`` (at or above), ``warning`` (below by more than 0 and at most ``warning``),
    ``act`` (more than ``warning``, at most ``act`` below), ``all_hands`` (more than ``act``
    below); ``no_contacts`` or ``all_abandoned`` when the interval has no service level.
    ``scale="points"`` (default) reads ``warning`` and ``act`` as percentage points,
    ``scale="relative"`` as percent of the target (see :class:`BandRule`).

    >>> from datetime import datetime, timezone
    >>> t = datetime(2025, 3, 4, 9, tzinfo=timezone.utc)
    >>> calls = [Contact(offered_at=t, answered_at=t + timedelta(seconds=s)) for s in (5, 10, 15, 30, 60)]
    >>> [band for _, band in bands(service_level(calls, threshold=20), target=0.65)]  # 60 %: 5 points below
    ['warning']
    >>> [band for _, band in bands(service_level(calls, threshold=20), target=0.65, scale="relative")]
    ['act']
    """
    rule = BandRule(target=target, warning=warning, act=act, scale=scale)
    return [
        (row, cast(Band, rule.rate(row.service_level_fraction(), row.undefined or "no_contacts")))
        for row in report.rows
    ]


def abandon_bands(
    report: ServiceLevelReport,
    *,
    target: float = 0.05,
    warning: float = 2,
    act: float = 5,
    scale: BandScale = "points",
) -> list[tuple[IntervalRow, Band]]:
    """Rate each interval's abandonment rate ``A / (N + A)`` against a goal of *at most*
    ``target`` (default 5 %): ``on_target`` at or below it, ``warning`` above by at most
    ``warning`` (2 points), ``act`` by at most ``act`` (5 points), ``all_hands`` beyond;
    ``no_contacts`` when nobody was offered. ``scale`` as in :func:`bands`.

    >>> from datetime import datetime, timezone
    >>> t = datetime(2025, 3, 4, 9, tzinfo=timezone.utc)
    >>> calls = [Contact(offered_at=t, answered_at=t) for _ in range(13)]
    >>> calls += [Contact(offered_at=t, abandoned_at=t) for _ in range(2)]
    >>> [band for _, band in abandon_bands(service_level(calls))]  # 2 / 15 = 13.3 %: 8.3 points above
    ['all_hands']
    """
    rule = BandRule(target=target, warning=warning, act=act, scale=scale, higher_is_better=False)
    return [(row, cast(Band, rule.rate(row.abandonment_rate_fraction()))) for row in report.rows]
