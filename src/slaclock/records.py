"""Records: the flat rows reports read, shaped from an evaluated ticket.

A *record* is one ticket x metric x cycle: a plain dict with every field of the cycle's result
(:data:`RECORD_FIELDS`, in column order) followed by the ticket's attributes. A *ticket row* is one
per ticket, with what the ticket-level reports (volume, first contact resolution) need. Both are
built here and only here, from the :class:`~slaclock.TicketResult` alone: the engine is the one
place that replays a ticket's events, and its result carries the facts (attributes in force,
status, solve instant, replies, reopens), so the batch, what-if and the writers agree on them.

>>> from slaclock import evaluate
>>> from slaclock.synthetic import DEFAULT_POLICY, sample_timelines
>>> result = evaluate(DEFAULT_POLICY, sample_timelines()[0])
>>> record = cycle_record(result, result.metrics["first_response"].cycles[0])
>>> record["ticket_id"], record["metric"], record["state"], record["group"]
('T-1001', 'first_response', 'met', 'billing')
"""

from __future__ import annotations

from collections.abc import Container, Iterable, Mapping
from typing import Any

from slaclock.results import CycleResult, TicketResult

__all__ = [
    "DURATION_FIELDS",
    "RECORD_FIELDS",
    "renamed_attributes",
    "cycle_record",
    "record_columns",
    "ticket_row",
]

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
#: The record fields holding a duration (``timedelta``); files write them as ``<name>_seconds``.
DURATION_FIELDS: frozenset[str] = frozenset(
    {"target", "elapsed", "paused", "remaining", "overdue_by"}
)


def cycle_record(result: TicketResult, cycle: CycleResult) -> dict[str, Any]:
    """One record: ``cycle``'s fields (:data:`RECORD_FIELDS`) then the ticket's attributes in
    force at ``as_of`` (``result.attributes``; one named like a field is renamed
    ``attribute_<name>``, prefixed again while that name is taken).

    >>> from slaclock import evaluate
    >>> from slaclock.synthetic import DEFAULT_POLICY, sample_timelines
    >>> result = evaluate(DEFAULT_POLICY, sample_timelines()[0])
    >>> record = cycle_record(result, result.metrics["resolution"].cycles[0])
    >>> record["state"], record["channel"], record["attribute_priority"]
    ('met', 'email', 'normal')
    """
    values = cycle.__dict__
    record: dict[str, Any] = {
        "ticket_id": result.ticket_id,
        "policy": values["policy"],
        "policy_version": values["policy_version"],
        "as_of": result.as_of,
    }
    for name in RECORD_FIELDS[4:]:
        record[name] = values[name]
    _add_attributes(record, result.attributes)
    return record


def ticket_row(result: TicketResult) -> dict[str, Any]:
    """One row per ticket: its creation instant, status as of the evaluation instant, whether
    and when it was solved, public agent replies and reopens, then its attributes in force.

    >>> from slaclock import evaluate
    >>> from slaclock.synthetic import DEFAULT_POLICY, sample_timelines
    >>> row = ticket_row(evaluate(DEFAULT_POLICY, sample_timelines()[0]))
    >>> row["status"], row["solved"], row["public_replies"], row["reopens"]  # two replies, no reopen
    ('solved', True, 2, 0)
    """
    row: dict[str, Any] = {
        "ticket_id": result.ticket_id,
        "policy": result.policy,
        "as_of": result.as_of,
        "created_at": result.created_at,
        "status": result.status,
        "solved": result.solved,
        "solved_at": result.solved_at,
        "public_replies": result.public_agent_replies,
        "reopens": result.reopens,
    }
    _add_attributes(row, result.attributes)
    return row


def _add_attributes(row: dict[str, Any], attributes: Mapping[str, Any]) -> None:
    for column, value in zip(renamed_attributes(attributes, row), attributes.values()):
        row[column] = value


def renamed_attributes(names: Iterable[str], fields: Container[str]) -> list[str]:
    """The column of each attribute beside ``fields``: its own name, unless a field has it;
    then ``attribute_`` in front, again while that is a field, another attribute's own name or
    a column given already. No value hides another, and the answer does not depend on the
    attributes' order (records, ``evaluate_frame``, Spark and Dask name columns alike).

    >>> renamed_attributes(["state", "attribute_state", "group"], {"state", "ticket_id"})
    ['attribute_attribute_state', 'attribute_state', 'group']
    """
    names = list(names)
    own = set(names)
    given: set[str] = set()
    columns = []
    for name in names:
        column = name
        while column in fields or column in given or (column != name and column in own):
            column = f"attribute_{column}"
        given.add(column)
        columns.append(column)
    return columns


def record_columns(records: Iterable[Mapping[str, Any]]) -> list[str]:
    """The columns for ``records``: :data:`RECORD_FIELDS`, then every other key (the
    attributes) in the order first seen.

    >>> record_columns([{"ticket_id": "T", "group": "billing"}, {"tier": "gold"}])[-2:]
    ['group', 'tier']
    """
    extra: dict[str, None] = {}
    for record in records:
        for key in record:
            if key not in RECORD_FIELDS:
                extra[key] = None
    return [*RECORD_FIELDS, *extra]
