"""Instants the ticket or the conventions move: a cycle's start or due instant read from a
ticket attribute (``start_from``, ``due_from``, the latter as the conventions read it), the
back-dated span of a ``start_from`` counted as the metric's clock ran then
(``retroactive_pause``), a due instant put on the conventions' grid or moved to the next
opening, and a sequential cycle's clock starting at its predecessor's due instant.
:func:`slaclock.measure.measure_cycle` applies them; each is a pure function of integer UTC
microseconds.

>>> later = starting_not_before([Transition(0, True), Transition(5, False)], 7)
>>> later, attribute_instant({"due": "1970-01-01T00:00:01Z"}, "due")
([Transition(at=7, counting=False)], 1000000)
"""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Mapping
from datetime import datetime, timezone
from typing import Any

from slaclock._tz import from_micros, to_micros
from slaclock.compiled_calendar import CompiledCalendar
from slaclock.conventions import Conventions
from slaclock.errors import TimelineError
from slaclock.progress import Transition

__all__ = [
    "attribute_instant",
    "back_dated",
    "convention_due",
    "given_due",
    "starting_not_before",
]

_SECOND = 1_000_000


def attribute_instant(attributes: Mapping[str, Any], name: str) -> int | None:
    """The instant a ticket attribute holds (an aware datetime or ISO 8601 text), or ``None``
    when the ticket does not have it.

    >>> attribute_instant({"due_date": "2025-03-07T17:00:00+01:00"}, "due_date")
    1741363200000000
    >>> attribute_instant({}, "due_date") is None
    True
    """
    value = attributes.get(name)
    if value is None:
        return None
    if isinstance(value, str):
        try:
            value = datetime.fromisoformat(value)
        except ValueError:
            value = None
    if not isinstance(value, datetime) or value.utcoffset() is None:
        raise TimelineError(
            f"ticket attribute {name}={attributes.get(name)!r} - expected an aware datetime or "
            "ISO 8601 text with a UTC offset, e.g. '2025-03-07T17:00:00+01:00'",
            value=attributes.get(name),
        )
    return to_micros(value)


def convention_due(cal: CompiledCalendar, due: int, conventions: Conventions) -> int:
    """The due instant as the conventions in force state it: put on the ``precision`` grid
    first, then, under ``due_at_closing: next_open``, moved from a closed instant (a target used
    up exactly at a closing time) to the next opening.

    >>> from slaclock import Calendar
    >>> cal = Calendar.weekdays("UTC").compiled
    >>> friday_17 = 1_741_366_800_000_000  # 2025-03-07T17:00Z, a closing time
    >>> moved = convention_due(cal, friday_17, Conventions(due_at_closing="next_open"))
    >>> from_micros(moved, timezone.utc).isoformat()  # Monday's opening
    '2025-03-10T09:00:00+00:00'
    """
    if conventions.precision is not None:
        due = conventions.precision.round(due)
    if conventions.due_at_closing == "next_open":
        moment = from_micros(due, timezone.utc)
        if not cal.is_open(moment):
            due = to_micros(cal.next_open(moment))
    return due


def given_due(
    cal: CompiledCalendar, given: int | None, start: int, conventions: Conventions
) -> int | None:
    """A ``due_from`` instant as the conventions in force read it (``None``: the ticket has no
    such attribute): under ``due_from_missing: start_plus_1s`` none, and under
    ``due_from_in_past: start_plus_1s`` one at or before the cycle's ``start``, is due one
    second after the start; under ``due_from_outside_schedule: next_open`` a later one outside
    the calendar's hours is due at the next opening (ServiceNow's "breach on due date").

    >>> from slaclock import Calendar
    >>> cal = Calendar.weekdays("UTC").compiled
    >>> sn = Conventions(due_from_outside_schedule="next_open", due_from_in_past="start_plus_1s")
    >>> monday_9, monday_20 = 1_741_597_200_000_000, 1_741_636_800_000_000  # 2025-03-10 (UTC)
    >>> from_micros(given_due(cal, monday_20, monday_9, sn), timezone.utc).isoformat()
    '2025-03-11T09:00:00+00:00'
    >>> from_micros(given_due(cal, monday_9 - 1, monday_9, sn), timezone.utc).isoformat()
    '2025-03-10T09:00:01+00:00'
    >>> given_due(cal, monday_20, monday_9, Conventions()) == monday_20
    True
    >>> given_due(cal, None, monday_9, sn) is None, given_due(cal, None, monday_9, Conventions(due_from_missing="start_plus_1s")) - monday_9
    (True, 1000000)
    """
    if given is None:
        return start + _SECOND if conventions.due_from_missing == "start_plus_1s" else None
    if given <= start:
        return start + _SECOND if conventions.due_from_in_past == "start_plus_1s" else given
    if conventions.due_from_outside_schedule == "next_open":
        moment = from_micros(given, timezone.utc)
        if not cal.is_open(moment):
            given = to_micros(cal.next_open(moment))
    return given


def starting_not_before(transitions: list[Transition], start: int) -> list[Transition]:
    """A cycle's transitions with its clock starting at ``start`` (a later instant than its own
    start: a sequential recurrence), in the state it had there.

    >>> starting_not_before([Transition(0, True), Transition(5, False), Transition(9, True)], 7)
    [Transition(at=7, counting=False), Transition(at=9, counting=True)]
    """
    counting = transitions[0].counting
    later = []
    for transition in transitions:
        if transition.at <= start:
            counting = transition.counting
        else:
            later.append(transition)
    return [Transition(start, counting), *later]


def back_dated(
    transitions: list[Transition], start: int, prior: list[Transition]
) -> list[Transition]:
    """A cycle's transitions with its clock starting at ``start``, earlier than its own start,
    counting or paused from there as ``prior`` (the metric's
    :class:`~slaclock.progress.ClockRecord`) says the clock ran then: ServiceNow's retroactive
    pause. Before the first recorded instant the first recorded state holds; with nothing
    recorded before the cycle's own start, the span takes the cycle's first state.

    >>> own = [Transition(12, True), Transition(14, False)]  # attached at 12
    >>> back_dated(own, 9, [Transition(9, True), Transition(10, False), Transition(11, True)])
    [Transition(at=9, counting=True), Transition(at=10, counting=False), Transition(at=11, counting=True), Transition(at=14, counting=False)]
    >>> back_dated(own, 9, [Transition(12, False)])  # nothing recorded before 12: as without
    [Transition(at=9, counting=True), Transition(at=14, counting=False)]
    """
    own_start, own_counting = transitions[0]
    # Transitions sort by instant: (at,) is before every transition at ``at`` or later.
    end = bisect_left(prior, (own_start,))
    if not end:
        return [Transition(start, own_counting), *transitions[1:]]
    first = bisect_left(prior, (start + 1,), 0, end)  # the first recorded after start
    at_start = prior[first - 1 if first else 0].counting  # before any record, the first holds
    spliced = [Transition(start, at_start)]
    for at, counting in prior[first:end]:
        if counting != spliced[-1].counting:
            spliced.append(Transition(at, counting))
    if own_counting != spliced[-1].counting:
        spliced.append(transitions[0])
    return [*spliced, *transitions[1:]]
