"""The test toolkit itself: the story builder, the assertions and their failure messages."""

from __future__ import annotations

from datetime import datetime, timezone

import pytest

from slaclock import Policy, PolicySet
from slaclock.errors import TimelineError
from slaclock.testing import (
    assert_breached,
    assert_due,
    assert_met,
    assert_state,
    check_scenario,
    ticket,
)

UTC = timezone.utc
POLICY = Policy.model_validate(
    {
        "name": "p",
        "calendar": {"timezone": "UTC", "hours": {"mon-fri": [["09:00", "17:00"]]}},
        "metrics": {"first_response": {"targets": {"normal": "1h"}}},
    }
)


def story():  # type: ignore[no-untyped-def]
    return ticket("2025-03-07T16:30:00Z", policy=POLICY, priority="normal")


def test_steps_in_calendar_and_business_time() -> None:
    """after='20m' is real time; after='1 business hour' skips the weekend on the calendar."""
    s = story().customer_replies(after="20m").agent_replies(after="1 business hour")
    assert [datetime(2025, 3, 7, 16, 50, tzinfo=UTC), datetime(2025, 3, 10, 9, 50, tzinfo=UTC)] == [
        e.at for e in s.timeline().events[1:]
    ]


def test_business_steps_use_the_calendar_in_force_after_a_change() -> None:
    """Moved from the Berlin desk to the New York desk at 08:00Z (Monday 3 March 2025): '1
    business hour' is counted on New York's 09:00-17:00 (EST, UTC-5), opening at 14:00Z, so
    the reply lands at 15:00Z (on Berlin's calendar it would have been 09:00Z)."""
    desks = PolicySet.model_validate(
        [
            {
                "name": desk,
                "conditions": {"group": desk},
                "calendar": {"timezone": zone, "hours": {"mon-fri": [["09:00", "17:00"]]}},
                "metrics": {"first_response": {"targets": {"normal": "4h"}}},
            }
            for desk, zone in (("berlin", "Europe/Berlin"), ("ny", "America/New_York"))
        ]
    )
    s = (
        ticket(
            "2025-03-03T08:00:00Z", policy=desks, priority="normal", attributes={"group": "berlin"}
        )
        .event("attributes_changed", attributes={"group": "ny"})
        .agent_replies(after="1 business hour")
    )
    assert datetime(2025, 3, 3, 15, tzinfo=UTC) == s.timeline().events[-1].at


def test_business_days_step_goes_to_the_close() -> None:
    """after='1 business day' is the close of the next business day."""
    assert datetime(2025, 3, 10, 17, tzinfo=UTC) == story().solve(after="1 business day").now


def test_a_step_back_in_time_is_an_error() -> None:
    """at= before the story's current instant names the step and both instants."""
    with pytest.raises(
        TimelineError,
        match=r"agent_replied\(at=2025-03-07T16:00:00\+00:00\) goes back in time: the story is already at 2025-03-07T16:30:00\+00:00",
    ):
        story().agent_replies(at="2025-03-07T16:00:00Z")


def test_stories_are_immutable() -> None:
    """Each step returns a new story; the original is unchanged."""
    base = story()
    base.agent_replies(after="5m")
    assert 1 == len(base.timeline().events)


def test_assertions_pass_on_the_right_outcome() -> None:
    """Created Fri 16:30, 1h target: 30m Friday + 30m Monday -> due Mon 09:30; reply 09:45."""
    result = story().agent_replies(at="2025-03-10T09:45:00Z").evaluate()
    assert_breached(result, "first_response", by="15m")
    assert_due(result, "first_response", at="2025-03-10T09:30:00Z")
    assert_state(result, "first_response", "breached")


def test_failure_message_shows_expected_actual_and_the_clock_trace() -> None:
    """The message shown in docs/how-to/testing.md, to the character."""
    result = story().agent_replies(at="2025-03-10T09:45:00Z").evaluate()
    with pytest.raises(AssertionError) as failure:
        assert_met(result, "first_response")
    assert (
        "first_response cycle 0: expected met, got breached\n"
        "  started 2025-03-07 16:30 +0000, stopped 2025-03-10 09:45 +0000, due 2025-03-10 09:30 +0000, elapsed 1h15m of 1h\n"
        "  clock trace:\n"
        "    2025-03-07 16:30 +0000 .. 2025-03-07 17:00 +0000  counted  30m\n"
        "    2025-03-07 17:00 +0000 .. 2025-03-10 09:00 +0000  closed   64h\n"
        "    2025-03-10 09:00 +0000 .. 2025-03-10 09:45 +0000  counted  45m\n"
    ) == str(failure.value)


def test_breached_by_the_wrong_amount_says_both() -> None:
    """assert_breached(by=...) compares the business time past due exactly."""
    result = story().agent_replies(at="2025-03-10T09:45:00Z").evaluate()
    with pytest.raises(AssertionError, match="expected breached by 10m, got breached by 15m"):
        assert_breached(result, "first_response", by="10m")


def test_due_compares_instants_across_zones() -> None:
    """assert_due accepts the same instant written in another zone."""
    result = story().evaluate()
    assert_due(result, "first_response", at="2025-03-10T10:30:00+01:00")
    with pytest.raises(
        AssertionError, match="expected due 2025-03-10 09:31 \\+0000, got 2025-03-10 09:30 \\+0000"
    ):
        assert_due(result, "first_response", at="2025-03-10T09:31:00Z")


def test_unknown_metric_and_missing_cycle() -> None:
    """Asking for a metric the policy does not measure, or a cycle that does not exist, says so."""
    result = story().evaluate()
    with pytest.raises(
        AssertionError,
        match=r"resolution: no such metric in the result - the policy measures \['first_response'\]",
    ):
        assert_met(result, "resolution")
    with pytest.raises(AssertionError, match="first_response: no cycle 3 - it has 1"):
        assert_met(result, "first_response", cycle=3)


def test_a_wrong_scenario_fails_with_its_name() -> None:
    """check_scenario reports the scenario's name and the failed expectation."""
    scenario = {
        "name": "wrong on purpose",
        "policy": POLICY.model_dump(),
        "ticket": {
            "created_at": "2025-03-07T16:30:00Z",
            "attributes": {"priority": "normal"},
            "events": [{"after": "10m", "kind": "agent_replied"}],
        },
        "expect": {"first_response": {"state": "breached"}},
    }
    with pytest.raises(
        AssertionError,
        match="scenario 'wrong on purpose': first_response cycle 0: expected breached, got met",
    ):
        check_scenario(scenario)
