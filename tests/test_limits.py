"""Input limits (docs/reference/limits.md): what lies past each one is a documented error."""

from __future__ import annotations

import tracemalloc
from datetime import datetime, timedelta, timezone
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from pydantic import ValidationError

from slaclock import ALWAYS_OPEN, Calendar, Policy, PolicySet, Timeline, evaluate
from slaclock.calendar import MAX_SPANS_PER_DAY
from slaclock.durations import parse_duration
from slaclock.errors import ArgumentError, OutOfRangeError, PolicyError, SlaclockError
from slaclock.policy import MAX_BUSINESS_DAYS, Target, Threshold
from slaclock.reports import percentile, period_of
from slaclock.rules import MAX_MEMO, policy_rules
from slaclock.servicelevel import service_level
from tests.pure_source import pure_module

UTC = timezone.utc
NY = ZoneInfo("America/New_York")


@pytest.mark.parametrize(
    "text", ["9999999999 days", "P99999999999W", "84007d", "-84007d", 10**15, timedelta(days=10**8)]
)
def test_huge_durations_are_out_of_range(text: str | int | timedelta) -> None:
    """Longer than the supported range (84,006 days): OutOfRangeError, never OverflowError."""
    with pytest.raises(OutOfRangeError, match="duration too long"):
        parse_duration(text)


def test_the_longest_duration_is_accepted() -> None:
    """84,006 days (1970-01-01 to 2200-01-01) is the limit itself."""
    assert timedelta(days=84_006) == parse_duration("84006d")


@pytest.mark.parametrize(
    "instant",
    [
        datetime(1, 1, 1, tzinfo=UTC),
        datetime(9999, 12, 31, 23, tzinfo=UTC),
        datetime(9990, 6, 1, tzinfo=NY),
        datetime(1969, 12, 31, 23, 59, 59, tzinfo=UTC),
        datetime(2200, 1, 1, tzinfo=UTC),
    ],
)
def test_instants_outside_the_range_are_refused(instant: datetime) -> None:
    """Calendar queries outside [1970-01-01Z, 2200-01-01Z) raise OutOfRangeError."""
    cal = Calendar.weekdays("Europe/Berlin", country="DE", subdiv="BE")
    for query in (
        cal.is_open,
        cal.next_open,
        lambda t: cal.elapsed(datetime(2025, 1, 1, tzinfo=UTC), t),
    ):
        with pytest.raises(OutOfRangeError, match="out of range"):
            query(instant)


def test_the_range_edges_are_inside() -> None:
    """The first supported instant and the last microsecond before 2200 are usable."""
    first = datetime(1970, 1, 1, tzinfo=UTC)
    last = datetime(2200, 1, 1, tzinfo=UTC) - timedelta(microseconds=1)
    assert ALWAYS_OPEN.elapsed(first, last) == last - first


def test_a_far_instant_costs_no_far_years() -> None:
    """A 2025 query then a refused 9025 one: the table is not extended to 9025 (memory stays small)."""
    cal = Calendar.weekdays("Europe/Berlin", country="DE", subdiv="BE")
    tracemalloc.start()
    try:
        cal.is_open(datetime(2025, 3, 7, 12, tzinfo=UTC))
        with pytest.raises(OutOfRangeError):
            cal.is_open(datetime(9025, 3, 7, 12, tzinfo=UTC))
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < 20_000_000  # before: 500 MB for the years in between


def test_events_outside_the_range_are_refused_at_the_boundary() -> None:
    """A note dated 9990 is a validation error naming 'at'."""
    with pytest.raises(ValidationError, match="at out of range: 9990-01-01"):
        Timeline(
            ticket_id="T",
            events=[
                {"at": "2025-01-01T09:00Z", "kind": "created"},
                {"at": "9990-01-01T09:00Z", "kind": "note_added"},
            ],
        )


def test_business_days_targets_are_bounded() -> None:
    """'99999999 business days' is refused when the policy is read; the limit itself is fine."""
    assert (
        MAX_BUSINESS_DAYS
        == Target.model_validate(f"{MAX_BUSINESS_DAYS} business days").business_days
    )
    with pytest.raises(ValidationError, match=f"less than or equal to {MAX_BUSINESS_DAYS}"):
        Policy(name="p", metrics={"resolution": {"targets": {"normal": "99999999 business days"}}})


@pytest.mark.parametrize("percent", [1e12, float("inf"), float("nan"), 1e400])
def test_at_percent_is_bounded_and_finite(percent: float) -> None:
    """at_percent past 10,000 (100 times the target), infinite or NaN is refused when read."""
    with pytest.raises(ValidationError, match="at_percent"):
        Threshold(name="warn", at_percent=percent)


def test_same_id_an_hour_apart_in_a_dst_fall_back_is_a_conflict() -> None:
    """01:30 EDT and 01:30 EST are different instants: not a harmless re-send of one event."""
    first = datetime(2025, 11, 2, 1, 30, tzinfo=NY)
    second = first.replace(fold=1)  # one hour later, the same wall-clock reading
    assert first == second  # Python compares same-tzinfo datetimes by wall clock
    with pytest.raises(ValidationError, match="event id 'x' is used twice with different content"):
        Timeline(
            ticket_id="T",
            events=[
                {"at": datetime(2025, 11, 2, 0, tzinfo=NY), "kind": "created"},
                {"at": first, "kind": "note_added", "id": "x"},
                {"at": second, "kind": "note_added", "id": "x"},
            ],
        )


def test_a_true_resend_is_still_kept_once() -> None:
    """The same id, instant and content twice: one event."""
    event = {"at": "2025-01-01T10:00Z", "kind": "note_added", "id": "x"}
    timeline = Timeline(
        ticket_id="T", events=[{"at": "2025-01-01T09:00Z", "kind": "created"}, event, event]
    )
    assert 2 == len(timeline.events)


@pytest.mark.parametrize(
    "attributes",
    [{"team": {"a": 1}}, {"tags": [["nested"]]}, {"score": float("nan")}, {"x": object()}],
)
def test_attribute_values_are_scalars_or_lists_of_scalars(attributes: dict[str, object]) -> None:
    """A mapping, nested list, NaN or object as an attribute value is refused, naming it."""
    with pytest.raises(ValidationError, match="unsupported attribute value"):
        Timeline(
            ticket_id="T",
            attributes=attributes,
            events=[{"at": "2025-01-01T09:00Z", "kind": "created"}],
        )


def test_errors_past_limits_are_slaclock_errors() -> None:
    """OutOfRangeError is a SlaclockError, an OverflowError and a ValueError."""
    assert issubclass(OutOfRangeError, SlaclockError)
    assert issubclass(OutOfRangeError, OverflowError)
    assert issubclass(OutOfRangeError, ValueError)


def test_a_day_holds_at_most_max_spans_per_day() -> None:
    """4,000 spans a day is refused when the calendar is built (it cost 1.1 GB on first use)."""
    many = ", ".join(
        f"{m // 60:02d}:{m % 60:02d}-{m // 60:02d}:{m % 60:02d}:30" for m in range(0, 1440, 1)
    )
    with pytest.raises(
        ValidationError, match=f"1440 spans in one day - expected at most {MAX_SPANS_PER_DAY}"
    ):
        Calendar(timezone="UTC", hours={"mon": many})
    hourly = ", ".join(f"{h:02d}:00-{h:02d}:30" for h in range(MAX_SPANS_PER_DAY))
    assert MAX_SPANS_PER_DAY == len(Calendar(timezone="UTC", hours={"mon": hourly}).hours["mon"])


def test_business_day_close_is_bounded() -> None:
    """business_day_close past MAX_BUSINESS_DAYS is refused at once (no day-by-day walk)."""
    cal = Calendar.weekdays("UTC")
    with pytest.raises(OutOfRangeError, match=f"expected at most {MAX_BUSINESS_DAYS}"):
        cal.business_day_close(datetime(2025, 3, 7, tzinfo=UTC), 99_999_999)


def test_a_solved_event_cannot_carry_another_status() -> None:
    """'solved' with status 'Resolved' would leave resolution running: refused, naming both."""
    with pytest.raises(ValidationError, match="status 'Resolved' contradicts kind 'solved'"):
        Timeline(
            ticket_id="T",
            events=[
                {"at": "2025-01-01T09:00Z", "kind": "created"},
                {"at": "2025-01-01T10:00Z", "kind": "solved", "status": "Resolved"},
            ],
        )
    timeline = Timeline(
        ticket_id="T",
        events=[
            {"at": "2025-01-01T09:00Z", "kind": "created"},
            {"at": "2025-01-01T10:00Z", "kind": "solved", "status": "solved"},
        ],
    )
    assert "solved" == timeline.events[1].status


def test_a_list_as_the_calendar_attribute_is_a_policy_error() -> None:
    """region=['eu'] names no calendar: PolicyError, not TypeError (unhashable list)."""
    policy = Policy.model_validate(
        {
            "name": "p",
            "calendars": {"eu": {"timezone": "UTC"}},
            "calendar_attribute": "region",
            "metrics": {"resolution": {"targets": {"high": "4h"}}},
        }
    )
    timeline = Timeline(
        ticket_id="T",
        attributes={"priority": "high", "region": ["eu"]},
        events=[{"at": "2025-01-01T09:00Z", "kind": "created"}],
    )
    with pytest.raises(PolicyError, match=r"region=\['eu'\] names no calendar"):
        evaluate(policy, timeline)


@pytest.mark.filterwarnings("ignore::slaclock.errors.TimelineWarning")  # unknown on purpose
def test_per_policy_memos_stay_bounded_with_unique_custom_kinds() -> None:
    """10,000 tickets with unique custom kinds and statuses: the policy's memo stops at MAX_MEMO."""
    policy = Policy(name="p", metrics={"resolution": {"targets": {"normal": "4h"}}})
    for n in range(MAX_MEMO + 100):
        timeline = Timeline(
            ticket_id=f"T{n}",
            attributes={"priority": "normal"},
            events=[
                {"at": "2025-01-01T09:00Z", "kind": "created"},
                {"at": "2025-01-01T09:30Z", "kind": f"custom_{n}"},
                {"at": "2025-01-01T09:40Z", "kind": "status_changed", "status": f"s{n}"},
            ],
        )
        evaluate(policy, timeline)
    assert len(policy_rules(policy).actions) <= MAX_MEMO
    assert all(len(rules.actions) <= MAX_MEMO for rules in policy_rules(policy).rules)


@pytest.mark.parametrize(
    ("threshold", "error"),
    [(1e20, OutOfRangeError), (float("inf"), ArgumentError), ([20], ArgumentError)],
)
def test_service_level_threshold_past_its_limits(threshold: object, error: type[Exception]) -> None:
    """threshold=1e20 seconds raised OverflowError from timedelta: now a SlaclockError."""
    with pytest.raises(error, match="threshold"):
        service_level([], threshold=threshold)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    "call",
    [
        lambda: period_of(datetime(2025, 1, 1, tzinfo=UTC), "fortnight"),  # type: ignore[arg-type]
        lambda: percentile([], 0.5),
        lambda: service_level([], abandons="sometimes"),  # type: ignore[arg-type]
        lambda: evaluate(
            Policy(name="p", metrics={"resolution": {}}), _one_ticket(), as_of="today"
        ),  # type: ignore[arg-type]
    ],
)
def test_bad_arguments_are_slaclock_errors(call: object) -> None:
    """Reports, service level and the as_of check raise ArgumentError (a SlaclockError that is
    also a ValueError and a TypeError), not a plain built-in error."""
    with pytest.raises(ArgumentError):
        call()  # type: ignore[operator]


def test_as_of_outside_the_range_is_out_of_range() -> None:
    """evaluate(as_of=year 9999) is refused before any calendar work."""
    with pytest.raises(OutOfRangeError, match="as_of out of range"):
        evaluate(
            Policy(name="p", metrics={"resolution": {}}),
            _one_ticket(),
            as_of=datetime(9999, 1, 1, tzinfo=UTC),
        )


def _one_ticket() -> Timeline:
    return Timeline(ticket_id="T", events=[{"at": "2025-01-01T09:00Z", "kind": "created"}])


def test_policy_switching_replays_each_event_a_bounded_number_of_times(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A ticket alternating between two policies 400 and 1,600 times: the catch-up replays each
    past event a bounded number of times, so the work grows linearly (it grew quadratically:
    the whole history was replayed at each switch)."""
    import slaclock.engine
    import slaclock.replay
    import slaclock.ticket_results

    # Calls inside compiled code cannot be intercepted: on the compiled build the pure source of
    # the replay (the same algorithm) is counted, and the pure source of the step that reads
    # it (compiled code accepts only its own classes); on the pure build, the modules.
    engine = pure_module(slaclock.engine)
    replay = pure_module(slaclock.replay)
    monkeypatch.setattr(engine, "TicketReplay", replay.TicketReplay)
    monkeypatch.setattr(engine, "ticket_result", pure_module(slaclock.ticket_results).ticket_result)
    policies = PolicySet.model_validate(
        [
            {"name": "vip", "conditions": {"tags_any": ["vip"]}, "metrics": {"first_response": {}}},
            {"name": "rest", "metrics": {"first_response": {}, "agent_work": {}}},
        ]
    )
    calls = {"n": 0}
    original = replay.apply_event

    def counting(*args: Any) -> None:
        calls["n"] += 1
        original(*args)

    monkeypatch.setattr(replay, "apply_event", counting)
    counts = []
    for switches in (400, 1600):
        start = datetime(2025, 1, 1, tzinfo=UTC)
        events: list[dict[str, Any]] = [{"at": start, "kind": "created"}]
        events += [
            {"at": start + timedelta(minutes=i + 1), "kind": "attributes_changed",
             "attributes": {"tags": ["vip"] if i % 2 == 0 else []}}
            for i in range(switches)
        ]  # fmt: skip
        calls["n"] = 0
        engine.evaluate(policies, Timeline(ticket_id="T", events=events))
        counts.append(calls["n"])
    # 4 times the events: about 4 times the calls (quadratic would be 16 times).
    assert counts[1] < 5 * counts[0]
