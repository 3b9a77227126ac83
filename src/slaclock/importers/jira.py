"""Jira Service Management: issues from the REST API with ``expand=changelog``.

One document per issue: the response of ``GET /rest/api/2/issue/{key}?expand=changelog`` (or
``/rest/api/3/...``), with its comments in ``fields.comment.comments``; a search response
(``{"issues": [...]}``) or a list of issues is accepted too. Comments fetched separately
(``GET /rest/api/2/issue/{key}/comment``) may be given as ``"comments"`` beside the issue.

- Status and priority transitions come from ``changelog.histories[].items`` (``field`` ``status``
  / ``priority``, ``toString``); the initial values are the first transition's ``fromString``
  (or the issue's current value when it never changed).
- Comments: public unless ``jsdPublic`` is ``false`` (or the ``sd.public.comment`` property says
  ``{"internal": true}``). The reporter and users whose ``accountType`` is ``customer`` are the
  customer; ``atlassian`` accounts are agents; ``app`` accounts (automation rules, integrations)
  are the system. An author without ``accountType`` (Jira Server) who is not the reporter is
  reported as unclassified.

Reference: https://developer.atlassian.com/cloud/jira/platform/rest/v2/api-group-issues/#api-rest-api-2-issue-issueidorkey-get
and the comment's ``jsdPublic``:
https://developer.atlassian.com/cloud/jira/platform/rest/v2/api-group-issue-comments/

>>> issue = {"key": "SD-1", "fields": {"created": "2025-03-07T09:00:00.000+0100",
...     "status": {"name": "Waiting for support"}, "priority": {"name": "Medium"},
...     "reporter": {"accountId": "c1"}, "comment": {"comments": [
...         {"id": "5", "created": "2025-03-07T09:30:00.000+0100", "jsdPublic": False,
...          "author": {"accountId": "a1", "accountType": "atlassian"}}]}},
...     "changelog": {"histories": []}}
>>> [(e.kind, e.public) for e in to_timelines(issue)[0].events]
[('created', None), ('note_added', False)]
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

#: Jira Service Management's default workflow statuses -> slaclock statuses.
STATUSES: Mapping[str, str] = {
    "open": "open",
    "to do": "new",
    "waiting for support": "open",
    "in progress": "open",
    "escalated": "open",
    "work in progress": "open",
    "waiting for customer": "pending",
    "pending": "on_hold",
    "waiting for approval": "on_hold",
    "resolved": "solved",
    "done": "solved",
    "completed": "solved",
    "closed": "closed",
    "canceled": "closed",
    "cancelled": "closed",
    "declined": "closed",
}
#: Jira's default priority scheme -> slaclock priorities.
PRIORITIES: Mapping[str, str] = {
    "highest": "urgent",
    "high": "high",
    "medium": "normal",
    "low": "low",
    "lowest": "low",
}
#: No field is kept as an attribute by default (pass e.g. ``{"components": "components"}``).
ATTRIBUTES: Mapping[str, str] = {}

_ROLES: Mapping[str, Role] = {"customer": "customer", "atlassian": "agent", "app": "system"}


def to_timelines(export: Any, options: ImportOptions | None = None) -> list[Timeline]:
    """One timeline per issue of ``export`` (an issue, a list, or ``{"issues": [...]}``).

    An export without the documented fields is an error naming the record and the field:

    >>> to_timelines({"fields": {}})
    Traceback (most recent call last):
    ...
    slaclock.importers.common.ExportFormatError: jira: issue: key is missing - expected the field as the source's API returns it
    """
    options = options or ImportOptions()
    report = UnmappedReport("jira", strict=options.strict)
    timelines = convert(
        "jira", documents(export, "issues"), lambda doc: _issue(doc, options, report)
    )
    return finish(report, timelines)


def _user(value: Any) -> str | None:
    if not isinstance(value, Mapping):
        return None
    found = value.get("accountId") or value.get("key") or value.get("name")
    return None if found is None else str(found)


def _name(value: Any) -> Any:
    return value.get("name", value.get("value")) if isinstance(value, Mapping) else value


def _public(comment: Mapping[str, Any]) -> bool:
    if "jsdPublic" in comment:
        return comment["jsdPublic"] is not False
    for prop in comment.get("properties") or ():
        if prop.get("key") == "sd.public.comment":
            return not (prop.get("value") or {}).get("internal", False)
    return True  # Jira: comments are visible to the customer unless marked internal


def _issue(doc: Mapping[str, Any], options: ImportOptions, report: UnmappedReport) -> Timeline:
    key = str(field_of(doc, "key", "jira: issue"))
    where = f"jira: issue {key}"
    fields = field_of(doc, "fields", where)
    kept = options.attribute_names(ATTRIBUTES)
    builder = TicketBuilder(
        key, options.status_table(STATUSES), options.priority_table(PRIORITIES), report
    )
    histories = as_list((doc.get("changelog") or {}).get("histories"), "histories")
    changes = sorted(
        (parse_instant(field_of(h, "created", f"{where}: history"), f"{where}: history"), n, h)
        for n, h in enumerate(histories)
    )
    first_from: dict[str, Any] = {}
    for _at, _n, history in changes:
        for item in history.get("items") or ():
            first_from.setdefault(item.get("field"), item.get("fromString"))
    reporter = _user(fields.get("reporter"))
    builder.created(
        parse_instant(field_of(fields, "created", where), f"{where}: created"),
        status=first_from.get("status", _name(fields.get("status"))),
        priority=first_from.get("priority", _name(fields.get("priority"))),
        attributes={
            name: first_from.get(field, _name(fields.get(field))) for field, name in kept.items()
        },
        id=f"{key}/created",
        author=reporter,
    )
    comments = as_list((fields.get("comment") or {}).get("comments"), "comments")
    comments += as_list(doc.get("comments"), "comments")
    timed: list[tuple[Any, int, str, Mapping[str, Any]]] = [
        (at, n, "history", h) for at, n, h in changes
    ]
    for n, comment in enumerate(comments):
        at = parse_instant(field_of(comment, "created", f"{where}: comment"), f"{where}: comment")
        timed.append((at, n, "comment", comment))
    timed.sort(key=lambda item: (item[0], item[2] != "comment", item[1]))
    for at, _n, what, record in timed:
        author = _user(record.get("author"))
        if what == "comment":
            account_type = (record.get("author") or {}).get("accountType")
            role: Role | None = (
                "customer" if author is not None and author == reporter else None
            ) or _ROLES.get(str(account_type))
            builder.comment(
                at, role, public=_public(record), id=f"comment/{record.get('id')}", author=author
            )
            continue
        for index, item in enumerate(record.get("items") or ()):
            item_id = f"history/{record.get('id')}/{index}"
            name = item.get("field")
            if name == "status":
                builder.status(at, item.get("toString"), id=item_id, author=author)
            elif name == "priority":
                builder.priority(at, item.get("toString"), id=item_id, author=author)
            elif name in kept:
                builder.attributes(
                    at, {kept[name]: item.get("toString")}, id=item_id, author=author
                )
    return builder.timeline()
