"""Tests of slaclock.whatif: variants are copies, the sweep equals full re-evaluation, and
recommend_target is exact."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from functools import cache

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from slaclock import Policy, Timeline
from slaclock.analytics import attainment, evaluate_many
from slaclock.errors import ReportOptionError
from slaclock.synthetic import DEFAULT_POLICY, generate_timelines, sample_timelines
from slaclock.whatif import compare, recommend_target, sweep, variant

UTC = timezone.utc
US = timedelta(microseconds=1)

# 09:00-17:00 UTC on weekdays, first response 4h for normal tickets.
POLICY = Policy.model_validate(
    {
        "name": "office",
        "calendar": {"timezone": "UTC", "hours": {"mon-fri": [["09:00", "17:00"]]}},
        "metrics": {"first_response": {"targets": {"normal": "4h"}}},
    }
)


def _ticket(ticket_id: str, created: str, replied: str) -> Timeline:
    return Timeline.model_validate(
        {
            "ticket_id": ticket_id,
            "attributes": {"priority": "normal"},
            "events": [
                {"at": f"2025-03-03T{created}:00Z", "kind": "created"},
                {"at": f"2025-03-03T{replied}:00Z", "kind": "agent_replied"},
            ],
        }
    )


# Both used exactly 4h of business time. TIGHT replied at 17:00, the instant the 4h were
# reached; LATE replied at 18:00, an hour after the due instant 17:00 (closed time in between).
TIGHT = _ticket("tight", "13:00", "17:00")
LATE = _ticket("late", "13:00", "18:00")


def test_a_stop_after_the_closing_instant_breaches_an_exact_target() -> None:
    """The engine: 4h used and stopped at 17:00 is met; stopped at 18:00 is breached."""
    states = {r["ticket_id"]: r["state"] for r in evaluate_many(POLICY, [TIGHT, LATE])}
    assert {"tight": "met", "late": "breached"} == states


def test_sweep_agrees_on_the_closing_instant() -> None:
    """Under 4h the late reply breaches; under 4h + 1us it is met; recommend(1.0) = 4h + 1us."""
    s = sweep(
        [TIGHT, LATE], "first_response", "normal", ["4h", timedelta(hours=4) + US], baseline=POLICY
    )
    assert [(1, 1), (2, 0)] == [(row.met, row.breached) for row in s.rows]
    assert timedelta(hours=4) + US == s.recommend(1.0)
    assert timedelta(hours=4) == s.recommend(0.5)


def test_compare_lists_the_changed_outcomes() -> None:
    """Urgent first response 2h instead of 1h: T-1002 (answered after 1h20m) becomes met."""
    faster = variant(DEFAULT_POLICY, targets={"first_response": {"urgent": "2h"}})
    result = compare(
        sample_timelines(),
        baseline=DEFAULT_POLICY,
        variants={"2h": faster},
        metric="first_response",
    )
    assert [("T-1002", "first_response", "breached", "met")] == [
        (c["ticket_id"], c["metric"], c["baseline"], c["variant_state"]) for c in result.changes
    ]
    urgent = next(row for row in result.table().rows if row["priority"] == "urgent")
    assert (0.0, 1.0, 100.0) == (urgent["baseline"], urgent["2h"], urgent["delta 2h"])
    assert "delta 2h" in result.to_table()


def test_variants_never_mutate_the_baseline() -> None:
    """variant() returns a validated copy; the original keeps its values."""
    before = DEFAULT_POLICY.model_dump()
    changed = variant(
        DEFAULT_POLICY,
        targets={"resolution": {"normal": "40h"}},
        pause_statuses={"resolution": ["pending"]},
        priority_change="restart",
        calendar="24x7",
        name="what-if",
    )
    assert before == DEFAULT_POLICY.model_dump()
    assert ("what-if", "restart", "24x7") == (
        changed.name,
        changed.priority_change,
        changed.calendar,
    )
    assert timedelta(hours=40) == changed.metrics["resolution"].targets["normal"].duration


def test_unknown_metric_is_a_clear_error() -> None:
    """A metric the policy does not measure is named with the known ones."""
    with pytest.raises(ValueError, match="unknown metric 'first_reply'"):
        variant(DEFAULT_POLICY, targets={"first_reply": {"normal": "1h"}})
    with pytest.raises(ValueError, match="unknown metric 'first_reply' - expected one of"):
        sweep(sample_timelines(), "first_reply", "normal", ["1h"], baseline=DEFAULT_POLICY)


def test_bad_targets_and_shares() -> None:
    """A non-positive target and a share outside (0, 1] are refused."""
    with pytest.raises(ValueError, match="must be positive"):
        sweep([TIGHT], "first_response", "normal", ["0s"], baseline=POLICY)
    with pytest.raises(ValueError, match="expected a share"):
        recommend_target([TIGHT], "first_response", "normal", baseline=POLICY, attainment=95)


@cache
def _tickets() -> tuple[Timeline, ...]:
    return tuple(generate_timelines(250, seed=11))


@cache
def _sweep(metric: str, priority: str) -> object:
    return sweep(_tickets(), metric, priority, [], baseline=DEFAULT_POLICY)


CASES = st.sampled_from(
    [("first_response", "normal"), ("resolution", "high"), ("requester_wait", "urgent")]
)


def _reevaluated(metric: str, priority: str, target: timedelta) -> tuple[int, int]:
    old = DEFAULT_POLICY.metrics[metric].targets[priority]
    policy = DEFAULT_POLICY.with_target(
        metric, priority, {"duration": target, "calendar": old.calendar}
    )
    report = attainment(evaluate_many(policy, _tickets()), by=("priority",), metric=metric)
    row = next(row for row in report.rows if row.key == (priority,))
    return row.met, row.breached


@settings(max_examples=12)
@given(CASES, st.integers(1, 60 * 60 * 40))
def test_sweep_equals_reevaluating_with_the_target(case: tuple[str, str], seconds: int) -> None:
    """For any target, the one-pass sweep counts what evaluating with that target counts."""
    metric, priority = case
    target = timedelta(seconds=seconds)
    row = _sweep(metric, priority).at(target)  # type: ignore[attr-defined]
    assert _reevaluated(metric, priority, target) == (row.met, row.breached + row.overdue)


@given(CASES, st.lists(st.integers(1, 60 * 60 * 80), min_size=2, max_size=12))
def test_attainment_is_monotone_in_the_target(case: tuple[str, str], seconds: list[int]) -> None:
    """Attainment never decreases as the target grows."""
    s = _sweep(*case)
    shares = [s.at(timedelta(seconds=x)).attainment for x in sorted(seconds)]  # type: ignore[attr-defined]
    assert shares == sorted(shares)


@given(CASES, st.floats(0.05, 1.0))
def test_recommend_meets_its_share_and_one_microsecond_less_does_not(
    case: tuple[str, str], share: float
) -> None:
    """recommend(p) is met by at least p of the cycles; 1us less is not (unless it is 1us)."""
    s = _sweep(*case)
    target = s.recommend(share)  # type: ignore[attr-defined]
    assert target is not None
    assert s.at(target).attainment >= share  # type: ignore[attr-defined]
    if target > US:
        assert s.at(target - US).attainment < share  # type: ignore[attr-defined]


def test_recommend_target_checked_by_reevaluation() -> None:
    """The recommended 90 % target, applied to the policy, gives >= 90 %; 1us less, < 90 %."""
    target = recommend_target(
        _tickets(), "first_response", "normal", baseline=DEFAULT_POLICY, attainment=0.9
    )
    assert target is not None
    met, breached = _reevaluated("first_response", "normal", target)
    assert met / (met + breached) >= 0.9
    met, breached = _reevaluated("first_response", "normal", target - US)
    assert met / (met + breached) < 0.9


def test_running_cycles_count_when_overdue() -> None:
    """As of 12:00 a cycle open since 09:00 is overdue under 2h, not under 4h."""
    open_ticket = Timeline.model_validate(
        {
            "ticket_id": "open",
            "attributes": {"priority": "normal"},
            "events": [{"at": "2025-03-03T09:00:00Z", "kind": "created"}],
        }
    )
    as_of = datetime(2025, 3, 3, 12, tzinfo=UTC)
    s = sweep([open_ticket], "first_response", "normal", ["2h", "4h"], baseline=POLICY, as_of=as_of)
    assert [(0, 1, 0.0), (0, 0, None)] == [(r.met, r.overdue, r.attainment) for r in s.rows]
    assert "attainment" in s.to_table()


def test_misspelt_priority_names_the_valid_ones() -> None:
    """sweep(priority="hihg") is an error listing the priorities the metric has targets for."""
    with pytest.raises(ReportOptionError, match=r"unknown priority 'hihg'.*\['high', 'low'"):
        sweep(sample_timelines(), "first_response", "hihg", ["1h"], baseline=DEFAULT_POLICY)
    with pytest.raises(ReportOptionError, match="expected one of \\['normal'\\]"):
        recommend_target([TIGHT], "first_response", "hihg", baseline=POLICY)


def _replied(ticket_id: str, created: str, replied: str) -> Timeline:
    return Timeline.model_validate(
        {
            "ticket_id": ticket_id,
            "attributes": {"priority": "normal"},
            "events": [
                {"at": created, "kind": "created"},
                {"at": replied, "kind": "agent_replied"},
            ],
        }
    )


def test_business_day_targets_are_accepted() -> None:
    """Created Monday 2025-03-03 13:00: '1 business day' is due at the close of Tuesday
    (17:00). Replies Tuesday 16:59 (met) and Wednesday 09:30 (breached): 1 / 2. Under
    '2 business days' (due Wednesday 17:00) both are met."""
    tickets = [
        _replied("a", "2025-03-03T13:00:00Z", "2025-03-04T16:59:00Z"),
        _replied("b", "2025-03-03T13:00:00Z", "2025-03-05T09:30:00Z"),
    ]
    s = sweep(
        iter(tickets),  # a generator is fine: the sweep keeps the timelines for the extra pass
        "first_response",
        "normal",
        ["1 business day", "2 business days", "4h"],
        baseline=POLICY,
    )
    assert [
        ("1 business day", None, 1, 1, 0.5),
        ("2 business days", None, 2, 0, 1.0),
        ("4h", timedelta(hours=4), 0, 2, 0.0),  # 4h of business time is due Tuesday 09:00
    ] == [(r.spec, r.target, r.met, r.breached, r.attainment) for r in s.rows]
    assert "1 business day" in s.to_table()


def test_targets_on_another_calendar() -> None:
    """{'duration': '4h', 'calendar': '24x7'}: TIGHT (13:00 to 17:00) is met, LATE (to 18:00,
    5 wall-clock hours) is breached; under 5h on 24x7 both are met."""
    s = sweep(
        [TIGHT, LATE],
        "first_response",
        "normal",
        [{"duration": "4h", "calendar": "24x7"}, {"duration": "5h", "calendar": "24x7"}],
        baseline=POLICY,
    )
    assert [("4h (24x7)", 1, 1), ("5h (24x7)", 2, 0)] == [
        (r.spec, r.met, r.breached) for r in s.rows
    ]


def test_recommendation_exact_and_rounded() -> None:
    """All four tickets replied within 1h1m30.5s of business time: the exact target for 100 %
    is that; rounded up to the minute, 1h2m, still reaches 100 %."""
    tickets = [
        _replied(str(i), "2025-03-03T09:00:00Z", f"2025-03-03T{reply}Z")
        for i, reply in enumerate(("09:10:00", "09:30:00", "09:45:00", "10:01:30.500000"))
    ]
    rec = sweep(tickets, "first_response", "normal", [], baseline=POLICY).recommendation(1.0)
    assert (timedelta(hours=1, minutes=1, seconds=30.5), timedelta(hours=1, minutes=2), 1.0) == (
        rec.target,
        rec.rounded,
        rec.reached,
    )
    assert "target for 100%: 1h1m30.500000s exact, 1h2m rounded up (reaches 100.0%)" == str(rec)


def test_recommendation_says_why_there_is_none() -> None:
    """No cycle at all: no_cycles; only open cycles (they count only when overdue): the other."""
    nothing = sweep([], "first_response", "normal", [], baseline=POLICY).recommendation(0.9)
    assert (None, "no_cycles") == (nothing.target, nothing.reason)
    open_ticket = Timeline.model_validate(
        {
            "ticket_id": "open",
            "attributes": {"priority": "normal"},
            "events": [{"at": "2025-03-03T09:00:00Z", "kind": "created"}],
        }
    )
    s = sweep(
        [open_ticket],
        "first_response",
        "normal",
        [],
        baseline=POLICY,
        as_of=datetime(2025, 3, 3, 12, tzinfo=UTC),
    )
    assert s.recommend(0.9) is None
    assert "only_open_cycles" == s.recommendation(0.9).reason
    assert "every cycle is still open" in str(s.recommendation(0.9))


def test_compare_collects_an_input_that_is_not_a_timeline() -> None:
    """Text or a number among the timelines is a failure at its position, not an AttributeError
    while naming its ticket (it has none)."""
    result = compare(
        [*sample_timelines()[:1], "T-9", 42],
        baseline=DEFAULT_POLICY,
        variants={"same": DEFAULT_POLICY},
    )
    assert [(1, None), (2, None)] == [(f.position, f.ticket_id) for f in result.failures]
    assert "Timeline" in result.failures[0].error
