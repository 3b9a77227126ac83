"""Columnar evaluation: an events table in, one row per cycle (or per ticket) out.

:func:`evaluate_frame` takes the events of many tickets as a pandas DataFrame, a pyarrow Table
or a polars DataFrame and evaluates them without building a pydantic ``Event`` per row: the
instants become integers once, column-wise (pyarrow compute), the rows are grouped by ticket
with one sort, and each ticket's rows feed the engine's replay directly. The results are those
of :func:`slaclock.evaluate` on the same tickets (a property test holds the two paths together).

Needs the ``[arrow]`` extra (pyarrow); pandas and polars inputs need their own library too.

>>> import pyarrow as pa
>>> from slaclock.synthetic import DEFAULT_POLICY
>>> events = pa.table({
...     "ticket_id": ["T-1", "T-1", "T-2"],
...     "at": ["2025-03-07T16:30:00-05:00", "2025-03-07T16:50:00-05:00", "2025-03-10T09:00:00-04:00"],
...     "kind": ["created", "agent_replied", "created"],
...     "priority": ["high", None, "normal"]})
>>> table = evaluate_frame(DEFAULT_POLICY, events)
>>> table.select(["ticket_id", "metric", "state", "elapsed_seconds"]).slice(0, 2).to_pylist()
[{'ticket_id': 'T-1', 'metric': 'first_response', 'state': 'met', 'elapsed_seconds': 1200.0}, {'ticket_id': 'T-1', 'metric': 'requester_wait', 'state': 'running', 'elapsed_seconds': 1200.0}]
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import TYPE_CHECKING, Any, Literal, cast

from slaclock._frame_input import (
    arrow_module,
    check_columns,
    flag_column,
    from_arrow,
    instants_of,
    text_column,
    ticket_ids,
    to_arrow,
)
from slaclock._tz import (
    check_in_range,
    from_micros,
    to_micros,
)
from slaclock.errors import (
    ArgumentError,
    SlaclockError,
    TimelineError,
    UnknownEvents,
)
from slaclock.measure import CycleMeasure, cycle_amounts, measure_values, sequential_start
from slaclock.policy import Policy, PolicySet, as_policy
from slaclock.records import DURATION_FIELDS, RECORD_FIELDS, renamed_attributes
from slaclock.replay import ReplayedCycle, TicketFacts, TicketReplay
from slaclock.timeline import STATUS_OF_KIND, Event, check_attributes

if TYPE_CHECKING:
    import pyarrow as pa  # type: ignore[import-untyped,unused-ignore]

__all__ = [
    "CYCLE_COLUMNS",
    "TICKET_COLUMNS",
    "FrameErrors",
    "attribute_columns",
    "checked_options",
    "evaluate_frame",
]

#: ``raise``: the first bad row or ticket stops the evaluation; ``collect``: each failed ticket
#: becomes one row with its ``ticket_id`` and an ``error`` message (other fields empty).
FrameErrors = Literal["raise", "collect"]

#: The columns of a cycle row, in order (the CLI's CSV columns, ``spans`` aside); the
#: ticket's attributes follow, then ``attribute_priority`` (the priority it was created with).
CYCLE_COLUMNS: tuple[str, ...] = tuple(
    f"{name}_seconds" if name in DURATION_FIELDS else name
    for name in RECORD_FIELDS
    if name != "spans"
)
#: The columns of a ticket row (``per_ticket=True``), in order; the attributes follow.
TICKET_COLUMNS: tuple[str, ...] = (
    "ticket_id",
    "policy",
    "as_of",
    "created_at",
    "status",
    "solved",
    "solved_at",
    "public_replies",
    "reopens",
)
_INSTANT_COLUMNS = frozenset(
    {"as_of", "started_at", "stopped_at", "due_at", "breached_at", "created_at", "solved_at"}
)
_SECONDS_COLUMNS = frozenset(c for c in CYCLE_COLUMNS if c.endswith("_seconds"))
#: Columns with a meaning of their own; every other column is a ticket attribute.
_EVENT_COLUMNS = ("ticket_id", "at", "kind", "id", "status", "priority", "public", "author")
_ATTRIBUTE_KINDS = frozenset({"created", "attributes_changed"})
_REQUIRED = {"status_changed": "status", "priority_changed": "priority"}


@dataclass(slots=True)
class _Row:
    """One event row, as the engine's replay reads it (the fields it uses of an ``Event``)."""

    kind: str
    status: str | None
    public: bool | None
    priority: str | None
    attributes: dict[str, Any] | None


def _where(row: int, ticket: object) -> str:
    return f"row {row}" if ticket is None else f"row {row} (ticket {ticket!r})"


# ----------------------------------------------------------------------------------------------
# Measuring: a metric's cycles -> the values of their rows, from the engine's own integer
# measure (slaclock.measure.measure_values): no result objects, the same numbers.
def _metric_rows(metric: str, cycles: list[ReplayedCycle], as_of: int) -> list[tuple[Any, ...]]:
    rows = []
    not_before: int | None = None
    last = len(cycles) - 1
    for index, cycle in enumerate(cycles):
        measured = measure_values(metric, cycle, as_of, not_before)
        rows.append(_cycle_row(metric, index, cycle, measured))
        if index < last:
            not_before = sequential_start(metric, cycles[index + 1], measured.due)
    return rows


def _cycle_row(
    metric: str, index: int, cycle: ReplayedCycle, measured: CycleMeasure
) -> tuple[Any, ...]:
    context, resolved, state = measured.context, measured.resolved, measured.state
    target, elapsed, due = measured.target, measured.elapsed, measured.due
    breached = state == "breached" or state == "overdue"
    priority = context.attributes.get("priority")
    remaining, overdue_by, percent = cycle_amounts(target, elapsed, state)
    # The values of CYCLE_COLUMNS from "metric" on, after the policy the cycle ran under.
    return (
        context.policy.name,
        metric,
        index,
        state,
        None if priority is None else str(priority),
        resolved.label,
        resolved.target_text,
        measured.start,
        measured.stopped,
        due,
        due if breached else None,
        target,
        elapsed,
        measured.paused,
        remaining,
        overdue_by,
        percent,
        _thresholds_text(measured.thresholds),
        tuple(cycle.events),  # a tuple of ints: the collector stops tracking it
    )


def _thresholds_text(thresholds: Sequence[tuple[str, int | None, bool]]) -> str:
    """Thresholds as JSON text (like the CSV output), instants in UTC; written by hand, as
    ``json.dumps`` of a list of dicts costs a few times more per cycle."""
    parts = []
    for name, at, reached in thresholds:
        at_text = "null" if at is None else f'"{_iso(at)}"'
        parts.append(
            f'{{"name": {json.dumps(name)}, "at": {at_text}, '
            f'"reached": {"true" if reached else "false"}}}'
        )
    return "[" + ", ".join(parts) + "]"


def _iso(micros: int) -> str:
    return from_micros(micros, timezone.utc).isoformat().replace("+00:00", "Z")


# ----------------------------------------------------------------------------------------------
# The public entry point
def evaluate_frame(
    policy: Policy | PolicySet | Mapping[str, Any],
    events: Any,
    as_of: datetime | None = None,
    *,
    per_ticket: bool = False,
    errors: FrameErrors = "raise",
) -> Any:
    """Evaluate the tickets of an events table: one row per cycle (or per ticket).

    ``events`` is a pandas DataFrame, a pyarrow Table or a polars DataFrame with the columns
    ``ticket_id``, ``at`` (timestamps with a zone, or ISO 8601 text with an offset) and
    ``kind``, and optionally ``id``, ``status``, ``priority``, ``public``, ``author``; every
    other column is a ticket attribute, read from the ``created`` row (and from
    ``attributes_changed`` rows, where a missing value means "unchanged"). A ticket's rows need
    not be contiguous or ordered. The result is a table of the same library as the input.

    One row per ticket x metric x cycle (:data:`CYCLE_COLUMNS`, the fields and names of the
    CLI's CSV output, then the attributes), in the order the tickets first appear; with
    ``per_ticket=True`` one row per ticket instead (:data:`TICKET_COLUMNS`). Instants are
    timestamps in UTC; durations are seconds; ``thresholds`` is JSON text; ``events`` the
    positions of the events that shaped the cycle in the ticket's ordered timeline.

    ``policy`` may also be plain data (validated first, as :func:`slaclock.evaluate` does).
    ``as_of`` is the evaluation instant of every ticket (default: each ticket's last event).
    ``errors="raise"``: a bad row or a ticket that cannot be evaluated raises, naming the row
    (its position in the input) and the ticket; ``errors="collect"``: the table has an extra
    ``error`` column, and each failed ticket one row with its ``ticket_id`` and the message.

    >>> import pandas as pd
    >>> from slaclock.synthetic import DEFAULT_POLICY
    >>> events = pd.DataFrame({"ticket_id": ["A", "A"], "kind": ["created", "solved"],
    ...     "at": pd.to_datetime(["2025-03-10 09:00", "2025-03-10 11:00"]).tz_localize("America/New_York"),
    ...     "priority": ["normal", None]})
    >>> evaluate_frame(DEFAULT_POLICY, events, per_ticket=True)[["ticket_id", "status", "solved_at"]]
      ticket_id  status                 solved_at
    0         A  solved 2025-03-10 15:00:00+00:00
    >>> bad = events.assign(kind=["created", "status_changed"])
    >>> evaluate_frame(DEFAULT_POLICY, bad)
    Traceback (most recent call last):
    ...
    slaclock.errors.TimelineError: row 1 (ticket 'A'): status is missing: an event of kind 'status_changed' needs it - expected a value in the status column
    >>> evaluate_frame(DEFAULT_POLICY, bad, errors="collect").loc[0, ["ticket_id", "error"]].tolist()
    ['A', "row 1 (ticket 'A'): status is missing: an event of kind 'status_changed' needs it - expected a value in the status column"]
    """
    policy = checked_options(policy, per_ticket, errors)
    table, library = to_arrow(events)
    result = _evaluate_arrow(policy, table, as_of, per_ticket, errors == "collect")
    return from_arrow(result, library)


def checked_options(policy: object, per_ticket: object, errors: object) -> Policy | PolicySet:
    """The policy (read from data if given as data), once ``per_ticket`` and ``errors`` are
    checked: what :func:`evaluate_frame`, Spark and Dask check before any work.

    >>> checked_options({"name": "p", "metrics": {"resolution": {}}}, False, "raise").name
    'p'
    >>> checked_options({"name": "p", "metrics": {"resolution": {}}}, "yes", "raise")
    Traceback (most recent call last):
    ...
    slaclock.errors.ArgumentError: per_ticket: 'yes' - expected True or False
    """
    policy = as_policy(policy)
    if not isinstance(per_ticket, bool):
        raise ArgumentError(
            f"per_ticket: {per_ticket!r} - expected True or False", value=per_ticket
        )
    if errors not in ("raise", "collect"):
        raise ArgumentError(f"errors: unknown option {errors!r} - expected 'raise' or 'collect'")
    return policy


def _evaluate_arrow(
    policy: Policy | PolicySet,
    table: pa.Table,
    as_of: datetime | None,
    per_ticket: bool,
    collect: bool,
) -> pa.Table:
    pa = arrow_module()
    import pyarrow.compute as pc  # type: ignore[import-untyped,unused-ignore]

    check_columns(table.column_names)
    as_of_micros = None if as_of is None else to_micros(check_in_range(as_of, "as_of"))
    attribute_names = [c for c in table.column_names if c not in _EVENT_COLUMNS]
    tickets_column = ticket_ids(table.column("ticket_id"))
    tickets = tickets_column.to_pylist()
    instants, problems = instants_of(table.column("at"))

    # Group: one sort by (ticket in order of first appearance, instant, row).
    count = table.num_rows
    codes = pc.dictionary_encode(tickets_column).combine_chunks()
    code_column = codes.indices.fill_null(-1) if count else pa.array([], pa.int32())
    keys = pa.table(
        {
            "ticket": code_column,
            "at": pa.array([0 if t is None else t for t in instants], pa.int64()),
            "row": pa.array(range(count), pa.int64()),
        }
    )
    order: list[int] = pc.sort_indices(
        keys, [("ticket", "ascending"), ("at", "ascending"), ("row", "ascending")]
    ).to_pylist()
    code_list = code_column.to_pylist()
    kinds = text_column(table, "kind", problems, required="an event kind")
    statuses = text_column(table, "status", problems)
    priorities = text_column(table, "priority", problems)
    authors = text_column(table, "author", problems)  # for re-sent ids; the engine reads none
    publics = flag_column(table, "public", problems)
    ids = text_column(table, "id") if "id" in table.column_names else None
    attribute_values = {name: table.column(name).to_pylist() for name in attribute_names}

    out = _Output(attribute_names, per_ticket, collect, "priority" in table.column_names)
    start = 0
    while start < count:
        code = code_list[order[start]]
        stop = start + 1
        while stop < count and code_list[order[stop]] == code:
            stop += 1
        rows = order[start:stop]
        start = stop
        ticket = tickets[rows[0]]
        try:
            _ticket(policy, out, ticket, rows, instants, problems, kinds, statuses,
                    priorities, publics, authors, ids, attribute_values, as_of,
                    as_of_micros)  # fmt: skip
        except SlaclockError as exc:
            if not collect:
                raise
            out.failure(ticket, str(exc))
    out.unknown.warn()  # as evaluate warns of unknown kinds and statuses: once per value
    return out.table(table.schema)


def _ticket(
    policy: Policy | PolicySet,
    out: _Output,
    ticket: Any,
    rows: list[int],
    instants: list[int | None],
    problems: dict[int, str],
    kinds: list[Any],
    statuses: list[Any],
    priorities: list[Any],
    publics: list[Any],
    authors: list[Any],
    ids: list[Any] | None,
    attribute_values: dict[str, list[Any]],
    as_of: datetime | None,
    as_of_micros: int | None,
) -> None:
    """Check one ticket's rows (sorted by instant), replay them and add its rows to ``out``."""
    if ticket is None:
        raise TimelineError(f"{_where(rows[0], None)}: ticket_id is missing - expected a ticket id")
    if ticket == "":  # as in an events file: a ticket no one can name is no ticket
        raise TimelineError(
            f"{_where(rows[0], None)}: ticket_id is empty - expected the ticket's id"
        )
    for row in rows:
        if row in problems:
            raise TimelineError(f"{_where(row, ticket)}: {problems[row]}", value=row)
    if ids is not None:
        rows = _unique(rows, ticket, ids, instants, kinds, statuses, priorities, publics,
                       authors, attribute_values)  # fmt: skip
    created = [row for row in rows if kinds[row] == "created"]
    if len(created) != 1:
        raise TimelineError(
            f"{_where(rows[0], ticket)}: ticket {ticket!r} has {len(created)} 'created' events "
            "- expected exactly one",
            value=len(created),
        )
    first = created[0]
    if rows[0] != first:
        if instants[rows[0]] != instants[first]:
            raise TimelineError(
                f"{_where(rows[0], ticket)}: {kinds[rows[0]]} at {_iso(cast(int, instants[rows[0]]))} "
                f"is before the ticket was created at {_iso(cast(int, instants[first]))} - "
                "expected every event at or after 'created'",
                value=rows[0],
            )
        rows = [first, *(row for row in rows if row != first)]
    attributes: dict[str, Any] = {}
    events: list[_Row] = []
    for row in rows:
        kind = kinds[row]  # text (text_column checked it)
        changed: dict[str, Any] | None = None
        if kind in _ATTRIBUTE_KINDS:
            changed = {}
            for name, values in attribute_values.items():
                value = values[row]
                if value is not None:
                    changed[name] = value
            try:
                check_attributes(changed)
            except ValueError as exc:
                raise TimelineError(f"{_where(row, ticket)}: {exc}", value=row) from None
            if kind == "created":
                attributes = changed
                changed = None
            elif not changed:
                raise TimelineError(
                    f"{_where(row, ticket)}: attributes is missing: an event of kind "
                    "'attributes_changed' needs them - expected a value in an attribute column"
                )
        implied = STATUS_OF_KIND.get(kind)
        if implied is not None and statuses[row] is not None and statuses[row] != implied:
            raise TimelineError(  # as Event: the kind decides, a different status is an error
                f"{_where(row, ticket)}: status {statuses[row]!r} contradicts kind {kind!r}, "
                f"which sets the status {implied!r} - expected no status (or {implied!r})",
                value=row,
            )
        needed = _REQUIRED.get(kind)
        if needed is not None and (statuses if needed == "status" else priorities)[row] is None:
            raise TimelineError(
                f"{_where(row, ticket)}: {needed} is missing: an event of kind {kind!r} needs it "
                f"- expected a value in the {needed} column"
            )
        events.append(_Row(kind, statuses[row], publics[row], priorities[row], changed))
    times = cast("tuple[int, ...]", tuple(instants[row] for row in rows))
    until = times[-1] if as_of_micros is None else as_of_micros
    try:
        replay = TicketReplay(policy, attributes)
        # The replay reads the fields of _Row that an Event has: no Event per row.
        replay.replay_events(cast("Sequence[Event]", events), times, until)
        cycles = [
            row
            for name, progress in replay.reported_metrics()
            for row in _metric_rows(name, progress.cycles, until)
        ]
    except SlaclockError as exc:
        exc.args = (f"ticket {ticket!r}: {exc}", *exc.args[1:])
        raise
    if replay.unknown:  # never silent; warned once per value for the table
        out.unknown.note(str(ticket), replay.unknown)
    final = replay.policy
    # The attributes in force at the end (priority among them), as the object path's records.
    in_force = replay.attributes
    if out.per_ticket:
        out.ticket_row(ticket, final, until, times[0], replay.facts, in_force)
    else:
        out.cycle_rows(ticket, final, until, cycles, in_force)


def _unique(
    rows: list[int],
    ticket: Any,
    ids: list[Any],
    instants: list[int | None],
    *columns: Any,
) -> list[int]:
    """Rows with an ``id`` seen before: a re-send with the same content is kept once, other
    content under the same id is an error (as in :class:`~slaclock.Timeline`)."""
    given = [ids[row] for row in rows if ids[row] is not None]
    if len(set(given)) == len(given):  # no id seen twice: nothing to check
        return rows
    seen: dict[Any, tuple[Any, ...]] = {}
    kept: list[int] = []
    for row in rows:
        event_id = ids[row]
        if event_id is None:
            kept.append(row)
            continue
        content = (instants[row], *(_value(column, row) for column in columns))
        earlier = seen.get(event_id)
        if earlier is None:
            seen[event_id] = content
            kept.append(row)
        elif earlier != content:
            raise TimelineError(
                f"{_where(row, ticket)}: event id {event_id!r} is used twice with different "
                "content - expected one content per id",
                value=event_id,
            )
    return kept


def _value(column: Any, row: int) -> Any:
    if isinstance(column, dict):
        return tuple(values[row] for values in column.values())
    return column[row]


def attribute_columns(
    attributes: Sequence[str], *, per_ticket: bool = False, collect: bool = False
) -> list[str]:
    """The result's column for each attribute column of the events (in order; ``priority``,
    last, is the priority the ticket was created with): its own name, unless that is taken by a
    fixed column (:data:`CYCLE_COLUMNS` or :data:`TICKET_COLUMNS`) or the ``error`` column of
    ``errors="collect"``; then ``attribute_`` goes in front, as records name them
    (:func:`~slaclock.records.renamed_attributes`). No input column is ever hidden.

    >>> attribute_columns(["group", "state", "error", "priority"], collect=True)
    ['group', 'attribute_state', 'attribute_error', 'attribute_priority']
    >>> attribute_columns(["attribute_priority", "priority"])  # an attribute keeps its own name
    ['attribute_priority', 'attribute_attribute_priority']
    """
    fixed = set(TICKET_COLUMNS if per_ticket else CYCLE_COLUMNS)
    if collect:
        fixed.add("error")
    return renamed_attributes(attributes, fixed)


class _Output:
    """The output rows, one tuple each (turned into columns once, at the end)."""

    def __init__(
        self, attributes: Sequence[str], per_ticket: bool, collect: bool, has_priority: bool
    ) -> None:
        self.per_ticket = per_ticket
        self.collect = collect
        self.names = list(TICKET_COLUMNS if per_ticket else CYCLE_COLUMNS)
        self.attributes = list(attributes)
        if has_priority:
            self.attributes.append("priority")
        self.rows: list[tuple[Any, ...]] = []
        self.unknown = UnknownEvents()
        # Appended to every row: the ticket's attributes, and no error.
        self.width = len(self.names) + len(self.attributes) + (1 if collect else 0)

    def _tail(self, values: Mapping[str, Any]) -> tuple[Any, ...]:
        tail = tuple(values.get(name) for name in self.attributes)
        return (*tail, None) if self.collect else tail

    def cycle_rows(
        self,
        ticket: str,
        final: Policy | None,
        as_of: int,
        cycles: list[tuple[Any, ...]],
        attributes: Mapping[str, Any],
    ) -> None:
        final_name = None if final is None else final.name
        version = None if final is None else final.version
        tail = self._tail(attributes)
        append = self.rows.append
        for values in cycles:
            policy = values[0]
            append(
                (ticket, policy, version if policy == final_name else None, as_of,
                 *values[1:], *tail)
            )  # fmt: skip

    def ticket_row(
        self,
        ticket: str,
        final: Policy | None,
        as_of: int,
        created_at: int,
        facts: TicketFacts,
        attributes: Mapping[str, Any],
    ) -> None:
        status, solved_at = facts.status, facts.solved_at
        self.rows.append(
            (ticket, None if final is None else final.name, as_of, created_at, status,
             solved_at is not None, solved_at, facts.public_agent_replies, facts.reopens,
             *self._tail(attributes))
        )  # fmt: skip

    def failure(self, ticket: Any, message: str) -> None:
        self.rows.append((ticket, *([None] * (self.width - 2)), message))

    def table(self, schema: pa.Schema) -> pa.Table:
        pa = arrow_module()
        import pyarrow.compute as pc  # type: ignore[import-untyped,unused-ignore]

        columns = list(zip(*self.rows)) if self.rows else [()] * self.width
        arrays: dict[str, Any] = {}
        for name, values in zip(self.names, columns):
            if name in _INSTANT_COLUMNS:
                arrays[name] = pa.array(values, pa.int64()).cast(pa.timestamp("us", "UTC"))
            elif name in _SECONDS_COLUMNS:
                arrays[name] = pc.divide(pa.array(values, pa.int64()).cast(pa.float64()), 1e6)
            else:
                arrays[name] = pa.array(values, _TYPES[name](pa))
        rest = columns[len(self.names) :]
        names = attribute_columns(self.attributes, per_ticket=self.per_ticket, collect=self.collect)
        for name, column, values in zip(self.attributes, names, rest):
            kind = pa.string() if name == "priority" else schema.field(name).type
            if pa.types.is_dictionary(kind):
                kind = kind.value_type
            arrays[column] = pa.array(values, kind)
        if self.collect:
            arrays["error"] = pa.array(columns[-1], pa.string())
        return pa.table(arrays)


_TYPES: dict[str, Any] = {
    "ticket_id": lambda pa: pa.string(),
    "policy": lambda pa: pa.string(),
    "policy_version": lambda pa: pa.string(),
    "metric": lambda pa: pa.string(),
    "index": lambda pa: pa.int64(),
    "state": lambda pa: pa.string(),
    "priority": lambda pa: pa.string(),
    "calendar": lambda pa: pa.string(),
    "target_spec": lambda pa: pa.string(),
    "percent_used": lambda pa: pa.float64(),
    "thresholds": lambda pa: pa.string(),
    "events": lambda pa: pa.list_(pa.int64()),
    "status": lambda pa: pa.string(),
    "solved": lambda pa: pa.bool_(),
    "public_replies": lambda pa: pa.int64(),
    "reopens": lambda pa: pa.int64(),
}
