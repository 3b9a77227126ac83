"""Shared by the convention and preset tests: tickets written as ``(UTC time, kind[, fields])``
rows, evaluated as of a UTC time."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime, timezone
from typing import Any

from slaclock import Policy, TicketResult, Timeline, evaluate

#: One event: ``("2025-03-03 09:00", "agent_replied")`` or with more fields as a third item.
Row = tuple[str, str] | tuple[str, str, dict[str, Any]]


def utc(text: str) -> datetime:
    """``'2025-03-03 10:00'`` (or with seconds) as an instant in UTC."""
    return datetime.fromisoformat(text).replace(tzinfo=timezone.utc)


def timeline_of(ticket_id: str, attributes: Mapping[str, Any], rows: tuple[Row, ...]) -> Timeline:
    """The ticket ``ticket_id`` with ``attributes`` and one event per row."""
    events = [
        {"at": utc(row[0]), "kind": row[1], **(row[2] if len(row) > 2 else {})}  # type: ignore[misc]
        for row in rows
    ]
    return Timeline(ticket_id=ticket_id, attributes=dict(attributes), events=events)


def run(policy: Policy, timeline: Timeline, as_of: str) -> TicketResult:
    """``evaluate`` as of a UTC time written as text."""
    return evaluate(policy, timeline, as_of=utc(as_of))
