"""The fast path of the events files (:mod:`slaclock.eventfiles`): a ticket's plain rows -> a
:class:`~slaclock.Timeline` without pydantic validation.

Validating a ``Timeline`` costs more than replaying it. Most tickets of an events file are
plain: ISO 8601 instants with ``Z`` or an offset, text where text is expected, one
``created`` event, no event id used twice. For those, :func:`plain_timeline` makes the checks
the models make (the same rules; ``tests/test_plain_timeline.py`` holds the two paths together) and
builds the very values validation would build: equal events, the same tzinfo type, the same
order, the same ``model_fields_set``. As soon as anything about a ticket is unusual, it
returns ``None`` and the caller validates the ticket as before: every error message still
comes from the models.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from datetime import datetime, tzinfo
from operator import itemgetter
from typing import Any, TypeVar

from pydantic import AwareDatetime, BaseModel, TypeAdapter

from slaclock._tz import micros_in_range
from slaclock.timeline import STATUS_OF_KIND, Event, Timeline, check_attributes

__all__ = ["plain_instant", "plain_timeline"]

_M = TypeVar("_M", bound=BaseModel)

#: Every field of an event, unset: a row's values go over it (in the models' field order).
_UNSET: dict[str, Any] = dict.fromkeys(Event.model_fields)
_TEXTS = itemgetter("id", "status", "priority", "author")
_TEXT_TYPES = frozenset({str, type(None)})
_BOOL_TYPES = frozenset({bool, type(None)})
_REQUIRED = {"status_changed": "status", "priority_changed": "priority"}
#: The kinds with a rule of their own (the fields they need, the status they set).
_SPECIAL_KINDS = frozenset({"created", "attributes_changed", *_REQUIRED, *STATUS_OF_KIND})
_TIMELINE_FIELDS = frozenset({"ticket_id", "attributes", "events"})

#: An instant the fast path reads: date, time to the second (a fraction of up to 6 digits),
#: then ``Z`` or an offset. Anything else (a space for ``T``, lower case, a number, more digits)
#: is validated by pydantic.
_INSTANT = re.compile(
    r"(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d{1,6})?)(Z|[+-](?:[01]\d|2[0-3]):[0-5]\d)",
    re.ASCII,  # digits 0-9 only
)
_NAIVE_EPOCH = datetime(1970, 1, 1)
_from_text = datetime.fromisoformat
_combine = datetime.combine  # a third of the cost of datetime.replace(tzinfo=...)

# The tzinfo pydantic gives each offset (pydantic_core's TzInfo), asked of pydantic once per
# offset, with its offset in seconds: an instant read here is the very value validation gives.
_AWARE = TypeAdapter(AwareDatetime)
_ZONES: dict[str, tuple[tzinfo, int]] = {}


def _zone(offset: str) -> tuple[tzinfo, int]:
    zone = _AWARE.validate_python(f"2000-01-01T00:00:00{offset}").tzinfo
    assert zone is not None
    shift = zone.utcoffset(None)
    assert shift is not None
    _ZONES[offset] = found = (zone, shift.days * 86_400 + shift.seconds)
    return found


def plain_instant(text: str) -> tuple[datetime, int] | None:
    """The aware datetime validation gives for ``text``, and its UTC microseconds; ``None``
    when ``text`` is not of the plain form or not a supported instant (validation says why).

    >>> plain_instant("2025-03-07T16:30:00+01:00")
    (datetime.datetime(2025, 3, 7, 16, 30, tzinfo=TzInfo(3600)), 1741361400000000)
    >>> plain_instant("2025-03-07 16:30:00+01:00") is None  # a space: left to pydantic
    True
    """
    found = _INSTANT.fullmatch(text)
    if found is None:
        return None
    local, offset = found.groups()
    zone, shift = _ZONES.get(offset) or _zone(offset)
    try:
        naive = _from_text(local)
    except ValueError:  # a day or hour that does not exist: validation names it
        return None
    delta = naive - _NAIVE_EPOCH  # exact integers, as slaclock._tz.to_micros
    micros = (delta.days * 86_400 + delta.seconds - shift) * 1_000_000 + delta.microseconds
    if not micros_in_range(micros):
        return None
    return _combine(naive, naive.time(), zone), micros


_new = object.__new__
# The four slots of every pydantic model (as slaclock.results.construct sets them).
_set_dict = BaseModel.__dict__["__dict__"].__set__
_set_fields_set = BaseModel.__dict__["__pydantic_fields_set__"].__set__
_set_extra = BaseModel.__dict__["__pydantic_extra__"].__set__
_set_private = BaseModel.__dict__["__pydantic_private__"].__set__


def _built(cls: type[_M], values: dict[str, Any], given: set[str]) -> _M:
    """A model holding checked ``values`` (every field), ``given`` its fields set."""
    instance = _new(cls)
    _set_dict(instance, values)
    _set_fields_set(instance, given)
    _set_extra(instance, None)
    _set_private(instance, None)
    return instance


def plain_timeline(
    ticket_id: str, rows: Sequence[tuple[int, Mapping[str, Any]]]
) -> Timeline | None:
    """The timeline validation would build for ``ticket_id`` from ``rows`` (line number, event
    data as read from the file, ``attributes`` on a ``created`` row being the ticket's), or
    ``None`` when a row or the ticket is not plain (then validate it as before).

    >>> timeline = plain_timeline("T-1", [
    ...     (2, {"at": "2025-03-07T16:50:00Z", "kind": "agent_replied"}),
    ...     (1, {"at": "2025-03-07T16:30:00Z", "kind": "created", "attributes": {"tier": "gold"}})])
    >>> [e.kind for e in timeline.events], timeline.attributes, timeline.instants[0]
    (['created', 'agent_replied'], {'tier': 'gold'}, 1741365000000000)
    >>> plain_timeline("T-1", [(1, {"at": "2025-03-07T16:30:00Z", "kind": "solved"})]) is None
    True
    """
    attributes: dict[str, Any] = {}
    events: list[Event] = []
    instants: list[int] = []
    created: Event | None = None
    created_at = first = 0  # the created event's instant and position
    ids: set[str] = set()
    for _, row in rows:
        values = _UNSET.copy()
        values.update(row)
        kind = values["kind"]
        at = values["at"]
        if (
            len(values) != len(_UNSET)  # a key that is no field
            or type(kind) is not str
            or not kind
            or type(at) is not str
            or not set(map(type, _TEXTS(values))) <= _TEXT_TYPES
            or type(values["public"]) not in _BOOL_TYPES
        ):
            return None
        instant = plain_instant(at)
        if instant is None:
            return None
        values["at"] = instant[0]
        fields = set(row)
        given = values["attributes"]
        if given is not None and type(given) is not dict:
            return None
        if kind in _SPECIAL_KINDS or given is not None:
            if kind == "created":
                if created is not None:
                    return None
                if given:
                    attributes.update(given)
                values["attributes"] = None  # the ticket's attributes, not the event's
                fields.discard("attributes")
                created_at, first = instant[1], len(events)
            else:
                status = values["status"]
                implied = STATUS_OF_KIND.get(kind)
                needed = _REQUIRED.get(kind)
                if (
                    (implied is not None and status is not None and status != implied)
                    or (needed is not None and values[needed] is None)
                    or (kind == "attributes_changed" and given is None)
                ):
                    return None
                if given is not None:
                    try:
                        check_attributes(given)
                    except ValueError:
                        return None
                    values["attributes"] = dict(given)
        event_id = values["id"]
        if event_id is not None:
            if event_id in ids:  # a re-send or a clash: validation decides
                return None
            ids.add(event_id)
        event = _built(Event, values, fields)
        if kind == "created":
            created = event
        events.append(event)
        instants.append(instant[1])
    if created is None or min(instants) < created_at:
        return None
    try:
        check_attributes(attributes)
    except ValueError:
        return None
    # Ordered as Timeline orders: by instant, stably, 'created' first among equals.
    order = sorted(range(len(events)), key=instants.__getitem__)
    if order[0] != first:
        order.remove(first)
        order.insert(0, first)
    return _built(
        Timeline,
        {
            "ticket_id": ticket_id,
            "attributes": attributes,
            "events": tuple([events[i] for i in order]),
            "instants": tuple([instants[i] for i in order]),
        },
        set(_TIMELINE_FIELDS),
    )
