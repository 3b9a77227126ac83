"""Edge cases of duration text (slaclock.durations): odd spellings that used to be read as
something the writer may not have meant."""

from __future__ import annotations

from datetime import timedelta

import pytest

from slaclock.durations import parse_duration
from slaclock.errors import DurationSyntaxError, OutOfRangeError


@pytest.mark.parametrize("text", ["1h 1h", "4 hours 4 hours", "30m 1h 15m", "2d 1 day"])
def test_a_unit_given_twice_is_refused(text: str) -> None:
    """A unit given twice is a DurationSyntaxError naming the text and the unit (was: the parts
    added up, so a pasted "1h 1h" silently became 2h)."""
    with pytest.raises(DurationSyntaxError, match="twice - expected each unit once"):
        parse_duration(text)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("30m 1h", timedelta(minutes=90)),  # units in any order, each once
        ("1 hr 30 mins", timedelta(minutes=90)),
        (" \t1h\u00a030m\n", timedelta(minutes=90)),  # any whitespace around and between
        ("\uff14h", timedelta(hours=4)),  # a full-width digit is still the digit 4
        ("1d 24h", timedelta(hours=48)),  # different units: 24h + 24h
    ],
)
def test_spellings_that_stay_accepted(text: str, expected: timedelta) -> None:
    """Units in any order, long names, odd whitespace and non-ASCII decimal digits read as
    written."""
    assert expected == parse_duration(text)


@pytest.mark.parametrize("text", ["1M", "30M", "- 1M", "1M 2d"])
def test_a_leading_capital_m_is_ambiguous(text: str) -> None:
    """ "1M" reads as a month in ISO 8601's date part and in everyday writing: refused as
    ambiguous (was: silently one minute)."""
    with pytest.raises(DurationSyntaxError, match="'M' may mean months or minutes"):
        parse_duration(text)


def test_a_capital_m_after_hours_is_minutes() -> None:
    """After hours, "M" can only be minutes: "1H30M" is 90 minutes, as is "1h30m"."""
    assert timedelta(minutes=90) == parse_duration("1H30M") == parse_duration("1h30m")


@pytest.mark.parametrize("seconds", [10**5000, -(10**5000)], ids=["positive", "negative"])
def test_an_integer_too_long_to_print_is_out_of_range(seconds: int) -> None:
    """A duration of 10**5000 seconds (either sign) is an OutOfRangeError giving its size (was:
    Python's raw ValueError, "Exceeds the limit (4300 digits) for integer string conversion",
    raised while writing the error message)."""
    with pytest.raises(OutOfRangeError, match="integer of about 5001 digits - expected at most"):
        parse_duration(seconds)
