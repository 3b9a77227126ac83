"""The full-history streaming clock: keeps every event, so every operation works.

A :class:`FullHistoryClock` takes events in any order (late ones too), follows any change of
policy, and answers as of any instant, by evaluating all its events again: O(n) per event for a
ticket of n events, and its stored state is the event list. Use it where the incremental
:class:`~slaclock.streaming.TicketClock` raises :class:`~slaclock.HistoryNeededError`;
:meth:`FullHistoryClock.compact` turns it into one.

>>> from slaclock.synthetic import DEFAULT_POLICY
>>> clock = FullHistoryClock(DEFAULT_POLICY, "T-1", {"priority": "high"}).add(
...     {"at": "2025-03-10T10:00:00-04:00", "kind": "created"})
>>> clock = clock.add({"at": "2025-03-10T10:30:00-04:00", "kind": "agent_replied"})
>>> late = clock.add({"at": "2025-03-10T10:10:00-04:00", "kind": "note_added"})  # arrived late
>>> print(*(event.kind for event in late.events))
created note_added agent_replied
"""

from __future__ import annotations

import warnings
from collections.abc import Iterable, Mapping
from datetime import datetime
from typing import Any, Literal

from slaclock._clock_state import event_data, history_state, opened, sealed, state_header
from slaclock._tz import check_in_range
from slaclock.engine import evaluate
from slaclock.errors import TimelineError
from slaclock.policy import Policy, PolicySet, as_policy
from slaclock.results import TicketResult
from slaclock.streaming import (
    NEXT_DEADLINE_DOC,
    RENAMED,
    Deadline,
    TicketClock,
    first_deadline_after,
    given_events,
)
from slaclock.timeline import Event, Timeline, ticket_identity

__all__ = ["FullHistoryClock"]


class FullHistoryClock:
    """One ticket's SLA clocks, keeping every event (immutable: :meth:`add` returns a new clock).

    Every operation works: events may arrive late (out of order), the policy may change in any
    way, and :meth:`result` answers as of any instant. ``add`` and ``result`` replay every event
    so far (O(n) for a ticket of n events), and the stored state is the event list.

    >>> from slaclock.synthetic import DEFAULT_POLICY
    >>> clock = FullHistoryClock(DEFAULT_POLICY, ticket_id="T-7", attributes={"priority": "high"})
    >>> clock.events
    ()
    """

    __slots__ = ("_attributes", "_events", "_policy", "_ticket_id", "_timeline")

    def __init__(
        self,
        policy: Policy | PolicySet,
        ticket_id: str,
        attributes: Mapping[str, Any] | None = None,
        events: Iterable[Event | Mapping[str, Any]] = (),
    ) -> None:
        self._policy = as_policy(policy)
        self._ticket_id, self._attributes = ticket_identity(ticket_id, attributes)
        self._events: tuple[Event, ...] = tuple(given_events(self._ticket_id, events))
        self._timeline: Timeline | None = None
        if self._events:
            self._timeline = Timeline(
                ticket_id=ticket_id, attributes=self._attributes, events=self._events
            )

    @property
    def policy(self) -> Policy | PolicySet:
        """The policy (or policy set) the clock evaluates with."""
        return self._policy

    @property
    def ticket_id(self) -> str:
        """The ticket's id."""
        return self._ticket_id

    @property
    def events(self) -> tuple[Event, ...]:
        """The events so far, in time order (as the timeline orders them)."""
        return self._timeline.events if self._timeline is not None else ()

    @property
    def timeline(self) -> Timeline:
        """The ticket's timeline so far (an error before the ``created`` event)."""
        if self._timeline is None:
            raise TimelineError(
                f"ticket {self._ticket_id!r} has no events yet - expected a 'created' event first",
                value=self._ticket_id,
            )
        return self._timeline

    def add(self, event: Event | Mapping[str, Any]) -> FullHistoryClock:
        """A new clock with ``event`` added (validated; an invalid event raises, nothing changes).

        The first event must be ``created``; later events may come in any order.
        """
        if not isinstance(event, Event):
            event = Event.model_validate(event)
        if self._timeline is None and event.kind != "created":
            raise TimelineError(
                f"first event of ticket {self._ticket_id!r} is {event.kind!r} - expected 'created'",
                value=event,
            )
        return FullHistoryClock(
            self._policy, self._ticket_id, self._attributes, (*self.events, event)
        )

    def result(self, as_of: datetime | None = None, *, explain: bool = False) -> TicketResult:
        """Exactly ``evaluate(policy, timeline, as_of)`` for the events so far."""
        return evaluate(self._policy, self.timeline, as_of, explain=explain)

    def next_deadline(self, after: datetime | None = None) -> Deadline | None:
        if self._timeline is None:
            return None
        if after is None:
            after = self._timeline.events[-1].at
        check_in_range(after, "after")
        return first_deadline_after(self.result(after), after)

    next_deadline.__doc__ = NEXT_DEADLINE_DOC

    def compact(self) -> TicketClock:
        """The incremental :class:`TicketClock` for the same events (replayed once).

        >>> from slaclock.synthetic import DEFAULT_POLICY
        >>> full = FullHistoryClock(DEFAULT_POLICY, "T-7", {"priority": "high"}).add(
        ...     {"at": "2025-03-10T09:00:00-04:00", "kind": "created"})
        >>> full.compact().result() == full.result()
        True
        """
        return TicketClock(self._policy, self._ticket_id, self._attributes, self.events)

    def to_dict(self) -> dict[str, Any]:
        """The clock's state as plain JSON data (the policy is not included: store it once;
        its name, version and content digest are, and checked on loading).

        >>> from slaclock.synthetic import DEFAULT_POLICY
        >>> state = FullHistoryClock(DEFAULT_POLICY, ticket_id="T-7").to_dict()
        >>> state["format"], state["format_version"], state["clock"], state["events"]
        ('slaclock.clock', 1, 'full-history', [])
        """
        body = {
            **state_header("full-history", self._policy),
            "ticket_id": self._ticket_id,
            "attributes": self._attributes,
            "events": [event_data(e) for e in self.events],
        }
        return sealed(body)

    @classmethod
    def from_dict(
        cls,
        data: Mapping[str, Any] | str | bytes,
        policy: Policy | PolicySet,
        *,
        policy_changed: Literal["error", "replay"] = "error",
    ) -> FullHistoryClock:
        """The clock :meth:`to_dict` stored (also as JSON text), evaluated with ``policy``.

        State stored under another policy (or policy version) is an error unless
        ``policy_changed="replay"``: this clock keeps every event, so evaluating them again
        under the new policy is a valid migration. The unversioned state of slaclock 0.1
        (``ticket_id``, ``attributes``, ``events``) is read as such a replay.
        """
        policy = as_policy(policy)
        state = opened(data)
        ticket_id, attributes, events = history_state(
            state, policy, check_policy=policy_changed == "error"
        )
        return cls(policy, ticket_id, attributes, events)

    def to_json(self) -> dict[str, Any]:
        """Deprecated: use :meth:`to_dict` (it returns a dict, not JSON text).

        >>> from slaclock.synthetic import DEFAULT_POLICY
        >>> import warnings
        >>> with warnings.catch_warnings():
        ...     warnings.simplefilter("ignore", DeprecationWarning)
        ...     FullHistoryClock(DEFAULT_POLICY, ticket_id="T-7").to_json()["clock"]
        'full-history'
        """
        warnings.warn(RENAMED.format(old="to_json", new="to_dict"), DeprecationWarning, 2)
        return self.to_dict()

    @classmethod
    def from_json(cls, data: Mapping[str, Any], policy: Policy | PolicySet) -> FullHistoryClock:
        """Deprecated: use :meth:`from_dict`."""
        warnings.warn(RENAMED.format(old="from_json", new="from_dict"), DeprecationWarning, 2)
        return cls.from_dict(data, policy)

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, FullHistoryClock):
            return NotImplemented
        return (self._policy, self._ticket_id, self._attributes, self.events) == (
            other._policy,
            other._ticket_id,
            other._attributes,
            other.events,
        )

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        return f"FullHistoryClock(ticket_id={self._ticket_id!r}, events={len(self.events)})"
