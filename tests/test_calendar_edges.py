"""Edge cases of the public calendar API (slaclock.Calendar): business-day closes of spans that
touch or run past midnight, argument types, calendars that never (or hardly ever) open, DST
gaps and folds, skipped dates, and the add/elapsed identity against the reference model."""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Any

import pytest

from slaclock import Calendar, SlaclockError

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
