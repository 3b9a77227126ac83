"""Plots of reports (the ``[plot]`` extra: matplotlib, imported only when a plot is drawn).

Each function returns a ``matplotlib.figure.Figure`` (no pyplot state is touched) and, given
``path``, also saves it as a PNG.

>>> from slaclock.synthetic import DEFAULT_POLICY, sample_timelines
>>> from slaclock.whatif import sweep
>>> s = sweep(sample_timelines(), "first_response", "normal", ["10m", "30m", "1h"], baseline=DEFAULT_POLICY)
>>> fig = attainment_curve(s, goal=0.95)
>>> fig.axes[0].get_xlabel()
'target (hours)'
"""

from __future__ import annotations

import importlib
from collections.abc import Iterable, Mapping
from datetime import timedelta
from pathlib import Path
from typing import Any

from slaclock.analytics import AttainmentReport, Batch
from slaclock.errors import ArgumentError
from slaclock.whatif import Sweep

__all__ = ["attainment_by_period", "attainment_curve", "duration_histogram"]

_HOUR = timedelta(hours=1)


def _figure() -> Any:
    try:
        figure = importlib.import_module("matplotlib.figure")
    except ImportError as exc:  # pragma: no cover - depends on the environment
        raise ImportError("slaclock.plots needs matplotlib: pip install 'slaclock[plot]'") from exc
    return figure.Figure(figsize=(7, 4), layout="constrained")


def _save(fig: Any, path: str | Path | None) -> Any:
    if path is not None:
        fig.savefig(path, format="png", dpi=100)
    return fig


def attainment_curve(
    sweep: Sweep, *, goal: float | None = None, path: str | Path | None = None
) -> Any:
    """Attainment (%) against the target (hours) of a :func:`~slaclock.whatif.sweep`, with the
    ``goal`` share as a horizontal line and the recommended target for it marked.

    >>> from slaclock.synthetic import DEFAULT_POLICY, sample_timelines
    >>> from slaclock.whatif import sweep
    >>> s = sweep(sample_timelines(), "first_response", "urgent", ["1h", "90m"], baseline=DEFAULT_POLICY)
    >>> fig = attainment_curve(s, goal=1.0)  # the one urgent reply took 1h20m
    >>> fig.axes[0].get_legend_handles_labels()[1]
    ['first_response (urgent)', 'goal 100%', 'recommended 1:20:00']
    """
    fig = _figure()
    ax = fig.add_subplot()
    xs = [row.target / _HOUR for row in sweep.rows]
    ys = [None if row.attainment is None else 100 * row.attainment for row in sweep.rows]
    if len(sweep.rows) > 1:
        # Between the swept targets the curve is a step function: draw it densely.
        lo, hi = min(row.target for row in sweep.rows), max(row.target for row in sweep.rows)
        dense = [lo + (hi - lo) * i / 200 for i in range(201)]
        shares = [sweep.at(t).attainment for t in dense]
        ax.plot(
            [t / _HOUR for t in dense],
            [None if a is None else 100 * a for a in shares],
            color="tab:blue",
            linewidth=1,
        )
    ax.plot(xs, ys, "o", color="tab:blue", label=f"{sweep.metric} ({sweep.priority})")
    if goal is not None:
        ax.axhline(100 * goal, color="grey", linestyle="--", label=f"goal {100 * goal:g}%")
        best = sweep.recommend(goal)
        if best is not None:
            ax.axvline(best / _HOUR, color="tab:red", linestyle=":", label=f"recommended {best}")
    ax.set_xlabel("target (hours)")
    ax.set_ylabel("attainment (%)")
    ax.set_ylim(0, 105)
    ax.set_title(f"Attainment vs target: {sweep.metric}, {sweep.priority}")
    ax.legend(loc="lower right")
    return _save(fig, path)


def attainment_by_period(
    report: AttainmentReport,
    *,
    goal: float | None = None,
    metric: str | None = None,
    path: str | Path | None = None,
) -> Any:
    """Attainment (%) per period of an :func:`~slaclock.analytics.attainment` report made with
    ``period=...``: one line per group (and metric), with the ``goal`` line.

    >>> from slaclock.analytics import attainment, evaluate_many
    >>> from slaclock.synthetic import DEFAULT_POLICY, sample_timelines
    >>> batch = evaluate_many(DEFAULT_POLICY, sample_timelines())
    >>> fig = attainment_by_period(attainment(batch, by=(), period="week", metric="first_response"),
    ...                            goal=0.9)
    >>> fig.axes[0].get_xlabel(), fig.axes[0].get_legend_handles_labels()[1]
    ('week', ['first_response', 'goal 90%'])
    """
    if report.period is None:
        raise ArgumentError(
            "attainment_by_period needs a report made with period='day', 'week' or 'month'"
        )
    fig = _figure()
    ax = fig.add_subplot()
    lines: dict[str, dict[str, float]] = {}
    periods: set[str] = set()
    for row in report.rows:
        if (metric is not None and row.metric != metric) or row.attainment is None:
            continue
        *group, period = row.key
        label = " ".join(str(v) for v in (*group, row.metric))
        lines.setdefault(label, {})[str(period)] = 100 * row.attainment
        periods.add(str(period))
    order = sorted(periods)
    for label, values in sorted(lines.items()):
        ax.plot(
            [p for p in order if p in values],
            [values[p] for p in order if p in values],
            marker="o",
            label=label,
        )
    if goal is not None:
        ax.axhline(100 * goal, color="grey", linestyle="--", label=f"goal {100 * goal:g}%")
    ax.set_xlabel(report.period)
    ax.set_ylabel("attainment (%)")
    ax.set_ylim(0, 105)
    ax.tick_params(axis="x", labelrotation=45)
    ax.legend(fontsize="small")
    return _save(fig, path)


def duration_histogram(
    batch: Batch | Iterable[Mapping[str, Any]],
    metric: str,
    *,
    priority: str | None = None,
    target: timedelta | None = None,
    bins: int = 30,
    path: str | Path | None = None,
) -> Any:
    """Histogram of the business-time durations (hours) of ``metric``'s stopped cycles (of
    ``priority``), with ``target`` marked (default: the cycles' own target when they share one).

    >>> from slaclock.analytics import evaluate_many
    >>> from slaclock.synthetic import DEFAULT_POLICY, sample_timelines
    >>> fig = duration_histogram(evaluate_many(DEFAULT_POLICY, sample_timelines()),
    ...                          "first_response", priority="high")
    >>> fig.axes[0].get_title(), fig.axes[0].get_legend_handles_labels()[1]
    ('first_response (high)', ['target 2:00:00'])
    """
    records = batch.records if isinstance(batch, Batch) else list(batch)
    chosen = [
        r
        for r in records
        if r["metric"] == metric
        and (priority is None or r["priority"] == priority)
        and r["state"] in ("met", "breached", "completed")
    ]
    if not chosen:
        raise ArgumentError(
            f"no stopped cycles of metric {metric!r}"
            + ("" if priority is None else f" and priority {priority!r}")
            + " - expected a metric and priority present in the batch"
        )
    if target is None:
        targets = {r["target"] for r in chosen}
        target = targets.pop() if len(targets) == 1 else None
    fig = _figure()
    ax = fig.add_subplot()
    ax.hist([r["elapsed"] / _HOUR for r in chosen], bins=bins, color="tab:blue", alpha=0.8)
    if target is not None:
        ax.axvline(target / _HOUR, color="tab:red", linestyle="--", label=f"target {target}")
        ax.legend()
    ax.set_xlabel("business time (hours)")
    ax.set_ylabel("cycles")
    ax.set_title(f"{metric}" + ("" if priority is None else f" ({priority})"))
    return _save(fig, path)
