"""What every importer shares: options, the status and priority tables, reporting what could not
be mapped, and building a ticket's events.

An importer reads a helpdesk's export (plain data, as the vendor's API returns it) and builds one
:class:`~slaclock.Timeline` per ticket. Sources differ in their shapes; the rules are the same:

- statuses are mapped onto slaclock's words through a table (the source's documented default,
  updated by :attr:`ImportOptions.statuses`): ``new``, ``open``, ``pending``, ``on_hold``,
  ``solved``, ``closed``. Moving into ``solved`` or ``closed`` is a ``solved``/``closed`` event;
  leaving them is ``reopened`` (plus a ``status_changed`` when the new status is not ``open``);
- priorities are mapped likewise (:attr:`ImportOptions.priorities`);
- a public comment is an ``agent_replied`` only when its author is an agent, a
  ``customer_replied`` when its author is the customer; internal comments are ``note_added``
  (``public: false``); comments by triggers, automations and system users are ``note_added``
  too (they are not replies);
- each event keeps the source's id (``id``) and its author's id (``author``);
- a value the tables do not know (a status, a priority, an author that cannot be classified) is
  kept as it is and reported: one :class:`UnmappedValuesWarning` per import listing them all, or
  an :class:`UnmappedValueError` when ``strict=True``.

>>> options = ImportOptions(statuses={"Waiting for vendor": "on_hold"}, strict=True)
>>> options.status_table({"open": "open"})["waiting for vendor"]
'on_hold'
"""

from __future__ import annotations

import warnings
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timezone
from types import MappingProxyType
from typing import Any, Literal

from dateutil.parser import isoparse
from pydantic import ValidationError

from slaclock.errors import SlaclockError, SlaclockWarning
from slaclock.timeline import Event, Timeline

__all__ = [
    "SLACLOCK_STATUSES",
    "ExportFormatError",
    "ImportOptions",
    "Role",
    "TicketBuilder",
    "UnmappedValueError",
    "UnmappedValuesWarning",
    "Unmapped",
    "UnmappedReport",
]

#: The statuses the default tables map onto (the words slaclock's built-in metrics use).
SLACLOCK_STATUSES = ("new", "open", "pending", "on_hold", "solved", "closed")
_DONE = frozenset({"solved", "closed"})

#: Who wrote a comment: an agent, the customer (requester), the system (triggers, automations,
#: integrations), or ``None`` when the export does not say.
Role = Literal["agent", "customer", "system"]


class ExportFormatError(SlaclockError, ValueError):
    """An export does not have the shape its source documents (a missing field, a bad instant).

    >>> raise ExportFormatError("zendesk: audit 7: created_at is missing - expected an ISO 8601 instant")
    Traceback (most recent call last):
    ...
    slaclock.importers.common.ExportFormatError: zendesk: audit 7: created_at is missing - expected an ISO 8601 instant
    """


@dataclass(frozen=True)
class Unmapped:
    """A value an importer could not map: ``what`` (``status``, ``priority``, ``author``), the
    ``value`` as the source wrote it, and the tickets it was seen on.

    >>> Unmapped("status", "Waiting for vendor", ("SD-1",))
    Unmapped(what='status', value='Waiting for vendor', tickets=('SD-1',))
    """

    what: str
    value: str
    tickets: tuple[str, ...]

    def __str__(self) -> str:
        shown = ", ".join(self.tickets[:5]) + (", ..." if len(self.tickets) > 5 else "")
        return f"{self.what} {self.value!r} (tickets {shown})"


def _describe(source: str, unmapped: Iterable[Unmapped]) -> str:
    listed = "; ".join(str(item) for item in unmapped)
    return (
        f"{source}: values with no mapping, kept as they are: {listed} - add them to the "
        "status/priority tables (ImportOptions or --status/--priority), or check the authors"
    )


class UnmappedValuesWarning(SlaclockWarning):
    """An import met values its tables do not map; ``unmapped`` lists them.

    >>> warning = UnmappedValuesWarning("zendesk", [Unmapped("status", "hold2", ("42",))])
    >>> warning.unmapped[0].value
    'hold2'
    """

    def __init__(self, source: str, unmapped: Iterable[Unmapped]) -> None:
        self.unmapped = tuple(unmapped)
        super().__init__(_describe(source, self.unmapped))


class UnmappedValueError(SlaclockError, ValueError):
    """A strict import met values its tables do not map; ``unmapped`` lists them.

    >>> error = UnmappedValueError("jira", [Unmapped("priority", "P0", ("SD-1",))])
    >>> str(error).startswith("jira: values with no mapping")
    True
    """

    def __init__(self, source: str, unmapped: Iterable[Unmapped]) -> None:
        self.unmapped = tuple(unmapped)
        super().__init__(_describe(source, self.unmapped), value=self.unmapped)


@dataclass(frozen=True)
class ImportOptions:
    """How an import maps the source's values.

    - ``statuses``: source status -> slaclock status, on top of the source's default table
      (source names match case-insensitively).
    - ``priorities``: source priority -> slaclock priority, likewise.
    - ``attributes``: source field -> attribute name to keep on the ticket (its value at creation
      and its changes). ``None``: the source's defaults (the group).
    - ``strict``: raise :class:`UnmappedValueError` instead of warning.

    >>> options = ImportOptions(attributes={"group_id": "group", "brand_id": "brand"})
    >>> options.attributes["brand_id"]
    'brand'
    >>> options.attributes["x"] = "y"
    Traceback (most recent call last):
    ...
    TypeError: 'mappingproxy' object does not support item assignment
    """

    statuses: Mapping[str, str] = field(default_factory=dict)
    priorities: Mapping[str, str] = field(default_factory=dict)
    attributes: Mapping[str, str] | None = None
    strict: bool = False

    def __post_init__(self) -> None:
        # Read-only views of copies: the options cannot change after they are built.
        for name in ("statuses", "priorities", "attributes"):
            value = getattr(self, name)
            if value is not None:
                object.__setattr__(self, name, MappingProxyType(dict(value)))

    def status_table(self, defaults: Mapping[str, str]) -> dict[str, str]:
        """The source's default status table updated with ``statuses``, keys casefolded.

        >>> ImportOptions(statuses={"Hold": "pending"}).status_table({"hold": "on_hold"})
        {'hold': 'pending'}
        """
        return _table(defaults, self.statuses)

    def priority_table(self, defaults: Mapping[str, str]) -> dict[str, str]:
        """The source's default priority table updated with ``priorities``, keys casefolded.

        >>> ImportOptions().priority_table({"Highest": "urgent"})
        {'highest': 'urgent'}
        """
        return _table(defaults, self.priorities)

    def attribute_names(self, defaults: Mapping[str, str]) -> dict[str, str]:
        """Source field -> attribute name: ``attributes``, or the source's defaults.

        >>> ImportOptions().attribute_names({"group_id": "group"})
        {'group_id': 'group'}
        """
        return dict(defaults if self.attributes is None else self.attributes)


def _table(defaults: Mapping[str, str], overrides: Mapping[str, str]) -> dict[str, str]:
    table = {str(key).casefold(): value for key, value in defaults.items()}
    table.update({str(key).casefold(): value for key, value in overrides.items()})
    return table


class UnmappedReport:
    """Collects the values an import could not map, then warns or raises once (:meth:`finish`).

    >>> report = UnmappedReport("zammad", strict=False)
    >>> report.add("status", "waiting", "31")
    >>> import warnings
    >>> with warnings.catch_warnings(record=True) as caught:
    ...     warnings.simplefilter("always")
    ...     report.finish()
    >>> print(caught[0].message)
    zammad: values with no mapping, kept as they are: status 'waiting' (tickets 31) - add them to the status/priority tables (ImportOptions or --status/--priority), or check the authors
    """

    def __init__(self, source: str, *, strict: bool) -> None:
        self.source = source
        self.strict = strict
        self._seen: dict[tuple[str, str], list[str]] = {}

    def add(self, what: str, value: object, ticket: str) -> None:
        """Record ``value`` (a ``what``) seen on ``ticket``."""
        tickets = self._seen.setdefault((what, str(value)), [])
        if ticket not in tickets:
            tickets.append(ticket)

    @property
    def unmapped(self) -> tuple[Unmapped, ...]:
        """Everything recorded, in the order first seen."""
        return tuple(Unmapped(w, v, tuple(t)) for (w, v), t in self._seen.items())

    def finish(self) -> None:
        """Warn (or raise, when strict) listing everything recorded; nothing when all mapped."""
        if not self._seen:
            return
        if self.strict:
            raise UnmappedValueError(self.source, self.unmapped)
        warnings.warn(UnmappedValuesWarning(self.source, self.unmapped), stacklevel=3)


def parse_instant(value: object, where: str, *, naive_is_utc: bool = False) -> datetime:
    """An aware datetime from an export's timestamp (ISO 8601, ``Z`` or ``+0100`` offsets).

    ``naive_is_utc`` reads a timestamp without offset as UTC (ServiceNow's Table API returns
    ``2025-03-07 16:30:00`` in UTC); otherwise it is an error.

    >>> parse_instant("2025-03-07T16:30:00.000-0500", "created")
    datetime.datetime(2025, 3, 7, 16, 30, tzinfo=tzoffset(None, -18000))
    >>> parse_instant("2025-03-07 16:30:00", "opened_at", naive_is_utc=True)
    datetime.datetime(2025, 3, 7, 16, 30, tzinfo=datetime.timezone.utc)
    """
    if not isinstance(value, str) or not value.strip():
        raise ExportFormatError(
            f"{where}: not a timestamp: {value!r} - expected an ISO 8601 instant such as "
            "2025-03-07T16:30:00Z",
            value=value,
        )
    try:
        parsed = isoparse(value.strip().replace(" ", "T", 1))
    except ValueError as exc:
        raise ExportFormatError(
            f"{where}: not a timestamp: {value!r} - expected an ISO 8601 instant such as "
            "2025-03-07T16:30:00Z",
            value=value,
        ) from exc
    if parsed.tzinfo is None:
        if not naive_is_utc:
            raise ExportFormatError(
                f"{where}: {value!r} has no UTC offset - expected e.g. 2025-03-07T16:30:00Z",
                value=value,
            )
        parsed = parsed.replace(tzinfo=timezone.utc)
    return parsed


def field_of(record: Mapping[str, Any], name: str, where: str) -> Any:
    """``record[name]``, or an :class:`ExportFormatError` naming the record and the field.

    >>> field_of({"id": 1}, "created_at", "zendesk: ticket 1")
    Traceback (most recent call last):
    ...
    slaclock.importers.common.ExportFormatError: zendesk: ticket 1: created_at is missing - expected the field as the source's API returns it
    """
    if not isinstance(record, Mapping) or name not in record:
        raise ExportFormatError(
            f"{where}: {name} is missing - expected the field as the source's API returns it",
            value=name,
        )
    return record[name]


class TicketBuilder:
    """The events of one ticket, built in the source's order, mapping statuses and priorities.

    >>> report = UnmappedReport("demo", strict=True)
    >>> ticket = TicketBuilder("T-1", {"open": "open", "solved": "solved"}, {"p1": "urgent"}, report)
    >>> ticket.created("2025-03-07T09:00:00Z", status="open", priority="P1", attributes={}, id="1")
    >>> ticket.comment("2025-03-07T09:10:00Z", "agent", public=True, id="2", author="7")
    >>> ticket.status("2025-03-07T09:20:00Z", "solved", id="3", author="7")
    >>> [(e.kind, e.priority or e.status) for e in ticket.timeline().events]
    [('created', 'urgent'), ('agent_replied', None), ('solved', None)]
    """

    def __init__(
        self,
        ticket_id: str,
        statuses: Mapping[str, str],
        priorities: Mapping[str, str],
        report: UnmappedReport,
    ) -> None:
        self.ticket_id = ticket_id
        self._statuses = statuses
        self._priorities = priorities
        self._report = report
        self._events: list[dict[str, Any]] = []
        self._attributes: dict[str, Any] = {}
        self._status: str | None = None
        self._priority: str | None = None

    # -- mapping ----------------------------------------------------------------------------
    def map_status(self, raw: object) -> str:
        """The slaclock status of a source status (reported and kept as is when unknown)."""
        mapped = self._statuses.get(str(raw).casefold())
        if mapped is None:
            self._report.add("status", raw, self.ticket_id)
            return str(raw)
        return mapped

    def map_priority(self, raw: object) -> str | None:
        """The slaclock priority of a source priority (``None`` for none; unknown: reported)."""
        if raw is None or raw == "":
            return None
        mapped = self._priorities.get(str(raw).casefold())
        if mapped is None:
            self._report.add("priority", raw, self.ticket_id)
            return str(raw)
        return mapped

    def unclassified(self, author: object) -> None:
        """Report a comment author the export does not let us classify."""
        self._report.add("author", author, self.ticket_id)

    # -- events -----------------------------------------------------------------------------
    def _add(self, at: datetime | str, kind: str, id: str | None, **fields: Any) -> None:
        event = {"at": at, "kind": kind, "id": id}
        event.update({key: value for key, value in fields.items() if value is not None})
        self._events.append(event)

    def created(
        self,
        at: datetime | str,
        *,
        status: object,
        priority: object,
        attributes: Mapping[str, Any],
        id: str | None,
        author: str | None = None,
    ) -> None:
        """The ``created`` event, with the initial status, priority and attributes."""
        self._status = self.map_status(status) if status is not None else "new"
        self._priority = self.map_priority(priority)
        self._attributes = {k: v for k, v in attributes.items() if v is not None}
        self._add(at, "created", id, status=self._status, priority=self._priority, author=author)

    def status(self, at: datetime | str, raw: object, *, id: str, author: str | None) -> None:
        """A change of status: ``solved``/``closed``, ``reopened``, or ``status_changed``.

        A change between two source statuses that map to the same slaclock status is no event.
        """
        new = self.map_status(raw)
        old = self._status
        if new == old:
            return
        self._status = new
        if new in _DONE:
            self._add(at, new, id, author=author)
        elif old in _DONE:
            self._add(at, "reopened", id, author=author)
            if new != "open":
                self._add(at, "status_changed", f"{id}/status", status=new, author=author)
        else:
            self._add(at, "status_changed", id, status=new, author=author)

    def priority(self, at: datetime | str, raw: object, *, id: str, author: str | None) -> None:
        """A change of priority (none when it maps to the priority in force)."""
        new = self.map_priority(raw)
        if new is None or new == self._priority:
            return
        self._priority = new
        self._add(at, "priority_changed", id, priority=new, author=author)

    def attributes(
        self, at: datetime | str, changes: Mapping[str, Any], *, id: str, author: str | None
    ) -> None:
        """A change of kept attributes (``None`` removes one)."""
        self._add(at, "attributes_changed", id, attributes=dict(changes), author=author)

    def comment(
        self,
        at: datetime | str,
        role: Role | None,
        *,
        public: bool,
        id: str,
        author: str | None,
    ) -> None:
        """A comment: an agent's public reply, a customer's public reply, or a note (internal,
        or written by the system, or by an author the export does not classify, which is
        reported)."""
        if role is None:
            self.unclassified(author)
        if role == "agent" and public:
            self._add(at, "agent_replied", id, public=True, author=author)
        elif role == "customer" and public:
            self._add(at, "customer_replied", id, author=author)
        else:
            self._add(at, "note_added", id, public=public, author=author)

    def timeline(self) -> Timeline:
        """The ticket's validated timeline. What the timeline refuses (a kept attribute holding
        an object, say) is an :class:`ExportFormatError` naming the source, the ticket and the
        field, so one bad ticket in a large export can be found.

        >>> ticket = TicketBuilder("42", {}, {}, UnmappedReport("zendesk", strict=False))
        >>> ticket.created("2025-03-07T09:00:00Z", status=None, priority=None,
        ...                attributes={"group": {"id": 3, "name": "Billing"}}, id="1")
        >>> ticket.timeline()
        Traceback (most recent call last):
        ...
        slaclock.importers.common.ExportFormatError: zendesk: ticket 42: attributes.group: unsupported attribute value {'id': 3, 'name': 'Billing'} - expected text, a number, true/false, null, or a list of those (keep a field of the source that holds a plain value as 'group': ImportOptions(attributes={FIELD: 'group'}), or --attribute FIELD=group)
        """
        try:
            return Timeline.model_validate(
                {
                    "ticket_id": self.ticket_id,
                    "attributes": self._attributes,
                    "events": self._events,
                }
            )
        except ValidationError as exc:
            error = exc.errors()[0]
            where = ".".join(str(part) for part in error["loc"])
            message = str(error["msg"]).removeprefix("Value error, ")
            if where and message.startswith(where):  # the attribute check names the field itself
                where, _, message = message.partition(": ")
            if "unsupported attribute value" in message:
                name = where.rpartition(".")[2]
                message += (
                    f" (keep a field of the source that holds a plain value as {name!r}: "
                    f"ImportOptions(attributes={{FIELD: {name!r}}}), or --attribute FIELD={name})"
                )
            # A refusal of the whole timeline (no field: an event before 'created', say) says
            # where itself, and its error carries the offending value rather than the ticket.
            cause = error.get("ctx", {}).get("error")
            raise ExportFormatError(
                f"{self._report.source}: ticket {self.ticket_id}: "
                + (f"{where}: {message}" if where else message),
                value=cause.value if isinstance(cause, SlaclockError) else error.get("input"),
            ) from None


def as_list(value: Any, key: str) -> list[Any]:
    """A list given either as is or wrapped in an API response (``{key: [...]}``).

    >>> as_list({"audits": [1, 2]}, "audits"), as_list([3], "audits"), as_list(None, "x")
    ([1, 2], [3], [])
    """
    if value is None:
        return []
    if isinstance(value, Mapping) and key in value:
        value = value[key]
    if not isinstance(value, list):
        raise ExportFormatError(
            f"{key}: expected a list (or {{{key!r}: [...]}}), got {type(value).__name__}",
            value=value,
        )
    return value


def documents(export: Any, key: str) -> list[Mapping[str, Any]]:
    """The ticket documents of an export: one document, a list, or ``{key: [...]}``.

    >>> len(documents([{"ticket": {}}, {"ticket": {}}], "tickets"))
    2
    """
    if isinstance(export, Mapping) and key in export and isinstance(export[key], list):
        export = export[key]
    items = export if isinstance(export, list) else [export]
    for item in items:
        if not isinstance(item, Mapping):
            raise ExportFormatError(
                f"expected a ticket document (a JSON object), got {type(item).__name__}",
                value=item,
            )
    return items


def convert(
    source: str,
    docs: Iterable[Mapping[str, Any]],
    one: Callable[[Mapping[str, Any]], Timeline],
) -> list[Timeline]:
    """``one(doc)`` for each document; a document of an unexpected shape (a list where the API
    returns an object, a number where it returns text) is an :class:`ExportFormatError` naming
    the source and the document, never a raw error from deep inside.

    >>> convert("demo", [{"x": 1}], lambda doc: doc["ticket"]["id"])
    Traceback (most recent call last):
    ...
    slaclock.importers.common.ExportFormatError: demo: document 0: unexpected shape (KeyError: 'ticket') - expected the JSON the source's API returns
    """
    timelines = []
    for index, doc in enumerate(docs):
        try:
            timelines.append(one(doc))
        except (AttributeError, TypeError, KeyError, IndexError) as exc:
            raise ExportFormatError(
                f"{source}: document {index}: unexpected shape ({type(exc).__name__}: {exc}) - "
                "expected the JSON the source's API returns",
                value=doc,
            ) from exc
    return timelines


def finish(report: UnmappedReport, timelines: list[Timeline]) -> list[Timeline]:
    """Report what was unmapped (see :meth:`UnmappedReport.finish`), then return the timelines.

    >>> finish(UnmappedReport("demo", strict=True), [])
    []
    """
    report.finish()
    return timelines


def as_event(event: Event) -> dict[str, Any]:
    """An event as plain JSON data (``exclude_none``), as the events files hold it.

    >>> as_event(Event(at="2025-01-01T09:00:00Z", kind="created"))
    {'at': '2025-01-01T09:00:00Z', 'kind': 'created'}
    """
    return event.model_dump(mode="json", exclude_none=True)
