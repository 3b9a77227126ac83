"""Convention options and presets: measure the way Zendesk, Zammad, Jira, ServiceNow or Salesforce do.

Where helpdesks disagree on a rule, slaclock names the rule as an option of the policy, with its own
choice as the default. A policy's ``conventions:`` key picks a preset that sets every option to
what that tool documents (and nothing else); an option written in the policy overrides the preset.
``docs/comparison.md`` cites the page or test behind every preset value.

>>> zammad = PRESETS["zammad"]
>>> zammad.get("due_at_closing"), zammad.get("precision")
('next_open', '1m')
>>> Conventions().due_at_closing
'close'
>>> PRESETS["jira"]
{'working_day': '8h', 'working_week': 5, 'state_outside_hours': 'paused'}

This module holds the option literals and the preset data; :class:`~slaclock.Policy` resolves
them (``Policy.conventions_in_force``).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import timedelta
from decimal import Decimal
from typing import Annotated, Any, Literal

from pydantic import (
    AfterValidator,
    BeforeValidator,
    ConfigDict,
    Field,
    PlainSerializer,
    ValidationInfo,
    WithJsonSchema,
    field_validator,
    model_serializer,
    model_validator,
)

from slaclock._model import ValueModel
from slaclock.durations import format_duration, parse_duration, working_week_length

__all__ = [
    "DEFINITION_DATA",
    "PRESETS",
    "ConventionName",
    "Conventions",
    "DueAtClosing",
    "DueFromInPast",
    "DueFromMissing",
    "DueFromOutsideSchedule",
    "FirstResponseWhenSolved",
    "Precision",
    "Rounding",
    "StateOutsideHours",
    "WorkingWeek",
    "check_week_has_day",
    "check_working_day",
    "check_working_week",
    "working_time_in_force",
]

#: The presets a policy's ``conventions:`` key names; ``slaclock`` is the default.
ConventionName = Literal["slaclock", "zendesk", "zammad", "jira", "servicenow", "salesforce"]
#: When a target is used up exactly at a closing time: due at that ``close`` or at the ``next_open``.
DueAtClosing = Literal["close", "next_open"]
#: How an instant is brought onto the precision grid: ``floor`` truncates, ``ceil`` rounds up.
Rounding = Literal["floor", "ceil"]
#: What solving or closing a ticket does to a first response still running: ``cancel`` it,
#: ``pause`` it until a reopen, or let it ``continue`` (counting) to the first public reply.
FirstResponseWhenSolved = Literal["cancel", "pause", "continue"]
#: A ``due_from`` instant outside the calendar's hours: ``keep`` it, or due at the ``next_open``.
DueFromOutsideSchedule = Literal["keep", "next_open"]
#: A ``due_from`` instant at or before the cycle's start: ``keep`` it, or due at ``start_plus_1s``.
DueFromInPast = Literal["keep", "start_plus_1s"]
#: A metric with ``due_from`` on a ticket without that attribute: due by the metric's
#: ``target``, or at ``start_plus_1s``.
DueFromMissing = Literal["target", "start_plus_1s"]
#: The state of a running cycle while its calendar is closed at ``as_of``: ``running`` (its
#: clock would count if the calendar were open), or ``paused`` as Jira shows it.
StateOutsideHours = Literal["running", "paused"]

_FROZEN = ConfigDict(frozen=True, extra="forbid")
_HOUR_MICROS = 3_600_000_000
_WEEK_EXPECTED = (
    "expected the number of working days in a week, more than 0 and at most 7, e.g. 5 or 5.5"
)


def check_working_day(value: timedelta | None) -> timedelta | None:
    """A ``working_day`` length, refused unless more than 0 and at most 24 hours.

    >>> check_working_day(timedelta(hours=25))
    Traceback (most recent call last):
    ...
    ValueError: working_day '25h' - expected a length of more than 0 and up to 24h, e.g. '8h'
    """
    if value is not None and not timedelta(0) < value <= timedelta(days=1):
        raise ValueError(
            f"working_day {format_duration(value)!r} - expected a length of more than 0 and up "
            "to 24h, e.g. '8h'"
        )
    return value


def check_working_week(value: Decimal) -> Decimal:
    """A ``working_week`` (working days in a week), refused unless more than 0 and at most 7.

    >>> check_working_week(Decimal("5.5"))
    Decimal('5.5')
    >>> check_working_week(Decimal("8"))
    Traceback (most recent call last):
    ...
    ValueError: working_week 8 - expected the number of working days in a week, more than 0 and at most 7, e.g. 5 or 5.5
    """
    if not 0 < value <= 7:
        raise ValueError(f"working_week {value} - {_WEEK_EXPECTED}")
    return value


def check_week_has_day(working_day: timedelta | None, working_week: Decimal | None) -> None:
    """Refuse a ``working_week`` without a ``working_day`` (``w`` would still be 7 x 24 hours),
    or one whose week, ``working_week`` x ``working_day``, is not whole microseconds.

    >>> check_week_has_day(None, Decimal("5.5"))
    Traceback (most recent call last):
    ...
    ValueError: working_week 5.5 needs a working_day (e.g. '8h') - without one, 'd' is 24 hours and 'w' 7 days
    """
    if working_week is None:
        return
    if working_day is None:
        raise ValueError(
            f"working_week {working_week} needs a working_day (e.g. '8h') - without one, 'd' is "
            "24 hours and 'w' 7 days"
        )
    working_week_length(working_day, working_week)


def _number(value: Any) -> Any:
    # A working week is written as a number (5, 5.5, "5.5"); anything else gets an error that
    # names the field, instead of pydantic's "valid decimal".
    if isinstance(value, bool) or not isinstance(value, (int, float, str, Decimal)):
        raise ValueError(f"working_week {value!r} - {_WEEK_EXPECTED}")
    try:
        number = Decimal(value.strip()) if isinstance(value, str) else Decimal(str(value))
    except ArithmeticError:
        number = Decimal("NaN")
    if not number.is_finite():
        raise ValueError(f"working_week {value!r} - {_WEEK_EXPECTED}")
    return number


def _as_number(value: Decimal) -> int | float:
    # JSON and YAML write a working week as the number it was written as (5, 5.5).
    return int(value) if value == value.to_integral_value() else float(value)


#: The length of a working day (``working_day``, what ``1d`` means where set): a duration
#: (``"8h"``, ``"PT7H36M"``) of more than 0 and at most 24 hours.
WorkingDay = Annotated[
    timedelta,
    BeforeValidator(parse_duration),
    AfterValidator(check_working_day),
]

#: Working days in a working week (``working_week``): a number more than 0 and at most 7,
#: decimals allowed (``5.5``); read exactly (as a ``Decimal``), written back as a number.
WorkingWeek = Annotated[
    Decimal,
    BeforeValidator(_number),
    AfterValidator(check_working_week),
    PlainSerializer(_as_number, when_used="json"),
    WithJsonSchema({"type": "number", "exclusiveMinimum": 0, "maximum": 7}),
]


class Precision(ValueModel):
    """The grid due instants are put on: a ``unit`` that divides an hour, and a ``rounding`` mode.

    Written ``"1m"`` (truncate to the minute), ``"1m ceil"`` or ``{"unit": "1m", "rounding":
    "ceil"}``. The engine rounds the due instant (and so met/breached, which compare the stop with
    it) and a paused cycle's projected due instant; elapsed and remaining business time stay
    exact. See ``docs/semantics/engine.md``.

    >>> Precision.model_validate("1m").unit
    datetime.timedelta(seconds=60)
    >>> Precision.model_validate("1m ceil").model_dump()
    '1m ceil'
    >>> Precision.model_validate("1m").round(90_500_000)  # 1m30.5s, truncated
    60000000
    """

    model_config = _FROZEN

    unit: timedelta
    rounding: Rounding = "floor"

    @model_validator(mode="before")
    @classmethod
    def _from_text(cls, value: Any) -> Any:
        if isinstance(value, str):
            unit, _, rounding = value.strip().partition(" ")
            value = {"unit": unit, **({"rounding": rounding.strip()} if rounding else {})}
        if isinstance(value, Mapping) and isinstance(value.get("unit"), str):
            return {**value, "unit": parse_duration(value["unit"])}
        return value

    @model_validator(mode="after")
    def _divides_an_hour(self) -> Precision:
        micros = self.unit // timedelta(microseconds=1)
        if micros <= 0 or _HOUR_MICROS % micros:
            raise ValueError(
                f"precision unit {format_duration(self.unit)!r} - expected a positive duration "
                "that divides one hour, e.g. '1s' or '1m'"
            )
        return self

    @model_serializer(mode="plain")
    def _to_text(self) -> str:
        unit = format_duration(self.unit)
        return unit if self.rounding == "floor" else f"{unit} {self.rounding}"

    def round(self, micros: int) -> int:
        """An instant or duration in integer microseconds, put on the grid.

        >>> Precision.model_validate("1m ceil").round(60_000_001)
        120000000
        """
        step = self.unit // timedelta(microseconds=1)
        down = micros - micros % step
        return down if self.rounding == "floor" or down == micros else down + step


class Conventions(ValueModel):
    """The convention options in force for a policy, after its preset and explicit options.

    - ``name``: the preset (``slaclock`` when none is named).
    - ``due_at_closing``: ``close`` (default) or ``next_open``.
    - ``precision``: ``None`` (exact, the default) or a :class:`Precision`.
    - ``first_response_when_solved``: ``cancel`` (default), ``pause`` (paused while solved or
      closed, resumed by a reopen) or ``continue`` (counting on through a solve and a reopen
      until the first public agent reply).
    - ``due_from_outside_schedule``: ``keep`` (default: a ``due_from`` instant stands as it is)
      or ``next_open`` (one outside the calendar's hours is due at the next opening).
    - ``due_from_in_past``: ``keep`` (default) or ``start_plus_1s`` (a ``due_from`` instant at
      or before the cycle's start is due one second after the start).
    - ``due_from_missing``: ``target`` (default: without the attribute, the metric's target
      applies) or ``start_plus_1s`` (due one second after the start, as a past instant is).
    - ``state_outside_hours``: ``running`` (default) or ``paused`` (a running cycle whose
      calendar is closed at ``as_of`` is reported ``paused``, as Jira shows it).
    - ``working_day``: ``None`` (``d`` is 24 hours, the default) or the length of a working day
      (``d`` and ``w`` then mean working days and working weeks).
    - ``working_week``: ``None`` (five working days, the default) or the number of working days
      in a working week, more than 0 and at most 7, decimals allowed (Jira's "working days per
      week", e.g. ``5.5``); only with a ``working_day``.
    - ``definitions``: built-in metric -> the name of the :data:`~slaclock.policy.NAMED_DEFINITIONS` entry it uses.

    >>> Conventions(name="zammad", due_at_closing="next_open").first_response_when_solved
    'cancel'
    >>> Conventions(working_day="7h36m", working_week=5.5).working_week
    Decimal('5.5')
    """

    model_config = _FROZEN

    name: ConventionName = "slaclock"
    due_at_closing: DueAtClosing = "close"
    precision: Precision | None = None
    first_response_when_solved: FirstResponseWhenSolved = "cancel"
    due_from_outside_schedule: DueFromOutsideSchedule = "keep"
    due_from_in_past: DueFromInPast = "keep"
    due_from_missing: DueFromMissing = "target"
    state_outside_hours: StateOutsideHours = "running"
    working_day: WorkingDay | None = None
    working_week: WorkingWeek | None = None
    definitions: dict[str, str] = Field(default_factory=dict)

    @field_validator("working_week")
    @classmethod
    def _week_has_day(cls, value: Decimal | None, info: ValidationInfo) -> Decimal | None:
        if "working_day" in info.data:  # else working_day failed, and says so
            check_week_has_day(info.data["working_day"], value)
        return value

    @field_validator("definitions")
    @classmethod
    def _known_definitions(cls, value: dict[str, str]) -> dict[str, str]:
        unknown = sorted(set(value.values()) - set(DEFINITION_DATA))
        if unknown:
            raise ValueError(
                f"definitions: unknown {unknown} - expected one of {sorted(DEFINITION_DATA)}"
            )
        return value


_REPLY = {"event": "agent_replied", "public": True}

#: Metric definitions helpdesks use, by name; a metric picks one with ``definition: <name>``.
DEFINITION_DATA: Mapping[str, Mapping[str, Any]] = {
    # Zammad's update time (since issue zammad/zammad#3140): from the customer's message that
    # waits for an answer, before or after the first agent reply, to the next agent reply; a
    # second customer message does not move it; paused while pending, solved or closed (Zammad
    # suspends escalations in those states and resumes them on reopen).
    "zammad_update": {
        "start": ["created", "customer_replied"],
        "stop": _REPLY,
        "pause_statuses": ["pending", "solved", "closed"],
        "recurring": True,
    },
    # Zendesk's "periodic update": the time between public agent replies, whatever the status.
    "zendesk_periodic_update": {
        "start": _REPLY,
        "stop": _REPLY,
        "cancel": {"status": ["solved", "closed"]},
        "recurring": True,
    },
    # Zendesk's "pausable update": the same, counting only while new, open or on-hold.
    "zendesk_pausable_update": {
        "start": _REPLY,
        "stop": _REPLY,
        "cancel": {"status": ["solved", "closed"]},
        "count_statuses": ["new", "open", "on_hold"],
        "recurring": True,
    },
    # Older Zammad (before #3140): the update clock restarts at the last contact of either side.
    "zammad_update_legacy": {
        "start": "created",
        "reset": ["customer_replied", _REPLY],
        "stop": {"status": ["solved", "closed"]},
        "pause_statuses": ["pending"],
    },
}

#: Each preset's option values, exactly what that tool documents (sources in docs/comparison.md).
PRESETS: Mapping[ConventionName, Mapping[str, Any]] = {
    "slaclock": {},
    # Zendesk documents its update clocks and a first reply time that survives a solve.
    "zendesk": {
        "first_response_when_solved": "continue",
        "definitions": {"periodic_update": "zendesk_periodic_update"},
    },
    "zammad": {
        "due_at_closing": "next_open",
        "precision": "1m",
        "first_response_when_solved": "pause",
        "definitions": {"next_response": "zammad_update"},
    },
    # Jira's time-tracking defaults: 8 hours a day, 5 days a week (sources: docs/comparison.md [J1]).
    "jira": {"working_day": "8h", "working_week": 5, "state_outside_hours": "paused"},
    "servicenow": {
        "working_day": None,
        "due_from_outside_schedule": "next_open",
        "due_from_in_past": "start_plus_1s",
        "due_from_missing": "start_plus_1s",
    },
    "salesforce": {},
}

#: The options a policy may set itself (each overrides its preset).
OPTION_NAMES = (
    "due_at_closing",
    "precision",
    "first_response_when_solved",
    "due_from_outside_schedule",
    "due_from_in_past",
    "due_from_missing",
    "state_outside_hours",
    "working_day",
    "working_week",
)


def _options_in_force(name: ConventionName | None, explicit: Mapping[str, Any]) -> dict[str, Any]:
    # The one place that says which option values are in force: the preset's, then the
    # policy's own (each overrides its preset), as written.
    preset = name or "slaclock"
    values: dict[str, Any] = {"name": preset, **PRESETS[preset]}
    values.update(explicit)
    return values


def working_time_in_force(data: Mapping[str, Any]) -> tuple[Any, Any]:
    """The ``(working_day, working_week)`` in force for raw policy data (a mapping of its
    fields): each the policy's own option when it sets one (not ``None``), else its preset's
    (``conventions``, default ``slaclock``), else ``None``; as written, not yet read (an
    unknown preset name has no options: its own validation reports it).

    >>> working_time_in_force({"conventions": "jira", "working_week": 5.5})  # Jira's 8h day
    ('8h', 5.5)
    >>> working_time_in_force({"working_day": "7h36m"})  # no preset: the default week
    ('7h36m', None)
    """
    name = data.get("conventions")
    explicit = {
        key: data[key] for key in ("working_day", "working_week") if data.get(key) is not None
    }
    known = isinstance(name, str) and name in PRESETS  # else reported by its own validation
    values = _options_in_force(name if known else None, explicit)
    return values.get("working_day"), values.get("working_week")


def resolve(name: ConventionName | None, explicit: Mapping[str, Any]) -> Conventions:
    """The conventions in force: defaults, then the preset ``name``, then ``explicit`` options.

    >>> resolve("zammad", {"precision": "exact"}).precision is None
    True
    >>> resolve("jira", {}).working_day
    datetime.timedelta(seconds=28800)
    >>> resolve("jira", {"working_week": 5.5}).working_week
    Decimal('5.5')
    """
    values = _options_in_force(name, explicit)
    if values.get("precision") == "exact":
        values["precision"] = None
    return Conventions.model_validate(values)
