"""Tests of slaclock.alerts: every crossing in a window, once, in time order."""

from __future__ import annotations

import itertools
import random
from datetime import datetime, timedelta, timezone

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from slaclock import Policy, PolicySet, TicketClock, Timeline, evaluate
from slaclock.alerts import Alert, alerts
from slaclock.errors import SlaclockError
from slaclock.synthetic import DEFAULT_POLICY, generate_timelines

UTC = timezone.utc
MICRO = timedelta(microseconds=1)

#: 24x7, so the arithmetic is plain clock time.
POLICY = Policy.model_validate(
    {
        "name": "desk",
        "version": "3",
        "metrics": {
            "first_response": {
                "targets": {"high": "1h", "low": "4h"},
                "thresholds": [
                    {"name": "warn", "at_percent": 50, "notify": "team-lead"},
                    {"name": "escalate", "after_due": "30m", "notify": ["manager"], "level": 2},
                ],
            }
        },
    }
)


def _at(text: str) -> datetime:
    return datetime.fromisoformat(f"2025-01-06T{text}+00:00")


def _ticket(*events: tuple[str, str, dict[str, object]], priority: str = "high") -> Timeline:
    return Timeline.model_validate(
        {
            "ticket_id": "T-1",
            "attributes": {"priority": priority},
            "events": [{"at": _at(at), "kind": kind, **extra} for at, kind, extra in events],
        }
    )


def _brief(found: list[Alert]) -> list[tuple[str, str, str, str]]:
    return [
        (a.at.strftime("%H:%M"), a.name, a.scheduled_at.strftime("%H:%M"), a.metric) for a in found
    ]


def test_threshold_due_and_escalation_in_time_order_with_routing() -> None:
    """Created 09:00, 1h target: warn at 50% = 09:30, due 10:00, escalate 30m after = 10:30."""
    ticket = _ticket(("09:00", "created", {}))
    found = alerts(ticket, _at("09:00"), _at("12:00"), policy=POLICY)
    assert [
        ("09:30", "warn", "09:30", "first_response"),
        ("10:00", "due", "10:00", "first_response"),
        ("10:30", "escalate", "10:30", "first_response"),
    ] == _brief(found)
    assert [("team-lead", None), (None, None), (("manager",), 2)] == [
        (a.notify, a.level) for a in found
    ]
    assert {("T-1", 0, "desk", "high")} == {
        (a.ticket_id, a.cycle, a.policy, a.priority) for a in found
    }


def test_window_is_half_open() -> None:
    """[09:30, 10:00) holds the warning at 09:30 but not the due instant at 10:00."""
    ticket = _ticket(("09:00", "created", {}))
    assert ["warn"] == [a.name for a in alerts(ticket, _at("09:30"), _at("10:00"), policy=POLICY)]


def test_a_reply_at_the_due_instant_raises_no_due_alert() -> None:
    """A reply at 10:00 (= due) is on time: only the 09:30 warning."""
    ticket = _ticket(("09:00", "created", {}), ("10:00", "agent_replied", {}))
    assert ["warn"] == [a.name for a in alerts(ticket, _at("08:00"), _at("18:00"), policy=POLICY)]


def test_a_raised_priority_crosses_at_once() -> None:
    """Created low (4h target) at 09:00; raised to high at 10:15: the 1h target was due at 10:00
    and the 50% warning at 09:30, so both are crossed at 10:15 (the event), escalation later at
    10:30 (30m after due)."""
    ticket = _ticket(
        ("09:00", "created", {}),
        ("10:15", "priority_changed", {"priority": "high"}),
        priority="low",
    )
    found = alerts(ticket, _at("09:00"), _at("12:00"), policy=POLICY)
    assert [
        ("10:15", "warn", "09:30", "first_response"),
        ("10:15", "due", "10:00", "first_response"),
        ("10:30", "escalate", "10:30", "first_response"),
    ] == _brief(found)


def test_events_after_a_crossing_play_no_part_in_it() -> None:
    """Low priority (4h: warn at 11:00); at 10:30 it is raised to high: the warning is then at
    09:30 and due at 10:00 (crossed at once, 10:30), the escalation at 10:00 + 30m = 10:30."""
    ticket = _ticket(
        ("09:00", "created", {}),
        ("10:30", "priority_changed", {"priority": "high"}),
        priority="low",
    )
    found = alerts(ticket, _at("09:00"), _at("10:30"), policy=POLICY)
    assert [] == found  # before 10:30 the low ticket's warning (11:00) is not reached yet
    later = alerts(ticket, _at("10:30"), _at("10:31"), policy=POLICY)
    assert ["warn", "due", "escalate"] == [a.name for a in later]


def test_a_clock_brings_its_policy() -> None:
    """A clock's alerts equal its timeline's under its policy."""
    clock = TicketClock(POLICY, "T-1", {"priority": "high"}).add(
        {"at": _at("09:00"), "kind": "created"}
    )
    assert alerts(clock.timeline, _at("09:00"), _at("12:00"), policy=POLICY) == alerts(
        clock, _at("09:00"), _at("12:00")
    )


def test_bad_arguments_are_clear_errors() -> None:
    """A timeline without a policy, a backwards window, an unknown kind: SlaclockError."""
    ticket = _ticket(("09:00", "created", {}))
    with pytest.raises(SlaclockError, match="pass policy="):
        alerts(ticket, _at("09:00"), _at("10:00"))
    with pytest.raises(SlaclockError, match="is before since"):
        alerts(ticket, _at("10:00"), _at("09:00"), policy=POLICY)
    with pytest.raises(SlaclockError, match="unknown kind"):
        alerts(ticket, _at("09:00"), _at("10:00"), policy=POLICY, kinds={"breach"})  # type: ignore[arg-type]


#: Two policies picked by group (a group change re-selects, and may measure from the start).
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
                        "thresholds": [
                            {"name": "warning", "at_percent": 50, "notify": "billing-lead"},
                            {"name": "escalate", "after_due": "1h", "level": 1},
                        ],
                    },
                },
            }
        ),
        DEFAULT_POLICY,
    ]
)


def _random_ticket(seed: int) -> Timeline:
    timeline = next(generate_timelines(1, seed=seed))
    rng = random.Random(seed)
    at = rng.choice(timeline.events).at
    change = {
        "at": at,
        "kind": "attributes_changed",
        "attributes": {"group": rng.choice(("billing", "sales"))},
    }
    return timeline.with_events(change)


def _key(alert: Alert) -> tuple[str, int, str, str, datetime]:
    return (alert.metric, alert.cycle, alert.kind, alert.name, alert.at)


@settings(max_examples=40)
@given(seed=st.integers(0, 10_000), cuts=st.lists(st.integers(1, 14 * 24 * 60), max_size=12))
def test_tiled_windows_give_each_crossing_exactly_once(seed: int, cuts: list[int]) -> None:
    """A cron job's windows tiling [created - 1h, created + 14 days) at random minutes get
    exactly the alerts of the one big window, none twice."""
    ticket = _random_ticket(seed)
    start = ticket.events[0].at - timedelta(hours=1)
    bounds = [
        start,
        *(start + timedelta(minutes=m) for m in sorted(set(cuts))),
        start + timedelta(days=14),
    ]
    tiled = [
        alert
        for since, until in itertools.pairwise(bounds)
        for alert in alerts(ticket, since, until, policy=POLICIES)
    ]
    whole = alerts(ticket, bounds[0], bounds[-1], policy=POLICIES)
    assert whole == tiled
    assert len({_key(a) for a in whole}) == len(whole)


def _live(ticket: Timeline, at: datetime) -> set[tuple[str, int, str, str]]:
    """What a live watcher sees reached at ``at`` (events up to ``at``), read from the states."""
    result = evaluate(POLICIES, ticket, at)
    seen: set[tuple[str, int, str, str]] = set()
    for cycle in result.cycles():
        for threshold in cycle.thresholds:
            if threshold.reached:
                seen.add((cycle.metric, cycle.index, "threshold", threshold.name))
        if cycle.state in ("overdue", "breached") or (
            cycle.state == "cancelled"
            and cycle.due_at is not None
            and cycle.stopped_at is not None
            and cycle.due_at < cycle.stopped_at
        ):
            seen.add((cycle.metric, cycle.index, "due", "due"))
    return seen


@settings(max_examples=25)
@given(seed=st.integers(0, 10_000))
def test_alerts_match_what_a_live_watcher_sees(seed: int) -> None:
    """Checked against states read hour by hour over two weeks: whatever becomes reached
    between two hours was alerted in between; each alert was not reached just before its
    instant and is reached just after it."""
    ticket = _random_ticket(seed)
    start = ticket.events[0].at.astimezone(UTC).replace(minute=0, second=0, microsecond=0)
    end = start + timedelta(days=14)
    found = alerts(ticket, start, end, policy=POLICIES)
    for alert in found:
        key = (alert.metric, alert.cycle, alert.kind, alert.name)
        assert key not in _live(ticket, alert.at - MICRO)
        assert key in _live(ticket, alert.at + MICRO)
    before = _live(ticket, start - MICRO)
    hour = start
    while hour < end:
        after = _live(ticket, hour + timedelta(hours=1) - MICRO)
        alerted = {
            (a.metric, a.cycle, a.kind, a.name)
            for a in found
            if hour <= a.at < hour + timedelta(hours=1)
        }
        assert after - before <= alerted
        before, hour = after, hour + timedelta(hours=1)
