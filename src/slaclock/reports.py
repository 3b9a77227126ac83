"""Reports over a batch: attainment, durations, breaches, volume, first contact resolution and
at-risk lists.

Each report reads the records (or ticket rows) of a :class:`~slaclock.batch.Batch` and returns
rows; :class:`~slaclock.tables.Table` renders them. Nothing here evaluates a ticket or writes a
file. The definitions (what counts as met, breached, and in the denominator) are in
``docs/reference/reports.md``.

>>> from slaclock.batch import evaluate_many
>>> from slaclock.synthetic import DEFAULT_POLICY, sample_timelines
>>> batch = evaluate_many(DEFAULT_POLICY, sample_timelines())
>>> print(attainment(batch, by=("priority",), metric="first_response").to_table())
priority  metric          met  breached  overdue  attainment
high      first_response    1         1        0       50.0%
normal    first_response    1         0        0      100.0%
urgent    first_response    0         1        0        0.0%
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta, tzinfo
from typing import Any, Literal

from slaclock._tz import to_micros, zone_of
from slaclock.batch import Batch
from slaclock.errors import ArgumentError, ReportOptionError
from slaclock.percentiles import PERCENTILE_METHODS, PercentileMethod, percentile
from slaclock.tables import Percent, Table, group_sort_key

__all__ = [
    "AttainmentReport",
    "AttainmentRow",
    "CancelledAs",
    "Period",
    "UntargetedAs",
    "at_risk",
    "attainment",
    "breaches",
    "durations",
    "first_contact_resolution",
    "percentile",
    "period_of",
    "volume",
]

#: Reporting periods: a local calendar day, an ISO week (Monday to Sunday) or a calendar month.
Period = Literal["day", "week", "month"]
#: What a cancelled cycle counts as in attainment.
CancelledAs = Literal["excluded", "met", "breached"]
#: What a stopped cycle with no target for its priority (state ``completed``) counts as.
UntargetedAs = Literal["excluded", "met"]
_STATES = ("met", "breached", "overdue", "cancelled", "completed", "running", "paused")


# ----------------------------------------------------------------------------------------------
# Grouping helpers
def period_of(value: datetime, period: Period, timezone: str | tzinfo | None = None) -> str:
    """The label of the period ``value`` falls in: ``2025-03-07`` (day), ``2025-W10`` (ISO week)
    or ``2025-03`` (month), read in ``timezone`` (an IANA name or a tzinfo; default:
    ``value``'s own zone, which in
    records is the policy calendar's).

    >>> from zoneinfo import ZoneInfo
    >>> at = datetime(2025, 3, 9, 23, 30, tzinfo=ZoneInfo("America/New_York"))
    >>> period_of(at, "day"), period_of(at, "week"), period_of(at, "month")
    ('2025-03-09', '2025-W10', '2025-03')
    >>> period_of(at, "day", ZoneInfo("Europe/Berlin"))
    '2025-03-10'
    """
    local = value if timezone is None else value.astimezone(zone_of(timezone))
    if period == "day":
        return local.date().isoformat()
    if period == "week":
        year, week, _ = local.isocalendar()
        return f"{year}-W{week:02d}"
    if period == "month":
        return f"{local.year:04d}-{local.month:02d}"
    raise ArgumentError(f"period: unknown period {period!r} - expected 'day', 'week' or 'month'")


def group_values(record: Mapping[str, Any], by: Sequence[str]) -> tuple[Any, ...]:
    """The values of ``by`` in a record, as a group key: a list value (``tags``) groups by the
    whole list, as a tuple (a group key must be hashable).

    >>> group_values({"priority": "high", "tags": ["vip", "eu"]}, ("priority", "tags"))
    ('high', ('vip', 'eu'))
    """
    return tuple(
        tuple(value) if isinstance(value, list) else value
        for value in (record.get(name) for name in by)
    )


def _key_of(
    by: Sequence[str], period: Period | None, anchor: str, timezone: tzinfo | None
) -> Callable[[Mapping[str, Any]], tuple[Any, ...]]:
    def key(record: Mapping[str, Any]) -> tuple[Any, ...]:
        values = group_values(record, by)
        if period is None:
            return values
        return (*values, period_of(record[anchor], period, timezone))

    return key


def check_flag(value: object, name: str) -> None:
    """A yes/no option must be ``True`` or ``False``: ``"no"`` is true to Python, so anything
    else is a :class:`~slaclock.errors.ReportOptionError` naming it.

    >>> check_flag("no", "overdue")
    Traceback (most recent call last):
    ...
    slaclock.errors.ReportOptionError: overdue: 'no' - expected True or False
    """
    if not isinstance(value, bool):
        raise ReportOptionError(f"{name}: {value!r} - expected True or False", value=value)


def _check_metric(records: Sequence[Mapping[str, Any]], metric: str | None) -> None:
    if metric is None or not records:
        return
    known = {record["metric"] for record in records}
    if metric not in known:
        raise ArgumentError(f"metric: unknown metric {metric!r} - expected one of {sorted(known)}")


def _check_by(rows: Sequence[Mapping[str, Any]], by: Sequence[str]) -> None:
    """A ``by`` name no row has is a typo (``prio``), not a group of its own: say so."""
    for name in by:
        if rows and not any(name in row for row in rows):
            known = sorted({key for row in rows[:1000] for key in row})
            raise ArgumentError(
                f"by: unknown field {name!r} - expected a record field or ticket attribute: "
                f"{', '.join(known)} (no row has {name!r}: a typo, or no ticket has that "
                "attribute at as_of)"
            )


def _records_of(batch: Batch | Iterable[Mapping[str, Any]]) -> list[Mapping[str, Any]]:
    return batch.records if isinstance(batch, Batch) else list(batch)  # type: ignore[return-value]


# ----------------------------------------------------------------------------------------------
# Attainment
@dataclass(frozen=True, slots=True)
class AttainmentRow:
    """One group's tally. ``breached`` means one thing everywhere: cycles that *stopped* late
    (plus cancelled ones with ``cancelled="breached"``); ``overdue`` are cycles still running
    past due. ``attainment`` is ``met / (met + breached + overdue)``, the ``overdue`` term only
    when ``overdue_counted`` (``None`` when nothing counts).

    >>> AttainmentRow(("high",), "first_response", met=6, breached=1, overdue=1, cancelled=0,
    ...               completed=0, open=2).attainment  # 6 / (6 + 1 + 1)
    0.75
    """

    key: tuple[Any, ...]
    metric: str
    met: int
    breached: int
    overdue: int
    cancelled: int
    completed: int
    open: int
    overdue_counted: bool = True

    @property
    def failed(self) -> int:
        """The cycles counted against attainment: ``breached`` (+ ``overdue`` when counted)."""
        return self.breached + (self.overdue if self.overdue_counted else 0)

    @property
    def attainment(self) -> float | None:
        """``met / (met + failed)``, or ``None`` when the denominator is zero."""
        counted = self.met + self.failed
        return None if counted == 0 else self.met / counted


def _tally(
    records: Iterable[Mapping[str, Any]],
    key: Callable[[Mapping[str, Any]], tuple[Any, ...]],
    overdue: bool,
    cancelled: CancelledAs,
    untargeted: UntargetedAs,
) -> dict[tuple[Any, ...], list[int]]:
    # counts: met, breached, overdue, cancelled, completed, open
    groups: dict[tuple[Any, ...], list[int]] = {}
    for record in records:
        k = (*key(record), record["metric"])
        counts = groups.get(k)
        if counts is None:
            counts = groups[k] = [0, 0, 0, 0, 0, 0]
        state = record["state"]
        if state == "met":
            counts[0] += 1
        elif state == "breached":
            counts[1] += 1
        elif state == "overdue":
            counts[2] += 1
        elif state == "cancelled":
            counts[3] += 1
            if cancelled == "met":
                counts[0] += 1
            elif cancelled == "breached":
                counts[1] += 1
        elif state == "completed":
            counts[4] += 1
            if untargeted == "met":
                counts[0] += 1
        else:
            counts[5] += 1
    return groups


@dataclass(frozen=True)
class AttainmentReport:
    """Attainment per group (``by`` attributes, then the period, then the metric).

    >>> report = AttainmentReport(("group",), None, [
    ...     AttainmentRow(("billing",), "resolution", 1, 1, 0, 0, 0, 0),
    ...     AttainmentRow(("tech",), "resolution", 3, 0, 0, 1, 0, 2)])
    >>> print(report)
    group    metric      met  breached  overdue  attainment
    billing  resolution    1         1        0       50.0%
    tech     resolution    3         0        0      100.0%
    >>> total = report.total()  # (1 + 3) / (1 + 3 + 1 + 0)
    >>> total.met, total.breached, total.attainment
    (4, 1, 0.8)
    """

    by: tuple[str, ...]
    period: Period | None
    rows: list[AttainmentRow]
    overdue_counted: bool = True

    def total(self) -> AttainmentRow:
        """All rows added up (over every group and metric)."""
        sums = [0] * 6
        for row in self.rows:
            for i, value in enumerate(
                (row.met, row.breached, row.overdue, row.cancelled, row.completed, row.open)
            ):
                sums[i] += value
        met, breached, overdue, cancelled, completed, open_ = sums
        return AttainmentRow(
            (), "*", met, breached, overdue, cancelled, completed, open_, self.overdue_counted
        )

    def to_table(self) -> str:
        """A plain-text table: the group columns, metric, met, breached (stopped late), overdue
        (running late; counted in attainment unless the report was made with ``overdue=False``)
        and attainment."""
        columns = (*self.by, *(("period",) if self.period else ()), "metric")
        rows = []
        for row in self.rows:
            data = dict(zip(columns, (*row.key, row.metric)))
            share = row.attainment
            data.update(
                met=row.met,
                breached=row.breached,
                overdue=row.overdue,
                attainment=None if share is None else Percent(share),
            )
            rows.append(data)
        caption = None if self.overdue_counted else "overdue cycles not counted (overdue=False)"
        return Table(
            (*columns, "met", "breached", "overdue", "attainment"), rows, caption
        ).to_table()

    def __str__(self) -> str:
        return self.to_table()


def attainment(
    batch: Batch | Iterable[Mapping[str, Any]],
    *,
    by: Sequence[str] = ("priority",),
    period: Period | None = None,
    metric: str | None = None,
    overdue: bool = True,
    cancelled: CancelledAs = "excluded",
    untargeted: UntargetedAs = "excluded",
    anchor: Literal["started_at", "stopped_at"] = "started_at",
    timezone: str | tzinfo | None = None,
) -> AttainmentReport:
    """Attainment, ``met / (met + breached + overdue)``, per metric and group.

    - ``by``: record fields or ticket attributes to group by (``priority`` is the priority the
      cycle's target was read for; ``group``, ``channel``, ``tier`` ... are attributes).
    - ``period``: also group by ``day``, ``week`` or ``month`` of ``anchor`` (the cycle's start,
      by default), in the zone results are expressed in (the policy calendar's) or ``timezone``.
      Cycles that have not stopped have no ``stopped_at`` and are left out with that anchor.
    - ``overdue=True``: a running cycle past its due instant counts against attainment (it can
      no longer be met; shown in the ``overdue`` column, never in ``breached``); ``False``
      leaves it out until it stops.
    - ``cancelled``: ``excluded`` (default), or counted as ``met`` or ``breached``.
    - ``untargeted``: cycles with no target for their priority (``completed``) are
      ``excluded`` from the denominator (default) or counted as ``met``.

    Running and paused cycles are never counted. Full definitions: ``docs/reference/reports.md``.

    >>> from slaclock.batch import evaluate_many
    >>> from slaclock.synthetic import DEFAULT_POLICY, sample_timelines
    >>> report = attainment(evaluate_many(DEFAULT_POLICY, sample_timelines()), by=(), metric="resolution")
    >>> row = report.rows[0]
    >>> row.met, row.breached, row.open, row.attainment
    (3, 0, 2, 1.0)
    """
    check_flag(overdue, "overdue")
    if anchor not in ("started_at", "stopped_at"):
        raise ArgumentError(f"anchor: {anchor!r} - expected 'started_at' or 'stopped_at'")
    if cancelled not in ("excluded", "met", "breached"):
        raise ReportOptionError(
            f"cancelled: {cancelled!r} - expected 'excluded', 'met' or 'breached'", value=cancelled
        )
    if untargeted not in ("excluded", "met"):
        raise ReportOptionError(
            f"untargeted: {untargeted!r} - expected 'excluded' or 'met'", value=untargeted
        )
    if period is not None:
        period_of(datetime(2000, 1, 1), period)  # validates the name
    # One pass over the records, which may be a stream: the checks of metric and by collect
    # what they need on the way (memory grows with the groups, not the records).
    metrics: set[str] = set()
    missing = set(by)
    sample: list[Mapping[str, Any]] = []

    def selected() -> Iterator[Mapping[str, Any]]:
        for r in batch.records if isinstance(batch, Batch) else batch:
            metrics.add(r["metric"])
            if missing:
                missing.difference_update([name for name in missing if name in r])
            if len(sample) < 1000:
                sample.append(r)
            if (metric is None or r["metric"] == metric) and (
                period is None or r[anchor] is not None
            ):
                yield r

    key = _key_of(tuple(by), period, anchor, None if timezone is None else zone_of(timezone))
    groups = _tally(selected(), key, overdue, cancelled, untargeted)
    if sample:
        _check_metric([{"metric": m} for m in sorted(metrics)], metric)
        # A ``by`` name no record has is a typo (``prio``), not a group of its own.
        _check_by(sample, [name for name in by if name in missing])
    rows = [
        AttainmentRow(k[:-1], k[-1], c[0], c[1], c[2], c[3], c[4], c[5], overdue)
        for k, c in groups.items()
    ]
    rows.sort(key=lambda row: (group_sort_key(row.key), row.metric))
    return AttainmentReport(tuple(by), period, rows, overdue)


# ----------------------------------------------------------------------------------------------
# Durations, breaches, volume, first contact resolution, at risk


def _mean(values: Sequence[timedelta]) -> timedelta:
    total = sum((v // timedelta(microseconds=1) for v in values), 0)
    n = len(values)
    return timedelta(microseconds=(2 * total + n) // (2 * n))  # rounded half up


_STOPPED = ("met", "breached", "completed")
_DURATION_COLUMNS = ("count", "mean", "median", "p80", "p90", "p95", "p99", "max")


def durations(
    batch: Batch | Iterable[Mapping[str, Any]],
    *,
    metric: str | None = None,
    by: Sequence[str] = ("priority",),
    states: Sequence[str] = _STOPPED,
    method: PercentileMethod = "nearest_rank",
) -> Table:
    """Business-time durations (``elapsed``) per metric and group: count, mean, median, p80,
    p90, p95, p99 and max, over cycles in ``states`` (default: those that stopped - met,
    breached, or completed without a target). Percentiles are read by ``method`` (see
    :func:`percentile`; ``nearest_rank`` by default, an observed duration, the median being the
    lower middle value of an even count; ``linear`` as numpy and pandas), named in the
    table's header line; the mean is rounded to the microsecond. Durations show rounded to
    the second; the rows keep the exact values.

    >>> from slaclock.batch import evaluate_many
    >>> from slaclock.synthetic import DEFAULT_POLICY, sample_timelines
    >>> print(durations(evaluate_many(DEFAULT_POLICY, sample_timelines()), metric="first_response", by=()).to_table())
    durations: business time; percentiles by nearest rank (an observed value: the ceil(p*n)-th smallest)
    metric          count      mean  median     p80     p90     p95     p99     max
    first_response      4  3h26m15s     40m  11h25m  11h25m  11h25m  11h25m  11h25m
    """
    records = _records_of(batch)
    _check_metric(records, metric)
    _check_by(records, by)
    if isinstance(states, str):  # "met" would be read as the states 'm', 'e', 't'
        raise ReportOptionError(
            f"states: {states!r} - expected a list of cycle states, e.g. [{states!r}]",
            value=states,
        )
    unknown = [state for state in states if state not in _STATES]
    if unknown:
        raise ReportOptionError(
            f"states: unknown cycle state(s) {unknown} - expected some of {list(_STATES)}",
            value=unknown,
        )
    if method not in PERCENTILE_METHODS:
        raise ReportOptionError(
            f"method: unknown percentile method {method!r} - expected one of "
            f"{list(PERCENTILE_METHODS)}",
            value=method,
        )
    groups: dict[tuple[Any, ...], list[timedelta]] = {}
    for record in records:
        if (metric is None or record["metric"] == metric) and record["state"] in states:
            key = (*group_values(record, by), record["metric"])
            groups.setdefault(key, []).append(record["elapsed"])
    rows = []
    for key in sorted(groups, key=group_sort_key):
        values = sorted(groups[key])
        row: dict[str, Any] = dict(zip((*by, "metric"), key))
        row.update(
            count=len(values),
            mean=_mean(values),
            median=percentile(values, 0.5, method),
            p80=percentile(values, 0.8, method),
            p90=percentile(values, 0.9, method),
            p95=percentile(values, 0.95, method),
            p99=percentile(values, 0.99, method),
            max=values[-1],
        )
        rows.append(row)
    caption = f"durations: business time; percentiles by {PERCENTILE_METHODS[method]}"
    return Table((*by, "metric", *_DURATION_COLUMNS), rows, caption)


def breaches(
    batch: Batch | Iterable[Mapping[str, Any]],
    *,
    metric: str | None = None,
    by: Sequence[str] = ("priority",),
) -> Table:
    """Breach counts per metric and group: ``breached`` (stopped late), ``overdue`` (running
    late) and ``overdue_time``, the sum of ``overdue_by`` (business time past due) of both.

    >>> from slaclock.batch import evaluate_many
    >>> from slaclock.synthetic import DEFAULT_POLICY, sample_timelines
    >>> print(breaches(evaluate_many(DEFAULT_POLICY, sample_timelines()), metric="first_response").to_table())
    priority  metric          breached  overdue  overdue_time
    high      first_response         1        0         9h25m
    urgent    first_response         1        0           20m
    """
    records = _records_of(batch)
    _check_metric(records, metric)
    _check_by(records, by)
    groups: dict[tuple[Any, ...], list[Any]] = {}
    for record in records:
        state = record["state"]
        if (metric is None or record["metric"] == metric) and state in ("breached", "overdue"):
            key = (*group_values(record, by), record["metric"])
            counts = groups.setdefault(key, [0, 0, timedelta(0)])
            counts[0 if state == "breached" else 1] += 1
            counts[2] += record["overdue_by"] or timedelta(0)
    rows = []
    for key in sorted(groups, key=group_sort_key):
        row: dict[str, Any] = dict(zip((*by, "metric"), key))
        row.update(breached=groups[key][0], overdue=groups[key][1], overdue_time=groups[key][2])
        rows.append(row)
    return Table((*by, "metric", "breached", "overdue", "overdue_time"), rows)


def volume(
    batch: Batch,
    *,
    period: Period = "day",
    by: Sequence[str] = (),
    timezone: str | tzinfo | None = None,
) -> Table:
    """Tickets created per period (and group), by the ``created`` instant in the results' zone
    (the policy calendar's) or ``timezone``. A ticket created after its evaluation instant
    (``as_of``) does not exist yet and is not counted.

    >>> from slaclock.batch import evaluate_many
    >>> from slaclock.synthetic import DEFAULT_POLICY, sample_timelines
    >>> print(volume(evaluate_many(DEFAULT_POLICY, sample_timelines()), period="week").to_table())
    period    tickets
    2025-W10        2
    2025-W11        3
    """
    period_of(datetime(2000, 1, 1), period)
    _check_by(batch.tickets, by)
    zone = None if timezone is None else zone_of(timezone)
    groups: dict[tuple[Any, ...], int] = {}
    for ticket in batch.tickets:
        as_of = ticket.get("as_of")
        if as_of is not None and to_micros(ticket["created_at"]) > to_micros(as_of):
            continue
        key = (period_of(ticket["created_at"], period, zone), *group_values(ticket, by))
        groups[key] = groups.get(key, 0) + 1
    rows = [
        {**dict(zip(("period", *by), key)), "tickets": groups[key]}
        for key in sorted(groups, key=group_sort_key)
    ]
    return Table(("period", *by, "tickets"), rows)


def first_contact_resolution(batch: Batch, *, by: Sequence[str] = ()) -> Table:
    """First contact resolution per group: among tickets solved (or closed) as of the
    evaluation instant, the share solved with exactly one public agent reply and never reopened.

    >>> from slaclock.batch import evaluate_many
    >>> from slaclock.synthetic import DEFAULT_POLICY, sample_timelines
    >>> print(first_contact_resolution(evaluate_many(DEFAULT_POLICY, sample_timelines())).to_table())
    solved  first_contact   rate
         3              1  33.3%
    """
    _check_by(batch.tickets, by)
    groups: dict[tuple[Any, ...], list[int]] = {}
    for ticket in batch.tickets:
        if not ticket["solved"]:
            continue
        counts = groups.setdefault(group_values(ticket, by), [0, 0])
        counts[0] += 1
        if ticket["public_replies"] == 1 and ticket["reopens"] == 0:
            counts[1] += 1
    rows = []
    for key in sorted(groups, key=group_sort_key):
        solved, first = groups[key]
        rows.append(
            {
                **dict(zip(by, key)),
                "solved": solved,
                "first_contact": first,
                "rate": Percent(first / solved),
            }
        )
    return Table((*by, "solved", "first_contact", "rate"), rows)


def at_risk(
    batch: Batch | Iterable[Mapping[str, Any]],
    *,
    threshold: str | None = None,
    include_overdue: bool = False,
) -> Table:
    """Cycles still running (or paused) whose warning threshold has been reached as of the
    evaluation instant, sorted by business time left (least first).

    ``threshold`` names the threshold to look at (default: any threshold of the cycle);
    ``include_overdue=True`` also lists cycles already past due (negative time left, first).
    Evaluate the batch ``as_of`` the instant you want the list for.

    >>> from slaclock.batch import evaluate_many
    >>> from slaclock.synthetic import DEFAULT_POLICY, generate_timelines
    >>> from datetime import datetime
    >>> as_of = datetime.fromisoformat("2025-03-12T12:00:00-04:00")
    >>> batch = evaluate_many(DEFAULT_POLICY, generate_timelines(200, seed=3), as_of=as_of)
    >>> rows = at_risk(batch).rows
    >>> all(a["remaining"] <= b["remaining"] for a, b in zip(rows, rows[1:]))
    True
    """
    check_flag(include_overdue, "include_overdue")
    states = ("running", "paused", "overdue") if include_overdue else ("running", "paused")
    records = _records_of(batch)
    if threshold is not None:
        known = {t.name for record in records for t in record["thresholds"]}
        if records and threshold not in known:
            raise ReportOptionError(
                f"threshold: unknown threshold {threshold!r} - expected one of {sorted(known)}",
                value=threshold,
            )
    rows = []
    for record in records:
        if record["state"] not in states:
            continue
        reached = [
            t.name
            for t in record["thresholds"]
            if t.reached and (threshold is None or t.name == threshold)
        ]
        if not reached and record["state"] != "overdue":
            continue
        rows.append(
            {
                "ticket_id": record["ticket_id"],
                "metric": record["metric"],
                "priority": record["priority"],
                "state": record["state"],
                "due_at": record["due_at"],
                "remaining": record["remaining"],
                "thresholds": ", ".join(reached),
            }
        )
    rows.sort(key=lambda row: (row["remaining"], row["ticket_id"], row["metric"]))
    return Table(
        ("ticket_id", "metric", "priority", "state", "due_at", "remaining", "thresholds"), rows
    )
