"""The metric option ``retroactive_pause``: a cycle whose clock starts earlier than the cycle
(``start_from``) counts that back-dated span as the metric's pause rules say the clock ran then
(ServiceNow's "Retroactive pause", quoted in ``tests/test_preset_servicenow.py``), not in the
state the clock has when the cycle starts.

Every ticket here is a priority 1 SLA in ServiceNow's manner: it attaches when the priority
becomes ``urgent`` (Monday 2025-03-03, UTC) and counts from the ticket's ``opened_at``.
Expected values are worked by hand in the comments.
"""

from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone
from typing import Any

import pyarrow as pa
import pytest
from hypothesis import given
from hypothesis import strategies as st
from pydantic import ValidationError

from slaclock import (
    ClockStateError,
    FullHistoryClock,
    Policy,
    PolicySet,
    TicketClock,
    TicketResult,
    Timeline,
    evaluate,
    evaluate_frame,
)
from slaclock._clock_state import sealed
from slaclock.files import policy_schema

UTC = timezone.utc
M = timedelta(minutes=1)
H = timedelta(hours=1)
MONDAY_9 = datetime(2025, 3, 3, 9, tzinfo=UTC)
WEEKDAYS = {"timezone": "UTC", "hours": {"mon-fri": "09:00-17:00"}}


def p1(**extra: Any) -> dict[str, Any]:
    """Attaches while the priority is urgent (8h), counting from the ticket's ``opened_at``."""
    return {
        "targets": {"urgent": "8h", "low": "24h"},
        "definition": {
            "start": ["created", "priority_changed"],
            "stop": "solved",
            "start_when": {"priority": "urgent"},
            **extra.pop("definition", {}),
        },
        "start_from": "opened_at",
        "pause_statuses": ["pending"],
        **extra,
    }


def policy(retroactive: bool, calendar: Any = "24x7", **extra: Any) -> Policy:
    """The ``p1`` metric with ``retroactive_pause`` on or off (and ``extra`` options of it)."""
    return Policy.model_validate(
        {
            "name": "p1",
            "calendar": calendar,
            "metrics": {"p1": p1(retroactive_pause=retroactive, **extra)},
        }
    )


def at(hours: float) -> datetime:
    """Monday 2025-03-03 09:00 UTC plus ``hours``."""
    return MONDAY_9 + hours * H


def ticket(*events: tuple[float, str, dict[str, Any]], opened: float = 0) -> Timeline:
    """Created at 09:00 with priority low (``opened_at`` 09:00 + ``opened`` hours), then
    ``events`` as (hours after 09:00, kind, fields)."""
    rows = [{"at": at(h), "kind": kind, **fields} for h, kind, fields in events]
    return Timeline.model_validate(
        {
            "ticket_id": "INC-1",
            "attributes": {"opened_at": at(opened).isoformat(), "group": "support"},
            "events": [{"at": MONDAY_9, "kind": "created", "priority": "low"}, *rows],
        }
    )


URGENT: dict[str, Any] = {"priority": "urgent"}
PENDING: dict[str, Any] = {"status": "pending"}
OPEN: dict[str, Any] = {"status": "open"}


def cycle_of(p: Policy, timeline: Timeline, as_of: datetime, explain: bool = False) -> Any:
    (cycle,) = evaluate(p, timeline, as_of, explain=explain).p1.cycles
    return cycle


# ----------------------------------------------------------------------------------------------
# Hand-worked tickets
def test_a_pause_before_the_attach_pushes_the_due_instant_back() -> None:
    """On 09:00-17:00 weekdays, two hours pending before the attach at 14:00 are paused, not
    counted: due Tuesday 11:00 instead of Monday 17:00."""
    # Created 09:00, pending 10:00-12:00, urgent at 14:00. Counted 09-10 and 12-14 = 3h,
    # paused 2h; remaining 8h - 3h = 5h from 14:00: 14-17 (3h), then Tuesday 09:00 + 2h = 11:00.
    # Today's rule (the option off): the state at 14:00 (counting) for all of 09-14 = 5h,
    # due 09:00 + 8h = 17:00.
    timeline = ticket((1, "status_changed", PENDING), (3, "status_changed", OPEN),
                      (5, "priority_changed", URGENT))  # fmt: skip
    on = cycle_of(policy(True, WEEKDAYS), timeline, at(5))
    off = cycle_of(policy(False, WEEKDAYS), timeline, at(5))
    assert (MONDAY_9, 3 * H, 2 * H, at(24 + 2), "running") == (
        on.started_at, on.elapsed, on.paused, on.due_at, on.state
    )  # fmt: skip
    assert (5 * H, timedelta(0), at(8)) == (off.elapsed, off.paused, off.due_at)


def test_without_a_pause_before_the_attach_nothing_changes() -> None:
    """No pause between opened_at and the attach: the same result as without the option."""
    # Created 09:00, a reply at 10:00, urgent at 12:00: 3h counted, due 09:00 + 8h = 17:00.
    timeline = ticket((1, "agent_replied", {}), (3, "priority_changed", URGENT))
    on = evaluate(policy(True), timeline, at(3))
    assert (3 * H, timedelta(0), at(8)) == (on.p1.cycles[0].elapsed, on.p1.cycles[0].paused,
                                             on.p1.cycles[0].due_at)  # fmt: skip
    assert evaluate(policy(False), timeline, at(3)).model_dump() == on.model_dump()


def test_a_pause_by_attribute_condition_before_the_attach() -> None:
    """pause_when on the ticket's group: the 90 minutes with the vendor before the attach are
    paused, and the explained spans show them."""
    # Created 09:00 (group support), vendor 10:00-11:30, urgent at 12:00 (24x7, 8h): counted
    # 3h - 1h30 = 1h30, paused 1h30; due 09:00 + 8h + 1h30 = 18:30.
    timeline = ticket(
        (1, "attributes_changed", {"attributes": {"group": "vendor"}}),
        (2.5, "attributes_changed", {"attributes": {"group": "support"}}),
        (3, "priority_changed", URGENT),
    )
    p = policy(True, definition={"pause_when": {"group": "vendor"}})
    cycle = cycle_of(p, timeline, at(3), explain=True)
    assert (90 * M, 90 * M, at(9.5)) == (cycle.elapsed, cycle.paused, cycle.due_at)
    assert [("counted", at(0), at(1)), ("paused", at(1), at(2.5)), ("counted", at(2.5), at(3))] == [
        (span.kind, span.start, span.end) for span in cycle.spans
    ]


def test_a_pause_still_in_force_at_the_attach() -> None:
    """Pending from 10:00 to 13:00 across the attach at 12:00: the hour before the pause
    counts (without the option the whole span from 09:00 takes the paused state of 12:00)."""
    # As of 12:00: counted 09-10 = 1h, paused 10-12 = 2h, paused short of the target: no due
    # instant. As of 14:00: counted 1h + 13-14 1h = 2h, paused 3h; due 13:00 + (8h - 1h) =
    # 20:00. Without the option: paused 09-13 (4h), counted 13-14, due 13:00 + 8h = 21:00.
    timeline = ticket((1, "status_changed", PENDING), (3, "priority_changed", URGENT),
                      (4, "status_changed", OPEN))  # fmt: skip
    now = cycle_of(policy(True), timeline, at(3))
    assert ("paused", H, 2 * H, None) == (now.state, now.elapsed, now.paused, now.due_at)
    later = cycle_of(policy(True), timeline, at(5))
    assert (2 * H, 3 * H, at(11)) == (later.elapsed, later.paused, later.due_at)
    today = cycle_of(policy(False), timeline, at(5))
    assert (H, 4 * H, at(12)) == (today.elapsed, today.paused, today.due_at)


def test_a_pause_event_before_the_attach() -> None:
    """Pause and resume events of the metric's definition count before the attach too."""
    # vendor_called 09:30, vendor_answered 10:30, urgent at 12:00 (24x7, 8h): counted 3h - 1h
    # = 2h, paused 1h; due 09:00 + 8h + 1h = 18:00.
    timeline = ticket((0.5, "vendor_called", {}), (1.5, "vendor_answered", {}),
                      (3, "priority_changed", URGENT))  # fmt: skip
    p = policy(True, definition={"pause": "vendor_called", "resume": "vendor_answered"})
    cycle = cycle_of(p, timeline, at(3))
    assert (2 * H, H, at(9)) == (cycle.elapsed, cycle.paused, cycle.due_at)


def test_a_start_before_the_ticket_was_created() -> None:
    """opened_at an hour before the created event: that hour takes the state recorded at the
    creation (counting), the pause after it is paused."""
    # opened_at 08:00, created 09:00, pending 10:00-11:00, urgent 12:00 (24x7, 8h): counted
    # 4h - 1h = 3h, paused 1h; due 08:00 + 8h + 1h = 17:00.
    timeline = ticket((1, "status_changed", PENDING), (2, "status_changed", OPEN),
                      (3, "priority_changed", URGENT), opened=-1)  # fmt: skip
    cycle = cycle_of(policy(True), timeline, at(3))
    assert (at(-1), 3 * H, H, at(8)) == (cycle.started_at, cycle.elapsed, cycle.paused,
                                         cycle.due_at)  # fmt: skip


def test_retroactive_pause_needs_start_from() -> None:
    """retroactive_pause without start_from is an error naming both fields."""
    with pytest.raises(ValidationError, match="retroactive_pause: true without start_from"):
        Policy.model_validate({"name": "p", "metrics": {"resolution": {"retroactive_pause": True}}})


def test_the_columnar_path_counts_the_same() -> None:
    """evaluate_frame measures the back-dated span as evaluate does (test one's ticket)."""
    # As in test_a_pause_before_the_attach_pushes_the_due_instant_back: 3h counted, 2h paused,
    # due Tuesday 11:00.
    rows = [
        ("created", None, "low", at(0)),
        ("status_changed", "pending", None, None),
        ("status_changed", "open", None, None),
        ("priority_changed", None, "urgent", None),
    ]
    table = pa.table(
        {
            "ticket_id": ["INC-1"] * 4,
            "at": [at(h).isoformat() for h in (0, 1, 3, 5)],
            "kind": [r[0] for r in rows],
            "status": [r[1] for r in rows],
            "priority": [r[2] for r in rows],
            "opened_at": [None if r[3] is None else r[3].isoformat() for r in rows],
        }
    )
    (row,) = evaluate_frame(policy(True, WEEKDAYS), table, at(5)).to_pylist()
    assert (3 * 3600, 2 * 3600, at(24 + 2)) == (
        row["elapsed_seconds"], row["paused_seconds"], row["due_at"].astimezone(UTC)
    )  # fmt: skip


# ----------------------------------------------------------------------------------------------
# Properties
BEFORE_ATTACH: list[dict[str, Any]] = [{"kind": "agent_replied"}, {"kind": "note_added"},
                                       {"kind": "customer_replied"}]  # fmt: skip
ANY_EVENT: list[dict[str, Any]] = [
    *BEFORE_ATTACH,
    {"kind": "status_changed", "status": "pending"},
    {"kind": "status_changed", "status": "open"},
    {"kind": "priority_changed", "priority": "urgent"},
    {"kind": "priority_changed", "priority": "low"},
    {"kind": "attributes_changed", "attributes": {"group": "vendor"}},
    {"kind": "attributes_changed", "attributes": {"group": "support"}},
    {"kind": "vendor_called"},
    {"kind": "vendor_answered"},
    {"kind": "solved"},
    {"kind": "reopened"},
]
STEPS = [0, 0, 7, 45, 120, 600, 2000]  # minutes between events (0: the same instant)
FULL = {
    "pause_when": {"group": "vendor"},
    "pause": "vendor_called",
    "resume": "vendor_answered",
}


@st.composite
def tickets(draw: st.DrawFn, before: list[dict[str, Any]], after: list[dict[str, Any]]) -> Any:
    """A ticket opened up to a day before (or an hour after) its creation: ``before`` events,
    one priority change to urgent (the attach), then ``after`` events."""
    t = MONDAY_9 + draw(st.integers(0, 3000)) * M
    opened = t + draw(st.sampled_from([-1440, -60, 0, 30])) * M
    events: list[dict[str, Any]] = [{"at": t, "kind": "created", "priority": "low"}]
    for group in (before, [{"kind": "priority_changed", "priority": "urgent"}], after):
        for _ in range(draw(st.integers(0, 6)) if len(group) > 1 else 1):
            t += draw(st.sampled_from(STEPS)) * M
            events.append({"at": t, **draw(st.sampled_from(group))})
    return Timeline.model_validate(
        {
            "ticket_id": "INC-2",
            "attributes": {"opened_at": opened.isoformat(), "group": "support"},
            "events": events,
        }
    )


@pytest.mark.parametrize("calendar", ["24x7", WEEKDAYS])
@given(
    timeline=tickets(BEFORE_ATTACH, [e for e in ANY_EVENT if e["kind"] != "reopened"]),
    as_of_minutes=st.integers(0, 6000),
)
def test_no_change_before_the_attach_gives_todays_result(
    calendar: Any, timeline: Timeline, as_of_minutes: int
) -> None:
    """With no status, attribute or pause event before the attach (a non-recurring metric, no
    reopen), the option changes nothing."""
    as_of = timeline.events[-1].at + as_of_minutes * M
    on = evaluate(policy(True, calendar, definition=FULL), timeline, as_of)
    assert evaluate(policy(False, calendar, definition=FULL), timeline, as_of) == on


BRANCHES: list[dict[str, Any]] = [
    {"kind": "status_changed", "status": "pending"},
    {"kind": "attributes_changed", "attributes": {"group": "vendor"}},
    {"kind": "vendor_called"},
    {"kind": "priority_changed", "priority": "urgent"},
]
RECURRING = policy(True, WEEKDAYS, definition={**FULL, "recurring": True})
WITH_OTHERS = Policy.model_validate(
    {
        "name": "p1-and-more",
        "calendar": WEEKDAYS,
        "metrics": {
            "p1": p1(retroactive_pause=True, definition=FULL),
            "first_response": {"targets": {"low": "1h", "urgent": "30m"}},
            "resolution": {"targets": {"low": "24h", "urgent": "8h"}, "start_from": "opened_at"},
        },
    }
)


# A set: with the vendor group, a policy without the option (its record stops meanwhile).
SWITCHING = PolicySet(
    policies=[
        {
            "name": "vendor",
            "conditions": {"group": "vendor"},
            "metrics": {"p1": p1(retroactive_pause=False, definition={"recurring": True})},
        },
        {"name": "default", "metrics": {"p1": p1(retroactive_pause=True, definition=FULL)}},
    ]
)


@pytest.mark.parametrize("p", [RECURRING, WITH_OTHERS, SWITCHING])
@given(timeline=tickets(ANY_EVENT, ANY_EVENT), as_of_minutes=st.integers(0, 3000))
def test_the_streaming_clock_equals_evaluate(
    p: Policy, timeline: Timeline, as_of_minutes: int
) -> None:
    """Fed event by event, directly and through its stored state after each, the incremental
    clock gives evaluate()'s result on every prefix, and each earlier clock still gives its own
    (clocks are immutable values); the full-history clock and its compact form too."""
    live = stored = TicketClock(p, timeline.ticket_id, timeline.attributes)
    history = FullHistoryClock(p, timeline.ticket_id, timeline.attributes)
    seen: list[tuple[TicketClock, datetime, str]] = []
    for count, event in enumerate(timeline.events, start=1):
        if count > 1:  # branches that must not change the clock they start from
            for branch in BRANCHES:
                live.add({"at": event.at, **branch})
        live = live.add(event)
        stored = TicketClock.from_dict(json.dumps(stored.add(event).to_dict()), p)
        history = history.add(event)
        as_of = event.at + as_of_minutes * M
        prefix = Timeline(
            ticket_id=timeline.ticket_id,
            attributes=timeline.attributes,
            events=timeline.events[:count],
        )
        expected = _json(evaluate(p, prefix, as_of))
        assert expected == _json(live.result(as_of))
        assert expected == _json(stored.result(as_of))
        assert expected == _json(history.result(as_of))
        assert expected == _json(history.compact().result(as_of))
        seen.append((live, as_of, expected))
    assert [expected for _, _, expected in seen] == [_json(c.result(a)) for c, a, _ in seen]


def _json(result: TicketResult) -> str:
    return result.model_dump_json()


# ----------------------------------------------------------------------------------------------
# Stored state
def test_stored_state_keeps_the_record_only_when_a_metric_needs_it() -> None:
    """A clock without the option stores no ``records`` (its state reads as before); with it,
    the record of each instant the clock would have counted or paused since the creation."""
    timeline = ticket((1, "status_changed", PENDING), (3, "status_changed", OPEN))
    without = TicketClock(policy(False), "INC-1", timeline.attributes, timeline.events)
    assert "records" not in without.to_dict()["replay"]
    with_record = TicketClock(policy(True), "INC-1", timeline.attributes, timeline.events)
    # counting from 09:00, paused from 10:00 (pending), counting from 12:00
    micros = [int(at(h).timestamp()) * 1_000_000 for h in (0, 1, 3)]
    assert [["p1", False, [[micros[0], True], [micros[1], False], [micros[2], True]]]] == (
        with_record.to_dict()["replay"]["records"]
    )


def test_a_malformed_stored_record_is_refused() -> None:
    """A record whose instants do not ascend, or lie out of range, is a ClockStateError naming
    the metric and the first bad instant (even with a valid checksum)."""
    timeline = ticket((1, "status_changed", PENDING))
    state = TicketClock(policy(True), "INC-1", timeline.attributes, timeline.events).to_dict()
    body = {k: v for k, v in state.items() if k != "checksum"}
    record = body["replay"]["records"][0][2]  # [[09:00, counting], [10:00, paused]]
    first = record[0][0]
    record.reverse()  # 10:00 then 09:00: 09:00 is the first instant out of order
    with pytest.raises(
        ClockStateError, match=f"metric 'p1' has a malformed clock record \\(instant {first}\\)"
    ) as raised:
        TicketClock.from_dict(sealed(body), policy(True))
    assert first == raised.value.value
    record[0][0] = 10**20  # far beyond year 9999
    with pytest.raises(ClockStateError, match=r"malformed clock record \(instant 10{20}\)"):
        TicketClock.from_dict(sealed(body), policy(True))


def test_a_stored_state_without_the_record_is_refused() -> None:
    """State of a clock whose metric has retroactive_pause but no record (removed, checksum
    made again) is a ClockStateError, not a clock that silently forgot its pauses."""
    timeline = ticket((1, "status_changed", PENDING))
    state = TicketClock(policy(True), "INC-1", timeline.attributes, timeline.events).to_dict()
    body = {k: v for k, v in state.items() if k != "checksum"}
    del body["replay"]["records"]
    with pytest.raises(ClockStateError, match="metric 'p1' has retroactive_pause but no clock"):
        TicketClock.from_dict(sealed(body), policy(True))


def test_adding_to_a_clock_leaves_it_unchanged() -> None:
    """A clock is a value: a pause added to it in one branch is not in another branch."""
    # Branch one: pending at 10:00. Branch two (from the clock before it): urgent at 12:00 with
    # no pause, 09-12 counted = 3h, due 17:00.
    created = ticket()
    clock = TicketClock(policy(True), "INC-1", created.attributes, created.events)
    clock.add({"at": at(1), "kind": "status_changed", "status": "pending"})
    other = clock.add({"at": at(3), "kind": "priority_changed", "priority": "urgent"})
    (cycle,) = other.result().p1.cycles
    assert (3 * H, at(8)) == (cycle.elapsed, cycle.due_at)


def test_the_json_schema_has_the_option() -> None:
    """`slaclock schema` lists retroactive_pause on a metric: a boolean, false by default."""
    (metric,) = [d for d in policy_schema()["$defs"].values() if d.get("title") == "MetricPolicy"]
    assert {"type": "boolean", "default": False} == {
        k: v for k, v in metric["properties"]["retroactive_pause"].items() if k != "title"
    }
