"""Tests of slaclock.alerts: every crossing in a window, once, in time order."""

from __future__ import annotations

import itertools
import random
from datetime import datetime, timedelta, timezone
from itertools import pairwise

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from slaclock import (
    FullHistoryClock,
    HistoryNeededError,
    Policy,
    PolicySet,
    TicketClock,
    Timeline,
    evaluate,
)
from slaclock.alerts import Alert, alerts, crossed_at_once
from slaclock.errors import SlaclockError
from slaclock.synthetic import generate_timelines

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


def test_clocks_bring_their_policy() -> None:
    """A full-history clock's alerts are its timeline's; an incremental clock's, for windows
    from its last event on, too; a window starting earlier needs history."""
    created = {"at": _at("09:00"), "kind": "created"}
    ticket = _ticket(("09:00", "created", {}))
    expected = alerts(ticket, _at("09:00"), _at("12:00"), policy=POLICY)
    full = FullHistoryClock(POLICY, "T-1", {"priority": "high"}).add(created)
    assert expected == alerts(full, _at("09:00"), _at("12:00"))
    clock = TicketClock(POLICY, "T-1", {"priority": "high"}).add(created)
    assert expected == alerts(clock, _at("09:00"), _at("12:00"))
    empty = (TicketClock(POLICY, "T-0"), FullHistoryClock(POLICY, "T-0"))
    assert [] == alerts(empty, _at("09:00"), _at("12:00"))  # no ticket yet: nothing crossed
    later = clock.add({"at": _at("09:10"), "kind": "note_added"})
    with pytest.raises(HistoryNeededError, match="before the clock's last event"):
        alerts(later, _at("09:00"), _at("12:00"))


def test_crossed_at_once_is_what_an_event_crossed() -> None:
    """Low (4h) from 09:00, raised to high (1h) at 10:15: warn (09:30) and due (10:00) are
    crossed at once at 10:15; the escalation (10:30) is still ahead, for alerts()."""
    before = TicketClock(POLICY, "T-1", {"priority": "low"}).add(
        {"at": _at("09:00"), "kind": "created"}
    )
    after = before.add({"at": _at("10:15"), "kind": "priority_changed", "priority": "high"})
    assert [
        ("10:15", "warn", "09:30", "first_response"),
        ("10:15", "due", "10:00", "first_response"),
    ] == _brief(crossed_at_once(before, after))
    assert ["escalate"] == [a.name for a in alerts(after, _at("10:15"), _at("12:00"))]


def test_bad_arguments_are_clear_errors() -> None:
    """A timeline without a policy, a backwards window, an unknown kind: SlaclockError."""
    ticket = _ticket(("09:00", "created", {}))
    with pytest.raises(SlaclockError, match="pass policy="):
        alerts(ticket, _at("09:00"), _at("10:00"))
    with pytest.raises(SlaclockError, match="is before since"):
        alerts(ticket, _at("10:00"), _at("09:00"), policy=POLICY)
    with pytest.raises(SlaclockError, match="unknown kind"):
        alerts(ticket, _at("09:00"), _at("10:00"), policy=POLICY, kinds={"breach"})  # type: ignore[arg-type]


#: Two tight policies picked by group (a group change re-selects; both measure the same metrics,
#: so an incremental clock can follow): synthetic tickets breach them often.
_TIGHT = {"urgent": "15m", "high": "30m", "normal": "1h", "low": "2h"}
POLICIES = PolicySet.model_validate(
    [
        {
            "name": "billing",
            "conditions": {"group": "billing"},
            "calendar": {"timezone": "America/New_York", "hours": {"mon-fri": "09:00-17:00"}},
            "metrics": {
                "first_response": {
                    "targets": _TIGHT,
                    "thresholds": [
                        {"name": "warning", "at_percent": 50, "notify": "billing-lead"},
                        {"name": "escalate", "after_due": "30m", "level": 1},
                    ],
                },
                "next_response": {"targets": _TIGHT},
                "resolution": {
                    "targets": dict.fromkeys(_TIGHT, "4h"),
                    "thresholds": [{"name": "soon", "before_due": "1h"}],
                },
            },
        },
        {
            "name": "default",
            "metrics": {
                "first_response": {
                    "targets": {"urgent": "30m", "high": "1h", "normal": "2h", "low": "3h"},
                    "thresholds": [{"name": "warning", "at_percent": 75}],
                },
                "next_response": {"targets": dict.fromkeys(_TIGHT, "1h")},
                "resolution": {"targets": dict.fromkeys(_TIGHT, "6h")},
            },
        },
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


@settings(max_examples=40)
@given(seed=st.integers(0, 10_000), ticks=st.lists(st.integers(0, 14 * 24 * 60), max_size=20))
def test_a_watcher_with_incremental_clocks_sees_the_batch_alerts(
    seed: int, ticks: list[int]
) -> None:
    """A service keeping only an incremental clock: before adding the events of an instant it
    asks alerts() up to that instant, after adding them crossed_at_once(); between events it
    asks alerts() at random ticks. It sees exactly alerts() of the whole ticket, in order."""
    ticket = _random_ticket(seed)
    start = ticket.events[0].at - timedelta(hours=1)
    end = start + timedelta(days=14)
    moments: list[tuple[datetime, int]] = [(start + timedelta(minutes=m), 1) for m in ticks]
    moments += [(e.at, 0) for e in ticket.events]  # events before a tick at the same instant
    moments.sort(key=lambda m: (m[0].astimezone(UTC), m[1]))
    clock = TicketClock(POLICIES, ticket.ticket_id, ticket.attributes)
    seen: list[Alert] = []
    watermark = start
    events = list(ticket.events)
    for at, is_tick in moments:
        if clock.last_event_at is not None and at.astimezone(UTC) > watermark.astimezone(UTC):
            seen += alerts(clock, watermark, at)
            watermark = at
        if is_tick or not events or events[0].at != at:
            continue
        before = clock
        while events and events[0].at == at:
            clock = clock.add(events.pop(0))
        seen += crossed_at_once(before, clock)
        watermark = max(watermark, at, key=lambda d: d.astimezone(UTC))
    seen += alerts(clock, watermark, end)
    assert alerts(ticket, start, end, policy=POLICIES) == seen


def test_a_cron_job_every_five_minutes_gets_each_crossing_once() -> None:
    """Five random tickets watched for two weeks in 5-minute windows (4,032 runs): the runs'
    alerts, put together, are the alerts of the whole fortnight, none twice."""
    tickets = [_random_ticket(seed) for seed in (1, 2, 6, 8, 9)]
    # Instant arithmetic in UTC (adding to a zoned datetime moves its wall clock, not time).
    first = min(t.events[0].at.astimezone(UTC) for t in tickets)
    start = first.replace(minute=0, second=0, microsecond=0)
    runs = [start + timedelta(minutes=5 * i) for i in range(14 * 24 * 12 + 1)]
    seen = [
        a for since, until in pairwise(runs) for a in alerts(tickets, since, until, policy=POLICIES)
    ]
    whole = alerts(tickets, runs[0], runs[-1], policy=POLICIES)
    assert len(whole) >= 15  # the tight policies are breached: the check has something to see
    assert sorted(whole, key=_key) == sorted(seen, key=_key)
    assert len({(a.ticket_id, *_key(a)) for a in seen}) == len(seen)


def _known_at(ticket: Timeline, now: datetime) -> Timeline | None:
    """The ticket as known at ``now``: its events up to then (``None`` before it was created)."""
    events = [e for e in ticket.events if e.at <= now]
    if not events:
        return None
    return Timeline(ticket_id=ticket.ticket_id, attributes=ticket.attributes, events=events)


def test_what_breaches_in_the_next_hour() -> None:
    """Every three hours over three days, the tickets as known then: the due alerts of
    [now, now + 1h) are the cycles whose due instant falls in that hour and that have not
    stopped by it (read from evaluate() as of the end of the hour)."""
    tickets = [_random_ticket(seed) for seed in range(20)]
    first = min(t.events[0].at.astimezone(UTC) for t in tickets)
    found = 0
    for hours in range(0, 72, 3):
        now = first + timedelta(hours=hours)
        hour = now + timedelta(hours=1)
        known = [k for k in (_known_at(t, now) for t in tickets) if k is not None]
        soon = alerts(known, now, hour, policy=POLICIES, kinds={"due"})
        expected = sorted(
            (t.ticket_id, c.metric, c.index)
            for t in known
            for c in evaluate(POLICIES, t, hour).cycles()
            if c.due_at is not None
            and now <= c.due_at < hour
            and (c.stopped_at is None or c.stopped_at > c.due_at)
        )
        assert expected == sorted((a.ticket_id, a.metric, a.cycle) for a in soon)
        found += len(soon)
    assert found >= 5  # the check has breaches to see
