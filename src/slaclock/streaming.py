"""Streaming clocks: feed one ticket's events as they happen; store the state between events.

Two clocks, both immutable values (``add`` returns a new clock) whose
:meth:`~TicketClock.result` is exactly what :func:`slaclock.evaluate` gives for the events so
far, and whose :meth:`~TicketClock.next_deadline` says when the next warning or breach happens:

- :class:`TicketClock`, the incremental clock: ``add`` replays only the new event on the state
  the clock keeps (each metric's cycles), and the stored state grows with the cycles, not with
  the events. It keeps no list of past events, so it cannot take an event earlier than its last
  one, nor a policy change that measures a metric from the ticket's start, nor answer as of an
  instant before its last event: those raise :class:`HistoryNeededError`, naming the event.
- :class:`FullHistoryClock` keeps every event and evaluates them all again: every operation
  works (late events, any policy change, any ``as_of``), at a cost that grows with the ticket.

The stored form (:meth:`~TicketClock.to_dict`) is plain JSON data that names its format and
version, the clock kind, and the policies it was built with; loading it checks all of them and
a checksum, and rejects anything else with a :class:`ClockStateError`.

>>> from slaclock import Policy
>>> policy = Policy(name="p", metrics={"first_response": {"targets": {"normal": "1h"}}})
>>> clock = TicketClock(policy, ticket_id="T-1", attributes={"priority": "normal"})
>>> clock = clock.add({"at": "2025-01-06T09:00:00+00:00", "kind": "created"})
>>> clock.next_deadline()
Deadline(at=datetime.datetime(2025, 1, 6, 10, 0, tzinfo=TzInfo(0)), metric='first_response', cycle=0, kind='due', name='due')
>>> stored = clock.to_dict()           # keep this between events (plain JSON data)
>>> clock = TicketClock.from_dict(stored, policy)
>>> clock.add({"at": "2025-01-06T09:20:00+00:00", "kind": "agent_replied"}).result().first_response.state
'met'
"""

from __future__ import annotations

import hashlib
import json
import warnings
from collections.abc import Iterable, Mapping
from datetime import datetime, timedelta, timezone, tzinfo
from typing import Any, Literal
from zoneinfo import ZoneInfo

from pydantic import AwareDatetime, BaseModel, ConfigDict, ValidationError

from slaclock._tz import check_aware, to_micros
from slaclock.engine import evaluate
from slaclock.errors import SlaclockError, TimelineError
from slaclock.measure import DisplayInstants, Measuring, display_zone, measure_cycle
from slaclock.policy import Policy, PolicySet
from slaclock.replay import (
    CycleContext,
    HistoryNeededError,
    MetricProgress,
    ReplayedCycle,
    TicketFacts,
    TicketReplay,
    Transition,
)
from slaclock.results import MetricResult, TicketResult, construct
from slaclock.timeline import Event, Timeline

__all__ = [
    "STATE_FORMAT",
    "STATE_VERSION",
    "ClockStateError",
    "Deadline",
    "FullHistoryClock",
    "HistoryNeededError",
    "TicketClock",
]

#: The ``format`` every stored clock names, and the version of that format this code writes.
STATE_FORMAT = "slaclock.clock"
STATE_VERSION = 1


class ClockStateError(SlaclockError, ValueError):
    """Stored clock state that cannot be loaded: not clock state, another format version, built
    with another policy (or policy version), a different clock kind, or tampered or truncated.

    >>> TicketClock.from_dict({"format": "slaclock.clock"}, Policy(name="p", metrics={"resolution": {}}))
    Traceback (most recent call last):
    ...
    slaclock.streaming.ClockStateError: clock state: 'format_version' is missing - expected state written by to_dict() (truncated?)
    """


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


def _next_deadline(result: TicketResult, after: datetime) -> Deadline | None:
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


_NEXT_DEADLINE_DOC = """The first due instant or threshold of a running cycle strictly after
        ``after`` (default: the last event's instant), or ``None`` when nothing is scheduled.

        Paused, stopped and cancelled cycles schedule nothing (a paused cycle's due instant is
        unknown until it resumes). A threshold is reached *at* its instant; a cycle turns
        ``overdue`` just *after* its due instant (a reply at the due instant is on time), so a
        job scheduled for a ``due`` deadline sees the breach when it evaluates as of any later
        instant (or sees ``remaining == 0`` at the instant itself)."""


# ----------------------------------------------------------------------------------------------
# The full-history clock
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
        check_aware(after, "after")
        return _next_deadline(self.result(after), after)

    next_deadline.__doc__ = _NEXT_DEADLINE_DOC

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
            **_header("full-history", self._policy),
            "ticket_id": self._ticket_id,
            "attributes": self._attributes,
            "events": [_event_data(e) for e in self.events],
        }
        return _sealed(body)

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
        state = _opened(data)
        if "format" not in state and {"ticket_id", "events"} <= set(state):
            return cls(  # slaclock 0.1's unversioned state: its events, replayed
                policy,
                _field(state, "ticket_id", str),
                _field(state, "attributes", dict, {}),
                _events(_field(state, "events", list)),
            )
        state = _checked(state, "full-history", policy, check_policy=policy_changed == "error")
        return cls(
            policy,
            _field(state, "ticket_id", str),
            _field(state, "attributes", dict),
            _events(_field(state, "events", list)),
        )

    def to_json(self) -> dict[str, Any]:
        """Deprecated: use :meth:`to_dict` (it returns a dict, not JSON text).

        >>> from slaclock.synthetic import DEFAULT_POLICY
        >>> import warnings
        >>> with warnings.catch_warnings():
        ...     warnings.simplefilter("ignore", DeprecationWarning)
        ...     FullHistoryClock(DEFAULT_POLICY, ticket_id="T-7").to_json()["clock"]
        'full-history'
        """
        warnings.warn(_RENAMED.format(old="to_json", new="to_dict"), DeprecationWarning, 2)
        return self.to_dict()

    @classmethod
    def from_json(cls, data: Mapping[str, Any], policy: Policy | PolicySet) -> FullHistoryClock:
        """Deprecated: use :meth:`from_dict`."""
        warnings.warn(_RENAMED.format(old="from_json", new="from_dict"), DeprecationWarning, 2)
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


_RENAMED = "{old}() is deprecated and will be removed in slaclock 0.3 - use {new}()"


# ----------------------------------------------------------------------------------------------
# The incremental clock
class TicketClock:
    """One ticket's SLA clocks, fed event by event, keeping only what the next event needs.

    Immutable: :meth:`add` returns a new clock. ``add`` applies the one event to the kept state
    (each metric's cycles, the ticket's status and attributes): its cost does not grow with the
    ticket's past events. Needs history, so raises :class:`HistoryNeededError` (use a
    :class:`FullHistoryClock` for these): an event earlier than the last one added, a policy of
    a set coming into force that measures a metric the previous policy did not (it is measured
    from the ticket's start), and :meth:`result` as of an instant before the last event.

    >>> from slaclock.synthetic import DEFAULT_POLICY
    >>> clock = TicketClock(DEFAULT_POLICY, ticket_id="T-7", attributes={"priority": "high"})
    >>> clock.event_count
    0
    """

    __slots__ = (
        "_attributes",
        "_count",
        "_created_at",
        "_created_zone",
        "_last",
        "_last_events",
        "_policy",
        "_replay",
        "_ticket_id",
    )

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
        self._replay: TicketReplay | None = None
        self._count = 0
        self._last: Event | None = None
        self._last_events: tuple[Event, ...] = ()  # the events at the last instant
        self._created_zone: tzinfo | None = None
        self._created_at = 0  # the created event's instant (UTC microseconds)
        given = [e if isinstance(e, Event) else Event.model_validate(e) for e in events]
        if given:
            # Validated and ordered as a timeline, replayed once with the history a policy
            # change may need; then the history is dropped.
            timeline = Timeline(ticket_id=ticket_id, attributes=self._attributes, events=given)
            replay = TicketReplay(policy, self._attributes)
            try:
                replay.replay_events(timeline.events, timeline.instants, timeline.instants[-1])
            except SlaclockError as exc:
                exc.args = (f"ticket {ticket_id!r}: {exc}", *exc.args[1:])
                raise
            replay.history = None
            last = timeline.instants[-1]
            self._replay = replay
            self._count = len(timeline.events)
            self._last = timeline.events[-1]
            self._last_events = tuple(
                e for e, t in zip(timeline.events, timeline.instants) if t == last
            )
            self._created_zone = timeline.events[0].at.tzinfo
            self._created_at = timeline.instants[0]

    @property
    def policy(self) -> Policy | PolicySet:
        """The policy (or policy set) the clock evaluates with."""
        return self._policy

    @property
    def ticket_id(self) -> str:
        """The ticket's id."""
        return self._ticket_id

    @property
    def event_count(self) -> int:
        """How many events the clock has taken (re-sent duplicates not counted)."""
        return self._count

    @property
    def last_event_at(self) -> datetime | None:
        """The instant of the last event added (``None`` before ``created``)."""
        return None if self._last is None else self._last.at

    def add(self, event: Event | Mapping[str, Any]) -> TicketClock:
        """A new clock with ``event`` applied (validated; an invalid event raises, nothing
        changes). The first event must be ``created``; each later one at or after the last.

        An event re-sent with the same ``id`` and content at the last instant is ignored; the
        same ``id`` with other content is an error.
        """
        if not isinstance(event, Event):
            event = Event.model_validate(event)
        t = to_micros(event.at)
        replay = self._replay
        if replay is None or self._last is None:
            if event.kind != "created":
                raise TimelineError(
                    f"first event of ticket {self._ticket_id!r} is {event.kind!r} - expected "
                    "'created'",
                    value=event,
                )
            replay = TicketReplay(self._policy, self._attributes, keep_history=False)
            last_events: tuple[Event, ...] = ()
        else:
            last = to_micros(self._last.at)
            if t < last:
                raise HistoryNeededError(
                    f"ticket {self._ticket_id!r}: event {_described(event)} is earlier than the "
                    f"clock's last event at {_iso(self._last.at)} - the incremental clock keeps "
                    "no past events to insert it among; use a FullHistoryClock for late events",
                    value=event,
                )
            if event.kind == "created":
                raise TimelineError(
                    f"ticket {self._ticket_id!r} has 2 'created' events - expected exactly one",
                    value=event,
                )
            last_events = self._last_events if t == last else ()
            if event.id is not None:
                for earlier in last_events:
                    if earlier.id == event.id:
                        if earlier == event:
                            return self  # a harmless re-send
                        raise TimelineError(
                            f"event id {event.id!r} is used twice with different content: "
                            f"{_described(earlier)} and {_described(event)} - expected one "
                            "content per id",
                            value=event.id,
                        )
            replay = replay.copy_for(event)
        try:
            replay.replay_events((event,), (t,), t, self._count)
        except SlaclockError as exc:
            exc.args = (f"ticket {self._ticket_id!r}: {exc}", *exc.args[1:])
            raise
        clock = object.__new__(TicketClock)
        clock._policy = self._policy
        clock._ticket_id = self._ticket_id
        clock._attributes = self._attributes
        clock._replay = replay
        clock._count = self._count + 1
        clock._last = event
        clock._last_events = (*last_events, event)
        clock._created_zone = self._created_zone if self._created_zone else event.at.tzinfo
        clock._created_at = self._created_at if self._created_zone else t
        return clock

    def result(self, as_of: datetime | None = None, *, explain: bool = False) -> TicketResult:
        """Exactly ``evaluate(policy, timeline, as_of)`` for the events so far; ``as_of``
        (default: the last event's instant) must not be before the last event."""
        replay, last = self._replay, self._last
        if replay is None or last is None:
            raise TimelineError(
                f"ticket {self._ticket_id!r} has no events yet - expected a 'created' event first",
                value=self._ticket_id,
            )
        if as_of is None:
            as_of = last.at
        as_of_micros = to_micros(check_aware(as_of, "as_of"))
        if as_of_micros < to_micros(last.at):
            raise HistoryNeededError(
                f"ticket {self._ticket_id!r}: as_of {_iso(as_of)} is before the clock's last "
                f"event at {_iso(last.at)} - the incremental clock keeps no past events to "
                "leave out; use a FullHistoryClock to look back",
                value=as_of,
            )
        assert self._created_zone is not None
        try:
            zone = display_zone(replay.policy, replay.attributes, self._created_zone)
            measuring = Measuring(as_of_micros, DisplayInstants(zone), explain)
            metrics: dict[str, MetricResult] = {}
            for name, progress in replay.reported_metrics():
                cycles = tuple(
                    measure_cycle(name, i, cycle, measuring)
                    for i, cycle in enumerate(progress.cycles)
                )
                metrics[name] = construct(MetricResult, {"name": name, "cycles": cycles})
        except SlaclockError as exc:
            exc.args = (f"ticket {self._ticket_id!r}: {exc}", *exc.args[1:])
            raise
        policy = replay.policy
        facts = replay.facts
        solved_at, closed_at = facts.solved_at, facts.closed_at
        shown = measuring.shown
        return construct(  # the fields evaluate() gives (engine.py), from the kept state
            TicketResult,
            {
                "ticket_id": self._ticket_id,
                "policy": None if policy is None else policy.name,
                "policy_version": None if policy is None else policy.version,
                "as_of": as_of,
                "metrics": metrics,
                "ignored_events": 0,
                "attributes": dict(sorted(replay.attributes.items())),
                "created_at": shown[self._created_at],
                "status": facts.status,
                "solved_at": None if solved_at is None else shown[solved_at],
                "closed_at": None if closed_at is None else shown[closed_at],
                "public_agent_replies": facts.public_agent_replies,
                "reopens": facts.reopens,
            },
        )

    def next_deadline(self, after: datetime | None = None) -> Deadline | None:
        if self._last is None:
            return None
        if after is None:
            after = self._last.at
        check_aware(after, "after")
        # Before the last event, the clock as it stands after it (it keeps no past events).
        as_of = after if to_micros(after) >= to_micros(self._last.at) else self._last.at
        return _next_deadline(self.result(as_of), after)

    next_deadline.__doc__ = (
        _NEXT_DEADLINE_DOC
        + """

        For this incremental clock, an ``after`` before the last event asks about the clock as
        it stands after that event (it keeps no past events to leave out)."""
    )

    def to_dict(self) -> dict[str, Any]:
        """The clock's state as plain JSON data: each metric's cycles, the ticket's status and
        attributes, and the last event (not the policy: store it once; its name, version and
        content digest are stored, and checked on loading).

        >>> from slaclock.synthetic import DEFAULT_POLICY
        >>> state = TicketClock(DEFAULT_POLICY, ticket_id="T-7").to_dict()
        >>> state["format"], state["format_version"], state["clock"], state["events"]
        ('slaclock.clock', 1, 'incremental', 0)
        """
        body: dict[str, Any] = {
            **_header("incremental", self._policy),
            "ticket_id": self._ticket_id,
            "attributes": self._attributes,
            "events": self._count,
        }
        replay = self._replay
        if replay is not None and self._last is not None:
            contexts: list[list[Any]] = []
            numbers: dict[int, int] = {}

            def number(context: CycleContext) -> int:
                found = numbers.get(id(context))
                if found is None:
                    found = numbers[id(context)] = len(contexts)
                    contexts.append([context.policy.name, dict(context.attributes)])
                return found

            metrics = [
                [
                    name,
                    progress.started_after,
                    progress.event_paused,
                    progress.open is not None,
                    [
                        [
                            cycle.start,
                            number(cycle.start_context),
                            number(cycle.context),
                            [[at, counting] for at, counting in cycle.transitions],
                            cycle.events,
                            cycle.end,
                            cycle.cancelled,
                        ]
                        for cycle in progress.cycles
                    ],
                ]
                for name, progress in replay.progress.items()
            ]
            assert self._created_zone is not None
            body["replay"] = {
                "facts": list(replay.facts),
                "created_at": self._created_at,
                "attributes": replay.attributes,
                "policy": None if replay.policy is None else replay.policy.name,
                "created_zone": _zone_data(self._created_zone),
                "last_events": [_event_data(e) for e in self._last_events],
                "contexts": contexts,
                "metrics": metrics,
            }
        return _sealed(body)

    @classmethod
    def from_dict(
        cls, data: Mapping[str, Any] | str | bytes, policy: Policy | PolicySet
    ) -> TicketClock:
        """The clock :meth:`to_dict` stored (also as JSON text), going on with ``policy``.

        State stored under another policy, policy version or policy content is an error
        (:class:`ClockStateError`): this clock's cycles were shaped by that policy, and it keeps
        no events to replay. Rebuild it from the ticket's events (``TicketClock(policy, id,
        attributes, events)``). Full-history state (and slaclock 0.1's unversioned state) is
        read by replaying its events.
        """
        state = _opened(data)
        if state.get("clock") == "full-history" or ("format" not in state and "events" in state):
            return FullHistoryClock.from_dict(state, policy).compact()
        state = _checked(state, "incremental", policy, check_policy=True)
        clock = cls(policy, _field(state, "ticket_id", str), _field(state, "attributes", dict))
        count = _field(state, "events", int)
        replay_data = state.get("replay")
        if count == 0 and replay_data is None:
            return clock
        if count < 1 or not isinstance(replay_data, dict):
            raise ClockStateError(
                f"clock state: events={count!r} and replay={replay_data!r:.40} do not agree - "
                "expected state written by to_dict()",
                value=count,
            )
        try:
            # Validated from JSON text: strict, and arrays read as the tuples they stand for.
            parsed = _ReplayState.model_validate_json(_canonical(replay_data))
            _restore(clock, policy, count, parsed)
        except ClockStateError:
            raise
        except SlaclockError as exc:  # e.g. stored attributes no policy can select with
            raise ClockStateError(f"clock state: {exc}", value=exc.value) from None
        except ValidationError as exc:
            raise ClockStateError(
                f"clock state: replay is malformed: {_first_error(exc)} - expected state "
                "written by to_dict()",
                value=replay_data,
            ) from None
        return clock

    def to_json(self) -> dict[str, Any]:
        """Deprecated: use :meth:`to_dict` (it returns a dict, not JSON text).

        >>> from slaclock.synthetic import DEFAULT_POLICY
        >>> import warnings
        >>> with warnings.catch_warnings():
        ...     warnings.simplefilter("ignore", DeprecationWarning)
        ...     TicketClock(DEFAULT_POLICY, ticket_id="T-7").to_json()["clock"]
        'incremental'
        """
        warnings.warn(_RENAMED.format(old="to_json", new="to_dict"), DeprecationWarning, 2)
        return self.to_dict()

    @classmethod
    def from_json(cls, data: Mapping[str, Any], policy: Policy | PolicySet) -> TicketClock:
        """Deprecated: use :meth:`from_dict`."""
        warnings.warn(_RENAMED.format(old="from_json", new="from_dict"), DeprecationWarning, 2)
        return cls.from_dict(data, policy)

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, TicketClock):
            return NotImplemented
        return self._policy == other._policy and self.to_dict() == other.to_dict()

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        return f"TicketClock(ticket_id={self._ticket_id!r}, events={self._count})"


# ----------------------------------------------------------------------------------------------
# The stored form
class _ReplayState(BaseModel):
    """The shape of an incremental clock's replay state (checked on loading)."""

    model_config = ConfigDict(frozen=True, extra="forbid", strict=True)

    # [status, solved_at, closed_at, public agent replies, reopens] (see TicketFacts)
    facts: tuple[str, int | None, int | None, int, int]
    created_at: int
    attributes: dict[str, Any]
    policy: str | None
    created_zone: dict[str, Any]
    last_events: list[dict[str, Any]]
    contexts: list[tuple[str, dict[str, Any]]]
    # [name, started_after, event_paused, open, cycles]; each cycle is
    # [start, start context, context, transitions [[at, counting]], event positions, end, cancelled]
    metrics: list[
        tuple[
            str,
            bool,
            bool,
            bool,
            list[tuple[int, int, int, list[tuple[int, bool]], list[int], int | None, bool]],
        ]
    ]


def _restore(
    clock: TicketClock, policy: Policy | PolicySet, count: int, state: _ReplayState
) -> None:
    """Fill ``clock`` from checked replay state, validating what the shape cannot say."""
    policies = {p.name: p for p in ((policy,) if isinstance(policy, Policy) else policy.policies)}

    def known_policy(name: str) -> Policy:
        found = policies.get(name)
        if found is None:
            raise ClockStateError(
                f"clock state names policy {name!r} - expected one of {sorted(policies)}",
                value=name,
            )
        return found

    contexts = [CycleContext(known_policy(name), attributes) for name, attributes in state.contexts]
    for context in contexts:
        _check_context(context)
    progress: dict[str, MetricProgress] = {}
    for name, started_after, event_paused, is_open, cycles in state.metrics:
        if name in progress:
            raise ClockStateError(f"clock state lists metric {name!r} twice", value=name)
        replayed: list[ReplayedCycle] = []
        for start, first, current, transitions, positions, end, cancelled in cycles:
            if not (0 <= first < len(contexts) and 0 <= current < len(contexts)):
                raise ClockStateError(
                    f"clock state: metric {name!r} cycle refers to context {max(first, current)} "
                    f"of {len(contexts)} - expected state written by to_dict()",
                    value=name,
                )
            for context in (contexts[first], contexts[current]):
                if name not in context.policy.metrics:
                    raise ClockStateError(
                        f"clock state: a cycle of metric {name!r} is measured by policy "
                        f"{context.policy.name!r}, which has no such metric - expected one of "
                        f"{sorted(context.policy.metrics)}",
                        value=name,
                    )
            ats = [at for at, _ in transitions]
            for instant in (start, *ats, *(() if end is None else (end,))):
                if not _FIRST_INSTANT <= instant <= _LAST_INSTANT:
                    raise ClockStateError(
                        f"clock state: metric {name!r} has instant {instant} outside the years "
                        "1-9999 - expected state written by to_dict()",
                        value=instant,
                    )
            if (
                not transitions
                or ats[0] != start
                or ats != sorted(ats)
                or not positions
                or positions != sorted(positions)
                or not 0 <= positions[0] <= positions[-1] < count
                or (end is not None and end < ats[-1])
            ):
                raise ClockStateError(
                    f"clock state: metric {name!r} has a malformed cycle starting at {start} - "
                    "expected ascending transitions from its start and event positions below "
                    f"{count}",
                    value=name,
                )
            replayed.append(
                ReplayedCycle(
                    start,
                    contexts[first],
                    contexts[current],
                    [Transition(at, counting) for at, counting in transitions],
                    list(positions),
                    end,
                    cancelled,
                )
            )
        if is_open and (not replayed or replayed[-1].end is not None):
            raise ClockStateError(
                f"clock state: metric {name!r} is open without an open last cycle", value=name
            )
        progress[name] = MetricProgress(
            replayed, replayed[-1] if is_open else None, started_after, event_paused
        )
    in_force = None if state.policy is None else known_policy(state.policy)
    if isinstance(policy, Policy) and in_force is not policy:
        raise ClockStateError("clock state: no policy in force under a single policy")
    try:
        last_events = tuple(_events(state.last_events))
        zone = _zone(state.created_zone)
    except (ValidationError, ValueError, KeyError, TypeError) as exc:
        raise ClockStateError(
            f"clock state: unreadable last events or zone: {exc} - expected state written by "
            "to_dict()",
            value=state.last_events,
        ) from None
    if not last_events or len({to_micros(e.at) for e in last_events}) != 1:
        raise ClockStateError(
            "clock state: last_events must hold the events at the last instant", value=count
        )
    status, solved_at, closed_at, replies, reopens = state.facts
    for instant in (state.created_at, solved_at, closed_at):
        if instant is not None and not _FIRST_INSTANT <= instant <= _LAST_INSTANT:
            raise ClockStateError(
                f"clock state: instant {instant} outside the years 1-9999", value=instant
            )
    if replies < 0 or reopens < 0:
        raise ClockStateError(
            f"clock state: negative counts {replies}, {reopens} - expected counts of events",
            value=state.facts,
        )
    facts = TicketFacts(status, solved_at, closed_at, replies, reopens)
    replay = TicketReplay.restored(policy, state.attributes, in_force, progress, facts)
    replay.check_priority()
    if replay.context is not None:
        _check_context(replay.context)
    clock._replay = replay
    clock._count = count
    clock._last = last_events[-1]
    clock._last_events = last_events
    clock._created_zone = zone
    clock._created_at = state.created_at


_FIRST_INSTANT = to_micros(datetime(1, 1, 2, tzinfo=timezone.utc))
_LAST_INSTANT = to_micros(datetime(9999, 12, 30, tzinfo=timezone.utc))


def _check_context(context: CycleContext) -> None:
    """The attributes that pick a cycle's target and calendar hold values a ticket can have."""
    policy, attributes = context.policy, context.attributes
    for key in ("priority", policy.calendar_attribute):
        if key is None:
            continue
        value = attributes.get(key)
        if value is not None and (not isinstance(value, (str, int)) or isinstance(value, bool)):
            raise ClockStateError(
                f"clock state: attribute {key}={value!r:.40} - expected a string", value=value
            )


def _policy_identity(policy: Policy | PolicySet) -> list[list[str | None]]:
    """[name, version, content digest] of each policy: what a stored clock was built with."""
    policies = (policy,) if isinstance(policy, Policy) else policy.policies
    return [[p.name, p.version, p.derived("state_digest", _digest_policy)] for p in policies]


def _digest_policy(policy: Policy) -> str:
    # Defaults excluded: a later slaclock adding a field with a default keeps the digest.
    data = policy.model_dump(mode="json", exclude_defaults=True)
    return hashlib.sha256(_canonical(data)).hexdigest()[:16]


def _canonical(data: Any) -> bytes:
    return json.dumps(data, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def _header(kind: str, policy: Policy | PolicySet) -> dict[str, Any]:
    return {
        "format": STATE_FORMAT,
        "format_version": STATE_VERSION,
        "clock": kind,
        "policies": _policy_identity(policy),
    }


def _sealed(body: dict[str, Any]) -> dict[str, Any]:
    try:
        digest = hashlib.sha256(_canonical(body)).hexdigest()
    except (TypeError, ValueError) as exc:
        raise ClockStateError(
            f"clock state is not JSON data: {exc} - expected attribute values that JSON can hold",
            value=body.get("ticket_id"),
        ) from None
    return {**body, "checksum": digest}


def _opened(data: Mapping[str, Any] | str | bytes) -> dict[str, Any]:
    if isinstance(data, (str, bytes)):
        text = data
        try:
            data = json.loads(text)
        except (ValueError, RecursionError) as exc:
            raise ClockStateError(
                f"clock state is not JSON text: {exc} - expected the text of to_dict() "
                "(truncated?)",
                value=text[:80],
            ) from None
    if not isinstance(data, Mapping):
        raise ClockStateError(
            f"clock state: {type(data).__name__} {data!r:.60} - expected the mapping to_dict() "
            "returns",
            value=data,
        )
    return dict(data)


def _checked(
    state: dict[str, Any], kind: str, policy: Policy | PolicySet, *, check_policy: bool
) -> dict[str, Any]:
    """``state`` after checking its format, version, checksum, clock kind and policies."""
    if state.get("format") != STATE_FORMAT:
        raise ClockStateError(
            f"clock state: format {state.get('format')!r} - expected {STATE_FORMAT!r} "
            "(state written by to_dict())",
            value=state.get("format"),
        )
    version = _field(state, "format_version", int)
    if version != STATE_VERSION:
        raise ClockStateError(
            f"clock state: format version {version} - this slaclock reads version "
            f"{STATE_VERSION}"
            + (" (written by a newer slaclock?)" if version > STATE_VERSION else ""),
            value=version,
        )
    checksum = _field(state, "checksum", str)
    body = {k: v for k, v in state.items() if k != "checksum"}
    try:
        actual = hashlib.sha256(_canonical(body)).hexdigest()
    except (TypeError, ValueError, RecursionError):
        actual = ""
    if actual != checksum:
        raise ClockStateError(
            "clock state: checksum mismatch - the state was changed or truncated after "
            "to_dict() wrote it",
            value=checksum,
        )
    clock = state.get("clock")
    if clock != kind:
        raise ClockStateError(f"clock state: clock {clock!r} - expected {kind!r}", value=clock)
    stored = state.get("policies")
    expected = _policy_identity(policy)
    if check_policy and stored != expected:
        raise ClockStateError(
            f"clock state was built with policies {_policies_text(stored)}, not with "
            f"{_policies_text(expected)} - load it with the policy it was built with, or "
            + (
                "rebuild the clock from the ticket's events"
                if kind == "incremental"
                else "pass policy_changed='replay' to evaluate its events under the new policy"
            ),
            value=stored,
        )
    return state


def _policies_text(identity: Any) -> str:
    if not isinstance(identity, list):
        return repr(identity)
    return ", ".join(
        f"{item[0]!r} version {item[1]!r} (content {item[2]})"
        if isinstance(item, list) and len(item) == 3
        else repr(item)
        for item in identity
    )


def _field(state: Mapping[str, Any], name: str, kind: type, default: Any = ...) -> Any:
    if name not in state:
        if default is not ...:
            return default
        raise ClockStateError(
            f"clock state: {name!r} is missing - expected state written by to_dict() (truncated?)",
            value=name,
        )
    value = state[name]
    if not isinstance(value, kind) or (kind is int and isinstance(value, bool)):
        raise ClockStateError(
            f"clock state: {name}={value!r:.60} - expected {kind.__name__}", value=value
        )
    return value


def _first_error(exc: ValidationError) -> str:
    error = exc.errors()[0]
    where = ".".join(str(part) for part in error["loc"])
    return f"{where}: {error['msg']}"


def _zone_data(zone: tzinfo) -> dict[str, Any]:
    """A tzinfo stored losslessly: an IANA zone by its key, anything else by its fixed offset
    in microseconds (offsets may have seconds: -00:44:30)."""
    if isinstance(zone, ZoneInfo):
        return {"zone": zone.key}
    offset = zone.utcoffset(None)
    if offset is None:
        raise ClockStateError(f"clock state: time zone {zone!r} has no fixed offset", value=zone)
    return {"offset_us": offset // _MICRO}


_MICRO = timedelta(microseconds=1)


def _zone(data: Mapping[str, Any]) -> tzinfo:
    if "zone" in data:
        return ZoneInfo(str(data["zone"]))
    offset = data["offset_us"]
    if not isinstance(offset, int) or isinstance(offset, bool):
        raise TypeError(f"offset_us={offset!r} - expected an integer")
    return timezone(offset * _MICRO)


def _event_data(event: Event) -> dict[str, Any]:
    """An event as JSON data with its instant stored losslessly (ISO text keeps the seconds of
    an offset such as -00:44:30; an IANA zone is kept by name)."""
    data = event.model_dump(mode="json", exclude_none=True)
    assert event.at.tzinfo is not None
    data["at"] = event.at.isoformat()
    if isinstance(event.at.tzinfo, ZoneInfo):
        data["zone"] = event.at.tzinfo.key
    return data


def _events(items: list[Any]) -> list[Event]:
    events: list[Event] = []
    for item in items:
        if not isinstance(item, Mapping):
            raise ClockStateError(
                f"clock state: event {item!r:.60} - expected a mapping", value=item
            )
        data = dict(item)
        zone = data.pop("zone", None)
        text = data.get("at")
        try:
            if isinstance(text, str):
                at = datetime.fromisoformat(text)
                if at.tzinfo is None:
                    raise ValueError(f"at={text!r} has no UTC offset")
                data["at"] = at.astimezone(ZoneInfo(zone)) if zone is not None else at
            events.append(Event.model_validate(data))
        except (ValidationError, ValueError, TypeError, KeyError) as exc:
            raise ClockStateError(
                f"clock state: unreadable event {item!r:.80}: {exc}", value=item
            ) from None
    return events


def _described(event: Event) -> str:
    label = f"{event.id!r} " if event.id is not None else ""
    return f"{label}({event.kind} at {_iso(event.at)})"


def _iso(value: datetime) -> str:
    return value.isoformat()
