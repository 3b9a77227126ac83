"""ServiceNow: an incident record with its audit and journal rows (Table API).

One document per incident: ``{"incident": {...}, "sys_audit": [...], "sys_journal_field":
[...], "sys_user": [...]}``, each as ``GET /api/now/table/<table>`` returns it (``{"result":
...}`` is accepted as it is; reference fields as plain values or ``{"value": ..., "link":
...}``). Timestamps without an offset are UTC, as the Table API returns them.

- ``sys_audit`` rows of ``fieldname`` ``state``, ``priority`` and the kept attributes (default
  ``assignment_group`` as ``group``), read from ``newvalue``; rows with an empty ``oldvalue`` at
  the creation instant are the initial values.
- ``sys_journal_field`` rows: ``element`` ``comments`` (customer-visible "Additional comments")
  by the caller -> ``customer_replied``, by another user -> ``agent_replied``; ``work_notes`` ->
  ``note_added`` (internal). Rows written by ``system`` or ``guest`` are ``note_added``. The
  caller's user name comes from ``sys_user`` (the row whose ``sys_id`` is the incident's
  ``caller_id``); without it, comments cannot be classified and are reported.

Reference: https://www.servicenow.com/docs/r/australia/platform-security/c_UnderstandingTheSysAuditTable.html
and the journal fields (``sys_journal_field``):
https://servicenow-prod.fluidtopics.net/r/yokohama/platform-administration/ai-platform-administration/c_JournalFields.html

>>> doc = {"incident": {"sys_id": "a1", "number": "INC0010001", "opened_at": "2025-03-07 09:00:00",
...                     "state": "1", "priority": "3", "caller_id": {"value": "u1"}},
...        "sys_user": [{"sys_id": "u1", "user_name": "carol"}],
...        "sys_journal_field": [{"sys_id": "j1", "element": "comments", "element_id": "a1",
...            "sys_created_by": "carol", "sys_created_on": "2025-03-07 10:00:00"}]}
>>> [(e.kind, e.author) for e in to_timelines(doc)[0].events]
[('created', 'carol'), ('customer_replied', 'carol')]
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

#: The incident ``state`` choices (values and labels) -> slaclock statuses.
STATUSES: Mapping[str, str] = {
    "1": "new",
    "new": "new",
    "2": "open",
    "in progress": "open",
    "3": "on_hold",
    "on hold": "on_hold",
    "6": "solved",
    "resolved": "solved",
    "7": "closed",
    "closed": "closed",
    "8": "closed",
    "canceled": "closed",
}
#: The incident ``priority`` choices (values and labels) -> slaclock priorities.
PRIORITIES: Mapping[str, str] = {
    "1": "urgent",
    "1 - critical": "urgent",
    "2": "high",
    "2 - high": "high",
    "3": "normal",
    "3 - moderate": "normal",
    "4": "low",
    "4 - low": "low",
    "5": "low",
    "5 - planning": "low",
}
#: Fields kept as attributes by default.
ATTRIBUTES: Mapping[str, str] = {"assignment_group": "group"}

_SYSTEM_USERS = frozenset({"system", "guest"})


def to_timelines(export: Any, options: ImportOptions | None = None) -> list[Timeline]:
    """One timeline per incident document of ``export`` (a document, a list, or
    ``{"incidents": [...]}``); see the module docstring for the mapping.

    An export without the documented fields is an error naming the record and the field:

    >>> to_timelines({"sys_audit": []})
    Traceback (most recent call last):
    ...
    slaclock.importers.common.ExportFormatError: servicenow: document: incident is missing - expected the field as the source's API returns it
    """
    options = options or ImportOptions()
    report = UnmappedReport("servicenow", strict=options.strict)
    timelines = convert(
        "servicenow", documents(export, "incidents"), lambda doc: _incident(doc, options, report)
    )
    return finish(report, timelines)


def _value(value: Any) -> Any:
    """A field's value, whether plain or a reference ``{"value": ..., "link": ...}``."""
    return value.get("value") if isinstance(value, Mapping) else value


def _incident(doc: Mapping[str, Any], options: ImportOptions, report: UnmappedReport) -> Timeline:
    incident = field_of(doc, "incident", "servicenow: document")
    if isinstance(incident, Mapping) and isinstance(incident.get("result"), Mapping):
        incident = incident["result"]
    number = str(_value(incident.get("number")) or field_of(incident, "sys_id", "servicenow"))
    where = f"servicenow: incident {number}"
    sys_id = _value(incident.get("sys_id"))
    kept = options.attribute_names(ATTRIBUTES)
    builder = TicketBuilder(
        number, options.status_table(STATUSES), options.priority_table(PRIORITIES), report
    )
    opened = _value(incident.get("opened_at")) or field_of(incident, "sys_created_on", where)
    created_at = parse_instant(opened, f"{where}: opened_at", naive_is_utc=True)
    users = {
        _value(u.get("sys_id")): u.get("user_name") for u in as_list(doc.get("sys_user"), "result")
    }
    caller = users.get(_value(incident.get("caller_id")))

    def instant(row: Mapping[str, Any], what: str) -> Any:
        stamp = field_of(row, "sys_created_on", f"{where}: {what}")
        return parse_instant(stamp, f"{where}: {what}", naive_is_utc=True)

    initial: dict[str, Any] = {}
    timed: list[tuple[Any, int, str, Mapping[str, Any]]] = []
    audits = as_list(doc.get("sys_audit"), "result")
    for n, row in enumerate(audits):
        if sys_id is not None and _value(row.get("documentkey")) not in (None, sys_id):
            continue
        at = instant(row, "sys_audit")
        if not row.get("oldvalue") and at <= created_at:
            initial[row.get("fieldname")] = row.get("newvalue")
        else:
            timed.append((at, n, "audit", row))
    for n, row in enumerate(as_list(doc.get("sys_journal_field"), "result")):
        if sys_id is not None and _value(row.get("element_id")) not in (None, sys_id):
            continue
        timed.append((instant(row, "sys_journal_field"), n, "journal", row))
    timed.sort(key=lambda item: (item[0], item[2] != "journal", item[1]))
    first_old: dict[str, Any] = {}
    for _at, _n, what, row in timed:
        if what == "audit":
            first_old.setdefault(str(row.get("fieldname")), row.get("oldvalue"))

    def start(field: str, default: Any = None) -> Any:
        if field in initial:
            return initial[field]
        if field in first_old:
            return first_old[field]
        return _value(incident.get(field, default))

    builder.created(
        created_at,
        status=start("state", "1"),
        priority=start("priority"),
        attributes={name: start(field) for field, name in kept.items()},
        id=str(sys_id) if sys_id is not None else f"{number}/created",
        author=caller or _value(incident.get("sys_created_by")),
    )
    for at, _n, what, row in timed:
        row_id = str(row.get("sys_id") or f"{what}/{_n}")
        if what == "journal":
            author = row.get("sys_created_by")
            element = row.get("element")
            role: Role | None
            if author in _SYSTEM_USERS:
                role = "system"
            elif element == "work_notes":
                role = "agent"
            elif caller is None:
                role = None
            else:
                role = "customer" if author == caller else "agent"
            public = element != "work_notes"
            builder.comment(at, role, public=public, id=row_id, author=author)
            continue
        author = row.get("user")
        name = row.get("fieldname")
        if name == "state":
            builder.status(at, row.get("newvalue"), id=row_id, author=author)
        elif name == "priority":
            builder.priority(at, row.get("newvalue"), id=row_id, author=author)
        elif name in kept:
            builder.attributes(at, {kept[name]: row.get("newvalue")}, id=row_id, author=author)
    return builder.timeline()
