"""Step 2, one metric at a time: what one event does to one metric's cycles.

The replay (:mod:`slaclock.replay`) walks a ticket's events. For each event and each metric it
may change, :func:`apply_event` starts, stops, cancels, resets, pauses or resumes the metric's
cycle in its :class:`MetricProgress`, recording from which instants the clock counted or was
paused (:class:`Transition`). Instants are integer UTC microseconds; nothing is measured here.

>>> from slaclock import Policy
>>> from slaclock.rules import policy_rules
>>> policy = Policy(name="p", metrics={"resolution": {}})
>>> rules, context, progress = policy_rules(policy).rules[0], CycleContext(policy, {}), MetricProgress()
>>> for kind, status, at in [("created", "new", 0), ("solved", "solved", 60)]:
...     shape = (kind, True, status)  # see slaclock.rules.EventShape
...     apply_event(progress, rules, rules.action(shape), (kind, status, at, at, context, False, False))
>>> [(cycle.start, cycle.end, cycle.cancelled) for cycle in progress.cycles]
[(0, 60, False)]
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, NamedTuple

from slaclock.policy import Policy
from slaclock.rules import CANCEL, PAUSE, RESET, RESUME, START, START_AFTER, STOP, MetricRules

__all__ = [
    "ClockRecord",
    "CycleContext",
    "MetricProgress",
    "ReplayStep",
    "ReplayedCycle",
    "Transition",
    "apply_event",
    "close_cycle",
    "copied_progress",
    "open_cycle",
    "record_clock",
    "record_clocks",
]

# Builds a NamedTuple value in C: ``_make(Transition, (t, counting))`` equals
# ``Transition(t, counting)``, whose generated ``__new__`` is a Python call costing several
# times more. Used where a cycle gets a transition per event.
_make = tuple.__new__


@dataclass(slots=True)
class CycleContext:
    """What decides a cycle's target: the policy in force and the ticket's attributes (and,
    to find it fast, the memo of the policy's resolved targets: ``PolicyRules.targets``).

    >>> from slaclock import Policy
    >>> CycleContext(Policy(name="p", metrics={"resolution": {}}), {"priority": "high"}).attributes
    {'priority': 'high'}
    """

    policy: Policy
    attributes: Mapping[str, Any]  # a snapshot: never changed once the context is built
    # Memos, not part of the value: two contexts are equal whatever was looked up in them.
    targets: dict[Any, Any] | None = field(default=None, compare=False, repr=False)
    # metric -> its resolved target in this context (see measure.resolve_target): a context is
    # shared by the cycles of every metric, so each looks its target up once.
    resolved: dict[str, Any] = field(default_factory=dict, compare=False, repr=False)


class Transition(NamedTuple):
    """From ``at`` (UTC microseconds) on, the cycle's clock counts (or is paused).

    >>> Transition(3_600_000_000, False).counting  # paused from one hour after the epoch
    False
    """

    at: int
    counting: bool


@dataclass(slots=True)
class ReplayedCycle:
    """One cycle of a metric as replayed: where it started and ended, and how it counted.

    >>> from slaclock import Policy
    >>> context = CycleContext(Policy(name="p", metrics={"resolution": {}}), {})
    >>> cycle = ReplayedCycle(0, context, context, [Transition(0, True)], [0])
    >>> cycle.end is None  # still open
    True
    """

    start: int
    start_context: CycleContext  # the context at its start (``priority_change: keep``)
    context: CycleContext  # the context in force now (or when it ended)
    transitions: list[Transition]  # ascending, the first at ``start``
    events: list[int]  # positions of the events that shaped the cycle
    end: int | None = None
    cancelled: bool = False
    # For a metric with ``retroactive_pause``: its ClockRecord's transitions (shared; later
    # events change only its part from ``start`` on), whose part before ``start`` a back-dated
    # start counts by.
    prior: list[Transition] | None = None


@dataclass(slots=True)
class ClockRecord:
    """How a metric's clock would have run since the ticket's creation under its pause rules
    (pause and count statuses, ``pause_when``, pause and resume events), cycle or not: kept
    only for a metric with ``retroactive_pause``, whose back-dated start counts by it.

    >>> ClockRecord().transitions, ClockRecord().event_paused
    ([], False)
    """

    transitions: list[Transition] = field(default_factory=list)  # ascending instants
    event_paused: bool = False  # a pause event is in force (until a resume event)


@dataclass(slots=True)
class MetricProgress:
    """One metric's cycles so far, and the state that shapes what comes next.

    >>> progress = MetricProgress()
    >>> progress.cycles, progress.open
    ([], None)
    """

    cycles: list[ReplayedCycle] = field(default_factory=list)
    open: ReplayedCycle | None = None
    started_after: bool = False  # a start_after condition has matched
    event_paused: bool = False  # a pause event is in force (until a resume event)
    record: ClockRecord | None = None  # kept for a metric with retroactive_pause only


#: One event as every metric sees it, the argument of :func:`apply_event`: ``(kind, status,
#: at, position, context, attributes_changed, restart)`` - the event's kind, the ticket's
#: status after it, its instant (UTC microseconds) and position, the context in force (whose
#: policy's ``reopen`` rule applies to a reopen), whether it changed the ticket's attributes,
#: and whether that restarts open cycles (``priority_change: restart``). A plain tuple, built
#: once per event on the hot path (a NamedTuple costs ten times more to build), and only ever
#: unpacked into these names, in one place.
ReplayStep = tuple[str, str, int, int, CycleContext, bool, bool]


def apply_event(progress: MetricProgress, rules: MetricRules, act: int, step: ReplayStep) -> None:
    """One event's effect on one metric: ``act`` is the mask of the metric's conditions that
    match it (see :mod:`slaclock.rules`), ``step`` the event as every metric sees it (see
    :data:`ReplayStep`).

    >>> from slaclock import Policy
    >>> from slaclock.rules import policy_rules
    >>> policy = Policy(name="p", metrics={"resolution": {"pause_statuses": ["pending"]}})
    >>> rules, progress = policy_rules(policy).rules[0], MetricProgress()
    >>> open_cycle(progress, 0, 0, rules, CycleContext(policy, {}), "open")
    >>> shape = ("status_changed", True, "pending")  # see slaclock.rules.EventShape
    >>> step = ("status_changed", "pending", 60, 1, CycleContext(policy, {}), False, False)
    >>> apply_event(progress, rules, rules.action(shape), step)
    >>> progress.open.transitions  # counting from 0, paused from 60
    [Transition(at=0, counting=True), Transition(at=60, counting=False)]
    """
    kind, status, t, position, context, attributes_changed, restart = step
    if act & START_AFTER:
        progress.started_after = True
    cycle = progress.open
    if cycle is not None:
        if attributes_changed:
            # Under restart a cycle is judged under the context it ran in: the change cancels
            # it and starts a new one, unless the event itself ends it (stop, cancel, reset)
            # or it started at this very instant (nothing to restart: it takes the new one).
            restart = restart and cycle.start < t
            if restart and not act & (STOP | CANCEL | RESET):
                paused = progress.event_paused  # a pause by event outlives the restart
                close_cycle(progress, t, position, cancelled=True)
                open_cycle(progress, t, position, rules, context, status, paused)
                return
            if not restart:
                cycle.context = context
            if cycle.start == t:  # a change at the cycle's first instant is part of its start
                cycle.start_context = context
            if cycle.events[-1] != position:
                cycle.events.append(position)
        if not act:
            pass
        elif act & STOP:
            close_cycle(progress, t, position, cancelled=False)
        elif act & CANCEL:
            close_cycle(progress, t, position, cancelled=True)
        elif act & RESET:
            close_cycle(progress, t, position, cancelled=True)
            open_cycle(progress, t, position, rules, context, status)
            return
        elif act & PAUSE:
            progress.event_paused = True
        elif act & RESUME:
            progress.event_paused = False
        # State-holding: the open cycle is cancelled once its start condition no longer holds.
        if (
            progress.open is not None
            and rules.start_when is not None
            and not rules.start_when.matches(context.attributes)
        ):
            close_cycle(progress, t, position, cancelled=True)
            return
    elif (
        kind == "reopened"
        and rules.reopenable
        and progress.cycles
        and not progress.cycles[-1].cancelled
        and context.policy.reopen == "continue"
    ):
        # The stop is undone: the cycle goes on, not counting while it was solved.
        cycle = progress.cycles[-1]
        assert cycle.end is not None
        cycle.transitions.append(_make(Transition, (cycle.end, False)))
        cycle.end = None
        cycle.context = context
        cycle.events.append(position)
        progress.open = cycle
        progress.event_paused = False
    cycle = progress.open
    if cycle is None:
        # A reopen starts a new cycle under new_cycle, and under continue when the last cycle
        # was cancelled (by a policy that stopped measuring the metric): nothing to continue.
        starts = act & START or (
            kind == "reopened"
            and rules.reopenable
            and bool(progress.cycles)
            and (context.policy.reopen == "new_cycle" or progress.cycles[-1].cancelled)
        )
        if (
            starts
            and (rules.recurring or not progress.cycles or kind == "reopened")
            and (not rules.start_after or progress.started_after)
            and (rules.start_when is None or rules.start_when.matches(context.attributes))
        ):
            open_cycle(progress, t, position, rules, context, status)
        return
    counting = not progress.event_paused and status not in rules.pause_statuses
    if counting and rules.count_statuses is not None:
        counting = status in rules.count_statuses
    if counting and rules.pause_when is not None:
        counting = not rules.pause_when.matches(context.attributes)
    if counting != cycle.transitions[-1].counting:
        cycle.transitions.append(_make(Transition, (t, counting)))
        if cycle.events[-1] != position:
            cycle.events.append(position)


def open_cycle(
    progress: MetricProgress,
    t: int,
    position: int,
    rules: MetricRules,
    context: CycleContext,
    status: str,
    event_paused: bool = False,
) -> None:
    """Start a new cycle of the metric at ``t`` (event ``position``), paused from the start when
    ``event_paused`` (a pause event is still in force).

    >>> from slaclock import Policy
    >>> from slaclock.rules import policy_rules
    >>> policy = Policy(name="p", metrics={"resolution": {}})
    >>> progress = MetricProgress()
    >>> open_cycle(progress, 0, 0, policy_rules(policy).rules[0], CycleContext(policy, {}), "new")
    >>> progress.open is progress.cycles[0], progress.open.transitions
    (True, [Transition(at=0, counting=True)])
    """
    progress.event_paused = event_paused
    counting = rules.counting(status, event_paused)
    if counting and rules.pause_when is not None:
        counting = not rules.pause_when.matches(context.attributes)
    cycle = ReplayedCycle(t, context, context, [_make(Transition, (t, counting))], [position])
    if progress.record is not None:
        cycle.prior = progress.record.transitions
    progress.cycles.append(cycle)
    progress.open = cycle


def record_clocks(
    active: Sequence[tuple[MetricRules, MetricProgress]],
    positions: tuple[int, ...],
    acts: tuple[int, ...],
    status: str,
    attributes: Mapping[str, Any],
    t: int,
) -> None:
    """:func:`record_clock` for the metrics at ``positions`` of ``active`` (those with
    ``retroactive_pause``; ``acts``: each metric's action mask for the event). The replay calls
    it only for a policy that has such metrics. A record changes only with an event that
    touches its metric (a status its rules pause or count by, a pause or resume event, an
    attribute change), as :meth:`~slaclock.replay.TicketReplay.copy_for` expects.

    >>> from slaclock import Policy
    >>> from slaclock.rules import policy_rules
    >>> rules = policy_rules(Policy(name="p", metrics={"resolution": {"pause_statuses": ["pending"]}})).rules[0]
    >>> progress = MetricProgress(record=ClockRecord())
    >>> record_clocks([(rules, progress)], (0,), (0,), "pending", {}, 60)
    >>> progress.record.transitions  # paused from 60
    [Transition(at=60, counting=False)]
    """
    for index in positions:
        rules, progress = active[index]
        if progress.record is not None:
            record_clock(progress.record, rules, acts[index], status, attributes, t)


def record_clock(
    record: ClockRecord,
    rules: MetricRules,
    act: int,
    status: str,
    attributes: Mapping[str, Any],
    t: int,
) -> None:
    """Note in ``record`` the state the metric's clock takes at ``t`` under its pause rules,
    after an event whose action mask is ``act`` left the ticket in ``status`` with
    ``attributes`` (whether a cycle is open or not: starts and stops play no part).

    >>> from slaclock import Policy
    >>> from slaclock.rules import policy_rules
    >>> rules = policy_rules(Policy(name="p", metrics={"resolution": {"pause_statuses": ["pending"]}})).rules[0]
    >>> record = ClockRecord()
    >>> for status, at in [("new", 0), ("pending", 60), ("pending", 90), ("open", 120)]:
    ...     record_clock(record, rules, 0, status, {}, at)
    >>> record.transitions  # counting from 0, paused from 60, counting again from 120
    [Transition(at=0, counting=True), Transition(at=60, counting=False), Transition(at=120, counting=True)]
    """
    if act & PAUSE:
        record.event_paused = True
    elif act & RESUME:
        record.event_paused = False
    counting = rules.counting(status, record.event_paused)
    if counting and rules.pause_when is not None:
        counting = not rules.pause_when.matches(attributes)
    transitions = record.transitions
    if not transitions:
        transitions.append(_make(Transition, (t, counting)))
        return
    last_at, last_counting = transitions[-1]
    if counting == last_counting:
        return
    if last_at == t:  # events at one instant: the last one's state holds from it
        transitions.pop()
        if transitions and transitions[-1].counting == counting:
            return
    transitions.append(_make(Transition, (t, counting)))


def close_cycle(progress: MetricProgress, t: int, position: int, cancelled: bool) -> None:
    """Stop (or cancel) the metric's open cycle at ``t`` (event ``position``).

    >>> from slaclock import Policy
    >>> from slaclock.rules import policy_rules
    >>> policy = Policy(name="p", metrics={"resolution": {}})
    >>> progress = MetricProgress()
    >>> open_cycle(progress, 0, 0, policy_rules(policy).rules[0], CycleContext(policy, {}), "new")
    >>> close_cycle(progress, 90, 2, cancelled=False)
    >>> progress.open, progress.cycles[0].end, progress.cycles[0].events
    (None, 90, [0, 2])
    """
    cycle = progress.open
    assert cycle is not None
    cycle.end = t
    cycle.cancelled = cancelled
    if cycle.events[-1] != position:
        cycle.events.append(position)
    progress.open = None


def copied_progress(metric: MetricProgress) -> MetricProgress:
    """``metric`` with its cycle list, its last cycle and its record copied (what the next
    event may change); earlier cycles are shared.

    >>> from slaclock import Policy
    >>> from slaclock.rules import policy_rules
    >>> policy = Policy(name="p", metrics={"resolution": {}})
    >>> progress = MetricProgress()
    >>> open_cycle(progress, 0, 0, policy_rules(policy).rules[0], CycleContext(policy, {}), "new")
    >>> copy = copied_progress(progress)
    >>> copy.open == progress.open, copy.open is progress.open
    (True, False)
    """
    cycles = list(metric.cycles)
    if cycles:
        last = cycles[-1]
        cycles[-1] = ReplayedCycle(
            last.start,
            last.start_context,
            last.context,
            list(last.transitions),
            list(last.events),
            last.end,
            last.cancelled,
            last.prior,
        )
    record = metric.record
    if record is not None:
        # Its copy: the next event may extend it. The cycles' ``prior`` may stay the old list:
        # they read only its part before their start, which no later event changes.
        record = ClockRecord(list(record.transitions), record.event_paused)
    return MetricProgress(
        cycles,
        None if metric.open is None else cycles[-1],
        metric.started_after,
        metric.event_paused,
        record,
    )
