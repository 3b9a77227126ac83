"""Plots of reports (the ``[plot]`` extra: matplotlib, imported only when a plot is drawn).

Each function returns a ``matplotlib.figure.Figure`` (no pyplot state is touched) and, given
``path``, also saves it as a PNG (or SVG when the path ends in ``.svg``). Every figure has a
title and labelled axes with units; attainment and service-level axes zoom to the data and
the target (a 0-100 % axis would flatten lines between 90 and 100 %), with the target drawn
as a dashed line. Durations in labels use :func:`~slaclock.durations.display_duration`.

>>> from slaclock.synthetic import DEFAULT_POLICY, sample_timelines
>>> from slaclock.whatif import sweep
>>> s = sweep(sample_timelines(), "first_response", "normal", ["10m", "30m", "1h"], baseline=DEFAULT_POLICY)
>>> fig = attainment_curve(s, goal=0.95)
>>> fig.axes[0].get_xlabel(), fig.axes[0].get_ylabel()
('target (hours)', 'attainment (%)')
"""

from __future__ import annotations

import importlib
from collections.abc import Iterable, Mapping
from datetime import timedelta
from pathlib import Path
from typing import Any

from slaclock.bands import BandRule, check_share
from slaclock.batch import Batch
from slaclock.durations import display_duration
from slaclock.errors import ArgumentError
from slaclock.reports import AttainmentReport
from slaclock.servicelevel import ServiceLevelReport
from slaclock.whatif import Sweep

__all__ = [
    "attainment_by_period",
    "attainment_curve",
    "duration_histogram",
    "percent_limits",
    "service_level_by_interval",
]

_HOUR = timedelta(hours=1)


def _figure() -> Any:
    try:
        figure = importlib.import_module("matplotlib.figure")
    except ImportError as exc:  # pragma: no cover - depends on the environment
        raise ImportError("slaclock.plots needs matplotlib: pip install 'slaclock[plot]'") from exc
    return figure.Figure(figsize=(7, 4), layout="constrained")


def _save(fig: Any, path: str | Path | None) -> Any:
    if path is not None:
        svg = str(path).lower().endswith(".svg")
        fig.savefig(path, format="svg" if svg else "png", dpi=100)
    return fig


def percent_limits(
    values: Iterable[float | None], goal: float | None = None
) -> tuple[float, float]:
    """The y-axis range (in %) for shares ``values`` (in %) and a ``goal`` (a share): the data
    and the goal with a margin of a tenth of their spread (at least 2 points), kept in
    [0, 100] plus room for markers at 100 %.

    >>> percent_limits([92.0, 97.5], goal=0.95)
    (90.0, 99.5)
    >>> percent_limits([None])
    (0.0, 102.0)
    """
    points = [v for v in values if v is not None]
    if goal is not None:
        points.append(100 * goal)
    if not points:
        return 0.0, 102.0
    lo, hi = min(points), max(points)
    pad = max(2.0, (hi - lo) / 10)
    return max(0.0, lo - pad), min(102.0, hi + pad)


def _goal_line(ax: Any, goal: float | None, label: str = "target") -> None:
    if goal is not None:
        ax.axhline(100 * goal, color="tab:red", linestyle="--", linewidth=1.2,
                   label=f"{label} {100 * goal:g}%")  # fmt: skip


def attainment_curve(
    sweep: Sweep, *, goal: float | None = None, path: str | Path | None = None
) -> Any:
    """Attainment (%) against the target (hours) of a :func:`~slaclock.whatif.sweep`, with the
    ``goal`` share as a dashed line and the recommended target for it marked; the y axis
    zooms to the data and the goal. Business-day targets (no single duration) are left out.

    >>> from slaclock.synthetic import DEFAULT_POLICY, sample_timelines
    >>> from slaclock.whatif import sweep
    >>> s = sweep(sample_timelines(), "first_response", "urgent", ["1h", "90m"], baseline=DEFAULT_POLICY)
    >>> fig = attainment_curve(s, goal=1.0)  # the one urgent reply took 1h20m
    >>> fig.axes[0].get_legend_handles_labels()[1]
    ['first_response (urgent)', 'goal 100%', 'recommended 1h20m']
    """
    if goal is not None:
        check_share(goal, "goal")
    fig = _figure()
    ax = fig.add_subplot()
    swept = [(row.target, row.attainment) for row in sweep.rows if row.target is not None]
    xs = [target / _HOUR for target, _ in swept]
    ys = [None if share is None else 100 * share for _, share in swept]
    if len(swept) > 1:
        # Between the swept targets the curve is a step function: draw it densely.
        lo, hi = min(t for t, _ in swept), max(t for t, _ in swept)
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
        _goal_line(ax, goal, "goal")
        best = sweep.recommend(goal)
        if best is not None:
            ax.axvline(
                best / _HOUR,
                color="tab:green",
                linestyle=":",
                label=f"recommended {display_duration(best)}",
            )
    ax.set_xlabel("target (hours)")
    ax.set_ylabel("attainment (%)")
    ax.set_ylim(*percent_limits(ys, goal))
    ax.set_title(f"Attainment vs target: {sweep.metric}, {sweep.priority}")
    ax.grid(alpha=0.3)
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
    ``period=...``: one line per group (and metric), with the ``goal`` as a dashed line; the
    y axis zooms to the data and the goal.

    >>> from slaclock.analytics import attainment, evaluate_many
    >>> from slaclock.synthetic import DEFAULT_POLICY, sample_timelines
    >>> batch = evaluate_many(DEFAULT_POLICY, sample_timelines())
    >>> fig = attainment_by_period(attainment(batch, by=(), period="week", metric="first_response"),
    ...                            goal=0.9)
    >>> fig.axes[0].get_xlabel(), fig.axes[0].get_legend_handles_labels()[1]
    ('week (ISO week)', ['first_response', 'goal 90%'])
    """
    if report.period is None:
        raise ArgumentError(
            "attainment_by_period needs a report made with period='day', 'week' or 'month'"
        )
    if goal is not None:
        check_share(goal, "goal")
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
    # Positions, not category names: matplotlib places categories in the order it first sees
    # them, so a group starting later would put its period first.
    position = {p: i for i, p in enumerate(order)}
    for label, values in sorted(lines.items()):
        ax.plot(
            [position[p] for p in order if p in values],
            [values[p] for p in order if p in values],
            marker="o",
            label=label,
        )
    ax.set_xticks(range(len(order)), order)
    _goal_line(ax, goal, "goal")
    ax.set_xlabel(_PERIOD_LABEL[report.period])
    ax.set_ylabel("attainment (%)")
    ax.set_ylim(*percent_limits([v for line in lines.values() for v in line.values()], goal))
    metrics = sorted({row.metric for row in report.rows if metric in (None, row.metric)})
    ax.set_title(
        "Attainment per " + _PERIOD_LABEL[report.period].split(" (")[0]
        + (f": {metrics[0]}" if len(metrics) == 1 else "")
    )  # fmt: skip
    ax.tick_params(axis="x", labelrotation=45)
    ax.grid(alpha=0.3)
    if lines or goal is not None:
        # Beside the axes: with several groups a legend inside would hide their points.
        ax.legend(fontsize="small", loc="upper left", bbox_to_anchor=(1.01, 1))
    return _save(fig, path)


_PERIOD_LABEL = {
    "day": "day (local date)",
    "week": "week (ISO week)",
    "month": "month (calendar month)",
}


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
    ('Business time to first response (high), 2 stopped cycles', ['target 2h'])
    """
    if isinstance(bins, bool) or not isinstance(bins, int) or bins < 1:
        raise ArgumentError(f"bins: {bins!r} - expected a whole number of bins, at least 1")
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
        ax.axvline(
            target / _HOUR,
            color="tab:red",
            linestyle="--",
            label=f"target {display_duration(target)}",
        )
        ax.legend()
    ax.set_xlabel("business time (hours)")
    ax.set_ylabel("cycles (count)")
    ax.set_title(
        f"Business time to {metric.replace('_', ' ')}"
        + ("" if priority is None else f" ({priority})")
        + f", {len(chosen)} stopped cycles"
    )
    ax.grid(alpha=0.3, axis="y")
    return _save(fig, path)


_BAND_COLOURS = {
    "on_target": "tab:green",
    "warning": "gold",
    "act": "tab:orange",
    "all_hands": "tab:red",
}


def service_level_by_interval(
    report: ServiceLevelReport,
    *,
    bands: BandRule | None = None,
    path: str | Path | None = None,
) -> Any:
    """Service level (%) per interval of a :func:`~slaclock.servicelevel.service_level`
    report, as points coloured by their band under ``bands`` (with its target as a dashed line);
    intervals without a figure are left empty. The y axis zooms to the data and the target.

    >>> from datetime import datetime, timedelta, timezone
    >>> from slaclock.servicelevel import Contact, service_level
    >>> t = datetime(2025, 3, 4, 9, tzinfo=timezone.utc)
    >>> calls = [Contact(offered_at=t + timedelta(minutes=m), answered_at=t + timedelta(minutes=m, seconds=s))
    ...          for m, s in ((0, 5), (10, 30), (40, 8))]
    >>> fig = service_level_by_interval(service_level(calls), bands=BandRule(target=0.8))
    >>> fig.axes[0].get_title()
    'Service level per 30min interval (answered within 20s)'
    """
    fig = _figure()
    ax = fig.add_subplot()
    labels = [row.label.split(" ", 1)[-1] for row in report.rows]  # the time part
    values = [None if row.service_level is None else 100 * row.service_level for row in report.rows]
    colours = [
        _BAND_COLOURS.get(
            bands.rate(row.service_level_fraction(), "none") if bands else "", "tab:blue"
        )
        for row in report.rows
    ]
    xs = list(range(len(labels)))
    ax.plot(xs, values, color="grey", linewidth=1, zorder=1)
    ax.scatter(xs, values, c=colours, s=36, zorder=2, edgecolors="black", linewidths=0.5)
    ax.set_xticks(xs, labels, rotation=45, ha="right", fontsize="small")
    goal = None if bands is None else bands.target
    _goal_line(ax, goal)
    ax.set_ylim(*percent_limits(values, goal))
    ax.set_xlabel(f"interval (local time, {report.timezone})")
    ax.set_ylabel("service level (%)")
    ax.set_title(
        f"Service level per {report.interval} interval "
        f"(answered within {display_duration(report.threshold)})"
    )
    ax.grid(alpha=0.3, axis="y")
    handles = []
    if bands is not None:
        line2d = importlib.import_module("matplotlib.lines").Line2D
        shown = set(colours)
        handles = [
            line2d(
                [], [], marker="o", linestyle="", color=colour, markeredgecolor="black", label=band
            )
            for band, colour in _BAND_COLOURS.items()
            if colour in shown
        ]
    if goal is not None:
        ax.legend(
            handles=[*ax.get_legend_handles_labels()[0], *handles],
            fontsize="small",
            loc="upper left",
            bbox_to_anchor=(1.01, 1),
            title=None
            if bands is None
            else f"{'absolute' if bands.scale == 'points' else 'relative'} bands",
        )
    return _save(fig, path)
