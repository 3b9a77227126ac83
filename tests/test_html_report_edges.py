"""Edge cases of slaclock.html_report: the page's options are checked up front, and one page
reads every period in the same zone (table, chart and satisfaction)."""

from __future__ import annotations

from typing import Any

import pytest

from slaclock import Timeline
from slaclock.analytics import attainment, evaluate_many
from slaclock.bands import BandRule
from slaclock.errors import ArgumentError
from slaclock.html_report import html_report
from slaclock.satisfaction import csat, satisfaction_event, surveys
from slaclock.synthetic import DEFAULT_POLICY, generate_timelines


@pytest.mark.parametrize("goal", [95, float("nan"), "0.9"])
def test_a_goal_that_is_not_a_share_names_the_goal(goal: Any) -> None:
    """goal=95 is an error about 'goal' (it used to blame a 'target' the caller never gave)."""
    batch = evaluate_many(DEFAULT_POLICY, generate_timelines(5, seed=1))
    with pytest.raises(ArgumentError, match="goal"):
        html_report(batch, goal=goal, plots=False)


def test_a_band_target_given_as_text_is_an_error_naming_it() -> None:
    """BandRule(target='0.8') is a ReportOptionError naming the target (was a TypeError)."""
    with pytest.raises(ArgumentError, match=r"target: '0\.8'"):
        BandRule(target="0.8")  # type: ignore[arg-type]


def test_the_chart_and_the_surveys_read_periods_in_the_pages_zone(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """With timezone='Asia/Tokyo' the attainment chart groups by Tokyo days as the table does,
    and CSAT too (the chart used to read periods in the results' zone, New York, and CSAT in
    UTC, so one page showed three calendars of days)."""
    pytest.importorskip("matplotlib")
    import slaclock.plots

    drawn: list[Any] = []
    real = slaclock.plots.attainment_by_period

    def spy(report: Any, **options: Any) -> Any:
        drawn.append(report)
        return real(report, **options)

    monkeypatch.setattr(slaclock.plots, "attainment_by_period", spy)
    tickets = [
        Timeline.model_validate(
            {**t.model_dump(), "events": [*t.model_dump()["events"],
                                          satisfaction_event(t.events[-1].at, 5, "stars")]}
        )
        for t in generate_timelines(30, seed=3)
    ]  # fmt: skip
    batch = evaluate_many(DEFAULT_POLICY, tickets)
    answers = surveys(tickets, batch=batch)
    page = html_report(
        batch, period="day", metric="first_response", timezone="Asia/Tokyo", surveys=answers
    )
    table = attainment(batch, period="day", metric="first_response", timezone="Asia/Tokyo")
    (chart,) = drawn
    assert table.rows == chart.rows
    tokyo_days = {row.key[-1] for row in csat(answers, period="day", timezone="Asia/Tokyo").rows}
    utc_days = {row.key[-1] for row in csat(answers, period="day").rows}
    assert tokyo_days != utc_days  # the test can tell the zones apart
    assert all(day in page for day in tokyo_days)
