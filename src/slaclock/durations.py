"""Reading and writing durations the way people write them.

Accepted: ``"4h"``, ``"30m"``, ``"1h30m"``, ``"1h 30m"``, ``"90s"``, ``"2d"`` (2 x 24 hours),
``"1.5h"``, ``"4 hours"``, ``"30 minutes"``, ISO 8601 (``"PT4H"``, ``"P1DT2H30M"``), a
``timedelta``, or an ``int`` number of seconds. A leading ``-`` makes a negative duration.
Each unit may appear once (``"1h 1h"`` is refused, not read as two hours), and a leading
capital ``M`` (``"1M"``: a month?) is refused as ambiguous; ``m``/``min`` are minutes.
A duration longer than the supported range of instants (84,006 days, see
``docs/reference/limits.md``) is an :class:`~slaclock.errors.OutOfRangeError`.
Given a ``working_day`` length, days and weeks are working days and working weeks of
``working_week`` working days, five unless told (Jira's time-tracking reading: ``"1d"`` is 8
hours, ``"1w"`` 40 hours; with 5.5 days of 7.6 hours, ``"1w"`` is 41h48m).

>>> parse_duration("1h30m")
datetime.timedelta(seconds=5400)
>>> format_duration(parse_duration("PT1H30M"))
'1h30m'
"""

from __future__ import annotations

import re
from datetime import timedelta
from decimal import Decimal, InvalidOperation

from slaclock._tz import MAX_DURATION, timedelta_to_micros
from slaclock.errors import ArgumentError, DurationSyntaxError, OutOfRangeError, value_text

__all__ = [
    "WORKING_DAYS_PER_WEEK",
    "display_duration",
    "format_duration",
    "parse_duration",
    "round_for_display",
    "uses_days",
    "working_week_length",
]

#: Working days in a working week when ``d``/``w`` mean working days and no ``working_week``
#: is given (Jira's default).
WORKING_DAYS_PER_WEEK = 5

_UNIT_MICROS = {
    "w": 7 * 86_400_000_000,
    "d": 86_400_000_000,
    "h": 3_600_000_000,
    "m": 60_000_000,
    "s": 1_000_000,
    "ms": 1_000,
    "us": 1,
}
_UNIT_ALIASES = {
    "w": "w", "wk": "w", "wks": "w", "week": "w", "weeks": "w",
    "d": "d", "day": "d", "days": "d",
    "h": "h", "hr": "h", "hrs": "h", "hour": "h", "hours": "h",
    "m": "m", "min": "m", "mins": "m", "minute": "m", "minutes": "m",
    "s": "s", "sec": "s", "secs": "s", "second": "s", "seconds": "s",
    "ms": "ms", "millisecond": "ms", "milliseconds": "ms",
    "us": "us", "microsecond": "us", "microseconds": "us",
}  # fmt: skip
_UNIT_NAMES = {
    "w": "weeks", "d": "days", "h": "hours", "m": "minutes", "s": "seconds",
    "ms": "milliseconds", "us": "microseconds",
}  # fmt: skip
_PART = re.compile(r"\s*(\d+(?:\.\d+)?)\s*([a-z]+)\s*")
_ISO = re.compile(
    r"P(?:(?P<w>\d+(?:\.\d+)?)W)?(?:(?P<d>\d+(?:\.\d+)?)D)?"
    r"(?:T(?:(?P<h>\d+(?:\.\d+)?)H)?(?:(?P<m>\d+(?:\.\d+)?)M)?(?:(?P<s>\d+(?:\.\d+)?)S)?)?"
)
_EXPECTED = "expected e.g. '4h', '30m', '1h30m', '90s' or ISO 8601 'PT4H'"
_MAX_MICROS = timedelta_to_micros(MAX_DURATION)
# Longer text cannot be a duration of at most 84,006 days (and would cost time to read).
_MAX_TEXT = 200


def _bounded(micros: int, value: object) -> timedelta:
    """The timedelta of ``micros``, refused when longer than :data:`MAX_DURATION`."""
    if abs(micros) > _MAX_MICROS:
        raise OutOfRangeError(
            f"duration too long: {value_text(value)} - expected at most {MAX_DURATION.days} days "
            "(the length of the supported range of instants)",
            value=value,
        )
    return timedelta(microseconds=micros)


def working_week_length(
    working_day: timedelta, working_week: Decimal | int = WORKING_DAYS_PER_WEEK
) -> timedelta:
    """The length of a working week: ``working_week`` working days (decimals allowed) of
    ``working_day`` each, in whole microseconds.

    >>> working_week_length(timedelta(hours=8))  # five days of 8 hours: 40h
    datetime.timedelta(days=1, seconds=57600)
    >>> format_duration(working_week_length(timedelta(hours=7, minutes=36), Decimal("5.5")))
    '41h48m'
    >>> working_week_length(timedelta(hours=8), Decimal("0.1234567891"))
    Traceback (most recent call last):
    ...
    slaclock.errors.ArgumentError: working_week 0.1234567891 x working_day '8h' - expected a working week of whole microseconds
    """
    micros = Decimal(working_week) * timedelta_to_micros(working_day)
    if micros != micros.to_integral_value():
        raise ArgumentError(
            f"working_week {working_week} x working_day {format_duration(working_day)!r} - "
            "expected a working week of whole microseconds",
            value=working_week,
        )
    return timedelta(microseconds=int(micros))


def _micros(number: str, unit: str, text: str, working: tuple[int, int] | None = None) -> int:
    # ``working``: the microseconds of a working day and of a working week, when d/w mean them.
    scale = _UNIT_MICROS[unit]
    if working is not None and unit in ("d", "w"):
        scale = working[0] if unit == "d" else working[1]
    try:
        amount = Decimal(number) * scale
    except InvalidOperation as exc:  # pragma: no cover - the regexes only pass numbers
        raise DurationSyntaxError(
            f"unreadable duration: {text!r} - {_EXPECTED}", value=text
        ) from exc
    if amount != amount.to_integral_value():
        raise DurationSyntaxError(
            f"duration finer than a microsecond: {text!r} - expected whole microseconds", value=text
        )
    return int(amount)


def parse_duration(
    value: str | timedelta | int,
    *,
    working_day: timedelta | None = None,
    working_week: Decimal | int | None = None,
) -> timedelta:
    """A ``timedelta`` from a duration written as text, a timedelta or whole seconds.

    ``working_day`` (for text only) makes ``d`` a working day of that length and ``w`` a working
    week of ``working_week`` such days (default :data:`WORKING_DAYS_PER_WEEK`, five; decimals
    allowed). ``working_week`` means nothing without ``working_day``.

    >>> parse_duration("4h")
    datetime.timedelta(seconds=14400)
    >>> parse_duration("PT30M")
    datetime.timedelta(seconds=1800)
    >>> parse_duration("-2d")
    datetime.timedelta(days=-2)
    >>> parse_duration("P99999999999W")
    Traceback (most recent call last):
    ...
    slaclock.errors.OutOfRangeError: duration too long: 'P99999999999W' - expected at most 84006 days (the length of the supported range of instants)
    >>> parse_duration("1d 4h", working_day=timedelta(hours=8))
    datetime.timedelta(seconds=43200)
    >>> format_duration(parse_duration("1w", working_day=timedelta(hours=7, minutes=36),
    ...                                working_week=Decimal("5.5")))  # 5.5 x 7h36m
    '41h48m'
    """
    working = None
    if working_day is not None:
        week = working_week_length(
            working_day, WORKING_DAYS_PER_WEEK if working_week is None else working_week
        )
        working = (timedelta_to_micros(working_day), timedelta_to_micros(week))
    if isinstance(value, timedelta):
        return _bounded(timedelta_to_micros(value), value) if abs(value) > MAX_DURATION else value
    if isinstance(value, bool) or not isinstance(value, (str, int)):
        raise DurationSyntaxError(f"unreadable duration: {value!r} - {_EXPECTED}", value=value)
    if isinstance(value, int):
        return _bounded(value * 1_000_000, value)
    if len(value) > _MAX_TEXT:
        raise DurationSyntaxError(
            f"unreadable duration: {value[:40]!r}... ({len(value)} characters) - {_EXPECTED}",
            value=value,
        )
    text = value.strip()
    sign = 1
    if text.startswith("-"):
        sign, text = -1, text[1:].strip()
    if not text:
        raise DurationSyntaxError(f"unreadable duration: {value!r} - {_EXPECTED}", value=value)
    iso = _ISO.fullmatch(text.upper())
    if iso and text.upper() not in ("P", "PT") and not text.upper().endswith("T"):
        total = sum(
            _micros(number, unit.lower(), value, working)
            for unit, number in iso.groupdict().items()
            if number is not None
        )
        return _bounded(sign * total, value)
    lowered = text.lower()
    position, total = 0, 0
    seen: set[str] = set()
    while position < len(lowered):
        part = _PART.match(lowered, position)
        unit = _UNIT_ALIASES.get(part.group(2)) if part else None
        if part is None or unit is None:
            raise DurationSyntaxError(f"unreadable duration: {value!r} - {_EXPECTED}", value=value)
        if not seen and len(lowered) == len(text) and text[part.start(2) : part.end(2)] == "M":
            # ISO 8601's date part and everyday writing read a leading "M" as months (after
            # hours, as in "1H30M", it can only be minutes): never guess.
            raise DurationSyntaxError(
                f"ambiguous duration: {value!r} - 'M' may mean months or minutes; expected "
                "'m' or 'min' for minutes (slaclock has no months)",
                value=value,
            )
        if unit in seen:
            raise DurationSyntaxError(
                f"unreadable duration: {value!r} gives the {_UNIT_NAMES[unit]} twice - expected "
                "each unit once, e.g. '1h30m'",
                value=value,
            )
        seen.add(unit)
        total += _micros(part.group(1), unit, value, working)
        position = part.end()
    return _bounded(sign * total, value)


def uses_days(text: str) -> bool:
    """Whether a duration written as text counts in days or weeks (``"2d"``, ``"1w"``, ``"P1D"``).

    >>> uses_days("2d"), uses_days("1 week"), uses_days("P1DT2H"), uses_days("48h")
    (True, True, True, False)
    """
    try:
        return parse_duration(text, working_day=timedelta(hours=1)) != parse_duration(text)
    except DurationSyntaxError:
        return False


def format_duration(value: timedelta) -> str:
    """The compact text form of a duration, the inverse of :func:`parse_duration`.

    >>> format_duration(timedelta(hours=26, minutes=5))
    '26h5m'
    >>> format_duration(timedelta(0))
    '0s'
    >>> format_duration(timedelta(seconds=-90, microseconds=-5))
    '-1m30.000005s'
    """
    micros = (value.days * 86_400 + value.seconds) * 1_000_000 + value.microseconds
    sign = "-" if micros < 0 else ""
    micros = abs(micros)
    hours, micros = divmod(micros, 3_600_000_000)
    minutes, micros = divmod(micros, 60_000_000)
    seconds, micros = divmod(micros, 1_000_000)
    parts = []
    if hours:
        parts.append(f"{hours}h")
    if minutes:
        parts.append(f"{minutes}m")
    if micros:
        parts.append(f"{seconds}.{micros:06d}s")
    elif seconds or not parts:
        parts.append(f"{seconds}s")
    return sign + "".join(parts)


def round_for_display(value: timedelta) -> timedelta:
    """``value`` rounded to the whole second, halves away from zero: how every report, plot
    and notebook shows a duration (the exact value stays in the data).

    >>> round_for_display(timedelta(seconds=2, microseconds=500_000))
    datetime.timedelta(seconds=3)
    >>> round_for_display(timedelta(hours=2, minutes=41, seconds=48, microseconds=1))
    datetime.timedelta(seconds=9708)
    """
    micros = (value.days * 86_400 + value.seconds) * 1_000_000 + value.microseconds
    seconds = (abs(micros) + 500_000) // 1_000_000
    return timedelta(seconds=seconds if micros >= 0 else -seconds)


def display_duration(value: timedelta) -> str:
    """The one human form of a duration in tables, plots and notebooks: hours, minutes and
    seconds (``2h41m48s``), rounded to the second by :func:`round_for_display`.

    >>> display_duration(timedelta(hours=2, minutes=41, seconds=48, microseconds=1))
    '2h41m48s'
    >>> display_duration(timedelta(seconds=8.624615))
    '9s'
    """
    return format_duration(round_for_display(value))
