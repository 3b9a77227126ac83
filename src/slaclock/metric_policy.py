"""The settings of one metric in a policy (:class:`MetricPolicy`): targets per priority,
pause statuses, thresholds, its definition and the options read from the ticket.

>>> MetricPolicy.model_validate({"targets": {"urgent": "1h", "normal": "8h"}}).targets["urgent"].duration
datetime.timedelta(seconds=3600)
"""

from __future__ import annotations

from typing import Any

from pydantic import ConfigDict, Field, field_validator, model_validator

from slaclock._model import ValueModel
from slaclock.metrics import (
    BUILTIN_METRICS,
    NAMED_DEFINITIONS,
    MetricDefinition,
    as_tuple,
    check_unique_names,
)
from slaclock.targets import AnyTarget, Threshold

__all__ = ["MetricPolicy", "UnknownMetric"]

_FROZEN = ConfigDict(frozen=True, extra="forbid")


class UnknownMetric:
    """Stands in for the settings of a metric that is neither built in nor defined: the
    policy passes it to :class:`MetricPolicy`, whose validation reports it at the metric.

    >>> UnknownMetric("frist_response")
    <settings of unknown metric 'frist_response'>
    """

    def __init__(self, name: str) -> None:
        self.name = name
        self.message = (
            f"unknown metric {name!r} with no 'definition' - expected one of "
            f"{sorted(BUILTIN_METRICS)} or a custom metric with a definition"
        )

    def __repr__(self) -> str:
        return f"<settings of unknown metric {self.name!r}>"


class MetricPolicy(ValueModel):
    """One metric in a policy: targets per priority, and options.

    - ``targets``: priority -> :class:`Target`. A priority with no target has no deadline for
      this metric (its cycles are measured but never met or breached: state ``completed``).
    - ``pause_statuses``: replaces the metric's default pause statuses.
    - ``thresholds``: warnings and escalations (see :class:`Threshold`).
    - ``definition``: required for a custom metric, optional to redefine a built-in one; a
      :class:`MetricDefinition` or the name of one of :data:`NAMED_DEFINITIONS`.
    - ``due_from``: a ticket attribute holding the due instant (ServiceNow's "breach on due
      date", a date negotiated in Jira); while the ticket has it, it replaces the target, and a
      change of the attribute moves the due instant.
    - ``start_from``: a ticket attribute holding the instant the clock starts from (ServiceNow's
      "set start to"), read when the cycle starts.
    - ``retroactive_pause``: with ``start_from``, the back-dated span from that instant to the
      cycle's start counts as the metric's pause rules say it ran then (ServiceNow's
      "retroactive pause"): a pause in it pushes the due instant back. Default ``False``: the
      span takes the clock's state at the cycle's start.

    >>> MetricPolicy.model_validate({"targets": {"urgent": "1h"}, "pause_statuses": "pending"}).pause_statuses
    ('pending',)
    >>> MetricPolicy.model_validate({"definition": "zammad_update"}).definition
    'zammad_update'
    >>> MetricPolicy.model_validate({"start_from": "opened_at", "retroactive_pause": True}).retroactive_pause
    True
    """

    model_config = _FROZEN

    targets: dict[str, AnyTarget] = Field(default_factory=dict)
    pause_statuses: tuple[str, ...] | None = None
    thresholds: tuple[Threshold, ...] = ()
    definition: MetricDefinition | str | None = None
    due_from: str | None = None
    start_from: str | None = None
    retroactive_pause: bool = False

    @field_validator("pause_statuses", mode="before")
    @classmethod
    def _statuses(cls, value: Any) -> Any:
        return as_tuple(value)

    @model_validator(mode="before")
    @classmethod
    def _known(cls, value: Any) -> Any:
        if isinstance(value, UnknownMetric):
            raise ValueError(value.message)
        return value

    @field_validator("definition")
    @classmethod
    def _known_name(cls, value: MetricDefinition | str | None) -> MetricDefinition | str | None:
        if isinstance(value, str) and value not in NAMED_DEFINITIONS:
            raise ValueError(
                f"definition: unknown named definition {value!r} - expected one of "
                f"{sorted(NAMED_DEFINITIONS)} or a mapping with 'start' and 'stop'"
            )
        return value

    @model_validator(mode="after")
    def _unique_thresholds(self) -> MetricPolicy:
        check_unique_names("thresholds", [t.name for t in self.thresholds])
        return self

    @model_validator(mode="after")
    def _retroactive_needs_start(self) -> MetricPolicy:
        if self.retroactive_pause and self.start_from is None:
            raise ValueError(
                "retroactive_pause: true without start_from - expected a start_from attribute "
                "(the pause time it counts lies between that instant and the cycle's start)"
            )
        return self
