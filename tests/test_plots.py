"""Tests of slaclock.plots: each plot returns a figure and saves a PNG (Agg, no display)."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest

pytest.importorskip("matplotlib")

from slaclock.analytics import attainment, evaluate_many
from slaclock.plots import attainment_by_period, attainment_curve, duration_histogram
from slaclock.synthetic import DEFAULT_POLICY, generate_timelines
from slaclock.whatif import sweep

PNG = b"\x89PNG\r\n\x1a\n"


@pytest.fixture(scope="module")
def batch():  # type: ignore[no-untyped-def]
    return evaluate_many(DEFAULT_POLICY, generate_timelines(120, seed=8))


def test_attainment_curve_png(tmp_path: Path) -> None:
    """The attainment-vs-target curve saves a PNG and marks the recommended target."""
    s = sweep(
        generate_timelines(120, seed=8),
        "first_response",
        "normal",
        ["1h", "4h", "8h"],
        baseline=DEFAULT_POLICY,
    )
    fig = attainment_curve(s, goal=0.9, path=tmp_path / "curve.png")
    assert PNG == (tmp_path / "curve.png").read_bytes()[:8]
    assert any("recommended" in text.get_text() for text in fig.axes[0].get_legend().get_texts())


def test_attainment_by_period_png(batch, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    """Attainment per week, with the goal line, saves a PNG."""
    report = attainment(batch, by=("priority",), period="week", metric="first_response")
    attainment_by_period(report, goal=0.95, path=tmp_path / "weeks.png")
    assert PNG == (tmp_path / "weeks.png").read_bytes()[:8]


def test_attainment_by_period_needs_a_period(batch) -> None:  # type: ignore[no-untyped-def]
    """A report without periods is refused with the fix named."""
    with pytest.raises(ValueError, match="period="):
        attainment_by_period(attainment(batch))


def test_duration_histogram_png(batch, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    """The histogram marks the cycles' shared target (8h for normal first responses)."""
    fig = duration_histogram(batch, "first_response", priority="normal", path=tmp_path / "h.png")
    assert PNG == (tmp_path / "h.png").read_bytes()[:8]
    assert [8.0, 8.0] == list(fig.axes[0].lines[0].get_xdata())
    assert timedelta(hours=8) == DEFAULT_POLICY.metrics["first_response"].targets["normal"].duration


def test_duration_histogram_of_nothing(batch) -> None:  # type: ignore[no-untyped-def]
    """An unknown metric has no cycles to plot: a clear error."""
    with pytest.raises(ValueError, match="no stopped cycles of metric 'first_reply'"):
        duration_histogram(batch, "first_reply")
