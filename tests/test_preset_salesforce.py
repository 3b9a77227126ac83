"""Scenarios under ``conventions: salesforce`` whose expected values are quoted from Salesforce's docs.

Every expected instant or duration below is copied from the cited page, or follows from the
numbers it quotes by the arithmetic written next to it; none is computed with slaclock. The
pages are Salesforce's own (help.salesforce.com, developer.salesforce.com, Trailhead) except
one, marked as a third-party last resort. Salesforce calls a cycle a *milestone*: its Start
Date is slaclock's ``started_at``, its Target Date ``due_at``, its Completion Date
``stopped_at``, Is Violated a ``breached``/``overdue`` state, Time Remaining ``remaining``,
Time Since Target ``overdue_by``, Stopped Time ``paused`` and Actual Elapsed Time ``elapsed``
(not slaclock's wall-clock ``actual_elapsed``).

The ``salesforce`` preset sets no option (Salesforce documents none of the disputed rules
differently from slaclock's defaults). Convention by convention:

- ``due_at_closing``: not documented - no Salesforce page says whether a target used up at the
  close of business hours is due at the close or at the next opening; the tests here keep
  clear of that instant.
- ``precision``: targets ("Time Trigger (Minutes)") are whole minutes -
  ``test_salesforce_time_trigger_minutes_per_priority_from_the_apex_sample``; Is Violated
  compares the Completion Date with the Target Date as instants -
  ``test_salesforce_completion_at_the_target_date_is_not_a_violation``. The Apex
  ``BusinessHours.add`` reference ignores "time precision smaller than one minute" of the
  *interval* only (milestone intervals are whole minutes anyway); nothing says the Target Date
  is rounded, so the preset keeps exact instants.
- projected due while paused: "The target date is reevaluated when the milestone unpauses" -
  ``test_salesforce_elapsed_time_includes_stopped_time_in_business_hours`` (and
  ``test_salesforce_paused_milestone_has_its_target_reevaluated_on_unpause`` in
  ``tests/test_conventions.py``).
- ``first_response_when_solved``: not documented - closing a case ends its entitlement process;
  no Salesforce page found says what becomes of a First Response milestone still open then.
- update clocks / recurrence: recurring milestones, ``recurrence: independent | sequential`` -
  the recurrence tests in ``tests/test_conventions.py`` (listed below).
- ``due_from_outside_schedule`` / ``due_from_in_past``: not documented - a milestone's Target
  Date is always its Start Date plus the time trigger (fixed or from Apex); Salesforce has no
  "due date from a case field" for milestones.
- ``working_day``: not a Salesforce notion - time triggers are minutes of business hours, never
  days: ``test_salesforce_happy_customer_policy_counts_business_hours_not_days`` and
  ``test_salesforce_business_hours_add_counts_24_hours_not_one_day`` (third-party). (Milestone
  *action* time triggers may be set in Minutes, Hours or Days - Metadata API
  ``workflowTimeTriggerUnit`` - but no page found says how long such a day is.)
- wall-clock beside business time: Salesforce's Elapsed, Stopped and Actual Elapsed Time are all
  business time - ``test_salesforce_elapsed_time_includes_stopped_time_in_business_hours``,
  ``test_salesforce_time_remaining_and_time_since_target_count_business_hours``.
- calendars per milestone: ``test_salesforce_milestone_business_hours_override_the_process_hours``.
- warnings: ``test_salesforce_warning_an_hour_before_and_success_when_completed_late``.

Already in ``tests/test_conventions.py`` for this preset: ``test_salesforce_no_recurrence_resolution_milestone``
(the numbers quoted from 'Milestone Recurrence Types'), and, with the rule quoted and the
numbers worked by hand, ``test_salesforce_paused_milestone_has_its_target_reevaluated_on_unpause``,
``test_salesforce_elapsed_stopped_and_actual_elapsed_time``,
``test_salesforce_sequential_occurrence_starts_at_the_previous_target_date`` (its numbers from a
third-party blog), ``test_salesforce_independent_occurrence_starts_when_the_criteria_match`` and
``test_salesforce_sequential_occurrence_after_the_target_date_starts_at_once``.
"""

from __future__ import annotations

from datetime import timedelta, timezone
from typing import Any

import pytest

from slaclock import DayTargetWarning, Policy, Timeline

from .preset_support import Row, run, timeline_of, utc

UTC = timezone.utc
M = timedelta(minutes=1)
H = timedelta(hours=1)

#: "weekdays from 9 to 5" ('How Business Hours Work in Entitlement Management', below).
WEEKDAYS_9_TO_5 = {"timezone": "UTC", "hours": {"mon-fri": [["09:00", "17:00"]]}}


def case(*events: Row, priority: str = "normal") -> Timeline:
    """A case from (UTC time, kind[, fields]) rows."""
    return timeline_of("C", {"priority": priority}, events)


def salesforce(metrics: dict[str, Any], calendar: Any = None) -> Policy:
    """A policy under ``conventions: salesforce`` (24x7 unless a calendar is given)."""
    data: dict[str, Any] = {"name": "sf", "conventions": "salesforce", "metrics": metrics}
    if calendar is not None:
        data["calendar"] = calendar
    return Policy.model_validate(data)


# Salesforce Help, 'Milestone Recurrence Types'
# (https://help.salesforce.com/s/articleView?id=service.entitlements_milestone_sequential_recurrence.htm):
# 'A milestone named "Resolution Time" is set up to ensure that cases are resolved within
# 4 hours.' ... 'At 10 a.m., a case is created' ... 'Start Date = 10 a.m. (the current time)',
# 'Target Date = 2 p.m. (4 hours from the Start Date)'. Time triggers are minutes: 4 h = 240 m.
RESOLUTION_TIME = {"resolution": {"targets": {"normal": "240m"}}}
CREATED_10AM = ("2025-03-03 10:00", "created")


def test_salesforce_completion_at_the_target_date_is_not_a_violation() -> None:
    """Salesforce: a milestone completed at its Target Date is not violated; one second later
    it is."""
    # Salesforce Help, knowledge article 000395083, 'How the IsViolated field on the
    # Case/Entity Milestone is evaluated' (https://help.salesforce.com/s/articleView?id=000395083&type=1):
    # 'The IsViolated boolean field on the Case/Entity Milestone is evaluated to True in below
    # conditions: ... 2. If the Completion Date has a value greater than the Targeted Date.'
    # With 'Milestone Recurrence Types' (above): Start Date 10 a.m., Target Date 2 p.m.
    # Closed at 2:00:00 p.m.: Completion Date = Target Date, not greater -> not violated (met).
    # Closed at 2:00:01 p.m.: greater -> violated, the violation at the 2 p.m. Target Date.
    policy = salesforce(RESOLUTION_TIME)
    on_time = run(
        policy, case(CREATED_10AM, ("2025-03-03 14:00:00", "closed")), "2025-03-03 14:00:00"
    ).resolution
    late = run(
        policy, case(CREATED_10AM, ("2025-03-03 14:00:01", "closed")), "2025-03-03 14:00:01"
    ).resolution
    assert ("met", utc("2025-03-03 14:00"), None) == (
        on_time.state,
        on_time.due_at,
        on_time.cycles[0].breached_at,
    )
    assert ("breached", utc("2025-03-03 14:00"), utc("2025-03-03 14:00:01")) == (
        late.state,
        late.cycles[0].breached_at,
        late.cycles[0].stopped_at,
    )


def test_salesforce_open_milestone_is_violated_only_after_the_target_date() -> None:
    """Salesforce: an open milestone is not violated at its Target Date, only after it."""
    # Knowledge article 000395083 (above): 'The IsViolated boolean field ... is evaluated to
    # True ... 1. If the Completion Date is blank and the Current Date is greater than the
    # Target Date.' Target Date 2 p.m. ('Milestone Recurrence Types'). As of 2:00:00 p.m. the
    # current date equals the Target Date: not violated, nothing remains (240 - 240 = 0 min).
    # As of 2:00:01 p.m.: violated, one second past the target.
    policy = salesforce(RESOLUTION_TIME)
    at_target = run(policy, case(CREATED_10AM), "2025-03-03 14:00:00").resolution.cycles[0]
    after = run(policy, case(CREATED_10AM), "2025-03-03 14:00:01").resolution.cycles[0]
    assert ("running", timedelta(0), None) == (
        at_target.state,
        at_target.remaining,
        at_target.overdue_by,
    )
    assert ("overdue", timedelta(seconds=1)) == (after.state, after.overdue_by)


def test_salesforce_time_remaining_and_time_since_target_count_business_hours() -> None:
    """Salesforce: Time Remaining and Time Since Target are business minutes, not wall-clock."""
    # Salesforce Object Reference, EntityMilestone (https://developer.salesforce.com/docs/
    # platform/object-reference/references/standard-objects/object-entitymilestone.html):
    # TimeRemainingInMins 'The minutes that remain before a milestone violation. Automatically
    # calculated to include the business hours on the record.'; TimeSinceTargetInMins 'The
    # minutes that have elapsed since a milestone violation. Automatically calculated to include
    # the business hours on the record.' Business hours 'weekdays from 9 to 5' and the 4-hour
    # (240 m) 'Resolution Time' milestone as quoted above. By hand, a case created Friday
    # 2025-03-07 16:00: Target Date = 1 h Friday (16-17) + 3 h Monday (9-12) = Monday 12:00.
    # As of Friday 16:30: 240 - 30 = 210 business minutes remain (67.5 h on the wall clock).
    # As of Tuesday 10:00: 5 h Monday (12-17) + 1 h Tuesday (9-10) = 360 minutes since target.
    policy = salesforce(RESOLUTION_TIME, WEEKDAYS_9_TO_5)
    friday = case(("2025-03-07 16:00", "created"))
    early = run(policy, friday, "2025-03-07 16:30").resolution.cycles[0]
    late = run(policy, friday, "2025-03-11 10:00").resolution.cycles[0]
    assert (utc("2025-03-10 12:00"), 210 * M) == (early.due_at, early.remaining)
    assert ("overdue", 360 * M) == (late.state, late.overdue_by)


def test_salesforce_elapsed_time_includes_stopped_time_in_business_hours() -> None:
    """Salesforce: Elapsed Time includes the stopped time, Actual Elapsed Time leaves it out,
    both in business hours; the Target Date moves on by the stopped time."""
    # EntityMilestone (above): ElapsedTimeInMins 'The number of minutes it took to complete a
    # milestone, including time during which the milestone was stopped. Automatically
    # calculated to include the business hours on the record.'; StoppedTimeInMins 'The number
    # of minutes that an agent has been blocked from completing a milestone. For example, an
    # agent may be waiting for a customer to reply with more information.'; '(Elapsed Time) -
    # (Stopped Time) = (Actual Elapsed Time)'. Salesforce Help, 'Automatically Pause Record
    # Milestones Based on Predefined Rules' (https://help.salesforce.com/apex/HTViewHelpDoc?id=
    # service.sla_rule_based_milestone_pause.htm): 'The milestone timer stops during the pause
    # and resumes when the conditions change. The target date is reevaluated when the milestone
    # unpauses.' By hand, weekdays 9 to 5, an 8 h (480 m) milestone: created Monday 09:00,
    # waiting on the customer Monday 15:00 to Tuesday 10:00, closed Tuesday 11:00.
    # Elapsed = 8 h Monday + 2 h Tuesday (9-11) = 600 min; Stopped = 2 h Monday (15-17) + 1 h
    # Tuesday (9-10) = 180 min; Actual Elapsed = 600 - 180 = 420 min. Target Date: 6 h used by
    # Monday 15:00, the other 2 h from Tuesday 10:00 -> Tuesday 12:00; closed 11:00 -> met.
    policy = salesforce({"requester_wait": {"targets": {"normal": "480m"}}}, WEEKDAYS_9_TO_5)
    events = case(
        ("2025-03-03 09:00", "created"),
        ("2025-03-03 15:00", "status_changed", {"status": "pending"}),
        ("2025-03-04 10:00", "status_changed", {"status": "open"}),
        ("2025-03-04 11:00", "closed"),
    )
    cycle = run(policy, events, "2025-03-04 11:00").requester_wait.cycles[0]
    assert (600 * M, 180 * M, 420 * M) == (
        cycle.elapsed + cycle.paused,
        cycle.paused,
        cycle.elapsed,
    )
    assert ("met", utc("2025-03-04 12:00")) == (cycle.state, cycle.due_at)


def test_salesforce_milestone_business_hours_override_the_process_hours() -> None:
    """Salesforce: a milestone with its own 24/7 business hours ignores the process's 9-to-5;
    a milestone without its own uses the process's."""
    # Salesforce Help, 'How Business Hours Work in Entitlement Management'
    # (https://help.salesforce.com/s/articleView?id=service.entitlements_business_hours.htm):
    # 'So a milestone's business hours override the entitlement process' business hours' ...
    # 'For example, suppose that you set the business hours on an entitlement process to
    # weekdays from 9 to 5. If a customer requests evening and weekend updates to their case,
    # you can create an "Update Customer" milestone with its own 24/7 business hours.'
    # EntityMilestone (above), BusinessHoursId: 'If business hours aren't specified, the
    # entitlement process business hours are used.' Both milestones 4 h (240 m, as 'Resolution
    # Time' above). By hand, a case created Friday 2025-03-07 16:00: Resolution Time on the
    # process's hours: 1 h Friday + 3 h Monday -> Monday 12:00; Update Customer on 24/7:
    # 16:00 + 4 h -> Friday 20:00.
    update_customer = {
        "targets": {"normal": {"duration": "240m", "calendar": "24x7"}},
        "definition": {"start": "created", "stop": {"event": "agent_replied", "public": True}},
    }
    policy = salesforce({**RESOLUTION_TIME, "update_customer": update_customer}, WEEKDAYS_9_TO_5)
    result = run(policy, case(("2025-03-07 16:00", "created")), "2025-03-07 16:00")
    assert (utc("2025-03-10 12:00"), utc("2025-03-07 20:00")) == (
        result.resolution.due_at,
        result.update_customer.due_at,
    )


def test_salesforce_time_trigger_minutes_per_priority_from_the_apex_sample() -> None:
    """Salesforce: the Apex reference's MilestoneTriggerTimeCalculator sample - 7 and 5 minutes
    for a High case, 18 minutes otherwise."""
    # Apex Reference, MilestoneTriggerTimeCalculator Interface (https://developer.salesforce.com/
    # docs/atlas.en-us.apexref.meta/apexref/apex_interface_support_milestonetriggertimecalculator.htm):
    # 'The calculated trigger time in minutes.' Sample: 'if (c.Priority != null &&
    # c.Priority.equals('High')){ if (mt.Name != null && mt.Name.equals('m1')) { return 7;}
    # else { return 5; } } else { return 18; }'; its test class asserts 7 or 5 for a High case
    # and 18 after 'c.priority = 'Low''. By hand, cases created 10:00 on 24/7 hours:
    # High: m1 due 10:07, another milestone 10:05; Low: both due 10:18.
    reply = {"start": "created", "stop": {"event": "agent_replied", "public": True}}
    policy = salesforce(
        {
            "m1": {"targets": {"High": "7m", "Low": "18m"}, "definition": reply},
            "m2": {"targets": {"High": "5m", "Low": "18m"}, "definition": reply},
        }
    )
    high = run(policy, case(CREATED_10AM, priority="High"), "2025-03-03 10:00")
    low = run(policy, case(CREATED_10AM, priority="Low"), "2025-03-03 10:00")
    assert [utc("2025-03-03 10:07"), utc("2025-03-03 10:05")] == [high.m1.due_at, high.m2.due_at]
    assert [utc("2025-03-03 10:18")] * 2 == [low.m1.due_at, low.m2.due_at]


def test_salesforce_warning_an_hour_before_and_success_when_completed_late() -> None:
    """Salesforce: a warning action an hour before the Target Date; a milestone completed late
    is completed (its success actions fire) and violated."""
    # Salesforce Help, 'Milestone Actions'
    # (https://help.salesforce.com/s/articleView?id=service.entitlements_milestones_actions_overview.htm):
    # 'Sends an email alert to certain users an hour before a First Response milestone is near
    # violation'; 'Success Actions: The actions to take when a milestone successfully
    # completes. Success actions still fire on milestones that are completed late.' With the
    # 'Resolution Time' numbers above (Target Date 2 p.m.): the warning comes at 2 p.m. - 1 h =
    # 1 p.m. Completed at 3 p.m.: completed (stopped at 3 p.m.) and violated since 2 p.m.,
    # 3 p.m. - 2 p.m. = 1 h past the target.
    policy = salesforce(
        {
            "resolution": {
                "targets": {"normal": "240m"},
                "thresholds": [{"name": "warning", "before_due": "60m"}],
            }
        }
    )
    before = run(policy, case(CREATED_10AM), "2025-03-03 12:59:59").resolution.cycles[0]
    late = run(
        policy, case(CREATED_10AM, ("2025-03-03 15:00", "closed")), "2025-03-03 15:00"
    ).resolution.cycles[0]
    assert (utc("2025-03-03 13:00"), False) == (
        before.thresholds[0].at,
        before.thresholds[0].reached,
    )
    assert ("breached", utc("2025-03-03 15:00"), utc("2025-03-03 14:00"), 1 * H, True) == (
        late.state,
        late.stopped_at,
        late.breached_at,
        late.overdue_by,
        late.thresholds[0].reached,
    )


def test_salesforce_happy_customer_policy_counts_business_hours_not_days() -> None:
    """Salesforce Trailhead: 16 business hours for high priority, 32 for medium and low -
    counted in business hours across days, never as days."""
    # Trailhead, Entitlement Management for Lightning Experience, 'Set Up Milestones'
    # (https://trailhead.salesforce.com/content/learn/modules/entitlement-management-for-lightning-experience/set-up-milestones):
    # 'all high-priority cases must be closed within 16 business hours, and all medium- and
    # low-priority cases must be closed within 32 business hours.' ... 'Resolution Time ...
    # The countdown starts when the case is created and ends when the case Status is changed
    # to Closed.' Time triggers in minutes: 16 h = 960 m, 32 h = 1920 m. On 'weekdays from 9
    # to 5' (above), by hand, created Monday 2025-03-03 10:00: High: 7 h Monday + 8 h Tuesday
    # + 1 h Wednesday = 16 h -> Wednesday 10:00. Medium/Low: 7 + 8 + 8 + 8 = 31 h by Thursday's
    # close + 1 h Friday -> Friday 2025-03-07 10:00.
    policy = salesforce(
        {"resolution": {"targets": {"High": "960m", "Medium": "1920m", "Low": "1920m"}}},
        WEEKDAYS_9_TO_5,
    )
    due = {
        priority: run(
            policy, case(CREATED_10AM, priority=priority), "2025-03-03 10:00"
        ).resolution.due_at
        for priority in ("High", "Medium", "Low")
    }
    assert {
        "High": utc("2025-03-05 10:00"),
        "Medium": utc("2025-03-07 10:00"),
        "Low": utc("2025-03-07 10:00"),
    } == due


def test_salesforce_business_hours_add_counts_24_hours_not_one_day() -> None:
    """Salesforce BusinessHours.add (third-party report of its output): 24 hours on 12-hour
    days end two days later at the same time - 24 business hours, not one working day."""
    # THIRD-PARTY SOURCE (last resort: no Salesforce page shows BusinessHours.add's output).
    # Prasanna Deshpande, 'Salesforce: Adding specific business days to date using
    # BusinessHours class' (http://blog.prasannadeshpande.com/2017/12/
    # salesforce-adding-specific-business-days-to-date-using-businesshours-class/): 'business
    # hours are set for 8 AM to 8 PM for all days'; 'Long interval = (24 * 60 * 60 * 1000);'
    # and the debug output 'Date :12/18/2017 10:00 AM', 'After adding 1 day :12/20/2017 10:00
    # AM'. By hand: 10 h Monday 18th (10-20) + 12 h Tuesday 19th + 2 h Wednesday 20th (8-10)
    # = 24 h. As a time trigger: 24 h = 1440 minutes. slaclock's '1d' is read the same way
    # (24 hours), with a warning that suggests 'business days' on such a calendar.
    daily_8_to_8 = {"timezone": "UTC", "hours": {"daily": [["08:00", "20:00"]]}}
    created = case(("2017-12-18 10:00", "created"))
    minutes = salesforce({"resolution": {"targets": {"normal": "1440m"}}}, daily_8_to_8)
    with pytest.warns(DayTargetWarning):
        day = salesforce({"resolution": {"targets": {"normal": "1d"}}}, daily_8_to_8)
    assert [utc("2017-12-20 10:00")] * 2 == [
        run(minutes, created, "2017-12-18 10:00").resolution.due_at,
        run(day, created, "2017-12-18 10:00").resolution.due_at,
    ]
