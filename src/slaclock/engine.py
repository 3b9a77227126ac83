"""The clock engine: one ticket's timeline + a policy -> every metric's cycles, as of an instant.

:func:`evaluate` is a pure function moving data one way, one module per step:

1. :mod:`slaclock.rules` compiles the policy's metric conditions into rules (once per policy).
2. :mod:`slaclock.replay` replays the events in order, keeping the ticket's status, attributes
   and policy, and records each metric's cycles as *transitions* (the instants from which the
   clock counted or was paused), with the events that shaped them.
3. :mod:`slaclock.measure` measures each cycle on its calendar: elapsed and paused business
   time, the due instant, thresholds, state.

The results are immutable :mod:`slaclock.results` values. No I/O, no system clock: the
evaluation instant is an argument.

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
from datetime import datetime
from typing import Any

from slaclock._tz import check_in_range, to_micros
from slaclock.errors import SlaclockError, TimelineWarning, warn_caller
from slaclock.measure import (
    DisplayInstants,
    Measuring,
    display_zone,
    measure_cycle,
    sequential_start,
)
from slaclock.policy import Policy, PolicySet
from slaclock.replay import ReplayedCycle, TicketReplay
from slaclock.results import CycleResult, MetricResult, TicketResult, construct
from slaclock.rules import policy_rules
from slaclock.timeline import Timeline

__all__ = ["evaluate", "ticket_result"]

_OPEN_STATES = frozenset({"running", "paused", "overdue"})


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
    instants = timeline.instants
    if as_of is None:
        as_of = timeline.events[-1].at
        as_of_micros = instants[-1]
    else:
        as_of_micros = to_micros(check_in_range(as_of, "as_of"))
    try:
        # Steps 1 and 2: the rules (compiled once per policy) and the replay of the events.
        replay = TicketReplay(policy, timeline.attributes)
        ignored = replay.replay_events(timeline.events, instants, as_of_micros)
        # Step 3: every cycle measured on its calendar, shown in the ticket's display zone.
        created_zone = timeline.events[0].at.tzinfo
        assert created_zone is not None  # events are validated aware
        shown = DisplayInstants(display_zone(replay.policy, replay.attributes, created_zone))
        measuring = Measuring(as_of_micros, shown, explain)
        result = ticket_result(timeline.ticket_id, replay, measuring, as_of, instants[0], ignored)
    except SlaclockError as exc:  # name the ticket: in a batch, the message is all one sees
        exc.args = (f"ticket {timeline.ticket_id!r}: {exc}", *exc.args[1:])
        raise
    if replay.unknown:
        _warn_unknown(timeline.ticket_id, replay)
    return result


def ticket_result(
    ticket_id: str,
    replay: TicketReplay,
    measuring: Measuring,
    as_of: datetime,
    created_at: int,
    ignored: int,
) -> TicketResult:
    """Step 3 and the result: every metric of a replayed ticket measured as of
    ``measuring.as_of``, with the ticket's facts. :func:`evaluate` and the incremental
    :class:`~slaclock.streaming.TicketClock` both end here, so they give the same result.
    ``created_at`` is the ``created`` event's instant, ``ignored`` the events left out.

    >>> from datetime import timezone
    >>> from slaclock import Policy, Timeline
    >>> policy = Policy(name="p", metrics={"resolution": {"targets": {"normal": "8h"}}})
    >>> ticket = Timeline.model_validate({"ticket_id": "T-3", "attributes": {"priority": "normal"},
    ...     "events": [{"at": "2025-01-01T09:00:00Z", "kind": "created"}]})
    >>> replay = TicketReplay(policy, ticket.attributes)
    >>> replay.replay_events(ticket.events, ticket.instants, ticket.instants[0])
    0
    >>> as_of = ticket.instants[0] + 3_600_000_000  # one hour later
    >>> measuring = Measuring(as_of, DisplayInstants(timezone.utc), False)
    >>> result = ticket_result("T-3", replay, measuring, ticket.events[0].at, ticket.instants[0], 0)
    >>> result.resolution.cycles[0].elapsed, result.escalation_at.isoformat()  # due at 17:00
    (datetime.timedelta(seconds=3600), '2025-01-01T17:00:00+00:00')
    """
    metrics: dict[str, MetricResult] = {}
    escalation_at: datetime | None = None  # the earliest due instant of an open cycle
    chained = _sequential_metrics(replay.policies)
    for name, progress in replay.reported_metrics():
        cycles = _measure_cycles(name, progress.cycles, measuring, name in chained)
        metrics[name] = construct(MetricResult, {"name": name, "cycles": cycles})
        if cycles:  # only a metric's last cycle can be open
            last = cycles[-1]
            due_at = last.due_at
            if (
                due_at is not None
                and last.state in _OPEN_STATES
                and (escalation_at is None or due_at < escalation_at)
            ):
                escalation_at = due_at
    policy = replay.policy
    facts = replay.facts
    shown = measuring.shown
    solved_at, closed_at = facts.solved_at, facts.closed_at
    return construct(
        TicketResult,
        {
            "ticket_id": ticket_id,
            "policy": None if policy is None else policy.name,
            "policy_version": None if policy is None else policy.version,
            "as_of": as_of,
            "metrics": metrics,
            "ignored_events": ignored,
            # Sorted by name: the same ticket gives the same result whatever its input order.
            "attributes": dict(sorted(replay.attributes.items())),
            "created_at": shown[created_at],
            "status": facts.status,
            "solved_at": None if solved_at is None else shown[solved_at],
            "closed_at": None if closed_at is None else shown[closed_at],
            "public_agent_replies": facts.public_agent_replies,
            "reopens": facts.reopens,
            "escalation_at": escalation_at,
        },
    )


def _measure_cycles(
    metric: str, cycles: list[ReplayedCycle], measuring: Measuring, chained: bool
) -> tuple[CycleResult, ...]:
    """Step 3 for one metric: each cycle measured; under a sequential recurrence (``chained``:
    some policy makes the metric's recurrence sequential) a cycle counts from the previous
    cycle's due instant at the earliest."""
    if len(cycles) == 1:  # most metrics: nothing to chain
        return (measure_cycle(metric, 0, cycles[0], measuring),)
    if not chained:
        return tuple([measure_cycle(metric, i, cycle, measuring) for i, cycle in enumerate(cycles)])
    results: list[CycleResult] = []
    not_before: int | None = None
    last = len(cycles) - 1
    for i, cycle in enumerate(cycles):
        result = measure_cycle(metric, i, cycle, measuring, not_before)
        results.append(result)
        # The policy in force at the next cycle decides whether it is chained to this one.
        due = None if result.due_at is None else to_micros(result.due_at)
        not_before = sequential_start(metric, cycles[i + 1], due) if i < last else None
    return tuple(results)


def _sequential_metrics(policies: Policy | PolicySet) -> frozenset[str]:
    """The metrics some policy measures with a sequential recurrence."""
    if isinstance(policies, Policy):
        return policy_rules(policies).sequential
    return frozenset().union(*(policy_rules(one).sequential for one in policies.policies))


def _warn_unknown(ticket_id: str, replay: TicketReplay) -> None:
    """One :class:`~slaclock.errors.TimelineWarning` per kind of problem the replay met, at the
    user's line (:func:`~slaclock.errors.warn_caller`)."""
    for problem, reasons in replay.unknown.items():
        warn_caller(TimelineWarning(ticket_id, problem, reasons))
