"""Targets and thresholds: how long a cycle may take, and when to warn or escalate.

A target is one of two kinds, told apart when it is validated: a :class:`DurationTarget` (a
duration of business time, or calendar time on ``"24x7"``) or a :class:`DaysTarget` (a number
of business days). Both are written as text or a mapping in a policy file:

>>> Target.model_validate("4h").duration, Target.model_validate("2 business days").business_days
(datetime.timedelta(seconds=14400), 2)
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import timedelta
from typing import Annotated, Any

from pydantic import (
    BeforeValidator,
    ConfigDict,
    Discriminator,
    Field,
    Tag,
    TypeAdapter,
    field_validator,
    model_serializer,
    model_validator,
)

from slaclock._model import ValueModel
from slaclock.calendar import MAX_BUSINESS_DAYS
from slaclock.durations import format_duration, parse_duration

__all__ = ["MAX_AT_PERCENT", "AnyTarget", "DaysTarget", "DurationTarget", "Target", "Threshold"]

#: The largest ``at_percent`` of a threshold (100 times the target).
MAX_AT_PERCENT = 10_000
BUSINESS_DAYS = re.compile(r"\s*(\d+)\s*business\s*days?\s*", re.IGNORECASE)
_FROZEN = ConfigDict(frozen=True, extra="forbid")


class Target(ValueModel):
    """How long a cycle may take: a :class:`DurationTarget` (a duration of business time) or a
    :class:`DaysTarget` (a number of business days). Building a ``Target`` builds the kind the
    data describes; code that needs to know which asks ``isinstance``.

    ``calendar`` is ``None`` for the policy's calendar, ``"24x7"`` for calendar time, or the name
    of one of the policy's ``calendars``. Written as ``"4h"``, ``"PT4H"``, ``"2 business days"``
    or ``{"duration": "4h", "calendar": "24x7"}``.

    >>> Target.model_validate("1h30m").duration
    datetime.timedelta(seconds=5400)
    >>> Target.model_validate("2 business days").business_days
    2
    >>> Target.model_validate({"duration": "4h", "calendar": "24x7"}).model_dump()
    {'duration': '4h', 'calendar': '24x7'}
    >>> type(Target.model_validate("2 business days")).__name__
    'DaysTarget'
    """

    model_config = _FROZEN

    calendar: str | None = None

    def __new__(cls, *args: Any, **data: Any) -> Any:
        # Target(...) builds the variant the data describes (its __init__ then runs as usual).
        if cls is Target:
            return _TARGET.validate_python(data)
        return super().__new__(cls)

    @classmethod
    def model_validate(  # returns the kind the data describes, never a bare Target
        cls,
        obj: Any,
        *,
        strict: bool | None = None,
        from_attributes: bool | None = None,
        context: Any | None = None,
        **options: Any,
    ) -> DurationTarget | DaysTarget:
        """Validate ``obj`` (text or a mapping) into a :class:`DurationTarget` or :class:`DaysTarget`.

        >>> Target.model_validate("PT4H").duration
        datetime.timedelta(seconds=14400)
        """
        if cls is Target:
            return _TARGET.validate_python(
                obj, strict=strict, from_attributes=from_attributes, context=context
            )
        found = super().model_validate(
            obj, strict=strict, from_attributes=from_attributes, context=context, **options
        )
        assert isinstance(found, (DurationTarget, DaysTarget))
        return found

    @model_validator(mode="before")
    @classmethod
    def _from_text(cls, value: Any) -> Any:
        return _target_data(value)

    def _text(self) -> str:
        raise NotImplementedError

    @model_serializer(mode="plain")
    def _to_data(self) -> str | dict[str, Any]:
        text = self._text()
        return text if self.calendar is None else {"duration": text, "calendar": self.calendar}


class DurationTarget(Target):
    """A target of ``duration`` business time on the target's calendar (calendar time on
    ``"24x7"``).

    >>> DurationTarget.model_validate({"duration": "4h", "calendar": "24x7"}).duration
    datetime.timedelta(seconds=14400)
    >>> DurationTarget(duration="0m")
    Traceback (most recent call last):
    ...
    pydantic_core._pydantic_core.ValidationError: 1 validation error for DurationTarget
    ...
    """

    duration: timedelta

    @model_validator(mode="after")
    def _positive(self) -> DurationTarget:
        if self.duration <= timedelta(0):
            raise ValueError(
                f"target duration must be positive: {format_duration(self.duration)!r} - "
                "expected e.g. '4h'"
            )
        return self

    @property
    def business_days(self) -> None:
        """Always ``None``: this target is a duration (see :class:`DaysTarget`)."""
        return None

    def _text(self) -> str:
        return format_duration(self.duration)


class DaysTarget(Target):
    """A target of ``business_days`` business days (1 to 3,660): due at the close of the N-th
    business day after the local date the cycle starts on (see ``Calendar.business_day_close``).

    >>> DaysTarget.model_validate("1 business day").model_dump()
    '1 business day'
    """

    business_days: int = Field(ge=1, le=MAX_BUSINESS_DAYS)

    @property
    def duration(self) -> None:
        """Always ``None``: this target is a number of business days (see :class:`DurationTarget`)."""
        return None

    def _text(self) -> str:
        return f"{self.business_days} business day{'s' if self.business_days != 1 else ''}"


def _target_data(value: Any) -> Any:
    """Target text (``"4h"``, ``"2 business days"``) or a mapping, as the fields of its kind."""
    if isinstance(value, (str, int, timedelta)) and not isinstance(value, bool):
        value = {"duration": value}
    duration = value.get("duration") if isinstance(value, Mapping) else None
    if isinstance(duration, (int, timedelta)) and not isinstance(duration, bool):
        # parse_duration bounds a timedelta or seconds as it bounds text (84,006 days at most)
        return {**value, "duration": parse_duration(duration)}
    if isinstance(value, Mapping) and isinstance(value.get("duration"), str):
        days = BUSINESS_DAYS.fullmatch(value["duration"])
        rest = {k: v for k, v in value.items() if k != "duration"}
        if days:
            return {**rest, "business_days": int(days[1])}
        return {**rest, "duration": parse_duration(value["duration"])}
    return value


def _target_kind(value: Any) -> str:
    """The kind of target ``value`` describes: ``DurationTarget``, ``DaysTarget``, or ``Target``
    for a mapping with both fields or neither (an error). Only looks: the chosen kind parses
    the value and reports its errors. (Tags are class names, like pydantic's union branches:
    an error's location then reads ``targets.high``, not ``targets.high.duration``.)"""
    if isinstance(value, DaysTarget):
        return "DaysTarget"
    if isinstance(value, Mapping):
        given = [key for key in ("duration", "business_days") if key in value]
        if len(given) != 1:
            return "Target"
        if given[0] == "business_days":
            return "DaysTarget"
        value = value["duration"]
    if isinstance(value, str) and BUSINESS_DAYS.fullmatch(value):
        return "DaysTarget"
    return "DurationTarget"


def _neither_kind(value: Any) -> Any:
    raise ValueError(
        "a target needs exactly one of 'duration' or 'business_days' - expected e.g. '4h' "
        "or '2 business days'"
    )


#: A target of either kind, told apart by what it gives (``duration`` or ``business_days``).
AnyTarget = Annotated[
    Annotated[DurationTarget, Tag("DurationTarget")]
    | Annotated[DaysTarget, Tag("DaysTarget")]
    | Annotated[DurationTarget, BeforeValidator(_neither_kind), Tag("Target")],
    Discriminator(_target_kind),
]
_TARGET: TypeAdapter[DurationTarget | DaysTarget] = TypeAdapter(
    AnyTarget, config=ConfigDict(title="Target")
)


class Threshold(ValueModel):
    """A named warning or escalation point of a cycle; exactly one of the three ways to place it.

    - ``at_percent``: when this share of the target has been used (``75`` for 75 %; finite, at
      most ``10000``).
    - ``before_due``: when this much business time remains (``"30m"``).
    - ``after_due``: when the cycle has been overdue for this much business time (``"2h"``).

    Routing data, passed through unchanged on every alert the threshold raises
    (:func:`slaclock.alerts.alerts`): ``notify`` (who to tell, e.g. ``"team-lead"`` or a list)
    and ``level`` (an escalation level number, ``0`` or more).

    >>> Threshold(name="warn", at_percent=75).at_percent
    75.0
    >>> Threshold.model_validate({"name": "escalate", "after_due": "2h"}).after_due
    datetime.timedelta(seconds=7200)
    >>> Threshold.model_validate({"name": "escalate", "after_due": "2h", "notify": "team-lead",
    ...                           "level": 2}).model_dump()
    {'name': 'escalate', 'after_due': '2h', 'notify': 'team-lead', 'level': 2}
    """

    model_config = _FROZEN

    name: str
    at_percent: float | None = Field(default=None, gt=0, le=MAX_AT_PERCENT, allow_inf_nan=False)
    before_due: timedelta | None = None
    after_due: timedelta | None = None
    notify: str | tuple[str, ...] | None = None
    level: int | None = Field(default=None, ge=0)

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
