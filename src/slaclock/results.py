"""Results of an evaluation: cycles, metrics and tickets, as immutable typed values.

Durations are ``timedelta`` in Python and ``*_seconds`` numbers in the JSON form; instants are
aware datetimes (ISO 8601 with offsets in JSON).

>>> from datetime import datetime, timezone
>>> span = Span(start=datetime(2025, 1, 1, 9, tzinfo=timezone.utc),
...             end=datetime(2025, 1, 1, 10, tzinfo=timezone.utc), kind="counted")
>>> span.model_dump(mode="json")
{'start': '2025-01-01T09:00:00Z', 'end': '2025-01-01T10:00:00Z', 'kind': 'counted'}
"""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from typing import Any, Literal, TypeVar

from pydantic import AliasChoices, AwareDatetime, BaseModel, ConfigDict, Field, field_serializer

from slaclock.durations import display_duration

__all__ = [
    "CycleResult",
    "CycleState",
    "MetricResult",
    "Span",
    "SpanKind",
    "ThresholdResult",
    "TicketResult",
]

#: ``pending`` (not started), ``running``, ``paused``, ``met`` (stopped at or before due),
#: ``breached`` (stopped after due), ``overdue`` (not stopped, past due), ``cancelled``, and
#: ``completed`` (stopped, with no target for the ticket's priority).
CycleState = Literal[
    "pending", "running", "paused", "met", "breached", "overdue", "cancelled", "completed"
]
#: ``counted``: the clock ran and the calendar was open; ``closed``: the clock ran but the
#: calendar was closed; ``paused``: the clock was paused.
SpanKind = Literal["counted", "paused", "closed"]

_RESULT = ConfigDict(frozen=True, extra="forbid", serialize_by_alias=True, validate_by_name=True)


_M = TypeVar("_M", bound=BaseModel)


def construct(cls: type[_M], values: dict[str, Any]) -> _M:
    """Build a result from trusted, complete values without validation (the engine's hot path).

    ``values`` must hold every field (it becomes the instance's ``__dict__``). Much cheaper than
    ``model_construct``, which also fills defaults and works out which fields were set. Every
    result of a class shares one set of field names as its ``model_fields_set`` (results are
    frozen; pydantic copies the set when it copies a model).
    """
    instance = _new(cls)
    names = _FIELD_NAMES.get(cls)
    if names is None:
        names = _FIELD_NAMES[cls] = set(cls.model_fields)
    _set_dict(instance, values)
    _set_fields_set(instance, names)
    _set_extra(instance, None)
    _set_private(instance, None)
    return instance


_FIELD_NAMES: dict[type[BaseModel], set[str]] = {}
_new = object.__new__
# The four slots every pydantic model has (BaseModel.__slots__), set through their descriptors:
# a third cheaper than object.__setattr__, which looks each name up on the class first.
_set_dict = BaseModel.__dict__["__dict__"].__set__
_set_fields_set = BaseModel.__dict__["__pydantic_fields_set__"].__set__
_set_extra = BaseModel.__dict__["__pydantic_extra__"].__set__
_set_private = BaseModel.__dict__["__pydantic_private__"].__set__


def _seconds(value: timedelta | None) -> float | None:
    return None if value is None else value.total_seconds()


def _alias(name: str) -> Any:
    return Field(
        default=None,
        serialization_alias=f"{name}_seconds",
        validation_alias=AliasChoices(name, f"{name}_seconds"),
    )


class Span(BaseModel):
    """One piece of a cycle's clock trace: ``[start, end)`` and what the clock did in it.

    >>> from datetime import datetime, timezone
    >>> Span(start=datetime(2025, 1, 1, tzinfo=timezone.utc),
    ...      end=datetime(2025, 1, 2, tzinfo=timezone.utc), kind="closed").duration
    datetime.timedelta(days=1)
    """

    model_config = _RESULT

    start: AwareDatetime
    end: AwareDatetime
    kind: SpanKind

    @property
    def duration(self) -> timedelta:
        """Real time in the span (computed in UTC: Python subtracts two datetimes that share a
        tzinfo by their wall clocks, which is wrong across a DST change)."""
        return self.end.astimezone(timezone.utc) - self.start.astimezone(timezone.utc)


class ThresholdResult(BaseModel):
    """When a warning or escalation threshold is (or would be) reached.

    ``at`` is ``None`` when the cycle stopped, or was cancelled, before reaching it, or is paused
    short of it. ``reached`` is true when ``at`` is at or before the evaluation instant.

    >>> ThresholdResult(name="warn", at=None, reached=False).reached
    False
    """

    model_config = _RESULT

    name: str
    at: AwareDatetime | None
    reached: bool


class CycleResult(BaseModel):
    """One cycle of a metric's clock, as of the evaluation instant.

    ``elapsed`` and ``paused`` are business time on the cycle's calendar; ``remaining`` is
    ``target - elapsed`` (negative once overdue); ``due_at`` is when ``elapsed`` reaches
    ``target`` (projected for a running cycle, ``None`` while paused short of it, or without a
    target); ``breached_at`` equals ``due_at`` once the cycle is breached or overdue.
    ``projected_due_at`` is, for a cycle paused short of its target, the due instant if the clock
    resumed at the evaluation instant (the calendar's ``add(as_of, remaining)``).
    ``actual_elapsed`` and ``actual_paused`` are the same spans in wall-clock time (24x7).

    >>> from datetime import datetime, timezone
    >>> cycle = CycleResult(metric="first_response", index=0, state="met",
    ...     started_at=datetime(2025, 1, 1, 9, tzinfo=timezone.utc), elapsed=timedelta(minutes=20))
    >>> cycle.model_dump(mode="json")["elapsed_seconds"]
    1200.0
    """

    model_config = _RESULT

    metric: str
    index: int
    state: CycleState
    started_at: AwareDatetime
    stopped_at: AwareDatetime | None = None
    due_at: AwareDatetime | None = None
    breached_at: AwareDatetime | None = None
    target: timedelta | None = _alias("target")
    elapsed: timedelta = _alias("elapsed")
    paused: timedelta = _alias("paused")
    remaining: timedelta | None = _alias("remaining")
    overdue_by: timedelta | None = _alias("overdue_by")
    percent_used: float | None = None
    target_spec: str | None = None
    priority: str | None = None
    policy: str | None = None
    policy_version: str | None = None
    calendar: str | None = None
    thresholds: tuple[ThresholdResult, ...] = ()
    events: tuple[int, ...] = ()
    spans: tuple[Span, ...] = ()
    projected_due_at: AwareDatetime | None = None
    actual_elapsed: timedelta = _alias("actual_elapsed")
    actual_paused: timedelta = _alias("actual_paused")

    @field_serializer(
        "target", "elapsed", "paused", "remaining", "overdue_by", "actual_elapsed", "actual_paused"
    )
    def _as_seconds(self, value: timedelta | None) -> float | None:
        return _seconds(value)

    @property
    def is_met(self) -> bool:
        """True when the cycle stopped at or before its due instant."""
        return self.state == "met"

    @property
    def is_breached(self) -> bool:
        """True when the cycle stopped after its due instant or is running past it."""
        return self.state in ("breached", "overdue")


class MetricResult(BaseModel):
    """A metric's cycles; the shortcuts (``state``, ``due_at``, ...) read its latest cycle.

    >>> MetricResult(name="next_response", cycles=()).state
    'pending'
    """

    model_config = _RESULT

    name: str
    cycles: tuple[CycleResult, ...] = ()

    @property
    def current(self) -> CycleResult | None:
        """The latest cycle, or ``None`` before the metric started."""
        return self.cycles[-1] if self.cycles else None

    @property
    def state(self) -> CycleState:
        """The latest cycle's state (``pending`` before the first cycle)."""
        return self.cycles[-1].state if self.cycles else "pending"

    @property
    def due_at(self) -> datetime | None:
        """The latest cycle's due instant."""
        return self.cycles[-1].due_at if self.cycles else None

    @property
    def elapsed(self) -> timedelta | None:
        """The latest cycle's elapsed business time."""
        return self.cycles[-1].elapsed if self.cycles else None

    @property
    def remaining(self) -> timedelta | None:
        """The latest cycle's remaining business time."""
        return self.cycles[-1].remaining if self.cycles else None

    @property
    def breached(self) -> bool:
        """True when any cycle is breached or overdue."""
        return any(cycle.is_breached for cycle in self.cycles)

    @property
    def total_elapsed(self) -> timedelta:
        """Business time counted over all cycles (cancelled ones included).

        >>> from datetime import datetime, timezone
        >>> start = datetime(2025, 1, 1, tzinfo=timezone.utc)
        >>> m = MetricResult(name="next_response", cycles=(
        ...     CycleResult(metric="next_response", index=0, state="met", started_at=start,
        ...                 elapsed=timedelta(minutes=10), paused=timedelta(0)),
        ...     CycleResult(metric="next_response", index=1, state="breached", started_at=start,
        ...                 elapsed=timedelta(minutes=70), paused=timedelta(minutes=5))))
        >>> m.total_elapsed, m.total_paused, m.breached_cycles, m.longest.index
        (datetime.timedelta(seconds=4800), datetime.timedelta(seconds=300), 1, 1)
        """
        return sum((c.elapsed for c in self.cycles), timedelta(0))

    @property
    def total_paused(self) -> timedelta:
        """Business time paused over all cycles."""
        return sum((c.paused or timedelta(0) for c in self.cycles), timedelta(0))

    @property
    def breached_cycles(self) -> int:
        """How many cycles are breached or overdue."""
        return sum(1 for cycle in self.cycles if cycle.is_breached)

    @property
    def longest(self) -> CycleResult | None:
        """The cycle with the most elapsed business time (the earliest of equals), or ``None``.

        Zammad keeps this one as its update-time statistics ("keeps statistics of longest
        exchange").
        """
        if not self.cycles:
            return None
        return max(self.cycles, key=lambda c: (c.elapsed, -c.index))


class TicketResult(BaseModel):
    """Everything about one ticket as of an instant: one :class:`MetricResult` per metric, and
    the facts of the ticket the engine found while replaying its events.

    Metrics are also attributes: ``result.first_response.due_at`` (a metric named like a field
    below is reached through ``result.metrics[name]``). ``policy`` and ``policy_version`` are
    those in force at ``as_of`` (each cycle names its own). ``ignored_events`` counts events
    after ``as_of`` (left out of this evaluation). ``escalation_at`` is the earliest due instant
    among the open cycles of all metrics, past ones included (what Zammad and Znuny store as the
    ticket's ``escalation_at``).

    The ticket's facts as of ``as_of`` (events after it are not looked at), exactly as
    ``docs/semantics/engine.md`` ("Ticket facts") defines them:

    - ``attributes``: the ticket's attributes in force: the timeline's ``attributes``, then the
      ``created`` event's ``attributes`` and ``priority``, then every ``priority_changed`` and
      ``attributes_changed`` in order (a ``None`` value removes an attribute); sorted by name.
    - ``created_at``: the ``created`` event's instant.
    - ``status``: the status after the last event (``new`` unless ``created`` names one).
    - ``solved_at``: when the ticket last moved into ``solved`` or ``closed`` from another
      status, if it is still solved or closed (``None`` once reopened); ``closed_at`` likewise
      for ``closed``. A solve followed by a close keeps the solve's instant.
    - ``public_agent_replies``: ``agent_replied`` events not marked ``public: false``;
      ``reopens``: ``reopened`` events.

    Instants are shown in the result's zone (the policy calendar's), like the cycles'.

    >>> from datetime import datetime, timezone
    >>> result = TicketResult(ticket_id="T-1", policy="support",
    ...     as_of=datetime(2025, 1, 1, tzinfo=timezone.utc),
    ...     metrics={"first_response": MetricResult(name="first_response")})
    >>> result.first_response.state
    'pending'
    """

    model_config = _RESULT

    ticket_id: str
    policy: str | None
    policy_version: str | None = None
    as_of: AwareDatetime
    metrics: dict[str, MetricResult] = Field(default_factory=dict)
    ignored_events: int = 0
    attributes: dict[str, Any] = Field(default_factory=dict)
    created_at: AwareDatetime | None = None
    status: str | None = None
    solved_at: AwareDatetime | None = None
    closed_at: AwareDatetime | None = None
    public_agent_replies: int = 0
    reopens: int = 0
    escalation_at: AwareDatetime | None = None

    def __getattr__(self, name: str) -> Any:
        metrics = self.__dict__.get("metrics")
        if metrics is not None and name in metrics:
            return metrics[name]
        return super().__getattr__(name)  # type: ignore[misc]

    @property
    def solved(self) -> bool:
        """True when the ticket is solved or closed as of ``as_of`` (``solved_at`` is set).

        >>> from datetime import datetime, timezone
        >>> TicketResult(ticket_id="T-1", policy=None, as_of=datetime(2025, 1, 1, tzinfo=timezone.utc),
        ...              status="closed", solved_at=datetime(2025, 1, 1, tzinfo=timezone.utc)).solved
        True
        """
        return self.solved_at is not None

    def cycles(self) -> list[CycleResult]:
        """Every cycle of every metric, in metric order."""
        return [cycle for metric in self.metrics.values() for cycle in metric.cycles]

    def to_table(self) -> str:
        """A readable plain-text table, one row per cycle.

        >>> from datetime import datetime, timezone
        >>> print(TicketResult(ticket_id="T-1", policy="support",
        ...     as_of=datetime(2025, 1, 1, tzinfo=timezone.utc)).to_table())
        ticket T-1 - policy support - as of 2025-01-01T00:00:00+00:00
        (no metrics)
        """
        header = f"ticket {self.ticket_id} - policy {self.policy} - as of {self.as_of.isoformat()}"
        rows = [("metric", "#", "state", "started", "due", "stopped", "elapsed", "remaining")]
        for metric in self.metrics.values():
            if not metric.cycles:
                rows.append((metric.name, "-", "pending", "", "", "", "", ""))
            for cycle in metric.cycles:
                rows.append(
                    (
                        metric.name,
                        str(cycle.index),
                        cycle.state,
                        _short(cycle.started_at),
                        _short(cycle.due_at),
                        _short(cycle.stopped_at),
                        display_duration(cycle.elapsed),
                        "" if cycle.remaining is None else display_duration(cycle.remaining),
                    )
                )
        if len(rows) == 1:
            return header + "\n(no metrics)"
        widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
        lines = ["  ".join(cell.ljust(w) for cell, w in zip(row, widths)).rstrip() for row in rows]
        return "\n".join([header, *lines])

    def __str__(self) -> str:
        return self.to_table()


def _short(value: datetime | None) -> str:
    return "" if value is None else value.strftime("%Y-%m-%d %H:%M%z")
