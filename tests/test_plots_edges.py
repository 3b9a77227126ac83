"""Edge cases of slaclock.plots: a goal or a bin count that is not one is an error naming the
argument, checked before anything is drawn."""

from __future__ import annotations

from typing import Any

import pytest

from slaclock.analytics import attainment, evaluate_many
from slaclock.errors import ArgumentError
from slaclock.synthetic import DEFAULT_POLICY, sample_timelines
from slaclock.whatif import sweep

pytest.importorskip("matplotlib")
from slaclock.plots import attainment_by_period, attainment_curve, duration_histogram


@pytest.mark.parametrize("goal", [95, 0, float("nan"), "0.9", True])
def test_a_goal_that_is_not_a_share_names_the_goal(goal: Any) -> None:
    """goal=95 (a percentage, not a share) used to raise an error about 'attainment' from the
    recommendation (attainment_curve) or draw a line off the chart (attainment_by_period); NaN
    drew nothing, silently."""
    swept = sweep(
        sample_timelines(), "first_response", "high", ["1h", "2h"], baseline=DEFAULT_POLICY
    )
    report = attainment(evaluate_many(DEFAULT_POLICY, sample_timelines()), period="week")
    for draw in (lambda: attainment_curve(swept, goal=goal),
                 lambda: attainment_by_period(report, goal=goal)):  # fmt: skip
        with pytest.raises(ArgumentError, match="goal"):
            draw()


@pytest.mark.parametrize("bins", [0, -3, "auto", 2.5, True])
def test_a_bin_count_that_is_not_one_names_bins(bins: Any) -> None:
    """bins must be a whole number of at least 1 (0 used to surface as matplotlib's ValueError)."""
    batch = evaluate_many(DEFAULT_POLICY, sample_timelines())
    with pytest.raises(ArgumentError, match="bins"):
        duration_histogram(batch, "first_response", bins=bins)
