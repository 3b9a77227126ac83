"""Hypothesis invariants of the engine on random synthetic tickets."""

from __future__ import annotations

import random
from datetime import datetime, timedelta, timezone

from hypothesis import given
from hypothesis import strategies as st

from slaclock import Policy, TicketResult, Timeline, evaluate
from slaclock._tz import to_micros
from slaclock.synthetic import DEFAULT_POLICY, generate_timelines

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

tickets = st.builds(
    lambda seed, exchanges: next(generate_timelines(1, seed=seed, exchanges=exchanges)),
    st.integers(0, 100_000),
    st.integers(1, 5),
)
hours_after = st.integers(0, 24 * 20)


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


@given(ticket=tickets, seed=st.integers(0, 1000))
def test_reordering_unrelated_same_instant_events_changes_nothing(
    ticket: Timeline, seed: int
) -> None:
    """Notes added at the instant of other events, in any order around them, change nothing."""
    rng = random.Random(seed)
    events = [e.model_dump() for e in ticket.events]
    for event in list(events[1:]):
        if rng.random() < 0.5:
            note = {"at": event["at"], "kind": "note_added"}
            events.insert(events.index(event) + rng.choice((0, 1)), note)
    noted = Timeline(ticket_id=ticket.ticket_id, attributes=ticket.attributes, events=events)
    as_of = ticket.events[-1].at
    base = evaluate(DEFAULT_POLICY, ticket, as_of)
    other = evaluate(DEFAULT_POLICY, noted, as_of)
    strip = lambda r: [c.model_dump(exclude={"events"}) for c in _cycles(r)]  # noqa: E731
    assert strip(base) == strip(other)


@given(ticket=tickets, hours=hours_after)
def test_results_policies_and_timelines_round_trip(ticket: Timeline, hours: int) -> None:
    """Result, policy and timeline each load back equal from their JSON form."""
    result = evaluate(DEFAULT_POLICY, ticket, _later(ticket.events[-1].at, hours), explain=True)
    assert result == TicketResult.model_validate_json(result.model_dump_json())
    assert ticket == Timeline.model_validate_json(ticket.model_dump_json())
    assert DEFAULT_POLICY == Policy.model_validate_json(DEFAULT_POLICY.model_dump_json())
