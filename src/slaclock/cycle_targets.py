"""Step 3a of the engine: the target and calendar a cycle is measured against.

A metric's target depends on the context a cycle ran in (the policy in force and the ticket's
attributes: its priority, the calendar it picks). :func:`resolve_target` answers once per
context and metric, and derives what every cycle with that target needs (the target in
microseconds, threshold positions, the conventions that move due instants).

>>> from slaclock import Policy
>>> from slaclock.progress import CycleContext
>>> policy = Policy(name="p", metrics={"resolution": {"targets": {"high": "4h"}}})
>>> resolve_target("resolution", CycleContext(policy, {"priority": "high"})).duration_micros
14400000000
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from fractions import Fraction
from functools import lru_cache
from typing import Any

from pydantic_core import to_jsonable_python

from slaclock._tz import timedelta_to_micros, to_micros
from slaclock.calendar import Calendar
from slaclock.compiled_calendar import CompiledCalendar
from slaclock.conventions import Conventions
from slaclock.policy import ALWAYS_OPEN_NAME, DaysTarget, DurationTarget, Target, Threshold
from slaclock.progress import CycleContext
from slaclock.rules import MAX_MEMO, policy_rules

__all__ = ["ResolvedTarget", "business_days_target", "resolve_target", "threshold_position"]

_US = timedelta(microseconds=1)


# ----------------------------------------------------------------------------------------------
# A cycle's target and calendar
@dataclass(frozen=True, slots=True)
class ResolvedTarget:
    """What a metric measures a cycle against, for one policy and the ticket's attributes.

    >>> from slaclock.synthetic import DEFAULT_POLICY
    >>> high = resolve_target("first_response", CycleContext(DEFAULT_POLICY, {"priority": "high"}))
    >>> high.label, high.target_text, high.positions  # the warning at 75 % of 2h: 90 minutes
    ('business', '2h', (('warning', 5400000000),))
    """

    target: Target | None
    calendar: Calendar
    label: str  # the calendar's name as results show it
    compiled: CompiledCalendar
    # Derived once per (policy, metric, priority, calendar) and reused by every cycle:
    target_text: str | None
    duration_micros: int | None  # None for a DaysTarget (it depends on the start)
    duration: timedelta | None
    business_days: int | None  # for a DaysTarget: its number of days
    thresholds: tuple[Threshold, ...]
    # (name, position in the target) of each threshold, for a target in fixed business time.
    positions: tuple[tuple[str, int], ...]
    due_from: str | None = None  # the ticket attribute holding the due instant, if any
    start_from: str | None = None  # the ticket attribute holding the start instant, if any
    moves_due: Conventions | None = None  # the conventions, if they move due instants
    paused_outside_hours: bool = False  # a running cycle reads paused while the calendar is closed
    retroactive_pause: bool = False  # a back-dated start counts by the metric's ClockRecord


def resolve_target(metric: str, context: CycleContext) -> ResolvedTarget:
    """The target and calendar of ``metric`` for the context (memoised per policy value, in
    the memo the context carries: :attr:`slaclock.rules.PolicyRules.targets`).

    >>> from slaclock import Policy
    >>> policy = Policy(name="p", metrics={"resolution": {"targets": {"high": "4h"}}})
    >>> resolved = resolve_target("resolution", CycleContext(policy, {"priority": "high"}))
    >>> resolved.label, resolved.duration
    ('24x7', datetime.timedelta(seconds=14400))
    """
    found: ResolvedTarget | None = context.resolved.get(metric)
    if found is not None:
        return found
    policy = context.policy
    attributes = context.attributes
    key = (
        metric,
        attributes.get("priority"),
        attributes.get(policy.calendar_attribute) if policy.calendar_attribute else None,
    )
    if not (isinstance(key[1], _HASHABLE) and isinstance(key[2], _HASHABLE)):
        return _resolve_uncached(metric, context)  # a list value: the policy names the error
    cache = context.targets
    if cache is None:  # a context built by hand
        cache = policy_rules(policy).targets
    resolved = cache.get(key)
    if resolved is None:
        resolved = _resolve_uncached(metric, context)
        if len(cache) < MAX_MEMO:  # priorities and calendar names are open-ended text
            cache[key] = resolved
    context.resolved[metric] = resolved
    return resolved


_HASHABLE = (str, int, float, bool, type(None))


def _resolve_uncached(metric: str, context: CycleContext) -> ResolvedTarget:
    policy = context.policy
    priority = context.attributes.get("priority")
    config = policy.metrics[metric]
    target = config.targets.get(priority) if priority is not None else None
    name = target.calendar if target is not None else None
    calendar = policy.calendar_named(name, context.attributes)
    if name is None:
        if policy.calendar_attribute is not None and context.attributes.get(
            policy.calendar_attribute
        ):
            label = str(context.attributes[policy.calendar_attribute])
        elif isinstance(policy.calendar, str):
            label = policy.calendar
        else:
            label = "business" if policy.calendar is not None else ALWAYS_OPEN_NAME
    else:
        label = name
    micros = timedelta_to_micros(target.duration) if isinstance(target, DurationTarget) else None
    conventions = policy.conventions_in_force  # kept only when it moves due instants
    return ResolvedTarget(
        target,
        calendar,
        label,
        calendar.compiled,
        None if target is None else _target_text(target),
        micros,
        None if micros is None else _US * micros,
        target.business_days if isinstance(target, DaysTarget) else None,
        config.thresholds,
        ()
        if micros is None
        else tuple((t.name, threshold_position(t, micros)) for t in config.thresholds),
        config.due_from,
        config.start_from,
        conventions if _moves_due(conventions) else None,
        conventions.state_outside_hours == "paused",
        config.retroactive_pause,
    )


def _moves_due(conventions: Conventions) -> bool:
    return (
        conventions.precision is not None
        or conventions.due_at_closing != "close"
        or conventions.due_from_outside_schedule != "keep"
        or conventions.due_from_in_past != "keep"
        or conventions.due_from_missing != "target"
    )


@lru_cache(maxsize=1024)
def _target_text(target: Target) -> str:
    # A target in the policy's own calendar dumps as its text, one with a calendar as a dict.
    # Not `model_dump()`, typed as always a dict: code compiled with mypyc checks that at run time.
    data: Any = to_jsonable_python(target)
    return data if isinstance(data, str) else f"{data['duration']} ({data['calendar']})"


def threshold_position(threshold: Threshold, target: int) -> int:
    """Where in a target of ``target`` microseconds the threshold falls (business time).

    >>> threshold_position(Threshold(name="warn", at_percent=75), 4_000_000)
    3000000
    >>> threshold_position(Threshold(name="late", after_due="1s"), 4_000_000)
    5000000
    """
    if threshold.at_percent is not None:
        exact = Fraction(target) * Fraction(str(threshold.at_percent)) / 100
        return max(0, -(-exact.numerator // exact.denominator))  # ceiling: whole microseconds
    if threshold.before_due is not None:
        return max(0, target - timedelta_to_micros(threshold.before_due))
    assert threshold.after_due is not None
    return target + timedelta_to_micros(threshold.after_due)


def business_days_target(calendar: Calendar, start: int, shown_start: datetime, days: int) -> int:
    """Business time from ``start`` (``shown_start`` as a datetime) to the close of the
    ``days``-th business day after its date: the target of ``days business days``.

    >>> from datetime import timezone
    >>> friday_16 = datetime(2025, 3, 7, 16, tzinfo=timezone.utc)
    >>> micros = business_days_target(Calendar.weekdays("UTC"), to_micros(friday_16), friday_16, 1)
    >>> timedelta(microseconds=micros)  # Friday 16-17, then Monday 9-17
    datetime.timedelta(seconds=32400)
    """
    close = to_micros(calendar.business_day_close(shown_start, days))
    _, open_before_start, open_before_close = calendar.compiled.open_time_between(start, close)
    return open_before_close - open_before_start
