"""Edge cases of the public calendar API (slaclock.Calendar): business-day closes of spans that
touch or run past midnight, argument types, calendars that never (or hardly ever) open, DST
gaps and folds, skipped dates, and the add/elapsed identity against the reference model."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st
from pydantic import ValidationError

from slaclock import ALWAYS_OPEN, Calendar, OutOfRangeError, SlaclockError
from tests.calendar_model import day_spans
from tests.strategies import calendars, instants, seasonal_calendars

UTC = timezone.utc


def _utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


# ----------------------------------------------------------------------------------------------
# business_day_close: the end of the last span that *starts* on the business day
def test_business_day_close_of_a_whole_day_span_is_its_midnight() -> None:
    """Mon-Fri 00:00-24:00: the spans touch, so the open time merges from Monday 00:00 to
    Saturday 00:00; still, one business day after Monday 2025-03-03 is Tuesday, whose span ends
    at 24:00 = Wednesday 00:00 (was: Saturday 00:00, the end of the merged week)."""
    cal = Calendar(timezone="UTC", hours={"mon-fri": [["00:00", "24:00"]]})
    assert _utc(2025, 3, 5) == cal.business_day_close(_utc(2025, 3, 3, 10), 1)
    # Friday 2025-03-07 + 1 business day: Monday 03-10, closing Tuesday 00:00.
    assert _utc(2025, 3, 11) == cal.business_day_close(_utc(2025, 3, 7, 10), 1)


def test_business_day_close_of_a_night_shift_is_the_next_morning() -> None:
    """Monday 22:00-06:00 then Tuesday 06:00-14:00 (touching at Tuesday 06:00): Monday's span
    ends Tuesday 06:00, and that is Monday's close (was: Tuesday 14:00, the merged end)."""
    cal = Calendar(timezone="UTC", hours={"mon": [["22:00", "06:00"]], "tue": [["06:00", "14:00"]]})
    sunday = _utc(2025, 3, 2, 10)
    assert _utc(2025, 3, 4, 6) == cal.business_day_close(sunday, 1)  # Monday's span
    assert _utc(2025, 3, 4, 14) == cal.business_day_close(sunday, 2)  # Tuesday's span


def test_a_date_reached_only_by_last_nights_span_is_not_a_business_day() -> None:
    """Only Monday 22:00-06:00: Tuesday morning is open, but no span starts on Tuesday, so
    the second business day after Sunday 2025-03-02 is the next Monday (03-10), closing
    Tuesday 03-11 06:00 (was: Tuesday 03-04 06:00, Tuesday counted as a business day)."""
    cal = Calendar(timezone="UTC", hours={"mon": [["22:00", "06:00"]]})
    sunday = _utc(2025, 3, 2, 10)
    assert _utc(2025, 3, 4, 6) == cal.business_day_close(sunday, 1)
    assert _utc(2025, 3, 11, 6) == cal.business_day_close(sunday, 2)


@pytest.mark.parametrize("days", [True, 1.5, "2", None])
def test_business_days_must_be_a_whole_number(days: Any) -> None:
    """A bool, float, text or None number of business days is an ArgumentError naming it
    (was: True read as 1, and a raw TypeError from deep inside for the others)."""
    cal = Calendar.weekdays("UTC")
    with pytest.raises(SlaclockError, match=f"business days: {days!r}"):
        cal.business_day_close(_utc(2025, 3, 3, 10), days)


def _model_business_day_close(calendar: Calendar, start: datetime, days: int) -> datetime:
    """The rule, walked date by date on the reference model: the ``days``-th local date after
    ``start``'s on which a span starts; the latest end of the spans starting on it."""
    day = start.astimezone(ZoneInfo(calendar.timezone)).date()
    for _ in range(days * 60):
        day += timedelta(days=1)
        spans = day_spans(calendar, day)
        if spans:
            days -= 1
            if days == 0:
                return max(end for _, end in spans)
    raise LookupError("no such business day near the anchor")


@given(
    data=st.data(), calendar=st.one_of(calendars(), seasonal_calendars()), days=st.integers(1, 12)
)
def test_business_day_close_agrees_with_the_reference_model(
    data: st.DataObject, calendar: Calendar, days: int
) -> None:
    """Random calendars (overnight spans, 24:00, holidays, overrides, seasons; DST in New York, Berlin,
    Lord Howe's 30 minutes, Apia's lost day): business_day_close is the model's close, in
    start's tzinfo."""
    start = data.draw(instants(calendar))
    expected = _model_business_day_close(calendar, start, days)
    actual = calendar.business_day_close(start, days)
    assert expected == actual
    assert start.tzinfo is actual.tzinfo


@pytest.mark.parametrize("name", ["localtime", "posixrules"])
def test_a_zone_that_means_the_machines_setting_is_refused(name: str) -> None:
    """`localtime` (a link to /etc/localtime on Debian) would make every answer depend on the
    machine: refused, naming it, like an unknown zone (was: accepted where the file exists)."""
    with pytest.raises(ValidationError, match=f"unknown time zone: '{name}'"):
        Calendar(timezone=name)


@pytest.mark.parametrize("days", [10**5000, -(10**5000)], ids=["positive", "negative"])
def test_business_days_too_long_to_print_are_refused_by_size(days: int) -> None:
    """10**5000 business days (either sign) is a SlaclockError giving the number's size (was:
    Python's raw ValueError about integer string conversion, from writing the message)."""
    with pytest.raises(SlaclockError, match=r"business days: .*integer of about 5001 digits"):
        Calendar.weekdays("UTC").business_day_close(_utc(2025, 3, 3, 10), days)


def test_business_day_close_on_a_24x7_calendar_is_the_next_midnight() -> None:
    """Every date of a 24x7 calendar has the span 00:00-24:00, so one business day after Monday
    2025-03-03 closes at Tuesday 24:00 = Wednesday 00:00 (was: CalendarNeverOpenError, "never
    closes", from the merged, endless open time)."""
    assert _utc(2025, 3, 5) == ALWAYS_OPEN.business_day_close(_utc(2025, 3, 3, 10), 1)


def test_a_business_day_closing_at_2200_is_out_of_range() -> None:
    """Results are instants before 2200-01-01 (docs/reference/limits.md): Friday 2199-12-31's
    span 00:00-24:00 closes at 2200-01-01T00:00Z exactly, so its close is refused, naming it."""
    cal = Calendar(timezone="UTC", hours={"daily": [["00:00", "24:00"]]})
    with pytest.raises(OutOfRangeError, match="the close of 2199-12-31 is at or after 2200"):
        cal.business_day_close(_utc(2199, 12, 30, 12), 1)


def test_add_ending_exactly_at_2200_is_out_of_range() -> None:
    """ALWAYS_OPEN.add(2199-12-31T00:00Z, 1 day) would be 2200-01-01T00:00Z: out of range."""
    with pytest.raises(OutOfRangeError, match="at or after 2200-01-01"):
        ALWAYS_OPEN.add(_utc(2199, 12, 31), timedelta(days=1))
    # One microsecond less is the last instant of the range, and elapsed() reads it back.
    last = ALWAYS_OPEN.add(_utc(2199, 12, 31), timedelta(days=1, microseconds=-1))
    assert timedelta(days=1, microseconds=-1) == ALWAYS_OPEN.elapsed(_utc(2199, 12, 31), last)


def test_subtracting_on_a_calendar_that_never_opens_says_subtract() -> None:
    """Subtracting 1h on a calendar that never opens says what was asked: subtract 1:00:00."""
    with pytest.raises(SlaclockError, match=r"cannot subtract 1:00:00 of business time"):
        Calendar(timezone="UTC").subtract(_utc(2025, 3, 3, 10), "1h")


def test_a_result_at_2200_is_out_of_range_on_every_path() -> None:
    """The inlined fast paths of add (a warm table) and add_many's numpy path refused the end
    of the range only on the cold path: the same call failed or gave 2200-01-01T00:00Z."""
    calendar = Calendar.always_open("UTC")
    start = _utc(2199, 12, 31, 23)
    calendar.add(start, timedelta(minutes=59))  # warms the table that holds start and 2200
    for run in (
        lambda: calendar.add(start, timedelta(hours=1)),
        lambda: calendar.add_many([start], timedelta(hours=1)),
    ):
        with pytest.raises(OutOfRangeError, match="at or after 2200-01-01"):
            run()
