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
thresholds live in :mod:`slaclock.targets`, metric definitions in :mod:`slaclock.metrics`; their
names are re-exported here.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import timedelta
from functools import cached_property
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, PrivateAttr, field_validator, model_validator

from slaclock._model import ValueModel
from slaclock.calendar import ALWAYS_OPEN, MAX_BUSINESS_DAYS, Calendar
from slaclock.errors import PolicyError, TimelineError
from slaclock.metrics import BUILTIN_METRICS, Condition, MetricDefinition, as_tuple
from slaclock.targets import (
    MAX_AT_PERCENT,
    AnyTarget,
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
    "Policy",
    "PolicySet",
    "PriorityChange",
    "Reopen",
    "Target",
    "TicketCondition",
    "Threshold",
]

#: What happens to a running cycle when the ticket's priority (or policy) changes.
PriorityChange = Literal["recompute", "keep", "restart"]
#: What a reopened ticket does to a metric that stopped when the ticket was solved.
Reopen = Literal["continue", "new_cycle"]

ALWAYS_OPEN_NAME = "24x7"
_FROZEN = ConfigDict(frozen=True, extra="forbid")


class _UnknownMetric:
    """Stands in for the settings of a metric that is neither built in nor defined."""

    def __init__(self, name: str) -> None:
        self.name = name
        self.message = (
            f"unknown metric {name!r} with no 'definition' - expected one of "
            f"{sorted(BUILTIN_METRICS)} or a custom metric with a definition"
        )

    def __repr__(self) -> str:
        return f"<settings of unknown metric {self.name!r}>"


class MetricPolicy(BaseModel):
    """One metric in a policy: targets per priority, and options.

    - ``targets``: priority -> :class:`Target`. A priority with no target has no deadline for
      this metric (its cycles are measured but never met or breached: state ``completed``).
    - ``pause_statuses``: replaces the metric's default pause statuses.
    - ``thresholds``: warnings and escalations (see :class:`Threshold`).
    - ``definition``: required for a custom metric, optional to redefine a built-in one.

    >>> MetricPolicy.model_validate({"targets": {"urgent": "1h"}, "pause_statuses": "pending"}).pause_statuses
    ('pending',)
    """

    model_config = _FROZEN

    targets: dict[str, AnyTarget] = Field(default_factory=dict)
    pause_statuses: tuple[str, ...] | None = None
    thresholds: tuple[Threshold, ...] = ()
    definition: MetricDefinition | None = None

    @field_validator("pause_statuses", mode="before")
    @classmethod
    def _statuses(cls, value: Any) -> Any:
        return as_tuple(value)

    @model_validator(mode="before")
    @classmethod
    def _known(cls, value: Any) -> Any:
        if isinstance(value, _UnknownMetric):
            raise ValueError(value.message)
        return value

    @model_validator(mode="after")
    def _unique_thresholds(self) -> MetricPolicy:
        names = [t.name for t in self.thresholds]
        duplicates = sorted({n for n in names if names.count(n) > 1})
        if duplicates:
            raise ValueError(f"thresholds: names used twice: {duplicates} - expected unique names")
        return self


class TicketCondition(BaseModel):
    """Which tickets a policy applies to; every field given must hold.

    ``priority``, ``group``, ``channel`` and each entry of ``attributes`` match by equality with
    one value or membership in a list. ``tags_any``: at least one of these tags;
    ``tags_all``: all of them; ``tags_none``: none of them.

    >>> cond = TicketCondition(priority=["urgent", "high"], tags_any=["vip"])
    >>> cond.matches({"priority": "high", "tags": ["vip", "eu"]})
    True
    >>> cond.matches({"priority": "low", "tags": ["vip"]})
    False
    """

    model_config = _FROZEN

    priority: tuple[str, ...] | None = None
    group: tuple[str, ...] | None = None
    channel: tuple[str, ...] | None = None
    tags_any: tuple[str, ...] | None = None
    tags_all: tuple[str, ...] | None = None
    tags_none: tuple[str, ...] | None = None
    attributes: dict[str, tuple[Any, ...]] = Field(default_factory=dict)

    @field_validator(
        "priority", "group", "channel", "tags_any", "tags_all", "tags_none", mode="before"
    )
    @classmethod
    def _listify(cls, value: Any) -> Any:
        return as_tuple(value)

    @field_validator("attributes", mode="before")
    @classmethod
    def _listify_values(cls, value: Any) -> Any:
        if not isinstance(value, Mapping):
            return value
        return {k: tuple(v) if isinstance(v, (list, tuple)) else (v,) for k, v in value.items()}

    def matches(self, attributes: Mapping[str, Any]) -> bool:
        """Whether a ticket with these attributes satisfies every condition given."""
        for key in ("priority", "group", "channel"):
            wanted = getattr(self, key)
            if wanted is not None and attributes.get(key) not in wanted:
                return False
        tags = attributes.get("tags") or ()
        if isinstance(tags, str):
            tags = {tags}
        elif isinstance(tags, (list, tuple, set, frozenset)):
            tags = set(tags)
        else:
            raise TimelineError(
                f"ticket attribute tags={tags!r} - expected a list of tags such as ['vip']",
                value=tags,
            )
        if self.tags_any is not None and not tags.intersection(self.tags_any):
            return False
        if self.tags_all is not None and not tags.issuperset(self.tags_all):
            return False
        if self.tags_none is not None and tags.intersection(self.tags_none):
            return False
        return all(attributes.get(key) in values for key, values in self.attributes.items())


# ----------------------------------------------------------------------------------------------
# Policies
class Policy(ValueModel):
    """An SLA policy: a calendar (or several), metrics with targets per priority, and options.

    - ``calendar``: the business-hours calendar targets use by default (a :class:`Calendar`, or
      the name of one of ``calendars``, or ``"24x7"``; default 24x7).
    - ``calendars``: named calendars that targets, or ``calendar_attribute``, refer to.
    - ``calendar_attribute``: a ticket attribute (e.g. ``"region"``) whose value names the
      calendar to use (one of ``calendars``); tickets without it use ``calendar``.
    - ``priority_change``: ``recompute`` (default), ``keep`` or ``restart``.
    - ``reopen``: ``continue`` (default) or ``new_cycle``.
    - ``conditions``: which tickets the policy applies to, inside a :class:`PolicySet`.

    >>> policy = Policy(name="p", metrics={"first_response": {"targets": {"normal": "8h"}}})
    >>> policy.priority_change, policy.reopen
    ('recompute', 'continue')
    """

    model_config = _FROZEN

    name: str
    version: str | None = None
    description: str | None = None
    conditions: TicketCondition | None = None
    calendar: Calendar | str | None = None
    calendars: dict[str, Calendar] = Field(default_factory=dict)
    calendar_attribute: str | None = None
    metrics: dict[str, MetricPolicy]
    priority_change: PriorityChange = "recompute"
    reopen: Reopen = "continue"

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
            name: _UnknownMetric(name)
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
        self._calendars_by_name = {ALWAYS_OPEN_NAME: ALWAYS_OPEN, **self.calendars}
        self._default_calendar = (
            self.calendar
            if isinstance(self.calendar, Calendar)
            else self._calendars_by_name[self.calendar or ALWAYS_OPEN_NAME]
        )
        return self

    # The calendars by name ("24x7" included) and the default one, resolved on validation.
    _calendars_by_name: dict[str, Calendar] = PrivateAttr()
    _default_calendar: Calendar = PrivateAttr()

    @cached_property
    def priorities(self) -> frozenset[str]:
        """Every priority some metric has a target for.

        >>> sorted(Policy(name="p", metrics={"resolution": {"targets": {"low": "5d", "high": "1d"}}}).priorities)
        ['high', 'low']
        """
        return frozenset(p for config in self.metrics.values() for p in config.targets)

    def definition(self, metric: str) -> MetricDefinition:
        """The effective definition of ``metric`` (built-in or custom, with this policy's options).

        >>> Policy(name="p", metrics={"resolution": {"pause_statuses": ["pending", "on_hold"]}}
        ...        ).definition("resolution").pause_statuses
        ('pending', 'on_hold')
        """
        config = self.metrics[metric]
        base = config.definition or BUILTIN_METRICS[metric]
        if config.pause_statuses is not None:
            base = base.model_copy(update={"pause_statuses": config.pause_statuses})
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
        metric_data["targets"][priority] = Target.model_validate(target).model_dump()
        return type(self).model_validate(data)


class PolicySet(BaseModel):
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
        names = [p.name for p in self.policies]
        duplicates = sorted({n for n in names if names.count(n) > 1})
        if duplicates:
            raise ValueError(f"policies: names used twice: {duplicates} - expected unique names")
        return self

    def select(self, attributes: Mapping[str, Any]) -> Policy | None:
        """The first policy whose conditions match ``attributes`` (``None`` when none does)."""
        for policy in self.policies:
            if policy.conditions is None or policy.conditions.matches(attributes):
                return policy
        return None
