"""Policy variants for what-if analysis: changed, validated copies; nothing is mutated.

>>> from slaclock.synthetic import DEFAULT_POLICY
>>> faster = variant(DEFAULT_POLICY, targets={"first_response": {"urgent": "2h"}})
>>> str(faster.metrics["first_response"].targets["urgent"].duration), str(DEFAULT_POLICY.metrics["first_response"].targets["urgent"].duration)
('2:00:00', '1:00:00')
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import timedelta

from slaclock.calendar import Calendar
from slaclock.errors import ArgumentError
from slaclock.policy import Policy, PriorityChange, Target

__all__ = ["variant"]


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

    ``targets`` maps metric -> priority -> new target (a priority the policy has a target for
    in some metric: an unknown one is a typo, an error); ``calendar`` replaces the policy's
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
            if priority not in policy.priorities:
                raise ArgumentError(
                    f"targets.{metric}: unknown priority {priority!r} for policy "
                    f"{policy.name!r} - expected one of {sorted(policy.priorities)}"
                )
            metric_data.setdefault("targets", {})[priority] = policy.read_target(
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
