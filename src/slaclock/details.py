"""The details ``slaclock explain`` prints under its table: what a table row has no room for.

Per ticket: its escalation instant (the earliest due among open cycles). Per metric with more
than one cycle: totals across cycles. Per cycle: wall-clock time next to business time, and the
projected due instant of a paused cycle.

>>> from datetime import datetime, timedelta, timezone
>>> from slaclock.results import CycleResult, MetricResult, TicketResult
>>> start = datetime(2025, 3, 3, 9, tzinfo=timezone.utc)
>>> cycle = CycleResult(metric="resolution", index=0, state="paused", started_at=start,
...     elapsed=timedelta(hours=1), paused=timedelta(hours=2), actual_elapsed=timedelta(hours=1),
...     actual_paused=timedelta(hours=5), projected_due_at=start + timedelta(hours=9))
>>> result = TicketResult(ticket_id="T-1", policy="p", as_of=start + timedelta(hours=6),
...     metrics={"resolution": MetricResult(name="resolution", cycles=(cycle,))})
>>> print(describe(result))
escalation_at: -
resolution #0: business 1h elapsed, 2h paused; actual 1h elapsed, 5h paused; projected due 2025-03-03T18:00:00+00:00
"""

from __future__ import annotations

from datetime import datetime, timedelta

from slaclock.conventions import Conventions
from slaclock.durations import format_duration
from slaclock.results import TicketResult

__all__ = ["describe", "describe_conventions"]


def _when(value: datetime | None) -> str:
    return "-" if value is None else value.isoformat()


def _time(value: timedelta | None) -> str:
    return "-" if value is None else format_duration(value)


def describe(result: TicketResult) -> str:
    """Lines of details for ``result`` (see the module docstring): the escalation instant,
    totals of a metric with several cycles, and each cycle's business and wall-clock time.

    >>> from datetime import datetime, timezone
    >>> from slaclock.results import MetricResult
    >>> at = datetime(2025, 3, 3, 9, tzinfo=timezone.utc)
    >>> print(describe(TicketResult(ticket_id="T-2", policy="p", as_of=at,
    ...     metrics={"first_response": MetricResult(name="first_response")})))
    escalation_at: -
    """
    lines = [f"escalation_at: {_when(result.escalation_at)}"]
    for metric in result.metrics.values():
        if len(metric.cycles) > 1:
            longest = metric.longest
            lines.append(
                f"{metric.name}: {len(metric.cycles)} cycles, total {_time(metric.total_elapsed)} "
                f"elapsed, {_time(metric.total_paused)} paused, {metric.breached_cycles} breached, "
                f"longest #{'-' if longest is None else longest.index}"
            )
        for cycle in metric.cycles:
            line = (
                f"{cycle.metric} #{cycle.index}: business {_time(cycle.elapsed)} elapsed, "
                f"{_time(cycle.paused)} paused; actual {_time(cycle.actual_elapsed)} elapsed, "
                f"{_time(cycle.actual_paused)} paused"
            )
            if cycle.projected_due_at is not None:
                line += f"; projected due {_when(cycle.projected_due_at)}"
            lines.append(line)
    return "\n".join(lines)


def describe_conventions(conventions: Conventions) -> str:
    """The conventions a ticket was measured under: the preset and every option that differs
    from slaclock's defaults (what ``slaclock explain`` prints last).

    >>> print(describe_conventions(Conventions()))
    conventions: slaclock (the defaults)
    >>> from slaclock.conventions import resolve
    >>> print(describe_conventions(resolve("zammad", {})))
    conventions: zammad (due_at_closing: next_open, precision: 1m, first_response_when_solved: pause, definitions: next_response=zammad_update)
    """
    defaults = Conventions()
    changed = []
    for name in Conventions.model_fields:
        value = getattr(conventions, name)
        if name == "name" or value == getattr(defaults, name):
            continue
        if name == "definitions":
            text = ", ".join(f"{metric}={used}" for metric, used in sorted(value.items()))
        elif isinstance(value, timedelta):
            text = format_duration(value)
        elif hasattr(value, "model_dump"):
            text = str(value.model_dump())
        else:
            text = str(value)
        changed.append(f"{name}: {text}")
    return f"conventions: {conventions.name} ({', '.join(changed) or 'the defaults'})"
