"""Freshdesk: a ticket, its conversations and its activities.

One document per ticket: ``{"ticket": {...}, "conversations": [...], "activities": [...]}``
where ``ticket`` is ``GET /api/v2/tickets/{id}``, ``conversations`` is
``GET /api/v2/tickets/{id}/conversations`` and ``activities`` the ticket's rows of the ticket
activities export (``{"activities_data": [...]}`` is accepted as it is): each
``{"performed_at": ..., "performer_id": ..., "activity": {"status": "Pending", "priority":
"High", ...}}``. Without activities only creation and conversations are known (the ticket's
current status cannot be placed in time, so it is not guessed).

- Conversations: ``private`` -> ``note_added``; ``incoming`` (from the requester or another
  contact) -> ``customer_replied``; otherwise the agent's public reply -> ``agent_replied``.
- Activities: ``status`` and ``priority`` by name, and the kept attributes (default ``group``).
- Status and priority codes of the ticket record (``status: 2``, ``priority: 1``) are read with
  the documented tables below.

Reference: https://developers.freshdesk.com/api/#list_all_ticket_notes (conversations:
``incoming``, ``private``), https://developers.freshdesk.com/api/#tickets (status and priority
codes).

>>> doc = {"ticket": {"id": 9, "created_at": "2025-03-07T09:00:00Z", "status": 2, "priority": 1},
...        "conversations": [{"id": 90, "incoming": False, "private": False, "user_id": 4,
...                           "created_at": "2025-03-07T09:20:00Z"}]}
>>> [(e.kind, e.priority) for e in to_timelines(doc)[0].events]
[('created', 'low'), ('agent_replied', None)]
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from slaclock.importers.common import (
    ImportOptions,
    Role,
    TicketBuilder,
    UnmappedReport,
    as_list,
    convert,
    documents,
    field_of,
    finish,
    parse_instant,
)
from slaclock.timeline import Timeline

__all__ = ["ATTRIBUTES", "PRIORITIES", "STATUSES", "to_timelines"]

#: Freshdesk's status codes and default names -> slaclock statuses.
STATUSES: Mapping[str, str] = {
    "2": "open",
    "open": "open",
    "3": "pending",
    "pending": "pending",
    "4": "solved",
    "resolved": "solved",
    "5": "closed",
    "closed": "closed",
    "6": "pending",
    "waiting on customer": "pending",
    "7": "on_hold",
    "waiting on third party": "on_hold",
}
#: Freshdesk's priority codes and names -> slaclock priorities.
PRIORITIES: Mapping[str, str] = {
    "1": "low",
    "low": "low",
    "2": "normal",
    "medium": "normal",
    "3": "high",
    "high": "high",
    "4": "urgent",
    "urgent": "urgent",
}
#: Fields kept as attributes by default.
ATTRIBUTES: Mapping[str, str] = {"group": "group"}


def to_timelines(export: Any, options: ImportOptions | None = None) -> list[Timeline]:
    """One timeline per ticket document of ``export`` (a document, a list, or ``{"tickets":
    [...]}``); see the module docstring for the mapping.

    An export without the documented fields is an error naming the record and the field:

    >>> to_timelines({"ticket": {"id": 3}})
    Traceback (most recent call last):
    ...
    slaclock.importers.common.ExportFormatError: freshdesk: ticket 3: created_at is missing - expected the field as the source's API returns it
    """
    options = options or ImportOptions()
    report = UnmappedReport("freshdesk", strict=options.strict)
    timelines = convert(
        "freshdesk", documents(export, "tickets"), lambda doc: _ticket(doc, options, report)
    )
    return finish(report, timelines)


def _ticket(doc: Mapping[str, Any], options: ImportOptions, report: UnmappedReport) -> Timeline:
    ticket = field_of(doc, "ticket", "freshdesk: document")
    ticket_id = str(field_of(ticket, "id", "freshdesk: ticket"))
    where = f"freshdesk: ticket {ticket_id}"
    kept = options.attribute_names(ATTRIBUTES)
    builder = TicketBuilder(
        ticket_id, options.status_table(STATUSES), options.priority_table(PRIORITIES), report
    )
    created_at = parse_instant(field_of(ticket, "created_at", where), f"{where}: created_at")
    activities = [
        a
        for a in as_list(doc.get("activities"), "activities_data")
        if str(a.get("ticket_id", ticket_id)) == ticket_id
    ]
    timed: list[tuple[Any, int, str, Mapping[str, Any]]] = []
    initial: dict[str, Any] = {}
    for n, row in enumerate(activities):
        at = parse_instant(
            field_of(row, "performed_at", f"{where}: activity"), f"{where}: activity"
        )
        activity = row.get("activity") or {}
        if activity.get("new_ticket") or at <= created_at:
            initial.update(activity)  # the values the ticket was created with
        else:
            timed.append((at, n, "activity", row))
    for n, conversation in enumerate(as_list(doc.get("conversations"), "conversations")):
        stamp = field_of(conversation, "created_at", f"{where}: conversation")
        timed.append(
            (parse_instant(stamp, f"{where}: conversation"), n, "conversation", conversation)
        )
    timed.sort(key=lambda item: (item[0], item[2] != "conversation", item[1]))
    # Without activities, the ticket record's status is its current one: the ticket was created
    # open (Freshdesk's initial status) unless an activity says otherwise.
    builder.created(
        created_at,
        status=initial.get("status", "open" if not activities else ticket.get("status", 2)),
        priority=initial.get("priority", ticket.get("priority")),
        attributes={name: initial.get(field, ticket.get(field)) for field, name in kept.items()},
        id=f"ticket/{ticket_id}",
        author=None if ticket.get("requester_id") is None else str(ticket["requester_id"]),
    )
    for at, n, what, row in timed:
        if what == "conversation":
            author = None if row.get("user_id") is None else str(row["user_id"])
            private = bool(row.get("private"))
            role: Role = "customer" if row.get("incoming") else "agent"
            builder.comment(
                at, role, public=not private, id=f"conversation/{row.get('id')}", author=author
            )
            continue
        author = None if row.get("performer_id") is None else str(row["performer_id"])
        row_id = f"activity/{row.get('id', n)}"
        activity = row.get("activity") or {}
        if "status" in activity:
            builder.status(at, activity["status"], id=f"{row_id}/status", author=author)
        if "priority" in activity:
            builder.priority(at, activity["priority"], id=f"{row_id}/priority", author=author)
        changes = {kept[f]: activity[f] for f in kept if f in activity}
        if changes:
            builder.attributes(at, changes, id=f"{row_id}/attributes", author=author)
    return builder.timeline()
