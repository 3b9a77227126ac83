"""The replay step alone (slaclock.replay): events -> each metric's cycles and the ticket's facts.

Instants are integer microseconds (UTC); the cycles are checked as transitions, before any
calendar measures them. Times are UTC on Monday 3 March 2025 unless said otherwise.
"""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from typing import Any
from zoneinfo import ZoneInfo

from hypothesis import given
from hypothesis import strategies as st

from slaclock import Policy, PolicySet, Timeline, evaluate
from slaclock._tz import to_micros
from slaclock.replay import ReplayedCycle, TicketReplay, Transition

MIN = 60_000_000  # one minute in microseconds
T0 = datetime(2025, 3, 3, 9, tzinfo=timezone.utc)
T0_US = to_micros(T0)


def ticket(
    *events: tuple[int, str] | tuple[int, str, dict[str, Any]], **attributes: Any
) -> Timeline:
    """Events as (minutes after Mon 3 March 09:00 UTC, kind[, fields])."""
    rows = []
    for item in events:
        extra: dict[str, Any] = item[2] if len(item) == 3 else {}  # type: ignore[misc]
        rows.append({"at": T0 + timedelta(minutes=item[0]), "kind": item[1], **extra})
    return Timeline(ticket_id="T", attributes={"priority": "normal", **attributes}, events=rows)


def replay(
    policy: Policy | PolicySet, timeline: Timeline, as_of_minutes: int | None = None
) -> tuple[TicketReplay, int]:
    """The replay of ``timeline`` up to ``as_of_minutes`` (default: its last event)."""
    state = TicketReplay(policy, timeline.attributes)
    as_of = timeline.instants[-1] if as_of_minutes is None else T0_US + as_of_minutes * MIN
    ignored = state.replay_events(timeline.events, timeline.instants, as_of)
    return state, ignored


def minutes(cycle: ReplayedCycle) -> list[tuple[int, bool]]:
    """The cycle's transitions as (minutes after T0, counting)."""
    return [((t.at - T0_US) // MIN, t.counting) for t in cycle.transitions]


def one(metric: str, **options: Any) -> Policy:
    return Policy.model_validate(
        {"name": "p", "metrics": {metric: {"targets": {"normal": "8h"}, **options}}}
    )


# ---------------------------------------------------------------------------------------------
# Cycles as transitions
def test_pause_statuses_make_paused_transitions() -> None:
    """requester_wait: counts 0-60, paused while pending 60-120, counts again 120-180 (solved)."""
    state, ignored = replay(
        one("requester_wait"),
        ticket(
            (0, "created"),
            (60, "status_changed", {"status": "pending"}),
            (120, "status_changed", {"status": "open"}),
            (180, "solved"),
        ),
    )
    (cycle,) = state.progress["requester_wait"].cycles
    assert [(0, True), (60, False), (120, True)] == minutes(cycle)
    assert (T0_US + 180 * MIN, False) == (cycle.end, cycle.cancelled)
    assert [0, 1, 2, 3] == cycle.events
    assert 0 == ignored


def test_private_reply_does_not_stop_first_response() -> None:
    """first_response stops at the public reply (minute 30), not the private one (minute 10)."""
    state, _ = replay(
        one("first_response"),
        ticket((0, "created"), (10, "agent_replied", {"public": False}), (30, "agent_replied")),
    )
    (cycle,) = state.progress["first_response"].cycles
    assert (T0_US + 30 * MIN, [0, 2]) == (cycle.end, cycle.events)


def test_reopen_continue_undoes_the_stop_with_a_paused_gap() -> None:
    """reopen: continue -> one cycle: counts 0-60, paused while solved 60-90, counts from 90."""
    state, _ = replay(one("resolution"), ticket((0, "created"), (60, "solved"), (90, "reopened")))
    (cycle,) = state.progress["resolution"].cycles
    assert [(0, True), (60, False), (90, True)] == minutes(cycle)
    assert cycle.end is None and state.progress["resolution"].open is cycle


def test_reopen_new_cycle_starts_a_second_cycle() -> None:
    """reopen: new_cycle -> the first cycle stays stopped at 60; a second starts at 90."""
    policy = one("resolution").model_copy(update={"reopen": "new_cycle"})
    state, _ = replay(policy, ticket((0, "created"), (60, "solved"), (90, "reopened")))
    first, second = state.progress["resolution"].cycles
    assert (T0_US + 60 * MIN, [(0, True)]) == (first.end, minutes(first))
    assert (None, [(90, True)]) == (second.end, minutes(second))


def test_pause_and_resume_events() -> None:
    """A custom metric paused by a note and resumed by a customer reply: 0-20 counts, 20-50 not."""
    policy = Policy.model_validate(
        {
            "name": "p",
            "metrics": {
                "handling": {
                    "definition": {
                        "start": "created",
                        "stop": "solved",
                        "pause": "note_added",
                        "resume": "customer_replied",
                    }
                }
            },
        }
    )
    state, _ = replay(
        policy, ticket((0, "created"), (20, "note_added"), (50, "customer_replied"), (70, "solved"))
    )
    (cycle,) = state.progress["handling"].cycles
    assert [(0, True), (20, False), (50, True)] == minutes(cycle)


def test_events_after_as_of_are_left_out_and_counted() -> None:
    """as_of at minute 45: the reply at 60 and the solve at 90 are ignored (2 events)."""
    state, ignored = replay(
        one("first_response"), ticket((0, "created"), (60, "agent_replied"), (90, "solved")), 45
    )
    (cycle,) = state.progress["first_response"].cycles
    assert (None, 2) == (cycle.end, ignored)
    assert ("new", 0) == (state.facts.status, state.facts.public_agent_replies)


def test_restart_cancels_the_running_cycle_and_starts_anew() -> None:
    """priority_change: restart -> the change at 30 cancels cycle 0 and starts cycle 1 at 30."""
    policy = Policy.model_validate(
        {
            "name": "p",
            "priority_change": "restart",
            "metrics": {"resolution": {"targets": {"normal": "8h", "high": "4h"}}},
        }
    )
    state, _ = replay(
        policy, ticket((0, "created"), (30, "priority_changed", {"priority": "high"}))
    )
    first, second = state.progress["resolution"].cycles
    assert (T0_US + 30 * MIN, True) == (first.end, first.cancelled)
    assert (T0_US + 30 * MIN, "high") == (second.start, second.context.attributes["priority"])
    assert "normal" == first.context.attributes["priority"]


def test_a_policy_that_comes_into_force_replays_its_new_metric_from_the_start() -> None:
    """Moved into billing at 30: billing's first_response is replayed from created (minute 0)."""
    policies = PolicySet.model_validate(
        [
            {
                "name": "billing",
                "conditions": {"group": "billing"},
                "metrics": {"first_response": {"targets": {"normal": "1h"}}},
            },
            {"name": "other", "metrics": {"resolution": {"targets": {"normal": "8h"}}}},
        ]
    )
    state, _ = replay(
        policies,
        ticket((0, "created"), (30, "attributes_changed", {"attributes": {"group": "billing"}})),
    )
    assert state.policy is not None and "billing" == state.policy.name
    (response,) = state.progress["first_response"].cycles
    (resolution,) = state.progress["resolution"].cycles
    assert [(0, True)] == minutes(response) and response.end is None
    # the old policy's metric is cancelled at the change
    assert (T0_US + 30 * MIN, True) == (resolution.end, resolution.cancelled)
    assert ["first_response", "resolution"] == [name for name, _ in state.reported_metrics()]


def test_transition_is_named() -> None:
    """A transition reads by name and still unpacks as (at, counting)."""
    at, counting = Transition(5, False)
    assert (5, False) == (at, counting) == (Transition(5, False).at, Transition(5, False).counting)


# ---------------------------------------------------------------------------------------------
# The ticket's facts
def test_facts_of_a_solved_reopened_and_closed_ticket() -> None:
    """Two public replies (one private left out), solved 60, reopened 90, solved 120, closed 150."""
    state, _ = replay(
        one("resolution"),
        ticket(
            (0, "created"),
            (10, "agent_replied"),
            (20, "agent_replied", {"public": False}),
            (30, "customer_replied"),
            (40, "agent_replied"),
            (60, "solved"),
            (90, "reopened"),
            (120, "solved"),
            (150, "closed"),
        ),
    )
    facts = state.facts
    assert ("closed", 2, 1) == (facts.status, facts.public_agent_replies, facts.reopens)
    # solved_at is the last move into solved (120), kept by the close at 150
    assert (T0_US + 120 * MIN, T0_US + 150 * MIN) == (facts.solved_at, facts.closed_at)


def test_solved_at_is_none_once_reopened() -> None:
    """As of 100 (after the reopen at 90, before the second solve): open, not solved."""
    timeline = ticket((0, "created"), (60, "solved"), (90, "reopened"), (120, "solved"))
    state, _ = replay(one("resolution"), timeline, 100)
    assert ("open", None, None, 1) == (
        state.facts.status,
        state.facts.solved_at,
        state.facts.closed_at,
        state.facts.reopens,
    )


def test_status_changed_into_solved_counts_as_a_solve() -> None:
    """status_changed to 'solved' at 45 sets solved_at; a repeat at 50 (no change) keeps 45."""
    state, _ = replay(
        one("resolution"),
        ticket(
            (0, "created"),
            (45, "status_changed", {"status": "solved"}),
            (50, "status_changed", {"status": "solved"}),
        ),
    )
    assert (T0_US + 45 * MIN, None) == (state.facts.solved_at, state.facts.closed_at)


def test_result_facts_are_shown_in_the_result_zone() -> None:
    """evaluate puts the facts on the result, in the policy calendar's zone (Berlin, +01:00)."""
    policy = Policy.model_validate(
        {
            "name": "p",
            "calendar": {"timezone": "Europe/Berlin", "hours": {"mon-fri": "09:00-17:00"}},
            "metrics": {"resolution": {"targets": {"normal": "8h"}}},
        }
    )
    result = evaluate(policy, ticket((0, "created"), (60, "solved"), (90, "closed")))
    assert "2025-03-03T10:00:00+01:00" == result.created_at.isoformat()  # 09:00Z
    assert "2025-03-03T11:00:00+01:00" == result.solved_at.isoformat()  # 10:00Z
    assert "2025-03-03T11:30:00+01:00" == result.closed_at.isoformat()  # 10:30Z
    assert result.solved and "closed" == result.status


def test_attributes_merge_the_same_way_from_either_shape() -> None:
    """Top-level attributes and attributes on 'created' give the same result, changes included."""
    policy = Policy.model_validate(
        {"name": "p", "metrics": {"resolution": {"targets": {"normal": "8h", "high": "2h"}}}}
    )
    events: list[dict[str, Any]] = [
        {"at": "2025-03-03T09:00Z", "kind": "created"},
        {"at": "2025-03-03T09:30Z", "kind": "attributes_changed",
         "attributes": {"channel": None, "tier": "gold"}},
        {"at": "2025-03-03T09:40Z", "kind": "priority_changed", "priority": "high"},
    ]  # fmt: skip
    top_level = Timeline.model_validate(
        {"ticket_id": "T", "events": events,
         "attributes": {"priority": "normal", "group": "billing", "channel": "mail"}}
    )  # fmt: skip
    on_created = Timeline.model_validate(
        {"ticket_id": "T", "events": [
            {**events[0], "priority": "normal", "attributes": {"group": "billing", "channel": "mail"}},
            *events[1:]]}
    )  # fmt: skip
    expected = {"group": "billing", "priority": "high", "tier": "gold"}  # channel removed
    first, second = evaluate(policy, top_level), evaluate(policy, on_created)
    assert expected == first.attributes == second.attributes
    assert first.model_dump() == second.model_dump()


def test_a_solve_after_as_of_across_a_dst_fold_is_not_counted() -> None:
    """New York falls back on 2 Nov 2025 (02:00 EDT -> 01:00 EST). A solve at 01:30 EST (06:30Z)
    is after an as_of of 01:45 EDT (05:45Z), though its wall clock reads earlier."""
    ny = ZoneInfo("America/New_York")
    timeline = Timeline.model_validate(
        {
            "ticket_id": "T",
            "attributes": {"priority": "normal"},
            "events": [
                {"at": "2025-11-02T00:30:00-04:00", "kind": "created"},
                {"at": "2025-11-02T01:30:00-05:00", "kind": "solved"},
            ],
        }
    )
    as_of = datetime(2025, 11, 2, 1, 45, tzinfo=ny)  # fold=0: EDT
    solved = timeline.events[1].at.astimezone(ny)
    assert solved < as_of  # the wall clocks compare the wrong way round...
    result = evaluate(one("resolution"), timeline, as_of=as_of)
    # ...the engine compares instants: the solve is left out.
    assert ("new", None, 1) == (result.status, result.solved_at, result.ignored_events)
    assert "running" == result.resolution.state


# ---------------------------------------------------------------------------------------------
# A property: the facts against a direct count over the events (integer instants)
_KINDS = ["agent_replied", "customer_replied", "solved", "reopened", "closed", "note_added"]


@given(
    steps=st.lists(
        st.tuples(st.integers(0, 50), st.sampled_from(_KINDS), st.booleans()), max_size=12
    ),
    cut=st.integers(0, 600),
)
def test_facts_match_a_direct_count(steps: list[tuple[int, str, bool]], cut: int) -> None:
    """Replies, reopens, status and solved_at agree with a plain count up to the cut."""
    rows: list[tuple[int, str] | tuple[int, str, dict[str, Any]]] = [(0, "created")]
    when = 0
    for gap, kind, public in steps:
        when += gap
        rows.append((when, kind, {"public": public}))
    timeline = ticket(*rows)
    state, _ = replay(one("resolution"), timeline, cut)
    seen = [(e, t) for e, t in zip(timeline.events, timeline.instants) if t <= T0_US + cut * MIN]
    assert sum(e.kind == "agent_replied" and e.public is not False for e, _ in seen) == (
        state.facts.public_agent_replies
    )
    assert sum(e.kind == "reopened" for e, _ in seen) == state.facts.reopens
    status, solved_at, closed_at = "new", None, None
    for event, t in seen:
        new = {"solved": "solved", "reopened": "open", "closed": "closed"}.get(event.kind, status)
        if new != status:
            solved_at = (solved_at or t) if new in ("solved", "closed") else None
            closed_at = (closed_at or t) if new == "closed" else None
            status = new
    assert (status, solved_at, closed_at) == (
        state.facts.status,
        state.facts.solved_at,
        state.facts.closed_at,
    )
