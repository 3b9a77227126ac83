"""Calendar.add_many / elapsed_many at the edges: every input add / elapsed accepts gives their
answers, and everything else is an error naming the argument (never AttributeError/TypeError
from inside, never a silently wrong duration)."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from typing import Any
from zoneinfo import ZoneInfo

import numpy as np
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from slaclock import ArgumentError, Calendar, DurationSyntaxError

NY = ZoneInfo("America/New_York")
BERLIN = ZoneInfo("Europe/Berlin")
CAL = Calendar.weekdays("America/New_York")  # Mon-Fri 09:00-17:00 New York
FRIDAY_4PM = datetime(2025, 3, 7, 16, tzinfo=NY)  # 21:00Z


def test_whole_seconds_as_integers_as_add_reads_them() -> None:
    """add reads an integer as whole seconds: so does add_many, one for all or one each.
    Friday 16:00 + 90 s = 16:01:30; + 3600 s = 17:00 (used up exactly at closing);
    + 7200 s = Monday 10:00 (1h on Friday, 1h from Monday 09:00)."""
    assert [datetime(2025, 3, 7, 16, 1, 30, tzinfo=NY)] == CAL.add_many([FRIDAY_4PM], 90)
    assert CAL.add(FRIDAY_4PM, 3600) == CAL.add_many([FRIDAY_4PM], [3600])[0]
    assert [datetime(2025, 3, 7, 17, tzinfo=NY), datetime(2025, 3, 10, 10, tzinfo=NY)] == (
        CAL.add_many([FRIDAY_4PM] * 2, [3600, 7200])
    )


@pytest.mark.parametrize(
    ("durations", "message"),
    [
        ([None], r"durations\[0\]: unreadable duration: None"),
        (["1h", 2.5], r"durations\[1\]: unreadable duration: 2.5"),
        (["1h", "soon"], r"durations\[1\]: unreadable duration: 'soon'"),
    ],
)
def test_a_bad_duration_names_its_position(durations: list[Any], message: str) -> None:
    """A duration add would refuse is refused naming its position and value."""
    with pytest.raises(DurationSyntaxError, match=message):
        CAL.add_many([FRIDAY_4PM] * len(durations), durations)


@pytest.mark.parametrize("unit", ["M", "Y"])
def test_months_and_years_are_no_durations(unit: str) -> None:
    """timedelta64[M] / [Y] have no fixed length (numpy would make a month 30.44 days and add
    that much business time); they are refused, naming the unit."""
    with pytest.raises(
        ArgumentError, match=rf"durations: timedelta64\[{unit}\] .* no fixed length"
    ):
        CAL.add_many(
            np.array(["2025-03-07T21:00"], "datetime64[us]"), np.array([1], f"timedelta64[{unit}]")
        )


@pytest.mark.parametrize("unit", ["W", "D", "h", "m", "s", "ms", "us", "ns"])
def test_timedelta64_of_any_fixed_unit(unit: str) -> None:
    """Durations of any fixed unit give what add gives for the same timedelta."""
    amount = np.array([3], f"timedelta64[{unit}]")
    expected = CAL.add(FRIDAY_4PM, pd.Timedelta(amount[0]).to_pytimedelta())
    utc = np.array(["2025-03-07T21:00"], "datetime64[us]")
    assert expected.astimezone(timezone.utc).replace(tzinfo=None) == CAL.add_many(utc, amount)[
        0
    ].astype(datetime)


@pytest.mark.parametrize("starts", [None, FRIDAY_4PM, 5])
def test_one_instant_or_none_is_an_argument_error(starts: Any) -> None:
    """add_many wants a column: one datetime (or None, or a number) is an ArgumentError saying
    so, not 'object is not iterable'."""
    with pytest.raises(ArgumentError, match=r"starts: .* - expected a column of instants"):
        CAL.add_many(starts, "1h")
    with pytest.raises(ArgumentError, match=r"ends: .* - expected a column of instants"):
        CAL.elapsed_many([FRIDAY_4PM], starts)


def test_numpy_object_arrays_are_columns_of_datetimes() -> None:
    """An object array of aware datetimes (mixed zones) works as a list does, and comes back as
    an object array, each instant in its own zone."""
    starts = np.array([FRIDAY_4PM, datetime(2025, 3, 7, 16, tzinfo=BERLIN)], dtype=object)
    result = CAL.add_many(starts, "2h")
    assert isinstance(result, np.ndarray) and result.dtype == object
    assert [CAL.add(s, "2h") for s in starts] == result.tolist()
    assert [NY, BERLIN] == [r.tzinfo for r in result]
    assert [CAL.elapsed(s, r) for s, r in zip(starts, result)] == CAL.elapsed_many(
        starts, result
    ).tolist()


def test_pandas_object_series_of_mixed_zones() -> None:
    """A pandas Series of aware datetimes in different zones is object dtype (no single .dt.tz):
    it is a column of datetimes, not 'instants without a time zone'; the Series comes back
    with its index and name."""
    starts = pd.Series(
        [FRIDAY_4PM, datetime(2025, 3, 7, 16, tzinfo=BERLIN)], index=[7, 9], name="opened"
    )
    assert "object" == str(starts.dtype)
    result = CAL.add_many(starts, ["2h", "1h"])
    assert [7, 9] == result.index.tolist() and "opened" == result.name
    assert [CAL.add(FRIDAY_4PM, "2h"), CAL.add(starts[9], "1h")] == result.tolist()


def test_object_durations_are_read_one_by_one() -> None:
    """An object column of durations (text, timedeltas, seconds; pandas keeps text as object)
    is read item by item, as add reads each."""
    durations = pd.Series(["2h", timedelta(minutes=30), 60], dtype=object)
    starts = [FRIDAY_4PM] * 3
    assert [CAL.add(FRIDAY_4PM, d) for d in durations] == CAL.add_many(starts, durations)


def test_pandas_columns_with_different_indexes_are_refused() -> None:
    """Two Series whose indexes differ: pandas would align them by label, add_many pairs by
    position; rather than pair the wrong rows silently it asks to align first."""
    starts = pd.Series(
        pd.to_datetime(["2025-03-07 21:00", "2025-03-07 22:00"], utc=True), index=[5, 6]
    )
    durations = pd.Series(pd.to_timedelta(["1h", "2h"]), index=[6, 5])
    with pytest.raises(
        ArgumentError, match=r"durations: a Series whose index differs from starts'"
    ):
        CAL.add_many(starts, durations)
    with pytest.raises(ArgumentError, match=r"ends: a Series whose index differs from starts'"):
        CAL.elapsed_many(starts, starts.set_axis([6, 5]))
    # The same index in the same order is fine.
    assert [CAL.add(s, d) for s, d in zip(starts, durations)] == CAL.add_many(
        starts, durations.set_axis([5, 6])
    ).tolist()


@given(
    pairs=st.lists(
        st.tuples(
            st.integers(0, 3 * 365 * 24 * 3600),
            st.one_of(
                st.integers(-(10**6), 10**6),
                st.builds(lambda m: f"{m}m", st.integers(0, 10**5)),
                st.builds(lambda s: timedelta(seconds=s), st.integers(-(10**6), 10**6)),
            ),
            st.sampled_from((NY, BERLIN, timezone.utc)),
        ),
        max_size=20,
    )
)
def test_mixed_duration_forms_and_zones_equal_add_per_item(
    pairs: list[tuple[int, Any, Any]],
) -> None:
    """A list mixing zones, and durations as seconds, text and timedeltas (negative too): the
    answers of add item by item, each in its start's zone."""
    base = datetime(2024, 1, 1, tzinfo=timezone.utc)
    starts = [(base + timedelta(seconds=s)).astimezone(zone) for s, _, zone in pairs]
    amounts = [d for _, d, _ in pairs]
    expected = [CAL.add(s, d) for s, d in zip(starts, amounts)]
    actual = CAL.add_many(starts, amounts)
    assert [(e, e.tzinfo) for e in expected] == [(a, a.tzinfo) for a in actual]


def test_integer_columns_are_whole_seconds_as_add_reads_them() -> None:
    """add takes whole seconds as an int and add_many took [3600]; a numpy integer, an integer
    array or an integer Series was refused ("a int64 column - expected timedelta64")."""
    start = datetime(2025, 3, 3, 9, tzinfo=ZoneInfo("America/New_York"))  # Monday 09:00
    expected = [CAL.add(start, 3600), CAL.add(start, 7 * 3600 + 1800)]  # 10:00, 16:30
    assert expected == CAL.add_many([start, start], np.array([3600, 27_000]))
    assert expected == list(CAL.add_many(pd.Series([start, start]), pd.Series([3600, 27_000])))
    assert [expected[0]] == CAL.add_many([start], np.int64(3600))
    from slaclock import OutOfRangeError

    with pytest.raises(OutOfRangeError, match=r"durations\[1\]: duration too long"):
        CAL.add_many([start, start], np.array([60, 10**12]))
    with pytest.raises(
        ArgumentError, match="a float64 column - expected timedelta64 durations or whole seconds"
    ):
        CAL.add_many([start], np.array([1.5]))
