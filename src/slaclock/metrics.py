"""Metric definitions: conditions over events that start, pause, resume and stop a metric's
clock, and the built-in metrics defined with them.

>>> BUILTIN_METRICS["first_response"].stop
(Condition(event=('agent_replied',), public=True, status=None),)
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Literal

from pydantic import ConfigDict, Field, field_validator, model_validator

from slaclock._model import ValueModel
from slaclock.conventions import DEFINITION_DATA
from slaclock.errors import TimelineError

__all__ = [
    "BUILTIN_METRICS",
    "NAMED_DEFINITIONS",
    "Condition",
    "MetricDefinition",
    "Recurrence",
    "TicketCondition",
    "as_tuple",
    "check_unique_names",
]

#: How a recurring metric's next cycle starts: on its own, or not before the previous one's due.
Recurrence = Literal["independent", "sequential"]

_FROZEN = ConfigDict(frozen=True, extra="forbid")


def as_tuple(value: Any) -> Any:
    """Accept a single string where a list of strings is expected (for field validators).

    >>> as_tuple("pending"), as_tuple(["pending", "on_hold"])
    (('pending',), ['pending', 'on_hold'])
    """
    return (value,) if isinstance(value, str) else value


def check_unique_names(field: str, names: list[str]) -> None:
    """A ``ValueError`` (for model validators) when a name appears twice in ``field``.

    >>> check_unique_names("thresholds", ["warn", "escalate", "warn"])
    Traceback (most recent call last):
    ...
    ValueError: thresholds: names used twice: ['warn'] - expected unique names
    """
    duplicates = sorted({n for n in names if names.count(n) > 1})
    if duplicates:
        raise ValueError(f"{field}: names used twice: {duplicates} - expected unique names")


class Condition(ValueModel):
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
        return as_tuple(value)

    @model_validator(mode="after")
    def _not_empty(self) -> Condition:
        if self.event is None and self.status is None:
            raise ValueError(
                "a condition needs 'event' or 'status' - expected e.g. {'event': 'agent_replied', "
                "'public': true}"
            )
        return self


class TicketCondition(ValueModel):
    """Which tickets a policy (or a metric's ``start_when``/``pause_when``) applies to; every
    field given must hold.

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

    def __hash__(self) -> int:
        # Frozen, but ``attributes`` is a dict: hash the canonical form (metric definitions
        # holding a ticket condition are compiled once per value).
        return hash(self.model_dump_json())

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


def _conditions(value: Any) -> Any:
    if value is None:
        return ()
    if isinstance(value, (str, Mapping)):
        return (value,)
    return value


class MetricDefinition(ValueModel):
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
    - ``recurrence`` (recurring metrics): ``independent`` (default) - each cycle starts when its
      start condition matches; ``sequential`` (Salesforce) - a cycle's clock starts no earlier
      than the previous cycle's due instant.
    - ``start_when``: a :class:`TicketCondition` on the ticket's attributes (group, tags, any
      field) that must hold for a cycle to start, and whose end cancels the open cycle
      (ServiceNow: "cancel when the start conditions are no longer met").
    - ``pause_when``: a :class:`TicketCondition` under which the clock is paused, resuming when
      it no longer holds ("pause while the ticket sits with the vendor group").

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
    recurrence: Recurrence = "independent"
    start_when: TicketCondition | None = None
    pause_when: TicketCondition | None = None

    @field_validator(
        "start", "stop", "pause", "resume", "reset", "cancel", "start_after", mode="before"
    )
    @classmethod
    def _list(cls, value: Any) -> Any:
        return _conditions(value)

    @field_validator("pause_statuses", "count_statuses", mode="before")
    @classmethod
    def _statuses(cls, value: Any) -> Any:
        return as_tuple(value)

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
        if self.recurrence != "independent" and not self.recurring:
            raise ValueError(
                f"recurrence {self.recurrence!r} needs 'recurring': true - a metric that runs "
                "once has no next cycle"
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


#: Metric definitions other helpdesks use, by name (``definition: zammad_update`` in a policy):
#: ``zammad_update`` (Zammad's update time: customer message -> next agent reply),
#: ``zammad_update_legacy`` (older Zammad: restarts at the last contact of either side),
#: ``zendesk_periodic_update`` (between public agent replies, any status) and
#: ``zendesk_pausable_update`` (the same, counting while new, open or on-hold).
NAMED_DEFINITIONS: Mapping[str, MetricDefinition] = {
    name: MetricDefinition.model_validate(data) for name, data in DEFINITION_DATA.items()
}
