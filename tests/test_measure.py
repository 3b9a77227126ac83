"""The measure step alone (slaclock.measure): replayed cycles measured on calendars.

Cycles are built by hand (no replay). Calendar: UTC, Mon-Fri 09:00-17:00. Fri 7 March 2025,
Sat 8, Mon 10; all instants in UTC.
"""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from typing import Any

import pytest

from slaclock import Calendar, Policy
from slaclock._tz import to_micros
from slaclock.measure import (
    DisplayInstants,
    Measuring,
    Piece,
    explain_pieces,
    instant_reaching,
    measure_cycle,
    measure_pieces,
    resolve_target,
    threshold_position,
)
from slaclock.replay import CycleContext, ReplayedCycle, Transition
from slaclock.targets import Threshold

H = 3_600_000_000  # one hour in microseconds
CAL = Calendar.weekdays("UTC")
COMPILED = CAL.compiled


def at(day: int, hour: int, minute: int = 0) -> int:
    """An instant in March 2025 (UTC) as integer microseconds."""
    return to_micros(datetime(2025, 3, day, hour, minute, tzinfo=timezone.utc))


def shown(micros: int) -> str:
    return DisplayInstants(timezone.utc)[micros].strftime("%a %d %H:%M")


def policy(targets: dict[str, Any], **metric: Any) -> Policy:
    return Policy.model_validate(
        {
            "name": "p",
            "version": "7",
            "calendar": {"timezone": "UTC", "hours": {"mon-fri": "09:00-17:00"}},
            "calendars": {"late": {"timezone": "UTC", "hours": {"mon-fri": "12:00-20:00"}}},
            "metrics": {"resolution": {"targets": targets, **metric}},
        }
    )


def cycle(
    p: Policy,
    transitions: list[tuple[int, bool]],
    end: int | None = None,
    cancelled: bool = False,
    priority: str = "normal",
) -> ReplayedCycle:
    context = CycleContext(p, {"priority": priority})
    return ReplayedCycle(
        transitions[0][0],
        context,
        context,
        [Transition(t, c) for t, c in transitions],
        [0],
        end,
        cancelled,
    )


def measure(c: ReplayedCycle, as_of: int, explain: bool = False) -> Any:
    return measure_cycle(
        "resolution", 0, c, Measuring(as_of, DisplayInstants(timezone.utc), explain)
    )


# ---------------------------------------------------------------------------------------------
# Pieces and the instant a business time is reached
def test_one_piece_over_a_weekend() -> None:
    """Fri 16:00 -> Mon 10:00 counting: 1h Friday + 1h Monday = 2h of business time."""
    measured = measure_pieces(COMPILED, [Transition(at(7, 16), True)], at(10, 10))
    assert [(at(7, 16), at(10, 10), True, 2 * H)] == [p[:4] for p in measured.pieces]


def test_pieces_split_at_transitions_and_stop_at_the_end() -> None:
    """Counts 09-10, paused 10-12, counts from 12; cut at 13:00: pieces of 1h, 2h, 1h."""
    transitions = [Transition(at(10, 9), True), Transition(at(10, 10), False)]
    transitions.append(Transition(at(10, 12), True))
    measured = measure_pieces(COMPILED, transitions, at(10, 13))
    assert [(True, 1 * H), (False, 2 * H), (True, 1 * H)] == [
        (p.counting, p.business) for p in measured.pieces
    ]
    # a transition after the end is cut off
    late = measure_pieces(COMPILED, [*transitions, Transition(at(10, 14), False)], at(10, 13))
    assert 3 == len(late.pieces)


def test_nothing_to_measure_before_the_start() -> None:
    """An end at the start gives no pieces and no table."""
    assert (None, []) == measure_pieces(COMPILED, [Transition(at(10, 9), True)], at(10, 9))


def test_reaching_a_business_time_skips_paused_pieces() -> None:
    """Counts 09-10 (1h), paused 10-12, counts 12-13: 1h30 is reached at 12:30."""
    transitions = [Transition(at(10, 9), True), Transition(at(10, 10), False)]
    transitions.append(Transition(at(10, 12), True))
    measured = measure_pieces(COMPILED, transitions, at(10, 13))
    assert "Mon 10 12:30" == shown(instant_reaching(COMPILED, measured, 3 * H // 2, None) or 0)


def test_reaching_beyond_the_pieces_projects_or_gives_none() -> None:
    """2h counted by 11:00; 10h is reached Tue 11:00 if the clock runs on, never if it stops."""
    measured = measure_pieces(COMPILED, [Transition(at(10, 9), True)], at(10, 11))
    projected = instant_reaching(COMPILED, measured, 10 * H, at(10, 11))
    assert "Tue 11 11:00" == shown(projected or 0)  # 2h + 6h Monday (11-17) + 2h Tuesday (9-11)
    assert instant_reaching(COMPILED, measured, 10 * H, None) is None


def test_threshold_positions() -> None:
    """75 % of 4h = 3h; 30m before due = 3h30; 1h after due = 5h; 33.3 % of 1µs rounds up."""
    assert 3 * H == threshold_position(Threshold(name="w", at_percent=75), 4 * H)
    assert 7 * H // 2 == threshold_position(Threshold(name="w", before_due="30m"), 4 * H)
    assert 5 * H == threshold_position(Threshold(name="w", after_due="1h"), 4 * H)
    assert 1 == threshold_position(Threshold(name="w", at_percent=33.3), 1)
    assert 0 == threshold_position(Threshold(name="w", before_due="5h"), 4 * H)  # clamped


# ---------------------------------------------------------------------------------------------
# Targets and calendars
def test_resolve_target_names_the_calendar() -> None:
    """The policy calendar is 'business'; '24x7' and named calendars keep their names."""
    p = policy({"normal": "4h", "high": {"duration": "1h", "calendar": "24x7"},
                "low": {"duration": "2h", "calendar": "late"}})  # fmt: skip
    labels = {
        priority: resolve_target("resolution", CycleContext(p, {"priority": priority})).label
        for priority in ("normal", "high", "low")
    }
    assert {"normal": "business", "high": "24x7", "low": "late"} == labels
    found = resolve_target("resolution", CycleContext(p, {"priority": "normal"}))
    assert found is resolve_target("resolution", CycleContext(p, {"priority": "normal"}))
    assert (4 * H, "4h") == (found.duration_micros, found.target_text)


# ---------------------------------------------------------------------------------------------
# Cycles into results
def test_met_cycle() -> None:
    """Started Fri 16:00, 4h target: due Mon 12:00 (1h Fri + 3h Mon); stopped Mon 11:00: met."""
    result = measure(
        cycle(policy({"normal": "4h"}), [(at(7, 16), True)], end=at(10, 11)), at(10, 12)
    )
    assert ("met", "Mon 10 12:00") == (result.state, result.due_at.strftime("%a %d %H:%M"))
    assert (timedelta(hours=3), timedelta(hours=1)) == (result.elapsed, result.remaining)
    assert ("p", "7", "business") == (result.policy, result.policy_version, result.calendar)


def test_breached_and_overdue_cycles() -> None:
    """4h from Mon 09:00 is due 13:00: stopped at 14:00 is breached by 1h; open at 15:00 overdue."""
    p = policy({"normal": "4h"})
    stopped = measure(cycle(p, [(at(10, 9), True)], end=at(10, 14)), at(10, 15))
    running = measure(cycle(p, [(at(10, 9), True)]), at(10, 15))
    assert ("breached", timedelta(hours=1)) == (stopped.state, stopped.overdue_by)
    assert ("overdue", timedelta(hours=2)) == (running.state, running.overdue_by)
    assert stopped.breached_at == stopped.due_at


def test_a_pause_before_due_pushes_due_later() -> None:
    """4h from Mon 09:00, paused 10:00-12:00 (2h): due 15:00 instead of 13:00."""
    c = cycle(
        policy({"normal": "4h"}), [(at(10, 9), True), (at(10, 10), False), (at(10, 12), True)]
    )
    result = measure(c, at(10, 12, 30))
    assert ("running", "15:00") == (result.state, result.due_at.strftime("%H:%M"))
    assert (timedelta(minutes=90), timedelta(hours=2)) == (result.elapsed, result.paused)


def test_paused_short_of_the_target_has_no_due() -> None:
    """Paused at 10:00 with 1h of 4h used: paused, no due instant, 3h remaining."""
    c = cycle(policy({"normal": "4h"}), [(at(10, 9), True), (at(10, 10), False)])
    result = measure(c, at(10, 16))
    assert ("paused", None, timedelta(hours=3)) == (result.state, result.due_at, result.remaining)


def test_cancelled_and_completed_cycles() -> None:
    """A cancelled cycle is neither met nor breached; one without a target is completed."""
    p = policy({"normal": "4h"})
    cancelled = measure(cycle(p, [(at(10, 9), True)], end=at(10, 15), cancelled=True), at(10, 16))
    untargeted = measure(cycle(p, [(at(10, 9), True)], end=at(10, 15), priority="x"), at(10, 16))
    assert ("cancelled", None) == (cancelled.state, cancelled.overdue_by)
    assert ("completed", None, None) == (untargeted.state, untargeted.target, untargeted.due_at)


def test_days_target_is_due_at_the_close_of_the_nth_business_day() -> None:
    """2 business days from Fri 16:00: Mon and Tue -> due Tue 17:00 (1h + 8h + 8h = 17h)."""
    result = measure(cycle(policy({"normal": "2 business days"}), [(at(7, 16), True)]), at(10, 9))
    assert ("Tue 11 17:00", timedelta(hours=17)) == (
        result.due_at.strftime("%a %d %H:%M"),
        result.target,
    )


def test_thresholds_are_placed_on_business_time() -> None:
    """75 % of 4h from Mon 09:00 is 3h -> 12:00; reached as of 12:30."""
    p = policy({"normal": "4h"}, thresholds=[{"name": "warn", "at_percent": 75}])
    (warn,) = measure(cycle(p, [(at(10, 9), True)]), at(10, 12, 30)).thresholds
    assert ("warn", "12:00", True) == (warn.name, warn.at.strftime("%H:%M"), warn.reached)


def test_explain_cuts_counting_pieces_into_open_and_closed_spans() -> None:
    """Fri 16:00 -> Mon 10:00: counted 16-17, closed 17 Fri - 09 Mon, counted 09-10."""
    result = measure(
        cycle(policy({"normal": "8h"}), [(at(7, 16), True)], end=at(10, 10)), at(10, 10), True
    )
    assert [
        ("counted", "Fri 07 16:00"),
        ("closed", "Fri 07 17:00"),
        ("counted", "Mon 10 09:00"),
    ] == [(s.kind, s.start.strftime("%a %d %H:%M")) for s in result.spans]


def test_explain_keeps_paused_pieces_whole() -> None:
    """A paused piece is one 'paused' span, closed hours included."""
    spans = explain_pieces(
        COMPILED, [Piece(at(7, 16), at(10, 10), False, 2 * H, 0)], DisplayInstants(timezone.utc)
    )
    assert [("paused", timedelta(hours=66))] == [(s.kind, s.duration) for s in spans]


def test_display_instants_convert_once() -> None:
    """Each instant is converted once per evaluation and kept."""
    instants = DisplayInstants(timezone.utc)
    first = instants[at(10, 9)]
    assert first is instants[at(10, 9)]
    assert datetime(2025, 3, 10, 9, tzinfo=timezone.utc) == first


@pytest.mark.parametrize(
    ("transitions", "end_hour", "expected"),
    [
        ([(9, True)], 17, 8),
        ([(9, True), (12, False)], 17, 3),
        ([(9, False), (12, True)], 17, 5),
        ([(8, True), (18, True)], 20, 8),
    ],
)
def test_elapsed_is_the_sum_of_counting_pieces(
    transitions: list[tuple[int, bool]], end_hour: int, expected: int
) -> None:
    """Elapsed business hours on Monday 10 March (open 09-17) for a few shapes of cycle."""
    c = cycle(policy({"normal": "40h"}), [(at(10, h), counting) for h, counting in transitions])
    result = measure(c, at(10, end_hour))
    assert timedelta(hours=expected) == result.elapsed
