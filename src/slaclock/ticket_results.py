"""Step 3's end: a replayed ticket's metrics measured into a :class:`~slaclock.results.TicketResult`
with the ticket's facts. :func:`slaclock.evaluate` and the incremental
:class:`~slaclock.streaming.TicketClock` both end here, so they give the same result.

>>> from slaclock import Policy, evaluate
>>> policy = Policy(name="p", metrics={"resolution": {"targets": {"normal": "8h"}}})
>>> result = evaluate(policy, {"ticket_id": "T", "attributes": {"priority": "normal"},
...                            "events": [{"at": "2025-01-01T09:00:00Z", "kind": "created"}]})
>>> result.status, result.escalation_at.isoformat()  # a fact, and the earliest open due instant
('new', '2025-01-01T17:00:00+00:00')
"""

from __future__ import annotations

from datetime import datetime

from slaclock._tz import to_micros
from slaclock.measure import Measuring, measure_cycle, sequential_start
from slaclock.policy import Policy, PolicySet
from slaclock.replay import ReplayedCycle, TicketReplay
from slaclock.results import CycleResult, MetricResult, TicketResult, construct
from slaclock.rules import policy_rules

__all__ = ["ticket_result"]

_OPEN_STATES = frozenset({"running", "paused", "overdue"})


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
    >>> from slaclock.measure import DisplayInstants
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
