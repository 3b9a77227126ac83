"""Zammad: a ticket, its articles and its history.

One document per ticket: ``{"ticket": {...}, "articles": [...], "history": [...]}`` where
``ticket`` is ``GET /api/v1/tickets/{id}?expand=true`` (state, priority and group by name),
``articles`` is ``GET /api/v1/ticket_articles/by_ticket/{id}`` and ``history`` is
``GET /api/v1/ticket_history/{id}`` (``{"history": [...], "assets": ...}`` is accepted as it is).

- Articles created at the ticket's creation instant are its first message (part of ``created``).
- ``sender`` ``Customer`` -> ``customer_replied`` (``note_added`` when ``internal``); ``Agent``
  -> ``agent_replied``, public unless ``internal``; ``System`` (triggers, schedulers) ->
  ``note_added``. An article of ``type`` ``note`` is not a communication in Zammad (it does not
  count for its SLAs): it is a ``note_added`` whoever wrote it.
- History entries (``History.list``: ``object`` ``Ticket``, ``type`` ``updated``) of
  ``attribute`` ``state``, ``priority`` and the kept attributes (default ``group``), read from
  ``value_to``. A database export's column names (``history_object``, ``history_type``,
  ``history_attribute``) are read too.

Reference: https://docs.zammad.org/en/latest/api/ticket/articles.html,
https://docs.zammad.org/en/latest/api/ticket/index.html and the ticket history endpoint
``/api/v1/ticket_history/{id}`` (the entries ``History.list`` returns:
https://github.com/zammad/zammad/blob/develop/app/models/history.rb).

>>> doc = {"ticket": {"id": 7, "number": "31001", "created_at": "2025-03-07T08:00:00.000Z",
...                   "state": "new", "priority": "2 normal"},
...        "articles": [{"id": 1, "sender": "Customer", "internal": False, "type": "web",
...                      "created_at": "2025-03-07T08:00:00.000Z"},
...                     {"id": 2, "sender": "System", "internal": False, "type": "email",
...                      "created_at": "2025-03-07T08:00:05.000Z"}]}
>>> [(e.kind, e.id) for e in to_timelines(doc)[0].events]
[('created', 'ticket/7'), ('note_added', 'article/2')]
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

#: Zammad's default ticket states -> slaclock statuses. Zammad's ``closed`` is where a ticket
#: goes when it is done, and a customer's follow-up reopens it: slaclock's ``solved``.
STATUSES: Mapping[str, str] = {
    "new": "new",
    "open": "open",
    "pending reminder": "pending",
    "pending close": "pending",
    "closed": "solved",
    "merged": "closed",
    "removed": "closed",
}
#: Zammad's default priorities -> slaclock priorities.
PRIORITIES: Mapping[str, str] = {"1 low": "low", "2 normal": "normal", "3 high": "high"}
#: Fields kept as attributes by default.
ATTRIBUTES: Mapping[str, str] = {"group": "group"}

_SENDERS: Mapping[str, Role] = {"Customer": "customer", "Agent": "agent", "System": "system"}


def to_timelines(export: Any, options: ImportOptions | None = None) -> list[Timeline]:
    """One timeline per ticket document of ``export`` (a document, a list, or ``{"tickets":
    [...]}``); see the module docstring for the mapping.

    An export without the documented fields is an error naming the record and the field:

    >>> to_timelines({"articles": []})
    Traceback (most recent call last):
    ...
    slaclock.importers.common.ExportFormatError: zammad: document: ticket is missing - expected the field as the source's API returns it
    """
    options = options or ImportOptions()
    report = UnmappedReport("zammad", strict=options.strict)
    timelines = convert(
        "zammad", documents(export, "tickets"), lambda doc: _ticket(doc, options, report)
    )
    return finish(report, timelines)


def _ticket(doc: Mapping[str, Any], options: ImportOptions, report: UnmappedReport) -> Timeline:
    ticket = field_of(doc, "ticket", "zammad: document")
    ticket_id = str(ticket.get("number") or field_of(ticket, "id", "zammad: ticket"))
    where = f"zammad: ticket {ticket_id}"
    kept = options.attribute_names(ATTRIBUTES)
    builder = TicketBuilder(
        ticket_id, options.status_table(STATUSES), options.priority_table(PRIORITIES), report
    )
    created_at = parse_instant(field_of(ticket, "created_at", where), f"{where}: created_at")
    history = [
        h
        for h in as_list(doc.get("history"), "history")
        if _key(h, "object") == "Ticket" and _key(h, "type") == "updated"
    ]
    timed: list[tuple[Any, int, str, Mapping[str, Any]]] = []
    for n, entry in enumerate(history):
        at = parse_instant(field_of(entry, "created_at", f"{where}: history"), f"{where}: history")
        timed.append((at, n, "history", entry))
    first_from: dict[str, Any] = {}
    for _at, _n, _w, entry in sorted(timed, key=lambda item: (item[0], item[1])):
        first_from.setdefault(str(_key(entry, "attribute")), entry.get("value_from"))
    builder.created(
        created_at,
        status=first_from.get("state", ticket.get("state", "new")),
        priority=first_from.get("priority", ticket.get("priority")),
        attributes={name: first_from.get(field, ticket.get(field)) for field, name in kept.items()},
        id=f"ticket/{ticket.get('id')}",
        author=None if ticket.get("customer_id") is None else str(ticket["customer_id"]),
    )
    for n, article in enumerate(as_list(doc.get("articles"), "articles")):
        at = parse_instant(
            field_of(article, "created_at", f"{where}: article"), f"{where}: article"
        )
        if at > created_at:  # articles at the creation instant are the ticket's first message
            timed.append((at, n, "article", article))
    timed.sort(key=lambda item: (item[0], item[2] != "article", item[1]))
    for at, _n, what, record in timed:
        author = None if record.get("created_by_id") is None else str(record["created_by_id"])
        record_id = f"{what}/{record.get('id')}"
        if what == "article":
            role = _SENDERS.get(str(record.get("sender")))
            if role is None:
                author = str(record.get("sender"))
            elif record.get("type") == "note":
                role = "system"  # not a communication article: a note, whoever wrote it
            public = not record.get("internal")
            builder.comment(at, role, public=public, id=record_id, author=author)
            continue
        name = _key(record, "attribute")
        if name == "state":
            builder.status(at, record.get("value_to"), id=record_id, author=author)
        elif name == "priority":
            builder.priority(at, record.get("value_to"), id=record_id, author=author)
        elif name in kept:
            builder.attributes(
                at, {kept[name]: record.get("value_to")}, id=record_id, author=author
            )
    return builder.timeline()


def _key(entry: Mapping[str, Any], name: str) -> Any:
    """A history entry's ``type``/``object``/``attribute``, as the API names it or as the
    database does (``history_type``, ...)."""
    return entry.get(name, entry.get(f"history_{name}"))
