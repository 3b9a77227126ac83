"""Tests of slaclock.durations: every accepted spelling by hand, the refusals, and the round trip."""

from __future__ import annotations

from datetime import timedelta

import pytest
from hypothesis import given

from slaclock.durations import format_duration, parse_duration
from slaclock.errors import DurationSyntaxError, SlaclockError
from tests.strategies import any_durations

H = 3600  # seconds in an hour


@pytest.mark.parametrize(
    ("text", "seconds"),
    [
        ("4h", 4 * H),
        ("30m", 30 * 60),
        ("1h30m", H + 30 * 60),  # 3600 + 1800 = 5400
        ("1h 30m", 5400),
        ("1 h 30 m", 5400),
        ("90s", 90),
        ("2d", 2 * 24 * H),  # a day is 24 hours: 172800
        ("1w", 7 * 24 * H),  # 604800
        ("1.5h", 5400),  # 1.5 x 3600
        ("0.25m", 15),
        ("4 hours", 4 * H),
        ("30 minutes", 1800),
        ("1 hour 1 minute 1 second", H + 60 + 1),  # 3661
        ("2 hrs", 2 * H),
        ("4H", 4 * H),  # units in any case
        ("  45m  ", 45 * 60),
        ("PT4H", 4 * H),
        ("pt4h", 4 * H),
        ("PT30M", 1800),
        ("P1DT2H30M", 24 * H + 2 * H + 30 * 60),  # 86400 + 7200 + 1800 = 95400
        ("P2W", 14 * 24 * H),
        ("PT1.5H", 5400),
        ("PT0S", 0),
        ("0s", 0),
        ("-2d", -2 * 24 * H),
        ("-1h30m", -5400),  # the sign applies to the whole duration
        ("- PT1H", -H),
    ],
)
def test_parse_text(text: str, seconds: int) -> None:
    """Each spelling in the module's docs reads as the duration worked out in the comment."""
    assert timedelta(seconds=seconds) == parse_duration(text)


def test_parse_sub_second_units() -> None:
    """Milliseconds and microseconds are exact: 1s 250ms 7us = 1,250,007 microseconds."""
    assert timedelta(microseconds=1_250_007) == parse_duration("1s 250ms 7us")
    assert timedelta(microseconds=1) == parse_duration("0.000001s")


def test_parse_passes_timedeltas_and_reads_ints_as_seconds() -> None:
    """A timedelta is returned as it is; an int is a number of seconds."""
    value = timedelta(days=-1, microseconds=3)
    assert value is parse_duration(value)
    assert timedelta(seconds=90) == parse_duration(90)
    assert timedelta(seconds=-5) == parse_duration(-5)


@pytest.mark.parametrize(
    "text",
    ["", "  ", "-", "4", "h", "4 parsecs", "4 hourz", "1h30", "1h,30m", "P", "PT", "P1DT", "T1H", "4h-"],
)  # fmt: skip
def test_unreadable_text_is_refused_with_the_value(text: str) -> None:
    """Text that is not a duration raises a DurationSyntaxError (a SlaclockError and a
    ValueError) quoting the text and saying what is expected."""
    with pytest.raises(DurationSyntaxError, match=r"expected e\.g\. '4h'") as caught:
        parse_duration(text)
    assert text == caught.value.value
    assert isinstance(caught.value, SlaclockError)
    assert isinstance(caught.value, ValueError)
    assert repr(text) in str(caught.value)


@pytest.mark.parametrize("value", [True, 1.5, None, [1], b"4h"])
def test_other_types_are_refused(value: object) -> None:
    """bool (though an int), float, None and other types are not durations."""
    with pytest.raises(DurationSyntaxError, match="unreadable duration"):
        parse_duration(value)  # type: ignore[arg-type]


@pytest.mark.parametrize("text", ["0.0000001s", "0.5us", "PT0.0000001S"])
def test_finer_than_a_microsecond_is_refused(text: str) -> None:
    """Durations are whole microseconds: a tenth of one is an error, not rounded away."""
    with pytest.raises(DurationSyntaxError, match="finer than a microsecond"):
        parse_duration(text)


@pytest.mark.parametrize(
    ("seconds", "micros", "text"),
    [
        (0, 0, "0s"),
        (59, 0, "59s"),
        (60, 0, "1m"),
        (5400, 0, "1h30m"),
        (26 * H + 5 * 60, 0, "26h5m"),  # hours are not folded into days
        (H + 1, 0, "1h1s"),  # no zero minutes
        (0, 5, "0.000005s"),
        (-90, -5, "-1m30.000005s"),
        (-1, 0, "-1s"),
    ],
)
def test_format(seconds: int, micros: int, text: str) -> None:
    """The compact form: hours, minutes, then seconds with microseconds when there are any."""
    assert text == format_duration(timedelta(seconds=seconds, microseconds=micros))


@given(any_durations)
def test_format_then_parse_is_the_identity(value: timedelta) -> None:
    """parse_duration reads back exactly what format_duration writes, negative ones included."""
    assert value == parse_duration(format_duration(value))


@given(any_durations)
def test_iso_and_whole_seconds_agree_with_the_compact_form(value: timedelta) -> None:
    """The ISO 8601 form built from the parts (PT<h>H<m>M<s>S) reads as the same duration."""
    micros = abs(value) // timedelta(microseconds=1)
    hours, rest = divmod(micros, 3_600_000_000)
    minutes, rest = divmod(rest, 60_000_000)
    seconds, fraction = divmod(rest, 1_000_000)
    sign = "-" if value < timedelta(0) else ""
    iso = f"{sign}PT{hours}H{minutes}M{seconds}.{fraction:06d}S"
    assert value == parse_duration(iso)
