"""Hand-worked engine scenarios: each metric and rule, with the arithmetic in comments.

Unless said otherwise: Europe/Berlin, Mon-Fri 09:00-17:00, March 2025 (CET, +01:00; DST starts
on Sunday 30 March). Mon 3, Fri 7, Sat 8, Mon 10 March.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from pydantic import ValidationError

from slaclock import Policy, PolicySet, TicketResult, Timeline, evaluate
from slaclock.errors import NaiveDatetimeError, PolicyError, TimelineError

BERLIN = ZoneInfo("Europe/Berlin")
CALENDAR = {"timezone": "Europe/Berlin", "hours": {"mon-fri": [["09:00", "17:00"]]}}


def at(text: str) -> datetime:
    """'Mon 3 10:00' style shorthand: an instant in Berlin in March 2025."""
    _, day, clock = text.split()
    hour, minute = (int(x) for x in clock.split(":"))
    return datetime(2025, 3, int(day), hour, minute, tzinfo=BERLIN)


def ticket(
    *events: tuple[str, str] | tuple[str, str, dict[str, Any]], **attributes: Any
) -> Timeline:
    rows = []
    for item in events:
        when, kind = item[0], item[1]
        extra = item[2] if len(item) > 2 else {}
        rows.append({"at": at(when), "kind": kind, **extra})
    return Timeline(ticket_id="T", attributes={"priority": "normal", **attributes}, events=rows)


def policy(metrics: dict[str, Any], **options: Any) -> Policy:
    return Policy.model_validate({"name": "p", "calendar": CALENDAR, "metrics": metrics, **options})


def run(p: Policy | PolicySet, t: Timeline, as_of: str | None = None, **kw: Any) -> TicketResult:
    return evaluate(p, t, as_of=None if as_of is None else at(as_of), **kw)


H = timedelta(hours=1)
M = timedelta(minutes=1)


# ---------------------------------------------------------------------------------------------
# first_response
def test_first_response_met() -> None:
    """Created Mon 10:00, 4h target -> due 14:00; replied 11:00: met, 1h used, 3h left."""
    r = run(
        policy({"first_response": {"targets": {"normal": "4h"}}}),
        ticket(("Mon 3 10:00", "created"), ("Mon 3 11:00", "agent_replied")),
    )
    cycle = r.first_response.cycles[0]
    assert ("met", at("Mon 3 14:00"), H, 3 * H) == (
        cycle.state,
        cycle.due_at,
        cycle.elapsed,
        cycle.remaining,
    )


def test_reply_exactly_at_due_is_met_and_one_microsecond_later_is_breached() -> None:
    """Met means stopped at or before due: 14:00 is met, 14:00 + 1us is breached."""
    p = policy({"first_response": {"targets": {"normal": "4h"}}})
    on_time = ticket(("Mon 3 10:00", "created"), ("Mon 3 14:00", "agent_replied"))
    assert "met" == run(p, on_time).first_response.state
    late = Timeline(
        ticket_id="T",
        attributes={"priority": "normal"},
        events=[
            {"at": at("Mon 3 10:00"), "kind": "created"},
            {"at": at("Mon 3 14:00") + timedelta(microseconds=1), "kind": "agent_replied"},
        ],
    )
    cycle = run(p, late).first_response.cycles[0]
    # overdue_by: 1us of business time past the 4h target.
    assert ("breached", at("Mon 3 14:00"), timedelta(microseconds=1)) == (
        cycle.state,
        cycle.breached_at,
        cycle.overdue_by,
    )


def test_target_used_up_at_closing_time_is_due_at_closing_time() -> None:
    """Created Mon 13:00 + 4h = 17:00 (not Tue 09:00); a reply at 18:00 is breached though the
    counted time is exactly 4h (the calendar was closed from 17:00)."""
    r = run(
        policy({"first_response": {"targets": {"normal": "4h"}}}),
        ticket(("Mon 3 13:00", "created"), ("Mon 3 18:00", "agent_replied")),
    )
    cycle = r.first_response.cycles[0]
    assert (at("Mon 3 17:00"), "breached", 4 * H, timedelta(0)) == (
        cycle.due_at,
        cycle.state,
        cycle.elapsed,
        cycle.remaining,
    )


def test_first_response_is_cancelled_when_solved_without_a_reply() -> None:
    """Solving before any public reply cancels the first-response cycle."""
    r = run(
        policy({"first_response": {"targets": {"normal": "4h"}}}),
        ticket(
            ("Mon 3 10:00", "created"), ("Mon 3 10:30", "note_added"), ("Mon 3 11:00", "solved")
        ),
    )
    assert "cancelled" == r.first_response.state


def test_private_reply_does_not_stop_first_response() -> None:
    """A reply with public=False is not a response; the clock keeps running (overdue at 15:00)."""
    r = run(
        policy({"first_response": {"targets": {"normal": "4h"}}}),
        ticket(("Mon 3 10:00", "created"), ("Mon 3 11:00", "agent_replied", {"public": False})),
        as_of="Mon 3 15:00",
    )
    cycle = r.first_response.cycles[0]
    # 10:00 -> 15:00 = 5h counted, 1h past the 14:00 due instant.
    assert ("overdue", 5 * H, -H, H) == (
        cycle.state,
        cycle.elapsed,
        cycle.remaining,
        cycle.overdue_by,
    )


# ---------------------------------------------------------------------------------------------
# pauses
def test_pending_pauses_requester_wait_over_the_weekend() -> None:
    """Created Fri 16:00, pending 16:30 .. Mon 10:00, target 2h.
    Counted: Fri 16:00-16:30 (30m), then from Mon 10:00: 1h30 more -> due Mon 11:30.
    Paused business time: Fri 16:30-17:00 (30m) + Mon 09:00-10:00 (1h) = 1h30."""
    t = ticket(
        ("Fri 7 16:00", "created"),
        ("Fri 7 16:30", "status_changed", {"status": "pending"}),
        ("Mon 10 10:00", "status_changed", {"status": "open"}),
    )
    r = run(
        policy({"requester_wait": {"targets": {"normal": "2h"}}}),
        t,
        as_of="Mon 10 11:00",
        explain=True,
    )
    cycle = r.requester_wait.cycles[0]
    assert (at("Mon 10 11:30"), "running", 90 * M, 90 * M, 30 * M) == (
        cycle.due_at,
        cycle.state,
        cycle.elapsed,
        cycle.paused,
        cycle.remaining,
    )
    kinds = [(s.start, s.end, s.kind) for s in cycle.spans]
    assert [
        (at("Fri 7 16:00"), at("Fri 7 16:30"), "counted"),
        (at("Fri 7 16:30"), at("Mon 10 10:00"), "paused"),
        (at("Mon 10 10:00"), at("Mon 10 11:00"), "counted"),
    ] == kinds


def test_resolution_counts_pending_unless_the_policy_pauses_it() -> None:
    """Resolution counts all time by default; with pause_statuses=[pending] it matches requester_wait."""
    t = ticket(
        ("Mon 3 09:00", "created"),
        ("Mon 3 10:00", "status_changed", {"status": "pending"}),
        ("Mon 3 12:00", "status_changed", {"status": "open"}),
    )
    counted = run(policy({"resolution": {"targets": {"normal": "8h"}}}), t, as_of="Mon 3 13:00")
    paused = run(
        policy({"resolution": {"targets": {"normal": "8h"}, "pause_statuses": ["pending"]}}),
        t,
        as_of="Mon 3 13:00",
    )
    # 09:00-13:00 = 4h counted; with the pause: 09-10 + 12-13 = 2h, and due moves 2h later.
    assert (4 * H, at("Mon 3 17:00")) == (counted.resolution.elapsed, counted.resolution.due_at)
    assert (2 * H, at("Tue 4 11:00")) == (paused.resolution.elapsed, paused.resolution.due_at)


def test_pause_after_due_does_not_move_it() -> None:
    """Created Mon 09:00, 1h target -> due 10:00; pending from 11:00: still overdue, due 10:00."""
    t = ticket(("Mon 3 09:00", "created"), ("Mon 3 11:00", "status_changed", {"status": "pending"}))
    cycle = run(
        policy({"requester_wait": {"targets": {"normal": "1h"}}}), t, as_of="Mon 3 12:00"
    ).requester_wait.cycles[0]
    assert ("overdue", at("Mon 3 10:00"), at("Mon 3 10:00"), 2 * H, H) == (
        cycle.state,
        cycle.due_at,
        cycle.breached_at,
        cycle.elapsed,
        cycle.paused,
    )


def test_paused_short_of_target_has_no_due_instant() -> None:
    """While paused before the target is used up, due_at is unknown (None); remaining is known."""
    t = ticket(("Mon 3 09:00", "created"), ("Mon 3 09:30", "status_changed", {"status": "pending"}))
    cycle = run(
        policy({"requester_wait": {"targets": {"normal": "1h"}}}), t, as_of="Mon 3 12:00"
    ).requester_wait.cycles[0]
    assert ("paused", None, 30 * M) == (cycle.state, cycle.due_at, cycle.remaining)


def test_agent_work_counts_only_new_and_open() -> None:
    """agent_work counts in new/open only: 09-10 (new) + 12-13 (open) = 2h; on_hold does not count."""
    t = ticket(
        ("Mon 3 09:00", "created"),
        ("Mon 3 10:00", "status_changed", {"status": "on_hold"}),
        ("Mon 3 12:00", "status_changed", {"status": "open"}),
        ("Mon 3 13:00", "solved"),
    )
    cycle = run(policy({"agent_work": {"targets": {"normal": "4h"}}}), t).agent_work.cycles[0]
    assert ("met", 2 * H, 2 * H) == (cycle.state, cycle.elapsed, cycle.paused)


# ---------------------------------------------------------------------------------------------
# recurring metrics
def test_next_response_cycles() -> None:
    """A customer reply before the first agent reply starts nothing; after it, each waiting
    customer reply starts a cycle that the next public agent reply stops. A second customer
    reply while one waits does not start another."""
    t = ticket(
        ("Mon 3 09:00", "created"),
        ("Mon 3 09:10", "customer_replied"),
        ("Mon 3 09:30", "agent_replied"),
        ("Mon 3 10:00", "customer_replied"),
        ("Mon 3 10:20", "customer_replied"),
        ("Mon 3 11:00", "agent_replied"),
        ("Mon 3 16:00", "customer_replied"),
    )
    r = run(policy({"next_response": {"targets": {"normal": "2h"}}}), t, as_of="Tue 4 10:00")
    cycles = r.next_response.cycles
    # cycle 0: 10:00 -> 11:00 (1h, met, due 12:00); cycle 1: Mon 16:00 -> Tue 10:00 = 1h + 1h = 2h
    # used: due exactly at Tue 10:00, not yet overdue (as_of == due).
    assert [
        ("met", at("Mon 3 10:00"), at("Mon 3 12:00")),
        ("running", at("Mon 3 16:00"), at("Tue 4 10:00")),
    ] == [(c.state, c.started_at, c.due_at) for c in cycles]
    assert [3, 5] == list(cycles[0].events)


def test_periodic_update_runs_between_public_replies_while_open() -> None:
    """periodic_update: reply to reply, counting only while new/open; solving cancels the last."""
    t = ticket(
        ("Mon 3 09:00", "created"),
        ("Mon 3 09:30", "agent_replied"),
        ("Mon 3 10:00", "status_changed", {"status": "pending"}),
        ("Mon 3 11:00", "status_changed", {"status": "open"}),
        ("Mon 3 12:00", "agent_replied"),
        ("Mon 3 13:00", "solved"),
    )
    cycles = run(
        policy({"periodic_update": {"targets": {"normal": "2h"}}}), t
    ).periodic_update.cycles
    # cycle 0: 09:30-12:00 minus pending 10:00-11:00 = 1h30 counted, met.
    assert [("met", 90 * M), ("cancelled", H)] == [(c.state, c.elapsed) for c in cycles]


# ---------------------------------------------------------------------------------------------
# reopen
REOPENED = (
    ("Mon 3 09:00", "created"),
    ("Mon 3 10:00", "solved"),
    ("Mon 3 14:00", "reopened"),
    ("Mon 3 15:00", "solved"),
)


def test_reopen_continues_the_resolution_cycle() -> None:
    """continue: one cycle, 09-10 + 14-15 = 2h counted, the solved time 10-14 paused (4h)."""
    cycles = run(
        policy({"resolution": {"targets": {"normal": "8h"}}}), ticket(*REOPENED)
    ).resolution.cycles
    assert [("met", 2 * H, 4 * H, at("Mon 3 15:00"))] == [
        (c.state, c.elapsed, c.paused, c.stopped_at) for c in cycles
    ]


def test_reopen_new_cycle() -> None:
    """new_cycle: the first cycle stays met at 10:00; a second runs 14:00-15:00."""
    cycles = run(
        policy({"resolution": {"targets": {"normal": "8h"}}}, reopen="new_cycle"), ticket(*REOPENED)
    ).resolution.cycles
    assert [("met", H, at("Mon 3 09:00")), ("met", H, at("Mon 3 14:00"))] == [
        (c.state, c.elapsed, c.started_at) for c in cycles
    ]


# ---------------------------------------------------------------------------------------------
# priority changes
CHANGE = (
    ("Mon 3 09:00", "created"),
    ("Mon 3 11:00", "priority_changed", {"priority": "urgent"}),
    ("Mon 3 11:30", "solved"),
)
TARGETS = {"resolution": {"targets": {"normal": "8h", "urgent": "1h"}}}


def test_priority_change_recompute() -> None:
    """recompute: urgent's 1h from the cycle's start -> due 10:00; solved 11:30: breached."""
    cycle = run(policy(TARGETS), ticket(*CHANGE)).resolution.cycles[0]
    assert ("breached", at("Mon 3 10:00"), "urgent") == (cycle.state, cycle.due_at, cycle.priority)


def test_priority_change_keep() -> None:
    """keep: the normal 8h target stands -> due 17:00; solved 11:30: met."""
    cycle = run(policy(TARGETS, priority_change="keep"), ticket(*CHANGE)).resolution.cycles[0]
    assert ("met", at("Mon 3 17:00"), "normal") == (cycle.state, cycle.due_at, cycle.priority)


def test_priority_change_restart() -> None:
    """restart: cycle 0 cancelled at 11:00; cycle 1 from 11:00 with 1h -> due 12:00, met at 11:30."""
    cycles = run(policy(TARGETS, priority_change="restart"), ticket(*CHANGE)).resolution.cycles
    assert [("cancelled", at("Mon 3 11:00")), ("met", at("Mon 3 12:00"))] == [
        (c.state, c.stopped_at if c.state == "cancelled" else c.due_at) for c in cycles
    ]


def test_priority_change_restart_cancelled_cycle_keeps_its_old_target() -> None:
    """restart: the cancelled cycle is reported as it ran, under normal's 8h (2h used = 25 %,
    6h left; a cancelled cycle short of its target has no due instant), not under the new
    urgent 1h (which would put its due at 10:00, before its stop, and 200 % used)."""
    result = run(policy(TARGETS, priority_change="restart"), ticket(*CHANGE))
    cancelled = result.resolution.cycles[0]
    assert ("normal", timedelta(hours=8), timedelta(hours=6), 25.0, None) == (
        cancelled.priority,
        cancelled.target,
        cancelled.remaining,
        cancelled.percent_used,
        cancelled.due_at,
    )


# ---------------------------------------------------------------------------------------------
# calendars and targets
def test_urgent_24x7_target_beside_business_hours() -> None:
    """Created Sat 22:00: resolution urgent 4h in calendar time -> Sun 02:00; first response
    1h in business hours -> Mon 10:00."""
    p = policy(
        {
            "first_response": {"targets": {"urgent": "1h"}},
            "resolution": {"targets": {"urgent": {"duration": "4h", "calendar": "24x7"}}},
        }
    )
    r = run(p, ticket(("Sat 8 22:00", "created"), priority="urgent"))
    assert (at("Mon 10 10:00"), at("Sun 9 02:00"), "24x7") == (
        r.first_response.due_at,
        r.resolution.due_at,
        r.resolution.cycles[0].calendar,
    )


def test_business_day_target_is_the_close_of_the_next_business_day() -> None:
    """'1 business day' from Fri 16:00: the close of the next business day, Mon 17:00."""
    r = run(
        policy({"resolution": {"targets": {"normal": "1 business day"}}}),
        ticket(("Fri 7 16:00", "created")),
    )
    # The target in business time: Fri 16-17 (1h) + Mon 09-17 (8h) = 9h.
    assert (at("Mon 10 17:00"), 9 * H) == (r.resolution.due_at, r.resolution.cycles[0].target)


def test_calendar_picked_from_a_ticket_attribute() -> None:
    """region=amer uses New York hours: created 16:00 Berlin (10:00 New York), 2h -> 18:00 Berlin."""
    p = Policy.model_validate(
        {
            "name": "regional",
            "calendar": "emea",
            "calendar_attribute": "region",
            "calendars": {
                "emea": CALENDAR,
                "amer": {
                    "timezone": "America/New_York",
                    "hours": {"mon-fri": [["09:00", "17:00"]]},
                },
            },
            "metrics": {"first_response": {"targets": {"normal": "2h"}}},
        }
    )
    emea = run(p, ticket(("Mon 3 16:00", "created"), region="emea"))
    amer = run(p, ticket(("Mon 3 16:00", "created"), region="amer"))
    # emea: 16:00-17:00 Mon + 09:00-10:00 Tue.
    assert at("Tue 4 10:00") == emea.first_response.due_at
    assert at("Mon 3 18:00") == amer.first_response.due_at
    assert "amer" == amer.first_response.cycles[0].calendar


def test_thresholds() -> None:
    """2h target from Mon 09:00: 50% at 10:00; 30m before due at 10:30; 1h after due at 12:00.
    As of 11:00 the first two are reached."""
    p = policy(
        {
            "first_response": {
                "targets": {"normal": "2h"},
                "thresholds": [
                    {"name": "half", "at_percent": 50},
                    {"name": "soon", "before_due": "30m"},
                    {"name": "escalate", "after_due": "1h"},
                ],
            }
        }
    )
    cycle = run(p, ticket(("Mon 3 09:00", "created")), as_of="Mon 3 11:00").first_response.cycles[0]
    assert [
        ("half", at("Mon 3 10:00"), True),
        ("soon", at("Mon 3 10:30"), True),
        ("escalate", at("Mon 3 12:00"), False),
    ] == [(t.name, t.at, t.reached) for t in cycle.thresholds]


# ---------------------------------------------------------------------------------------------
# policy sets and custom metrics
def test_policy_is_selected_again_when_attributes_change() -> None:
    """Tagged vip at 10:00: the vip policy's 1h target applies from the cycle's start (recompute)."""
    policies = PolicySet.model_validate(
        [
            {
                "name": "vip",
                "calendar": CALENDAR,
                "conditions": {"tags_any": ["vip"]},
                "metrics": {"first_response": {"targets": {"normal": "1h"}}},
            },
            {
                "name": "standard",
                "calendar": CALENDAR,
                "metrics": {"first_response": {"targets": {"normal": "8h"}}},
            },
        ]
    )
    t = ticket(
        ("Mon 3 09:00", "created"),
        ("Mon 3 10:30", "attributes_changed", {"attributes": {"tags": ["vip"]}}),
    )
    r = run(policies, t)
    assert ("vip", at("Mon 3 10:00"), "overdue") == (
        r.policy,
        r.first_response.due_at,
        r.first_response.state,
    )


def test_custom_metric_with_every_condition_kind() -> None:
    """triage: starts at creation, pauses on 'waiting_vendor', resumes on 'vendor_replied',
    resets on 'escalated', stops on assignment. 09:00-09:30 counted, paused until 10:00, reset at
    10:30 (cycle 0 cancelled, 1h counted), cycle 1 10:30 -> 11:00 assigned: met."""
    p = policy(
        {
            "triage": {
                "targets": {"normal": "2h"},
                "definition": {
                    "start": "created",
                    "stop": "assigned",
                    "pause": "waiting_vendor",
                    "resume": "vendor_replied",
                    "reset": "escalated",
                    "cancel": {"status": "solved"},
                },
            }
        }
    )
    t = ticket(
        ("Mon 3 09:00", "created"),
        ("Mon 3 09:30", "waiting_vendor"),
        ("Mon 3 10:00", "vendor_replied"),
        ("Mon 3 10:30", "escalated"),
        ("Mon 3 11:00", "assigned"),
    )
    cycles = run(p, t).triage.cycles
    assert [("cancelled", H, 30 * M), ("met", 30 * M, timedelta(0))] == [
        (c.state, c.elapsed, c.paused) for c in cycles
    ]


def test_no_target_for_the_priority_gives_completed_cycles() -> None:
    """A metric without a target for the ticket's priority is measured but never judged."""
    p = policy(
        {
            "first_response": {"targets": {"normal": "1h"}},
            "resolution": {"targets": {"urgent": "4h"}},
        }
    )
    r = run(
        p,
        ticket(
            ("Mon 3 09:00", "created"), ("Mon 3 09:10", "agent_replied"), ("Mon 3 10:00", "solved")
        ),
    )
    cycle = r.resolution.cycles[0]
    assert ("completed", None, H) == (cycle.state, cycle.due_at, cycle.elapsed)


# ---------------------------------------------------------------------------------------------
# timelines, as_of, serialisation and errors
def test_events_after_as_of_are_counted_not_used() -> None:
    """As of 10:30 the 11:00 reply is ignored (and counted): the cycle is still running."""
    r = run(
        policy({"first_response": {"targets": {"normal": "4h"}}}),
        ticket(("Mon 3 10:00", "created"), ("Mon 3 11:00", "agent_replied")),
        as_of="Mon 3 10:30",
    )
    assert ("running", 1) == (r.first_response.state, r.ignored_events)


def test_same_instant_events_keep_their_input_order() -> None:
    """Pending then reply at the same instant: the reply still stops first_response."""
    t = ticket(
        ("Mon 3 09:00", "created"),
        ("Mon 3 10:00", "status_changed", {"status": "pending"}),
        ("Mon 3 10:00", "agent_replied"),
    )
    assert ["created", "status_changed", "agent_replied"] == [e.kind for e in t.events]


def test_result_round_trips_through_json() -> None:
    """A result dumps to JSON with *_seconds keys and loads back equal."""
    r = run(
        policy({"first_response": {"targets": {"normal": "4h"}}}),
        ticket(("Mon 3 10:00", "created"), ("Mon 3 11:00", "agent_replied")),
        explain=True,
    )
    data = r.model_dump(mode="json")
    assert 3600.0 == data["metrics"]["first_response"]["cycles"][0]["elapsed_seconds"]
    assert r == TicketResult.model_validate(data)


def test_duplicate_events_are_kept_once_and_conflicts_rejected() -> None:
    """The same id with the same content is harmless; with other content it is an error."""
    base = {"at": at("Mon 3 09:00"), "kind": "created", "id": "e1"}
    kept = Timeline(ticket_id="T", events=[base, base])
    assert 1 == len(kept.events)
    with pytest.raises(ValidationError, match="event id 'e1' is used twice with different content"):
        Timeline(ticket_id="T", events=[base, {**base, "kind": "note_added"}])


def test_bad_inputs_give_clear_errors() -> None:
    """Unknown priority, naive as_of, a metric with no stop, an unknown calendar name."""
    p = policy({"first_response": {"targets": {"normal": "4h"}}})
    with pytest.raises(PolicyError, match="unknown priority 'p9'"):
        run(p, ticket(("Mon 3 09:00", "created"), priority="p9"))
    with pytest.raises(NaiveDatetimeError, match="as_of is a naive datetime"):
        evaluate(p, ticket(("Mon 3 09:00", "created")), as_of=datetime(2025, 3, 3, 12))
    with pytest.raises(ValidationError, match="needs at least one 'stop' condition"):
        policy({"x": {"definition": {"start": "created", "stop": []}}})
    with pytest.raises(ValidationError, match="unknown calendar 'nowhere'"):
        policy(
            {"first_response": {"targets": {"normal": {"duration": "1h", "calendar": "nowhere"}}}}
        )


# ---------------------------------------------------------------------------------------------
# policy sets: no match, a policy that comes into force later, keep and restart on a change
def _billing_and_standard(**options: Any) -> PolicySet:
    """billing (group billing): first_response 1h, resolution 8h paused while pending;
    standard (the rest): first_response 8h only."""
    return PolicySet.model_validate(
        [
            {
                "name": "billing",
                "calendar": CALENDAR,
                "conditions": {"group": "billing"},
                "metrics": {
                    "first_response": {"targets": {"normal": "1h"}},
                    "resolution": {"targets": {"normal": "8h"}, "pause_statuses": ["pending"]},
                },
                **options,
            },
            {
                "name": "standard",
                "calendar": CALENDAR,
                "conditions": {"group": ["sales", "support"]},
                "metrics": {"first_response": {"targets": {"normal": "8h"}}},
                **options,
            },
        ]
    )


def test_no_matching_policy_means_no_sla() -> None:
    """A ticket no policy of the set matches is measured by none: no policy, no metrics."""
    r = run(_billing_and_standard(), ticket(("Mon 3 09:00", "created"), group="legal"))
    assert (None, None, {}) == (r.policy, r.policy_version, r.metrics)
    assert r.to_table().endswith("(no metrics)")


MOVED = (
    ("Mon 3 09:00", "created"),
    ("Mon 3 09:30", "status_changed", {"status": "pending"}),
    ("Mon 3 10:00", "attributes_changed", {"attributes": {"group": "billing"}}),
    ("Mon 3 10:30", "status_changed", {"status": "open"}),
    ("Mon 3 11:00", "agent_replied"),
)


def test_a_policy_that_comes_into_force_later_measures_as_if_from_the_start() -> None:
    """Created 09:00 in legal (no policy), pending 09:30, moved to billing 10:00, open 10:30,
    replied 11:00. recompute: billing's metrics are replayed from the creation, like a target
    that changed. first_response 09:00 + 1h -> due 10:00; replied 11:00: breached.
    resolution counts 09:00-09:30 and 10:30-11:00 (1h), paused 09:30-10:30 (1h); 7h left as of
    11:00 -> 11:00-17:00 (6h) + Tue 09:00-10:00 -> due Tue 10:00."""
    r = run(_billing_and_standard(), ticket(*MOVED, group="legal"))
    first, resolution = r.first_response.cycles[0], r.resolution.cycles[0]
    assert ("breached", at("Mon 3 09:00"), at("Mon 3 10:00")) == (
        first.state,
        first.started_at,
        first.due_at,
    )
    assert ("running", at("Mon 3 09:00"), H, H, at("Tue 4 10:00"), [0, 1, 2, 3]) == (
        resolution.state,
        resolution.started_at,
        resolution.elapsed,
        resolution.paused,
        resolution.due_at,
        list(resolution.events),
    )


def test_a_policy_that_comes_into_force_later_with_restart_starts_at_the_change() -> None:
    """The same ticket under restart: each replayed cycle is cancelled at the change and a new
    one starts there. first_response 10:00 + 1h -> due 11:00, replied 11:00: met.
    resolution: cycle 0 09:00-10:00 cancelled (30m counted, 30m paused); cycle 1 from 10:00,
    paused until 10:30, 30m counted; 7h30 left -> 11:00-17:00 + Tue 09:00-10:30."""
    r = run(_billing_and_standard(priority_change="restart"), ticket(*MOVED, group="legal"))
    assert [("cancelled", at("Mon 3 09:00")), ("met", at("Mon 3 10:00"))] == [
        (c.state, c.started_at) for c in r.first_response.cycles
    ]
    assert [
        ("cancelled", at("Mon 3 09:00"), 30 * M, 30 * M, None),
        ("running", at("Mon 3 10:00"), 30 * M, 30 * M, at("Tue 4 10:30")),
    ] == [(c.state, c.started_at, c.elapsed, c.paused, c.due_at) for c in r.resolution.cycles]


def test_a_metric_both_policies_measure_is_not_replayed() -> None:
    """Replied at 09:30 under standard, moved to billing at 10:00: first_response stays one
    met cycle; billing's resolution (not measured before) is replayed from the creation."""
    t = ticket(
        ("Mon 3 09:00", "created"),
        ("Mon 3 09:30", "agent_replied"),
        ("Mon 3 10:00", "attributes_changed", {"attributes": {"group": "billing"}}),
        group="sales",
    )
    r = run(_billing_and_standard(), t)
    assert [("met", at("Mon 3 09:00"))] == [
        (c.state, c.started_at) for c in r.first_response.cycles
    ]
    assert [("running", at("Mon 3 09:00"), H)] == [
        (c.state, c.started_at, c.elapsed) for c in r.resolution.cycles
    ]


def test_a_ticket_that_leaves_every_policy_has_its_cycles_cancelled() -> None:
    """billing -> legal (no policy) at 09:30: first_response is cancelled there, the result
    names no policy."""
    t = ticket(
        ("Mon 3 09:00", "created"),
        ("Mon 3 09:30", "attributes_changed", {"attributes": {"group": "legal"}}),
        ("Mon 3 10:00", "agent_replied"),
        group="billing",
    )
    r = run(_billing_and_standard(), t)
    assert (None, [("cancelled", at("Mon 3 09:30"), 30 * M)]) == (
        r.policy,
        [(c.state, c.stopped_at, c.elapsed) for c in r.first_response.cycles],
    )


def test_a_replayed_metric_that_already_ran_is_not_started_again() -> None:
    """triage (billing only; start assigned, stop note_added, not recurring): assigned 09:10,
    note 09:20, moved to billing 10:00, assigned again 11:00 -> one cycle, met 09:10-09:20."""
    policies = PolicySet.model_validate(
        [
            {
                "name": "billing",
                "calendar": CALENDAR,
                "conditions": {"group": "billing"},
                "metrics": {
                    "triage": {
                        "targets": {"normal": "1h"},
                        "definition": {"start": "assigned", "stop": "note_added"},
                    }
                },
            },
            {"name": "other", "calendar": CALENDAR, "metrics": _OTHER_METRICS},
        ]
    )
    t = ticket(
        ("Mon 3 09:00", "created"),
        ("Mon 3 09:10", "assigned"),
        ("Mon 3 09:20", "note_added"),
        ("Mon 3 10:00", "attributes_changed", {"attributes": {"group": "billing"}}),
        ("Mon 3 11:00", "assigned"),
        group="sales",
    )
    assert [("met", at("Mon 3 09:10"), at("Mon 3 09:20"))] == [
        (c.state, c.started_at, c.stopped_at) for c in run(policies, t).triage.cycles
    ]


@pytest.mark.parametrize("reopen", ["continue", "new_cycle"])
def test_a_replayed_metric_reopens_like_any_other(reopen: str) -> None:
    """resolution (billing only) added after the solve: created 09:00, solved 09:30, moved to
    billing 10:00, reopened 11:00, as of 12:00. continue: one cycle, 30m + 1h counted, 1h30
    paused while solved; new_cycle: 09:00-09:30 met, and a new cycle from 11:00 (1h)."""
    t = ticket(
        ("Mon 3 09:00", "created"),
        ("Mon 3 09:30", "solved"),
        ("Mon 3 10:00", "attributes_changed", {"attributes": {"group": "billing"}}),
        ("Mon 3 11:00", "reopened"),
        group="sales",
    )
    cycles = run(_billing_and_standard(reopen=reopen), t, as_of="Mon 3 12:00").resolution.cycles
    expected = {
        "continue": [("running", at("Mon 3 09:00"), 90 * M, 90 * M)],
        "new_cycle": [
            ("met", at("Mon 3 09:00"), 30 * M, timedelta(0)),
            ("running", at("Mon 3 11:00"), H, timedelta(0)),
        ],
    }
    assert expected[reopen] == [(c.state, c.started_at, c.elapsed, c.paused) for c in cycles]


def test_a_metric_the_new_policy_does_not_measure_is_cancelled() -> None:
    """billing -> sales at 10:30: resolution (billing only) is cancelled at 10:30 after 1h30
    counted; first_response goes on under standard's 8h from 09:00 (recompute) -> due 17:00."""
    t = ticket(
        ("Mon 3 09:00", "created"),
        ("Mon 3 10:30", "attributes_changed", {"attributes": {"group": "sales"}}),
        group="billing",
    )
    r = run(_billing_and_standard(), t)
    resolution = r.resolution.cycles[0]
    assert ("cancelled", at("Mon 3 10:30"), 90 * M, "billing") == (
        resolution.state,
        resolution.stopped_at,
        resolution.elapsed,
        resolution.policy,
    )
    assert ("standard", "running", at("Mon 3 17:00")) == (
        r.policy,
        r.first_response.state,
        r.first_response.due_at,
    )


def test_policy_change_keep() -> None:
    """keep: sales -> billing at 10:30; first_response keeps standard's 8h from 09:00 -> due
    17:00, and reports the policy it started under."""
    t = ticket(
        ("Mon 3 09:00", "created"),
        ("Mon 3 10:30", "attributes_changed", {"attributes": {"group": "billing"}}),
        group="sales",
    )
    cycle = run(_billing_and_standard(priority_change="keep"), t).first_response.cycles[0]
    assert ("running", at("Mon 3 17:00"), "standard", 8 * H) == (
        cycle.state,
        cycle.due_at,
        cycle.policy,
        cycle.target,
    )


def test_policy_change_restart() -> None:
    """restart: sales -> billing at 10:30; first_response cycle 0 cancelled at 10:30 (under
    standard's 8h), cycle 1 from 10:30 under billing's 1h -> due 11:30."""
    t = ticket(
        ("Mon 3 09:00", "created"),
        ("Mon 3 10:30", "attributes_changed", {"attributes": {"group": "billing"}}),
        group="sales",
    )
    cycles = run(_billing_and_standard(priority_change="restart"), t).first_response.cycles
    assert [
        ("cancelled", at("Mon 3 09:00"), at("Mon 3 10:30"), None, "standard"),
        ("running", at("Mon 3 10:30"), None, at("Mon 3 11:30"), "billing"),
    ] == [(c.state, c.started_at, c.stopped_at, c.due_at, c.policy) for c in cycles]


# ---------------------------------------------------------------------------------------------
# the ticket: no priority, as_of, the policy's name and version, the readable table
def test_a_ticket_without_priority_is_measured_never_judged() -> None:
    """No priority attribute: no target applies; first_response 09:00 -> 10:00 is completed
    with 1h elapsed, no due instant, nothing remaining."""
    t = Timeline(
        ticket_id="T",
        events=[
            {"at": at("Mon 3 09:00"), "kind": "created"},
            {"at": at("Mon 3 10:00"), "kind": "agent_replied"},
        ],
    )
    p = policy({"first_response": {"targets": {"normal": "4h"}}})
    cycle = run(p, t).first_response.cycles[0]
    assert ("completed", None, None, H, None, None) == (
        cycle.state,
        cycle.priority,
        cycle.target,
        cycle.elapsed,
        cycle.due_at,
        cycle.remaining,
    )


def test_as_of_before_created_leaves_every_metric_pending() -> None:
    """As of Sunday, before the Monday creation: every event is ignored, no metric started."""
    r = run(
        policy({"first_response": {"targets": {"normal": "4h"}}}),
        ticket(("Mon 3 09:00", "created"), ("Mon 3 10:00", "agent_replied")),
        as_of="Sun 2 12:00",
    )
    assert (2, "pending", ()) == (r.ignored_events, r.first_response.state, r.first_response.cycles)


def test_as_of_defaults_to_the_last_event() -> None:
    """Without as_of the ticket is evaluated as of its last event (11:00): 2h of 4h used."""
    r = run(
        policy({"resolution": {"targets": {"normal": "4h"}}}),
        ticket(("Mon 3 09:00", "created"), ("Mon 3 11:00", "note_added")),
    )
    assert (at("Mon 3 11:00"), 2 * H, 0) == (r.as_of, r.resolution.elapsed, r.ignored_events)


def test_policy_name_and_version_are_in_every_result() -> None:
    """The policy's name and version are recorded in the result and its JSON form."""
    p = policy({"resolution": {"targets": {"normal": "4h"}}}, version="2025.2")
    data = run(p, ticket(("Mon 3 09:00", "created"))).model_dump(mode="json")
    assert ("p", "2025.2", "p") == (
        data["policy"],
        data["policy_version"],
        data["metrics"]["resolution"]["cycles"][0]["policy"],
    )


def test_result_prints_as_a_table() -> None:
    """One row per cycle; pending metrics get a row too. first_response: 09:00 + 4h -> due
    13:00, replied 10:00: 1h used, 3h left; resolution 8h: running, 1h used as of 10:00."""
    p = policy(
        {
            "first_response": {"targets": {"normal": "4h"}},
            "next_response": {"targets": {"normal": "4h"}},
            "resolution": {"targets": {"normal": "8h"}},
        }
    )
    table = run(p, ticket(("Mon 3 09:00", "created"), ("Mon 3 10:00", "agent_replied"))).to_table()
    assert [
        "ticket T - policy p - as of 2025-03-03T10:00:00+01:00",
        "metric          #  state    started                due                    stopped                elapsed  remaining",
        "first_response  0  met      2025-03-03 09:00+0100  2025-03-03 13:00+0100  2025-03-03 10:00+0100  1h       3h",
        "next_response   -  pending",
        "resolution      0  running  2025-03-03 09:00+0100  2025-03-03 17:00+0100                         1h       7h",
    ] == table.splitlines()


def test_custom_cancel_condition() -> None:
    """triage (start created, stop assigned, cancel when the ticket is solved): solved at 10:00
    before any assignment -> cancelled after 1h of its 2h, no due instant, nothing breached."""
    p = policy(
        {
            "triage": {
                "targets": {"normal": "2h"},
                "definition": {
                    "start": "created",
                    "stop": "assigned",
                    "cancel": {"status": "solved"},
                },
            }
        }
    )
    cycle = run(p, ticket(("Mon 3 09:00", "created"), ("Mon 3 10:00", "solved"))).triage.cycles[0]
    assert ("cancelled", at("Mon 3 10:00"), H, None, False) == (
        cycle.state,
        cycle.stopped_at,
        cycle.elapsed,
        cycle.due_at,
        cycle.is_breached,
    )


def test_an_unknown_priority_after_a_change_is_an_error_naming_the_ticket() -> None:
    """A priority the policy has no target for is an error as soon as the ticket has it, even
    when no cycle is running then."""
    p = policy({"first_response": {"targets": {"normal": "4h"}}})
    t = ticket(
        ("Mon 3 09:00", "created"),
        ("Mon 3 09:30", "agent_replied"),
        ("Mon 3 10:00", "priority_changed", {"priority": "p9"}),
    )
    with pytest.raises(PolicyError, match=r"^ticket 'T': unknown priority 'p9': policy 'p'"):
        run(p, t)


def test_an_event_missing_its_field_names_it() -> None:
    """A status_changed event without a status names the missing field and shows the event."""
    with pytest.raises(
        ValidationError, match="status is missing: an event of kind 'status_changed'"
    ):
        ticket(("Mon 3 09:00", "created"), ("Mon 3 10:00", "status_changed"))


def test_restart_at_the_instant_a_cycle_starts_restarts_nothing() -> None:
    """restart: a priority change at the creation instant leaves one cycle (nothing to cancel),
    under the new priority: urgent 1h from 09:00 -> due 10:00."""
    t = ticket(
        ("Mon 3 09:00", "created"),
        ("Mon 3 09:00", "priority_changed", {"priority": "urgent"}),
    )
    cycles = run(policy(TARGETS, priority_change="restart"), t).resolution.cycles
    assert [("running", at("Mon 3 09:00"), at("Mon 3 10:00"), "urgent")] == [
        (c.state, c.started_at, c.due_at, c.priority) for c in cycles
    ]


_OTHER_METRICS = {"resolution": {"targets": {"normal": "8h"}}}


def _vendor_policies(**options: Any) -> PolicySet:
    """vendor (billing only): start created, pause waiting_vendor, resume vendor_replied, stop
    assigned; 4h."""
    return PolicySet.model_validate(
        [
            {
                "name": "billing",
                "calendar": CALENDAR,
                "conditions": {"group": "billing"},
                "metrics": {
                    "vendor": {
                        "targets": {"normal": "4h"},
                        "definition": {
                            "start": "created",
                            "stop": "assigned",
                            "pause": "waiting_vendor",
                            "resume": "vendor_replied",
                        },
                    }
                },
                **options,
            },
            {"name": "other", "calendar": CALENDAR, "metrics": _OTHER_METRICS, **options},
        ]
    )


VENDOR = (
    ("Mon 3 09:00", "created"),
    ("Mon 3 09:30", "waiting_vendor"),
    ("Mon 3 10:00", "attributes_changed", {"attributes": {"group": "billing"}}),
    ("Mon 3 11:00", "vendor_replied"),
    ("Mon 3 12:00", "assigned"),
)


def test_a_replayed_metric_keeps_a_pause_by_event() -> None:
    """Waiting on the vendor since 09:30, moved to billing 10:00, resumed 11:00, assigned
    12:00: replayed from 09:00, 30m + 1h counted, 1h30 paused: met."""
    cycle = run(_vendor_policies(), ticket(*VENDOR, group="sales")).vendor.cycles[0]
    assert ("met", at("Mon 3 09:00"), 90 * M, 90 * M) == (
        cycle.state,
        cycle.started_at,
        cycle.elapsed,
        cycle.paused,
    )


def test_restart_keeps_a_pause_by_event() -> None:
    """restart: the replayed cycle is cancelled at 10:00 and the new one starts paused (the
    vendor has not replied yet); resumed 11:00, assigned 12:00 -> 1h counted, 1h paused."""
    cycles = run(_vendor_policies(priority_change="restart"), ticket(*VENDOR, group="sales"))
    assert [
        ("cancelled", at("Mon 3 09:00"), 30 * M, 30 * M),
        ("met", at("Mon 3 10:00"), H, H),
    ] == [(c.state, c.started_at, c.elapsed, c.paused) for c in cycles.vendor.cycles]


def test_the_priority_is_checked_once_the_ticket_is_created() -> None:
    """Initial attributes say p9 but the created event sets normal: no error; and as of
    before the creation nothing is checked, every metric is pending."""
    t = Timeline(
        ticket_id="T",
        attributes={"priority": "p9"},
        events=[{"at": at("Mon 3 09:00"), "kind": "created", "priority": "normal"}],
    )
    p = policy({"first_response": {"targets": {"normal": "4h"}}})
    assert "running" == run(p, t).first_response.state
    assert "pending" == run(p, t, as_of="Sun 2 12:00").first_response.state


def test_a_reopen_after_a_policy_cancelled_the_cycle_starts_a_new_one() -> None:
    """billing only measures resolution. Moved out at 09:30 (cancelled), solved 10:00, back to
    billing 10:30 (its replay ended at the solve: nothing runs), reopened 11:00: under continue
    too a new cycle starts, as there is nothing to continue. As of 12:00: 1h counted."""
    t = ticket(
        ("Mon 3 09:00", "created"),
        ("Mon 3 09:30", "attributes_changed", {"attributes": {"group": "legal"}}),
        ("Mon 3 10:00", "solved"),
        ("Mon 3 10:30", "attributes_changed", {"attributes": {"group": "billing"}}),
        ("Mon 3 11:00", "reopened"),
        group="billing",
    )
    cycles = run(_billing_and_standard(), t, as_of="Mon 3 12:00").resolution.cycles
    assert [("cancelled", at("Mon 3 09:00"), 30 * M), ("running", at("Mon 3 11:00"), H)] == [
        (c.state, c.started_at, c.elapsed) for c in cycles
    ]


def test_restart_leaves_a_cycle_the_change_event_itself_stops() -> None:
    """restart, and a metric stopped by attributes_changed: the 09:30 change stops the cycle
    (met, 30m of 1h, under the priority it ran in) instead of restarting it."""
    p = policy(
        {
            "triage": {
                "targets": {"normal": "1h", "high": "15m"},
                "definition": {"start": "created", "stop": "attributes_changed"},
            }
        },
        priority_change="restart",
    )
    t = ticket(
        ("Mon 3 09:00", "created"),
        ("Mon 3 09:30", "attributes_changed", {"attributes": {"priority": "high"}}),
    )
    assert [("met", at("Mon 3 09:30"), 30 * M, "normal")] == [
        (c.state, c.stopped_at, c.elapsed, c.priority) for c in run(p, t).triage.cycles
    ]


def test_the_result_lists_the_metrics_of_the_policy_in_force() -> None:
    """The timeline's attributes select billing, but the created event moves the ticket to
    legal, which no policy matches: no policy, no metrics (none of billing's)."""
    t = Timeline(
        ticket_id="T",
        attributes={"priority": "normal", "group": "billing"},
        events=[{"at": at("Mon 3 09:00"), "kind": "created", "attributes": {"group": "legal"}}],
    )
    assert (None, {}) == (lambda r: (r.policy, r.metrics))(run(_billing_and_standard(), t))


def test_a_replayed_metric_uses_the_calendar_the_ticket_has_now() -> None:
    """Policies per region pick their calendar by the same attribute. Created Mon 09:00 in
    Berlin (17:00 in Tokyo), replied 09:30, moved to apac at 10:00: apac's first response is
    replayed on the Tokyo calendar, closed at that hour: met with nothing counted."""

    def regional(region: str, zone: str, metrics: dict[str, Any]) -> dict[str, Any]:
        hours = {"timezone": zone, "hours": {"mon-fri": [["09:00", "17:00"]]}}
        return {
            "name": region,
            "conditions": {"attributes": {"region": region}},
            "calendars": {region: hours},
            "calendar_attribute": "region",
            "metrics": metrics,
        }

    resolution = {"resolution": {"targets": {"normal": "8h"}}}
    policies = PolicySet.model_validate(
        [
            regional("eu", "Europe/Berlin", resolution),
            regional(
                "apac",
                "Asia/Tokyo",
                {**resolution, "first_response": {"targets": {"normal": "2h"}}},
            ),
        ]
    )
    t = ticket(
        ("Mon 3 09:00", "created"),
        ("Mon 3 09:30", "agent_replied"),
        ("Mon 3 10:00", "attributes_changed", {"attributes": {"region": "apac"}}),
        region="eu",
    )
    cycle = run(policies, t).first_response.cycles[0]
    assert ("met", "apac", timedelta(0)) == (cycle.state, cycle.calendar, cycle.elapsed)


@pytest.mark.parametrize(
    ("attributes", "message"),
    [
        ({"tags": 5}, r"ticket 'T': ticket attribute tags=5 - expected a list of tags"),
    ],
)
def test_malformed_ticket_attributes_are_named(attributes: dict[str, Any], message: str) -> None:
    """Attributes of the wrong shape are a TimelineError naming the ticket and the attribute."""
    vip = PolicySet.model_validate(
        [
            {
                "name": "vip",
                "calendar": CALENDAR,
                "conditions": {"tags_any": ["vip"]},
                "metrics": {"first_response": {"targets": {"normal": "1h"}}},
            },
            {"name": "rest", "calendar": CALENDAR, "metrics": _OTHER_METRICS},
        ]
    )
    t = ticket(("Mon 3 09:00", "created"), **attributes)
    with pytest.raises(TimelineError, match=message):
        run(vip, t)


def test_a_list_priority_is_refused_when_the_timeline_is_built() -> None:
    """priority=['high'] never reaches the engine: the timeline names the attribute."""
    with pytest.raises(ValidationError, match=r"attributes.priority: a list \['high'\]"):
        ticket(("Mon 3 09:00", "created"), priority=["high"])


def test_a_pause_by_event_ends_when_the_new_definition_cannot_resume_it() -> None:
    """vendor is paused by waiting_vendor in billing; the other policy defines vendor with no
    pause or resume. Paused 09:30, moved to the other policy 10:00 (recompute): the clock runs
    again from 10:00 instead of staying paused for ever: as of 11:00, 30m + 1h counted."""
    policies = _vendor_policies()
    plain = {"targets": {"normal": "4h"}, "definition": {"start": "created", "stop": "assigned"}}
    other = policies.policies[1].model_copy(update={"metrics": {"vendor": plain}})
    t = ticket(
        ("Mon 3 09:00", "created"),
        ("Mon 3 09:30", "waiting_vendor"),
        ("Mon 3 10:00", "attributes_changed", {"attributes": {"group": "sales"}}),
        group="billing",
    )
    cycle = run(PolicySet(policies=[policies.policies[0], other]), t, as_of="Mon 3 11:00")
    assert ("running", 90 * M, 30 * M) == (
        cycle.vendor.state,
        cycle.vendor.elapsed,
        cycle.vendor.cycles[0].paused,
    )


@pytest.mark.parametrize("rule", ["recompute", "keep", "restart"])
def test_a_priority_set_at_the_creation_instant_is_the_starting_priority(rule: str) -> None:
    """A priority_changed event at the creation instant (after 'created') is part of the
    start under every rule: urgent 1h from 09:00 -> due 10:00, one cycle."""
    t = ticket(
        ("Mon 3 09:00", "created"),
        ("Mon 3 09:00", "priority_changed", {"priority": "urgent"}),
    )
    cycles = run(policy(TARGETS, priority_change=rule), t).resolution.cycles
    assert [("urgent", at("Mon 3 10:00"))] == [(c.priority, c.due_at) for c in cycles]
