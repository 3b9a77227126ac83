"""Step 3 of the engine: replayed cycles measured on their calendars into results.

A :class:`~slaclock.replay.ReplayedCycle` says from which instants its clock counted or was
paused. :func:`measure_cycle` cuts it into :class:`Piece` values up to its end (or ``as_of``),
measures each piece's business time on the calendar of the cycle's target, finds the due
instant and the thresholds, and builds the immutable :class:`~slaclock.results.CycleResult`.

>>> from slaclock import Calendar
>>> cal = Calendar.weekdays("UTC").compiled
>>> hour = 3_600_000_000
>>> monday_9 = 1_741_597_200_000_000  # 2025-03-10T09:00Z
>>> pieces = measure_pieces(cal, [Transition(monday_9, True), Transition(monday_9 + hour, False),
...                               Transition(monday_9 + 2 * hour, True)], monday_9 + 4 * hour)
>>> [(p.counting, p.business // hour) for p in pieces.pieces]  # (counting, hours)
[(True, 1), (False, 1), (True, 2)]
>>> (instant_reaching(cal, pieces, 2 * hour, None) - monday_9) // hour  # 1h + (paused) + 1h
3
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime, timedelta, timezone, tzinfo
from typing import Any, NamedTuple

from slaclock._tz import from_micros
from slaclock.adjustments import (
    attribute_instant,
    back_dated,
    convention_due,
    given_due,
    starting_not_before,
)
from slaclock.calendar import ALWAYS_OPEN, Calendar  # noqa: F401 (Calendar: the examples)
from slaclock.compiled_calendar import CompiledCalendar, OpenTable
from slaclock.cycle_targets import (
    ResolvedTarget,
    business_days_target,
    resolve_target,
    threshold_position,
)
from slaclock.policy import Policy
from slaclock.replay import CycleContext, ReplayedCycle, Transition
from slaclock.results import (
    CycleResult,
    CycleState,
    Span,
    SpanKind,
    ThresholdResult,
    construct,
)
from slaclock.rules import policy_rules

__all__ = [
    "CycleMeasure",
    "DisplayInstants",
    "attribute_instant",
    "Measuring",
    "Piece",
    "Pieces",
    "ResolvedTarget",
    "convention_due",
    "cycle_amounts",
    "display_zone",
    "explain_pieces",
    "instant_reaching",
    "measure_cycle",
    "measure_pieces",
    "measure_values",
    "sequential_start",
    "resolve_target",
    "starting_not_before",
    "threshold_position",
]

_make = tuple.__new__  # builds a NamedTuple value in C (its own __new__ is a Python call)
_US = timedelta(microseconds=1)  # `_US * n` builds a timedelta about twice as fast as the keyword
_ZERO = timedelta(0)


# ----------------------------------------------------------------------------------------------
# Pieces of a cycle's clock, measured on a calendar
class Piece(NamedTuple):
    """``[start, end)`` of a cycle's clock, counting or paused, measured on a calendar.

    >>> cal, hour, friday_16 = Calendar.weekdays("UTC").compiled, 3_600_000_000, 1_741_363_200_000_000
    >>> [(p.business // hour, (p.end - p.start) // hour) for p in measure_pieces(cal, [Transition(friday_16, True)], friday_16 + 66 * hour).pieces]
    [(2, 66)]
    """

    start: int
    end: int
    counting: bool
    business: int  # business time in the piece
    open_before: int  # open time before ``start`` on the table the piece was measured on


class Pieces(NamedTuple):
    """A cycle's contiguous, ascending pieces and the table they were measured on (``None``
    when there are none).

    >>> measure_pieces(Calendar.weekdays("UTC").compiled, [Transition(0, True)], 0)  # ends at once
    Pieces(table=None, pieces=[])
    """

    table: OpenTable | None
    pieces: list[Piece]


def measure_pieces(cal: CompiledCalendar, transitions: list[Transition], end: int) -> Pieces:
    """The cycle's pieces up to ``end``, measured on the calendar.

    >>> cal, hour, friday_16 = Calendar.weekdays("UTC").compiled, 3_600_000_000, 1_741_363_200_000_000
    >>> pieces = measure_pieces(cal, [Transition(friday_16, True), Transition(friday_16 + hour, False)], friday_16 + 66 * hour)
    >>> [(p.counting, p.business // hour) for p in pieces.pieces]  # Fri 16-17; paused to Mon 10
    [(True, 1), (False, 1)]

    (One table lookup per
    boundary: a piece's end is the next one's start)."""
    table, pieces = _cut(cal, transitions, end)
    return Pieces(table, [_make(Piece, piece) for piece in pieces])


def instant_reaching(
    cal: CompiledCalendar, measured: Pieces, amount: int, running_from: int | None
) -> int | None:
    """The instant the counted business time reaches ``amount``; projected from ``running_from``
    (the end of the last piece, if any) when the clock still runs there, else ``None`` if it
    never gets there.

    >>> cal, hour, friday_16 = Calendar.weekdays("UTC").compiled, 3_600_000_000, 1_741_363_200_000_000
    >>> pieces = measure_pieces(cal, [Transition(friday_16, True)], friday_16 + 66 * hour)  # 2h counted
    >>> [instant_reaching(cal, pieces, 4 * hour, r) for r in (friday_16 + 66 * hour, None)] == [friday_16 + 68 * hour, None]
    True
    """
    return _reaching(cal, measured.table, measured.pieces, amount, running_from)


# The engine's own path: the same values as plain tuples (three times cheaper to build).
_RawPiece = tuple[int, int, bool, int, int]  # a Piece's fields, in its order


def _cut(
    cal: CompiledCalendar, transitions: list[Transition], end: int
) -> tuple[OpenTable | None, list[_RawPiece]]:
    # measure_pieces as (table, plain pieces)
    if len(transitions) == 1:  # most cycles: one piece (counting or not) from start to end
        t, counting = transitions[0]
        if end <= t:
            return None, []
        table, before, after = cal.open_time_between(t, end)
        return table, [(t, end, counting, after - before, before)]
    bounds: list[int] = []
    counts: list[bool] = []
    last = len(transitions) - 1
    for i, (t, counting) in enumerate(transitions):
        stop = transitions[i + 1].at if i < last else end
        if stop > end:
            stop = end
        if stop > t:
            if not bounds:
                bounds.append(t)
            bounds.append(stop)
            counts.append(counting)
    if not bounds:
        return None, []
    table, cums = cal.open_time_before(bounds)
    return table, [
        (bounds[k], bounds[k + 1], counting, cums[k + 1] - cums[k], cums[k])
        for k, counting in enumerate(counts)
    ]


def _reaching(
    cal: CompiledCalendar,
    table: OpenTable | None,
    pieces: Sequence[_RawPiece],
    amount: int,
    running_from: int | None,
) -> int | None:
    # instant_reaching on a table and plain pieces
    counted = 0
    for start, _, counting, business, open_before in pieces:
        if not counting:
            continue
        if counted + business >= amount:
            if amount == counted:
                return start
            assert table is not None
            return cal.add_from(table, start, open_before, amount - counted)
        counted += business
    if running_from is None:
        return None
    if table is None or amount == counted or pieces[-1][1] != running_from:
        return cal.add_micros(running_from, amount - counted)
    _, _, _, business, open_before = pieces[-1]
    return cal.add_from(table, running_from, open_before + business, amount - counted)


# ----------------------------------------------------------------------------------------------
# Cycles into results
class DisplayInstants(dict[int, datetime]):
    """Instants (UTC microseconds) as datetimes in the display zone, each converted once per
    evaluation: the cycles of different metrics share their start, stop and due instants.

    >>> from datetime import timezone
    >>> DisplayInstants(timezone.utc)[0].isoformat()
    '1970-01-01T00:00:00+00:00'
    """

    __slots__ = ("tz",)

    def __init__(self, tz: tzinfo) -> None:
        super().__init__()
        self.tz = tz

    def __missing__(self, micros: int) -> datetime:
        seconds, rest = divmod(micros, 1_000_000)
        if rest or not _SAFE_SECONDS[0] < seconds < _SAFE_SECONDS[1]:
            value = from_micros(micros, self.tz)
        else:  # whole seconds in 1902-2037: from_micros's own fast path, one call less
            value = datetime.fromtimestamp(seconds, self.tz)
        self[micros] = value
        return value


_SAFE_SECONDS = (-(2**31), 2**31)  # fromtimestamp is exact and safe on every platform here


class CycleMeasure(NamedTuple):
    """A replayed cycle measured as of an instant (:func:`measure_values`): instants are UTC
    microseconds, durations integer microseconds of business time (``actual_*``: wall-clock).

    >>> CycleMeasure._fields[:6]
    ('context', 'resolved', 'state', 'start', 'stopped', 'due')
    """

    context: CycleContext  # the context the target was resolved in
    resolved: ResolvedTarget
    state: CycleState
    start: int  # the clock's start (a start_from or sequential start moves it)
    stopped: int | None  # None while the cycle is open
    due: int | None
    projected: int | None  # a paused cycle's due instant if it resumed at as_of
    target: int | None
    elapsed: int
    paused: int
    actual_elapsed: int
    actual_paused: int
    thresholds: tuple[tuple[str, int | None, bool], ...]  # (name, instant, reached by as_of)
    table: OpenTable | None  # the table the pieces were measured on
    pieces: list[tuple[int, int, bool, int, int]]  # (start, end, counting, business, open before)


class Measuring(NamedTuple):
    """What every cycle of one evaluation is measured with.

    >>> Measuring(as_of=0, shown=DisplayInstants(timezone.utc), explain=False).shown[0].isoformat()
    '1970-01-01T00:00:00+00:00'
    """

    as_of: int  # the evaluation instant (UTC microseconds)
    shown: DisplayInstants
    explain: bool  # list the counted/paused/closed spans of each cycle


def display_zone(policy: Policy | None, attributes: Mapping[str, Any], created: tzinfo) -> tzinfo:
    """The zone results are shown in: the ticket's policy calendar's, else the created event's.

    >>> [display_zone(p, {}, timezone.utc) for p in (Policy(name="p", calendar=Calendar.weekdays("Europe/Paris"), metrics={"resolution": {}}), None)]
    [zoneinfo.ZoneInfo(key='Europe/Paris'), datetime.timezone.utc]
    """
    if policy is None:
        return created
    calendar = policy.calendar_named(None, attributes)
    if calendar is ALWAYS_OPEN:
        return created
    return calendar.compiled.zone


def measure_values(
    metric: str,
    cycle: ReplayedCycle,
    as_of: int,
    not_before: int | None = None,
) -> CycleMeasure:
    """One replayed cycle of ``metric`` measured as of ``as_of``, in integers: what
    :func:`measure_cycle` builds its result from, and what the columnar path
    (:mod:`slaclock.frame`) writes as a row. With ``not_before`` (the previous cycle's due
    instant, for a sequential recurrence) its clock starts there if that is later than its own
    start.

    >>> context = CycleContext(Policy(name="p", metrics={"resolution": {"targets": {"high": "4h"}}}), {"priority": "high"})
    >>> cycle = ReplayedCycle(0, context, context, [Transition(0, True), Transition(3_600_000_000, False)], [0, 1])
    >>> measured = measure_values("resolution", cycle, 7_200_000_000)
    >>> measured.state, measured.elapsed // 60_000_000, measured.paused // 60_000_000, measured.due  # minutes; paused: no due yet
    ('paused', 60, 60, None)
    """
    context = (
        cycle.start_context if cycle.context.policy.priority_change == "keep" else cycle.context
    )
    resolved = resolve_target(metric, context)
    cal = resolved.compiled
    end = cycle.end if cycle.end is not None else as_of
    start = cycle.start
    transitions = cycle.transitions
    if resolved.start_from is not None:
        given = attribute_instant(cycle.start_context.attributes, resolved.start_from)
        if given is not None and given != start:
            start = given if cycle.end is None else min(given, cycle.end)
            if start < cycle.start:
                if resolved.retroactive_pause and cycle.prior is not None:
                    # ServiceNow's retroactive pause: the span as the clock ran then.
                    transitions = back_dated(transitions, start, cycle.prior)
                else:  # the clock's state at the cycle's start, back to the given instant
                    transitions = [
                        _make(Transition, (start, transitions[0].counting)),
                        *transitions[1:],
                    ]
            else:
                transitions = starting_not_before(transitions, start)
    if not_before is not None and not_before > start:
        # A closed cycle that stopped before its sequential start used no time (it starts and
        # stops at its stop); an open one starts at not_before, even after as_of.
        start = not_before if cycle.end is None else min(not_before, cycle.end)
        transitions = starting_not_before(transitions, start)
    if len(transitions) == 1:  # most cycles: one piece (counting or not), _cut inlined
        first_at, first_counting = transitions[0]
        if end > first_at:
            table, before, after = cal.open_time_between(first_at, end)
            pieces = [(first_at, end, first_counting, after - before, before)]
        else:
            table, pieces = None, []
    else:
        table, pieces = _cut(cal, transitions, end)
    elapsed = paused = actual_elapsed = actual_paused = 0
    if len(pieces) == 1:  # most cycles
        piece_start, piece_end, counting, business, _ = pieces[0]
        if counting:
            elapsed, actual_elapsed = business, piece_end - piece_start
        else:
            paused, actual_paused = business, piece_end - piece_start
    elif pieces:
        for piece_start, piece_end, counting, business, _ in pieces:
            if counting:
                elapsed += business
            else:
                paused += business
                actual_paused += piece_end - piece_start
        # The pieces are contiguous: the wall-clock time counted is their span less the pauses.
        actual_elapsed = pieces[-1][1] - pieces[0][0] - actual_paused
    open_now = cycle.end is None
    running = open_now and transitions[-1].counting
    target_micros = resolved.duration_micros
    positions = resolved.positions
    days = resolved.business_days
    conventions = resolved.moves_due
    due_given: int | None = None
    if resolved.due_from is not None:
        # The ticket's date in force now (or when the cycle ended), whatever the context its
        # target is judged in (priority_change: keep judges it at the cycle's start).
        due_given = attribute_instant(cycle.context.attributes, resolved.due_from)
        if conventions is not None:
            due_given = given_due(cal, due_given, start, conventions)
    if due_given is not None:
        # The due instant is the ticket's; the target is the business time up to it.
        if due_given > start:
            _, before_start, before_due = cal.open_time_between(start, due_given)
            target_micros = before_due - before_start
        else:
            target_micros = 0  # due at or before the start: any time used is late
        positions = tuple(
            (t.name, threshold_position(t, target_micros)) for t in resolved.thresholds
        )
    elif days is not None:  # a DaysTarget: the business time depends on the day it starts
        target_micros = business_days_target(
            resolved.calendar, start, from_micros(start, timezone.utc), days
        )
        positions = tuple(
            (t.name, threshold_position(t, target_micros)) for t in resolved.thresholds
        )

    due: int | None = None
    projected: int | None = None
    state: CycleState
    if target_micros is not None:
        projection = (
            (end if end >= start else start)
            if (running or (not open_now and not cycle.cancelled))
            else None
        )
        if due_given is not None:
            due = due_given  # the ticket's own date stands, as the conventions leave it
        else:
            due = _reaching(cal, table, pieces, target_micros, projection)
            if due is not None and conventions is not None:
                due = convention_due(cal, due, conventions)
        if due is None and open_now and not cycle.cancelled and target_micros > elapsed:
            projected = cal.add_micros(as_of, target_micros - elapsed)  # as if resumed now
            if conventions is not None:
                projected = convention_due(cal, projected, conventions)
    if cycle.cancelled:
        state = "cancelled"
    elif not open_now:
        if target_micros is None:
            state = "completed"
        else:
            state = "met" if due is not None and end <= due else "breached"
    elif due is not None and as_of > due:
        state = "overdue"
    else:
        state = "running" if running else "paused"
        if running and resolved.paused_outside_hours and not cal.is_open_micros(as_of):
            state = "paused"  # Jira: a clock outside working hours is shown paused

    thresholds: tuple[tuple[str, int | None, bool], ...] = ()
    if positions:
        reached_by = None if cycle.cancelled else (end if running else None)
        thresholds = tuple(
            [
                (name, at, at is not None and at <= as_of)
                for name, position in positions
                for at in (
                    start if position == 0 else _reaching(cal, table, pieces, position, reached_by),
                )
            ]
        )
    return _make(
        CycleMeasure,
        (
            context,
            resolved,
            state,
            start,
            None if open_now else end,
            due,
            projected,
            target_micros,
            elapsed,
            paused,
            actual_elapsed,
            actual_paused,
            thresholds,
            table,
            pieces,
        ),
    )


def cycle_amounts(
    target: int | None, elapsed: int, state: str
) -> tuple[int | None, int | None, float | None]:
    """``(remaining, overdue_by, percent_used)`` of a cycle in ``state``, from its ``target``
    (``None``: none) and ``elapsed`` business time in integer microseconds; ``overdue_by`` only
    once breached or overdue, ``percent_used`` ``None`` for a zero target.

    >>> hour = 3_600_000_000
    >>> cycle_amounts(4 * hour, 5 * hour, "overdue")  # 4h - 5h left, 5h - 4h over, 5h / 4h used
    (-3600000000, 3600000000, 125.0)
    """
    if target is None:
        return None, None, None
    overdue_by = None
    if state == "breached" or state == "overdue":
        overdue_by = elapsed - target if elapsed > target else 0
    return target - elapsed, overdue_by, elapsed * 100 / target if target else None


def measure_cycle(
    metric: str,
    index: int,
    cycle: ReplayedCycle,
    measuring: Measuring,
    not_before: int | None = None,
) -> CycleResult:
    """The result of one replayed cycle (the ``index``-th of ``metric``) as of
    ``measuring.as_of``: :func:`measure_values`, its instants shown in the display zone.

    >>> context = CycleContext(Policy(name="p", metrics={"resolution": {"targets": {"high": "4h"}}}), {"priority": "high"})
    >>> cycle = ReplayedCycle(0, context, context, [Transition(0, True), Transition(3_600_000_000, False)], [0, 1])
    >>> result = measure_cycle("resolution", 0, cycle, Measuring(7_200_000_000, DisplayInstants(timezone.utc), False))
    >>> result.state, str(result.elapsed), str(result.paused), str(result.remaining)  # ran 1h, then paused 1h
    ('paused', '1:00:00', '1:00:00', '3:00:00')
    """
    as_of, shown, explain = measuring
    (
        context,
        resolved,
        state,
        start,
        stopped,
        due,
        projected,
        target_micros,
        elapsed,
        paused,
        actual_elapsed,
        actual_paused,
        measured_thresholds,
        _,
        pieces,
    ) = measure_values(metric, cycle, as_of, not_before)
    thresholds: tuple[ThresholdResult, ...] = ()
    if measured_thresholds:
        thresholds = tuple(
            [
                construct(
                    ThresholdResult,
                    {"name": name, "at": None if at is None else shown[at], "reached": reached},
                )
                for name, at, reached in measured_thresholds
            ]
        )
    target_delta: timedelta | None = None
    if target_micros is not None:  # the resolved target's own timedelta when it is the same
        same = target_micros == resolved.duration_micros
        target_delta = resolved.duration if same else _US * target_micros
    due_at = None if due is None else shown[due]
    breached = state == "breached" or state == "overdue"
    priority = context.attributes.get("priority")
    remaining, overdue_by, percent_used = cycle_amounts(target_micros, elapsed, state)
    elapsed_delta = _US * elapsed
    return construct(
        CycleResult,
        {
            "metric": metric,
            "index": index,
            "state": state,
            "started_at": shown[start],
            "stopped_at": None if stopped is None else shown[stopped],
            "due_at": due_at,
            "breached_at": due_at if breached else None,
            "target": target_delta,
            "elapsed": elapsed_delta,
            "paused": _US * paused if paused else _ZERO,
            "remaining": None if remaining is None else _US * remaining,
            "overdue_by": None if overdue_by is None else _US * overdue_by,
            "percent_used": percent_used,
            "target_spec": resolved.target_text,
            "priority": None if priority is None else str(priority),
            "policy": context.policy.name,
            "policy_version": context.policy.version,
            "calendar": resolved.label,
            "thresholds": thresholds,
            "events": tuple(cycle.events),
            "spans": tuple(explain_pieces(resolved.compiled, pieces, shown)) if explain else (),
            "projected_due_at": None if projected is None else shown[projected],
            # The same value when the calendar was open throughout (timedeltas are immutable).
            "actual_elapsed": elapsed_delta if actual_elapsed == elapsed else _US * actual_elapsed,
            "actual_paused": _US * actual_paused if actual_paused else _ZERO,
        },
    )


def sequential_start(metric: str, next_cycle: ReplayedCycle, due: int | None) -> int | None:
    """Where the clock of ``next_cycle`` may start at the earliest: the previous cycle's
    ``due`` instant when the policy in force at the next cycle makes the metric's recurrence
    sequential (Salesforce), else ``None`` (independent cycles).

    >>> policy = Policy(name="p", metrics={"resolution": {"targets": {"high": "4h"}}})
    >>> context = CycleContext(policy, {"priority": "high"})
    >>> print(sequential_start("resolution", ReplayedCycle(0, context, context, [Transition(0, True)], [0]), 99))  # independent
    None
    """
    if due is not None and metric in policy_rules(next_cycle.context.policy).sequential:
        return due
    return None


def explain_pieces(
    cal: CompiledCalendar, pieces: Sequence[tuple[int, int, bool, int, int]], shown: DisplayInstants
) -> list[Span]:
    """The trace of a cycle's pieces: paused pieces whole, counting pieces cut into the spans
    where the calendar was open (``counted``) and closed (``closed``).

    >>> cal, hour, friday_16 = Calendar.weekdays("UTC").compiled, 3_600_000_000, 1_741_363_200_000_000
    >>> pieces = measure_pieces(cal, [Transition(friday_16, True)], friday_16 + 66 * hour).pieces
    >>> [(s.kind, str(s.end - s.start)) for s in explain_pieces(cal, pieces, DisplayInstants(timezone.utc))]
    [('counted', '1:00:00'), ('closed', '2 days, 16:00:00'), ('counted', '1:00:00')]
    """
    spans: list[Span] = []

    def add(a: int, b: int, kind: SpanKind) -> None:
        spans.append(construct(Span, {"start": shown[a], "end": shown[b], "kind": kind}))

    for a, b, counting, _, _ in pieces:
        if not counting:
            add(a, b, "paused")
            continue
        cursor = a
        for lo, hi in cal.open_micros(a, b):
            if lo > cursor:
                add(cursor, lo, "closed")
            add(lo, hi, "counted")
            cursor = hi
        if cursor < b:
            add(cursor, b, "closed")
    return spans
