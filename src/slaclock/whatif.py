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

Targets take every form a policy accepts (``"2 business days"``, ``{"duration": "4h",
"calendar": "24x7"}``); those that change the calendar or count business days are evaluated
through the engine, one pass each.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from pydantic import ValidationError

from slaclock._tz import check_in_range
from slaclock.batch import Failure, check_many
from slaclock.engine import evaluate
from slaclock.errors import ArgumentError, SlaclockError, UnknownEvents
from slaclock.policy import Policy, PolicySet, as_policy
from slaclock.records import cycle_record
from slaclock.reports import AttainmentReport, CancelledAs, UntargetedAs, attainment, check_flag
from slaclock.results import TicketResult
from slaclock.sweeps import Recommendation, Sweep, SweepRow, recommend_target, sweep
from slaclock.tables import Percent, Table, group_sort_key
from slaclock.timeline import Timeline
from slaclock.variants import variant

__all__ = [
    "Comparison",
    "Recommendation",
    "Sweep",
    "SweepRow",
    "compare",
    "recommend_target",
    "sweep",
    "variant",
]


# ----------------------------------------------------------------------------------------------
# Comparing policies
@dataclass(frozen=True)
class Comparison:
    """Attainment per group under the baseline and each variant, side by side.

    ``reports`` holds the :class:`~slaclock.analytics.AttainmentReport` of ``"baseline"`` and of
    each variant; ``changes`` lists every cycle whose state differs from the baseline's
    (``ticket_id``, ``metric``, ``index``, ``baseline``, ``variant``, ``variant_state``; a
    cycle only one side has is ``pending``, not started, on the other);
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


def _changes(results: Mapping[str, TicketResult], metric: str | None) -> list[dict[str, Any]]:
    """One ticket's cycles whose state differs between the baseline and each variant (of
    ``metric``, or of every metric). A cycle only one side has counts as ``"pending"`` (not
    started) on the other: one the variant lacks changed to it, one the baseline lacks from it."""
    states = {
        name: {(c.metric, c.index): c.state for m in result.metrics.values() for c in m.cycles}
        for name, result in results.items()
    }
    base = states.pop("baseline")
    found = []
    for name, variant_states in states.items():
        for key in (*variant_states, *(k for k in base if k not in variant_states)):
            before, after = base.get(key, "pending"), variant_states.get(key, "pending")
            if before != after and (metric is None or key[0] == metric):
                found.append(
                    {
                        "ticket_id": results[name].ticket_id,
                        "metric": key[0],
                        "index": key[1],
                        "baseline": before,
                        "variant": name,
                        "variant_state": after,
                    }
                )
    return found


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
    check_many(timelines)
    if as_of is not None:  # one error, not a failure per ticket
        check_in_range(as_of, "as_of")
    check_flag(overdue, "overdue")
    # Checked here: a wrong policy fails once, not once per ticket.
    policies: dict[str, Policy | PolicySet] = {"baseline": as_policy(baseline, "baseline")}
    for name, given in variants.items():
        policies[name] = as_policy(given, f"variants[{name!r}]")
    records: dict[str, list[dict[str, Any]]] = {name: [] for name in policies}
    changes: list[dict[str, Any]] = []
    failures: list[Failure] = []
    unknown = UnknownEvents()  # every ticket is evaluated once per policy: warn once per value
    for position, item in enumerate(timelines):
        try:
            timeline = item if isinstance(item, Timeline) else Timeline.model_validate(item)
            results = {
                name: evaluate(p, timeline, as_of, unknown_events=unknown)
                for name, p in policies.items()
            }
        except (SlaclockError, ValidationError, ValueError) as exc:
            failures.append(Failure.of(position, item, exc))
            continue
        for name, result in results.items():
            records[name].extend(
                cycle_record(result, cycle)
                for metric_result in result.metrics.values()
                for cycle in metric_result.cycles
            )
        changes.extend(_changes(results, metric))
    unknown.warn()  # on success only: an error must not be replaced by a warning
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
