"""Hand-worked calendar examples: one test per rule in docs/semantics/calendars.md."""

from __future__ import annotations

import time
import warnings
from datetime import date, datetime, timedelta, timezone
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from pydantic import ValidationError

from slaclock import ALWAYS_OPEN, Calendar
from slaclock.errors import (
    CalendarNeverOpenError,
    NaiveDatetimeError,
    OutOfRangeError,
    SubdivisionWarning,
)
from slaclock.files import load_policy

UTC = timezone.utc
NY = ZoneInfo("America/New_York")
BERLIN = ZoneInfo("Europe/Berlin")
H = timedelta(hours=1)


def utc(value: datetime) -> datetime:
    """Compare instants in UTC (PEP 495: a time in a DST fold never equals one in another zone)."""
    return value.astimezone(UTC)


WEEKDAYS_NY = Calendar.weekdays("America/New_York")


# ---------------------------------------------------------------------------------------------
# Boundaries
def test_a_target_used_up_at_closing_time_is_due_at_closing_time() -> None:
    """Mon 09:00 + 8h = Mon 17:00 (not Tue 09:00)."""
    assert datetime(2025, 3, 3, 17, tzinfo=NY) == WEEKDAYS_NY.add(
        datetime(2025, 3, 3, 9, tzinfo=NY), "8h"
    )


def test_adding_zero_returns_the_start_even_when_closed() -> None:
    """add(s, 0) == s, also on a Saturday."""
    saturday = datetime(2025, 3, 8, 12, tzinfo=NY)
    assert saturday == WEEKDAYS_NY.add(saturday, timedelta(0))


def test_subtract_is_the_latest_instant_before() -> None:
    """Mon 10:00 - 2h = Fri 16:00 (1h on Monday, 1h on Friday)."""
    assert datetime(2025, 3, 7, 16, tzinfo=NY) == WEEKDAYS_NY.subtract(
        datetime(2025, 3, 10, 10, tzinfo=NY), "2h"
    )


def test_spans_are_half_open() -> None:
    """Open at 09:00, closed at 17:00; next_open of an open instant is itself."""
    nine, five = datetime(2025, 3, 3, 9, tzinfo=NY), datetime(2025, 3, 3, 17, tzinfo=NY)
    assert (True, False, nine) == (
        WEEKDAYS_NY.is_open(nine),
        WEEKDAYS_NY.is_open(five),
        WEEKDAYS_NY.next_open(nine),
    )


def test_next_open_and_next_close_from_a_weekend() -> None:
    """From Saturday noon: opens Mon 09:00; the next close is Mon 17:00."""
    saturday = datetime(2025, 3, 8, 12, tzinfo=NY)
    assert (datetime(2025, 3, 10, 9, tzinfo=NY), datetime(2025, 3, 10, 17, tzinfo=NY)) == (
        WEEKDAYS_NY.next_open(saturday),
        WEEKDAYS_NY.next_close(saturday),
    )


def test_open_intervals_are_clipped_to_the_window() -> None:
    """Fri 12:00 .. Mon 10:00 -> [Fri 12-17, Mon 9-10]."""
    got = WEEKDAYS_NY.open_intervals(
        datetime(2025, 3, 7, 12, tzinfo=NY), datetime(2025, 3, 10, 10, tzinfo=NY)
    )
    assert [
        (datetime(2025, 3, 7, 12, tzinfo=NY), datetime(2025, 3, 7, 17, tzinfo=NY)),
        (datetime(2025, 3, 10, 9, tzinfo=NY), datetime(2025, 3, 10, 10, tzinfo=NY)),
    ] == got


def test_elapsed_is_negative_when_end_is_before_start() -> None:
    """elapsed(b, a) == -elapsed(a, b): Mon 10:00 back to Fri 16:00 is -2h."""
    assert -2 * H == WEEKDAYS_NY.elapsed(
        datetime(2025, 3, 10, 10, tzinfo=NY), datetime(2025, 3, 7, 16, tzinfo=NY)
    )


def test_24_00_is_the_end_of_the_day() -> None:
    """A Friday 20:00-24:00 span closes at Saturday 00:00."""
    cal = Calendar(timezone="UTC", hours={"fri": [["20:00", "24:00"]]})
    assert datetime(2025, 3, 8, 0, tzinfo=UTC) == cal.next_close(
        datetime(2025, 3, 7, 21, tzinfo=UTC)
    )


def test_results_carry_the_input_tzinfo() -> None:
    """A Tokyo start gives a Tokyo result: Mon 09:00 NY is Mon 23:00 Tokyo."""
    tokyo = ZoneInfo("Asia/Tokyo")
    result = WEEKDAYS_NY.add(datetime(2025, 3, 3, 23, tzinfo=tokyo), "1h")
    assert (tokyo, datetime(2025, 3, 4, 0, tzinfo=tokyo)) == (result.tzinfo, result)


# ---------------------------------------------------------------------------------------------
# DST
def test_spring_forward_night_span_lasts_three_hours_in_new_york() -> None:
    """Sun 9 Mar 2025: 01:00 EST -> 05:00 EDT is 3h of real time (02:00-03:00 does not exist)."""
    cal = Calendar(timezone="America/New_York", hours={"sun": [["01:00", "05:00"]]})
    assert 3 * H == cal.elapsed(datetime(2025, 3, 9, tzinfo=NY), datetime(2025, 3, 10, tzinfo=NY))


def test_fall_back_night_span_lasts_five_hours_in_new_york() -> None:
    """Sun 2 Nov 2025: 01:00 EDT (first occurrence) -> 05:00 EST is 5h."""
    cal = Calendar(timezone="America/New_York", hours={"sun": [["01:00", "05:00"]]})
    assert 5 * H == cal.elapsed(datetime(2025, 11, 2, tzinfo=NY), datetime(2025, 11, 3, tzinfo=NY))


def test_berlin_dst_days_last_23_and_25_hours() -> None:
    """A 24x7 Berlin calendar: Sun 30 Mar 2025 has 23h, Sun 26 Oct 2025 has 25h."""
    cal = Calendar.always_open("Europe/Berlin")
    assert 23 * H == cal.elapsed(
        datetime(2025, 3, 30, tzinfo=BERLIN), datetime(2025, 3, 31, tzinfo=BERLIN)
    )
    assert 25 * H == cal.elapsed(
        datetime(2025, 10, 26, tzinfo=BERLIN), datetime(2025, 10, 27, tzinfo=BERLIN)
    )


def test_business_hours_across_the_berlin_spring_weekend() -> None:
    """Fri 28 Mar 16:00 (+01:00) + 2h = Mon 31 Mar 10:00 (+02:00): 1h Friday, 1h Monday."""
    cal = Calendar.weekdays("Europe/Berlin")
    assert datetime(2025, 3, 31, 10, tzinfo=BERLIN) == cal.add(
        datetime(2025, 3, 28, 16, tzinfo=BERLIN), "2h"
    )


def test_lord_howe_half_hour_dst() -> None:
    """Lord Howe shifts by 30 minutes at 02:00. A Sunday 01:00-03:00 span lasts 2h30 on
    6 Apr 2025 (02:00 -> 01:30, +11:00 -> +10:30) and 1h30 on 5 Oct 2025 (02:00 -> 02:30)."""
    zone = ZoneInfo("Australia/Lord_Howe")
    cal = Calendar(timezone="Australia/Lord_Howe", hours={"sun": [["01:00", "03:00"]]})
    assert timedelta(hours=2, minutes=30) == cal.elapsed(
        datetime(2025, 4, 6, tzinfo=zone), datetime(2025, 4, 7, tzinfo=zone)
    )
    assert timedelta(hours=1, minutes=30) == cal.elapsed(
        datetime(2025, 10, 5, tzinfo=zone), datetime(2025, 10, 6, tzinfo=zone)
    )


def test_kathmandu_quarter_hour_offset() -> None:
    """Kathmandu is +05:45: 09:00 local is 03:15Z; a full working day lies inside 00:00Z-12:00Z."""
    cal = Calendar.weekdays("Asia/Kathmandu")
    monday = datetime(2025, 3, 3, tzinfo=UTC)
    assert datetime(2025, 3, 3, 4, 15, tzinfo=UTC) == utc(cal.add(monday, "1h"))
    assert 8 * H == cal.elapsed(monday, monday + 12 * H)


def test_apia_skipped_day_has_no_hours() -> None:
    """Samoa skipped Friday 30 Dec 2011: a daily 09:00-17:00 calendar counts 8h on the 29th and
    8h on the 31st, 16h in all."""
    zone = ZoneInfo("Pacific/Apia")
    cal = Calendar(timezone="Pacific/Apia", hours={"daily": "09:00-17:00"})
    assert 16 * H == cal.elapsed(
        datetime(2011, 12, 29, tzinfo=zone), datetime(2012, 1, 1, tzinfo=zone)
    )


def test_overnight_shift_across_spring_forward() -> None:
    """Sat 8 Mar 2025 22:00 EST -> Sun 06:00 EDT: 03:00Z -> 10:00Z = 7h."""
    cal = Calendar(timezone="America/New_York", hours={"sat": [["22:00", "06:00"]]})
    assert 7 * H == cal.elapsed(
        datetime(2025, 3, 8, 12, tzinfo=NY), datetime(2025, 3, 9, 12, tzinfo=NY)
    )


# ---------------------------------------------------------------------------------------------
# Holidays and overrides
def test_a_holiday_closes_spans_that_start_on_it() -> None:
    """Fri 22:00-06:00: a Saturday holiday keeps Friday's night (it starts Friday); a Friday
    holiday removes it."""
    start, end = datetime(2025, 3, 7, 12, tzinfo=UTC), datetime(2025, 3, 8, 12, tzinfo=UTC)
    saturday_off = Calendar(
        timezone="UTC", hours={"fri": [["22:00", "06:00"]]}, holidays=["2025-03-08"]
    )
    friday_off = Calendar(
        timezone="UTC", hours={"fri": [["22:00", "06:00"]]}, holidays=["2025-03-07"]
    )
    assert (8 * H, timedelta(0)) == (
        saturday_off.elapsed(start, end),
        friday_off.elapsed(start, end),
    )


def test_leap_day_and_explicit_holiday() -> None:
    """Wed 28 Feb 2024 16:00 + 2h = Thu 29 Feb 10:00; with 29 Feb a holiday, Fri 1 Mar 10:00."""
    start = datetime(2024, 2, 28, 16, tzinfo=UTC)
    assert datetime(2024, 2, 29, 10, tzinfo=UTC) == Calendar.weekdays("UTC").add(start, "2h")
    closed = Calendar.weekdays("UTC", holidays=[date(2024, 2, 29)])
    assert datetime(2024, 3, 1, 10, tzinfo=UTC) == closed.add(start, "2h")


def test_year_end_with_us_holidays() -> None:
    """Tue 31 Dec 2024 16:00 + 2h with US holidays: 1h on the 31st, New Year's Day closed,
    Thu 2 Jan 10:00."""
    cal = Calendar.weekdays("America/New_York", country="US")
    assert datetime(2025, 1, 2, 10, tzinfo=NY) == cal.add(
        datetime(2024, 12, 31, 16, tzinfo=NY), "2h"
    )


def test_country_holidays_include_observed_days() -> None:
    """4 July 2026 is a Saturday: the US observes it on Friday 3 July."""
    cal = Calendar.weekdays("America/New_York", country="US")
    assert not cal.is_open(datetime(2026, 7, 3, 10, tzinfo=NY))


def test_an_override_beats_a_holiday_and_makes_half_days() -> None:
    """4 July 2025 as a half day 09:00-13:00 despite the holiday; 24 Dec a half day too."""
    cal = Calendar.model_validate(
        {
            "timezone": "America/New_York",
            "hours": {"mon-fri": "09:00-17:00"},
            "country_holidays": {"country": "US"},
            "overrides": {"2025-07-04": [["09:00", "13:00"]], "2025-12-24": [["09:00", "13:00"]]},
        }
    )
    assert cal.is_open(datetime(2025, 7, 4, 10, tzinfo=NY))
    assert datetime(2025, 12, 24, 13, tzinfo=NY) == cal.next_close(
        datetime(2025, 12, 24, 10, tzinfo=NY)
    )


def test_country_holidays_are_read_only_for_years_asked_about() -> None:
    """Building a calendar reads no holiday year; one query reads only a few years around it."""
    from slaclock.holidays import country_holiday_dates

    country_holiday_dates.cache_clear()
    cal = Calendar.weekdays("America/New_York", country="US", subdiv="NY")
    assert 0 == country_holiday_dates.cache_info().currsize
    cal.is_open(datetime(2031, 5, 5, 10, tzinfo=NY))
    assert country_holiday_dates.cache_info().currsize <= 4


# ---------------------------------------------------------------------------------------------
# Calendars that run out, huge spans
def test_never_open_calendar_fails_at_once() -> None:
    """A calendar with no hours cannot add business time, and says why."""
    with pytest.raises(CalendarNeverOpenError, match="calendar is never open"):
        Calendar(timezone="UTC").add(datetime(2025, 1, 1, tzinfo=UTC), "1h")


def test_a_calendar_open_only_on_override_days_runs_out() -> None:
    """Only 1 Jan 2025 09:00-10:00 is open: 1h fits, 2h do not."""
    cal = Calendar(timezone="UTC", overrides={"2025-01-01": [["09:00", "10:00"]]})
    start = datetime(2024, 12, 1, tzinfo=UTC)
    assert datetime(2025, 1, 1, 10, tzinfo=UTC) == cal.add(start, "1h")
    with pytest.raises(CalendarNeverOpenError, match="no open time after its last special day"):
        cal.add(start, "2h")


def test_always_open_never_closes() -> None:
    """next_close on a 24x7 calendar is an error, not a search to year 9999."""
    with pytest.raises(CalendarNeverOpenError, match="never closes"):
        ALWAYS_OPEN.next_close(datetime(2025, 1, 1, tzinfo=UTC))


def test_a_hundred_thousand_business_hours_is_quick_and_exact() -> None:
    """100,000 business hours (about 48 years of 9-to-5 weekdays) forwards and backwards: a few
    seconds at most, and exact."""
    cal = Calendar.weekdays("America/New_York", country="US")
    start = datetime(2025, 3, 7, 16, tzinfo=NY)
    began = time.perf_counter()
    later = cal.add(start, timedelta(hours=100_000))
    earlier = cal.subtract(start, timedelta(hours=100_000))
    assert time.perf_counter() - began < 30
    assert timedelta(hours=100_000) == cal.elapsed(start, later) == cal.elapsed(earlier, start)


def test_a_million_business_hours_leaves_the_supported_range() -> None:
    """1,000,000 business hours (about 480 years of weekdays) ends after 2200: OutOfRangeError."""
    cal = Calendar.weekdays("America/New_York", country="US")
    start = datetime(2025, 3, 7, 16, tzinfo=NY)
    with pytest.raises(OutOfRangeError, match="at or after 2200-01-01"):
        cal.add(start, timedelta(hours=1_000_000))
    with pytest.raises(OutOfRangeError, match="before 1970-01-01"):
        cal.subtract(start, timedelta(hours=1_000_000))


# ---------------------------------------------------------------------------------------------
# Data form and bad input
ISSUE_EXAMPLE = {
    "timezone": "America/New_York",
    "hours": {
        "mon": [["09:00", "17:00"]],
        "tue": [["09:00", "12:00"], ["13:00", "17:00"]],
        "wed": [],
        "sat": [["22:00", "06:00"]],
    },
    "holidays": ["2025-07-04"],
    "country_holidays": {"country": "US", "subdiv": "NY"},
    "overrides": {"2025-12-24": [["09:00", "13:00"]], "2025-12-31": []},
}


def test_json_form_round_trips_exactly() -> None:
    """model_validate and Calendar(**mapping) agree, and dump back to the same JSON."""
    assert Calendar.model_validate(ISSUE_EXAMPLE) == Calendar(**ISSUE_EXAMPLE)  # type: ignore[arg-type]
    assert ISSUE_EXAMPLE == Calendar.model_validate(ISSUE_EXAMPLE).model_dump(mode="json")


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (
            {"hours": {"mon": [["09:00", "17:00"], ["16:00", "18:00"]]}},
            "hours['mon']: spans overlap: 09:00-17:00 and 16:00-18:00",
        ),
        (
            {"hours": {"mon": [["13:00", "17:00"], ["09:00", "12:00"]]}},
            "hours['mon']: spans are not in order",
        ),
        ({"hours": {"mon": [["09:00", "25:00"]]}}, "not a time of day: '25:00'"),
        ({"hours": {"funday": [["09:00", "17:00"]]}}, "unknown weekday: 'funday'"),
        (
            {"hours": {"sat": [["22:00", "06:00"]], "sun": [["05:00", "09:00"]]}},
            "runs into sun's span 05:00-09:00",
        ),
        ({"timezone": "Mars/Olympus"}, "unknown time zone: 'Mars/Olympus'"),
        ({"country_holidays": {"country": "XX"}}, "unknown country code: 'XX'"),
        (
            {"country_holidays": {"country": "US", "subdiv": "ZZ"}},
            "unknown subdivision of US: 'ZZ'",
        ),
        ({"holidays": ["2025-13-01"]}, "holidays.0"),
        ({"overrides": {"2025-02-30": []}}, "2025-02-30"),
        ({"opening": {}}, "Extra inputs are not permitted"),
    ],
)
def test_bad_input_names_the_field_and_the_value(data: dict[str, object], message: str) -> None:
    """Each bad input is a ValidationError whose message names the field and the value."""
    with pytest.raises(ValidationError, match=message.replace("[", r"\[").replace("(", r"\(")):
        Calendar.model_validate({"timezone": "UTC", **data})


def test_naive_datetimes_are_refused_by_name() -> None:
    """A naive datetime is an error naming the argument and what to pass instead."""
    with pytest.raises(NaiveDatetimeError, match="start is a naive datetime: 2025-03-03T09:00:00"):
        WEEKDAYS_NY.add(datetime(2025, 3, 3, 9), "1h")


def test_gb_without_a_subdivision_warns_naming_the_subdivisions() -> None:
    """country GB alone misses Easter Monday (2025-04-21) in England: a SubdivisionWarning."""
    with pytest.warns(
        SubdivisionWarning, match="2025-04-21, 2025-08-25.*ENG, NIR, SCT, WLS"
    ) as record:
        Calendar.weekdays("Europe/London", country="GB")
    assert __file__ == record[0].filename  # the caller's line, not slaclock's or pydantic's
    england = Calendar.weekdays("Europe/London", country="GB", subdiv="ENG")
    assert not england.is_open(datetime(2025, 4, 21, 10, tzinfo=ZoneInfo("Europe/London")))


def test_us_federal_holidays_need_no_subdivision() -> None:
    """No state keeps a holiday most others keep beyond the federal list: no warning for US."""
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        Calendar.weekdays("America/New_York", country="US")


def test_follow_the_sun_example_keeps_english_bank_holidays() -> None:
    """examples/policies/follow-the-sun.yaml's London calendar is closed on Easter Monday 2025."""
    policy = load_policy(
        Path(__file__).parent.parent / "examples" / "policies" / "follow-the-sun.yaml"
    )
    calendars = [c for p in getattr(policy, "policies", (policy,)) for c in p.calendars.values()]
    london = [c for c in calendars if c.timezone == "Europe/London"]
    assert london and not london[0].is_open(
        datetime(2025, 4, 21, 12, tzinfo=ZoneInfo("Europe/London"))
    )


def test_calendar_span_is_a_deprecated_alias_of_opening_span() -> None:
    """slaclock.calendar.Span still works for one release, with a DeprecationWarning."""
    import slaclock.calendar

    with pytest.warns(DeprecationWarning, match="OpeningSpan"):
        alias = slaclock.calendar.Span
    assert slaclock.calendar.OpeningSpan is alias
