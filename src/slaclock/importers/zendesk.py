"""Zendesk: tickets from the Ticket Audits API.

One document per ticket: ``{"ticket": {...}, "audits": [...], "users": [...]}``, where ``audits``
is the response of ``GET /api/v2/tickets/{id}/audits?include=users`` (``{"audits": [...],
"users": [...]}`` is accepted as it is), ``ticket`` the response of ``GET /api/v2/tickets/{id}``
(optional: the requester and the initial values are also in the first audit's ``Create`` events)
and ``users`` the sideloaded users (their ``role``: ``end-user``, ``agent``, ``admin``).

- The audit holding ``Create`` events is the ticket's creation; its comment is the description.
- ``Comment`` / ``VoiceComment`` events: by the requester or an end user -> ``customer_replied``
  (``note_added`` when private); by an agent or admin -> ``agent_replied`` with its ``public``
  flag; in an audit made by a trigger or automation (``via.channel == "rule"``) or by the system
  (``via.channel == "system"``, author ``-1``) -> ``note_added``: not a reply.
- ``Change`` events of ``status``, ``priority`` and the kept attributes (default ``group_id`` as
  ``group``).

Reference: https://developer.zendesk.com/api-reference/ticketing/tickets/ticket_audits/ and
https://developer.zendesk.com/documentation/ticketing/reference-guides/ticket-audit-events-reference

>>> audits = {"audits": [
...     {"id": 1, "ticket_id": 42, "created_at": "2025-03-07T14:00:00Z", "author_id": 9,
...      "via": {"channel": "web"}, "events": [
...         {"id": 11, "type": "Create", "field_name": "status", "value": "new"},
...         {"id": 12, "type": "Create", "field_name": "requester_id", "value": 9}]},
...     {"id": 2, "ticket_id": 42, "created_at": "2025-03-07T14:30:00Z", "author_id": 5,
...      "via": {"channel": "web"}, "events": [
...         {"id": 21, "type": "Comment", "author_id": 5, "public": True}]}],
...     "users": [{"id": 5, "role": "agent"}, {"id": 9, "role": "end-user"}]}
>>> [(e.kind, e.id) for e in to_timelines({"audits": audits})[0].events]
[('created', 'audit/1'), ('agent_replied', '21')]
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from slaclock.importers.common import (
    ExportFormatError,
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

#: Zendesk's ticket statuses -> slaclock statuses.
STATUSES: Mapping[str, str] = {
    "new": "new",
    "open": "open",
    "pending": "pending",
    "hold": "on_hold",
    "solved": "solved",
    "closed": "closed",
}
#: Zendesk's priorities are slaclock's words already.
PRIORITIES: Mapping[str, str] = {p: p for p in ("low", "normal", "high", "urgent")}
#: Fields kept as attributes by default.
ATTRIBUTES: Mapping[str, str] = {"group_id": "group"}

_COMMENTS = ("Comment", "VoiceComment")
_ROLES: Mapping[str, Role] = {"end-user": "customer", "agent": "agent", "admin": "agent"}


def to_timelines(export: Any, options: ImportOptions | None = None) -> list[Timeline]:
    """One timeline per ticket document of ``export`` (a document, a list, or ``{"tickets":
    [...]}``); see the module docstring for the mapping.

    An export without the documented fields is an error naming the record and the field:

    >>> to_timelines({"ticket": {"id": 1}})
    Traceback (most recent call last):
    ...
    slaclock.importers.common.ExportFormatError: zendesk: ticket 1: no audits - expected the ticket's audits
    """
    options = options or ImportOptions()
    report = UnmappedReport("zendesk", strict=options.strict)
    timelines = convert(
        "zendesk", documents(export, "tickets"), lambda doc: _ticket(doc, options, report)
    )
    return finish(report, timelines)


def _text(value: Any) -> str | None:
    return None if value is None else str(value)


def _ticket(doc: Mapping[str, Any], options: ImportOptions, report: UnmappedReport) -> Timeline:
    raw_audits = doc.get("audits")
    users = as_list(doc.get("users"), "users")
    if isinstance(raw_audits, Mapping):
        users = users + as_list(raw_audits.get("users"), "users")
    audits = as_list(raw_audits, "audits")
    ticket = doc.get("ticket") or {}
    roles = {str(u.get("id")): _ROLES.get(str(u.get("role"))) for u in users}
    ticket_id = str(ticket.get("id") or (audits[0].get("ticket_id") if audits else ""))
    where = f"zendesk: ticket {ticket_id or '?'}"
    if not audits:
        raise ExportFormatError(f"{where}: no audits - expected the ticket's audits", value=doc)
    kept = options.attribute_names(ATTRIBUTES)
    builder = TicketBuilder(
        ticket_id, options.status_table(STATUSES), options.priority_table(PRIORITIES), report
    )
    timed = sorted(
        (parse_instant(field_of(a, "created_at", f"{where}: audit"), f"{where}: audit"), n, a)
        for n, a in enumerate(audits)
    )
    first = timed[0][2]
    initial = {
        e.get("field_name"): e.get("value")
        for e in first.get("events") or ()
        if e.get("type") == "Create"
    }
    requester = _text(ticket.get("requester_id") or initial.get("requester_id"))
    builder.created(
        timed[0][0],
        status=initial.get("status", "new"),
        priority=initial.get("priority"),
        attributes={name: initial.get(field, ticket.get(field)) for field, name in kept.items()},
        id=f"audit/{first.get('id')}",
        author=_text(first.get("author_id")),
    )
    for at, _n, audit in timed:
        via = audit.get("via") or {}
        by_system = via.get("channel") in ("rule", "system") or str(audit.get("author_id")) == "-1"
        for event in audit.get("events") or ():
            kind = event.get("type")
            event_id = str(field_of(event, "id", f"{where}: audit {audit.get('id')} event"))
            author = _text(event.get("author_id", audit.get("author_id")))
            if kind in _COMMENTS and audit is not first:
                role: Role | None
                if by_system or author == "-1":
                    role = "system"
                elif author == requester:
                    role = "customer"
                else:
                    role = roles.get(str(author))
                public = event.get("public") is not False
                builder.comment(at, role, public=public, id=event_id, author=author)
            elif kind == "Change":
                name = event.get("field_name")
                if name == "status":
                    builder.status(at, event.get("value"), id=event_id, author=author)
                elif name == "priority":
                    builder.priority(at, event.get("value"), id=event_id, author=author)
                elif name in kept:
                    builder.attributes(
                        at, {kept[name]: event.get("value")}, id=event_id, author=author
                    )
    return builder.timeline()
