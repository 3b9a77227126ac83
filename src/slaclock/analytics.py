"""Batch evaluation and reports: many tickets -> rows -> attainment, durations, at-risk lists.

:func:`evaluate_many` evaluates an iterable of timelines lazily (one at a time) and collects one
*record* per ticket x metric x cycle: a plain dict with every field of the cycle's result plus
the ticket's attributes. The reports (:func:`attainment`, :func:`durations`, :func:`breaches`,
:func:`at_risk`, :func:`first_contact_resolution`, :func:`volume`) read those records. No pandas
needed; :meth:`Batch.to_pandas` is there when the ``[pandas]`` extra is installed.

>>> from slaclock.synthetic import DEFAULT_POLICY, sample_timelines
>>> batch = evaluate_many(DEFAULT_POLICY, sample_timelines())
>>> len(batch.tickets), len(batch.failures)
(5, 0)
>>> print(attainment(batch, by=("priority",), metric="first_response").to_table())
priority  metric          met  breached  attainment
high      first_response    1         1       50.0%
normal    first_response    1         0      100.0%
urgent    first_response    0         1        0.0%

The definitions (what counts as met, breached, and in the denominator) are in
``docs/reference/reports.md``.
"""

from __future__ import annotations

import csv
import importlib
import json
import math
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, tzinfo
from itertools import chain
from pathlib import Path
from typing import IO, Any, Literal

from pydantic import ValidationError

from slaclock.engine import evaluate
from slaclock.errors import SlaclockError
from slaclock.policy import Policy, PolicySet
from slaclock.results import CycleResult, TicketResult
from slaclock.timeline import STATUS_OF_KIND, Timeline

__all__ = [
    "AttainmentReport",
    "AttainmentRow",
    "Batch",
    "Failure",
    "Period",
    "Table",
    "at_risk",
    "attainment",
    "breaches",
    "durations",
    "evaluate_many",
    "first_contact_resolution",
    "iter_records",
    "period_of",
    "volume",
    "write_csv",
    "write_jsonl",
]

#: Reporting periods: a local calendar day, an ISO week (Monday to Sunday) or a calendar month.
Period = Literal["day", "week", "month"]
#: What a cancelled cycle counts as in attainment.
CancelledAs = Literal["excluded", "met", "breached"]
#: What a stopped cycle with no target for its priority (state ``completed``) counts as.
UntargetedAs = Literal["excluded", "met"]
#: ``raise``: the first bad timeline stops the batch; ``collect``: it is recorded in ``failures``.
OnError = Literal["collect", "raise"]
#: A progress callback: ``(tickets done, total or None)``.
Progress = Callable[[int, "int | None"], None]

#: The cycle fields of a record, in column order (``ticket_id`` ... ``spans``).
RECORD_FIELDS: tuple[str, ...] = (
    "ticket_id",
    "policy",
    "policy_version",
    "as_of",
    "metric",
    "index",
    "state",
    "priority",
    "calendar",
    "target_spec",
    "started_at",
    "stopped_at",
    "due_at",
    "breached_at",
    "target",
    "elapsed",
    "paused",
    "remaining",
    "overdue_by",
    "percent_used",
    "thresholds",
    "events",
    "spans",
)
_DURATION_FIELDS = frozenset({"target", "elapsed", "paused", "remaining", "overdue_by"})
_PROGRESS_EVERY = 1000


# ----------------------------------------------------------------------------------------------
# Batch evaluation
@dataclass(frozen=True, slots=True)
class Failure:
    """A timeline that could not be evaluated: its position in the input, its ticket id (when
    it has one) and the error message.

    >>> Failure(position=3, ticket_id="T-9", error="no created event").ticket_id
    'T-9'
    """

    position: int
    ticket_id: str | None
    error: str


def _attributes(timeline: Timeline) -> dict[str, Any]:
    """The ticket's attributes when it was created (initial attributes + the created event's)."""
    created = timeline.events[0]
    attributes = dict(timeline.attributes)
    if created.attributes:
        attributes.update(created.attributes)
    if created.priority is not None:
        attributes["priority"] = created.priority
    return attributes


def _cycle_record(
    result: TicketResult, cycle: CycleResult, attributes: Mapping[str, Any]
) -> dict[str, Any]:
    values = cycle.__dict__
    policy = values["policy"]
    record: dict[str, Any] = {
        "ticket_id": result.ticket_id,
        "policy": policy,
        # The result knows the version of the policy in force at as_of only; a cycle measured
        # under an earlier policy of a set gets none rather than another policy's version.
        "policy_version": result.policy_version if policy == result.policy else None,
        "as_of": result.as_of,
    }
    for name in RECORD_FIELDS[4:]:
        record[name] = values[name]
    for key, value in attributes.items():
        record[key if key not in record else f"attribute_{key}"] = value
    return record


def _ticket_row(
    result: TicketResult, timeline: Timeline, attributes: Mapping[str, Any]
) -> dict[str, Any]:
    """One row per ticket: what the ticket-level reports (volume, first contact resolution) need."""
    status = "new"
    replies = reopens = 0
    solved_at: datetime | None = None
    as_of = result.as_of
    for event in timeline.events:
        if event.at > as_of:
            break
        kind = event.kind
        if kind == "agent_replied" and event.public is not False:
            replies += 1
        elif kind == "reopened":
            reopens += 1
        new = event.status or STATUS_OF_KIND.get(kind)
        if new is not None:
            if new in ("solved", "closed") and status not in ("solved", "closed"):
                solved_at = event.at
            status = new
    row: dict[str, Any] = {
        "ticket_id": result.ticket_id,
        "policy": result.policy,
        "as_of": as_of,
        "created_at": _in_result_zone(timeline.events[0].at, result),
        "status": status,
        "solved": status in ("solved", "closed"),
        "solved_at": solved_at,
        "public_replies": replies,
        "reopens": reopens,
    }
    for key, value in attributes.items():
        row[key if key not in row else f"attribute_{key}"] = value
    return row


def _in_result_zone(value: datetime, result: TicketResult) -> datetime:
    for metric in result.metrics.values():
        if metric.cycles:
            return value.astimezone(metric.cycles[0].started_at.tzinfo)
    return value


def _stream(
    policy: Policy | PolicySet,
    timelines: Iterable[Timeline | Mapping[str, Any]],
    as_of: datetime | None,
    explain: bool,
    failures: list[Failure] | None,
    progress: Progress | None,
    total: int | None,
) -> Iterator[tuple[dict[str, Any], list[dict[str, Any]]]]:
    """(ticket row, cycle records) per ticket; bad timelines go to ``failures`` or raise."""
    done = 0
    for position, item in enumerate(timelines):
        try:
            timeline = item if isinstance(item, Timeline) else Timeline.model_validate(item)
            result = evaluate(policy, timeline, as_of, explain=explain)
        except (SlaclockError, ValidationError, ValueError) as exc:
            if failures is None:
                raise
            ticket_id = (
                item.ticket_id
                if isinstance(item, Timeline)
                else (item.get("ticket_id") if isinstance(item, Mapping) else None)
            )
            failures.append(
                Failure(position, None if ticket_id is None else str(ticket_id), str(exc))
            )
        else:
            attributes = _attributes(timeline)
            records = [
                _cycle_record(result, cycle, attributes)
                for metric in result.metrics.values()
                for cycle in metric.cycles
            ]
            yield _ticket_row(result, timeline, attributes), records
        done += 1
        if progress is not None and done % _PROGRESS_EVERY == 0:
            progress(done, total)
    if progress is not None and done % _PROGRESS_EVERY:
        progress(done, total)


def iter_records(
    policy: Policy | PolicySet,
    timelines: Iterable[Timeline | Mapping[str, Any]],
    as_of: datetime | None = None,
    *,
    failures: list[Failure] | None = None,
    explain: bool = False,
) -> Iterator[dict[str, Any]]:
    """Yield the records of each timeline as it is evaluated (constant memory for a stream).

    Without ``failures`` the first bad timeline raises; with a list, each bad timeline is
    appended to it as a :class:`Failure` and the stream goes on.

    >>> from slaclock.synthetic import DEFAULT_POLICY, generate_timelines
    >>> bad = []
    >>> rows = iter_records(DEFAULT_POLICY, [{"ticket_id": "X", "events": []},
    ...                                      *generate_timelines(2, seed=1)], failures=bad)
    >>> sorted({row["ticket_id"] for row in rows}), bad[0].ticket_id
    (['S-000000', 'S-000001'], 'X')
    """
    for _, records in _stream(policy, timelines, as_of, explain, failures, None, None):
        yield from records


def _tqdm_progress(total: int | None) -> tuple[Progress, Callable[[], None]]:
    try:
        tqdm: Any = importlib.import_module("tqdm.auto").tqdm
    except ImportError as exc:  # pragma: no cover - depends on the environment
        raise ImportError(
            "progress=True needs tqdm: pip install 'slaclock[progress]' - or pass a callback"
        ) from exc
    bar = tqdm(total=total, unit="ticket")

    def update(done: int, _total: int | None) -> None:
        bar.update(done - bar.n)

    return update, bar.close


def evaluate_many(
    policy: Policy | PolicySet,
    timelines: Iterable[Timeline | Mapping[str, Any]],
    as_of: datetime | None = None,
    *,
    errors: OnError = "collect",
    progress: Progress | bool | None = None,
    explain: bool = False,
) -> Batch:
    """Evaluate every timeline (``Timeline`` objects or plain mappings, validated here) and
    collect the records in a :class:`Batch`.

    ``errors="collect"`` (default) records each timeline that fails validation or evaluation
    in ``batch.failures`` (position, ticket id, message) and goes on; ``errors="raise"`` stops
    at the first. ``progress`` is a callback ``(done, total)`` called every 1,000 tickets and
    at the end, or ``True`` for a progress bar (the ``[progress]`` extra, tqdm). ``as_of`` is
    the evaluation instant for every ticket (default: each ticket's last event).

    To stream a million tickets to a file in bounded memory, use :func:`iter_records` with
    :func:`write_jsonl` instead: a ``Batch`` keeps every record.

    >>> from slaclock.synthetic import DEFAULT_POLICY, generate_timelines
    >>> batch = evaluate_many(DEFAULT_POLICY, [*generate_timelines(3, seed=4), {"ticket_id": "bad"}])
    >>> len(batch.tickets), [(f.position, f.ticket_id) for f in batch.failures]
    (3, [(3, 'bad')])
    """
    if errors not in ("collect", "raise"):
        raise ValueError(f"errors: unknown option {errors!r} - expected 'collect' or 'raise'")
    total = len(timelines) if isinstance(timelines, Sequence) else None
    close: Callable[[], None] | None = None
    callback: Progress | None
    if progress is True:
        callback, close = _tqdm_progress(total)
    else:
        callback = progress or None
    failures: list[Failure] = []
    tickets: list[dict[str, Any]] = []
    records: list[dict[str, Any]] = []
    try:
        for ticket, cycle_records in _stream(
            policy,
            timelines,
            as_of,
            explain,
            failures if errors == "collect" else None,
            callback,
            total,
        ):
            tickets.append(ticket)
            records.extend(cycle_records)
    finally:
        if close is not None:
            close()
    return Batch(records=records, tickets=tickets, failures=failures, as_of=as_of)


@dataclass(frozen=True)
class Batch:
    """The evaluated batch: ``records`` (one per ticket x metric x cycle), ``tickets`` (one row
    per ticket) and ``failures`` (the timelines that could not be evaluated).

    Records are plain dicts: durations are ``timedelta`` and instants aware ``datetime`` here;
    the JSON Lines and CSV forms write durations as ``<name>_seconds`` numbers and instants as
    ISO 8601 text, like :class:`~slaclock.CycleResult`'s JSON form.
    """

    records: list[dict[str, Any]]
    tickets: list[dict[str, Any]]
    failures: list[Failure] = field(default_factory=list)
    as_of: datetime | None = None

    def __iter__(self) -> Iterator[dict[str, Any]]:
        return iter(self.records)

    def __len__(self) -> int:
        return len(self.records)

    def to_records(self) -> list[dict[str, Any]]:
        """The records (a new list of copies)."""
        return [dict(record) for record in self.records]

    def to_pandas(self) -> Any:
        """The records as a ``pandas.DataFrame`` (needs the ``[pandas]`` extra).

        Durations become ``Timedelta`` columns; ``thresholds`` holds ``{name: at}`` dicts.
        """
        try:
            pd: Any = importlib.import_module("pandas")
        except ImportError as exc:  # pragma: no cover - depends on the environment
            raise ImportError(
                "Batch.to_pandas() needs pandas: pip install 'slaclock[pandas]'"
            ) from exc
        rows = []
        for record in self.records:
            row = dict(record)
            row["thresholds"] = {t.name: t.at for t in record["thresholds"]}
            rows.append(row)
        frame = pd.DataFrame(rows, columns=_columns(self.records) if not rows else None)
        for name in _DURATION_FIELDS:
            if name in frame:
                frame[name] = pd.to_timedelta(frame[name])
        return frame

    def write_jsonl(self, path_or_file: str | Path | IO[str]) -> int:
        """Write one JSON object per record; returns the number written."""
        return write_jsonl(self.records, path_or_file)

    def write_csv(self, path_or_file: str | Path | IO[str]) -> int:
        """Write the records as CSV with a header row; returns the number written."""
        return write_csv(self.records, path_or_file, columns=_columns(self.records))


# ----------------------------------------------------------------------------------------------
# Writers
def _json_value(name: str, value: Any) -> tuple[str, Any]:
    if name in _DURATION_FIELDS:
        return f"{name}_seconds", None if value is None else value.total_seconds()
    if isinstance(value, datetime):
        return name, value.isoformat()
    if isinstance(value, (date, timedelta)):
        return name, str(value)
    if name == "thresholds":
        return name, [t.model_dump(mode="json") for t in value]
    if name == "spans":
        return name, [s.model_dump(mode="json") for s in value]
    if isinstance(value, tuple):
        return name, list(value)
    return name, value


def _json_record(record: Mapping[str, Any]) -> dict[str, Any]:
    return dict(_json_value(name, value) for name, value in record.items())


def _opened(path_or_file: str | Path | IO[str]) -> tuple[IO[str], bool]:
    if isinstance(path_or_file, (str, Path)):
        return open(path_or_file, "w", encoding="utf-8", newline=""), True
    return path_or_file, False


def write_jsonl(records: Iterable[Mapping[str, Any]], path_or_file: str | Path | IO[str]) -> int:
    """Write records (from a :class:`Batch` or :func:`iter_records`) as JSON Lines; returns the
    number written. Streams: nothing is kept in memory.

    >>> import io
    >>> out = io.StringIO()
    >>> write_jsonl([{"ticket_id": "T", "elapsed": timedelta(minutes=1)}], out)
    1
    >>> out.getvalue()
    '{"ticket_id": "T", "elapsed_seconds": 60.0}\\n'
    """
    handle, owned = _opened(path_or_file)
    count = 0
    try:
        for record in records:
            handle.write(json.dumps(_json_record(record), default=str) + "\n")
            count += 1
    finally:
        if owned:
            handle.close()
    return count


def _columns(records: Iterable[Mapping[str, Any]]) -> list[str]:
    extra: dict[str, None] = {}
    for record in records:
        for key in record:
            if key not in RECORD_FIELDS:
                extra[key] = None
    return [*RECORD_FIELDS, *extra]


def write_csv(
    records: Iterable[Mapping[str, Any]],
    path_or_file: str | Path | IO[str],
    *,
    columns: Sequence[str] | None = None,
) -> int:
    """Write records as CSV (header first; durations in ``<name>_seconds`` columns, lists as
    JSON text); returns the number written. ``columns`` defaults to the record fields plus the
    attributes of the first record (pass it when a stream's later records have other keys).

    >>> import io
    >>> out = io.StringIO()
    >>> write_csv([{"ticket_id": "T", "elapsed": timedelta(minutes=1)}], out, columns=["ticket_id", "elapsed"])
    1
    >>> out.getvalue().splitlines()
    ['ticket_id,elapsed_seconds', 'T,60.0']
    """
    handle, owned = _opened(path_or_file)
    count = 0
    try:
        iterator = iter(records)
        first = next(iterator, None)
        if columns is None:
            columns = _columns([first] if first is not None else [])
        header = [
            _json_value(name, None)[0] if name in _DURATION_FIELDS else name for name in columns
        ]
        writer = csv.writer(handle)
        writer.writerow(header)
        if first is None:
            return 0
        for row in chain([first], iterator):
            data = _json_record(row)
            cells = []
            for key in header:
                value = data.get(key)
                if isinstance(value, (list, dict)):
                    value = json.dumps(value, default=str)
                cells.append("" if value is None else value)
            writer.writerow(cells)
            count += 1
    finally:
        if owned:
            handle.close()
    return count


# ----------------------------------------------------------------------------------------------
# Grouping helpers
def period_of(value: datetime, period: Period, timezone: tzinfo | None = None) -> str:
    """The label of the period ``value`` falls in: ``2025-03-07`` (day), ``2025-W10`` (ISO week)
    or ``2025-03`` (month), read in ``timezone`` (default: ``value``'s own zone, which in
    records is the policy calendar's).

    >>> from zoneinfo import ZoneInfo
    >>> at = datetime(2025, 3, 9, 23, 30, tzinfo=ZoneInfo("America/New_York"))
    >>> period_of(at, "day"), period_of(at, "week"), period_of(at, "month")
    ('2025-03-09', '2025-W10', '2025-03')
    >>> period_of(at, "day", ZoneInfo("Europe/Berlin"))
    '2025-03-10'
    """
    local = value if timezone is None else value.astimezone(timezone)
    if period == "day":
        return local.date().isoformat()
    if period == "week":
        year, week, _ = local.isocalendar()
        return f"{year}-W{week:02d}"
    if period == "month":
        return f"{local.year:04d}-{local.month:02d}"
    raise ValueError(f"period: unknown period {period!r} - expected 'day', 'week' or 'month'")


def _key_of(
    by: Sequence[str], period: Period | None, anchor: str, timezone: tzinfo | None
) -> Callable[[Mapping[str, Any]], tuple[Any, ...]]:
    def key(record: Mapping[str, Any]) -> tuple[Any, ...]:
        values = tuple(record.get(name) for name in by)
        if period is None:
            return values
        return (*values, period_of(record[anchor], period, timezone))

    return key


def _check_metric(records: Sequence[Mapping[str, Any]], metric: str | None) -> None:
    if metric is None or not records:
        return
    known = {record["metric"] for record in records}
    if metric not in known:
        raise ValueError(f"metric: unknown metric {metric!r} - expected one of {sorted(known)}")


def _check_by(rows: Sequence[Mapping[str, Any]], by: Sequence[str]) -> None:
    """A ``by`` name no row has is a typo (``prio``), not a group of its own: say so."""
    for name in by:
        if rows and not any(name in row for row in rows):
            known = sorted({key for row in rows[:1000] for key in row})
            raise ValueError(
                f"by: unknown field {name!r} - expected a record field or ticket attribute: "
                f"{', '.join(known)}"
            )


def _sort_key(key: tuple[Any, ...]) -> tuple[tuple[bool, str], ...]:
    return tuple((value is None, str(value)) for value in key)


def _records_of(batch: Batch | Iterable[Mapping[str, Any]]) -> list[Mapping[str, Any]]:
    return batch.records if isinstance(batch, Batch) else list(batch)  # type: ignore[return-value]


@dataclass(frozen=True)
class Table:
    """Report rows (dicts) with a plain-text rendering; ``columns`` gives the order."""

    columns: tuple[str, ...]
    rows: list[dict[str, Any]]

    def to_table(self) -> str:
        """The rows as an aligned plain-text table (numbers right-aligned)."""
        cells = [list(self.columns)]
        for row in self.rows:
            cells.append([_cell(row.get(name)) for name in self.columns])
        widths = [max(len(line[i]) for line in cells) for i in range(len(self.columns))]
        numeric = [
            all(_is_number(row.get(name)) for row in self.rows) and bool(self.rows)
            for name in self.columns
        ]
        lines = []
        for line in cells:
            parts = [
                cell.rjust(width) if is_num else cell.ljust(width)
                for cell, width, is_num in zip(line, widths, numeric)
            ]
            lines.append("  ".join(parts).rstrip())
        return "\n".join(lines)

    def __str__(self) -> str:
        return self.to_table()

    def to_pandas(self) -> Any:
        """The rows as a ``pandas.DataFrame`` (needs the ``[pandas]`` extra)."""
        try:
            pd: Any = importlib.import_module("pandas")
        except ImportError as exc:  # pragma: no cover - depends on the environment
            raise ImportError("to_pandas() needs pandas: pip install 'slaclock[pandas]'") from exc
        return pd.DataFrame(self.rows, columns=list(self.columns))


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float, timedelta, _Percent)) and not isinstance(value, bool)


class _Percent(float):
    """A share in [0, 1] shown as a percentage in tables."""


def _cell(value: Any) -> str:
    if value is None:
        return "-"
    if isinstance(value, _Percent):
        return f"{value * 100:.1f}%"
    if isinstance(value, float):
        return f"{value:.2f}"
    if isinstance(value, timedelta):
        from slaclock.durations import format_duration

        return format_duration(value)
    return str(value)


# ----------------------------------------------------------------------------------------------
# Attainment
@dataclass(frozen=True, slots=True)
class AttainmentRow:
    """One group's tally. ``attainment`` is ``met / (met + breached)`` (``None`` when nothing
    counts); ``breached`` includes ``overdue`` when running-overdue cycles count."""

    key: tuple[Any, ...]
    metric: str
    met: int
    breached: int
    overdue: int
    cancelled: int
    completed: int
    open: int

    @property
    def attainment(self) -> float | None:
        """``met / (met + breached)``, or ``None`` when the denominator is zero."""
        counted = self.met + self.breached
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
            if overdue:
                counts[1] += 1
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
    """Attainment per group (``by`` attributes, then the period, then the metric)."""

    by: tuple[str, ...]
    period: Period | None
    rows: list[AttainmentRow]

    def total(self) -> AttainmentRow:
        """All rows added up (over every group and metric)."""
        sums = [0] * 6
        for row in self.rows:
            for i, value in enumerate(
                (row.met, row.breached, row.overdue, row.cancelled, row.completed, row.open)
            ):
                sums[i] += value
        return AttainmentRow((), "*", *sums)

    def to_table(self) -> str:
        """A plain-text table: the group columns, metric, met, breached and attainment."""
        columns = (*self.by, *(("period",) if self.period else ()), "metric")
        rows = []
        for row in self.rows:
            data = dict(zip(columns, (*row.key, row.metric)))
            share = row.attainment
            data.update(
                met=row.met,
                breached=row.breached,
                attainment=None if share is None else _Percent(share),
            )
            rows.append(data)
        return Table((*columns, "met", "breached", "attainment"), rows).to_table()

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
    timezone: tzinfo | None = None,
) -> AttainmentReport:
    """Attainment, ``met / (met + breached)``, per metric and group.

    - ``by``: record fields or ticket attributes to group by (``priority`` is the priority the
      cycle's target was read for; ``group``, ``channel``, ``tier`` ... are attributes).
    - ``period``: also group by ``day``, ``week`` or ``month`` of ``anchor`` (the cycle's start,
      by default), in the zone results are expressed in (the policy calendar's) or ``timezone``.
      Cycles that have not stopped have no ``stopped_at`` and are left out with that anchor.
    - ``overdue=True``: a running cycle past its due instant counts as breached (it can no
      longer be met); ``False`` leaves it out until it stops.
    - ``cancelled``: ``excluded`` (default), or counted as ``met`` or ``breached``.
    - ``untargeted``: cycles with no target for their priority (``completed``) are
      ``excluded`` from the denominator (default) or counted as ``met``.

    Running and paused cycles are never counted. Full definitions: ``docs/reference/reports.md``.

    >>> from slaclock.synthetic import DEFAULT_POLICY, sample_timelines
    >>> report = attainment(evaluate_many(DEFAULT_POLICY, sample_timelines()), by=(), metric="resolution")
    >>> row = report.rows[0]
    >>> row.met, row.breached, row.open, row.attainment
    (3, 0, 2, 1.0)
    """
    records = _records_of(batch)
    _check_metric(records, metric)
    _check_by(records, by)
    if anchor not in ("started_at", "stopped_at"):
        raise ValueError(f"anchor: {anchor!r} - expected 'started_at' or 'stopped_at'")
    if period is not None:
        period_of(datetime(2000, 1, 1), period)  # validates the name
    selected = (
        r
        for r in records
        if (metric is None or r["metric"] == metric) and (period is None or r[anchor] is not None)
    )
    key = _key_of(tuple(by), period, anchor, timezone)
    groups = _tally(selected, key, overdue, cancelled, untargeted)
    rows = [AttainmentRow(k[:-1], k[-1], *counts) for k, counts in groups.items()]
    rows.sort(key=lambda row: (_sort_key(row.key), row.metric))
    return AttainmentReport(tuple(by), period, rows)


# ----------------------------------------------------------------------------------------------
# Durations, breaches, volume, first contact resolution, at risk
def percentile(values: Sequence[timedelta], share: float) -> timedelta:
    """Nearest-rank percentile of sorted ``values``: the smallest value with at least ``share``
    of the values at or below it (``values[ceil(share * n) - 1]``; always an observed value).

    >>> percentile([timedelta(minutes=m) for m in (1, 2, 3, 4)], 0.5)
    datetime.timedelta(seconds=120)
    """
    if not values:
        raise ValueError("percentile of no values - expected at least one value")
    rank = max(1, math.ceil(round(share * len(values), 9)))
    return values[min(rank, len(values)) - 1]


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
) -> Table:
    """Business-time durations (``elapsed``) per metric and group: count, mean, median, p80,
    p90, p95, p99 and max, over cycles in ``states`` (default: those that stopped - met,
    breached, or completed without a target). Percentiles are nearest-rank (an observed
    duration); the median is p50 (the lower middle value for an even count); the mean is
    rounded to the microsecond.

    >>> from slaclock.synthetic import DEFAULT_POLICY, sample_timelines
    >>> print(durations(evaluate_many(DEFAULT_POLICY, sample_timelines()), metric="first_response", by=()).to_table())
    metric          count      mean  median     p80     p90     p95     p99     max
    first_response      4  3h26m15s     40m  11h25m  11h25m  11h25m  11h25m  11h25m
    """
    records = _records_of(batch)
    _check_metric(records, metric)
    _check_by(records, by)
    groups: dict[tuple[Any, ...], list[timedelta]] = {}
    for record in records:
        if (metric is None or record["metric"] == metric) and record["state"] in states:
            key = (*(record.get(name) for name in by), record["metric"])
            groups.setdefault(key, []).append(record["elapsed"])
    rows = []
    for key in sorted(groups, key=_sort_key):
        values = sorted(groups[key])
        row: dict[str, Any] = dict(zip((*by, "metric"), key))
        row.update(
            count=len(values),
            mean=_mean(values),
            median=percentile(values, 0.5),
            p80=percentile(values, 0.8),
            p90=percentile(values, 0.9),
            p95=percentile(values, 0.95),
            p99=percentile(values, 0.99),
            max=values[-1],
        )
        rows.append(row)
    return Table((*by, "metric", *_DURATION_COLUMNS), rows)


def breaches(
    batch: Batch | Iterable[Mapping[str, Any]],
    *,
    metric: str | None = None,
    by: Sequence[str] = ("priority",),
) -> Table:
    """Breach counts per metric and group: ``breached`` (stopped late), ``overdue`` (running
    late) and ``overdue_time``, the sum of ``overdue_by`` (business time past due) of both.

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
            key = (*(record.get(name) for name in by), record["metric"])
            counts = groups.setdefault(key, [0, 0, timedelta(0)])
            counts[0 if state == "breached" else 1] += 1
            counts[2] += record["overdue_by"] or timedelta(0)
    rows = []
    for key in sorted(groups, key=_sort_key):
        row: dict[str, Any] = dict(zip((*by, "metric"), key))
        row.update(breached=groups[key][0], overdue=groups[key][1], overdue_time=groups[key][2])
        rows.append(row)
    return Table((*by, "metric", "breached", "overdue", "overdue_time"), rows)


def volume(
    batch: Batch,
    *,
    period: Period = "day",
    by: Sequence[str] = (),
    timezone: tzinfo | None = None,
) -> Table:
    """Tickets created per period (and group), by the ``created`` instant in the results' zone
    (the policy calendar's) or ``timezone``.

    >>> from slaclock.synthetic import DEFAULT_POLICY, sample_timelines
    >>> print(volume(evaluate_many(DEFAULT_POLICY, sample_timelines()), period="week").to_table())
    period    tickets
    2025-W10        2
    2025-W11        3
    """
    period_of(datetime(2000, 1, 1), period)
    _check_by(batch.tickets, by)
    groups: dict[tuple[Any, ...], int] = {}
    for ticket in batch.tickets:
        key = (period_of(ticket["created_at"], period, timezone), *(ticket.get(n) for n in by))
        groups[key] = groups.get(key, 0) + 1
    rows = [
        {**dict(zip(("period", *by), key)), "tickets": groups[key]}
        for key in sorted(groups, key=_sort_key)
    ]
    return Table(("period", *by, "tickets"), rows)


def first_contact_resolution(batch: Batch, *, by: Sequence[str] = ()) -> Table:
    """First contact resolution per group: among tickets solved (or closed) as of the
    evaluation instant, the share solved with exactly one public agent reply and never reopened.

    >>> from slaclock.synthetic import DEFAULT_POLICY, sample_timelines
    >>> print(first_contact_resolution(evaluate_many(DEFAULT_POLICY, sample_timelines())).to_table())
    solved  first_contact   rate
         3              1  33.3%
    """
    groups: dict[tuple[Any, ...], list[int]] = {}
    for ticket in batch.tickets:
        if not ticket["solved"]:
            continue
        counts = groups.setdefault(tuple(ticket.get(n) for n in by), [0, 0])
        counts[0] += 1
        if ticket["public_replies"] == 1 and ticket["reopens"] == 0:
            counts[1] += 1
    rows = []
    for key in sorted(groups, key=_sort_key):
        solved, first = groups[key]
        rows.append(
            {
                **dict(zip(by, key)),
                "solved": solved,
                "first_contact": first,
                "rate": _Percent(first / solved),
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

    >>> from slaclock.synthetic import DEFAULT_POLICY, generate_timelines
    >>> from datetime import datetime
    >>> as_of = datetime.fromisoformat("2025-03-12T12:00:00-04:00")
    >>> batch = evaluate_many(DEFAULT_POLICY, generate_timelines(200, seed=3), as_of=as_of)
    >>> rows = at_risk(batch).rows
    >>> all(a["remaining"] <= b["remaining"] for a, b in zip(rows, rows[1:]))
    True
    """
    states = ("running", "paused", "overdue") if include_overdue else ("running", "paused")
    rows = []
    for record in _records_of(batch):
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
