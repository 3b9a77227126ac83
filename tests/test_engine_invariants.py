"""Hypothesis invariants of the engine on random synthetic tickets."""

from __future__ import annotations

import itertools
import random
from datetime import datetime, timedelta, timezone

from hypothesis import given
from hypothesis import strategies as st

from slaclock import Event, Policy, PolicySet, TicketResult, Timeline, evaluate
from slaclock._tz import to_micros
from slaclock.synthetic import DEFAULT_POLICY
from tests.strategies import hours_after, synthetic_tickets

CALENDAR = {"timezone": "Europe/Berlin", "hours": {"mon-fri": [["09:00", "17:00"]]}}
NO_PAUSE = Policy.model_validate(
    {
        "name": "no-pause",
        "calendar": CALENDAR,
        "metrics": {
            "resolution": {"targets": dict.fromkeys(("urgent", "high", "normal", "low"), "6h")}
        },
    }
)
PAUSING = NO_PAUSE.model_copy(
    update={
        "name": "pausing",
        "metrics": {
            "resolution": {
                "targets": dict.fromkeys(("urgent", "high", "normal", "low"), "6h"),
                "pause_statuses": ["pending"],
            }
        },
    }
)

tickets = synthetic_tickets


def _later(value: datetime, hours: int) -> datetime:
    """``hours`` of real time after ``value`` (arithmetic in UTC: aware + timedelta in a ZoneInfo
    zone moves the wall clock and may land in a DST gap)."""
    return value.astimezone(timezone.utc) + timedelta(hours=hours)


def _cycles(result: TicketResult) -> list:  # type: ignore[type-arg]
    return [c for m in result.metrics.values() for c in m.cycles]


@given(ticket=tickets, hours=hours_after)
def test_due_never_before_start_and_met_iff_stopped_by_due(ticket: Timeline, hours: int) -> None:
    """For every cycle: due_at >= started_at; met iff stopped at or before due; breached iff after."""
    as_of = _later(ticket.events[-1].at, hours)
    for cycle in _cycles(evaluate(DEFAULT_POLICY, ticket, as_of)):
        if cycle.due_at is not None:
            assert to_micros(cycle.due_at) >= to_micros(cycle.started_at)
        if cycle.state in ("met", "breached"):
            assert cycle.stopped_at is not None and cycle.due_at is not None
            on_time = to_micros(cycle.stopped_at) <= to_micros(cycle.due_at)
            assert on_time == (cycle.state == "met")


@given(ticket=tickets)
def test_without_pauses_due_is_calendar_add(ticket: Timeline) -> None:
    """With no pause, due == calendar.add(start, target) (the policy pauses on nothing; a cycle
    reopened after a solve is paused while solved, so only unpaused cycles are checked)."""
    calendar = NO_PAUSE.calendar_named(None, {})
    for cycle in _cycles(evaluate(NO_PAUSE, ticket)):
        assert cycle.target is not None
        if cycle.paused:
            continue
        assert to_micros(calendar.add(cycle.started_at, cycle.target)) == to_micros(cycle.due_at)


@given(ticket=tickets)
def test_pausing_never_makes_due_earlier(ticket: Timeline) -> None:
    """The same ticket with pending pausing the clock is due no earlier than without."""
    plain = evaluate(NO_PAUSE, ticket).resolution.cycles[0]
    paused = evaluate(PAUSING, ticket).resolution.cycles[0]
    if paused.due_at is not None:
        assert to_micros(paused.due_at) >= to_micros(plain.due_at)
    assert paused.elapsed <= plain.elapsed


#: Events no condition of the default policy looks at (a private reply stops nothing).
INERT = ({"kind": "note_added"}, {"kind": "assigned"}, {"kind": "agent_replied", "public": False})


def _by_id(result: TicketResult, timeline: Timeline) -> list[dict]:  # type: ignore[type-arg]
    """The cycles, with the events that shaped each named by id (positions differ by order)."""
    ids = [event.id for event in timeline.events]
    return [
        {**c.model_dump(exclude={"events"}), "events": [ids[i] for i in c.events]}
        for c in _cycles(result)
    ]


@given(ticket=tickets, seed=st.integers(0, 10_000))
def test_reordering_unrelated_same_instant_events_changes_nothing(
    ticket: Timeline, seed: int
) -> None:
    """Events the policy does not look at, added at the instants of other events, and each
    same-instant group shuffled (the events that matter keep their relative order): every
    cycle is the same, and so are the events that shaped it."""
    rng = random.Random(seed)
    events = [{**e.model_dump(), "id": f"e{n}"} for n, e in enumerate(ticket.events)]
    for n, event in enumerate(list(events)):
        for k in range(rng.choice((0, 0, 1, 2))):
            events.append({**rng.choice(INERT), "at": event["at"], "id": f"e{n}-{k}"})
    base = Timeline(ticket_id="T", attributes=ticket.attributes, events=events)
    shuffled = []
    for _, group in itertools.groupby(base.events, key=lambda e: to_micros(e.at)):
        members = list(group)
        inert = [e for e in members if _is_inert(e)]
        rest = iter(e for e in members if not _is_inert(e))
        slots = [True] * len(inert) + [False] * (len(members) - len(inert))
        rng.shuffle(slots)
        rng.shuffle(inert)
        shuffled += [inert.pop() if is_inert else next(rest) for is_inert in slots]
    if shuffled[0].kind != "created":  # 'created' leads whatever the order; keep it first
        shuffled.remove(base.events[0])
        shuffled.insert(0, base.events[0])
    other = Timeline(ticket_id="T", attributes=ticket.attributes, events=shuffled)
    as_of = ticket.events[-1].at
    assert _by_id(evaluate(DEFAULT_POLICY, base, as_of), base) == _by_id(
        evaluate(DEFAULT_POLICY, other, as_of), other
    )


def _is_inert(event: Event) -> bool:
    return event.kind in ("note_added", "assigned") or (
        event.kind == "agent_replied" and event.public is False
    )


@given(ticket=tickets, hours=hours_after)
def test_results_policies_and_timelines_round_trip(ticket: Timeline, hours: int) -> None:
    """Result, policy and timeline each load back equal from their JSON form."""
    result = evaluate(DEFAULT_POLICY, ticket, _later(ticket.events[-1].at, hours), explain=True)
    assert result == TicketResult.model_validate_json(result.model_dump_json())
    assert ticket == Timeline.model_validate_json(ticket.model_dump_json())
    assert DEFAULT_POLICY == Policy.model_validate_json(DEFAULT_POLICY.model_dump_json())


#: The default policy for the billing group; the rest measure agent work only (no metric in
#: common, so every default metric is added when a ticket moves into billing).
MOVING = PolicySet(
    policies=[
        DEFAULT_POLICY.model_copy(update={"conditions": {"group": "billing"}}),
        Policy.model_validate(
            {
                "name": "elsewhere",
                "calendar": DEFAULT_POLICY.model_dump()["calendar"],
                "metrics": {
                    "agent_work": {
                        "targets": dict.fromkeys(("urgent", "high", "normal", "low"), "8h")
                    }
                },
            }
        ),
    ]
)


@given(
    ticket=tickets,
    seed=st.integers(0, 10_000),
    hours=hours_after,
    rule=st.sampled_from(["recompute", "keep"]),
)
def test_moving_into_a_policy_is_like_having_been_in_it_from_the_start(
    ticket: Timeline, seed: int, hours: int, rule: str
) -> None:
    """recompute or keep: a ticket moved into billing at one of its events' instants has the
    same default-metric cycles as the same ticket in billing from its creation (the move itself
    shows only in the events that shaped a running cycle)."""
    billing = MOVING.policies[0].model_copy(update={"priority_change": rule})
    policies = PolicySet(policies=[billing, MOVING.policies[1]])
    rng = random.Random(seed)
    start = {**ticket.attributes, "group": "sales"}
    move = {
        "at": rng.choice(ticket.events).at,
        "kind": "attributes_changed",
        "attributes": {"group": "billing"},
    }
    moved = Timeline(ticket_id="T", attributes=start, events=[*ticket.events, move])
    always = Timeline(ticket_id="T", attributes={**start, "group": "billing"}, events=ticket.events)
    as_of = _later(ticket.events[-1].at, hours)
    after_move = evaluate(policies, moved, as_of)
    from_start = evaluate(policies, always, as_of)
    strip = lambda r: {  # noqa: E731
        name: [c.model_dump(exclude={"events"}) for c in m.cycles]
        for name, m in r.metrics.items()
        if name != "agent_work"
    }
    assert strip(from_start) == strip(after_move)
