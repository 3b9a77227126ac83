"""SLA policies: metrics, targets per priority, calendars, conditions and policy sets.

A :class:`Policy` loads from plain data::

    {"name": "support", "calendar": {"timezone": "Europe/Berlin", "hours": {"mon": [["09:00", "17:00"]]}},
     "metrics": {"first_response": {"targets": {"urgent": "1h", "high": "4h", "normal": "8h"}},
                 "resolution": {"targets": {"urgent": {"duration": "4h", "calendar": "24x7"},
                                            "normal": "40h"},
                                "pause_statuses": ["pending", "on_hold"]}}}

>>> policy = Policy.model_validate({"name": "support", "metrics": {
...     "first_response": {"targets": {"urgent": "1h", "normal": "8h"}}}})
>>> policy.metrics["first_response"].targets["urgent"].duration
datetime.timedelta(seconds=3600)

The meaning of each metric and option is in ``docs/semantics/engine.md``. Targets and
thresholds live in :mod:`slaclock.targets`, metric definitions in :mod:`slaclock.metrics`, a
metric's settings (:class:`MetricPolicy`) in :mod:`slaclock.metric_policy`; their names are
re-exported here.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import timedelta
from decimal import Decimal
from functools import cached_property
from typing import Any, Literal, cast

from pydantic import (
    ConfigDict,
    Field,
    TypeAdapter,
    ValidationError,
    ValidationInfo,
    field_validator,
    model_validator,
)

from slaclock._model import ValueModel
from slaclock.calendar import ALWAYS_OPEN, MAX_BUSINESS_DAYS, Calendar
from slaclock.conventions import (
    OPTION_NAMES,
    PRESETS,
    ConventionName,
    Conventions,
    DueAtClosing,
    DueFromInPast,
    DueFromMissing,
    DueFromOutsideSchedule,
    FirstResponseWhenSolved,
    Precision,
    StateOutsideHours,
    WorkingDay,
    WorkingWeek,
    check_week_has_day,
    resolve,
    working_time_in_force,
)
from slaclock.durations import parse_duration, uses_days, working_week_length
from slaclock.errors import ArgumentError, DayTargetWarning, PolicyError, warn_caller
from slaclock.metric_policy import MetricPolicy, UnknownMetric
from slaclock.metrics import (
    BUILTIN_METRICS,
    NAMED_DEFINITIONS,
    Condition,
    MetricDefinition,
    TicketCondition,
    check_unique_names,
)
from slaclock.targets import (
    BUSINESS_DAYS,
    MAX_AT_PERCENT,
    DaysTarget,
    DurationTarget,
    Target,
    Threshold,
)

__all__ = [
    "BUILTIN_METRICS",
    "MAX_AT_PERCENT",
    "MAX_BUSINESS_DAYS",
    "Condition",
    "DaysTarget",
    "DurationTarget",
    "MetricDefinition",
    "MetricPolicy",
    "NAMED_DEFINITIONS",
    "Policy",
    "PolicySet",
    "PriorityChange",
    "Reopen",
    "Target",
    "TicketCondition",
    "Threshold",
    "as_policy",
]

#: What happens to a running cycle when the ticket's priority (or policy) changes.
PriorityChange = Literal["recompute", "keep", "restart"]
#: What a reopened ticket does to a metric that stopped when the ticket was solved.
Reopen = Literal["continue", "new_cycle"]

ALWAYS_OPEN_NAME = "24x7"
_FROZEN = ConfigDict(frozen=True, extra="forbid")


# ----------------------------------------------------------------------------------------------
# Policies
class Policy(ValueModel):
    """An SLA policy: a calendar (or several), metrics with targets per priority, and options.

    - ``calendar``: the business-hours calendar targets use by default (a :class:`Calendar`, or
      the name of one of ``calendars``, or ``"24x7"``; default 24x7).
    - ``calendars``: named calendars that targets, or ``calendar_attribute``, refer to.
    - ``calendar_attribute``: a ticket attribute (e.g. ``"region"``) whose value names the
      calendar to use (one of ``calendars``); tickets without it use ``calendar``.
    - ``known_statuses``: the statuses tickets may take besides those the metrics name (pause,
      count and condition statuses) and those slaclock sets itself (``new``, ``open``,
      ``solved``, ``closed``); default: slaclock's words ``new``, ``open``, ``pending``,
      ``on_hold``, ``solved``, ``closed``. Any other status is reported as likely misspelt
      (``slaclock validate --events``, and a :class:`~slaclock.errors.TimelineWarning`).
    - ``priority_change``: ``recompute`` (default), ``keep`` or ``restart``.
    - ``reopen``: ``continue`` (default) or ``new_cycle``.
    - ``conditions``: which tickets the policy applies to, inside a :class:`PolicySet`.
    - ``conventions``: measure like another helpdesk (``zendesk``, ``zammad``, ``jira``,
      ``servicenow``, ``salesforce``; default ``slaclock``): sets the options below to what that
      tool documents. Each option written in the policy overrides the preset:
      ``due_at_closing`` (``close``/``next_open``), ``precision`` (e.g. ``"1m"``, ``"1m ceil"``,
      or ``"exact"``), ``first_response_when_solved`` (``cancel``/``pause``/``continue``),
      ``due_from_outside_schedule`` (``keep``/``next_open``), ``due_from_in_past``
      (``keep``/``start_plus_1s``), ``due_from_missing`` (``target``/``start_plus_1s``),
      ``state_outside_hours`` (``running``/``paused``),
      ``working_day`` (e.g. ``"8h"``: ``d``/``w`` in targets mean working days/weeks) and
      ``working_week`` (working days in such a week, default 5, e.g. ``5.5``; only with a
      working day). The options in force are
      :attr:`conventions_in_force`.

    >>> policy = Policy(name="p", metrics={"first_response": {"targets": {"normal": "8h"}}})
    >>> policy.priority_change, policy.reopen
    ('recompute', 'continue')
    >>> zammad = Policy(name="z", conventions="zammad", precision="exact",
    ...                 metrics={"first_response": {"targets": {"normal": "1h"}}})
    >>> zammad.conventions_in_force.due_at_closing, zammad.conventions_in_force.precision
    ('next_open', None)
    >>> jira = Policy(name="j", conventions="jira", working_day="7h36m", working_week=5.5,
    ...               metrics={"resolution": {"targets": {"normal": "1w"}}})
    >>> # 1w = 5.5 working days of 7h36m = 41.8h = 41h48m
    >>> jira.metrics["resolution"].targets["normal"].duration == timedelta(hours=41, minutes=48)
    True
    """

    model_config = _FROZEN

    name: str
    version: str | None = None
    description: str | None = None
    conditions: TicketCondition | None = None
    calendar: Calendar | str | None = None
    calendars: dict[str, Calendar] = Field(default_factory=dict)
    calendar_attribute: str | None = None
    known_statuses: tuple[str, ...] | None = None
    metrics: dict[str, MetricPolicy]
    priority_change: PriorityChange = "recompute"
    reopen: Reopen = "continue"
    conventions: ConventionName | None = None
    due_at_closing: DueAtClosing | None = None
    precision: Precision | Literal["exact"] | None = None
    first_response_when_solved: FirstResponseWhenSolved | None = None
    due_from_outside_schedule: DueFromOutsideSchedule | None = None
    due_from_in_past: DueFromInPast | None = None
    due_from_missing: DueFromMissing | None = None
    state_outside_hours: StateOutsideHours | None = None
    working_day: WorkingDay | None = None
    working_week: WorkingWeek | None = None

    @field_validator("working_week")
    @classmethod
    def _week_has_day(cls, value: Decimal | None, info: ValidationInfo) -> Decimal | None:
        # Checked when the policy is read (not only when its conventions are resolved), against
        # the working day in force: the policy's own, else its preset's. Skipped when either
        # field failed (its own error is reported).
        if value is None or "working_day" not in info.data or "conventions" not in info.data:
            return value
        day, _ = working_time_in_force(info.data)
        check_week_has_day(None if day is None else parse_duration(day), value)
        return value

    @model_validator(mode="before")
    @classmethod
    def _day_targets(cls, data: Any) -> Any:
        """Read ``d``/``w`` in target texts as working days when a working day is in force;
        otherwise warn about them on business-hours calendars."""
        if not isinstance(data, Mapping) or not isinstance(data.get("metrics"), Mapping):
            return data
        day, week = working_time_in_force(data)
        try:
            working_day = None if day is None else parse_duration(day)
        except (ValueError, TypeError):
            working_day = None  # reported by the field's own validation, which names it
        working_week = _readable_week(week)
        if working_day is not None and working_week is not None:
            try:
                working_week_length(working_day, working_week)
            except ArgumentError:
                working_week = None  # reported by the field's validation
        # A preset that states its reading of "d" (ServiceNow: 24 hours) is a choice, not a slip.
        name = data.get("conventions") or "slaclock"
        preset: Mapping[str, Any] = (
            PRESETS.get(cast(ConventionName, name), {}) if isinstance(name, str) else {}
        )
        day_is_chosen = working_day is not None or "working_day" in preset
        metrics: dict[str, Any] = {}
        for metric, config in data["metrics"].items():
            targets = config.get("targets") if isinstance(config, Mapping) else None
            if not isinstance(targets, Mapping):
                metrics[metric] = config
                continue
            rewritten = {}
            for priority, target in targets.items():
                text = target.get("duration") if isinstance(target, Mapping) else target
                if isinstance(text, str) and not BUSINESS_DAYS.fullmatch(text) and uses_days(text):
                    calendar = target.get("calendar") if isinstance(target, Mapping) else None
                    if working_day is not None:
                        duration = parse_duration(
                            text, working_day=working_day, working_week=working_week
                        )
                        target = (
                            {**target, "duration": duration}
                            if isinstance(target, Mapping)
                            else duration
                        )
                    elif not day_is_chosen and not _always_open(data, calendar):
                        warn_caller(
                            DayTargetWarning(
                                f"metrics.{metric}.targets.{priority}: {text!r} counts 24-hour "
                                "days of business time on a business-hours calendar - write e.g. "
                                "'2 business days', or set working_day (e.g. '8h') to mean "
                                "working days"
                            )
                        )
                rewritten[priority] = target
            metrics[metric] = {**config, "targets": rewritten}
        return {**data, "metrics": metrics}

    @field_validator("metrics", mode="before")
    @classmethod
    def _known_metrics(cls, value: Any) -> Any:
        # Checked before the metrics themselves, so a misspelt metric is reported beside every
        # other error in the policy.
        if not isinstance(value, Mapping):
            return value
        if not value:
            raise ValueError(
                "metrics: a policy needs at least one metric - expected e.g. {'first_response': ...}"
            )
        # An unknown metric becomes an error at its own key (metrics.<name>), reported beside the
        # errors of the other metrics and fields instead of hiding them.
        return {
            name: UnknownMetric(name)
            if name not in BUILTIN_METRICS
            and not (isinstance(config, MetricPolicy) and config.definition is not None)
            and not (isinstance(config, Mapping) and config.get("definition") is not None)
            else config
            for name, config in value.items()
        }

    @model_validator(mode="after")
    def _references(self) -> Policy:
        if ALWAYS_OPEN_NAME in self.calendars:
            raise ValueError(
                f"calendars: {ALWAYS_OPEN_NAME!r} is reserved for calendar time - pick another name"
            )
        known = {ALWAYS_OPEN_NAME, *self.calendars}
        if isinstance(self.calendar, str) and self.calendar not in known:
            raise ValueError(
                f"calendar: unknown calendar {self.calendar!r} - expected one of {sorted(known)}"
            )
        if self.calendar_attribute is not None and not self.calendars:
            raise ValueError(
                f"calendar_attribute {self.calendar_attribute!r} needs named 'calendars' to pick from"
            )
        for metric, config in self.metrics.items():
            for priority, target in config.targets.items():
                if target.calendar is not None and target.calendar not in known:
                    raise ValueError(
                        f"metrics.{metric}.targets.{priority}: unknown calendar "
                        f"{target.calendar!r} - expected one of {sorted(known)}"
                    )
        # Every calendar name resolved here, once: tickets only look them up.
        _ = self._default_calendar
        return self

    @cached_property
    def _calendars_by_name(self) -> dict[str, Calendar]:
        # Every calendar a target may name, "24x7" included (resolved when validated).
        return {ALWAYS_OPEN_NAME: ALWAYS_OPEN, **self.calendars}

    @cached_property
    def _default_calendar(self) -> Calendar:
        # The policy's own calendar (resolved when validated).
        if isinstance(self.calendar, Calendar):
            return self.calendar
        return self._calendars_by_name[self.calendar or ALWAYS_OPEN_NAME]

    @cached_property
    def priorities(self) -> frozenset[str]:
        """Every priority some metric has a target for.

        >>> sorted(Policy(name="p", metrics={"resolution": {"targets": {"low": "5d", "high": "1d"}}}).priorities)
        ['high', 'low']
        """
        return frozenset(p for config in self.metrics.values() for p in config.targets)

    @cached_property
    def conventions_in_force(self) -> Conventions:
        """The convention options in force: defaults, then the preset, then explicit options.

        >>> Policy(name="p", conventions="jira", metrics={"resolution": {}}).conventions_in_force.working_day
        datetime.timedelta(seconds=28800)
        """
        explicit = {k: getattr(self, k) for k in OPTION_NAMES if getattr(self, k) is not None}
        return resolve(self.conventions, explicit)

    def definition(self, metric: str) -> MetricDefinition:
        """The effective definition of ``metric`` (built-in or custom, with this policy's options).

        A built-in metric follows the conventions in force: a preset may give it a named
        definition, and ``first_response_when_solved: pause`` turns the first response's
        cancellation on solving into a pause while solved or closed (``continue``: it just
        drops the cancellation, the clock counting on to the first public reply).

        >>> Policy(name="p", metrics={"resolution": {"pause_statuses": ["pending", "on_hold"]}}
        ...        ).definition("resolution").pause_statuses
        ('pending', 'on_hold')
        >>> paused = Policy(name="p", first_response_when_solved="pause",
        ...                 metrics={"first_response": {}}).definition("first_response")
        >>> paused.cancel, paused.pause_statuses
        ((), ('solved', 'closed'))
        """
        config = self.metrics[metric]
        conventions = self.conventions_in_force
        chosen = config.definition or conventions.definitions.get(metric)
        if isinstance(chosen, str):
            base = NAMED_DEFINITIONS[chosen]
        else:
            base = chosen or BUILTIN_METRICS[metric]
        if config.pause_statuses is not None:
            base = base.model_copy(update={"pause_statuses": config.pause_statuses})
        when_solved = conventions.first_response_when_solved
        if metric == "first_response" and config.definition is None and when_solved != "cancel":
            solved = ("solved", "closed")
            cancel = tuple(c for c in base.cancel if c.status != solved)
            paused = (*base.pause_statuses, *(s for s in solved if s not in base.pause_statuses))
            base = base.model_copy(
                update={"cancel": cancel}
                if when_solved == "continue"
                else {"cancel": cancel, "pause_statuses": paused}
            )
        return base

    def calendar_named(self, name: str | None, attributes: Mapping[str, Any]) -> Calendar:
        """The calendar a target names (``None``: the policy's calendar for this ticket).

        >>> Policy(name="p", metrics={"resolution": {}}).calendar_named(None, {}).timezone
        'UTC'
        """
        if name is not None:
            return self._calendars_by_name[name]  # validated: every target names a known one
        if self.calendar_attribute is not None:
            picked = attributes.get(self.calendar_attribute)
            if picked is not None:
                found = self.calendars.get(picked) if isinstance(picked, str) else None
                if found is None:
                    raise PolicyError(
                        f"ticket attribute {self.calendar_attribute}={picked!r} names no "
                        f"calendar of policy {self.name!r} - expected one of {sorted(self.calendars)}",
                        value=picked,
                    )
                return found
        return self._default_calendar

    def with_target(self, metric: str, priority: str, target: Target | str | timedelta) -> Policy:
        """A copy with one target changed (what-if analysis).

        >>> base = Policy(name="p", metrics={"first_response": {"targets": {"urgent": "1h"}}})
        >>> base.with_target("first_response", "urgent", "2h").metrics["first_response"].targets["urgent"].duration
        datetime.timedelta(seconds=7200)
        """
        data = self.model_dump()
        metric_data = data["metrics"].setdefault(metric, {"targets": {}})
        metric_data["targets"][priority] = self.read_target(target).model_dump()
        return type(self).model_validate(data)

    def read_target(
        self, target: Target | str | timedelta | Mapping[str, Any]
    ) -> DurationTarget | DaysTarget:
        """A target as this policy reads it: under a ``working_day`` (its own or its preset's),
        ``d`` and ``w`` in a duration written as text are working days and weeks, as in the
        policy's own targets (what-if copies and sweeps read their targets here).

        >>> jira = Policy(name="j", conventions="jira", metrics={"resolution": {}})
        >>> jira.read_target("1d").duration, Policy(name="p", metrics={"resolution": {}}).read_target("1d").duration
        (datetime.timedelta(seconds=28800), datetime.timedelta(days=1))
        """
        conventions = self.conventions_in_force
        text = target.get("duration") if isinstance(target, Mapping) else target
        if (
            conventions.working_day is not None
            and isinstance(text, str)
            and not BUSINESS_DAYS.fullmatch(text)
            and uses_days(text)
        ):
            duration = parse_duration(
                text,
                working_day=conventions.working_day,
                working_week=conventions.working_week,
            )
            target = {**target, "duration": duration} if isinstance(target, Mapping) else duration
        return Target.model_validate(target)


_WORKING_WEEK: TypeAdapter[Decimal] = TypeAdapter(WorkingWeek)


def _readable_week(value: Any) -> Decimal | None:
    """A ``working_week`` from raw policy data; ``None`` (the five-day default) when absent or
    unreadable (the field's own validation then reports it, naming the field and value)."""
    if value is None:
        return None
    try:
        return _WORKING_WEEK.validate_python(value)
    except ValidationError:
        return None


def _always_open(data: Mapping[str, Any], calendar: Any) -> bool:
    """Whether a target's calendar (``None``: the policy's) in raw policy data is 24x7."""
    if calendar is None:
        if data.get("calendar_attribute") is not None:
            return False
        calendar = data.get("calendar")
    if calendar is None or calendar == ALWAYS_OPEN_NAME:
        return True
    if isinstance(calendar, str):
        named = data.get("calendars")
        calendar = named.get(calendar) if isinstance(named, Mapping) else None
        if calendar is None:
            return True  # an unknown name: the reference check reports it
    try:
        checked = Calendar.model_validate(calendar)
        return checked == Calendar.always_open(checked.timezone)
    except ValueError:
        return True  # an invalid calendar: its own validation reports it


class PolicySet(ValueModel):
    """An ordered list of policies; a ticket gets the first one whose ``conditions`` match.

    >>> policies = PolicySet(policies=[
    ...     {"name": "vip", "conditions": {"tags_any": ["vip"]}, "metrics": {"resolution": {}}},
    ...     {"name": "default", "metrics": {"resolution": {}}}])
    >>> policies.select({"tags": ["vip"]}).name, policies.select({}).name
    ('vip', 'default')
    """

    model_config = _FROZEN

    policies: tuple[Policy, ...] = Field(min_length=1)

    @model_validator(mode="before")
    @classmethod
    def _from_list(cls, value: Any) -> Any:
        return (
            {"policies": value}
            if isinstance(value, Sequence) and not isinstance(value, str)
            else value
        )

    @model_validator(mode="after")
    def _unique_names(self) -> PolicySet:
        check_unique_names("policies", [p.name for p in self.policies])
        return self

    def select(self, attributes: Mapping[str, Any]) -> Policy | None:
        """The first policy whose conditions match ``attributes`` (``None`` when none does)."""
        for policy in self.policies:
            if policy.conditions is None or policy.conditions.matches(attributes):
                return policy
        return None

    def named(self, name: str | None) -> Policy | None:
        """The policy of the set called ``name`` (``None`` when none is, or for ``None``): the
        policy a result names (``TicketResult.policy``, ``CycleResult.policy``).

        >>> policies = PolicySet(policies=[{"name": "vip", "metrics": {"resolution": {}}},
        ...                                {"name": "default", "metrics": {"resolution": {}}}])
        >>> policies.named("default").name, policies.named("gone")
        ('default', None)
        """
        return next((policy for policy in self.policies if policy.name == name), None)


def as_policy(value: object, where: str = "policy") -> Policy | PolicySet:
    """``value`` as a policy: a :class:`Policy` or :class:`PolicySet` as it is, plain data
    validated (a mapping with a ``policies`` key is a set), anything else an
    :class:`~slaclock.errors.ArgumentError` naming ``where``.

    >>> as_policy({"name": "p", "metrics": {"resolution": {}}}).name
    'p'
    >>> as_policy("policy.yaml")
    Traceback (most recent call last):
    ...
    slaclock.errors.ArgumentError: policy: 'policy.yaml' (str) - expected a Policy, a PolicySet or their data (read a file with slaclock.files.load_policy)
    """
    if isinstance(value, (Policy, PolicySet)):
        return value
    if isinstance(value, Mapping):
        return (PolicySet if "policies" in value else Policy).model_validate(value)
    raise ArgumentError(
        f"{where}: {value!r:.60} ({type(value).__name__}) - expected a Policy, a PolicySet or "
        "their data (read a file with slaclock.files.load_policy)",
        value=value,
    )
