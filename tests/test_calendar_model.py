"""Hypothesis properties of calendar arithmetic, and agreement with the reference model."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from slaclock import Calendar
from tests.calendar_model import Reference
from tests.strategies import ZONES, calendars, durations, instants, seasonal_calendars

UTC = timezone.utc


def _utc(value: object) -> object:
    """Instants in UTC, recursively: Python never reports an ambiguous local time (a DST fold)
    equal to a datetime in another zone (PEP 495), so comparisons are made in UTC."""
    if isinstance(value, datetime):
        return value.astimezone(UTC)
    if isinstance(value, (list, tuple)):
        return [_utc(item) for item in value]
    return value


def _in_utc(value: datetime) -> datetime:
    return value.astimezone(UTC)


def _reference(calendar: Calendar, *points: datetime) -> Reference:
    days = [p.astimezone(ZoneInfo(calendar.timezone)).date() for p in points]
    return Reference(calendar, min(days) - timedelta(days=3), max(days) + timedelta(days=60))


@given(data=st.data(), calendar=seasonal_calendars())
def test_seasons_agree_with_reference_model(data: st.DataObject, calendar: Calendar) -> None:
    """With seasons, elapsed, add, is_open, next_open and open_intervals match the model."""
    a = data.draw(instants(calendar))
    b = data.draw(instants(calendar))
    d = data.draw(durations)
    model = _reference(calendar, a, b)
    assert model.elapsed(a, b) == calendar.elapsed(a, b)
    assert model.is_open(a) == calendar.is_open(a)
    lo, hi = min(a, b), max(a, b)
    assert _utc(model.open_intervals(lo, hi)) == _utc(calendar.open_intervals(lo, hi))
    try:
        expected_add = model.add(a, d)
        expected_open = model.next_open(a)
    except LookupError:
        assume(False)
    assert _utc(expected_add) == _utc(calendar.add(a, d))
    assert _utc(expected_open) == _utc(calendar.next_open(a))


@given(data=st.data(), calendar=calendars())
def test_agrees_with_reference_model(data: st.DataObject, calendar: Calendar) -> None:
    """elapsed, add, subtract, is_open, next_open, next_close, open_intervals match the model."""
    a = data.draw(instants(calendar))
    b = data.draw(instants(calendar))
    d = data.draw(durations)
    model = _reference(calendar, a, b)
    assert model.elapsed(a, b) == calendar.elapsed(a, b)
    assert model.is_open(a) == calendar.is_open(a)
    lo, hi = min(a, b), max(a, b)
    assert _utc(model.open_intervals(lo, hi)) == _utc(calendar.open_intervals(lo, hi))
    try:
        expected_add = model.add(a, d)
        expected_open = model.next_open(a)
        expected_close = model.next_close(a)
    except LookupError:
        assume(False)
    assert _utc(expected_add) == _utc(calendar.add(a, d))
    assert _utc(expected_open) == _utc(calendar.next_open(a))
    assert _utc(expected_close) == _utc(calendar.next_close(a))
    if d > timedelta(0):
        try:
            expected_sub = model.subtract(b, d)
        except LookupError:
            return
        assert _utc(expected_sub) == _utc(calendar.subtract(b, d))


@given(data=st.data(), calendar=calendars())
def test_elapsed_of_add_is_the_duration(data: st.DataObject, calendar: Calendar) -> None:
    """elapsed(s, add(s, d)) == d, and add(s, 0) == s, for d >= 0 and for d < 0."""
    s = data.draw(instants(calendar))
    d = data.draw(durations)
    assert d == calendar.elapsed(s, calendar.add(s, d))
    assert d == calendar.elapsed(calendar.subtract(s, d), s)
    assert _utc(s) == _utc(calendar.add(s, timedelta(0)))


@given(data=st.data(), calendar=calendars())
def test_add_is_monotone_in_both_arguments(data: st.DataObject, calendar: Calendar) -> None:
    """s1 <= s2 and d1 <= d2 imply add(s1, d1) <= add(s2, d2)."""
    # Sorted and compared as instants (in UTC): two datetimes in one ZoneInfo compare by wall
    # clock, which orders a fall-back night's second 01:15 before its first 01:30.
    s1, s2 = sorted([data.draw(instants(calendar)), data.draw(instants(calendar))], key=_in_utc)
    d1, d2 = sorted([data.draw(durations), data.draw(durations)])
    assert (
        _in_utc(calendar.add(s1, d1))
        <= _in_utc(calendar.add(s2, d1))
        <= _in_utc(calendar.add(s2, d2))
    )
    assert _in_utc(calendar.add(s1, d1)) <= _in_utc(calendar.add(s1, d2))


@given(data=st.data(), calendar=calendars())
def test_elapsed_is_additive_and_bounded(data: st.DataObject, calendar: Calendar) -> None:
    """elapsed(a,b) + elapsed(b,c) == elapsed(a,c); 0 <= elapsed(a,b) <= b - a for a <= b."""
    a, b, c = (data.draw(instants(calendar)) for _ in range(3))
    assert calendar.elapsed(a, b) + calendar.elapsed(b, c) == calendar.elapsed(a, c)
    # Real time between the instants, in UTC: in one ZoneInfo `hi - lo` is the wall-clock
    # difference, an hour short across a fall-back night.
    lo, hi = sorted([a, b], key=_in_utc)
    assert timedelta(0) <= calendar.elapsed(lo, hi) <= _in_utc(hi) - _in_utc(lo)
    assert -calendar.elapsed(lo, hi) == calendar.elapsed(hi, lo)


@given(
    zone=st.sampled_from(ZONES),
    start=st.integers(0, 3 * 365 * 86_400_000_000),
    micros=st.integers(-(10**12), 10**12),
)
def test_always_open_is_the_identity(zone: str, start: int, micros: int) -> None:
    """On a 24x7 calendar business time is real time, in every zone (DST included)."""
    calendar = Calendar.always_open(zone)
    s = datetime(2024, 1, 1, tzinfo=UTC) + timedelta(microseconds=start)
    d = timedelta(microseconds=micros)
    assert _utc(s + d) == _utc(calendar.add(s, d))
    assert d == calendar.elapsed(s, s + d)


@pytest.mark.parametrize("zone", ZONES)
def test_result_keeps_the_input_tzinfo(zone: str) -> None:
    """add() answers in the tzinfo of its argument, whatever the calendar's zone."""
    calendar = Calendar.weekdays(zone)
    tokyo = ZoneInfo("Asia/Tokyo")
    start = datetime(2025, 3, 7, 12, tzinfo=tokyo)
    assert tokyo is calendar.add(start, "3h").tzinfo


def test_elapsed_is_bounded_by_real_time_across_a_fall_back_night() -> None:
    """New York, 2 Nov 2025: from 00:30 EDT to the second 01:30 (EST) is two real hours, though
    the wall clocks differ by one; an always-open calendar counts both hours (04:30Z-06:30Z)."""
    zone = ZoneInfo("America/New_York")
    calendar = Calendar.always_open("America/New_York")
    start = datetime(2025, 11, 2, 0, 30, tzinfo=zone)
    end = datetime(2025, 11, 2, 1, 30, fold=1, tzinfo=zone)
    assert timedelta(hours=1) == end - start  # wall clock: why the bound is taken in UTC
    assert timedelta(hours=2) == _in_utc(end) - _in_utc(start)
    assert timedelta(hours=2) == calendar.elapsed(start, end)
