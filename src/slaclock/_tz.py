"""Aware-datetime guards, instant <-> integer conversion, and the one local -> instant resolver.

Inside slaclock an instant is an ``int``: microseconds since 1970-01-01T00:00:00Z. Integers make the
hot paths exact (no float drift) and cheap (bisect over lists of ints).
"""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta, timezone, tzinfo
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from slaclock.errors import ArgumentError, NaiveDatetimeError, OutOfRangeError

__all__ = [
    "MAX_DURATION",
    "MAX_INSTANT",
    "MICROS_PER_DAY",
    "MICROS_PER_SECOND",
    "MIN_INSTANT",
    "check_aware",
    "check_in_range",
    "from_micros",
    "is_repeated",
    "load_zone",
    "local_to_micros",
    "micros_to_timedelta",
    "result_out_of_range",
    "not_a_number",
    "timedelta_to_micros",
    "to_micros",
    "zone_of",
]

MICROS_PER_SECOND = 1_000_000
MICROS_PER_DAY = 86_400 * MICROS_PER_SECOND
_EPOCH = datetime(1970, 1, 1, tzinfo=timezone.utc)

#: The supported instants are [MIN_INSTANT, MAX_INSTANT): every event, ``as_of`` and calendar
#: query lies there, and every computed due date must. A fixed range keeps the cost of a
#: calendar bounded (it never builds more than these years) and far from datetime's own limits.
MIN_INSTANT = _EPOCH
MAX_INSTANT = datetime(2200, 1, 1, tzinfo=timezone.utc)
#: The longest duration slaclock reads: the length of the supported range (84,006 days).
MAX_DURATION = MAX_INSTANT - MIN_INSTANT
_MIN_MICROS = 0
_MAX_MICROS = (MAX_DURATION.days * 86_400) * 1_000_000
_RANGE_TEXT = "from 1970-01-01T00:00:00Z up to 2200-01-01T00:00:00Z"


def check_aware(value: datetime, name: str) -> datetime:
    """Return ``value`` if it is an aware datetime, else raise an error naming ``name``."""
    if not isinstance(value, datetime):
        raise ArgumentError(
            f"{name} must be a datetime: {value!r} - expected an aware datetime", value=value
        )
    if value.tzinfo is None or value.utcoffset() is None:
        raise NaiveDatetimeError(
            f"{name} is a naive datetime: {value.isoformat()} - expected an aware datetime, "
            'e.g. datetime(..., tzinfo=ZoneInfo("Europe/Berlin"))',
            value=value,
        )
    return value


# What pydantic would read as Unix seconds (or milliseconds, by magnitude): 2025 -> 1970-01-01.
_NUMBER = re.compile(r"\s*[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?\s*")


def not_a_number(value: Any) -> Any:
    """``value`` unchanged, or a ``ValueError`` when it is a number or digits as text: pydantic
    reads those as Unix seconds or milliseconds, guessing by magnitude (``2025`` became
    1970-01-01T00:33:45Z). An instant is told, not guessed (a "before" validator of instants).

    >>> not_a_number("2025-03-07T16:30:00Z")
    '2025-03-07T16:30:00Z'
    >>> not_a_number("1741365000")
    Traceback (most recent call last):
    ...
    ValueError: a number is not an instant: '1741365000' - expected ISO 8601 with a UTC offset, e.g. 2025-03-07T16:30:00+01:00
    """
    if type(value) is str and ":" in value:  # an instant's text (a number has no colon): fast
        return value
    if isinstance(value, (int, float)) or (isinstance(value, str) and _NUMBER.fullmatch(value)):
        raise ValueError(
            f"a number is not an instant: {value!r} - expected ISO 8601 with a UTC offset, "
            "e.g. 2025-03-07T16:30:00+01:00"
        )
    return value


def result_out_of_range(forward: bool) -> OutOfRangeError:
    """The error of a computed instant (a due date, ``Calendar.add``) past the end of the
    supported range (``forward``) or before its start.

    >>> print(result_out_of_range(True))
    result out of range: at or after 2200-01-01T00:00:00Z - expected a result before then (see docs/reference/limits.md)
    """
    if forward:
        return OutOfRangeError(
            "result out of range: at or after 2200-01-01T00:00:00Z - expected a result before "
            "then (see docs/reference/limits.md)",
            value=MAX_INSTANT,
        )
    return OutOfRangeError(
        "result out of range: before 1970-01-01T00:00:00Z - expected a result from then on "
        "(see docs/reference/limits.md)",
        value=MIN_INSTANT,
    )


def check_in_range(value: datetime, name: str = "instant") -> datetime:
    """Return the aware ``value`` if it lies in the supported range, else raise
    :class:`OutOfRangeError` naming it (without arithmetic that could overflow)."""
    check_aware(value, name)
    try:
        inside = MIN_INSTANT <= value < MAX_INSTANT
    except OverflowError:  # pragma: no cover - comparing aware datetimes near year 1 or 9999
        inside = False
    if not inside:
        raise out_of_range(value.isoformat(), name)
    return value


def out_of_range(text: str, name: str = "instant") -> OutOfRangeError:
    """The error for an instant ``text`` outside the supported range."""
    return OutOfRangeError(
        f"{name} out of range: {text} - expected an instant {_RANGE_TEXT}", value=text
    )


def micros_in_range(micros: int) -> bool:
    """Whether ``micros`` (since the epoch) is a supported instant."""
    return _MIN_MICROS <= micros < _MAX_MICROS


def to_micros(value: datetime) -> int:
    """Microseconds since the epoch of an aware datetime (exact)."""
    delta = value - _EPOCH
    return (delta.days * 86_400 + delta.seconds) * MICROS_PER_SECOND + delta.microseconds


def from_micros(micros: int, tz: tzinfo | None) -> datetime:
    """The aware datetime for ``micros``, expressed in ``tz`` (UTC when ``tz`` is None).

    ``datetime.fromtimestamp`` with an int is exact and about three times cheaper than
    ``(epoch + timedelta).astimezone(tz)``; both end in ``tz.fromutc``, so folds come out the same.
    A float timestamp is exact to the microsecond only while its spacing is well below 0.5 us:
    ``|seconds| < 2**31`` (1901-2038) leaves it at 2**-22 s. Outside that, the slow exact path.
    """
    seconds, rest = divmod(micros, MICROS_PER_SECOND)
    if tz is None:
        tz = timezone.utc
    try:
        if not rest:
            return datetime.fromtimestamp(seconds, tz)
        if -_FLOAT_EXACT < seconds < _FLOAT_EXACT:
            return datetime.fromtimestamp(seconds + rest / MICROS_PER_SECOND, tz)
    except (OverflowError, OSError, ValueError):  # pragma: no cover - platform limits
        pass
    utc = _EPOCH + timedelta(microseconds=micros)
    return utc if tz is timezone.utc else utc.astimezone(tz)


_FLOAT_EXACT = 2**31


def timedelta_to_micros(value: timedelta) -> int:
    """Exact microseconds of a timedelta."""
    return (value.days * 86_400 + value.seconds) * MICROS_PER_SECOND + value.microseconds


def micros_to_timedelta(micros: int) -> timedelta:
    """The timedelta of ``micros`` microseconds."""
    return timedelta(microseconds=micros)


#: Zone files that stand for the machine's setting rather than a place (``localtime`` links to
#: ``/etc/localtime`` on Debian): refused, whatever the machine has.
_MACHINE_ZONES = frozenset({"localtime", "posixrules"})


def load_zone(name: str) -> ZoneInfo:
    """The IANA zone ``name``; raises :class:`~slaclock.errors.ArgumentError` (a ``ValueError``)
    naming it when unknown, and for the names that mean whatever the machine is set to
    (``localtime``, ``posixrules``: files some systems keep beside the IANA zones), since no
    hidden input may change an answer."""
    if name in _MACHINE_ZONES:
        raise ArgumentError(
            f"unknown time zone: {name!r} is the machine's own setting, not an IANA zone - "
            "expected an IANA name such as 'Europe/Berlin'",
            value=name,
        )
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise ArgumentError(
            f"unknown time zone: {name!r} - expected an IANA name such as 'Europe/Berlin'",
            value=name,
        ) from exc


def zone_of(value: str | tzinfo, name: str = "timezone") -> tzinfo:
    """The zone ``value`` names (an IANA name, see :func:`load_zone`) or is (a tzinfo); anything
    else is an :class:`~slaclock.errors.ArgumentError` naming ``name`` and the value."""
    if isinstance(value, str):
        return load_zone(value)
    if isinstance(value, tzinfo):
        return value
    raise ArgumentError(
        f"{name}: {value!r} - expected an IANA name such as 'America/New_York' or a tzinfo",
        value=value,
    )


def is_repeated(local: datetime) -> bool:
    """Whether the wall-clock time of aware ``local`` happens twice in its zone (a DST fold:
    New York's 01:30 on 2025-11-02 is first EDT, then EST)."""
    return local.replace(fold=1 - local.fold).utcoffset() != local.utcoffset()


def local_to_micros(day: date, seconds: int, zone: tzinfo) -> int:
    """The instant of local wall-clock time ``day`` + ``seconds`` (0..86400) in ``zone``.

    The single resolver for local times, with the rule of ``datetime(..., tzinfo=zone)``
    (``fold=0``): a time inside a spring-forward gap lands after the gap (it is read with the
    offset in force before the gap), and an ambiguous time takes its first occurrence.
    ``seconds == 86400`` ("24:00") is midnight at the start of the next day.
    """
    if seconds >= 86_400:
        day = day + timedelta(days=seconds // 86_400)
        seconds %= 86_400
    hour, rest = divmod(seconds, 3600)
    minute, second = divmod(rest, 60)
    local = datetime(day.year, day.month, day.day, hour, minute, second, tzinfo=zone)
    return to_micros(local)
