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

The meaning of each metric and option is in ``docs/semantics/engine.md``.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from datetime import timedelta
from functools import cached_property
from typing import Any, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    field_validator,
    model_serializer,
    model_validator,
)

from slaclock._model import ValueModel
from slaclock.calendar import ALWAYS_OPEN, MAX_BUSINESS_DAYS, Calendar
from slaclock.durations import format_duration, parse_duration
from slaclock.errors import PolicyError, TimelineError

__all__ = [
    "BUILTIN_METRICS",
    "MAX_AT_PERCENT",
    "MAX_BUSINESS_DAYS",
    "Condition",
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
#: The largest ``at_percent`` of a threshold (100 times the target).
MAX_AT_PERCENT = 10_000
_BUSINESS_DAYS = re.compile(r"\s*(\d+)\s*business\s*days?\s*", re.IGNORECASE)
_FROZEN = ConfigDict(frozen=True, extra="forbid")


def _as_tuple(value: Any) -> Any:
    """Accept a single string where a list of strings is expected."""
    return (value,) if isinstance(value, str) else value


# ----------------------------------------------------------------------------------------------
# Targets and thresholds
class Target(BaseModel):
    """How long a cycle may take: a ``duration`` of business time, or ``business_days``
    (at most 3,660).

    ``calendar`` is ``None`` for the policy's calendar, ``"24x7"`` for calendar time, or the name
    of one of the policy's ``calendars``. Written as ``"4h"``, ``"PT4H"``, ``"2 business days"``
    or ``{"duration": "4h", "calendar": "24x7"}``.

    >>> Target.model_validate("1h30m").duration
    datetime.timedelta(seconds=5400)
    >>> Target.model_validate("2 business days").business_days
    2
    >>> Target.model_validate({"duration": "4h", "calendar": "24x7"}).model_dump()
    {'duration': '4h', 'calendar': '24x7'}
    """

    model_config = _FROZEN

    duration: timedelta | None = None
    business_days: int | None = Field(default=None, ge=1, le=MAX_BUSINESS_DAYS)
    calendar: str | None = None

    @model_validator(mode="before")
    @classmethod
    def _from_text(cls, value: Any) -> Any:
        if isinstance(value, (str, int, timedelta)) and not isinstance(value, bool):
            value = {"duration": value}
        if isinstance(value, Mapping) and isinstance(value.get("duration"), str):
            days = _BUSINESS_DAYS.fullmatch(value["duration"])
            rest = {k: v for k, v in value.items() if k != "duration"}
            if days:
                return {**rest, "business_days": int(days[1])}
            return {**rest, "duration": parse_duration(value["duration"])}
        return value

    @model_validator(mode="after")
    def _one_kind(self) -> Target:
        if (self.duration is None) == (self.business_days is None):
            raise ValueError(
                "a target needs exactly one of 'duration' or 'business_days' - expected e.g. '4h' "
                "or '2 business days'"
            )
        if self.duration is not None and self.duration <= timedelta(0):
            raise ValueError(
                f"target duration must be positive: {format_duration(self.duration)!r} - "
                "expected e.g. '4h'"
            )
        return self

    @model_serializer(mode="plain")
    def _to_data(self) -> str | dict[str, Any]:
        text = (
            format_duration(self.duration)
            if self.duration is not None
            else f"{self.business_days} business day{'s' if self.business_days != 1 else ''}"
        )
        return text if self.calendar is None else {"duration": text, "calendar": self.calendar}


class Threshold(BaseModel):
    """A named warning or escalation point of a cycle; exactly one of the three ways to place it.

    - ``at_percent``: when this share of the target has been used (``75`` for 75 %; at most
      ``10000``).
    - ``before_due``: when this much business time remains (``"30m"``).
    - ``after_due``: when the cycle has been overdue for this much business time (``"2h"``).

    >>> Threshold(name="warn", at_percent=75).at_percent
    75.0
    >>> Threshold.model_validate({"name": "escalate", "after_due": "2h"}).after_due
    datetime.timedelta(seconds=7200)
    """

    model_config = _FROZEN

    name: str
    at_percent: float | None = Field(default=None, gt=0, le=MAX_AT_PERCENT, allow_inf_nan=False)
    before_due: timedelta | None = None
    after_due: timedelta | None = None

    @field_validator("before_due", "after_due", mode="before")
    @classmethod
    def _duration(cls, value: Any) -> Any:
        return None if value is None else parse_duration(value)

    @model_validator(mode="after")
    def _exactly_one(self) -> Threshold:
        given = [v for v in (self.at_percent, self.before_due, self.after_due) if v is not None]
        if len(given) != 1:
            raise ValueError(
                f"threshold {self.name!r} needs exactly one of 'at_percent', 'before_due', "
                "'after_due' - expected e.g. {'name': 'warn', 'at_percent': 75}"
            )
        for value in (self.before_due, self.after_due):
            if value is not None and value < timedelta(0):
                raise ValueError(
                    f"threshold {self.name!r}: negative offset {value} - expected >= 0"
                )
        return self

    @model_serializer(mode="wrap")
    def _drop_unset(self, handler: Any) -> dict[str, Any]:
        data: dict[str, Any] = handler(self)
        for key in ("before_due", "after_due"):
            value = getattr(self, key)
            data[key] = None if value is None else format_duration(value)
        return {k: v for k, v in data.items() if v is not None}


# ----------------------------------------------------------------------------------------------
# Conditions over events (for metric definitions) and over tickets (for policy selection)
class Condition(BaseModel):
    """Matches an event: its ``event`` kind(s), whether it is ``public``, and the ``status`` the
    ticket moved into with it. Every field given must hold. Written as a mapping, or as a bare
    event kind (``"agent_replied"``).

    ``status`` matches only events that *change* the status into one of the given statuses
    (``created`` sets the initial status).

    >>> Condition.model_validate("customer_replied").event
    ('customer_replied',)
    >>> Condition.model_validate({"status": ["solved", "closed"]}).status
    ('solved', 'closed')
    """

    model_config = _FROZEN

    event: tuple[str, ...] | None = None
    public: bool | None = None
    status: tuple[str, ...] | None = None

    @model_validator(mode="before")
    @classmethod
    def _from_text(cls, value: Any) -> Any:
        return {"event": value} if isinstance(value, str) else value

    @field_validator("event", "status", mode="before")
    @classmethod
    def _listify(cls, value: Any) -> Any:
        return _as_tuple(value)

    @model_validator(mode="after")
    def _not_empty(self) -> Condition:
        if self.event is None and self.status is None:
            raise ValueError(
                "a condition needs 'event' or 'status' - expected e.g. {'event': 'agent_replied', "
                "'public': true}"
            )
        return self


def _conditions(value: Any) -> Any:
    if value is None:
        return ()
    if isinstance(value, (str, Mapping)):
        return (value,)
    return value


class MetricDefinition(BaseModel):
    """What starts, pauses, resumes, stops, resets and cancels a metric's clock.

    - ``start``: a new cycle starts on a matching event when none is open (and, for a
      non-``recurring`` metric, none has run yet); only after one of ``start_after`` has happened
      when that is given.
    - ``stop``: the open cycle stops (met or breached). Required.
    - ``pause`` / ``resume``: events that pause and resume the open cycle.
    - ``reset``: the open cycle is cancelled and a new one starts at the same event.
    - ``cancel``: the open cycle is cancelled (it counts neither as met nor as breached).
    - ``pause_statuses``: the clock is paused while the ticket's status is one of these.
    - ``count_statuses``: when given, the clock counts only while the status is one of these.
    - ``reopenable``: a ``reopened`` event after a stop continues the cycle or starts a new one,
      as the policy's ``reopen`` option says.

    >>> first_reply = MetricDefinition(start=["created"],
    ...                                stop=[{"event": "agent_replied", "public": True}])
    >>> first_reply.recurring
    False
    """

    model_config = _FROZEN

    start: tuple[Condition, ...]
    stop: tuple[Condition, ...]
    pause: tuple[Condition, ...] = ()
    resume: tuple[Condition, ...] = ()
    reset: tuple[Condition, ...] = ()
    cancel: tuple[Condition, ...] = ()
    start_after: tuple[Condition, ...] = ()
    pause_statuses: tuple[str, ...] = ()
    count_statuses: tuple[str, ...] | None = None
    recurring: bool = False
    reopenable: bool = False

    @field_validator(
        "start", "stop", "pause", "resume", "reset", "cancel", "start_after", mode="before"
    )
    @classmethod
    def _list(cls, value: Any) -> Any:
        return _conditions(value)

    @field_validator("pause_statuses", "count_statuses", mode="before")
    @classmethod
    def _statuses(cls, value: Any) -> Any:
        return _as_tuple(value)

    @model_validator(mode="after")
    def _startable_and_stoppable(self) -> MetricDefinition:
        if not self.start:
            raise ValueError(
                "a metric needs at least one 'start' condition - expected e.g. ['created']"
            )
        if not self.stop:
            raise ValueError(
                "a metric needs at least one 'stop' condition - expected e.g. "
                "[{'event': 'agent_replied', 'public': true}]"
            )
        return self


_REPLY = {"event": "agent_replied", "public": True}
_SOLVED = {"status": ["solved", "closed"]}

#: The built-in metrics, defined with the same conditions a custom metric uses.
BUILTIN_METRICS: Mapping[str, MetricDefinition] = {
    name: MetricDefinition.model_validate(data)
    for name, data in {
        # created -> first public agent reply; solving without a reply cancels it.
        "first_response": {"start": "created", "stop": _REPLY, "cancel": _SOLVED},
        # each customer reply that waits for an answer (after the first public agent reply)
        # -> the next public agent reply.
        "next_response": {
            "start": "customer_replied",
            "start_after": _REPLY,
            "stop": _REPLY,
            "cancel": _SOLVED,
            "recurring": True,
        },
        # each public agent reply -> the next one, counting while the ticket is new or open.
        "periodic_update": {
            "start": _REPLY,
            "stop": _REPLY,
            "cancel": _SOLVED,
            "count_statuses": ["new", "open"],
            "recurring": True,
        },
        # created -> solved, counting all time the ticket is not solved.
        "resolution": {"start": "created", "stop": _SOLVED, "reopenable": True},
        # like resolution, but paused while the ticket waits on the customer.
        "requester_wait": {
            "start": "created",
            "stop": _SOLVED,
            "pause_statuses": ["pending"],
            "reopenable": True,
        },
        # counts only while the ticket is new or open (the agents' side of the work).
        "agent_work": {
            "start": "created",
            "stop": _SOLVED,
            "count_statuses": ["new", "open"],
            "reopenable": True,
        },
    }.items()
}


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

    targets: dict[str, Target] = Field(default_factory=dict)
    pause_statuses: tuple[str, ...] | None = None
    thresholds: tuple[Threshold, ...] = ()
    definition: MetricDefinition | None = None

    @field_validator("pause_statuses", mode="before")
    @classmethod
    def _statuses(cls, value: Any) -> Any:
        return _as_tuple(value)

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
        return _as_tuple(value)

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
        unknown = [
            m
            for m, c in value.items()
            if m not in BUILTIN_METRICS
            and not (isinstance(c, MetricPolicy) and c.definition is not None)
            and not (isinstance(c, Mapping) and c.get("definition") is not None)
        ]
        if unknown:
            raise ValueError(
                f"metrics.{unknown[0]}: unknown metric {unknown[0]!r} with no 'definition' - "
                f"expected one of {sorted(BUILTIN_METRICS)} or a custom metric with a definition"
            )
        return value

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
        return self

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
        if name is None:
            if self.calendar_attribute is not None:
                picked = attributes.get(self.calendar_attribute)
                if picked is not None:
                    if not isinstance(picked, str) or picked not in self.calendars:
                        raise PolicyError(
                            f"ticket attribute {self.calendar_attribute}={picked!r} names no "
                            f"calendar of policy {self.name!r} - expected one of {sorted(self.calendars)}",
                            value=picked,
                        )
                    return self.calendars[picked]
            if isinstance(self.calendar, Calendar):
                return self.calendar
            name = self.calendar
        if name is None or name == ALWAYS_OPEN_NAME:
            return ALWAYS_OPEN
        return self.calendars[name]

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
