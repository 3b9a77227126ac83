"""Edge cases of slaclock.servicelevel: intervals across a DST fold are told apart in the
table, and a time zone that is not one is an error naming it."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from typing import Any

import pytest

from slaclock.errors import ArgumentError
from slaclock.servicelevel import Contact, service_level

UTC = timezone.utc


def _answered(at: datetime) -> Contact:
    """A contact answered 10 seconds after it was offered."""
    return Contact(offered_at=at, answered_at=at + timedelta(seconds=10))


# New York falls back on Sunday 2 November 2025 at 02:00 EDT (06:00Z) to 01:00 EST: local
# 01:00-02:00 happens twice, 05:00-06:00Z as EDT (UTC-4), then 06:00-07:00Z as EST (UTC-5).
FOLD = [_answered(datetime(2025, 11, 2, 5, 30, tzinfo=UTC)),  # 01:30 EDT
        _answered(datetime(2025, 11, 2, 6, 30, tzinfo=UTC))]  # 01:30 EST  # fmt: skip


def test_hour_intervals_across_the_fold_have_distinct_labels() -> None:
    """The two local hours 01:00-02:00 are separate rows of one real hour each; their labels
    name the offset wherever the local time is ambiguous (the first used to read
    '01:00-01:00', as if empty, and both began '01:00')."""
    report = service_level(FOLD, interval="60min", timezone="America/New_York")
    assert [
        "2025-11-02 01:00 EDT-01:00 EST",  # 05:00Z-06:00Z
        "2025-11-02 01:00 EST-02:00",  # 06:00Z-07:00Z
    ] == [row.label for row in report.rows]
    # In UTC: Python subtracts two datetimes sharing a tzinfo by their wall clocks.
    lengths = [row.end.astimezone(UTC) - row.start.astimezone(UTC) for row in report.rows]
    assert [timedelta(hours=1)] * 2 == lengths
    table = report.to_table()
    assert "2025-11-02 01:00 EDT-01:00 EST" in table
    assert "2025-11-02 01:00 EST-02:00" in table


def test_half_hour_intervals_across_the_fold() -> None:
    """Every 30-minute row inside the repeated hour names its offsets; rows outside it do not."""
    contacts = [_answered(datetime(2025, 11, 2, 4, 45, tzinfo=UTC) + timedelta(minutes=30 * i))
                for i in range(6)]  # fmt: skip
    report = service_level(contacts, interval="30min", timezone="America/New_York")
    assert [
        "2025-11-02 00:30-01:00 EDT",  # 04:30Z-05:00Z
        "2025-11-02 01:00 EDT-01:30 EDT",  # 05:00Z-05:30Z
        "2025-11-02 01:30 EDT-01:00 EST",  # 05:30Z-06:00Z
        "2025-11-02 01:00 EST-01:30 EST",  # 06:00Z-06:30Z
        "2025-11-02 01:30 EST-02:00",  # 06:30Z-07:00Z
        "2025-11-02 02:00-02:30",  # 07:00Z-07:30Z
    ] == [row.label for row in report.rows]


def test_labels_away_from_a_fold_are_unchanged() -> None:
    """A day row, a row across the spring-forward gap and a UTC row read as before."""
    day = service_level(FOLD, interval="day", timezone="America/New_York")
    assert ["2025-11-02"] == [row.label for row in day.rows]
    # 9 March 2025: 02:00 EST jumps to 03:00 EDT; 06:45Z is 01:45 EST, 07:05Z 03:05 EDT.
    gap = [_answered(datetime(2025, 3, 9, 6, 45, tzinfo=UTC)),
           _answered(datetime(2025, 3, 9, 7, 5, tzinfo=UTC))]  # fmt: skip
    rows = service_level(gap, interval="30min", timezone="America/New_York").rows
    assert ["2025-03-09 01:30-03:00", "2025-03-09 03:00-03:30"] == [row.label for row in rows]
    utc = service_level(FOLD, interval="60min").rows
    assert ["2025-11-02 05:00-06:00", "2025-11-02 06:00-07:00"] == [row.label for row in utc]


@pytest.mark.parametrize("zone", [42, 3.5, ["UTC"], None])
def test_a_timezone_that_is_not_one_is_an_error(zone: Any) -> None:
    """timezone= takes an IANA name or a tzinfo; anything else is an ArgumentError naming it
    (42 used to surface as a TypeError from deep inside datetime)."""
    with pytest.raises(ArgumentError, match="timezone"):
        service_level(FOLD, timezone=zone)
