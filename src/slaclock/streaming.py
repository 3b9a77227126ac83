"""The incremental streaming clock: feed one ticket's events as they happen; store its compact
state between events.

A :class:`TicketClock` is an immutable value (``add`` returns a new clock) whose
:meth:`~TicketClock.result` is exactly what :func:`slaclock.evaluate` gives for the events so
far, and whose :meth:`~TicketClock.next_deadline` says when the next warning or breach happens.
``add`` replays only the new event on the state the clock keeps (each metric's cycles), and the
stored state grows with the cycles, not with the events. It keeps no list of past events, so an
event earlier than its last one, a policy change that measures a metric from the ticket's start,
and a result as of an instant before its last event raise :class:`HistoryNeededError`: the
:class:`~slaclock.full_history.FullHistoryClock` keeps every event and does all of these.

The stored form (:meth:`~TicketClock.to_dict`, see the how-to "Streaming clock") names its format
and version and the policies it was built with, and is checked on loading.

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

import warnings
from collections.abc import Iterable, Mapping
from datetime import datetime, tzinfo
from typing import Any, Literal

from pydantic import AwareDatetime, BaseModel, ConfigDict

from slaclock._clock_state import (
    KeptState,
    checked,
    history_state,
    opened,
    read_field,
    replay_data,
    restored_replay,
    sealed,
    state_header,
)
from slaclock._tz import check_in_range, to_micros
from slaclock.errors import (
    ArgumentError,
    ClockStateError,
    SlaclockError,
    TimelineError,
    TimelineWarning,
)
from slaclock.measure import DisplayInstants, Measuring, display_zone
from slaclock.policy import Policy, PolicySet, as_policy
from slaclock.replay import HistoryNeededError, TicketReplay
from slaclock.results import TicketResult
from slaclock.ticket_results import ticket_result
from slaclock.timeline import Event, Timeline, ticket_identity

__all__ = ["Deadline", "HistoryNeededError", "TicketClock", "first_deadline_after"]

#: The message of the deprecated ``to_json``/``from_json`` aliases (removed in slaclock 0.3).
RENAMED = "{old}() is deprecated and will be removed in slaclock 0.3 - use {new}()"


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


def first_deadline_after(result: TicketResult, after: datetime) -> Deadline | None:
    """The first due instant or threshold of a running (or overdue) cycle of ``result``
    strictly after ``after`` (see :meth:`TicketClock.next_deadline`).

    >>> from slaclock import Policy, Timeline, evaluate
    >>> policy = Policy(name="p", metrics={"resolution": {"targets": {"normal": "8h"}}})
    >>> ticket = Timeline.model_validate({"ticket_id": "T", "attributes": {"priority": "normal"},
    ...     "events": [{"at": "2025-01-06T09:00:00Z", "kind": "created"}]})
    >>> first_deadline_after(evaluate(policy, ticket), ticket.created_at).at.isoformat()
    '2025-01-06T17:00:00+00:00'
    """
    # Instants compared as integers (datetimes sharing a tzinfo compare by wall clock).
    after_micros = to_micros(check_in_range(after, "after"))
    upcoming: list[tuple[int, Deadline]] = []
    for metric in result.metrics.values():
        for cycle in metric.cycles:
            # A paused cycle has a due instant only when it still falls due: a date taken from
            # the ticket, or a running clock shown paused outside working hours.
            if cycle.state not in ("running", "paused", "overdue"):
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


NEXT_DEADLINE_DOC = """The first due instant or threshold of a running cycle strictly after
        ``after`` (default: the last event's instant), or ``None`` when nothing is scheduled.

        Stopped and cancelled cycles schedule nothing, nor does a cycle paused short of its
        target (its due instant is unknown until it resumes); a paused cycle that still falls
        due (a due date taken from the ticket, or a running clock shown paused outside working
        hours under ``state_outside_hours: paused``) schedules its due instant. A threshold is reached *at* its instant; a cycle turns
        ``overdue`` just *after* its due instant (a reply at the due instant is on time), so a
        job scheduled for a ``due`` deadline sees the breach when it evaluates as of any later
        instant (or sees ``remaining == 0`` at the instant itself)."""


# ----------------------------------------------------------------------------------------------
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
        self._policy = as_policy(policy)
        self._ticket_id, self._attributes = ticket_identity(ticket_id, attributes)
        self._replay: TicketReplay | None = None
        self._count = 0
        self._last: Event | None = None
        self._last_events: tuple[Event, ...] = ()  # the events at the last instant
        self._created_zone: tzinfo | None = None
        self._created_at = 0  # the created event's instant (UTC microseconds)
        given = given_events(ticket_id, events)
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
                    f"ticket {self._ticket_id!r}: event {describe_event(event)} is earlier than the "
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
                            f"{describe_event(earlier)} and {describe_event(event)} - expected one "
                            "content per id",
                            value=event.id,
                        )
            replay = replay.copy_for(event)
        already_unknown = {problem: len(seen) for problem, seen in replay.unknown.items()}
        try:
            replay.replay_events((event,), (t,), t, self._count)
        except SlaclockError as exc:
            exc.args = (f"ticket {self._ticket_id!r}: {exc}", *exc.args[1:])
            raise
        # Like evaluate, warn about words the policy does not know; each one once per clock
        # (the values are kept in insertion order, so the new ones are at the end).
        for problem, reasons in replay.unknown.items():
            new = dict(list(reasons.items())[already_unknown.get(problem, 0) :])
            if new:
                warnings.warn(TimelineWarning(self._ticket_id, problem, new), stacklevel=2)
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
        as_of_micros = to_micros(check_in_range(as_of, "as_of"))
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
            # The same last step as evaluate(), from the kept state (no event is left out).
            return ticket_result(self._ticket_id, replay, measuring, as_of, self._created_at, 0)
        except SlaclockError as exc:
            exc.args = (f"ticket {self._ticket_id!r}: {exc}", *exc.args[1:])
            raise

    def next_deadline(self, after: datetime | None = None) -> Deadline | None:
        if self._last is None:
            return None
        if after is None:
            after = self._last.at
        check_in_range(after, "after")
        # Before the last event, the clock as it stands after it (it keeps no past events).
        as_of = after if to_micros(after) >= to_micros(self._last.at) else self._last.at
        return first_deadline_after(self.result(as_of), after)

    next_deadline.__doc__ = (
        NEXT_DEADLINE_DOC
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
            **state_header("incremental", self._policy),
            "ticket_id": self._ticket_id,
            "attributes": self._attributes,
            "events": self._count,
        }
        replay = self._replay
        if replay is not None and self._last is not None:
            assert self._created_zone is not None
            kept = KeptState(replay, self._last_events, self._created_zone, self._created_at)
            body["replay"] = replay_data(kept)
        return sealed(body)

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
        policy = as_policy(policy)
        state = opened(data)
        if state.get("clock") == "full-history" or "format" not in state:
            ticket_id, attributes, events = history_state(state, policy, check_policy=True)
            return cls(policy, ticket_id, attributes, events)
        state = checked(state, "incremental", policy, check_policy=True)
        clock = cls(
            policy, read_field(state, "ticket_id", str), read_field(state, "attributes", dict)
        )
        count = read_field(state, "events", int)
        data_kept = state.get("replay")
        if count == 0 and data_kept is None:
            return clock
        if count < 1 or not isinstance(data_kept, dict):
            raise ClockStateError(
                f"clock state: events={count!r} and replay={data_kept!r:.40} do not agree - "
                "expected state written by to_dict()",
                value=count,
            )
        kept = restored_replay(policy, count, data_kept)
        clock._replay = kept.replay
        clock._count = count
        clock._last = kept.last_events[-1]
        clock._last_events = kept.last_events
        clock._created_zone = kept.created_zone
        clock._created_at = kept.created_at
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
        warnings.warn(RENAMED.format(old="to_json", new="to_dict"), DeprecationWarning, 2)
        return self.to_dict()

    @classmethod
    def from_json(cls, data: Mapping[str, Any], policy: Policy | PolicySet) -> TicketClock:
        """Deprecated: use :meth:`from_dict`."""
        warnings.warn(RENAMED.format(old="from_json", new="from_dict"), DeprecationWarning, 2)
        return cls.from_dict(data, policy)

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, TicketClock):
            return NotImplemented
        return self._policy == other._policy and self.to_dict() == other.to_dict()

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        return f"TicketClock(ticket_id={self._ticket_id!r}, events={self._count})"


def given_events(ticket_id: str, events: object) -> list[Event]:
    """The events a clock is built with, validated (each an :class:`Event` or its data)."""
    if isinstance(events, (str, bytes, Mapping)) or not isinstance(events, Iterable):
        raise ArgumentError(
            f"ticket {ticket_id!r}: events={events!r:.60} - expected a list of events",
            value=events,
        )
    return [e if isinstance(e, Event) else Event.model_validate(e) for e in events]


def describe_event(event: Event) -> str:
    """An event as error messages name it: its id, kind and instant."""
    label = f"{event.id!r} " if event.id is not None else ""
    return f"{label}({event.kind} at {_iso(event.at)})"


def _iso(value: datetime) -> str:
    return value.isoformat()
