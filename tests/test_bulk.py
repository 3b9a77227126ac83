"""Bulk calendar arithmetic (Calendar.add_many / elapsed_many): exact like add / elapsed."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import numpy as np
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from slaclock import Calendar, NaiveDatetimeError

CALENDARS = [
    Calendar.weekdays("America/New_York", country="US"),
    Calendar.model_validate(
        {
            "timezone": "Europe/Berlin",
            "hours": {
                "mon-fri": [["08:00", "12:00"], ["13:00", "18:00"]],
                "sat": [["02:00", "03:30"]],
            },
            "overrides": {"2025-12-24": [["09:00", "11:00"]], "2025-10-27": []},
        }
    ),
    Calendar.model_validate(
        {"timezone": "Asia/Manila", "hours": {"sun-thu": [["22:00", "07:00"]]}}
    ),
    Calendar.model_validate(
        {"timezone": "Australia/Lord_Howe", "hours": {"mon-sun": [["00:00", "24:00"]]}}
    ),
]
ZONES = [ZoneInfo(z) for z in ("UTC", "Europe/Berlin", "America/New_York", "Australia/Lord_Howe")]
BASE = datetime(2024, 1, 1, tzinfo=timezone.utc)

instants = st.builds(
    lambda minutes, micros, zone: (
        BASE + timedelta(minutes=minutes, microseconds=micros)
    ).astimezone(zone),
    st.integers(0, 4 * 365 * 24 * 60),
    st.sampled_from((0, 0, 0, 1, 999_999)),
    st.sampled_from(ZONES),
)
durations = st.one_of(
    st.just(timedelta(0)),
    st.builds(lambda m: timedelta(minutes=m), st.integers(-60 * 24 * 30, 60 * 24 * 30)),
    st.builds(lambda h: timedelta(hours=h), st.integers(-20_000, 20_000)),  # years: past the table
    st.builds(lambda us: timedelta(microseconds=us), st.integers(-(10**6), 10**6)),
)


@given(
    calendar=st.sampled_from(CALENDARS),
    pairs=st.lists(st.tuples(instants, durations), max_size=30),
)
def test_add_many_is_add_per_item(
    calendar: Calendar, pairs: list[tuple[datetime, timedelta]]
) -> None:
    """add_many over a list equals add item by item (same instants, same tzinfo)."""
    starts = [s for s, _ in pairs]
    amounts = [d for _, d in pairs]
    expected = [calendar.add(s, d) for s, d in pairs]
    actual = calendar.add_many(starts, amounts)
    assert [(e, e.tzinfo) for e in expected] == [(a, a.tzinfo) for a in actual]


@given(
    calendar=st.sampled_from(CALENDARS), pairs=st.lists(st.tuples(instants, instants), max_size=30)
)
def test_elapsed_many_is_elapsed_per_item(
    calendar: Calendar, pairs: list[tuple[datetime, datetime]]
) -> None:
    """elapsed_many over lists equals elapsed item by item (either order of the pair)."""
    expected = [calendar.elapsed(a, b) for a, b in pairs]
    assert expected == calendar.elapsed_many([a for a, _ in pairs], [b for _, b in pairs])


@given(
    calendar=st.sampled_from(CALENDARS), pairs=st.lists(st.tuples(instants, durations), max_size=20)
)
def test_numpy_and_pandas_columns(
    calendar: Calendar, pairs: list[tuple[datetime, timedelta]]
) -> None:
    """numpy datetime64 (UTC) and tz-aware pandas columns give the per-item answers too."""
    starts = [s for s, _ in pairs]
    amounts = [d for _, d in pairs]
    expected = [calendar.add(s, d).astimezone(timezone.utc) for s, d in pairs]
    as_numpy = np.array(
        [s.astimezone(timezone.utc).replace(tzinfo=None) for s in starts], "datetime64[us]"
    )
    result = calendar.add_many(as_numpy, np.array(amounts, "timedelta64[us]"))
    assert [e.replace(tzinfo=None) for e in expected] == result.astype(datetime).tolist()
    series = pd.Series(pd.to_datetime(as_numpy).tz_localize("UTC").tz_convert("Europe/Berlin"))
    out = calendar.add_many(series, pd.Series(amounts, dtype="timedelta64[us]"))
    assert "Europe/Berlin" == str(out.dt.tz)
    assert expected == [t.to_pydatetime() for t in out]
    ends = calendar.elapsed_many(series, out)
    assert [calendar.elapsed(s, calendar.add(s, d)) for s, d in pairs] == [
        t.to_pytimedelta() for t in ends
    ]


def test_a_hand_worked_column() -> None:
    """New York 09:00-17:00 weekdays, +8h: Friday 16:00 -> Monday 16:00 (1h on Friday + 7h
    from Monday 09:00); Monday 09:00 -> Monday 17:00 (used up exactly at closing)."""
    ny = ZoneInfo("America/New_York")
    cal = CALENDARS[0]
    starts = [datetime(2025, 3, 7, 16, tzinfo=ny), datetime(2025, 3, 10, 9, tzinfo=ny)]
    assert [
        datetime(2025, 3, 10, 16, tzinfo=ny),
        datetime(2025, 3, 10, 17, tzinfo=ny),
    ] == cal.add_many(starts, "8h")


def test_naive_and_mismatched_inputs_are_errors() -> None:
    """Naive pandas instants, a naive datetime and columns of different lengths are rejected."""
    cal = CALENDARS[0]
    with pytest.raises(NaiveDatetimeError, match="starts: instants without a time zone"):
        cal.add_many(pd.Series(pd.to_datetime(["2025-03-07 09:00"])), "1h")
    with pytest.raises(NaiveDatetimeError, match=r"starts\[0\] is a naive datetime"):
        cal.add_many([datetime(2025, 3, 7, 9)], "1h")
    with pytest.raises(ValueError, match="2 durations for 1 instants"):
        cal.add_many([datetime(2025, 3, 7, 9, tzinfo=timezone.utc)], ["1h", "2h"])
