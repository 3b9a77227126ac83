"""Convention presets checked against the helpdesks' own worked examples.

Every expected value below is copied from the cited source (a helpdesk's documentation page or
its public test suite) or worked by hand from a rule the source states; the arithmetic is in the
comments. None is computed with slaclock. The sources are listed in docs/comparison.md.
"""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st
from pydantic import ValidationError

from slaclock import (
    Conventions,
    DayTargetWarning,
    Policy,
    Precision,
    TicketResult,
    Timeline,
    evaluate,
)
from slaclock._tz import to_micros
from slaclock.policy import NAMED_DEFINITIONS
from slaclock.synthetic import DEFAULT_POLICY, generate_timelines

from .preset_support import Row, run, timeline_of, utc

UTC = timezone.utc
M = timedelta(minutes=1)
H = timedelta(hours=1)


def ticket(*events: Row) -> Timeline:
    """A ticket (priority normal) from (UTC time, kind[, fields]) rows."""
    return timeline_of("T", {"priority": "normal"}, events)


# ---------------------------------------------------------------------------------------------
# Zammad. Sources: the Zammad test suite (github.com/zammad/zammad):
#   ZAMMAD_ESCALATION = spec/models/ticket/escalation_examples.rb ('Ticket::Escalation' examples)
#   ZAMMAD_LIB_SPEC   = spec/lib/escalation_spec.rb
# Zammad's calendar factory (spec/factories/calendar.rb) uses the zone Europe/Berlin.
ZAMMAD_DAILY_9_18 = {"timezone": "Europe/Berlin", "hours": {"daily": "09:00-18:00"}}


def zammad(calendar: Any, metrics: dict[str, Any]) -> Policy:
    return Policy.model_validate(
        {"name": "zammad", "conventions": "zammad", "calendar": calendar, "metrics": metrics}
    )


def test_zammad_first_response_pauses_while_closed() -> None:
    """Zammad: a first response closed before any reply is paused, and resumes on reopen."""
    # ZAMMAD_ESCALATION, context 'when Ticket is reopened': first_response_time 120, calendar
    # daily 09:00-18:00 (Berlin summer time: 07:00-16:00 UTC); created 09:00 UTC, pending
    # 09:30, open 09:45, closed 10:00, open 10:30 -> first_response_escalation_at 11:45 UTC.
    # By hand: 30m (09:00-09:30) + 15m (09:45-10:00) = 45m used; 75m from 10:30 -> 11:45.
    policy = zammad(
        ZAMMAD_DAILY_9_18,
        {"first_response": {"targets": {"normal": "120m"}, "pause_statuses": ["pending"]}},
    )
    events = ticket(
        ("2013-06-04 09:00", "created"),
        ("2013-06-04 09:30", "status_changed", {"status": "pending"}),
        ("2013-06-04 09:45", "status_changed", {"status": "open"}),
        ("2013-06-04 10:00", "closed"),
        ("2013-06-04 10:30", "reopened"),
    )
    result = run(policy, events, "2013-06-04 10:30")
    assert "running" == result.first_response.state
    assert utc("2013-06-04 11:45") == result.first_response.due_at
    assert 45 * M == result.first_response.elapsed
    # slaclock's own rule (no preset) cancels the first response when the ticket is closed.
    ours = policy.model_copy(update={"conventions": None})
    assert "cancelled" == run(ours, events, "2013-06-04 10:30").first_response.state


def test_zammad_due_at_a_closing_time_is_the_next_opening() -> None:
    """Zammad: a target used up exactly at closing time is due at the next opening."""
    # ZAMMAD_ESCALATION, context 'when Ticket transitions from pending to open':
    # first_response_time 120, daily 09:00-18:00 Berlin (07:00-16:00 UTC); created 09:00 UTC,
    # pending 10:00, open 15:00 -> first_response_escalation_at 2013-06-05 07:00 UTC.
    # By hand: 60m (09:00-10:00) + 60m (15:00-16:00) reach 120m exactly at the 16:00 UTC close.
    policy = zammad(
        ZAMMAD_DAILY_9_18,
        {"first_response": {"targets": {"normal": "120m"}, "pause_statuses": ["pending"]}},
    )
    events = ticket(
        ("2013-06-04 09:00", "created"),
        ("2013-06-04 10:00", "status_changed", {"status": "pending"}),
        ("2013-06-04 15:00", "status_changed", {"status": "open"}),
    )
    assert utc("2013-06-05 07:00") == run(policy, events, "2013-06-04 15:00").first_response.due_at
    # A reply after the close but before the next opening is in time under this convention...
    replied = ticket(*_rows(events), ("2013-06-04 17:00", "agent_replied"))
    assert "met" == run(policy, replied, "2013-06-04 17:00").first_response.state
    # ...and slaclock's own rule says due at the close (16:00 UTC), so the same reply is late.
    ours = policy.model_copy(update={"due_at_closing": "close"})
    assert utc("2013-06-04 16:00") == run(ours, events, "2013-06-04 15:00").first_response.due_at
    assert "breached" == run(ours, replied, "2013-06-04 17:00").first_response.state


def _rows(timeline: Timeline) -> list[tuple[str, str, dict[str, Any]]]:
    return [
        (
            e.at.astimezone(UTC).strftime("%Y-%m-%d %H:%M"),
            e.kind,
            {"status": e.status} if e.kind == "status_changed" else {},
        )
        for e in timeline.events
    ]


def test_zammad_pending_pauses_first_response_and_solution() -> None:
    """Zammad: pending pauses the first response and the solution time (minutes as Zammad)."""
    # ZAMMAD_ESCALATION, 'when Ticket transitions from open to pending to open, response and
    # close': first_response_time 120, solution_time 250, daily 09:00-18:00 Berlin; created
    # 09:00 UTC, pending 10:00, open 10:30, first response 10:45, closed 12:00 ->
    # first_response_in_min 75, first_response_diff_in_min 45, close_in_min 150,
    # close_diff_in_min 100. By hand: 60m + 15m = 75m; 60m + 90m (10:30-12:00) = 150m.
    policy = zammad(
        ZAMMAD_DAILY_9_18,
        {
            "first_response": {"targets": {"normal": "120m"}, "pause_statuses": ["pending"]},
            "resolution": {"targets": {"normal": "250m"}, "pause_statuses": ["pending"]},
        },
    )
    events = ticket(
        ("2013-06-04 09:00", "created"),
        ("2013-06-04 10:00", "status_changed", {"status": "pending"}),
        ("2013-06-04 10:30", "status_changed", {"status": "open"}),
        ("2013-06-04 10:45", "agent_replied"),
        ("2013-06-04 12:00", "closed"),
    )
    result = run(policy, events, "2013-06-04 12:00")
    assert ("met", 75 * M, 45 * M) == (
        result.first_response.state,
        result.first_response.elapsed,
        result.first_response.remaining,
    )
    assert ("met", 150 * M, 100 * M) == (
        result.resolution.state,
        result.resolution.elapsed,
        result.resolution.remaining,
    )


ZAMMAD_HOLIDAY_CALENDAR = {
    "timezone": "Europe/Berlin",
    "hours": {"mon-fri": "08:00-20:00"},
    "holidays": ["2016-11-01"],
}


def test_zammad_update_clock_truncates_to_the_minute() -> None:
    """Zammad: the update clock runs from the customer's message, and due instants are whole
    minutes (truncated); the ticket's escalation_at is the earliest open one."""
    # ZAMMAD_ESCALATION, context 'when SLA has Calendar with holidays': Mon-Fri 08:00-20:00
    # Berlin (winter: 07:00-19:00 UTC), 2016-11-01 a holiday; first_response_time 120,
    # update_time 1200 (20h). Quoted expectations, in order:
    #   customer's web ticket at 2016-11-01 13:56:21 UTC -> escalation_at 2016-11-02 09:00,
    #     first_response_escalation_at 2016-11-02 09:00, update_escalation_at 2016-11-03 15:00
    #   pending + agent email at 15:25:40 -> every escalation nil
    #   open + customer email at 15:59:14 -> escalation_at = update_escalation_at 2016-11-03 15:00
    #   pending at 15:59:58 -> every escalation nil
    #   open + customer email at 2016-11-07 13:26:36 -> update_escalation_at 2016-11-09 09:26:00
    #   another customer email at 14:26:36 -> still 2016-11-09 09:26:00
    # By hand for the last: 5h33m24s (13:26:36-19:00) + 12h (Tue) + 2h26m36s (Wed from 07:00)
    # = 20h at Wed 09:26:36 UTC, truncated to the minute: 09:26:00.
    policy = Policy.model_validate(
        {
            "name": "zammad",
            "conventions": "zammad",
            "calendar": ZAMMAD_HOLIDAY_CALENDAR,
            "metrics": {
                "first_response": {"targets": {"normal": "120m"}},
                "next_response": {"targets": {"normal": "1200m"}},
            },
        }
    )
    steps: list[tuple[str, str] | tuple[str, str, dict[str, Any]]] = [
        ("2016-11-01 13:56:21", "created"),
    ]

    def now(at: str) -> TicketResult:
        return run(policy, ticket(*steps), at)

    first = now("2016-11-01 13:56:21")
    assert utc("2016-11-02 09:00") == first.first_response.due_at
    assert utc("2016-11-03 15:00") == first.next_response.due_at
    assert utc("2016-11-02 09:00") == first.escalation_at
    steps += [
        ("2016-11-01 15:25:40", "agent_replied"),
        ("2016-11-01 15:25:40", "status_changed", {"status": "pending"}),
    ]
    assert None is now("2016-11-01 15:25:40").escalation_at
    steps += [
        ("2016-11-01 15:59:14", "status_changed", {"status": "open"}),
        ("2016-11-01 15:59:14", "customer_replied"),
    ]
    reopened = now("2016-11-01 15:59:14")
    assert utc("2016-11-03 15:00") == reopened.next_response.due_at == reopened.escalation_at
    steps += [("2016-11-01 15:59:58", "status_changed", {"status": "pending"})]
    assert None is now("2016-11-01 15:59:58").escalation_at
    steps += [
        ("2016-11-07 13:26:36", "status_changed", {"status": "open"}),
        ("2016-11-07 13:26:36", "customer_replied"),
    ]
    assert utc("2016-11-09 09:26") == now("2016-11-07 13:26:36").next_response.due_at
    steps += [("2016-11-07 14:26:36", "customer_replied")]
    assert utc("2016-11-09 09:26") == now("2016-11-07 14:26:36").next_response.due_at
    # Without minute precision the same clock is due at the exact instant, 09:26:36.
    exact = policy.model_copy(update={"precision": "exact"})
    assert utc("2016-11-09 09:26:36") == (
        run(exact, ticket(*steps), "2016-11-07 14:26:36").next_response.due_at
    )


ZAMMAD_24_7 = {"timezone": "Europe/Berlin", "hours": {"daily": "00:00-24:00"}}


def test_zammad_update_clock_paused_while_pending() -> None:
    """Zammad: pending pushes the update escalation back by the time spent pending."""
    # ZAMMAD_LIB_SPEC, 'switching state pushes escalation date': SLA 24/7 with update_time 60;
    # an inbound customer email at T, 'pending close' at T+10m, 'open' at T+20m ->
    # update_escalation_at == created_at + 70 minutes.
    policy = zammad(ZAMMAD_24_7, {"next_response": {"targets": {"normal": "60m"}}})
    events = ticket(
        ("2025-03-03 10:00", "created"),
        ("2025-03-03 10:10", "status_changed", {"status": "pending"}),
        ("2025-03-03 10:20", "status_changed", {"status": "open"}),
    )
    assert utc("2025-03-03 11:10") == run(policy, events, "2025-03-03 10:20").next_response.due_at


def test_zammad_update_statistics_keep_the_longest_exchange() -> None:
    """Zammad: update time is customer message -> agent reply, and the longest exchange counts."""
    # ZAMMAD_LIB_SPEC, 'with multiple exchanges and later one being quicker' (update_time 60,
    # 24/7): customer email, agent reply 10 minutes later, customer 10 minutes after that,
    # agent 5 minutes later -> update_in_min 10, update_diff_in_min 50 ('keeps statistics of
    # longest exchange').
    policy = zammad(ZAMMAD_24_7, {"next_response": {"targets": {"normal": "60m"}}})
    events = ticket(
        ("2025-03-03 10:00", "created"),
        ("2025-03-03 10:10", "agent_replied"),
        ("2025-03-03 10:20", "customer_replied"),
        ("2025-03-03 10:25", "agent_replied"),
    )
    metric = run(policy, events, "2025-03-03 10:25").next_response
    longest = metric.longest
    assert longest is not None
    assert (10 * M, 50 * M) == (longest.elapsed, longest.remaining)
    assert (2, 15 * M, 0) == (len(metric.cycles), metric.total_elapsed, metric.breached_cycles)


def test_zammad_update_clock_ignores_repeated_customer_messages() -> None:
    """Zammad: a second customer message does not move the update escalation; a reply clears it."""
    # ZAMMAD_LIB_SPEC (issue #3140): 'repeated customer requests do not #update_escalation_at'
    # and 'agent response clears #update_escalation_at' (24/7, update_time 60). By hand: the
    # clock started with the customer's message at 10:00 is due 11:00 whatever follows.
    policy = zammad(ZAMMAD_24_7, {"next_response": {"targets": {"normal": "60m"}}})
    asked = ticket(("2025-03-03 10:00", "created"), ("2025-03-03 10:10", "customer_replied"))
    result = run(policy, asked, "2025-03-03 10:10")
    assert utc("2025-03-03 11:00") == result.next_response.due_at == result.escalation_at
    answered = ticket(*_rows(asked), ("2025-03-03 10:20", "agent_replied"))
    assert None is run(policy, answered, "2025-03-03 10:20").escalation_at


ZAMMAD_WEEKDAYS_8_18 = {"timezone": "Europe/Berlin", "hours": {"mon-fri": "08:00-18:00"}}


def test_zammad_update_time_over_time_then_customer_reply() -> None:
    """Zammad: the update clock runs from the customer's first message, before any reply."""
    # ZAMMAD_ESCALATION, 'with standard incoming email with active SLA': Mon-Fri 08:00-18:00,
    # first_response_time 60, update_time 120, solution_time 180; email at 2013-03-21 09:30 UTC
    # -> escalation_at 10:30, first_response_escalation_at 10:30, update_escalation_at 11:30,
    # close_escalation_at 12:30. Then '... update time over time and customer reply': agent
    # contact 12:00 -> update_in_min 150, update_diff_in_min -30; customer 12:05 ->
    # update_escalation_at 14:05; agent 12:10 (update_in_min stays 150); closed 13:00 ->
    # close_in_min 210, close_diff_in_min -30.
    policy = zammad(
        ZAMMAD_WEEKDAYS_8_18,
        {
            "first_response": {"targets": {"normal": "60m"}},
            "next_response": {"targets": {"normal": "120m"}},
            "resolution": {"targets": {"normal": "180m"}},
        },
    )
    steps: list[tuple[str, str] | tuple[str, str, dict[str, Any]]] = [
        ("2013-03-21 09:30", "created")
    ]
    start = run(policy, ticket(*steps), "2013-03-21 09:30")
    assert utc("2013-03-21 10:30") == start.escalation_at == start.first_response.due_at
    assert utc("2013-03-21 11:30") == start.next_response.due_at
    assert utc("2013-03-21 12:30") == start.resolution.due_at
    steps += [("2013-03-21 12:00", "agent_replied"), ("2013-03-21 12:05", "customer_replied")]
    later = run(policy, ticket(*steps), "2013-03-21 12:05")
    first_exchange = later.next_response.cycles[0]
    assert ("breached", 150 * M, 30 * M) == (
        first_exchange.state,
        first_exchange.elapsed,
        first_exchange.overdue_by,
    )
    assert utc("2013-03-21 14:05") == later.next_response.due_at
    steps += [("2013-03-21 12:10", "agent_replied"), ("2013-03-21 13:00", "closed")]
    closed = run(policy, ticket(*steps), "2013-03-21 13:00")
    longest = closed.next_response.longest
    assert longest is not None and 150 * M == longest.elapsed
    assert ("breached", 210 * M, 30 * M) == (
        closed.resolution.state,
        closed.resolution.elapsed,
        closed.resolution.cycles[0].overdue_by,
    )
    assert None is closed.escalation_at


def test_zammad_preset_sets_its_documented_options() -> None:
    """conventions: zammad sets exactly the options Zammad documents; explicit ones win."""
    policy = zammad(None, {"next_response": {"targets": {"normal": "1h"}}})
    assert (
        Conventions(
            name="zammad",
            due_at_closing="next_open",
            precision=Precision(unit=M),
            first_response_when_solved="pause",
            definitions={"next_response": "zammad_update"},
        )
        == policy.conventions_in_force
    )
    assert NAMED_DEFINITIONS["zammad_update"] == policy.definition("next_response")
    explicit = policy.model_copy(update={"precision": "1m ceil", "due_at_closing": "close"})
    assert ("close", "ceil") == (
        explicit.conventions_in_force.due_at_closing,
        explicit.conventions_in_force.precision.rounding,  # type: ignore[union-attr]
    )


def test_zammad_legacy_update_clock_restarts_on_any_contact() -> None:
    """Older Zammad: the update clock restarts at the last contact of either side."""
    # zammad/zammad issue #3140 ('Update time SLAs escalates tickets with agent response',
    # Zammad 3.1): 'SLAs on update time trigger always (regardless of who wrote the last
    # response/message/note)'. By hand, 24/7 and 60m: agent reply at 10:30 -> due 11:30.
    policy = Policy.model_validate(
        {
            "name": "old",
            "metrics": {
                "update": {"targets": {"normal": "60m"}, "definition": "zammad_update_legacy"}
            },
        }
    )
    events = ticket(("2025-03-03 10:00", "created"), ("2025-03-03 10:30", "agent_replied"))
    assert utc("2025-03-03 11:30") == run(policy, events, "2025-03-03 10:30").update.due_at


# ---------------------------------------------------------------------------------------------
# Precision, due_at_closing, projected due: the options themselves
def test_precision_rounds_up_as_older_zammad() -> None:
    """precision '1m ceil' rounds the due instant up to the next whole minute."""
    # By hand: created 10:00:30, 1h on 24x7 -> 11:00:30 exactly; rounded up -> 11:01:00.
    policy = Policy(name="p", precision="1m ceil", metrics={"first_response": {"targets": {
        "normal": "1h"}}})  # fmt: skip
    events = ticket(("2025-03-03 10:00:30", "created"))
    assert utc("2025-03-03 11:01") == run(policy, events, "2025-03-03 10:05").first_response.due_at


@pytest.mark.parametrize("unit", ["0s", "7m", "2h", "-1m"])
def test_precision_unit_must_divide_an_hour(unit: str) -> None:
    """A precision unit that does not divide an hour is rejected, naming the value."""
    with pytest.raises(ValidationError, match="divides one hour"):
        Precision.model_validate(unit)


def test_projected_due_while_paused() -> None:
    """A cycle paused short of its target has no due_at but a projected_due_at: the calendar's
    add(as_of, remaining), as Znuny/OTOBO and older Zammad show it."""
    # By hand, Mon-Fri 09:00-17:00 UTC, 4h: created Mon 09:00, pending Mon 10:00 (1h used,
    # 3h left); as of Mon 16:00 -> 16:00 + 1h (Mon) + 2h (Tue from 09:00) = Tue 11:00.
    policy = Policy.model_validate(
        {
            "name": "p",
            "calendar": {"timezone": "UTC", "hours": {"mon-fri": "09:00-17:00"}},
            "metrics": {"requester_wait": {"targets": {"normal": "4h"}}},
        }
    )
    events = ticket(
        ("2025-03-03 09:00", "created"),
        ("2025-03-03 10:00", "status_changed", {"status": "pending"}),
    )
    cycle = run(policy, events, "2025-03-03 16:00").requester_wait.cycles[0]
    assert ("paused", None, utc("2025-03-04 11:00")) == (
        cycle.state,
        cycle.due_at,
        cycle.projected_due_at,
    )


# ---------------------------------------------------------------------------------------------
# ServiceNow. Sources (ServiceNow documentation, Australia release):
#   SN_SCHEDULES = .../service-level-management/c_SLATimingsAndSchedules.html
#   SN_ELAPSED   = .../service-level-management/r_ElapsedTimeCounting.html
#   SN_DURATION  = .../service-level-management/c_SLADuration.html
SN_9_TO_5 = {"timezone": "UTC", "hours": {"daily": "09:00-17:00"}}


def test_servicenow_one_day_is_24_hours_spread_over_three_working_days() -> None:
    """ServiceNow: a 1-day duration on a 9-to-5 schedule is 24 business hours: 3 working days."""
    # SN_SCHEDULES: 'a duration of one day, which is 24 hours, and a schedule of 9 am to 5 pm,
    # which is 8 hours. The SLA calculation will distribute the 24 hours across three working
    # days of 8 hours each.' SN_DURATION: 'The number of days specified in the Duration field
    # is converted to 24-hour blocks.' ServiceNow KB0547302 'Understanding SLA Schedules and
    # Durations' (https://support.servicenow.com/kb?id=kb_article_view&sysparm_article=KB0547302):
    # 'a Schedule of 09:00-17:00 Monday-Friday ... wanted a Planned end time in 3 days time you
    # would need to enter 1 day in the Duration field - 8 hour working days multiplied by 3 = 24
    # hours'. So: start Mon 09:00 -> planned end after 3 working days, Wed 17:00.
    policy = Policy.model_validate(
        {
            "name": "sn",
            "conventions": "servicenow",
            "calendar": SN_9_TO_5,
            "metrics": {"resolution": {"targets": {"normal": "1d"}}},
        }
    )
    result = run(policy, ticket(("2025-03-03 09:00", "created")), "2025-03-03 09:00")
    assert (24 * H, utc("2025-03-05 17:00")) == (
        result.resolution.cycles[0].target,
        result.resolution.due_at,
    )


def test_a_day_target_on_business_hours_warns_without_a_convention() -> None:
    """Without working_day or a preset stating it, '1d' on business hours warns (write business
    days instead); on a 24x7 calendar it does not."""
    data: dict[str, Any] = {
        "name": "p",
        "calendar": SN_9_TO_5,
        "metrics": {"resolution": {"targets": {"normal": "1d"}}},
    }
    with pytest.warns(DayTargetWarning, match="business days") as record:
        Policy.model_validate(data)
    assert __file__ == record[0].filename  # the line that validated, not pydantic's
    Policy.model_validate({**data, "calendar": "24x7"})  # no warning (warnings are errors)
    Policy.model_validate({**data, "conventions": "servicenow"})


def test_servicenow_actual_and_business_elapsed() -> None:
    """ServiceNow: every cycle reports actual (24x7) elapsed time next to business elapsed."""
    # SN_ELAPSED: 'Actual elapsed values are calculated on a 24x7 basis. Business elapsed
    # values are calculated based on the schedule'. By hand on 9-to-5: Mon 16:00 -> Tue 10:00 is
    # 2h of business time (16-17, 09-10) and 18h of actual time.
    policy = Policy.model_validate(
        {
            "name": "sn",
            "conventions": "servicenow",
            "calendar": SN_9_TO_5,
            "metrics": {"resolution": {"targets": {"normal": "8h"}}},
        }
    )
    events = ticket(("2025-03-03 16:00", "created"), ("2025-03-04 10:00", "solved"))
    cycle = run(policy, events, "2025-03-04 10:00").resolution.cycles[0]
    assert (2 * H, 18 * H) == (cycle.elapsed, cycle.actual_elapsed)


def test_servicenow_without_schedule_business_equals_actual() -> None:
    """ServiceNow: with no schedule, business elapsed equals actual elapsed."""
    # SN_ELAPSED: 'If no schedule is specified, then the Business elapsed time is the same as
    # the Actual elapsed time.' By hand: 09:00 -> pending 10:00 -> open 12:00 -> solved 13:00.
    policy = Policy.model_validate(
        {
            "name": "sn",
            "conventions": "servicenow",
            "metrics": {"requester_wait": {"targets": {"normal": "8h"}}},
        }
    )
    events = ticket(
        ("2025-03-03 09:00", "created"),
        ("2025-03-03 10:00", "status_changed", {"status": "pending"}),
        ("2025-03-03 12:00", "status_changed", {"status": "open"}),
        ("2025-03-03 13:00", "solved"),
    )
    cycle = run(policy, events, "2025-03-03 13:00").requester_wait.cycles[0]
    assert (2 * H, 2 * H, 2 * H, 2 * H) == (
        cycle.elapsed,
        cycle.actual_elapsed,
        cycle.paused,
        cycle.actual_paused,
    )


def test_servicenow_breach_time_moves_by_the_pause() -> None:
    """ServiceNow: the breach time is adjusted for the business time spent paused."""
    # ServiceNow Task SLA table (r_TaskSLATable): 'Breach time: The time the SLA will breach,
    # adjusted for business pause duration'. By hand, 24x7 and 4h: created 09:00, paused
    # 10:00-11:30 -> due 13:00 + 1h30 = 14:30.
    policy = Policy.model_validate(
        {
            "name": "sn",
            "conventions": "servicenow",
            "metrics": {"requester_wait": {"targets": {"normal": "4h"}}},
        }
    )
    events = ticket(
        ("2025-03-03 09:00", "created"),
        ("2025-03-03 10:00", "status_changed", {"status": "pending"}),
        ("2025-03-03 11:30", "status_changed", {"status": "open"}),
    )
    assert utc("2025-03-03 14:30") == run(policy, events, "2025-03-03 11:30").requester_wait.due_at


# ServiceNow documentation, SLA duration types (c_SLADuration), quoted from the ServiceNow docs
# repository: https://raw.githubusercontent.com/ServiceNow/ServiceNowDocs/australia/markdown/
# it-service-management/service-level-management/c_SLADuration.md (canonical page
# https://www.servicenow.com/docs/r/it-service-management/service-level-management/c_SLADuration.html).
SN_DURATION_URL = (
    "https://www.servicenow.com/docs/r/it-service-management/service-level-management/"
    "c_SLADuration.html"
)


def test_servicenow_user_specified_duration_breach_example() -> None:
    """ServiceNow's own example breach message: 10 hours from 2015-01-01 10:30, no schedule."""
    # Quoted (SN_DURATION_URL): 'if the current date is January 1, 2015, the time is 10:30 am,
    # and the duration is set to 10 hours and no schedule has been selected ... An SLA starting
    # now will end breach on 2015-01-01 20:30 (Actual elapsed time: 10 Hours)'.
    policy = Policy.model_validate(
        {
            "name": "sn",
            "conventions": "servicenow",
            "metrics": {"resolution": {"targets": {"normal": "10h"}}},
        }
    )
    events = ticket(("2015-01-01 10:30", "created"))
    cycle = run(policy, events, "2015-01-01 20:30").resolution.cycles[0]
    assert (utc("2015-01-01 20:30"), 10 * H) == (cycle.due_at, cycle.actual_elapsed)


def _sn_due_date_policy() -> Policy:
    """'Breach on Due Date' on an 08:00-16:00 schedule (the schedule of ServiceNow's example)."""
    return Policy.model_validate(
        {
            "name": "sn",
            "conventions": "servicenow",
            "calendar": {"timezone": "UTC", "hours": {"daily": "08:00-16:00"}},
            "metrics": {"resolution": {"targets": {"normal": "8h"}, "due_from": "due_date"}},
        }
    )


def test_servicenow_breach_on_due_date_outside_the_schedule() -> None:
    """ServiceNow 'Breach on Due Date': a Due Date outside the schedule breaches at the next
    scheduled time."""
    # Quoted (SN_DURATION_URL): 'if the SLA definition specifies a task SLA schedule as
    # 08:00-16:00 and the value in the Due Date field is Wednesday 11th Jan 2017 20:30, the
    # breach time is set to Thursday 12th 2017 Jan 08:00.'
    events = ticket(
        ("2017-01-11 09:00", "created", {"attributes": {"due_date": "2017-01-11T20:30:00+00:00"}})
    )
    due = run(_sn_due_date_policy(), events, "2017-01-11 10:00").resolution.due_at
    assert utc("2017-01-12 08:00") == due


def test_servicenow_breach_on_due_date_in_the_past() -> None:
    """ServiceNow 'Breach on Due Date': a Due Date in the past breaches one second after the
    start."""
    # Quoted (SN_DURATION_URL): 'If no information is available in the Due Date field, or the
    # date and time provided is in the past, the breach time of the task SLA is calculated to be
    # one second ahead of the task SLA start time.' Start Wed 2017-01-11 09:00 -> 09:00:01.
    events = ticket(
        ("2017-01-11 09:00", "created", {"attributes": {"due_date": "2017-01-10T12:00:00+00:00"}})
    )
    due = run(_sn_due_date_policy(), events, "2017-01-11 10:00").resolution.due_at
    assert utc("2017-01-11 09:00:01") == due


# ---------------------------------------------------------------------------------------------
# Jira. Sources: Jira's time-tracking settings (REST: configuration/timetracking/options,
# 'workingHoursPerDay', 'workingDaysPerWeek'); their defaults, 8 hours per day and 5 days per
# week, as quoted by wiki.almarise.com/spaces/APPTIME/pages/123011158 ('Jira's standard time
# tracking settings ... the number of working hours per day is 8 and the number of working days
# per week is 5').
JIRA_9_TO_5 = {"timezone": "UTC", "hours": {"mon-fri": "09:00-17:00"}}


def test_jira_days_and_weeks_are_working_days() -> None:
    """Jira: '1d' is one 8-hour working day and '1w' five of them (40h)."""
    # Quoted: 8 hours per day, 5 days per week -> 1d = 8h, 1w = 5 x 8h = 40h.
    policy = Policy.model_validate(
        {
            "name": "jira",
            "conventions": "jira",
            "calendar": JIRA_9_TO_5,
            "metrics": {"resolution": {"targets": {"normal": "1d", "low": "1w", "high": "4h"}}},
        }
    )
    targets = policy.metrics["resolution"].targets
    assert (8 * H, 40 * H, 4 * H) == (
        targets["normal"].duration,
        targets["low"].duration,
        targets["high"].duration,
    )


def test_jira_two_day_goal_ends_after_two_working_days() -> None:
    """Jira: a 2d goal started Monday at opening is due Tuesday at closing on a 9-to-5 week."""
    # By hand: 2d = 16h = Mon 09-17 + Tue 09-17 -> Tue 17:00.
    policy = Policy.model_validate(
        {
            "name": "jira",
            "conventions": "jira",
            "calendar": JIRA_9_TO_5,
            "metrics": {"resolution": {"targets": {"normal": "2d"}}},
        }
    )
    result = run(policy, ticket(("2025-03-03 09:00", "created")), "2025-03-03 09:00")
    assert utc("2025-03-04 17:00") == result.resolution.due_at


def test_working_day_written_in_the_policy_overrides_the_preset() -> None:
    """An explicit working_day (a 7.6-hour day, as Jira allows) overrides the jira preset's 8h."""
    # Atlassian's REST example sets workingHoursPerDay 7.6: 1d = 7h36m.
    policy = Policy.model_validate(
        {
            "name": "jira",
            "conventions": "jira",
            "working_day": "7h36m",
            "metrics": {"resolution": {"targets": {"normal": "1d"}}},
        }
    )
    assert timedelta(hours=7, minutes=36) == policy.metrics["resolution"].targets["normal"].duration


def test_jira_one_week_goal_is_five_working_days() -> None:
    """Jira: a 1w goal started Monday at opening is due Friday at closing on a 9-to-5 week."""
    # Quoted defaults: 1w = 5 days x 8h = 40h. By hand: Mon-Fri 09-17 is 5 x 8h -> Fri 17:00.
    policy = Policy.model_validate(
        {
            "name": "jira",
            "conventions": "jira",
            "calendar": JIRA_9_TO_5,
            "metrics": {"resolution": {"targets": {"normal": "1w"}}},
        }
    )
    result = run(policy, ticket(("2025-03-03 09:00", "created")), "2025-03-03 09:00")
    assert utc("2025-03-07 17:00") == result.resolution.due_at


def test_jira_goal_time_on_an_uneven_calendar() -> None:
    """Jira's own 'Request A': a 16-hour goal started Monday 11:00 on a calendar with uneven days
    and a day off ends Thursday 11:00."""
    # Atlassian, 'How teams see SLAs' (https://confluence.atlassian.com/servicemanagementserver0417/
    # how-teams-see-slas-1072468255.html): 'Request A has an SLA goal time of 16 hours, with a
    # start time of 11:00 on Monday, and working hours ... Monday 09:00-17:00, Tuesday
    # 09:00-16:00, Wednesday not working, Thursday 08:00-17:00, Friday ... Sunday not working'.
    # The inputs are quoted; the page shows the result only as a diagram, so the due instant is
    # worked by hand: Mon 11-17 = 6h, Tue 09-16 = 7h (13h), Thu 08:00 + 3h -> Thu 11:00.
    policy = Policy.model_validate(
        {
            "name": "jira",
            "conventions": "jira",
            "calendar": {
                "timezone": "UTC",
                "hours": {"mon": "09:00-17:00", "tue": "09:00-16:00", "thu": "08:00-17:00"},
            },
            "metrics": {"resolution": {"targets": {"normal": "16h"}}},
        }
    )
    result = run(policy, ticket(("2025-03-03 11:00", "created")), "2025-03-03 11:00")
    assert utc("2025-03-06 11:00") == result.resolution.due_at


def test_jira_calendar_counts_only_working_hours_over_a_weekend() -> None:
    """Jira (SLA Time and Report, a Jira Service Management app): Friday 16:00 to Monday 10:00 on
    a 9-to-5 week is 2 hours of SLA time, not 66."""
    # SaaSJet, 'Calendars and Work schedule' (https://help.saasjet.com/sla/calendars-and-work-
    # schedule): 'Working hours: 09:00 - 17:00 (Monday-Friday), SLA start: Friday at 16:00, SLA
    # stop: Monday at 10:00 ... Friday -> 1 hour ... Monday -> 1 hour ... Total SLA time = 2
    # hours, not 66 hours'. (A marketplace app's documentation, not Atlassian's own.)
    policy = Policy.model_validate(
        {
            "name": "jira",
            "conventions": "jira",
            "calendar": JIRA_9_TO_5,
            "metrics": {"resolution": {"targets": {"normal": "1w"}}},
        }
    )
    events = ticket(("2025-03-07 16:00", "created"), ("2025-03-10 10:00", "solved"))
    cycle = run(policy, events, "2025-03-10 10:00").resolution.cycles[0]
    assert (2 * H, 66 * H) == (cycle.elapsed, cycle.actual_elapsed)


def test_jira_completed_cycles_and_ongoing_cycle() -> None:
    """Jira: an SLA keeps its completed cycles (each breached or not) and one ongoing cycle;
    slaclock's totals across cycles summarise them."""
    # Jira Service Management REST API, SlaInformation: 'completedCycles' (each with
    # 'breached', 'elapsedTime') and 'ongoingCycle' (jira.js ServiceDeskModels.
    # SlaInformationCompletedCycle / SlaInformationOngoingCycle). By hand, 24x7, 1h goal per
    # customer request: 10:00-10:30 met (30m), 11:00-12:30 breached (1h30), 13:00- ongoing
    # (as of 13:15: 15m) -> 3 cycles, 1 breached, 2h15m elapsed in all, the longest the 2nd.
    policy = Policy.model_validate(
        {
            "name": "jira",
            "conventions": "jira",
            "metrics": {"next_response": {"targets": {"normal": "1h"}}},
        }
    )
    events = ticket(
        ("2025-03-03 09:00", "created"),
        ("2025-03-03 09:05", "agent_replied"),
        ("2025-03-03 10:00", "customer_replied"),
        ("2025-03-03 10:30", "agent_replied"),
        ("2025-03-03 11:00", "customer_replied"),
        ("2025-03-03 12:30", "agent_replied"),
        ("2025-03-03 13:00", "customer_replied"),
    )
    metric = run(policy, events, "2025-03-03 13:15").next_response
    longest = metric.longest
    assert (3, 1, timedelta(hours=2, minutes=15), 1) == (
        len(metric.cycles),
        metric.breached_cycles,
        metric.total_elapsed,
        None if longest is None else longest.index,
    )
    assert ["met", "breached", "running"] == [c.state for c in metric.cycles]


# ---------------------------------------------------------------------------------------------
# Salesforce. Source: Salesforce Help, 'Milestone Recurrence Types'
# (help.salesforce.com/s/articleView?id=service.entitlements_milestone_sequential_recurrence.htm)
# and 'Automatically Pause Record Milestones Based on Predefined Rules'
# (help.salesforce.com/apex/HTViewHelpDoc?id=service.sla_rule_based_milestone_pause.htm).
def test_salesforce_no_recurrence_resolution_milestone() -> None:
    """Salesforce: a 4-hour 'Resolution Time' milestone from 10 a.m. targets 2 p.m.; closed at
    1 p.m. it is complete."""
    # Quoted: 'At 10 a.m., a case is created ... Start Date = 10 a.m. ... Target Date = 2 p.m.
    # (4 hours from the Start Date) - At 1 p.m., the support rep ... closes the case, and the
    # milestone is marked complete.'
    policy = Policy.model_validate(
        {
            "name": "sf",
            "conventions": "salesforce",
            "metrics": {"resolution": {"targets": {"normal": "4h"}}},
        }
    )
    events = ticket(("2025-03-03 10:00", "created"), ("2025-03-03 13:00", "closed"))
    result = run(policy, events, "2025-03-03 13:00")
    assert ("met", utc("2025-03-03 14:00")) == (result.resolution.state, result.resolution.due_at)


def test_salesforce_paused_milestone_has_its_target_reevaluated_on_unpause() -> None:
    """Salesforce: while paused the milestone has no fixed target date; it is reevaluated when
    the milestone unpauses."""
    # Quoted: 'The milestone timer stops during the pause and resumes when the conditions
    # change. The target date is reevaluated when the milestone unpauses.' By hand, 24x7 and
    # 4h: 10:00 created, paused 11:00-12:00 -> no due_at while paused; due 15:00 after.
    policy = Policy.model_validate(
        {
            "name": "sf",
            "conventions": "salesforce",
            "metrics": {"requester_wait": {"targets": {"normal": "4h"}}},
        }
    )
    paused = ticket(
        ("2025-03-03 10:00", "created"),
        ("2025-03-03 11:00", "status_changed", {"status": "pending"}),
    )
    assert None is run(policy, paused, "2025-03-03 11:30").requester_wait.due_at
    resumed = ticket(*_rows(paused), ("2025-03-03 12:00", "status_changed", {"status": "open"}))
    assert utc("2025-03-03 15:00") == run(policy, resumed, "2025-03-03 12:00").requester_wait.due_at


def test_salesforce_elapsed_stopped_and_actual_elapsed_time() -> None:
    """Salesforce: Elapsed Time - Stopped Time = Actual Elapsed Time; slaclock's paused time is
    the Stopped Time and its business elapsed the Actual Elapsed Time."""
    # Salesforce Object Reference, EntityMilestone (https://developer.salesforce.com/docs/
    # platform/object-reference/references/standard-objects/object-entitymilestone.html):
    # '(Elapsed Time) - (Stopped Time) = (Actual Elapsed Time)'. Note the names: Salesforce's
    # 'Actual Elapsed Time' excludes the pause, ServiceNow's 'actual elapsed' is wall-clock.
    # The identity is quoted; the numbers are by hand, 24x7 and 4h: created 10:00, paused
    # 11:00-12:00, closed 13:00 -> Elapsed 3h, Stopped 1h, Actual Elapsed 2h.
    policy = Policy.model_validate(
        {
            "name": "sf",
            "conventions": "salesforce",
            "metrics": {"requester_wait": {"targets": {"normal": "4h"}}},
        }
    )
    events = ticket(
        ("2025-03-03 10:00", "created"),
        ("2025-03-03 11:00", "status_changed", {"status": "pending"}),
        ("2025-03-03 12:00", "status_changed", {"status": "open"}),
        ("2025-03-03 13:00", "closed"),
    )
    cycle = run(policy, events, "2025-03-03 13:00").requester_wait.cycles[0]
    assert (3 * H, 1 * H, 2 * H, "met") == (
        cycle.elapsed + cycle.paused,
        cycle.paused,
        cycle.elapsed,
        cycle.state,
    )


# ---------------------------------------------------------------------------------------------
# Zendesk. Sources: Zendesk help 'Defining SLA policies' (support.zendesk.com/hc/en-us/
# articles/4408829459866) and 'Troubleshooting common SLA issues' (.../4408885881498). Zendesk
# publishes the rules, not worked numbers; the numbers below are worked by hand from them.
# Zendesk's metric definitions as the GitLab handbook quotes them ("These are Zendesk's official
# definitions", handbook.gitlab.com/handbook/security/customer-support-operations/zendesk/
# metrics-definitions): requester wait time = time in New, Open, On-hold; agent work time = New,
# Open; total resolution time = New, Open, Pending, On-hold; periodic update = between public
# agent replies; pausable update = between public agent replies while New, Open, On-hold.


def test_zendesk_preset_sets_only_its_update_clock_and_first_reply_rule() -> None:
    """Zendesk documents its periodic update and a first reply time that survives a solve;
    every other convention stays slaclock's."""
    policy = Policy(name="zd", conventions="zendesk", metrics={"first_response": {}})
    assert (
        Conventions(
            name="zendesk",
            first_response_when_solved="continue",
            definitions={"periodic_update": "zendesk_periodic_update"},
        )
        == policy.conventions_in_force
    )


def _zendesk_story() -> Timeline:
    # new 09:00-10:00, on-hold 10:00-11:00, pending 11:00-12:00, open 12:00-13:00, solved 13:00
    return ticket(
        ("2025-03-03 09:00", "created"),
        ("2025-03-03 10:00", "status_changed", {"status": "on_hold"}),
        ("2025-03-03 11:00", "status_changed", {"status": "pending"}),
        ("2025-03-03 12:00", "status_changed", {"status": "open"}),
        ("2025-03-03 13:00", "solved"),
    )


def test_zendesk_requester_wait_agent_work_and_total_resolution_time() -> None:
    """Zendesk: requester wait counts new/open/on-hold, agent work new/open, total resolution
    every unsolved status."""
    # Zendesk's definitions (above). By hand on _zendesk_story (24x7): requester wait = 1h new + 1h
    # on-hold + 1h open = 3h; agent work = 1h new + 1h open = 2h; total resolution = 4h.
    policy = Policy.model_validate(
        {
            "name": "zd",
            "conventions": "zendesk",
            "metrics": {
                name: {"targets": {"normal": "8h"}}
                for name in ("requester_wait", "agent_work", "resolution")
            },
        }
    )
    result = run(policy, _zendesk_story(), "2025-03-03 13:00")
    assert (3 * H, 2 * H, 4 * H) == (
        result.requester_wait.elapsed,
        result.agent_work.elapsed,
        result.resolution.elapsed,
    )


def test_zendesk_periodic_and_pausable_update() -> None:
    """Zendesk: periodic update counts every status between public agent replies; pausable
    update only new, open and on-hold."""
    # Zendesk's definitions (above). By hand, 24x7: agent reply 09:00, on-hold 10:00, pending 11:00,
    # open 12:00, agent reply 13:00 -> periodic 4h; pausable 1h open + 1h on-hold + 1h open = 3h.
    policy = Policy.model_validate(
        {
            "name": "zd",
            "conventions": "zendesk",
            "metrics": {
                "periodic_update": {"targets": {"normal": "8h"}},
                "pausable": {
                    "targets": {"normal": "8h"},
                    "definition": "zendesk_pausable_update",
                },
            },
        }
    )
    events = ticket(
        ("2025-03-03 08:00", "created", {"status": "open"}),
        ("2025-03-03 09:00", "agent_replied"),
        ("2025-03-03 10:00", "status_changed", {"status": "on_hold"}),
        ("2025-03-03 11:00", "status_changed", {"status": "pending"}),
        ("2025-03-03 12:00", "status_changed", {"status": "open"}),
        ("2025-03-03 13:00", "agent_replied"),
    )
    result = run(policy, events, "2025-03-03 13:00")
    assert (4 * H, 3 * H) == (
        result.periodic_update.cycles[0].elapsed,
        result.pausable.cycles[0].elapsed,
    )
    # slaclock's own periodic_update counts only new and open: 1h + 1h = 2h.
    ours = policy.model_copy(update={"conventions": None})
    assert 2 * H == run(ours, events, "2025-03-03 13:00").periodic_update.cycles[0].elapsed


def test_zendesk_first_reply_time_ends_at_the_first_public_agent_reply() -> None:
    """Zendesk: first reply time runs from creation to the first public agent reply (an
    internal note does not end it)."""
    # Zendesk's definition (above): 'the time a ticket spent from creation until it received its first
    # public reply from an agent'. By hand, 24x7: note at 09:20, public reply 09:45 -> 45m.
    policy = Policy(name="zd", conventions="zendesk", metrics={"first_response": {"targets": {
        "normal": "1h"}}})  # fmt: skip
    events = ticket(
        ("2025-03-03 09:00", "created"),
        ("2025-03-03 09:20", "agent_replied", {"public": False}),
        ("2025-03-03 09:45", "agent_replied"),
    )
    result = run(policy, events, "2025-03-03 09:45")
    assert ("met", 45 * M) == (result.first_response.state, result.first_response.elapsed)


def test_zendesk_next_reply_starts_at_the_oldest_unanswered_customer_comment() -> None:
    """Zendesk: next reply time begins with the oldest unanswered customer comment."""
    # 'Defining SLA policies' (comments, Zendesk documentation team): 'the Next reply metric
    # begins with the oldest unanswered customer's comment'. By hand, 24x7 and 1h: reply
    # 09:30, customer 10:00 and 10:20 -> due 11:00 (from 10:00, not 10:20).
    policy = Policy(name="zd", conventions="zendesk", metrics={"next_response": {"targets": {
        "normal": "1h"}}})  # fmt: skip
    events = ticket(
        ("2025-03-03 09:00", "created"),
        ("2025-03-03 09:30", "agent_replied"),
        ("2025-03-03 10:00", "customer_replied"),
        ("2025-03-03 10:20", "customer_replied"),
    )
    assert utc("2025-03-03 11:00") == run(policy, events, "2025-03-03 10:20").next_response.due_at


def test_zendesk_two_hour_target_in_calendar_and_business_hours() -> None:
    """Zendesk's own example: at 4pm on a Friday a 2-hour target in calendar hours is due at 6pm
    that day; in business hours on a weekday 9-5 schedule it is due at 10am on Monday."""
    # Zendesk Customer Care (Amy Dee), 'SLA badge to calculate in Business hours'
    # (https://support.zendesk.com/hc/es/community/posts/4408868203034-SLA-badge-to-calculate-in-Business-hours):
    # 'imagine that it's 4pm on a Friday ... both tickets have a 2-hour SLA target. One ticket's
    # target is in calendar hours, so it's due at 6pm that same day. The other ticket's target is
    # in business hours on a weekday 9-5 schedule, so it's due at 10am on Monday.'
    # Friday 2025-03-07 16:00 UTC; Monday is 2025-03-10.
    policy = Policy.model_validate(
        {
            "name": "zd",
            "conventions": "zendesk",
            "calendars": {"business": {"timezone": "UTC", "hours": {"mon-fri": "09:00-17:00"}}},
            "metrics": {
                "first_response": {
                    "targets": {
                        "normal": {"duration": "2h", "calendar": "24x7"},
                        "high": {"duration": "2h", "calendar": "business"},
                    }
                }
            },
        }
    )
    calendar_hours = ticket(("2025-03-07 16:00", "created"))
    business_hours = Timeline(
        ticket_id="B",
        attributes={"priority": "high"},
        events=[{"at": utc("2025-03-07 16:00"), "kind": "created"}],
    )
    assert (utc("2025-03-07 18:00"), utc("2025-03-10 10:00")) == (
        run(policy, calendar_hours, "2025-03-07 16:00").first_response.due_at,
        run(policy, business_hours, "2025-03-07 16:00").first_response.due_at,
    )


def test_zendesk_first_reply_time_survives_a_solve_and_reopen() -> None:
    """Zendesk: a ticket solved with no public reply and reopened by the customer still has its
    first reply time, ended by the agent's first public comment."""
    # Zendesk help, 'Calculating first reply time' (https://support.zendesk.com/hc/en-us/articles/
    # 4408821871642): 'An agent takes a phone call that creates a ticket and solves the ticket
    # with no new comment. The customer later re-opens the ticket, and the agent then responds
    # with a public comment. First reply time ends when that comment is posted.' and 'measures
    # the time between ticket creation and the first public agent comment'. The page gives the
    # rule, not times; by hand, 24x7: created 09:00, solved 09:10, reopened 11:00, public
    # reply 11:30 -> first reply time 09:00-11:30 = 2h30m, met within a 4h target.
    policy = Policy(name="zd", conventions="zendesk", metrics={"first_response": {"targets": {
        "normal": "4h"}}})  # fmt: skip
    events = ticket(
        ("2025-03-03 09:00", "created"),
        ("2025-03-03 09:10", "solved"),
        ("2025-03-03 11:00", "reopened"),
        ("2025-03-03 11:30", "agent_replied"),
    )
    first = run(policy, events, "2025-03-03 11:30").first_response
    assert ("met", timedelta(hours=2, minutes=30)) == (first.state, first.elapsed)


def _contact_policy(recurrence: str) -> Policy:
    """A 1-hour 'Customer Contact Made' milestone: customer message -> agent reply, recurring."""
    return Policy.model_validate(
        {
            "name": "sf",
            "conventions": "salesforce",
            "metrics": {
                "customer_contact": {
                    "targets": {"normal": "1h"},
                    "definition": {
                        "start": "customer_replied",
                        "stop": "agent_replied",
                        "recurring": True,
                        "recurrence": recurrence,
                    },
                }
            },
        }
    )


SF_CONTACTS = ticket(
    ("2025-03-03 11:55", "created"),
    ("2025-03-03 12:00", "customer_replied"),
    ("2025-03-03 12:30", "agent_replied"),
    ("2025-03-03 12:40", "customer_replied"),
)


def test_salesforce_sequential_occurrence_starts_at_the_previous_target_date() -> None:
    """Salesforce sequential recurrence: the next occurrence starts no earlier than the previous
    occurrence's Target Date."""
    # Quoted ('Milestone Recurrence Types', Sequential): 'For future occurrences: The Start Date
    # is the time when the milestone criteria are met on the record, as long as it's later than
    # the previous occurrence's Target Date.' Example numbers (runconsultants.com, 'How to Use
    # Recurring Milestones in Salesforce'): 'a case enters a sequential milestone at 12:00 and
    # its target date is an hour away at 13:00'. By hand: completed 12:30, criteria met again
    # 12:40 -> Start Date 13:00 (the previous Target Date), Target Date 14:00.
    result = run(_contact_policy("sequential"), SF_CONTACTS, "2025-03-03 12:45")
    first, second = result.customer_contact.cycles
    assert (utc("2025-03-03 12:00"), utc("2025-03-03 13:00"), "met") == (
        first.started_at,
        first.due_at,
        first.state,
    )
    assert (utc("2025-03-03 13:00"), utc("2025-03-03 14:00"), timedelta(0)) == (
        second.started_at,
        second.due_at,
        second.elapsed,
    )


def test_salesforce_independent_occurrence_starts_when_the_criteria_match() -> None:
    """Salesforce independent recurrence: the Start Date is when the criteria are met,
    regardless of when the previous occurrence was completed."""
    # Quoted ('Milestone Recurrence Types', Independent): 'The Start Date is the time when the
    # milestone criteria are met on the record, regardless of when the previous occurrence was
    # completed.' By hand: criteria met again at 12:40 -> Start Date 12:40, Target Date 13:40.
    second = run(_contact_policy("independent"), SF_CONTACTS, "2025-03-03 12:45").customer_contact
    assert (utc("2025-03-03 12:40"), utc("2025-03-03 13:40")) == (
        second.cycles[1].started_at,
        second.due_at,
    )


def test_salesforce_sequential_occurrence_after_the_target_date_starts_at_once() -> None:
    """Salesforce sequential recurrence: criteria met after the previous Target Date start the
    next occurrence at that instant."""
    # Same rule as above. By hand: previous Target Date 13:00; criteria met 13:30 (later) ->
    # Start Date 13:30, Target Date 14:30.
    events = ticket(*_rows(SF_CONTACTS)[:3], ("2025-03-03 13:30", "customer_replied"))
    result = run(_contact_policy("sequential"), events, "2025-03-03 13:30").customer_contact
    assert (utc("2025-03-03 13:30"), utc("2025-03-03 14:30")) == (
        result.cycles[1].started_at,
        result.due_at,
    )


def test_sequential_recurrence_needs_a_recurring_metric() -> None:
    """recurrence: sequential on a metric that runs once is rejected, naming the option."""
    with pytest.raises(ValidationError, match="needs 'recurring'"):
        Policy.model_validate(
            {
                "name": "sf",
                "metrics": {
                    "x": {
                        "definition": {
                            "start": "created",
                            "stop": "solved",
                            "recurrence": "sequential",
                        }
                    }
                },
            }
        )


def test_explain_shows_escalation_projection_and_actual_time(tmp_path: Any) -> None:
    """slaclock explain prints the ticket's escalation instant, a paused cycle's projected due
    instant and the wall-clock time next to business time."""
    import io
    import json

    from slaclock.cli import main

    # Paused Mon 10:00 with 3h left (Mon-Fri 09-17 UTC). As of Tue 10:00: business paused 7h
    # (Mon 10-17) + 1h (Tue 09-10) = 8h, actual paused 24h; projection Tue 10:00 + 3h = 13:00.
    policy = tmp_path / "policy.json"
    policy.write_text(
        json.dumps(
            {
                "name": "p",
                "calendar": {"timezone": "UTC", "hours": {"mon-fri": "09:00-17:00"}},
                "metrics": {"requester_wait": {"targets": {"normal": "4h"}}},
            }
        )
    )
    events = tmp_path / "events.jsonl"
    rows = [
        {"ticket_id": "T-1", "at": "2025-03-03T09:00:00+00:00", "kind": "created",
         "priority": "normal"},
        {"ticket_id": "T-1", "at": "2025-03-03T10:00:00+00:00", "kind": "status_changed",
         "status": "pending"},
    ]  # fmt: skip
    events.write_text("".join(json.dumps(row) + "\n" for row in rows))
    out, err = io.StringIO(), io.StringIO()
    argv = ["explain", str(policy), str(events), "--ticket", "T-1"]
    status = main([*argv, "--as-of", "2025-03-04T10:00:00+00:00"], out=out, err=err)
    assert (0, "") == (status, err.getvalue())
    text = out.getvalue()
    assert "escalation_at: -" in text
    assert (
        "requester_wait #0: business 1h elapsed, 8h paused; actual 1h elapsed, 24h paused; "
        "projected due 2025-03-04T13:00:00+00:00"
    ) in text
    assert text.rstrip().endswith("conventions: slaclock (the defaults)")
    # The conventions in force are the last line: a preset and every option it changes.
    policy.write_text(
        json.dumps(
            {
                "name": "p",
                "conventions": "servicenow",
                "due_from_in_past": "keep",
                "calendar": {"timezone": "UTC", "hours": {"mon-fri": "09:00-17:00"}},
                "metrics": {"requester_wait": {"targets": {"normal": "4h"}}},
            }
        )
    )
    out = io.StringIO()
    assert 0 == main(argv, out=out, err=err)
    assert (
        out.getvalue()
        .rstrip()
        .endswith(
            "conventions: servicenow (due_from_outside_schedule: next_open, "
            "due_from_missing: start_plus_1s)"
        )
    )


# ---------------------------------------------------------------------------------------------
# Due and start instants taken from the ticket (ServiceNow: relative durations that work on the
# task record, docs t_UseARelativeDuration: "Relative duration works on ... the task record";
# retroactive start with "setStartTo" a task field, servicenow.github.io/sdk/api/sla).
def _dated_policy() -> Policy:
    return Policy.model_validate(
        {
            "name": "sn",
            "conventions": "servicenow",
            "metrics": {
                "resolution": {
                    "targets": {"normal": "8h"},
                    "due_from": "due_date",
                    "start_from": "opened_at",
                }
            },
        }
    )


def test_due_from_a_ticket_attribute_and_its_change() -> None:
    """The due instant is the ticket's due_date while it has one, and moves when it changes."""
    # By hand, 24x7: created Mon 09:00 with due_date Wed 12:00 -> due Wed 12:00 (not 17:00 Mon,
    # the 8h target); due_date moved to Thu 12:00 on Tue; solved Wed 15:00 -> met.
    policy = _dated_policy()
    events = ticket(
        ("2025-03-03 09:00", "created", {"attributes": {"due_date": "2025-03-05T12:00:00+00:00"}}),
    )
    first = run(policy, events, "2025-03-03 10:00").resolution
    assert (utc("2025-03-05 12:00"), "running") == (first.due_at, first.state)
    moved = ticket(
        *[(e.at.strftime("%Y-%m-%d %H:%M"), e.kind, {"attributes": dict(e.attributes or {})})
          for e in events.events],
        ("2025-03-04 09:00", "attributes_changed",
         {"attributes": {"due_date": "2025-03-06T12:00:00+00:00"}}),
        ("2025-03-05 15:00", "solved"),
    )  # fmt: skip
    done = run(policy, moved, "2025-03-05 15:00").resolution
    assert (utc("2025-03-06 12:00"), "met") == (done.due_at, done.state)
    # Without the attribute the preset (due_from_missing: start_plus_1s) is due Mon 09:00:01;
    # with due_from_missing: target the 8h target applies: due Mon 17:00.
    plain = ticket(("2025-03-03 09:00", "created"))
    assert utc("2025-03-03 09:00:01") == run(policy, plain, "2025-03-03 10:00").resolution.due_at
    by_target = policy.model_copy(update={"due_from_missing": "target"})
    assert utc("2025-03-03 17:00") == run(by_target, plain, "2025-03-03 10:00").resolution.due_at


def test_start_from_a_ticket_attribute() -> None:
    """A cycle's clock starts at the instant the ticket's opened_at holds (a retroactive start)."""
    # By hand, 24x7, 8h: the ticket was opened by phone at 08:00 and recorded at 09:00 -> the
    # clock starts 08:00, due 16:00; as of 10:00, 2h elapsed. (No due_date: by the target, not
    # by the preset's due_from_missing: start_plus_1s.)
    policy = _dated_policy().model_copy(update={"due_from_missing": "target"})
    events = ticket(
        ("2025-03-03 09:00", "created", {"attributes": {"opened_at": "2025-03-03T08:00:00+00:00"}}),
    )
    cycle = run(policy, events, "2025-03-03 10:00").resolution.cycles[0]
    assert (utc("2025-03-03 08:00"), utc("2025-03-03 16:00"), 2 * H) == (
        cycle.started_at,
        cycle.due_at,
        cycle.elapsed,
    )


def test_a_due_attribute_that_is_not_an_instant_is_an_error() -> None:
    """A due_date that is neither an aware datetime nor ISO text with an offset is an error
    naming the ticket and the attribute."""
    from slaclock.errors import TimelineError

    events = ticket(("2025-03-03 09:00", "created", {"attributes": {"due_date": "tomorrow"}}))
    with pytest.raises(TimelineError, match="ticket 'T': ticket attribute due_date='tomorrow'"):
        run(_dated_policy(), events, "2025-03-03 10:00")


# ---------------------------------------------------------------------------------------------
# Conditions on the ticket's attributes, holding a state (ServiceNow, "Create an SLA definition"
# (t_CreateAnSLADefinition): the "when to cancel" and "when to resume" options, "start
# conditions are not met" / "pause conditions are not met").
def _vendor_policy() -> Policy:
    return Policy.model_validate(
        {
            "name": "sn",
            "conventions": "servicenow",
            "metrics": {
                "fix": {
                    "targets": {"normal": "8h"},
                    "definition": {
                        "start": "created",
                        "stop": "solved",
                        "start_when": {"group": ["support", "vendor"]},
                        "pause_when": {"group": "vendor"},
                    },
                }
            },
        }
    )


def _group(at: str, group: str) -> tuple[str, str, dict[str, Any]]:
    return (at, "attributes_changed", {"attributes": {"group": group}})


def test_pause_while_the_ticket_sits_with_the_vendor_group() -> None:
    """The clock is paused while the ticket's group is the vendor, and resumes when it leaves."""
    # By hand, 24x7, 8h: support 09:00-10:00 (1h), vendor 10:00-12:00 (paused), support from
    # 12:00; as of 13:00 -> 2h elapsed, 2h paused, due 09:00 + 8h + 2h = 19:00.
    events = ticket(
        ("2025-03-03 09:00", "created", {"attributes": {"group": "support"}}),
        _group("2025-03-03 10:00", "vendor"),
        _group("2025-03-03 12:00", "support"),
    )
    cycle = run(_vendor_policy(), events, "2025-03-03 13:00").fix.cycles[0]
    assert (2 * H, 2 * H, utc("2025-03-03 19:00")) == (cycle.elapsed, cycle.paused, cycle.due_at)


def test_cancel_when_the_start_condition_no_longer_holds() -> None:
    """A cycle whose start condition stops holding (the ticket moved to another group) is
    cancelled; a ticket that never met it starts none."""
    # By hand: support at 09:00 starts the clock; moved to billing at 11:00 -> cancelled there.
    moved = ticket(
        ("2025-03-03 09:00", "created", {"attributes": {"group": "support"}}),
        _group("2025-03-03 11:00", "billing"),
    )
    cycle = run(_vendor_policy(), moved, "2025-03-03 12:00").fix.cycles[0]
    assert ("cancelled", utc("2025-03-03 11:00"), 2 * H) == (
        cycle.state,
        cycle.stopped_at,
        cycle.elapsed,
    )
    never = ticket(("2025-03-03 09:00", "created", {"attributes": {"group": "billing"}}))
    assert "pending" == run(_vendor_policy(), never, "2025-03-03 12:00").fix.state


# ---------------------------------------------------------------------------------------------
# Properties of the options on random tickets (seeded synthetic tickets, the default policy)

random_tickets = st.builds(
    lambda seed, exchanges: next(generate_timelines(1, seed=seed, exchanges=exchanges)),
    st.integers(0, 100_000),
    st.integers(1, 5),
)


def _pairs(policy: Policy, timeline: Timeline, as_of: datetime) -> list[tuple[Any, Any]]:
    """The cycles of the default policy and of ``policy``, side by side."""
    base = evaluate(DEFAULT_POLICY, timeline, as_of)
    other = evaluate(policy, timeline, as_of)
    return [
        (a, b)
        for name in base.metrics
        for a, b in zip(base.metrics[name].cycles, other.metrics[name].cycles, strict=True)
    ]


@given(ticket=random_tickets, hours=st.integers(0, 24 * 10))
def test_precision_puts_the_due_instant_on_the_grid(ticket: Timeline, hours: int) -> None:
    """With precision '1m' (floor) every due instant is the exact one truncated to the minute;
    with '1m ceil', rounded up; a cycle paused short of its target projects a due instant at
    or after the evaluation instant."""
    as_of = ticket.events[-1].at + timedelta(hours=hours)
    minute = 60_000_000
    for rounding in ("floor", "ceil"):
        policy = DEFAULT_POLICY.model_copy(update={"precision": f"1m {rounding}"})
        for exact, rounded in _pairs(policy, ticket, as_of):
            if exact.due_at is None:
                assert rounded.due_at is None
                continue
            micros = to_micros(exact.due_at)
            down = micros - micros % minute
            up = down if down == micros else down + minute
            assert (down if rounding == "floor" else up) == to_micros(rounded.due_at)
            if rounded.projected_due_at is not None:
                assert rounded.projected_due_at >= as_of


@given(ticket=random_tickets, hours=st.integers(0, 24 * 10))
def test_next_open_moves_only_due_instants_at_a_closing_time(ticket: Timeline, hours: int) -> None:
    """due_at_closing: next_open never moves a due instant earlier, and moves only one at which
    the calendar is closed, to the next opening."""
    as_of = ticket.events[-1].at + timedelta(hours=hours)
    policy = DEFAULT_POLICY.model_copy(update={"due_at_closing": "next_open"})
    for close, moved in _pairs(policy, ticket, as_of):
        if close.due_at is None:
            continue
        assert moved.due_at is not None and moved.due_at >= close.due_at
        calendar = DEFAULT_POLICY.calendar_named(
            None if close.calendar != "24x7" else "24x7", ticket.attributes
        )
        if moved.due_at != close.due_at:
            assert not calendar.is_open(close.due_at)
            assert calendar.next_open(close.due_at) == moved.due_at


@given(ticket=random_tickets, hours=st.integers(0, 24 * 10))
def test_actual_time_is_at_least_business_time(ticket: Timeline, hours: int) -> None:
    """Wall-clock elapsed and paused time are at least their business-time counterparts, and
    escalation_at is the earliest due instant of an open cycle."""
    as_of = ticket.events[-1].at + timedelta(hours=hours)
    result = evaluate(DEFAULT_POLICY, ticket, as_of)
    open_dues = []
    for metric in result.metrics.values():
        for cycle in metric.cycles:
            assert cycle.actual_elapsed >= cycle.elapsed
            assert cycle.actual_paused >= cycle.paused
            if cycle.state in ("running", "paused", "overdue") and cycle.due_at is not None:
                open_dues.append(cycle.due_at)
    assert (min(open_dues) if open_dues else None) == result.escalation_at


# ---------------------------------------------------------------------------------------------
# The options behind ServiceNow's "breach on due date" and Zendesk's first reply time, under
# slaclock's own preset: the defaults keep our rules, each option written in the policy turns on
# the other tool's rule. Hand-worked on an 08:00-16:00 daily schedule (UTC).
def _due_from_policy(**options: str) -> Policy:
    return Policy.model_validate(
        {
            "name": "own",
            "calendar": {"timezone": "UTC", "hours": {"daily": "08:00-16:00"}},
            "metrics": {"resolution": {"targets": {"normal": "8h"}, "due_from": "due_date"}},
            **options,
        }
    )


def _due_ticket(due_date: str, *rest: tuple[str, str]) -> Timeline:
    return ticket(("2017-01-11 09:00", "created", {"attributes": {"due_date": due_date}}), *rest)


def test_due_from_outside_the_schedule_is_kept_by_default() -> None:
    """Default (keep): a due date of Wed 20:30, after the 16:00 close, is due at 20:30; solved
    at 21:00 that is 30 minutes late."""
    # By hand: due 20:30 as given; stop 21:00 > 20:30 -> breached.
    events = _due_ticket("2017-01-11T20:30:00+00:00", ("2017-01-11 21:00", "solved"))
    cycle = run(_due_from_policy(), events, "2017-01-11 22:00").resolution.cycles[0]
    assert (utc("2017-01-11 20:30"), "breached") == (cycle.due_at, cycle.state)


def test_due_from_outside_the_schedule_moves_to_the_next_opening() -> None:
    """next_open: the Wed 20:30 due date is due Thu 08:00, so a solve at 21:00 is met; a due
    date inside the hours (Wed 14:00) is not moved."""
    # By hand: 20:30 is after the 16:00 close -> next opening Thu 08:00; 21:00 <= 08:00 -> met.
    # 14:00 lies in 08:00-16:00 -> stays 14:00.
    policy = _due_from_policy(due_from_outside_schedule="next_open")
    late = _due_ticket("2017-01-11T20:30:00+00:00", ("2017-01-11 21:00", "solved"))
    cycle = run(policy, late, "2017-01-11 22:00").resolution.cycles[0]
    assert (utc("2017-01-12 08:00"), "met") == (cycle.due_at, cycle.state)
    inside = _due_ticket("2017-01-11T14:00:00+00:00")
    assert utc("2017-01-11 14:00") == run(policy, inside, "2017-01-11 10:00").resolution.due_at


def test_due_from_in_the_past_is_kept_by_default() -> None:
    """Default (keep): a due date (Tue 12:00) before the start (Wed 09:00) stays the due
    instant, so the cycle is overdue from its start."""
    # By hand: due Tue 12:00 < as_of Wed 10:00 and the cycle is open -> overdue.
    events = _due_ticket("2017-01-10T12:00:00+00:00")
    result = run(_due_from_policy(), events, "2017-01-11 10:00").resolution
    assert (utc("2017-01-10 12:00"), "overdue") == (result.due_at, result.state)


def test_due_from_in_the_past_is_due_one_second_after_the_start() -> None:
    """start_plus_1s: a past due date makes the cycle due at Wed 09:00:01; solved at that
    second it is met, a second later breached. A future due date is not touched, and the
    option is off again when the policy says keep over the servicenow preset."""
    # By hand: start 09:00:00 + 1s = 09:00:01; stop 09:00:01 <= due -> met; 09:00:02 -> breached.
    policy = _due_from_policy(due_from_in_past="start_plus_1s")
    states = [
        run(policy, _due_ticket("2017-01-10T12:00:00+00:00", (at, "solved")), at).resolution
        for at in ("2017-01-11 09:00:01", "2017-01-11 09:00:02")
    ]
    assert [(utc("2017-01-11 09:00:01"), "met"), (utc("2017-01-11 09:00:01"), "breached")] == [
        (r.due_at, r.state) for r in states
    ]
    future = _due_ticket("2017-01-11T15:00:00+00:00")
    assert utc("2017-01-11 15:00") == run(policy, future, "2017-01-11 10:00").resolution.due_at
    kept = _sn_due_date_policy().model_copy(update={"due_from_in_past": "keep"})
    past = _due_ticket("2017-01-10T12:00:00+00:00")
    assert utc("2017-01-10 12:00") == run(kept, past, "2017-01-11 10:00").resolution.due_at


def _reopened_without_reply() -> Timeline:
    return ticket(
        ("2025-03-03 09:00", "created"),
        ("2025-03-03 09:10", "solved"),
        ("2025-03-03 11:00", "reopened"),
        ("2025-03-03 11:30", "agent_replied"),
    )


def test_first_response_is_cancelled_by_a_solve_by_default() -> None:
    """Default (cancel): solved at 09:10 with no reply, the first response is cancelled and the
    reply after the reopen does not bring it back."""
    # By hand: cancelled at 09:10 after 10 minutes.
    policy = Policy(name="own", metrics={"first_response": {"targets": {"normal": "1h"}}})
    first = run(policy, _reopened_without_reply(), "2025-03-03 12:00").first_response
    assert ("cancelled", 10 * M) == (first.state, first.elapsed)


def test_first_response_continues_through_a_solve_and_reopen() -> None:
    """continue: the first response counts on through the solve (09:10) and the reopen (11:00)
    to the public reply at 11:30: 2h30m against a 1h target, breached (due 10:00). The pause
    option instead leaves out the 09:10-11:00 solved time."""
    # By hand, 24x7: continue 09:00-11:30 = 2h30m, due 09:00 + 1h = 10:00 < 11:30 -> breached.
    # pause: 09:00-09:10 (10m) + 11:00-11:30 (30m) = 40m, paused 1h50m -> met (due 11:50).
    policy = Policy(
        name="own",
        first_response_when_solved="continue",
        metrics={"first_response": {"targets": {"normal": "1h"}}},
    )
    first = run(policy, _reopened_without_reply(), "2025-03-03 12:00").first_response
    assert ("breached", 150 * M, utc("2025-03-03 10:00")) == (
        first.state,
        first.elapsed,
        first.due_at,
    )
    paused = policy.model_copy(update={"first_response_when_solved": "pause"})
    first = run(paused, _reopened_without_reply(), "2025-03-03 12:00").first_response
    assert ("met", 40 * M, utc("2025-03-03 11:50")) == (first.state, first.elapsed, first.due_at)


# ---------------------------------------------------------------------------------------------
# due_from_missing: a ticket without the due_from attribute (ServiceNow's empty Due Date). The
# ServiceNow wording is quoted in tests/test_preset_servicenow.py; these are hand-worked on the
# 08:00-16:00 daily schedule of _due_from_policy (UTC).
def test_a_missing_due_date_falls_back_to_the_target_by_default() -> None:
    """Default (target): no due_date attribute -> the 8h target applies: from Wed 09:00, 7h
    on Wednesday (09:00-16:00) and 1h on Thursday (08:00-09:00) -> due Thu 09:00."""
    events = ticket(("2017-01-11 09:00", "created"))
    result = run(_due_from_policy(), events, "2017-01-11 10:00").resolution
    assert (utc("2017-01-12 09:00"), "running") == (result.due_at, result.state)


def test_a_missing_due_date_is_due_one_second_after_the_start() -> None:
    """start_plus_1s: no due_date -> due Wed 09:00:01 (start + 1s); as of 10:00 overdue, and
    a due date set later (Wed 14:00) is then the due instant."""
    # By hand: 09:00:00 + 1s = 09:00:01 < as_of 10:00 -> overdue; target = business time in
    # that second = 1s.
    policy = _due_from_policy(due_from_missing="start_plus_1s")
    events = ticket(("2017-01-11 09:00", "created"))
    result = run(policy, events, "2017-01-11 10:00").resolution
    assert (utc("2017-01-11 09:00:01"), "overdue", timedelta(seconds=1)) == (
        result.due_at,
        result.state,
        result.cycles[0].target,
    )
    later = ticket(
        ("2017-01-11 09:00", "created"),
        (
            "2017-01-11 09:30",
            "attributes_changed",
            {"attributes": {"due_date": "2017-01-11T14:00:00+00:00"}},
        ),
    )
    assert utc("2017-01-11 14:00") == run(policy, later, "2017-01-11 10:00").resolution.due_at


def test_the_servicenow_preset_sets_due_from_missing() -> None:
    assert _sn_due_date_policy().conventions_in_force.due_from_missing == "start_plus_1s"
    assert (
        Policy.model_validate(
            {"name": "p", "metrics": {"resolution": {}}}
        ).conventions_in_force.due_from_missing
        == "target"
    )


# ---------------------------------------------------------------------------------------------
# state_outside_hours (Jira shows a running SLA as paused outside its calendar's hours; quoted
# in tests/test_preset_jira.py). Hand-worked on Mon-Fri 09:00-17:00 UTC, an 8h target.
def _outside_hours_policy(**options: str) -> Policy:
    return Policy.model_validate(
        {
            "name": "p",
            "calendar": {"timezone": "UTC", "hours": {"mon-fri": "09:00-17:00"}},
            "metrics": {"resolution": {"targets": {"normal": "8h"}}},
            **options,
        }
    )


def test_a_running_clock_outside_hours_reads_running_by_default() -> None:
    # Created Mon 16:00, viewed Mon 20:00 (closed): 1h used (16-17), due Tue 16:00, running.
    result = run(
        _outside_hours_policy(), ticket(("2025-03-03 16:00", "created")), "2025-03-03 20:00"
    )
    assert ("running", H, utc("2025-03-04 16:00")) == (
        result.resolution.state,
        result.resolution.elapsed,
        result.resolution.due_at,
    )


def test_state_outside_hours_paused_changes_only_the_state() -> None:
    """Viewed Mon 20:00 the clock reads paused with the same elapsed time and due instant; at
    the closing instant itself (17:00, closed) paused, at 16:59 running; past due it stays
    overdue."""
    # By hand: as above; Mon 17:00 is the close (the hours are [09:00, 17:00)); the 8h run out
    # Tue 16:00, so Tue 20:00 is past due -> overdue, whatever the hours.
    policy = _outside_hours_policy(state_outside_hours="paused")
    created = ticket(("2025-03-03 16:00", "created"))
    evening = run(policy, created, "2025-03-03 20:00").resolution
    assert ("paused", H, utc("2025-03-04 16:00")) == (
        evening.state,
        evening.elapsed,
        evening.due_at,
    )
    states = [run(policy, created, at).resolution.state for at in
              ("2025-03-03 16:59", "2025-03-03 17:00", "2025-03-04 20:00")]  # fmt: skip
    assert ["running", "paused", "overdue"] == states
    # A clock paused by status stays paused, and a stopped cycle is met as usual.
    solved = ticket(("2025-03-03 16:00", "created"), ("2025-03-03 16:30", "solved"))
    assert "met" == run(policy, solved, "2025-03-03 20:00").resolution.state


def test_a_due_date_set_later_counts_under_priority_change_keep() -> None:
    """priority_change: keep judges the target at the cycle's start, but the ticket's due date
    is the one in force: set 30 minutes after creation, it is the due instant (not the
    start + 1s of the missing date)."""
    # By hand: created Wed 09:00 without due_date, due_date Thu 12:00 set at 09:30 -> due Thu
    # 12:00; as of Wed 10:00 running.
    policy = _due_from_policy(due_from_missing="start_plus_1s", priority_change="keep")
    events = ticket(
        ("2017-01-11 09:00", "created"),
        ("2017-01-11 09:30", "attributes_changed",
         {"attributes": {"due_date": "2017-01-12T12:00:00+00:00"}}),
    )  # fmt: skip
    result = run(policy, events, "2017-01-11 10:00").resolution
    assert (utc("2017-01-12 12:00"), "running") == (result.due_at, result.state)


def test_a_clock_shown_paused_outside_hours_still_schedules_its_deadline() -> None:
    """Under state_outside_hours: paused the cycle reads paused at Mon 20:00 but still falls
    due Tue 16:00: TicketClock.next_deadline schedules it, as it does at 16:30."""
    from slaclock import TicketClock

    # By hand: created Mon 16:00, 8h on Mon-Fri 09-17 -> 1h Monday + 7h Tuesday -> Tue 16:00.
    policy = _outside_hours_policy(state_outside_hours="paused")
    clock = TicketClock(policy, ticket_id="T", attributes={"priority": "normal"})
    clock = clock.add({"at": utc("2025-03-03 16:00"), "kind": "created"})
    for at in ("2025-03-03 16:30", "2025-03-03 20:00"):
        deadline = clock.next_deadline(utc(at))
        assert deadline is not None and ("due", utc("2025-03-04 16:00")) == (
            deadline.kind,
            deadline.at,
        )


def test_explain_names_the_policy_of_a_set_with_its_conventions() -> None:
    """Under a policy set, explain names each policy the ticket's cycles ran under."""
    import io
    from pathlib import Path

    from slaclock.cli import main

    examples = Path(__file__).parent.parent / "examples"
    out, err = io.StringIO(), io.StringIO()
    argv = ["explain", str(examples / "policies" / "follow-the-sun.yaml"),
            str(examples / "events.jsonl"), "--ticket", "T-1001"]  # fmt: skip
    assert (0, "") == (main(argv, out=out, err=err), err.getvalue())
    assert (
        out.getvalue()
        .rstrip()
        .endswith("policy 'follow-the-sun' conventions: slaclock (the defaults)")
    )


def test_what_if_copies_read_days_as_the_policy_does() -> None:
    """Under conventions: jira (an 8h working day, 5-day week), a what-if target '1d' is 8h and
    '1w' 40h, as in the policy's own targets; a sweep reads its targets the same way."""
    from slaclock.whatif import sweep, variant

    jira = Policy.model_validate(
        {
            "name": "j",
            "conventions": "jira",
            "metrics": {"resolution": {"targets": {"normal": "1d"}}},
        }
    )
    # By hand: 1d = 8h; 1w = 5 x 8h = 40h; 2d (a mapping with a calendar) = 16h.
    copied = jira.with_target("resolution", "normal", "1w")
    assert timedelta(hours=40) == copied.metrics["resolution"].targets["normal"].duration
    changed = variant(
        jira, targets={"resolution": {"normal": {"duration": "2d", "calendar": "24x7"}}}
    )
    assert timedelta(hours=16) == changed.metrics["resolution"].targets["normal"].duration
    assert timedelta(hours=8) == jira.metrics["resolution"].targets["normal"].duration
    # A ticket open 10 hours (24x7): breached under 1d = 8h, met under 2d = 16h.
    events = ticket(("2025-03-03 09:00", "created"), ("2025-03-03 19:00", "solved"))
    rows = sweep([events], "resolution", "normal", ["1d", "2d"], baseline=jira).rows
    assert [0.0, 1.0] == [row.attainment for row in rows]


@pytest.mark.parametrize(
    ("changes", "field"),
    [({"conventions": ["jira"]}, "conventions"), ({"working_day": "zz"}, "working_day")],
)
def test_a_bad_preset_or_working_day_is_an_error_naming_the_field(
    changes: dict[str, Any], field: str
) -> None:
    """A preset name that is not text, or an unreadable working_day, beside targets in days:
    a ValidationError at the field (before, a bare TypeError, or an error with no location)."""
    data = {"name": "p", "metrics": {"resolution": {"targets": {"normal": "1d"}}}, **changes}
    with pytest.raises(ValidationError) as caught:
        Policy.model_validate(data)
    assert [(field,)] == [error["loc"] for error in caught.value.errors()]
