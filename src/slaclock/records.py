"""Records: the flat rows reports read, shaped from an evaluated ticket.

A *record* is one ticket x metric x cycle: a plain dict with every field of the cycle's result
(:data:`RECORD_FIELDS`, in column order) followed by the ticket's attributes. A *ticket row* is one
per ticket, with what the ticket-level reports (volume, first contact resolution) need. Both are
built here and only here, so the batch, what-if and the writers agree on their shape.

>>> from slaclock import evaluate
>>> from slaclock.synthetic import DEFAULT_POLICY, sample_timelines
>>> timeline = sample_timelines()[0]
>>> result = evaluate(DEFAULT_POLICY, timeline)
>>> cycle = result.metrics["first_response"].cycles[0]
>>> record = cycle_record(result, cycle, ticket_attributes(timeline))
>>> record["ticket_id"], record["metric"], record["state"], record["priority"]
('T-1001', 'first_response', 'met', 'normal')
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime
from typing import Any

from slaclock.results import CycleResult, TicketResult
from slaclock.timeline import STATUS_OF_KIND, Timeline

__all__ = [
    "DURATION_FIELDS",
    "RECORD_FIELDS",
    "cycle_record",
    "record_columns",
    "ticket_attributes",
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


def ticket_attributes(timeline: Timeline) -> dict[str, Any]:
    """The ticket's attributes when it was created: the timeline's ``attributes``, updated by
    those of the ``created`` event and its ``priority``.

    >>> from slaclock import Timeline
    >>> timeline = Timeline.model_validate({"ticket_id": "T", "attributes": {"group": "billing"},
    ...     "events": [{"at": "2025-03-03T09:00:00Z", "kind": "created", "priority": "high",
    ...                 "attributes": {"channel": "email"}}]})
    >>> ticket_attributes(timeline)
    {'group': 'billing', 'channel': 'email', 'priority': 'high'}
    """
    created = timeline.events[0]
    attributes = dict(timeline.attributes)
    if created.attributes:
        attributes.update(created.attributes)
    if created.priority is not None:
        attributes["priority"] = created.priority
    return attributes


def cycle_record(
    result: TicketResult, cycle: CycleResult, attributes: Mapping[str, Any]
) -> dict[str, Any]:
    """One record: ``cycle``'s fields (:data:`RECORD_FIELDS`) then ``attributes`` (an attribute
    named like a field is renamed ``attribute_<name>``).

    >>> from slaclock import evaluate
    >>> from slaclock.synthetic import DEFAULT_POLICY, sample_timelines
    >>> result = evaluate(DEFAULT_POLICY, sample_timelines()[0])
    >>> cycle = result.metrics["resolution"].cycles[0]
    >>> record = cycle_record(result, cycle, {"state": "CA", "tier": "gold"})
    >>> record["state"], record["attribute_state"], record["tier"]
    ('met', 'CA', 'gold')
    """
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


def ticket_row(
    result: TicketResult, timeline: Timeline, attributes: Mapping[str, Any]
) -> dict[str, Any]:
    """One row per ticket: creation instant, status as of the evaluation instant, whether and
    when it was solved, public agent replies and reopens, then ``attributes``.

    >>> from slaclock import evaluate
    >>> from slaclock.synthetic import DEFAULT_POLICY, sample_timelines
    >>> timeline = sample_timelines()[0]
    >>> row = ticket_row(evaluate(DEFAULT_POLICY, timeline), timeline, {})
    >>> row["status"], row["solved"], row["public_replies"], row["reopens"]  # two replies, no reopen
    ('solved', True, 2, 0)
    """
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
