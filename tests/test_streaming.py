"""Tests of slaclock.streaming: the streaming clock agrees with the reference model and with
itself rebuilt from its stored text, at every step."""

from __future__ import annotations

import json
import random
from datetime import datetime, timedelta, timezone

import pytest
from hypothesis import given
from hypothesis import strategies as st

from slaclock import Policy, PolicySet, TicketClock, TicketResult, Timeline
from slaclock.errors import TimelineError
from slaclock.synthetic import DEFAULT_POLICY, generate_timelines
from tests.engine_model import MODEL_POLICY, evaluate_model, model_summary, result_summary
from tests.strategies import QUARTER, model_tickets

UTC = timezone.utc
MICRO = timedelta(microseconds=1)
POLICY = Policy.model_validate(
    {
        "name": "stream",
        "calendar": {"timezone": "Europe/Berlin", "hours": {"mon-fri": [["09:00", "17:00"]]}},
        "metrics": {
            "first_response": {
                "targets": {"normal": "1h"},
                "thresholds": [{"name": "warn", "at_percent": 50}],
            },
            "resolution": {"targets": {"normal": "8h"}},
        },
    }
)


def test_first_event_must_be_created() -> None:
    """A clock refuses a first event other than 'created', naming the ticket."""
    clock = TicketClock(POLICY, ticket_id="T-1", attributes={"priority": "normal"})
    with pytest.raises(TimelineError, match="first event of ticket 'T-1' is 'agent_replied'"):
        clock.add({"at": "2025-01-06T09:00:00+00:00", "kind": "agent_replied"})


def test_add_returns_a_new_clock() -> None:
    """add() leaves the original clock unchanged."""
    clock = TicketClock(POLICY, ticket_id="T-1", attributes={"priority": "normal"})
    later = clock.add({"at": "2025-01-06T09:00:00+00:00", "kind": "created"})
    assert () == clock.events
    assert 1 == len(later.events)


def test_next_deadline_is_the_warning_then_the_due_instant() -> None:
    """Created Mon 09:00 Berlin (08:00Z), 1h target: warning at 50% (08:30Z), due 09:00Z."""
    clock = TicketClock(POLICY, ticket_id="T-1", attributes={"priority": "normal"}).add(
        {"at": "2025-01-06T08:00:00+00:00", "kind": "created"}
    )
    first = clock.next_deadline()
    assert first is not None
    assert (datetime(2025, 1, 6, 8, 30, tzinfo=UTC), "threshold", "warn") == (
        first.at,
        first.kind,
        first.name,
    )
    second = clock.next_deadline(after=first.at)
    assert second is not None
    assert (datetime(2025, 1, 6, 9, 0, tzinfo=UTC), "first_response", "due") == (
        second.at,
        second.metric,
        second.name,
    )


def test_next_deadline_skips_paused_and_stopped_cycles() -> None:
    """After the reply and a solve nothing is left to schedule."""
    clock = TicketClock(POLICY, ticket_id="T-1", attributes={"priority": "normal"})
    for event in (
        {"at": "2025-01-06T08:00:00+00:00", "kind": "created"},
        {"at": "2025-01-06T08:10:00+00:00", "kind": "agent_replied"},
        {"at": "2025-01-06T08:20:00+00:00", "kind": "solved"},
    ):
        clock = clock.add(event)
    assert clock.next_deadline() is None


def test_state_round_trips_through_json_text() -> None:
    """to_json() is plain JSON; from_json() rebuilds an equal clock."""
    clock = TicketClock(POLICY, ticket_id="T-1", attributes={"priority": "normal"}).add(
        {"at": "2025-01-06T08:00:00+00:00", "kind": "created", "id": "e1"}
    )
    text = json.dumps(clock.to_json())
    assert clock == TicketClock.from_json(json.loads(text), POLICY)


@given(model_tickets(), st.integers(0, 4 * 24 * 3))
def test_clock_agrees_with_the_reference_model_at_every_step(
    case: tuple[Timeline, datetime], quarters: int
) -> None:
    """Fed one event at a time and stored as JSON text between events, the clock's result at
    every step agrees with the quarter-hour reference model (tests/engine_model.py) on the
    events so far, as of some quarter hours after the last one."""
    timeline, _ = case
    clock = TicketClock(MODEL_POLICY, timeline.ticket_id, timeline.attributes)
    for count, event in enumerate(timeline.events, start=1):
        text = json.dumps(clock.add(event).to_json())
        clock = TicketClock.from_json(json.loads(text), MODEL_POLICY)
        prefix = Timeline(
            ticket_id=timeline.ticket_id,
            attributes=timeline.attributes,
            events=timeline.events[:count],
        )
        as_of = event.at.astimezone(UTC) + QUARTER * quarters
        expected = model_summary(evaluate_model(prefix, as_of))
        assert expected == result_summary(clock.result(as_of))


@given(seed=st.integers(0, 10_000), as_of_hours=st.integers(0, 400))
def test_clock_rebuilt_from_its_text_gives_the_same_results(seed: int, as_of_hours: int) -> None:
    """A clock kept in memory and one stored as JSON text and rebuilt after every event give
    the same result, and the same next deadline, at every step."""
    timeline = next(generate_timelines(1, seed=seed))
    kept = stored = TicketClock(DEFAULT_POLICY, timeline.ticket_id, timeline.attributes)
    for event in timeline.events:
        kept = kept.add(event)
        text = json.dumps(stored.add(event).to_json())
        stored = TicketClock.from_json(json.loads(text), DEFAULT_POLICY)
        as_of = event.at.astimezone(UTC) + timedelta(hours=as_of_hours)
        assert kept.result(as_of) == stored.result(as_of)
        assert kept.next_deadline() == stored.next_deadline()


#: Two policies picked by group: billing gets tighter targets (a group change re-selects).
POLICIES = PolicySet(
    policies=[
        DEFAULT_POLICY.model_copy(
            update={
                "name": "billing",
                "conditions": {"group": "billing"},
                "metrics": {
                    **DEFAULT_POLICY.model_dump()["metrics"],
                    "first_response": {
                        "targets": {"urgent": "30m", "high": "1h", "normal": "2h", "low": "4h"},
                        "thresholds": [{"name": "warning", "at_percent": 50}],
                    },
                },
            }
        ),
        DEFAULT_POLICY,
    ]
)


def _moved(timeline: Timeline, seed: int) -> Timeline:
    """The ticket with its group changed at one of its events' instants."""
    rng = random.Random(seed)
    at = rng.choice(timeline.events).at
    group = rng.choice(("billing", "sales"))
    change = {"at": at, "kind": "attributes_changed", "attributes": {"group": group}}
    return timeline.with_events(change)


def _summary(result: TicketResult) -> list[tuple[str, int, str, list[bool]]]:
    return [
        (c.metric, c.index, c.state, [t.reached for t in c.thresholds]) for c in result.cycles()
    ]


@given(seed=st.integers(0, 10_000), hours=st.integers(0, 72))
def test_next_deadline_is_when_the_result_next_changes(seed: int, hours: int) -> None:
    """Under a policy set, with a group change: a clock rebuilt from its JSON text gives the same
    result at every step; and, for
    the clock cut at a random event, from `after` nothing changes until next_deadline(after); at it a threshold is reached or, just
    after it, the cycle is overdue. With no deadline nothing changes for a year."""
    timeline = _moved(next(generate_timelines(1, seed=seed)), seed)
    cut = random.Random(seed).randrange(len(timeline.events)) + 1  # the clock as of some event
    clock = TicketClock(POLICIES, timeline.ticket_id, timeline.attributes)
    for event in timeline.events[:cut]:
        clock = clock.add(event)
        rebuilt = TicketClock.from_json(json.loads(json.dumps(clock.to_json())), POLICIES)
        assert rebuilt.result() == clock.result()
    after = clock.events[-1].at + timedelta(hours=hours)
    deadline = clock.next_deadline(after)
    # A cycle due at `after` itself turns overdue just after it (that deadline is not "after").
    now = _summary(clock.result(after + MICRO))
    if deadline is None:
        assert now == _summary(clock.result(after + timedelta(days=365)))
        return
    assert now == _summary(clock.result(deadline.at - MICRO))
    cycle = clock.result(deadline.at + MICRO).metrics[deadline.metric].cycles[deadline.cycle]
    if deadline.kind == "due":
        assert "overdue" == cycle.state
    else:
        reached = clock.result(deadline.at).metrics[deadline.metric].cycles[deadline.cycle]
        assert [True] == [t.reached for t in reached.thresholds if t.name == deadline.name]
