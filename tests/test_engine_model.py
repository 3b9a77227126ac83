"""The engine against the quarter-hour reference model (tests/engine_model.py) on random tickets.

Tickets are created around the March 2025 DST change in Berlin, on a calendar with a lunch break
and two holidays, with replies both ways, pending periods, solves, reopens and priority changes
(sometimes several events at one instant); everything lies on the quarter-hour grid so the model
can count.
"""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from zoneinfo import ZoneInfo

from hypothesis import given
from hypothesis import strategies as st

from slaclock import Timeline, evaluate
from slaclock._tz import to_micros
from tests.engine_model import METRICS, MODEL_POLICY, STEP, evaluate_model
from tests.strategies import MODEL_FIRST, QUARTER, model_tickets

UTC = timezone.utc


def _micros(value: datetime | None) -> int | None:
    return None if value is None else to_micros(value)


def _steps(value: timedelta) -> int:
    assert value % QUARTER == timedelta(0), value
    return value // QUARTER


@given(model_tickets())
def test_engine_agrees_with_the_reference_model(case: tuple[Timeline, datetime]) -> None:
    """Every cycle's state, instants, elapsed, paused, remaining and thresholds agree."""
    timeline, as_of = case
    result = evaluate(MODEL_POLICY, timeline, as_of)
    model = evaluate_model(timeline, as_of)
    for name in METRICS:
        expected = model[name]
        cycles = result.metrics[name].cycles
        if expected is None:
            assert () == cycles
            continue
        assert 1 == len(cycles), name
        cycle = cycles[0]
        assert (
            expected.state,
            expected.start * STEP,
            None if expected.end is None else expected.end * STEP,
            None if expected.due is None else expected.due * STEP,
            expected.elapsed,
            expected.paused,
            expected.target - expected.elapsed,
            [(n, None if a is None else a * STEP, r) for n, a, r in expected.thresholds],
        ) == (
            cycle.state,
            to_micros(cycle.started_at),
            _micros(cycle.stopped_at),
            _micros(cycle.due_at),
            _steps(cycle.elapsed),
            _steps(cycle.paused),
            None if cycle.remaining is None else _steps(cycle.remaining),
            [(t.name, _micros(t.at), t.reached) for t in cycle.thresholds],
        ), name


BERLIN = ZoneInfo("Europe/Berlin")


@st.composite
def closing_tickets(draw: st.DrawFn) -> tuple[Timeline, datetime]:
    """Tickets created at a local time from which the high/normal first-response targets (2h,
    6h30) end exactly at a closing time (12:30 or 17:00), so next_open has work to do."""
    day = MODEL_FIRST.date() + timedelta(days=draw(st.integers(0, 27)))
    hour, minute = draw(st.sampled_from([(10, 30), (15, 0), (9, 45)]))
    created = datetime(day.year, day.month, day.day, hour, minute, tzinfo=BERLIN).astimezone(UTC)
    timeline, as_of = draw(model_tickets())
    rows = [
        {**event.model_dump(exclude_none=True), "at": created + (event.at - timeline.events[0].at)}
        for event in timeline.events
    ]
    shifted = Timeline(ticket_id="M", attributes=dict(timeline.attributes), events=rows)
    return shifted, created + (as_of - timeline.events[0].at)


@given(st.one_of(model_tickets(), closing_tickets()))
def test_next_open_and_projection_agree_with_the_reference_model(
    case: tuple[Timeline, datetime],
) -> None:
    """Under due_at_closing: next_open, every cycle's due instant and state, and a paused
    cycle's projected due instant, agree with the model."""
    timeline, as_of = case
    policy = MODEL_POLICY.model_copy(update={"due_at_closing": "next_open"})
    result = evaluate(policy, timeline, as_of)
    model = evaluate_model(timeline, as_of, next_open=True)
    for name in METRICS:
        expected = model[name]
        cycles = result.metrics[name].cycles
        if expected is None:
            assert () == cycles
            continue
        cycle = cycles[0]
        assert (
            expected.state,
            None if expected.due is None else expected.due * STEP,
            None if expected.projected is None else expected.projected * STEP,
        ) == (cycle.state, _micros(cycle.due_at), _micros(cycle.projected_due_at)), name
