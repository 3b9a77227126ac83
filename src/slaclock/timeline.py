"""Ticket events and timelines: validated, stably ordered, immutable.

>>> tl = Timeline.model_validate({
...     "ticket_id": "T-1", "attributes": {"priority": "high"},
...     "events": [{"at": "2025-03-07T16:50:00+01:00", "kind": "agent_replied", "public": True},
...                {"at": "2025-03-07T16:30:00+01:00", "kind": "created"}]})
>>> [event.kind for event in tl.events]  # ordered by instant
['created', 'agent_replied']
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from datetime import datetime
from functools import cached_property
from typing import Any, Literal, cast

from pydantic import AwareDatetime, ConfigDict, Field, field_validator, model_validator

from slaclock._model import ValueModel
from slaclock._tz import check_in_range, not_a_number, to_micros
from slaclock.errors import ArgumentError, TimelineError

__all__ = ["BUILTIN_KINDS", "STATUS_OF_KIND", "Event", "EventKind", "Timeline"]

#: The event kinds slaclock knows (a custom ``kind`` is allowed too, for custom metrics).
EventKind = Literal[
    "created",
    "status_changed",
    "priority_changed",
    "agent_replied",
    "customer_replied",
    "note_added",
    "assigned",
    "attributes_changed",
    "solved",
    "reopened",
    "closed",
    "satisfaction_rated",
]
#: :data:`EventKind` as a set, to tell built-in kinds from custom ones.
BUILTIN_KINDS: frozenset[str] = frozenset(EventKind.__args__)  # type: ignore[attr-defined]

#: The status a ticket takes after events of these kinds (``status_changed`` names its own).
STATUS_OF_KIND: Mapping[str, str] = {"solved": "solved", "reopened": "open", "closed": "closed"}

_SCALARS = (str, int, float, bool)


def check_attributes(value: Any, where: str = "attributes") -> Any:
    """Attribute values are text, numbers, booleans, ``None`` or a list of those (such as
    ``tags``; ``priority`` is one value, never a list); anything else (a mapping, a nested list,
    NaN or infinity) is refused here, at the boundary, naming the attribute.

    >>> check_attributes({"priority": "high", "tags": ["vip", "eu"], "seats": 40})
    {'priority': 'high', 'tags': ['vip', 'eu'], 'seats': 40}
    >>> check_attributes({"tags": ("vip",)})  # a tuple reads as the list JSON would give
    {'tags': ['vip']}
    >>> check_attributes({"team": {"name": "a"}})
    Traceback (most recent call last):
    ...
    ValueError: attributes.team: unsupported attribute value {'name': 'a'} - expected text, a number, true/false, null, or a list of those
    """
    if value is None:
        return value
    if not isinstance(value, Mapping):
        raise ValueError(
            f"{where}: not a mapping: {value!r} - expected e.g. {{'priority': 'high', 'tags': ['vip']}}"
        )
    for key, item in value.items():
        if not isinstance(key, str):
            raise ValueError(f"{where}: attribute name {key!r} is not text - expected a string")
        if key == "priority" and isinstance(item, list | tuple):
            raise ValueError(
                f"{where}.priority: a list {item!r} - expected one priority such as 'high'"
            )
        items = item if isinstance(item, list | tuple) else [item]
        for one in items:
            if (one is not None and not isinstance(one, _SCALARS)) or (
                isinstance(one, float) and not math.isfinite(one)
            ):
                raise ValueError(
                    f"{where}.{key}: unsupported attribute value {item!r} - expected text, a "
                    "number, true/false, null, or a list of those"
                )
    if any(isinstance(item, tuple) for item in value.values()):
        # A tuple is kept as the list JSON makes of it, so stored and live values compare equal.
        return {key: list(item) if isinstance(item, tuple) else item for key, item in value.items()}
    return value


def ticket_identity(ticket_id: object, attributes: object) -> tuple[str, dict[str, Any]]:
    """The id and attributes of a ticket given apart from its events (as a clock is built),
    checked as a :class:`Timeline` checks them: the id is text, the attributes those
    :func:`check_attributes` allows. Refused with an :class:`~slaclock.errors.ArgumentError`
    naming the argument, before any event arrives.

    >>> ticket_identity("T-1", None)
    ('T-1', {})
    >>> ticket_identity(7, {})
    Traceback (most recent call last):
    ...
    slaclock.errors.ArgumentError: ticket_id: 7 (int) - expected text such as 'T-1'
    """
    if not isinstance(ticket_id, str) or not ticket_id:
        raise ArgumentError(
            f"ticket_id: {ticket_id!r} ({type(ticket_id).__name__}) - expected text such as 'T-1'",
            value=ticket_id,
        )
    try:
        attributes = check_attributes(attributes)
    except ValueError as exc:
        raise ArgumentError(f"ticket {ticket_id!r}: {exc}", value=attributes) from None
    return ticket_id, dict(cast("Mapping[str, Any] | None", attributes) or {})


_REQUIRED_FIELD = {
    "status_changed": "status",
    "priority_changed": "priority",
    "attributes_changed": "attributes",
}


class Event(ValueModel):
    """One thing that happened to a ticket, at an exact instant.

    ``kind`` is one of the built-in kinds (``created``, ``status_changed``, ``priority_changed``,
    ``agent_replied``, ``customer_replied``, ``note_added``, ``assigned``, ``attributes_changed``,
    ``solved``, ``reopened``, ``closed``, ``satisfaction_rated`` (a survey answer, see
    :mod:`slaclock.surveys`)) or a custom name. The fields a kind needs:
    ``status_changed`` -> ``status``; ``priority_changed`` -> ``priority``;
    ``attributes_changed`` -> ``attributes`` (a value of ``None`` removes an attribute).
    Replies are public unless ``public=False``. ``created`` may carry the ticket's initial
    ``status`` (default ``"new"``), ``priority`` and ``attributes``. ``solved``, ``reopened`` and
    ``closed`` set the status ``solved``, ``open`` and ``closed``: the kind wins, and a different
    ``status`` on such an event is an error (a helpdesk's own status name goes on a
    ``status_changed`` event).

    >>> Event(at="2025-03-07T16:30:00+01:00", kind="status_changed", status="pending").status
    'pending'
    >>> Event(at="2025-03-07T16:30:00", kind="created")
    Traceback (most recent call last):
    ...
    pydantic_core._pydantic_core.ValidationError: 1 validation error for Event
    at
      Input should have timezone info [type=timezone_aware, input_value='2025-03-07T16:30:00', input_type=str]
    ...
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    at: AwareDatetime
    kind: str = Field(min_length=1)
    id: str | None = None
    status: str | None = None
    priority: str | None = None
    public: bool | None = None
    attributes: dict[str, Any] | None = None
    author: str | None = None

    _not_a_number = field_validator("at", mode="before")(not_a_number)

    @field_validator("at")
    @classmethod
    def _in_range(cls, value: datetime) -> datetime:
        return check_in_range(value, "at")

    @field_validator("attributes")
    @classmethod
    def _attribute_values(cls, value: Any) -> Any:
        return check_attributes(value)

    @model_validator(mode="after")
    def _fields_of_kind(self) -> Event:
        implied = STATUS_OF_KIND.get(self.kind)
        if implied is not None and self.status is not None and self.status != implied:
            # The kind decides: a 'solved' event that set the status 'Resolved' would never
            # stop the metrics that stop on 'solved' (resolution would run on without a word).
            raise ValueError(
                f"status {self.status!r} contradicts kind {self.kind!r}, which sets the status "
                f"{implied!r} - expected no status (or {implied!r}); record a helpdesk's own "
                "status name with a 'status_changed' event"
            )
        needed = _REQUIRED_FIELD.get(self.kind)
        if needed is not None and getattr(self, needed) is None:
            raise ValueError(
                f"{needed} is missing: an event of kind {self.kind!r} needs it: "
                f"{self.model_dump(mode='json', exclude_none=True)} - expected e.g. "
                f"{{'kind': {self.kind!r}, {needed!r}: ...}}"
            )
        return self

    @property
    def is_public(self) -> bool:
        """Whether a reply is public (replies are public unless ``public=False``).

        >>> Event(at="2025-01-01T00:00Z", kind="agent_replied").is_public
        True
        """
        return self.public is not False


def _label(event: Event, position: int) -> str:
    return f"event {event.id!r}" if event.id is not None else f"event #{position}"


class Timeline(ValueModel):
    """A ticket: its id, its initial attributes and its events.

    On validation the events are ordered by instant, stably (events at the same instant keep their
    input order); an event re-sent with the same ``id`` and content is kept once. Errors: the same
    ``id`` with different content, no ``created`` event or more than one, an event before
    ``created``.

    >>> Timeline(ticket_id="T-9", events=[{"at": "2025-01-01T09:00Z", "kind": "note_added"},
    ...                                   {"at": "2025-01-01T10:00Z", "kind": "created"}])
    Traceback (most recent call last):
    ...
    pydantic_core._pydantic_core.ValidationError: 1 validation error for Timeline
      Value error, event #0 (note_added at 2025-01-01T09:00:00Z) is before the ticket was created at 2025-01-01T10:00:00Z - expected every event at or after 'created' [type=value_error, input_value={'ticket_id': 'T-9', 'eve...: 'created'}]}, input_type=dict]
    ...
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    ticket_id: str = Field(min_length=1)  # '' names no ticket (refused by every reader)
    attributes: dict[str, Any] = Field(default_factory=dict)
    events: tuple[Event, ...]

    @field_validator("attributes")
    @classmethod
    def _attribute_values(cls, value: Any) -> Any:
        return check_attributes(value)

    @model_validator(mode="after")
    def _ordered(self) -> Timeline:
        seen: dict[str, Event] = {}
        unique: list[Event] = []
        for event in self.events:
            if event.id is not None:
                earlier = seen.get(event.id)
                if earlier is not None:
                    # Equal fields are not enough: two datetimes sharing a tzinfo compare by
                    # wall clock, so events an hour apart in a DST fall-back look equal.
                    if earlier == event and to_micros(earlier.at) == to_micros(event.at):
                        continue  # a harmless re-send
                    raise TimelineError(
                        f"event id {event.id!r} is used twice with different content: "
                        f"{earlier.model_dump(mode='json', exclude_none=True)} and "
                        f"{event.model_dump(mode='json', exclude_none=True)} - expected one "
                        "content per id",
                        value=event.id,
                    )
                seen[event.id] = event
            unique.append(event)
        created = [event for event in unique if event.kind == "created"]
        if len(created) != 1:
            raise TimelineError(
                f"ticket {self.ticket_id!r} has {len(created)} 'created' events - expected exactly one",
                value=len(created),
            )
        # Compare instants as integers: Python compares two datetimes that share a tzinfo by
        # their wall-clock readings, which is wrong across a DST fall-back.
        created_at = created[0].at
        created_micros = to_micros(created_at)
        for position, event in enumerate(unique):
            if to_micros(event.at) < created_micros:
                raise TimelineError(
                    f"{_label(event, position)} ({event.kind} at {_iso(event.at)}) is before the "
                    f"ticket was created at {_iso(created_at)} - expected every event at or "
                    "after 'created'",
                    value=event,
                )
        ordered = tuple(sorted(unique, key=_instant))
        # 'created' opens the timeline even when another event shares its instant.
        if ordered[0].kind != "created":
            index = ordered.index(created[0])
            ordered = (ordered[index], *ordered[:index], *ordered[index + 1 :])
        object.__setattr__(self, "events", ordered)
        _ = self.instants  # computed once here, with the ordering, rather than on first use
        return self

    @cached_property
    def instants(self) -> tuple[int, ...]:
        """The events' instants as integer microseconds since the Unix epoch (UTC), in event order:
        what the engine compares and measures (never wall-clock readings).

        >>> Timeline(ticket_id="T", events=[{"at": "1970-01-01T01:00:01+01:00", "kind": "created"}]).instants
        (1000000,)
        """
        return tuple(to_micros(e.at) for e in self.events)

    @property
    def created_at(self) -> datetime:
        """The instant of the ``created`` event.

        >>> Timeline(ticket_id="T", events=[{"at": "2025-01-01T09:00Z", "kind": "created"}]).created_at
        datetime.datetime(2025, 1, 1, 9, 0, tzinfo=TzInfo(0))
        """
        return self.events[0].at

    def with_events(self, *events: Event | Mapping[str, Any]) -> Timeline:
        """A new timeline with ``events`` added (validated and ordered again).

        >>> tl = Timeline(ticket_id="T", events=[{"at": "2025-01-01T09:00Z", "kind": "created"}])
        >>> len(tl.with_events({"at": "2025-01-01T09:05Z", "kind": "agent_replied"}).events)
        2
        """
        return Timeline.model_validate(
            {
                "ticket_id": self.ticket_id,
                "attributes": self.attributes,
                "events": [*self.events, *events],
            }
        )


def _instant(event: Event) -> int:
    return to_micros(event.at)


def _iso(value: datetime) -> str:
    text = value.isoformat()
    return text[:-6] + "Z" if text.endswith("+00:00") else text
