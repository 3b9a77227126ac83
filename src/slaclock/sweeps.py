"""Sweeping one metric's target: attainment as a function of the target, from one evaluation,
and the smallest target reaching a wanted share (exact, and rounded for people).

>>> from slaclock.synthetic import DEFAULT_POLICY, sample_timelines
>>> s = sweep(sample_timelines(), "first_response", "urgent", ["1h", "90m"], baseline=DEFAULT_POLICY)
>>> [(row.spec, row.met, row.breached) for row in s.rows]
[('1h', 0, 1), ('1h30m', 1, 0)]
>>> str(s.recommendation(1.0))
'target for 100%: 1h20m exact, 1h20m rounded up (reaches 100.0%)'
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from fractions import Fraction
from typing import Any, Literal, cast

from pydantic import ValidationError

from slaclock._tz import timedelta_to_micros
from slaclock.bands import check_share
from slaclock.batch import check_many
from slaclock.durations import display_duration, format_duration, parse_duration
from slaclock.engine import evaluate
from slaclock.errors import ArgumentError, ReportOptionError, UnknownEvents
from slaclock.policy import Policy, PolicySet, Target, as_policy
from slaclock.reports import check_flag
from slaclock.tables import Percent, Table
from slaclock.targets import DaysTarget, DurationTarget
from slaclock.timeline import Timeline
from slaclock.variants import variant

__all__ = ["Recommendation", "Sweep", "SweepRow", "recommend_target", "sweep"]

_ONE = 1  # one microsecond: the smallest positive target


# ----------------------------------------------------------------------------------------------
# Sweeping one target
@dataclass(frozen=True, slots=True)
class SweepRow:
    """The outcome of one target: cycles met, breached (stopped late) and overdue (running late,
    counted only with ``overdue=True``), and ``attainment = met / (met + breached + overdue)``:
    the same meanings as in :func:`~slaclock.reports.attainment` rows. ``target`` is the
    business-time duration (``None`` for a business-days target, whose length depends on each
    cycle's start); ``spec`` is the target as written (``"4h"``, ``"2 business days"``).

    >>> from slaclock.synthetic import DEFAULT_POLICY, sample_timelines
    >>> s = sweep(sample_timelines(), "first_response", "urgent", ["1h"], baseline=DEFAULT_POLICY)
    >>> row = s.rows[0]  # T-1002 was answered after 1h20m around the clock: late for 1h
    >>> row.target, row.met, row.breached, row.attainment
    (datetime.timedelta(seconds=3600), 0, 1, 0.0)
    """

    target: timedelta | None
    met: int
    breached: int
    overdue: int
    attainment: float | None
    spec: str = ""


@dataclass(frozen=True, slots=True)
class Recommendation:
    """The smallest target reaching ``wanted`` (a share), or why there is none.

    ``target`` is exact (one microsecond less falls short); ``rounded`` is it rounded *up* to
    the whole minute (to the whole second under a minute), which still reaches ``wanted``
    because attainment never falls as the target grows; ``reached`` is the attainment under
    ``rounded``. ``reason`` is ``None`` when there is a target, ``no_cycles`` when no cycle of
    the metric and priority was found, ``only_open_cycles`` when every cycle is still open
    (open cycles count only when overdue, so no target makes them met).

    >>> Recommendation(0.9, timedelta(hours=3, minutes=38, seconds=7, microseconds=5),
    ...                timedelta(hours=3, minutes=39), 0.91, None).describe()
    'target for 90%: 3h38m7.000005s exact, 3h39m rounded up (reaches 91.0%)'
    >>> Recommendation(0.9, None, None, None, "only_open_cycles").describe()
    'no target reaches 90%: every cycle is still open (open cycles count only when overdue)'
    """

    wanted: float
    target: timedelta | None
    rounded: timedelta | None
    reached: float | None
    reason: Literal["no_cycles", "only_open_cycles"] | None

    def describe(self) -> str:
        """The recommendation in words: exact and rounded target, or why there is none."""
        share = f"{100 * self.wanted:g}%"
        if self.target is None or self.rounded is None:
            why = {
                "no_cycles": "no cycle of this metric and priority was found",
                "only_open_cycles": (
                    "every cycle is still open (open cycles count only when overdue)"
                ),
            }
            return f"no target reaches {share}: {why.get(self.reason or '', 'no cycle counts')}"
        reached = "" if self.reached is None else f" (reaches {100 * self.reached:.1f}%)"
        return (
            f"target for {share}: {format_duration(self.target)} exact, "
            f"{display_duration(self.rounded)} rounded up{reached}"
        )

    def __str__(self) -> str:
        return self.describe()


def _round_up(target: timedelta) -> timedelta:
    """Up to the whole minute, or to the whole second under a minute."""
    unit = timedelta(minutes=1) if target >= timedelta(minutes=1) else timedelta(seconds=1)
    return -((-target) // unit) * unit


@dataclass(frozen=True)
class Sweep:
    """Attainment as a function of one metric's target for one priority.

    Built from each cycle's *threshold* ``k``: the smallest target (in microseconds) under which
    the cycle is met (or, still open, not overdue). ``k`` is the cycle's business-time duration
    ``e`` when its clock was counting right up to the stop (or ``as_of``), and ``e + 1us`` when
    it stopped during closed or paused time: the due instant is the *earliest* instant the
    counted time reaches the target, so a cycle that reached ``e`` at 17:00 and stopped at 18:00
    breaches a target of exactly ``e``.

    >>> from slaclock.synthetic import DEFAULT_POLICY, sample_timelines
    >>> s = sweep(sample_timelines(), "first_response", "urgent", [], baseline=DEFAULT_POLICY)
    >>> s.at("80m").met, s.at("79m").met  # the reply came 1h20m (24x7) after creation
    (1, 0)
    """

    metric: str
    priority: str
    overdue_counts: bool
    rows: list[SweepRow]
    stopped: list[int] = field(repr=False)  # sorted thresholds of stopped cycles
    running: list[int] = field(repr=False)  # sorted thresholds of open cycles

    def at(self, target: timedelta | str) -> SweepRow:
        """The outcome under a duration ``target`` (any positive duration, not only the swept
        ones), on the calendar the baseline uses; zero or less is not a target (an error)."""
        value = parse_duration(target)
        if value <= timedelta(0):
            raise ReportOptionError(
                f"target: {format_duration(value)!r} is not a target - expected a positive "
                "duration, e.g. '4h'",
                value=target,
            )
        t = timedelta_to_micros(value)
        met = bisect_right(self.stopped, t)
        breached = len(self.stopped) - met
        overdue = len(self.running) - bisect_right(self.running, t) if self.overdue_counts else 0
        counted = met + breached + overdue
        return SweepRow(
            value,
            met,
            breached,
            overdue,
            None if counted == 0 else met / counted,
            format_duration(value),
        )

    def recommendation(self, attainment: float = 0.95) -> Recommendation:
        """:meth:`recommend` with the target rounded up for people, and the reason when there
        is none (see :class:`Recommendation`)."""
        exact = self.recommend(attainment)
        if exact is None:
            reason: Literal["no_cycles", "only_open_cycles"] = (
                "only_open_cycles" if self.running and not self.stopped else "no_cycles"
            )
            return Recommendation(attainment, None, None, None, reason)
        rounded = _round_up(exact)
        return Recommendation(attainment, exact, rounded, self.at(rounded).attainment, None)

    def recommend(self, attainment: float = 0.95) -> timedelta | None:
        """The smallest target under which at least ``attainment`` of the cycles count as met
        (exact: one microsecond less falls short); ``None`` when no cycle counts at all:
        :meth:`recommendation` says why, and gives a rounded target too.

        Attainment only changes at a cycle's threshold, so the answer is one of them (or 1us).
        """
        check_share(attainment, "attainment")
        share = Fraction(str(attainment))
        candidates = sorted({_ONE, *self.stopped, *self.running})
        candidates = [c for c in candidates if c >= _ONE]

        def enough(t: int) -> bool:
            met = bisect_right(self.stopped, t)
            overdue = (
                len(self.running) - bisect_right(self.running, t) if self.overdue_counts else 0
            )
            counted = len(self.stopped) + overdue
            return counted > 0 and met >= share * counted

        lo, hi = 0, len(candidates)  # attainment is monotone in the target: bisect
        while lo < hi:
            mid = (lo + hi) // 2
            if enough(candidates[mid]):
                hi = mid
            else:
                lo = mid + 1
        return None if lo == len(candidates) else timedelta(microseconds=candidates[lo])

    def table(self) -> Table:
        """The rows as a :class:`~slaclock.analytics.Table`."""
        rows = [
            {
                "target": row.spec or row.target,
                "met": row.met,
                "breached": row.breached,
                "overdue": row.overdue,
                "attainment": None if row.attainment is None else Percent(row.attainment),
            }
            for row in self.rows
        ]
        caption = "breached: stopped late; overdue: running late" + (
            "" if self.overdue_counts else " (not counted: overdue=False)"
        )
        return Table(("target", "met", "breached", "overdue", "attainment"), rows, caption)

    def to_table(self) -> str:
        """:meth:`table` as plain text."""
        return self.table().to_table()

    def __str__(self) -> str:
        return self.to_table()


def _thresholds(
    timelines: Iterable[Timeline | Mapping[str, Any]],
    baseline: Policy | PolicySet,
    metric: str,
    priority: str,
    as_of: datetime | None,
    unknown: UnknownEvents,
) -> tuple[list[int], list[int]]:
    """Evaluate once (with spans) and return the sorted thresholds of stopped and open cycles."""
    stopped: list[int] = []
    running: list[int] = []
    _check_metric_and_priority(baseline, metric, priority)
    for item in timelines:
        result = evaluate(baseline, item, as_of, explain=True, unknown_events=unknown)
        found = result.metrics.get(metric)
        if found is None:
            continue
        for cycle in found.cycles:
            # Cancelled cycles are left out, and so are cycles without a target (in a policy
            # set, one whose policy has no target for the priority: "completed" once stopped,
            # never overdue while running): the swept target replaces only existing targets,
            # and attainment leaves such cycles out too.
            if (
                cycle.priority != priority
                or cycle.state == "cancelled"
                or cycle.target_spec is None
            ):
                continue
            elapsed = timedelta_to_micros(cycle.elapsed)
            spans = cycle.spans
            tight = elapsed > 0 and bool(spans) and spans[-1].kind == "counted"
            k = elapsed if tight else elapsed + _ONE
            if cycle.state in ("met", "breached"):
                stopped.append(k)
            else:
                running.append(k)
    stopped.sort()
    running.sort()
    return stopped, running


def _check_metric_and_priority(baseline: Policy | PolicySet, metric: str, priority: str) -> None:
    """An unknown metric or priority is an error naming the valid ones (not an empty row)."""
    policies = baseline.policies if isinstance(baseline, PolicySet) else (baseline,)
    if not any(metric in p.metrics for p in policies):
        known = sorted({m for p in policies for m in p.metrics})
        raise ArgumentError(f"metric: unknown metric {metric!r} - expected one of {known}")
    priorities = {
        name for p in policies if metric in p.metrics for name in p.metrics[metric].targets
    }
    if priority not in priorities:
        raise ReportOptionError(
            f"priority: unknown priority {priority!r} for metric {metric!r} - expected one of "
            f"{sorted(priorities)}",
            value=priority,
        )


def _target(
    value: Target | timedelta | str | Mapping[str, Any], baseline: Policy | PolicySet, metric: str
) -> DurationTarget | DaysTarget:
    """``value`` read as the baseline's policy (the first of a set measuring ``metric``) reads
    its own targets: ``d``/``w`` are working days and weeks under a ``working_day``."""
    reader = (
        baseline
        if isinstance(baseline, Policy)
        else next((p for p in baseline.policies if metric in p.metrics), baseline.policies[0])
    )
    try:
        target = reader.read_target(value)
    except ValidationError as exc:
        raise ReportOptionError(
            f"targets: {value!r} is not a target - expected a form a policy accepts, e.g. '2h', "
            f"'2 business days' or {{'duration': '4h', 'calendar': '24x7'}} "
            f"({exc.errors()[0]['msg']})",
            value=value,
        ) from exc
    except ValueError as exc:
        raise ReportOptionError(f"targets: {value!r} is not a target - {exc}", value=value) from exc
    return target


def _with_target(
    baseline: Policy | PolicySet, metric: str, priority: str, target: DurationTarget | DaysTarget
) -> Policy | PolicySet:
    """``baseline`` with ``target`` for ``metric`` and ``priority`` (in every policy of a set
    that has a target for them)."""
    if isinstance(baseline, Policy):
        return variant(baseline, targets={metric: {priority: target}})
    changed = tuple(
        variant(p, targets={metric: {priority: target}})
        if metric in p.metrics and priority in p.metrics[metric].targets
        else p
        for p in baseline.policies
    )
    return PolicySet(policies=changed)


def _evaluated_row(
    timelines: Sequence[Timeline | Mapping[str, Any]],
    policy: Policy | PolicySet,
    metric: str,
    priority: str,
    as_of: datetime | None,
    overdue: bool,
    target: DurationTarget | DaysTarget,
    unknown: UnknownEvents,
) -> SweepRow:
    """One row by evaluating every ticket under ``policy`` (targets without a fast path)."""
    met = breached = late = 0
    for item in timelines:
        found = evaluate(policy, item, as_of, unknown_events=unknown).metrics.get(metric)
        for cycle in () if found is None else found.cycles:
            if cycle.priority != priority:
                continue
            if cycle.state == "met":
                met += 1
            elif cycle.state == "breached":
                breached += 1
            elif cycle.state == "overdue" and overdue:
                late += 1
    counted = met + breached + late
    spec = target.model_dump()
    return SweepRow(
        target.duration if target.calendar is None else None,
        met,
        breached,
        late,
        None if counted == 0 else met / counted,
        spec if isinstance(spec, str) else f"{spec['duration']} ({spec['calendar']})",
    )


def sweep(
    timelines: Iterable[Timeline | Mapping[str, Any]],
    metric: str,
    priority: str,
    targets: Sequence[Target | timedelta | str | Mapping[str, Any]],
    *,
    baseline: Policy | PolicySet,
    as_of: datetime | None = None,
    overdue: bool = True,
) -> Sweep:
    """Attainment of ``metric`` for ``priority`` tickets under each of ``targets``.

    ``targets`` take every form a policy accepts: durations (``"4h"``, ``timedelta``),
    ``"2 business days"``, or a target on another calendar (``{"duration": "4h", "calendar":
    "24x7"}``). The timelines are evaluated *once* under ``baseline``; each duration target's
    outcome is read from the cycles' business-time durations (measured on the calendar the
    baseline uses for this metric and priority). Business-day targets and targets on another
    calendar are evaluated through the engine (one more pass each; the timelines are kept in
    a list). Cancelled cycles are left out, and so are cycles without a target (in a policy
    set, those of a policy with no target for ``priority``); ``overdue=True`` counts open
    cycles past the target in the ``overdue`` column (and against attainment). An unknown
    metric or priority is an error naming the valid ones. Errors in a timeline raise (validate first, or use
    :func:`~slaclock.analytics.evaluate_many` to find the bad ones).

    >>> from slaclock.synthetic import DEFAULT_POLICY, sample_timelines
    >>> s = sweep(sample_timelines(), "first_response", "urgent", ["1h", "2h"], baseline=DEFAULT_POLICY)
    >>> print(s)
    breached: stopped late; overdue: running late
    target  met  breached  overdue  attainment
    1h        0         1        0        0.0%
    2h        1         0        0      100.0%
    >>> sweep(sample_timelines(), "first_response", "hihg", ["1h"], baseline=DEFAULT_POLICY)
    Traceback (most recent call last):
    ...
    slaclock.errors.ReportOptionError: priority: unknown priority 'hihg' for metric 'first_response' - expected one of ['high', 'low', 'normal', 'urgent']
    """
    check_many(timelines)
    baseline = as_policy(baseline, "baseline")
    check_flag(overdue, "overdue")
    parsed = [_target(t, baseline, metric) for t in targets]
    _check_metric_and_priority(baseline, metric, priority)
    slow = [t for t in parsed if t.duration is None or t.calendar is not None]
    kept: Iterable[Timeline | Mapping[str, Any]] = list(timelines) if slow else timelines
    unknown = UnknownEvents()  # each ticket is evaluated once per pass: warn once per value
    stopped, running = _thresholds(kept, baseline, metric, priority, as_of, unknown)
    empty = Sweep(metric, priority, overdue, [], stopped, running)
    rows = []
    for target in parsed:
        if target.duration is not None and target.calendar is None:
            rows.append(empty.at(target.duration))
        else:
            policy = _with_target(baseline, metric, priority, target)
            listed = cast(list[Timeline | Mapping[str, Any]], kept)
            rows.append(
                _evaluated_row(listed, policy, metric, priority, as_of, overdue, target, unknown)
            )
    unknown.warn()  # on success only: an error must not be replaced by a warning
    return Sweep(metric, priority, overdue, rows, stopped, running)


def recommend_target(
    timelines: Iterable[Timeline | Mapping[str, Any]],
    metric: str,
    priority: str,
    *,
    baseline: Policy | PolicySet,
    attainment: float = 0.95,
    as_of: datetime | None = None,
    overdue: bool = True,
) -> timedelta | None:
    """The smallest target for ``metric`` and ``priority`` that at least ``attainment`` of the
    cycles would have met (exact, from their business-time durations: see :class:`Sweep`).

    >>> from slaclock.synthetic import DEFAULT_POLICY, generate_timelines
    >>> target = recommend_target(generate_timelines(300, seed=5), "first_response", "normal",
    ...                           baseline=DEFAULT_POLICY, attainment=0.9)
    >>> s = sweep(generate_timelines(300, seed=5), "first_response", "normal",
    ...           [target, target - timedelta(microseconds=1)], baseline=DEFAULT_POLICY)
    >>> s.rows[0].attainment >= 0.9 > s.rows[1].attainment
    True
    """
    check_many(timelines)
    baseline = as_policy(baseline, "baseline")
    check_flag(overdue, "overdue")
    unknown = UnknownEvents()
    stopped, running = _thresholds(timelines, baseline, metric, priority, as_of, unknown)
    unknown.warn()  # on success only: an error must not be replaced by a warning
    return Sweep(metric, priority, overdue, [], stopped, running).recommend(attainment)
