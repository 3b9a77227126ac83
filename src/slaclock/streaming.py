"""The streaming clock: feed one ticket's events as they happen; store the state between events.

A :class:`TicketClock` is an immutable value: :meth:`TicketClock.add` returns a new clock. At
every step its :meth:`~TicketClock.result` is exactly what :func:`slaclock.evaluate` gives for
the events so far, and :meth:`~TicketClock.next_deadline` says when the next warning or breach
happens, so a helpdesk can schedule a job for that instant.

>>> from slaclock import Policy
>>> policy = Policy(name="p", metrics={"first_response": {"targets": {"normal": "1h"}}})
>>> clock = TicketClock(policy, ticket_id="T-1", attributes={"priority": "normal"})
>>> clock = clock.add({"at": "2025-01-06T09:00:00+00:00", "kind": "created"})
>>> clock.next_deadline()
Deadline(at=datetime.datetime(2025, 1, 6, 10, 0, tzinfo=TzInfo(0)), metric='first_response', cycle=0, kind='due', name='due')
>>> stored = clock.to_json()           # keep this between events
>>> clock = TicketClock.from_json(stored, policy)
>>> clock.add({"at": "2025-01-06T09:20:00+00:00", "kind": "agent_replied"}).result().first_response.state
'met'
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime
from typing import Any, Literal

from pydantic import AwareDatetime, BaseModel, ConfigDict

from slaclock._tz import check_aware, to_micros
from slaclock.engine import evaluate
from slaclock.errors import TimelineError
from slaclock.policy import Policy, PolicySet
from slaclock.results import TicketResult
from slaclock.timeline import Event, Timeline

__all__ = ["Deadline", "TicketClock"]


class Deadline(BaseModel):
    """An instant at which something happens to a running clock: its ``due`` instant, or a
    threshold (``kind="threshold"``, ``name`` the threshold's name).

    >>> from datetime import datetime, timezone
    >>> Deadline(at=datetime(2025, 1, 1, tzinfo=timezone.utc), metric="resolution", cycle=0,
    ...          kind="due", name="due").kind
    'due'
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    at: AwareDatetime
    metric: str
    cycle: int
    kind: Literal["due", "threshold"]
    name: str


class TicketClock:
    """One ticket's SLA clocks, fed event by event (immutable: :meth:`add` returns a new clock).

    >>> from slaclock.synthetic import DEFAULT_POLICY
    >>> clock = TicketClock(DEFAULT_POLICY, ticket_id="T-7", attributes={"priority": "high"})
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
        self._policy = policy
        self._ticket_id = ticket_id
        self._attributes = dict(attributes or {})
        self._events: tuple[Event, ...] = tuple(
            e if isinstance(e, Event) else Event.model_validate(e) for e in events
        )
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

    def add(self, event: Event | Mapping[str, Any]) -> TicketClock:
        """A new clock with ``event`` added (validated; an invalid event raises, nothing changes).

        The first event must be ``created``.
        """
        if not isinstance(event, Event):
            event = Event.model_validate(event)
        if self._timeline is None and event.kind != "created":
            raise TimelineError(
                f"first event of ticket {self._ticket_id!r} is {event.kind!r} - expected 'created'",
                value=event,
            )
        return TicketClock(self._policy, self._ticket_id, self._attributes, (*self.events, event))

    def result(self, as_of: datetime | None = None, *, explain: bool = False) -> TicketResult:
        """Exactly ``evaluate(policy, timeline, as_of)`` for the events so far."""
        return evaluate(self._policy, self.timeline, as_of, explain=explain)

    def next_deadline(self, after: datetime | None = None) -> Deadline | None:
        """The first due instant or threshold of a running cycle strictly after ``after``
        (default: the last event's instant), or ``None`` when nothing is scheduled.

        Paused, stopped and cancelled cycles schedule nothing (a paused cycle's due instant is
        unknown until it resumes). A threshold is reached *at* its instant; a cycle turns
        ``overdue`` just *after* its due instant (a reply at the due instant is on time), so a
        job scheduled for a ``due`` deadline sees the breach when it evaluates as of any later
        instant (or sees ``remaining == 0`` at the instant itself).
        """
        if self._timeline is None:
            return None
        if after is None:
            after = self._timeline.events[-1].at
        check_aware(after, "after")
        result = self.result(after)
        # Instants compared as integers (datetimes sharing a tzinfo compare by wall clock).
        after_micros = to_micros(after)
        upcoming: list[tuple[int, Deadline]] = []
        for metric in result.metrics.values():
            for cycle in metric.cycles:
                if cycle.state not in ("running", "overdue"):
                    continue
                points: list[tuple[datetime | None, Literal["due", "threshold"], str]] = [
                    (cycle.due_at, "due", "due"),
                    *((t.at, "threshold", t.name) for t in cycle.thresholds),
                ]
                for at, kind, name in points:
                    if at is not None and to_micros(at) > after_micros:
                        deadline = Deadline(
                            at=at, metric=metric.name, cycle=cycle.index, kind=kind, name=name
                        )
                        upcoming.append((to_micros(at), deadline))
        if not upcoming:
            return None
        return min(upcoming, key=lambda pair: pair[0])[1]

    def to_json(self) -> dict[str, Any]:
        """The clock's state as plain JSON data (the policy is not included: store it once).

        >>> from slaclock.synthetic import DEFAULT_POLICY
        >>> TicketClock(DEFAULT_POLICY, ticket_id="T-7").to_json()
        {'ticket_id': 'T-7', 'attributes': {}, 'events': []}
        """
        return {
            "ticket_id": self._ticket_id,
            "attributes": self._attributes,
            "events": [
                e.model_dump(mode="json", exclude_none=True)
                for e in (self._timeline.events if self._timeline else ())
            ],
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any], policy: Policy | PolicySet) -> TicketClock:
        """The clock :meth:`to_json` stored, evaluated with ``policy``."""
        return cls(
            policy,
            ticket_id=data["ticket_id"],
            attributes=data.get("attributes") or {},
            events=data.get("events") or (),
        )

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, TicketClock):
            return NotImplemented
        return (self._policy, self._ticket_id, self._attributes, self.events) == (
            other._policy,
            other._ticket_id,
            other._attributes,
            other.events,
        )

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        return f"TicketClock(ticket_id={self._ticket_id!r}, events={len(self.events)})"
