"""The engine against the quarter-hour reference model (tests/engine_model.py) on random tickets.

Tickets are created around the March 2025 DST change in Berlin, on a calendar with a lunch break
and two holidays, with replies both ways, pending periods, solves, reopens and priority changes
(sometimes several events at one instant); everything lies on the quarter-hour grid so the model
can count.
"""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

from hypothesis import given

from slaclock import Timeline, evaluate
from slaclock._tz import to_micros
from tests.engine_model import METRICS, MODEL_POLICY, STEP, evaluate_model
from tests.strategies import QUARTER, model_tickets

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
