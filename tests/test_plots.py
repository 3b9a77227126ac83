"""Tests of slaclock.plots: each plot returns a figure and saves a PNG (Agg, no display)."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest

pytest.importorskip("matplotlib")

from slaclock.analytics import attainment, evaluate_many
from slaclock.plots import (
    attainment_by_period,
    attainment_curve,
    duration_histogram,
    percent_limits,
    service_level_by_interval,
)
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


def _axes_texts(fig) -> tuple[str, str, str]:  # type: ignore[no-untyped-def]
    ax = fig.axes[0]
    return ax.get_title(), ax.get_xlabel(), ax.get_ylabel()


def test_every_figure_has_a_title_and_axes_with_units(batch) -> None:  # type: ignore[no-untyped-def]
    """Titles name what is shown; axis labels name their unit."""
    report = attainment(batch, by=("priority",), period="week", metric="first_response")
    weeks = attainment_by_period(report, goal=0.9)
    assert ("Attainment per week: first_response", "week (ISO week)", "attainment (%)") == (
        _axes_texts(weeks)
    )
    hist = duration_histogram(batch, "first_response", priority="normal")
    title, x, y = _axes_texts(hist)
    assert title.startswith("Business time to first response (normal), ")
    assert ("business time (hours)", "cycles (count)") == (x, y)
    assert ["target 8h"] == [t.get_text() for t in hist.axes[0].get_legend().get_texts()]


def test_attainment_plots_zoom_to_the_data_with_the_target_line(batch) -> None:  # type: ignore[no-untyped-def]
    """The y axis spans the plotted values and the goal (plus a margin), not 0-100 %, and the
    goal is a horizontal line at its value."""
    report = attainment(batch, by=("priority",), period="week", metric="first_response")
    fig = attainment_by_period(report, goal=0.9)
    ax = fig.axes[0]
    values = [100 * row.attainment for row in report.rows if row.attainment is not None]
    low, high = ax.get_ylim()
    assert low == percent_limits(values, 0.9)[0] > 0
    assert low <= min(values) and high >= max(values)
    goal_lines = [line for line in ax.lines if list(line.get_ydata()) == [90.0, 90.0]]
    assert 1 == len(goal_lines)


def test_percent_limits_by_hand() -> None:
    """92 and 97.5 % with a 95 % goal: spread 5.5, margin max(2, 0.55) = 2: 90 to 99.5."""
    assert (90.0, 99.5) == percent_limits([92.0, 97.5], goal=0.95)
    # spread 0 to 100: margin 10, clipped to [0, 102]
    assert (0.0, 102.0) == percent_limits([0.0, 100.0])


def test_service_level_plot(tmp_path: Path) -> None:
    """Service level per interval: points coloured by band, the target line, labelled axes."""
    from slaclock.bands import BandRule
    from slaclock.servicelevel import service_level
    from slaclock.synthetic import generate_contacts

    report = service_level(generate_contacts(300, seed=1), interval="60min", timezone="UTC")
    fig = service_level_by_interval(report, bands=BandRule(target=0.8), path=tmp_path / "sl.png")
    assert PNG == (tmp_path / "sl.png").read_bytes()[:8]
    assert ("interval (local time, UTC)", "service level (%)") == _axes_texts(fig)[1:]
    legend = [t.get_text() for t in fig.axes[0].get_legend().get_texts()]
    assert "target 80%" == legend[0]
    assert "absolute bands" == fig.axes[0].get_legend().get_title().get_text()


def test_periods_are_in_time_order_whichever_group_comes_first() -> None:
    """A group seen only in the later week does not put that week first on the axis."""
    from datetime import datetime, timezone

    at = {w: datetime(2025, 3, 3 + 7 * w, 9, tzinfo=timezone.utc) for w in (0, 1)}
    rows = [
        {"metric": "m", "priority": "a", "started_at": at[1], "state": "met"},
        {"metric": "m", "priority": "b", "started_at": at[0], "state": "met"},
        {"metric": "m", "priority": "b", "started_at": at[1], "state": "breached"},
    ]
    fig = attainment_by_period(attainment(rows, by=("priority",), period="week"))
    ax = fig.axes[0]
    assert ["2025-W10", "2025-W11"] == [t.get_text() for t in ax.get_xticklabels()]
    lines = {line.get_label(): list(line.get_xdata()) for line in ax.lines}
    assert {"a m": [1], "b m": [0, 1]} == lines
