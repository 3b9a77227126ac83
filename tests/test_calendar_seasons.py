"""Seasonal hours: weekly hours for part of every year, worked by hand (a DST day included)."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from pydantic import ValidationError

from slaclock import Calendar, Policy, Timeline, evaluate
from slaclock.calendar import Season

BERLIN = ZoneInfo("Europe/Berlin")
H = timedelta(hours=1)


def berlin(*args: int) -> datetime:
    return datetime(*args, tzinfo=BERLIN)  # type: ignore[misc]


SUMMER = Calendar.model_validate(
    {
        "timezone": "Europe/Berlin",
        "hours": {"mon-fri": "09:00-17:00"},
        "seasons": [{"start": "07-01", "end": "08-31", "hours": {"mon-fri": "08:00-14:00"}}],
    }
)


def test_summer_hours_replace_the_weekly_hours_on_their_dates() -> None:
    """Mon 30 June 16:00 + 4h: 16-17 (1h, June: 09-17) + Tue 1 July 08:00-11:00 (summer) = 11:00."""
    assert berlin(2025, 7, 1, 11) == SUMMER.add(berlin(2025, 6, 30, 16), "4h")


def test_summer_ends_on_its_last_day() -> None:
    """Fri 29 Aug 13:00 + 3h: 13-14 (1h, summer) + Mon 1 Sep 09:00-11:00 (regular) = 11:00."""
    assert berlin(2025, 9, 1, 11) == SUMMER.add(berlin(2025, 8, 29, 13), "3h")


def test_a_season_over_the_dst_change_counts_the_25_hour_day() -> None:
    """Berlin leaves DST on Sun 26 Oct 2025 (25 hours); a season open 00:00-24:00 every day
    from 20 Oct counts all 25 of them, where the weekly hours (Mon-Fri) count none."""
    calendar = Calendar.model_validate(
        {
            "timezone": "Europe/Berlin",
            "hours": {"mon-fri": "09:00-17:00"},
            "seasons": [{"start": "10-20", "end": "11-10", "hours": {"daily": "00:00-24:00"}}],
        }
    )
    sunday, monday = berlin(2025, 10, 26), berlin(2025, 10, 27)
    assert 25 * H == calendar.elapsed(sunday, monday)
    assert timedelta(0) == SUMMER.elapsed(sunday, monday)


def test_a_season_may_run_over_the_new_year() -> None:
    """12-15..01-15 with Mon-Fri 10:00-16:00: Wed 31 Dec and Thu 15 Jan use it, Fri 16 Jan not."""
    calendar = Calendar.model_validate(
        {
            "timezone": "Europe/Berlin",
            "hours": {"mon-fri": "09:00-17:00"},
            "seasons": [{"start": "12-15", "end": "01-15", "hours": {"mon-fri": "10:00-16:00"}}],
        }
    )
    assert 6 * H == calendar.elapsed(berlin(2025, 12, 31), berlin(2026, 1, 1))
    assert 6 * H == calendar.elapsed(berlin(2026, 1, 15), berlin(2026, 1, 16))
    assert 8 * H == calendar.elapsed(berlin(2026, 1, 16), berlin(2026, 1, 17))


def test_holidays_and_overrides_beat_a_season() -> None:
    """In summer, a holiday closes its day and an override sets its hours (10:00-12:00: 2h)."""
    calendar = SUMMER.model_copy(
        update={"holidays": ["2025-07-02"], "overrides": {"2025-07-03": [["10:00", "12:00"]]}}
    )
    assert timedelta(0) == calendar.elapsed(berlin(2025, 7, 2), berlin(2025, 7, 3))
    assert 2 * H == calendar.elapsed(berlin(2025, 7, 3), berlin(2025, 7, 4))


def test_the_first_matching_season_applies() -> None:
    """Two seasons covering 1 Aug: the first listed (08:00-10:00, 2h) applies."""
    calendar = SUMMER.model_copy(
        update={
            "seasons": [
                {"start": "08-01", "end": "08-01", "hours": {"fri": "08:00-10:00"}},
                *[s.model_dump() for s in SUMMER.seasons],
            ]
        }
    )
    assert 2 * H == calendar.elapsed(berlin(2025, 8, 1), berlin(2025, 8, 2))


def test_a_season_alone_can_open_a_calendar() -> None:
    """A calendar open only in its season: 1h before the season ends, the rest next year."""
    calendar = Calendar.model_validate(
        {
            "timezone": "UTC",
            "seasons": [{"start": "12-01", "end": "12-31", "hours": {"daily": "09:00-10:00"}}],
        }
    )
    start = datetime.fromisoformat("2025-12-31T09:00:00+00:00")
    assert datetime.fromisoformat("2026-12-01T09:30:00+00:00") == calendar.add(start, "1h30m")


@pytest.mark.parametrize("text", ["13-01", "02-30", "6-1", "june"])
def test_a_season_day_must_be_a_day_of_the_year(text: str) -> None:
    """start/end must read 'MM-DD' and name a real day (02-29 is one)."""
    with pytest.raises(ValidationError, match="not a day of the year"):
        Season(start=text, end="12-31")
    assert Season(start="02-29", end="03-01").covers(date(2024, 2, 29))


def test_policy_measures_on_seasonal_hours() -> None:
    """A first response created Mon 30 June 16:00 with a 4h target is due Tue 1 July 11:00."""
    policy = Policy.model_validate(
        {
            "name": "summer",
            "calendar": SUMMER.model_dump(),
            "metrics": {"first_response": {"targets": {"normal": "4h"}}},
        }
    )
    ticket = Timeline(
        ticket_id="T",
        attributes={"priority": "normal"},
        events=[{"at": berlin(2025, 6, 30, 16), "kind": "created"}],
    )
    assert berlin(2025, 7, 1, 11) == evaluate(policy, ticket).first_response.due_at
