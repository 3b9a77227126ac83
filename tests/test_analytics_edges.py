"""Edge cases of the analytics surface (slaclock.analytics, slaclock.percentiles,
slaclock.whatif.compare): empty and odd inputs give an error naming the value, never a deep
traceback, a NaN or a silently dropped ticket."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from pydantic import ValidationError

from slaclock import Policy, Timeline, evaluate
from slaclock.analytics import (
    attainment,
    evaluate_many,
    first_contact_resolution,
    iter_records,
    percentile,
    period_of,
    volume,
)
from slaclock.errors import ArgumentError, NaiveDatetimeError, OutOfRangeError, ReportOptionError
from slaclock.satisfaction import csat, satisfaction_by_sla, satisfaction_event
from slaclock.synthetic import DEFAULT_POLICY, DEFAULT_POLICY_DATA, sample_timelines
from slaclock.whatif import compare, recommend_target, sweep

MINUTES = [timedelta(minutes=m) for m in (1, 2, 3)]


# ----------------------------------------------------------------------------------------------
# Percentiles
@pytest.mark.parametrize("share", [1.5, -0.1, float("nan"), float("inf"), "0.5", None, True])
@pytest.mark.parametrize("method", ["nearest_rank", "linear", "lower", "higher", "midpoint"])
def test_a_percentile_share_outside_zero_to_one_is_an_error(share: Any, method: Any) -> None:
    """A share must be a number in [0, 1]: 1.5 used to raise IndexError (linear) or quietly
    give the maximum (nearest rank), -0.1 an extrapolated 1m24s, NaN a ValueError."""
    with pytest.raises(ArgumentError, match="share"):
        percentile(MINUTES, share, method)


@pytest.mark.parametrize(
    ("share", "expected"),
    [(0, timedelta(minutes=1)), (1, timedelta(minutes=3)), (0.5, timedelta(minutes=2))],
)
def test_percentile_at_the_ends_of_the_range(share: float, expected: timedelta) -> None:
    """0 is the smallest value and 1 the largest, for every method (n = 3: h = 2 * share)."""
    for method in ("nearest_rank", "linear", "lower", "higher", "midpoint"):
        assert expected == percentile(MINUTES, share, method)  # type: ignore[arg-type]


# ----------------------------------------------------------------------------------------------
# First contact resolution
def test_first_contact_resolution_by_an_unknown_field_is_an_error() -> None:
    """by=('grop',) is a typo, not a group: it used to put every ticket in one group with the
    value None, where volume and attainment say which fields exist."""
    batch = evaluate_many(DEFAULT_POLICY, sample_timelines())
    with pytest.raises(ArgumentError, match=r"'grop'.*group"):
        first_contact_resolution(batch, by=("grop",))
    (row,) = first_contact_resolution(batch, by=("channel",)).rows[:1]
    assert "email" == row["channel"]


# ----------------------------------------------------------------------------------------------
# compare: every input is a ticket or a failure
@pytest.mark.parametrize("item", [42, None, "T-1", ["T-1"]])
def test_compare_collects_an_input_that_is_not_a_timeline(item: Any) -> None:
    """An input that is neither a Timeline nor a mapping is a failure at its position, as in
    evaluate_many (it used to raise AttributeError: 'int' object has no attribute
    'ticket_id'), and the other tickets are still compared."""
    tickets = [*sample_timelines(), item]
    result = compare(tickets, baseline=DEFAULT_POLICY, variants={"same": DEFAULT_POLICY})
    batch = evaluate_many(DEFAULT_POLICY, tickets)
    assert [(5, None)] == [(f.position, f.ticket_id) for f in result.failures]
    assert [f.error for f in batch.failures] == [f.error for f in result.failures]
    assert attainment(batch).rows == result.reports["baseline"].rows
    assert 5 == len(batch.tickets)


def test_compare_lists_a_cycle_the_variant_does_not_have() -> None:
    """Changes are symmetric: a variant without the resolution metric lists each baseline
    resolution cycle as changed to 'pending', as the reverse comparison lists them changed from
    'pending' (it used to list no change at all: 0 against 5)."""
    data = DEFAULT_POLICY.model_dump()
    del data["metrics"]["resolution"]
    without = Policy.model_validate({**data, "name": "no-resolution"})
    dropped = compare(sample_timelines(), baseline=DEFAULT_POLICY, variants={"v": without})
    added = compare(sample_timelines(), baseline=without, variants={"v": DEFAULT_POLICY})
    resolved = [  # the sample tickets' resolution cycles: (ticket, state)
        (r.ticket_id, c.state)
        for r in (evaluate(DEFAULT_POLICY, t) for t in sample_timelines())
        for c in r.metrics["resolution"].cycles
    ]
    assert 5 == len(resolved)
    assert [(t, s, "pending") for t, s in resolved] == [
        (c["ticket_id"], c["baseline"], c["variant_state"]) for c in dropped.changes
    ]
    assert [(t, "pending", s) for t, s in resolved] == [
        (c["ticket_id"], c["baseline"], c["variant_state"]) for c in added.changes
    ]


# ----------------------------------------------------------------------------------------------
# A bad argument is one error, not one failure per ticket
NAIVE = datetime(2025, 3, 10, 12, 0)  # no tzinfo


@pytest.mark.parametrize(
    "run",
    [
        lambda: evaluate_many(DEFAULT_POLICY, sample_timelines(), as_of=NAIVE),
        lambda: list(iter_records(DEFAULT_POLICY, sample_timelines(), NAIVE, failures=[])),
        lambda: compare(sample_timelines(), baseline=DEFAULT_POLICY, variants={}, as_of=NAIVE),
    ],
    ids=["evaluate_many", "iter_records", "compare"],
)
def test_a_naive_as_of_is_one_error_not_a_failure_per_ticket(run: Any) -> None:
    """as_of is an argument of the whole batch: a naive one is a NaiveDatetimeError naming it
    (it used to become one identical Failure per ticket, five here, and an empty report)."""
    with pytest.raises(NaiveDatetimeError, match="as_of"):
        run()


def test_an_explain_that_is_not_a_bool_is_one_error() -> None:
    """explain='yes' is an ArgumentError naming it, not a Failure per ticket."""
    with pytest.raises(ArgumentError, match="explain"):
        evaluate_many(DEFAULT_POLICY, sample_timelines(), explain="yes")  # type: ignore[arg-type]


def test_an_as_of_out_of_range_is_one_error() -> None:
    """An as_of past the supported range (2200) is an OutOfRangeError naming it."""
    far = datetime(2300, 1, 1, tzinfo=timezone.utc)
    with pytest.raises(OutOfRangeError, match="as_of"):
        evaluate_many(DEFAULT_POLICY, sample_timelines(), as_of=far)


# ----------------------------------------------------------------------------------------------
# Time zones of periods: an IANA name or a tzinfo, everywhere
def test_period_reports_take_a_zone_name_like_the_other_reports() -> None:
    """attainment, volume and period_of read periods in timezone='Europe/Berlin' as with
    ZoneInfo('Europe/Berlin'), as service_level and csat already did (a name used to raise a
    TypeError from inside datetime)."""
    batch = evaluate_many(DEFAULT_POLICY, sample_timelines())
    berlin = ZoneInfo("Europe/Berlin")
    assert attainment(batch, period="day", timezone=berlin) == attainment(
        batch, period="day", timezone="Europe/Berlin"
    )
    assert volume(batch, timezone=berlin) == volume(batch, timezone="Europe/Berlin")
    # 23:30 in New York on 9 March 2025 (EDT, UTC-4) is 04:30 on the 10th in Berlin (CET).
    at = datetime(2025, 3, 9, 23, 30, tzinfo=ZoneInfo("America/New_York"))
    assert "2025-03-10" == period_of(at, "day", "Europe/Berlin")


@pytest.mark.parametrize("zone", [5, ["UTC"], "Mars/Base"])
def test_a_period_zone_that_is_not_one_is_an_error(zone: Any) -> None:
    """A zone that is not an IANA name or a tzinfo is an ArgumentError naming it, in the
    ticket reports and the satisfaction reports alike."""
    batch = evaluate_many(DEFAULT_POLICY, sample_timelines())
    rated = Timeline(ticket_id="S", events=[
        {"at": "2025-03-03T09:00:00Z", "kind": "created"},
        satisfaction_event("2025-03-03T10:00:00Z", 5, "stars")])  # fmt: skip
    for report in (
        lambda: attainment(batch, period="day", timezone=zone),
        lambda: volume(batch, timezone=zone),
        lambda: csat([rated], period="day", timezone=zone),
    ):
        with pytest.raises(ArgumentError, match="zone"):
            report()


# ----------------------------------------------------------------------------------------------
# The policy argument: read once, a bad one is one error
@pytest.mark.parametrize(
    "run",
    [
        lambda p: evaluate_many(p, sample_timelines()),
        lambda p: list(iter_records(p, sample_timelines(), failures=[])),
        lambda p: compare(sample_timelines(), baseline=p, variants={}),
        lambda p: compare(sample_timelines(), baseline=DEFAULT_POLICY, variants={"v": p}),
        lambda p: sweep(sample_timelines(), "first_response", "high", ["1h"], baseline=p),
        lambda p: recommend_target(sample_timelines(), "first_response", "high", baseline=p),
    ],
    ids=["evaluate_many", "iter_records", "compare", "compare-variant", "sweep", "recommend"],
)
def test_an_invalid_policy_is_one_error_not_a_failure_per_ticket(run: Any) -> None:
    """A policy mapping without metrics is a ValidationError naming the field, raised once (it
    used to make every ticket a Failure with the same message, or an AttributeError in sweep);
    something that is not a policy at all (42) is an ArgumentError naming it (it used to be a
    TypeError from inside the engine)."""
    with pytest.raises(ValidationError, match="metrics"):
        run({"name": "no-metrics"})
    with pytest.raises(ArgumentError, match=r"(policy|baseline|variants\['v'\]): 42 \(int\)"):
        run(42)


def test_a_policy_given_as_data_is_the_policy() -> None:
    """The default policy given as plain data gives the same batch, comparison and sweep as the
    validated policy (a mapping with 'policies' is a set)."""
    tickets = sample_timelines()
    assert evaluate_many(DEFAULT_POLICY, tickets) == evaluate_many(DEFAULT_POLICY_DATA, tickets)
    as_set = {"policies": [DEFAULT_POLICY_DATA]}
    assert (
        compare(tickets, baseline=DEFAULT_POLICY, variants={}).reports
        == compare(tickets, baseline=as_set, variants={}).reports
    )
    swept = [
        sweep(tickets, "first_response", "high", ["1h"], baseline=p).rows
        for p in (DEFAULT_POLICY, DEFAULT_POLICY_DATA)
    ]
    assert swept[0] == swept[1]


def test_a_percentile_of_unsorted_values_is_an_error() -> None:
    """percentile reads sorted values; unsorted ones are an ArgumentError saying so (the 0th
    percentile of [3 days, 1 day] used to be 3 days, silently)."""
    with pytest.raises(ArgumentError, match="sorted"):
        percentile([timedelta(days=3), timedelta(days=1)], 0.0)
    assert timedelta(days=1) == percentile([timedelta(days=1), timedelta(days=1)], 0.5)


@pytest.mark.parametrize("overdue", ["no", 0, None])
def test_overdue_that_is_not_a_bool_is_an_error(overdue: Any) -> None:
    """overdue='no' used to count overdue cycles (any non-empty text is true) and 0 or None to
    leave them out, silently; every report taking it (attainment, compare, sweep,
    recommend_target, satisfaction_by_sla) now wants True or False."""
    batch = evaluate_many(DEFAULT_POLICY, sample_timelines())
    tickets = sample_timelines()
    for report in (
        lambda: attainment(batch, overdue=overdue),
        lambda: compare(tickets, baseline=DEFAULT_POLICY, variants={}, overdue=overdue),
        lambda: sweep(tickets, "first_response", "high", ["1h"], baseline=DEFAULT_POLICY,
                      overdue=overdue),
        lambda: recommend_target(tickets, "first_response", "high", baseline=DEFAULT_POLICY,
                                 overdue=overdue),
        lambda: satisfaction_by_sla(tickets, batch, overdue=overdue),
    ):  # fmt: skip
        with pytest.raises(ArgumentError, match="overdue"):
            report()


def test_a_progress_that_is_not_a_callback_is_one_error() -> None:
    """progress='yes' is an ArgumentError before any ticket (it used to be a TypeError "'str'
    object is not callable" after the whole batch, from the final progress call)."""
    with pytest.raises(ArgumentError, match="progress"):
        evaluate_many(DEFAULT_POLICY, sample_timelines(), progress="yes")  # type: ignore[arg-type]


def test_grouping_by_an_attribute_no_ticket_has_at_as_of_says_why() -> None:
    """Every ticket's group was removed (an attributes_changed to None) by as_of: no record has
    'group', which attainment and compare refuse as they refuse a typo; the message says that
    either may be the cause, so an analyst is not told a real attribute does not exist."""
    ticket = {
        "ticket_id": "X",
        "attributes": {"priority": "normal", "group": "billing"},
        "events": [
            {"at": "2025-03-03T15:00:00Z", "kind": "created"},
            {"at": "2025-03-03T16:00:00Z", "kind": "attributes_changed",
             "attributes": {"group": None}},
        ],
    }  # fmt: skip
    batch = evaluate_many(DEFAULT_POLICY, [ticket])
    for report in (
        lambda: attainment(batch, by=("group",)),
        lambda: compare([ticket], baseline=DEFAULT_POLICY, variants={}, by=("group",)),
    ):
        with pytest.raises(ArgumentError, match="no ticket has that attribute at as_of"):
            report()


def test_yes_no_options_of_at_risk_and_the_page_must_be_booleans() -> None:
    """include_overdue="no" listed overdue cycles, plots="no" drew the plots (text is true)."""
    from slaclock.html_report import html_report
    from slaclock.reports import at_risk

    batch = evaluate_many(DEFAULT_POLICY, sample_timelines())
    with pytest.raises(ReportOptionError, match="include_overdue: 'no' - expected True or False"):
        at_risk(batch, include_overdue="no")  # type: ignore[arg-type]
    with pytest.raises(ReportOptionError, match="plots: 'no' - expected True or False"):
        html_report(batch, plots="no")  # type: ignore[arg-type]


def test_durations_states_given_as_one_word_is_an_error_naming_it() -> None:
    """states="met" was read letter by letter: "unknown cycle state(s) ['m', 'e', 't']"."""
    from slaclock.reports import durations

    batch = evaluate_many(DEFAULT_POLICY, sample_timelines())
    with pytest.raises(
        ReportOptionError, match=r"states: 'met' - expected a list of cycle states, e.g. \['met'\]"
    ):
        durations(batch, states="met")
    assert durations(batch, states=["met"]).rows  # the list form works
