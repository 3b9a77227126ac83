"""Results (slaclock.results): JSON form, shortcuts, facts, immutability."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest
from pydantic import ValidationError

from slaclock import CycleResult, MetricResult, Policy, Span, TicketResult, Timeline, evaluate

POLICY = Policy.model_validate(
    {
        "name": "support",
        "version": "3",
        "calendar": {"timezone": "Europe/Berlin", "hours": {"mon-fri": "09:00-17:00"}},
        "metrics": {
            "first_response": {"targets": {"high": "4h"}},
            "resolution": {"targets": {"high": "2 business days"}},
        },
    }
)
TICKET = Timeline.model_validate(
    {
        "ticket_id": "T-1",
        "events": [
            {"at": "2025-03-07T16:30:00+01:00", "kind": "created", "priority": "high",
             "attributes": {"group": "billing"}},
            {"at": "2025-03-10T10:00:00+01:00", "kind": "agent_replied"},
            {"at": "2025-03-10T11:00:00+01:00", "kind": "solved"},
            {"at": "2025-03-10T12:00:00+01:00", "kind": "closed"},
        ],
    }
)  # fmt: skip


def test_json_form_loads_back_equal() -> None:
    """model_dump(mode='json') -> TicketResult.model_validate gives an equal result, facts too."""
    result = evaluate(POLICY, TICKET, explain=True)
    data = result.model_dump(mode="json")
    assert result == TicketResult.model_validate(data)
    assert TicketResult.model_validate_json(result.model_dump_json()) == result


def test_json_form_of_the_facts_and_durations() -> None:
    """Facts as plain values and ISO instants; durations in seconds under *_seconds keys."""
    data = evaluate(POLICY, TICKET).model_dump(mode="json")
    assert {
        "attributes": {"group": "billing", "priority": "high"},
        "created_at": "2025-03-07T16:30:00+01:00",
        "status": "closed",
        "solved_at": "2025-03-10T11:00:00+01:00",
        "closed_at": "2025-03-10T12:00:00+01:00",
        "public_agent_replies": 1,
        "reopens": 0,
    } == {k: data[k] for k in ("attributes", "created_at", "status", "solved_at", "closed_at",
                               "public_agent_replies", "reopens")}  # fmt: skip
    cycle = data["metrics"]["first_response"]["cycles"][0]
    # 30 min Friday + 1h Monday = 1h30 of 4h
    assert (5400.0, 9000.0, 14400.0) == (
        cycle["elapsed_seconds"],
        cycle["remaining_seconds"],
        cycle["target_seconds"],
    )
    assert ("support", "3") == (cycle["policy"], cycle["policy_version"])


def test_business_days_target_in_results() -> None:
    """2 business days from Fri 16:30: due Tue 17:00 (30m + 8h + 8h = 16h30 of business time)."""
    resolution = evaluate(POLICY, TICKET).resolution.cycles[0]
    assert ("2 business days", timedelta(hours=16, minutes=30), "met") == (
        resolution.target_spec,
        resolution.target,
        resolution.state,
    )
    assert "2025-03-11T17:00:00+01:00" == resolution.due_at.isoformat()


def test_metric_shortcuts_read_the_latest_cycle() -> None:
    """MetricResult.state/due_at/elapsed/remaining read the last cycle; pending with none."""
    started = datetime(2025, 1, 1, 9, tzinfo=timezone.utc)
    first = CycleResult(metric="m", index=0, state="breached", started_at=started)
    second = CycleResult(metric="m", index=1, state="running", started_at=started,
                         elapsed=timedelta(hours=1), remaining=timedelta(hours=3))  # fmt: skip
    metric = MetricResult(name="m", cycles=(first, second))
    assert ("running", timedelta(hours=1), timedelta(hours=3), True) == (
        metric.state,
        metric.elapsed,
        metric.remaining,
        metric.breached,  # any cycle
    )
    assert ("pending", None, None) == (
        MetricResult(name="m").state,
        MetricResult(name="m").current,
        MetricResult(name="m").due_at,
    )


def test_metrics_read_as_attributes_and_fields_win() -> None:
    """result.<metric> reaches a metric; an unknown name is an AttributeError."""
    result = evaluate(POLICY, TICKET)
    assert result.metrics["first_response"] is result.first_response
    assert result.solved and "closed" == result.status
    with pytest.raises(AttributeError):
        _ = result.no_such_metric


def test_results_are_frozen() -> None:
    """Results cannot be changed in place."""
    result = evaluate(POLICY, TICKET)
    with pytest.raises(ValidationError):
        result.status = "open"  # type: ignore[misc]


def test_span_duration_is_real_time_across_a_dst_change() -> None:
    """Berlin, 30 March 2025: 01:00 -> 04:00 local is 2 hours (the clock skips 02:00-03:00)."""
    berlin = ZoneInfo("Europe/Berlin")
    span = Span(start=datetime(2025, 3, 30, 1, tzinfo=berlin),
                end=datetime(2025, 3, 30, 4, tzinfo=berlin), kind="counted")  # fmt: skip
    assert timedelta(hours=2) == span.duration


def test_table_lists_every_cycle() -> None:
    """to_table: a header and one row per cycle (states met, met)."""
    lines = evaluate(POLICY, TICKET).to_table().splitlines()
    assert lines[0].startswith("ticket T-1 - policy support - as of 2025-03-10T12:00:00+01:00")
    assert ["first_response", "resolution"] == [line.split()[0] for line in lines[2:]]
    assert ["met", "met"] == [line.split()[2] for line in lines[2:]]


def test_table_shows_durations_rounded_to_the_second() -> None:
    """A reply 20m0.6s after creation shows as 20m1s (display rounding); the result keeps the
    exact 20m0.6s."""
    ticket = Timeline.model_validate(
        {
            "ticket_id": "R",
            "attributes": {"priority": "normal"},
            "events": [
                {"at": "2025-03-03T09:00:00Z", "kind": "created"},
                {"at": "2025-03-03T09:20:00.600000Z", "kind": "agent_replied"},
            ],
        }
    )
    policy = Policy.model_validate(
        {"name": "p", "metrics": {"first_response": {"targets": {"normal": "1h"}}}}
    )
    result = evaluate(policy, ticket)
    assert timedelta(minutes=20, seconds=0.6) == result.metrics["first_response"].cycles[0].elapsed
    row = result.to_table().splitlines()[2].split()
    assert ["20m1s", "39m59s"] == row[-2:]
