"""What-if analysis: compare policies on the same tickets, sweep a target, recommend one.

Variants are changed *copies* of a policy (:func:`variant`, ``Policy.with_target``); nothing is
mutated.

>>> from slaclock.synthetic import DEFAULT_POLICY, sample_timelines
>>> faster = variant(DEFAULT_POLICY, targets={"first_response": {"urgent": "2h"}})
>>> result = compare(sample_timelines(), baseline=DEFAULT_POLICY, variants={"2h urgent": faster},
...                  metric="first_response")
>>> [(c["ticket_id"], c["baseline"], c["variant_state"]) for c in result.changes]
[('T-1002', 'breached', 'met')]

A sweep evaluates the tickets once and derives every target's outcome from the cycles'
business-time durations (a cycle's duration does not depend on its target; its due instant
and its state do):

>>> s = sweep(sample_timelines(), "first_response", "urgent", ["1h", "90m"], baseline=DEFAULT_POLICY)
>>> [(row.target, row.met, row.breached) for row in s.rows]
[(datetime.timedelta(seconds=3600), 0, 1), (datetime.timedelta(seconds=5400), 1, 0)]
>>> s.recommend(1.0)  # the smallest target all urgent first responses would have met
datetime.timedelta(seconds=4800)
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from fractions import Fraction
from typing import Any

from pydantic import ValidationError

from slaclock._tz import timedelta_to_micros
from slaclock.batch import Failure
from slaclock.calendar import Calendar
from slaclock.durations import parse_duration
from slaclock.engine import evaluate
from slaclock.errors import ArgumentError, SlaclockError
from slaclock.policy import Policy, PolicySet, PriorityChange, Target
from slaclock.records import cycle_record
from slaclock.reports import AttainmentReport, CancelledAs, UntargetedAs, attainment
from slaclock.tables import Percent, Table, group_sort_key
from slaclock.timeline import Timeline

__all__ = ["Comparison", "Sweep", "SweepRow", "compare", "recommend_target", "sweep", "variant"]

_ONE = 1  # one microsecond: the smallest positive target


def variant(
    policy: Policy,
    *,
    targets: Mapping[str, Mapping[str, Target | str | timedelta]] | None = None,
    calendar: Calendar | str | None = None,
    pause_statuses: Mapping[str, Sequence[str]] | None = None,
    priority_change: PriorityChange | None = None,
    name: str | None = None,
) -> Policy:
    """A changed copy of ``policy`` (validated again; ``policy`` itself is unchanged).

    ``targets`` maps metric -> priority -> new target; ``calendar`` replaces the policy's
    calendar; ``pause_statuses`` maps metric -> statuses; ``priority_change`` replaces the rule.

    >>> from slaclock.synthetic import DEFAULT_POLICY
    >>> keep = variant(DEFAULT_POLICY, priority_change="keep", pause_statuses={"resolution": ["pending"]})
    >>> keep.priority_change, DEFAULT_POLICY.priority_change
    ('keep', 'recompute')
    >>> keep.definition("resolution").pause_statuses
    ('pending',)
    """
    data = policy.model_dump()
    for metric, by_priority in (targets or {}).items():
        _known_metric(policy, metric)
        metric_data = data["metrics"][metric]
        for priority, target in by_priority.items():
            metric_data.setdefault("targets", {})[priority] = Target.model_validate(
                target
            ).model_dump()
    for metric, statuses in (pause_statuses or {}).items():
        _known_metric(policy, metric)
        data["metrics"][metric]["pause_statuses"] = list(statuses)
    if calendar is not None:
        data["calendar"] = calendar if isinstance(calendar, str) else calendar.model_dump()
    if priority_change is not None:
        data["priority_change"] = priority_change
    if name is not None:
        data["name"] = name
    return Policy.model_validate(data)


def _known_metric(policy: Policy, metric: str) -> None:
    if metric not in policy.metrics:
        raise ArgumentError(
            f"metric: unknown metric {metric!r} for policy {policy.name!r} - expected one of "
            f"{sorted(policy.metrics)}"
        )


# ----------------------------------------------------------------------------------------------
# Comparing policies
@dataclass(frozen=True)
class Comparison:
    """Attainment per group under the baseline and each variant, side by side.

    ``reports`` holds the :class:`~slaclock.analytics.AttainmentReport` of ``"baseline"`` and of
    each variant; ``changes`` lists every cycle whose state differs from the baseline's
    (``ticket_id``, ``metric``, ``index``, ``baseline``, ``variant``, ``variant_state``);
    ``failures`` the timelines that could not be evaluated.

    >>> from slaclock.synthetic import DEFAULT_POLICY, sample_timelines
    >>> faster = variant(DEFAULT_POLICY, targets={"first_response": {"urgent": "2h"}})
    >>> result = compare(sample_timelines(), baseline=DEFAULT_POLICY, variants={"2h": faster},
    ...                  by=(), metric="first_response")
    >>> print(result)  # 2 of 4 met; with 2h business time for urgent, T-1002 is met too: 3 of 4
    metric          baseline     2h  delta 2h
    first_response     50.0%  75.0%     25.00
    """

    names: tuple[str, ...]
    reports: dict[str, AttainmentReport]
    changes: list[dict[str, Any]]
    failures: list[Failure] = field(default_factory=list)

    def table(self) -> Table:
        """One row per group and metric: the baseline's attainment, each variant's and the delta
        (in percentage points)."""
        base = self.reports["baseline"]
        by = base.by
        shares: dict[tuple[Any, ...], dict[str, float | None]] = {}
        for name, report in self.reports.items():
            for tally in report.rows:
                shares.setdefault((*tally.key, tally.metric), {})[name] = tally.attainment
        columns: list[str] = [*by, "metric", "baseline"]
        for name in self.names:
            columns += [name, f"delta {name}"]
        rows = []
        for key in sorted(shares, key=group_sort_key):
            values = shares[key]
            row: dict[str, Any] = dict(zip((*by, "metric"), key))
            baseline = values.get("baseline")
            row["baseline"] = None if baseline is None else Percent(baseline)
            for name in self.names:
                share = values.get(name)
                row[name] = None if share is None else Percent(share)
                row[f"delta {name}"] = (
                    None
                    if share is None or baseline is None
                    else round(100 * (share - baseline), 1)
                )
            rows.append(row)
        return Table(tuple(columns), rows)

    def to_table(self) -> str:
        """:meth:`table` as plain text."""
        return self.table().to_table()

    def __str__(self) -> str:
        return self.to_table()


def compare(
    timelines: Iterable[Timeline | Mapping[str, Any]],
    *,
    baseline: Policy | PolicySet,
    variants: Mapping[str, Policy | PolicySet],
    as_of: datetime | None = None,
    by: Sequence[str] = ("priority",),
    metric: str | None = None,
    overdue: bool = True,
    cancelled: CancelledAs = "excluded",
    untargeted: UntargetedAs = "excluded",
) -> Comparison:
    """Evaluate every timeline under ``baseline`` and each of ``variants`` (one pass over the
    timelines, so a generator is fine) and compare attainment per group (the options are those
    of :func:`~slaclock.analytics.attainment`). Bad timelines are collected in ``failures``.

    >>> from slaclock.synthetic import DEFAULT_POLICY, sample_timelines
    >>> keep = variant(DEFAULT_POLICY, priority_change="keep")
    >>> result = compare([*sample_timelines(), {"ticket_id": "broken"}], baseline=DEFAULT_POLICY,
    ...                  variants={"keep": keep}, metric="first_response")
    >>> [f.ticket_id for f in result.failures], sorted(result.reports)
    (['broken'], ['baseline', 'keep'])
    """
    if "baseline" in variants:
        raise ArgumentError(
            "variants: 'baseline' is reserved for the baseline - rename the variant"
        )
    policies: dict[str, Policy | PolicySet] = {"baseline": baseline, **variants}
    records: dict[str, list[dict[str, Any]]] = {name: [] for name in policies}
    changes: list[dict[str, Any]] = []
    failures: list[Failure] = []
    for position, item in enumerate(timelines):
        try:
            timeline = item if isinstance(item, Timeline) else Timeline.model_validate(item)
            results = {name: evaluate(p, timeline, as_of) for name, p in policies.items()}
        except (SlaclockError, ValidationError, ValueError) as exc:
            ticket_id = item.get("ticket_id") if isinstance(item, Mapping) else item.ticket_id
            failures.append(
                Failure(position, None if ticket_id is None else str(ticket_id), str(exc))
            )
            continue
        base_states: dict[tuple[str, int], str] = {}
        for name, result in results.items():
            for metric_result in result.metrics.values():
                for cycle in metric_result.cycles:
                    records[name].append(cycle_record(result, cycle))
                    key = (cycle.metric, cycle.index)
                    if name == "baseline":
                        base_states[key] = cycle.state
                    elif base_states.get(key) != cycle.state and (
                        metric is None or cycle.metric == metric
                    ):
                        changes.append(
                            {
                                "ticket_id": result.ticket_id,
                                "metric": cycle.metric,
                                "index": cycle.index,
                                "baseline": base_states.get(key, "pending"),
                                "variant": name,
                                "variant_state": cycle.state,
                            }
                        )
    reports = {
        name: attainment(
            rows,
            by=by,
            metric=metric,
            overdue=overdue,
            cancelled=cancelled,
            untargeted=untargeted,
        )
        for name, rows in records.items()
    }
    return Comparison(tuple(variants), reports, changes, failures)


# ----------------------------------------------------------------------------------------------
# Sweeping one target
@dataclass(frozen=True, slots=True)
class SweepRow:
    """The outcome of one target: cycles met, breached (stopped late) and overdue (running late),
    and ``attainment = met / (met + breached + overdue)`` (overdue only when counted).

    >>> from slaclock.synthetic import DEFAULT_POLICY, sample_timelines
    >>> s = sweep(sample_timelines(), "first_response", "urgent", ["1h"], baseline=DEFAULT_POLICY)
    >>> row = s.rows[0]  # T-1002 was answered after 1h20m around the clock: late for 1h
    >>> row.target, row.met, row.breached, row.attainment
    (datetime.timedelta(seconds=3600), 0, 1, 0.0)
    """

    target: timedelta
    met: int
    breached: int
    overdue: int
    attainment: float | None


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
        """The outcome under ``target`` (any duration, not only the swept ones)."""
        value = parse_duration(target) if isinstance(target, str) else target
        t = timedelta_to_micros(value)
        met = bisect_right(self.stopped, t)
        breached = len(self.stopped) - met
        overdue = len(self.running) - bisect_right(self.running, t) if self.overdue_counts else 0
        counted = met + breached + overdue
        return SweepRow(value, met, breached, overdue, None if counted == 0 else met / counted)

    def recommend(self, attainment: float = 0.95) -> timedelta | None:
        """The smallest target under which at least ``attainment`` of the cycles count as met
        (exact: one microsecond less falls short); ``None`` when no cycle counts at all.

        Attainment only changes at a cycle's threshold, so the answer is one of them (or 1us).
        """
        if not 0 < attainment <= 1:
            raise ArgumentError(f"attainment: {attainment!r} - expected a share in (0, 1]")
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
                "target": row.target,
                "met": row.met,
                "breached": row.breached,
                "overdue": row.overdue,
                "attainment": None if row.attainment is None else Percent(row.attainment),
            }
            for row in self.rows
        ]
        return Table(("target", "met", "breached", "overdue", "attainment"), rows)

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
) -> tuple[list[int], list[int]]:
    """Evaluate once (with spans) and return the sorted thresholds of stopped and open cycles."""
    stopped: list[int] = []
    running: list[int] = []
    policies = baseline.policies if isinstance(baseline, PolicySet) else (baseline,)
    if not any(metric in p.metrics for p in policies):
        known = sorted({m for p in policies for m in p.metrics})
        raise ArgumentError(f"metric: unknown metric {metric!r} - expected one of {known}")
    for item in timelines:
        result = evaluate(baseline, item, as_of, explain=True)
        found = result.metrics.get(metric)
        if found is None:
            continue
        for cycle in found.cycles:
            if cycle.priority != priority or cycle.state == "cancelled":
                continue
            elapsed = timedelta_to_micros(cycle.elapsed)
            spans = cycle.spans
            tight = elapsed > 0 and bool(spans) and spans[-1].kind == "counted"
            k = elapsed if tight else elapsed + _ONE
            if cycle.state in ("met", "breached", "completed"):
                stopped.append(k)
            else:
                running.append(k)
    stopped.sort()
    running.sort()
    return stopped, running


def sweep(
    timelines: Iterable[Timeline | Mapping[str, Any]],
    metric: str,
    priority: str,
    targets: Sequence[timedelta | str],
    *,
    baseline: Policy | PolicySet,
    as_of: datetime | None = None,
    overdue: bool = True,
) -> Sweep:
    """Attainment of ``metric`` for ``priority`` tickets under each of ``targets``.

    The timelines are evaluated *once* under ``baseline``; each target's outcome is then read
    from the cycles' business-time durations (measured on the calendar the baseline uses for
    this metric and priority). Cancelled cycles are left out; ``overdue=True`` counts open
    cycles past the target as breached. Errors in a timeline raise (validate first, or use
    :func:`~slaclock.analytics.evaluate_many` to find the bad ones).

    >>> from slaclock.synthetic import DEFAULT_POLICY, sample_timelines
    >>> s = sweep(sample_timelines(), "first_response", "urgent", ["1h", "2h"], baseline=DEFAULT_POLICY)
    >>> print(s)
    target  met  breached  overdue  attainment
        1h    0         1        0        0.0%
        2h    1         0        0      100.0%
    """
    parsed = [parse_duration(t) if isinstance(t, str) else t for t in targets]
    for target in parsed:
        if target <= timedelta(0):
            raise ArgumentError(f"targets: {target} is not positive - expected e.g. '2h'")
    stopped, running = _thresholds(timelines, baseline, metric, priority, as_of)
    empty = Sweep(metric, priority, overdue, [], stopped, running)
    rows = [empty.at(target) for target in parsed]
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
    stopped, running = _thresholds(timelines, baseline, metric, priority, as_of)
    return Sweep(metric, priority, overdue, [], stopped, running).recommend(attainment)
