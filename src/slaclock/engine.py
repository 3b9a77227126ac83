"""The clock engine: one ticket's timeline + a policy -> every metric's cycles, as of an instant.

The engine is a pure function moving data one way:

1. :meth:`_Walk.replay` replays the events in order, keeping the ticket's status, attributes
   and policy, and records for each metric its cycles as *transitions* (the instants from which
   the clock counted or was paused), with the events that shaped them.
2. :func:`_measure` measures a cycle's pieces on its calendar: elapsed and paused business
   time, the due instant, thresholds, state.
3. The results are immutable :mod:`slaclock.results` values.

No I/O, no system clock: the evaluation instant is an argument.

>>> from slaclock import Policy, Timeline
>>> policy = Policy.model_validate({"name": "support",
...     "calendar": {"timezone": "Europe/Berlin", "hours": {"mon-fri": [["09:00", "17:00"]]}},
...     "metrics": {"first_response": {"targets": {"high": "4h"}}}})
>>> ticket = Timeline.model_validate({"ticket_id": "T-1", "attributes": {"priority": "high"},
...     "events": [{"at": "2025-03-07T16:30:00+01:00", "kind": "created"},
...                {"at": "2025-03-10T10:00:00+01:00", "kind": "agent_replied"}]})
>>> fr = evaluate(policy, ticket).first_response
>>> fr.state, fr.due_at.isoformat()  # 30 min on Friday + 3h30 on Monday
('met', '2025-03-10T12:30:00+01:00')
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta, tzinfo
from fractions import Fraction
from functools import lru_cache
from typing import Any

from slaclock._clock import CompiledCalendar, _Table
from slaclock._tz import check_aware, from_micros, timedelta_to_micros, to_micros
from slaclock.calendar import ALWAYS_OPEN, Calendar
from slaclock.errors import PolicyError, SlaclockError, TimelineError
from slaclock.policy import (
    ALWAYS_OPEN_NAME,
    Condition,
    MetricDefinition,
    Policy,
    PolicySet,
    Target,
    Threshold,
)
from slaclock.results import (
    CycleResult,
    CycleState,
    MetricResult,
    Span,
    SpanKind,
    ThresholdResult,
    TicketResult,
    construct,
)
from slaclock.timeline import STATUS_OF_KIND, Event, Timeline

__all__ = ["evaluate"]

_INITIAL_STATUS = "new"
_US = timedelta(microseconds=1)  # `_US * n` builds a timedelta about twice as fast as the keyword
_ZERO = timedelta(0)


# ----------------------------------------------------------------------------------------------
# Compiled conditions: plain tuples the walk can test cheaply
_Matcher = tuple[frozenset[str] | None, bool | None, frozenset[str] | None]


def _compile_conditions(conditions: tuple[Condition, ...]) -> tuple[_Matcher, ...]:
    return tuple(
        (
            frozenset(c.event) if c.event is not None else None,
            c.public,
            frozenset(c.status) if c.status is not None else None,
        )
        for c in conditions
    )


def _matches(
    matchers: tuple[_Matcher, ...], kind: str, public: bool, status_into: str | None
) -> bool:
    for kinds, want_public, statuses in matchers:
        if kinds is not None and kind not in kinds:
            continue
        if want_public is not None and public != want_public:
            continue
        if statuses is not None and (status_into is None or status_into not in statuses):
            continue
        return True
    return False


#: Event kinds that may change the ticket's attributes.
_ATTRIBUTE_KINDS = frozenset({"created", "priority_changed", "attributes_changed"})
_STOP, _CANCEL, _RESET, _PAUSE, _RESUME, _START_AFTER, _START = (1, 2, 4, 8, 16, 32, 64)


@dataclass(frozen=True, slots=True)
class _Rules:
    """A metric definition compiled for the walk."""

    start: tuple[_Matcher, ...]
    stop: tuple[_Matcher, ...]
    pause: tuple[_Matcher, ...]
    resume: tuple[_Matcher, ...]
    reset: tuple[_Matcher, ...]
    cancel: tuple[_Matcher, ...]
    start_after: tuple[_Matcher, ...]
    pause_statuses: frozenset[str]
    count_statuses: frozenset[str] | None
    recurring: bool
    reopenable: bool
    # Every event kind some condition names, and whether a condition matches on status alone:
    # an event outside both cannot match any condition, so the walk skips the tests.
    kinds: frozenset[str]
    status_only: bool
    # (kind, public, status_into) -> bitmask of the condition lists that match, memoised: a
    # ticket's events repeat a handful of shapes, so the walk does one dict lookup per metric.
    actions: dict[tuple[str, bool, str | None], int] = field(default_factory=dict)

    def action(self, key: tuple[str, bool, str | None]) -> int:
        found = self.actions.get(key)
        if found is not None:
            return found
        kind, public, status_into = key
        mask = 0
        if kind in self.kinds or (status_into is not None and self.status_only):
            for bit, matchers in (
                (_STOP, self.stop),
                (_CANCEL, self.cancel),
                (_RESET, self.reset),
                (_PAUSE, self.pause),
                (_RESUME, self.resume),
                (_START_AFTER, self.start_after),
                (_START, self.start),
            ):
                if _matches(matchers, kind, public, status_into):
                    mask |= bit
        self.actions[key] = mask
        return mask

    def counting(self, status: str, event_paused: bool) -> bool:
        if event_paused or status in self.pause_statuses:
            return False
        return self.count_statuses is None or status in self.count_statuses


@lru_cache(maxsize=1024)
def _rules(definition: MetricDefinition) -> _Rules:
    conditions = [
        *definition.start,
        *definition.stop,
        *definition.pause,
        *definition.resume,
        *definition.reset,
        *definition.cancel,
        *definition.start_after,
    ]
    kinds = {kind for c in conditions for kind in (c.event or ())}
    if definition.reopenable:
        kinds.add("reopened")
    return _Rules(
        kinds=frozenset(kinds),
        status_only=any(c.event is None for c in conditions),
        start=_compile_conditions(definition.start),
        stop=_compile_conditions(definition.stop),
        pause=_compile_conditions(definition.pause),
        resume=_compile_conditions(definition.resume),
        reset=_compile_conditions(definition.reset),
        cancel=_compile_conditions(definition.cancel),
        start_after=_compile_conditions(definition.start_after),
        pause_statuses=frozenset(definition.pause_statuses),
        count_statuses=None
        if definition.count_statuses is None
        else frozenset(definition.count_statuses),
        recurring=definition.recurring,
        reopenable=definition.reopenable,
    )


@dataclass(frozen=True, slots=True)
class _CompiledPolicy:
    """A policy's metrics compiled for the walk, in the policy's metric order."""

    names: tuple[str, ...]
    rules: tuple[_Rules, ...]
    # (kind, public, status_into) -> each metric's action mask, memoised: one dict lookup per
    # event instead of one per event and metric.
    actions: dict[tuple[str, bool, str | None], tuple[int, ...]] = field(default_factory=dict)

    def actions_for(self, key: tuple[str, bool, str | None]) -> tuple[int, ...]:
        found = self.actions.get(key)
        if found is None:
            found = self.actions[key] = tuple(rules.action(key) for rules in self.rules)
        return found


def _compiled(policy: Policy) -> _CompiledPolicy:
    cached: _CompiledPolicy | None = policy.__dict__.get("_slaclock_compiled")
    if cached is None:
        names = tuple(policy.metrics)
        cached = _CompiledPolicy(names, tuple(_rules(policy.definition(name)) for name in names))
        # Policies are frozen values: caching the compiled rules on the instance is safe, and
        # model_copy (overridden) re-validates, so a changed copy never inherits them.
        policy.__dict__["_slaclock_compiled"] = cached
    return cached


# ----------------------------------------------------------------------------------------------
# The walk: events -> cycles made of transitions (counting or paused from each instant on)
@dataclass(slots=True)
class _Context:
    """What decides a cycle's target: the policy in force and the ticket's attributes."""

    policy: Policy
    attributes: Mapping[str, Any]


@dataclass(slots=True)
class _Cycle:
    start: int
    start_context: _Context
    context: _Context
    # Transitions: (instant, counting) - the clock counts (or not) from each instant on.
    transitions: list[tuple[int, bool]]
    events: list[int]  # indices of the events that shaped the cycle
    end: int | None = None
    cancelled: bool = False


# The events replayed so far, for a policy that comes into force later: (instant, position,
# (kind, public, status moved into), status after the event, priority after the event,
# whether the event changed the attributes, whether it changed the priority).
_History = list[tuple[int, int, tuple[str, bool, str | None], str, Any, bool, bool]]


@dataclass(slots=True)
class _Tracker:
    cycles: list[_Cycle] = field(default_factory=list)
    open: _Cycle | None = None
    started_after: bool = False  # a start_after condition has matched
    event_paused: bool = False


class _Walk:
    """The replay of one timeline (internal, used once): :meth:`replay` leaves each metric's
    cycles in ``trackers`` and the ticket's final attributes and policy."""

    def __init__(self, policies: Policy | PolicySet, attributes: Mapping[str, Any]) -> None:
        self.policies = policies
        self.attributes: dict[str, Any] = dict(attributes)
        self.trackers: dict[str, _Tracker] = {}
        self.policy: Policy | None = None
        self.context: _Context | None = None
        self.compiled: _CompiledPolicy | None = None
        # (rules, tracker) of each metric the policy in force measures, in its metric order.
        self.active: list[tuple[_Rules, _Tracker]] = []
        self._enter(self._select())

    def _select(self) -> Policy | None:
        if isinstance(self.policies, Policy):
            return self.policies
        return self.policies.select(self.attributes)

    def _enter(self, policy: Policy | None) -> None:
        """Make ``policy`` the policy in force (also after an attribute change)."""
        self.policy = policy
        self.active = []
        if policy is None:
            self.context = self.compiled = None
            return
        # Attribute snapshots are shared by every cycle that sees them; copied only on change.
        self.context = _Context(policy, dict(self.attributes))
        self.compiled = compiled = _compiled(policy)
        for name, rules in zip(compiled.names, compiled.rules):
            tracker = self.trackers.get(name)
            if tracker is None:
                tracker = self.trackers[name] = _Tracker()
            elif tracker.event_paused and not rules.resume:
                # A pause by event under a policy whose definition of the metric has no resume
                # condition would never end: the new definition's clock is not paused by event.
                tracker.event_paused = False
            self.active.append((rules, tracker))

    def reported(self) -> list[tuple[str, _Tracker]]:
        """The metrics a result lists: those of the policy in force (in its order), then any
        other metric that has cycles (measured by an earlier policy of a set)."""
        names = () if self.compiled is None else self.compiled.names
        trackers = self.trackers
        return [(name, trackers[name]) for name in names] + [
            (name, tracker)
            for name, tracker in trackers.items()
            if tracker.cycles and name not in names
        ]

    def _check_priority(self) -> None:
        """A priority no metric of the policy in force has a target for is an error (a ticket
        with no priority is fine). Checked on creation and after every attribute change, so a
        ticket is never measured against no target by accident."""
        policy = self.policy
        priority = self.attributes.get("priority")
        if priority is not None and not isinstance(priority, (str, int)):
            raise TimelineError(
                f"ticket attribute priority={priority!r} - expected a string such as 'high'",
                value=priority,
            )
        if (
            policy is not None
            and priority is not None
            and policy.priorities
            and priority not in policy.priorities
        ):
            raise PolicyError(
                f"unknown priority {priority!r}: policy {policy.name!r} has no target for it in "
                f"any metric - expected one of {sorted(policy.priorities)}",
                value=priority,
            )

    def _apply(self, event: Event, t: int, index: int) -> tuple[bool, bool]:
        """Apply the event's changes to the ticket's attributes and select the policy again if
        they changed; returns (priority changed, policy changed)."""
        kind = event.kind
        attributes = self.attributes
        previous_priority = attributes.get("priority")
        if kind == "created":
            if event.attributes:
                attributes.update(event.attributes)
            if event.priority is not None:
                attributes["priority"] = event.priority
        elif kind == "priority_changed":
            attributes["priority"] = event.priority
        else:  # attributes_changed (a `None` value removes the attribute)
            assert event.attributes is not None
            for key, value in event.attributes.items():
                if value is None:
                    attributes.pop(key, None)
                else:
                    attributes[key] = value
        policy = self._select()
        policy_changed = policy is not self.policy
        if policy_changed:
            # Metrics the new policy does not measure stop being measured: cancelled.
            measured = policy.metrics if policy is not None else {}
            for name, tracker in self.trackers.items():
                if tracker.open is not None and name not in measured:
                    _close(tracker, t, index, cancelled=True)
        self._enter(policy)
        return kind != "created" and attributes.get("priority") != previous_priority, policy_changed

    def replay(self, events: tuple[Event, ...], instants: tuple[int, ...], as_of: int) -> int:
        """Apply the events up to ``as_of``; returns how many later events were left out.

        The hot loop of the engine: state lives in locals, and a metric none of whose
        conditions matches an event is skipped unless the status or the attributes changed.
        """
        status = _INITIAL_STATUS
        # What a policy that comes into force later replays its new metrics over.
        history: _History | None = None if isinstance(self.policies, Policy) else []
        for index, t in enumerate(instants):
            if t > as_of:
                return len(events) - index
            event = events[index]
            kind = event.kind
            previous_status = status
            new_status = event.status or STATUS_OF_KIND.get(kind)
            if new_status is not None:
                status = new_status
            status_into = status if (kind == "created" or status != previous_status) else None
            key = (kind, event.public is not False, status_into)
            priority_changed = policy_changed = attributes_changed = False
            if kind in _ATTRIBUTE_KINDS and (
                kind == "priority_changed"
                or event.attributes
                or (kind == "created" and event.priority is not None)
            ):
                attributes_changed = True
                before = self.compiled
                priority_changed, policy_changed = self._apply(event, t, index)
                if policy_changed and history and self.compiled is not None:
                    self._join(before, history, t, index, status)
            if attributes_changed or index == 0:  # the ticket exists from `created` on
                self._check_priority()
            if history is not None:
                priority = self.attributes.get("priority")
                history.append(
                    (t, index, key, status, priority, attributes_changed, priority_changed)
                )
            compiled = self.compiled
            context = self.context
            if compiled is None or context is None:
                continue
            acts = compiled.actions.get(key) or compiled.actions_for(key)
            # Unless the attributes or the status changed (or a reopen may undo a stop), a
            # metric none of whose conditions matches the event is left as it is: an open
            # cycle's counting depends only on the status and its pause/resume events.
            every = attributes_changed or status_into is not None or kind == "reopened"
            if not every and not any(acts):
                continue
            restart = (
                priority_changed or policy_changed
            ) and context.policy.priority_change == "restart"
            reopen = context.policy.reopen
            for (rules, tracker), act in zip(self.active, acts):
                if act or every:
                    _advance(
                        tracker, rules, act, kind, status, t, index, context, reopen,
                        attributes_changed, restart,
                    )  # fmt: skip
        return 0

    def _join(
        self, before: _CompiledPolicy | None, history: _History, t: int, index: int, status: str
    ) -> None:
        """The policy now in force measures metrics the previous one did not. Each is replayed
        under its own conditions over the events so far, as if the policy had been in force
        from the start; the change event then treats its cycles like any measured metric's
        (``restart`` cancels the running one and starts anew). A metric that already has
        cycles (measured by an earlier policy of the set) keeps them, and starts a cycle at the
        change if its replay leaves one running."""
        context, compiled = self.context, self.compiled
        assert context is not None and compiled is not None
        policy = context.policy
        measured = () if before is None else before.names
        # The new policy, with the priority the ticket had at each past event; the other
        # attributes (which pick the calendar, say) as they are now: the ticket is measured on
        # the new policy's terms for it as it is.
        contexts: dict[Any, _Context] = {}
        for past in history:
            if past[4] not in contexts:
                attributes = {k: v for k, v in self.attributes.items() if k != "priority"}
                if past[4] is not None:
                    attributes["priority"] = past[4]
                contexts[past[4]] = _Context(policy, attributes)
        restarts = policy.priority_change == "restart"
        for name, (rules, tracker) in zip(compiled.names, self.active):
            if name in measured or tracker.open is not None:
                continue
            shadow = _Tracker()
            for at, position, key, then, priority, changed, reprioritised in history:
                _advance(
                    shadow, rules, rules.action(key), key[0], then, at, position,
                    contexts[priority], policy.reopen, changed, reprioritised and restarts,
                )  # fmt: skip
            if not tracker.cycles:
                tracker.cycles, tracker.open = shadow.cycles, shadow.open
                tracker.started_after = shadow.started_after
                tracker.event_paused = shadow.event_paused
                continue
            tracker.started_after = tracker.started_after or shadow.started_after
            if shadow.open is not None:
                _open(tracker, t, index, rules, context, status, shadow.event_paused)


def _advance(
    tracker: _Tracker,
    rules: _Rules,
    act: int,
    kind: str,
    status: str,
    t: int,
    index: int,
    context: _Context,
    reopen: str,
    attributes_changed: bool = False,
    restart: bool = False,
) -> None:
    """One event's effect on one metric: ``act`` is the mask of its conditions that match,
    ``status`` the ticket's status after the event, ``context`` the policy and attributes in
    force; ``attributes_changed`` and ``restart`` say whether the event changed the attributes
    and whether that restarts an open cycle."""
    if act & _START_AFTER:
        tracker.started_after = True
    cycle = tracker.open
    if cycle is not None:
        if attributes_changed:
            # Under restart a cycle is judged under the context it ran in: the change cancels
            # it and starts a new one, unless the event itself ends it (stop, cancel, reset)
            # or it started at this very instant (nothing to restart: it takes the new one).
            ends = act & (_STOP | _CANCEL | _RESET)
            if restart and cycle.start < t and not ends:
                paused = tracker.event_paused  # a pause by event outlives the restart
                _close(tracker, t, index, cancelled=True)
                _open(tracker, t, index, rules, context, status, paused)
                return
            if not (restart and cycle.start < t):
                cycle.context = context
            if cycle.start == t:  # a change at the cycle's first instant is part of its start
                cycle.start_context = context
            if cycle.events[-1] != index:
                cycle.events.append(index)
        if not act:
            pass
        elif act & _STOP:
            _close(tracker, t, index, cancelled=False)
        elif act & _CANCEL:
            _close(tracker, t, index, cancelled=True)
        elif act & _RESET:
            _close(tracker, t, index, cancelled=True)
            _open(tracker, t, index, rules, context, status)
            return
        elif act & _PAUSE:
            tracker.event_paused = True
        elif act & _RESUME:
            tracker.event_paused = False
    elif (
        kind == "reopened"
        and rules.reopenable
        and tracker.cycles
        and not tracker.cycles[-1].cancelled
        and reopen == "continue"
    ):
        # The stop is undone: the cycle goes on, not counting while it was solved.
        cycle = tracker.cycles[-1]
        assert cycle.end is not None
        cycle.transitions.append((cycle.end, False))
        cycle.end = None
        cycle.context = context
        cycle.events.append(index)
        tracker.open = cycle
        tracker.event_paused = False
    cycle = tracker.open
    if cycle is None:
        # A reopen starts a new cycle under new_cycle, and under continue when the last cycle
        # was cancelled (by a policy that stopped measuring the metric): nothing to continue.
        starts = act & _START or (
            kind == "reopened"
            and rules.reopenable
            and bool(tracker.cycles)
            and (reopen == "new_cycle" or tracker.cycles[-1].cancelled)
        )
        if (
            starts
            and (rules.recurring or not tracker.cycles or kind == "reopened")
            and (not rules.start_after or tracker.started_after)
        ):
            _open(tracker, t, index, rules, context, status)
        return
    counting = not tracker.event_paused and status not in rules.pause_statuses
    if counting and rules.count_statuses is not None:
        counting = status in rules.count_statuses
    if counting != cycle.transitions[-1][1]:
        cycle.transitions.append((t, counting))
        if cycle.events[-1] != index:
            cycle.events.append(index)


def _open(
    tracker: _Tracker,
    t: int,
    index: int,
    rules: _Rules,
    context: _Context,
    status: str,
    event_paused: bool = False,
) -> None:
    """Start a new cycle of the tracker's metric at ``t`` (event ``index``), paused from the
    start when ``event_paused`` (a pause event is still in force)."""
    tracker.event_paused = event_paused
    cycle = _Cycle(t, context, context, [(t, rules.counting(status, event_paused))], [index])
    tracker.cycles.append(cycle)
    tracker.open = cycle


def _close(tracker: _Tracker, t: int, index: int, cancelled: bool) -> None:
    """Stop (or cancel) the tracker's open cycle at ``t`` (event ``index``)."""
    cycle = tracker.open
    assert cycle is not None
    cycle.end = t
    cycle.cancelled = cancelled
    if cycle.events[-1] != index:
        cycle.events.append(index)
    tracker.open = None


# ----------------------------------------------------------------------------------------------
# Measuring cycles on their calendars
@dataclass(frozen=True, slots=True)
class _Resolved:
    target: Target | None
    calendar: Calendar
    label: str
    compiled: CompiledCalendar
    # Derived once per (policy, metric, priority, calendar) and reused by every cycle:
    target_text: str | None
    duration_micros: int | None  # None for a business-days target (it depends on the start)
    duration: timedelta | None
    thresholds: tuple[Threshold, ...]
    # (name, position in the target) of each threshold, for a target in fixed business time.
    positions: tuple[tuple[str, int], ...]


def _resolve(metric: str, context: _Context) -> _Resolved:
    """The target and calendar of ``metric`` for the context (memoised on the policy value)."""
    policy = context.policy
    attributes = context.attributes
    key = (
        metric,
        attributes.get("priority"),
        attributes.get(policy.calendar_attribute) if policy.calendar_attribute else None,
    )
    cache: dict[Any, _Resolved] | None = policy.__dict__.get("_slaclock_resolved")
    if cache is None:
        cache = policy.__dict__["_slaclock_resolved"] = {}
    resolved = cache.get(key)
    if resolved is None:
        resolved = cache[key] = _resolve_uncached(metric, context)
    return resolved


def _resolve_uncached(metric: str, context: _Context) -> _Resolved:
    policy = context.policy
    priority = context.attributes.get("priority")
    config = policy.metrics[metric]
    target = config.targets.get(priority) if priority is not None else None
    name = target.calendar if target is not None else None
    calendar = policy.calendar_named(name, context.attributes)
    if name is None:
        if policy.calendar_attribute is not None and context.attributes.get(
            policy.calendar_attribute
        ):
            label = str(context.attributes[policy.calendar_attribute])
        elif isinstance(policy.calendar, str):
            label = policy.calendar
        else:
            label = "business" if policy.calendar is not None else ALWAYS_OPEN_NAME
    else:
        label = name
    micros = (
        None if target is None or target.duration is None else timedelta_to_micros(target.duration)
    )
    return _Resolved(
        target,
        calendar,
        label,
        calendar.compiled,
        None if target is None else _target_text(target),
        micros,
        None if micros is None else _US * micros,
        config.thresholds,
        ()
        if micros is None
        else tuple((t.name, _threshold_position(t, micros)) for t in config.thresholds),
    )


# A piece of a cycle's clock: (from, to, counting, business time in it, open time before
# `from` on the table it was measured on); pieces are contiguous and ascending.
_Piece = tuple[int, int, bool, int, int]


def _pieces(cal: CompiledCalendar, cycle: _Cycle, end: int) -> tuple[_Table | None, list[_Piece]]:
    """The cycle's [from, to) pieces up to ``end``, each counting or paused, measured on the
    calendar (one table lookup per boundary: a piece's end is the next one's start)."""
    transitions = cycle.transitions
    if len(transitions) == 1:  # most cycles: one piece (counting or not) from start to end
        t, counting = transitions[0]
        if end <= t:
            return None, []
        table, (before, after) = cal.open_time_before((t, end))
        return table, [(t, end, counting, after - before, before)]
    bounds: list[int] = []
    counts: list[bool] = []
    last = len(transitions) - 1
    for i, (t, counting) in enumerate(transitions):
        stop = transitions[i + 1][0] if i < last else end
        if stop > end:
            stop = end
        if stop > t:
            if not bounds:
                bounds.append(t)
            bounds.append(stop)
            counts.append(counting)
    if not bounds:
        return None, []
    table, cums = cal.open_time_before(bounds)
    return table, [
        (bounds[k], bounds[k + 1], counting, cums[k + 1] - cums[k], cums[k])
        for k, counting in enumerate(counts)
    ]


def _reach(
    cal: CompiledCalendar,
    table: _Table | None,
    pieces: list[_Piece],
    amount: int,
    running_from: int | None,
) -> int | None:
    """The instant the counted business time reaches ``amount``; projected from ``running_from``
    (the end of the last piece, if any) when the clock still runs there, else ``None`` if it
    never gets there."""
    counted = 0
    for a, _, counting, piece, before in pieces:
        if not counting:
            continue
        if counted + piece >= amount:
            if amount == counted:
                return a
            assert table is not None
            return cal.add_from(table, a, before, amount - counted)
        counted += piece
    if running_from is None:
        return None
    _, last_to, _, piece, before = pieces[-1] if pieces else (0, None, False, 0, 0)
    if table is None or amount == counted or last_to != running_from:
        return cal.add_micros(running_from, amount - counted)
    return cal.add_from(table, running_from, before + piece, amount - counted)


def _threshold_position(threshold: Threshold, target: int) -> int:
    """Where in a target of ``target`` microseconds the threshold falls (business time)."""
    if threshold.at_percent is not None:
        exact = Fraction(target) * Fraction(str(threshold.at_percent)) / 100
        return max(0, -(-exact.numerator // exact.denominator))  # ceiling: whole microseconds
    if threshold.before_due is not None:
        return max(0, target - timedelta_to_micros(threshold.before_due))
    assert threshold.after_due is not None
    return target + timedelta_to_micros(threshold.after_due)


def _business_days_target(cal: Calendar, start: datetime, days: int) -> int:
    """Business time from ``start`` to the close of the ``days``-th business day after its date."""
    # The close depends only on the start's local date: memoise it on the calendar value.
    cache: dict[Any, datetime] | None = cal.__dict__.get("_slaclock_day_close")
    if cache is None:
        cache = cal.__dict__["_slaclock_day_close"] = {}
    key = (start.astimezone(cal.compiled._zone).date(), days)
    due = cache.get(key)
    if due is None:
        due = cache[key] = business_day_close(cal, start, days)
    return timedelta_to_micros(cal.elapsed(start, due))


def business_day_close(cal: Calendar, start: datetime, days: int) -> datetime:
    """The close of the ``days``-th business day after ``start``'s local date.

    A business day is a local date on which some open span starts; its close is the end of the
    last span that starts on it.

    >>> from zoneinfo import ZoneInfo
    >>> cal = Calendar.weekdays("Europe/Berlin")
    >>> business_day_close(cal, datetime(2025, 3, 7, 16, tzinfo=ZoneInfo("Europe/Berlin")), 1).isoformat()
    '2025-03-10T17:00:00+01:00'
    """
    zone = cal.compiled._zone
    local = start.astimezone(zone)
    day = local.date()
    probe = datetime(day.year, day.month, day.day, tzinfo=zone) + timedelta(days=1)
    found = 0
    for _ in range(days * 400 + 400):  # bounded: a business day comes at least once a year
        opening = cal.next_open(probe)
        open_day = opening.astimezone(zone).date()
        found += 1
        # The close of the day's last span: follow spans while they open on the same date.
        close = cal.next_close(opening)
        while True:
            following = cal.next_open(close)
            if following.astimezone(zone).date() != open_day or following == close:
                break
            close = cal.next_close(following)
        if found == days:
            return close.astimezone(start.tzinfo)
        next_day = open_day + timedelta(days=1)
        probe = datetime(next_day.year, next_day.month, next_day.day, tzinfo=zone)
    raise PolicyError(f"no {days} business days found after {start.isoformat()}", value=days)


def _measure(
    metric: str,
    index: int,
    cycle: _Cycle,
    policy_rule: str,
    as_of: int,
    shown: _Shown,
    explain: bool,
) -> CycleResult:
    context = cycle.start_context if policy_rule == "keep" else cycle.context
    resolved = _resolve(metric, context)
    cal = resolved.compiled
    end = cycle.end if cycle.end is not None else as_of
    table, pieces = _pieces(cal, cycle, end)
    elapsed = paused = 0
    for _, _, counting, piece, _ in pieces:
        if counting:
            elapsed += piece
        else:
            paused += piece
    open_now = cycle.end is None
    running = open_now and cycle.transitions[-1][1]
    target_micros = resolved.duration_micros
    positions = resolved.positions
    target_delta = resolved.duration
    if target_micros is None and resolved.target is not None:
        days = resolved.target.business_days
        assert days is not None
        target_micros = _business_days_target(resolved.calendar, shown[cycle.start], days)
        target_delta = _US * target_micros
        positions = tuple(
            (t.name, _threshold_position(t, target_micros)) for t in resolved.thresholds
        )

    due: int | None = None
    state: CycleState
    if target_micros is not None:
        projection = end if (running or (not open_now and not cycle.cancelled)) else None
        due = _reach(cal, table, pieces, target_micros, projection)
    if cycle.cancelled:
        state = "cancelled"
    elif not open_now:
        if target_micros is None:
            state = "completed"
        else:
            state = "met" if due is not None and end <= due else "breached"
    elif due is not None and as_of > due:
        state = "overdue"
    else:
        state = "running" if running else "paused"

    thresholds: tuple[ThresholdResult, ...] = ()
    if positions:
        reached_by = None if cycle.cancelled else (end if running else None)
        found: list[ThresholdResult] = []
        for name, position in positions:
            at = cycle.start if position == 0 else _reach(cal, table, pieces, position, reached_by)
            found.append(
                construct(
                    ThresholdResult,
                    {
                        "name": name,
                        "at": None if at is None else shown[at],
                        "reached": at is not None and at <= as_of,
                    },
                )
            )
        thresholds = tuple(found)

    due_at = None if due is None else shown[due]
    breached = state == "breached" or state == "overdue"
    priority = context.attributes.get("priority")
    remaining: timedelta | None = None
    overdue_by: timedelta | None = None
    percent_used: float | None = None
    if target_micros is not None:
        remaining = _US * (target_micros - elapsed)
        if breached:
            overdue_by = _US * (elapsed - target_micros) if elapsed > target_micros else _ZERO
        percent_used = elapsed * 100 / target_micros
    return construct(
        CycleResult,
        {
            "metric": metric,
            "index": index,
            "state": state,
            "started_at": shown[cycle.start],
            "stopped_at": None if open_now else shown[end],
            "due_at": due_at,
            "breached_at": due_at if breached else None,
            "target": target_delta,
            "elapsed": _US * elapsed,
            "paused": _US * paused if paused else _ZERO,
            "remaining": remaining,
            "overdue_by": overdue_by,
            "percent_used": percent_used,
            "target_spec": resolved.target_text,
            "priority": None if priority is None else str(priority),
            "policy": context.policy.name,
            "calendar": resolved.label,
            "thresholds": thresholds,
            "events": tuple(cycle.events),
            "spans": tuple(_explain(cal, pieces, shown)) if explain else (),
        },
    )


class _Shown(dict[int, datetime]):
    """Instants (UTC microseconds) as datetimes in the display zone, each converted once per
    evaluation: the cycles of different metrics share their start, stop and due instants."""

    __slots__ = ("tz",)

    def __init__(self, tz: tzinfo) -> None:
        super().__init__()
        self.tz = tz

    def __missing__(self, micros: int) -> datetime:
        value = self[micros] = from_micros(micros, self.tz)
        return value


@lru_cache(maxsize=1024)
def _target_text(target: Target) -> str:
    data = target.model_dump()
    return data if isinstance(data, str) else f"{data['duration']} ({data['calendar']})"


def _explain(cal: CompiledCalendar, pieces: list[_Piece], shown: _Shown) -> list[Span]:
    spans: list[Span] = []

    def add(a: int, b: int, kind: SpanKind) -> None:
        spans.append(construct(Span, {"start": shown[a], "end": shown[b], "kind": kind}))

    for a, b, counting, _, _ in pieces:
        if not counting:
            add(a, b, "paused")
            continue
        cursor = a
        for lo, hi in cal.open_micros(a, b):
            if lo > cursor:
                add(cursor, lo, "closed")
            add(lo, hi, "counted")
            cursor = hi
        if cursor < b:
            add(cursor, b, "closed")
    return spans


def _display_zone(policy: Policy | None, attributes: Mapping[str, Any], created: tzinfo) -> tzinfo:
    """The zone results are shown in: the ticket's policy calendar's, else the created event's."""
    if policy is None:
        return created
    calendar = policy.calendar_named(None, attributes)
    if calendar is ALWAYS_OPEN:
        return created
    return calendar.compiled._zone


# ----------------------------------------------------------------------------------------------
# The public entry point
def evaluate(
    policy: Policy | PolicySet | Mapping[str, Any],
    timeline: Timeline | Mapping[str, Any],
    as_of: datetime | None = None,
    *,
    explain: bool = False,
) -> TicketResult:
    """Evaluate every metric of ``timeline`` under ``policy`` (or the first matching policy of a
    :class:`PolicySet`) as of ``as_of`` (default: the last event's instant).

    ``policy`` and ``timeline`` may also be given as plain data (validated first; a mapping with
    a ``policies`` key is a policy set). Events after ``as_of`` are left out and counted in
    ``ignored_events``. With
    ``explain=True`` each cycle also lists the spans (counted, paused, closed) that made its
    elapsed time. Instants in the result are expressed in the time zone of the ticket's policy
    calendar (for a 24x7 policy: in the tzinfo of the ``created`` event).

    >>> from slaclock import Policy, Timeline
    >>> policy = Policy(name="24x7", metrics={"resolution": {"targets": {"normal": "8h"}}})
    >>> ticket = Timeline.model_validate({"ticket_id": "T-2", "attributes": {"priority": "normal"},
    ...     "events": [{"at": "2025-01-01T09:00:00Z", "kind": "created"}]})
    >>> result = evaluate(policy, ticket, as_of=datetime.fromisoformat("2025-01-01T19:00:00+00:00"))
    >>> result.resolution.state, result.resolution.remaining
    ('overdue', datetime.timedelta(days=-1, seconds=79200))
    """
    if not isinstance(policy, (Policy, PolicySet)):
        policy = (PolicySet if "policies" in policy else Policy).model_validate(policy)
    if not isinstance(timeline, Timeline):
        timeline = Timeline.model_validate(timeline)
    instants: tuple[int, ...] | None = timeline.__dict__.get("_slaclock_instants")
    if instants is None:  # a timeline built without validation (model_construct)
        instants = tuple(to_micros(e.at) for e in timeline.events)
    if as_of is None:
        as_of = timeline.events[-1].at
        as_of_micros = instants[-1]
    else:
        as_of_micros = to_micros(check_aware(as_of, "as_of"))
    try:
        walk = _Walk(policy, timeline.attributes)
        ignored = walk.replay(timeline.events, instants, as_of_micros)
        created_zone = timeline.events[0].at.tzinfo
        assert created_zone is not None  # events are validated aware
        shown = _Shown(_display_zone(walk.policy, walk.attributes, created_zone))
        metrics: dict[str, MetricResult] = {}
        for name, tracker in walk.reported():
            cycles = tuple(
                _measure(
                    name,
                    i,
                    cycle,
                    cycle.context.policy.priority_change,
                    as_of_micros,
                    shown,
                    explain,
                )
                for i, cycle in enumerate(tracker.cycles)
            )
            metrics[name] = construct(MetricResult, {"name": name, "cycles": cycles})
    except SlaclockError as exc:  # name the ticket: in a batch, the message is all one sees
        exc.args = (f"ticket {timeline.ticket_id!r}: {exc}", *exc.args[1:])
        raise
    final_policy = walk.policy
    return construct(
        TicketResult,
        {
            "ticket_id": timeline.ticket_id,
            "policy": None if final_policy is None else final_policy.name,
            "policy_version": None if final_policy is None else final_policy.version,
            "as_of": as_of,
            "metrics": metrics,
            "ignored_events": ignored,
        },
    )
