"""Hypothesis properties of calendar arithmetic, and agreement with the reference model."""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st
from pydantic import ValidationError

from slaclock import Calendar
from tests.calendar_model import Reference

UTC = timezone.utc
ZONES = [
    "America/New_York",
    "Europe/Berlin",
    "Australia/Lord_Howe",
    "Asia/Kathmandu",
    "Pacific/Apia",
    "UTC",
]
# Instants are drawn around these dates: DST changes, a leap day, year ends, Apia's lost day.
ANCHORS = [
    date(2025, 3, 9),
    date(2025, 3, 30),
    date(2025, 10, 26),
    date(2025, 11, 2),
    date(2025, 4, 6),
    date(2024, 2, 29),
    date(2024, 12, 31),
    date(2011, 12, 30),
    date(2025, 7, 4),
]
DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


def _clock(minutes: int) -> str:
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


@st.composite
def day_spans(draw: st.DrawFn) -> list[list[str]]:
    """0-3 ordered spans on a quarter-hour grid; the last may run overnight or end at 24:00."""
    count = draw(st.integers(0, 3))
    points = sorted(draw(st.sets(st.integers(0, 95), min_size=2 * count, max_size=2 * count)))
    spans = [[_clock(points[2 * i] * 15), _clock(points[2 * i + 1] * 15)] for i in range(count)]
    if spans and draw(st.booleans()):
        spans[-1][1] = "24:00"
    elif spans and draw(st.integers(0, 3)) == 0:
        # Overnight: close at or before open, on the next day.
        spans[-1][1] = _clock(draw(st.integers(0, points[2 * count - 2])) * 15)
    return spans


@st.composite
def calendars(draw: st.DrawFn) -> Calendar:
    zone = draw(st.sampled_from(ZONES))
    hours = {day: draw(day_spans()) for day in DAYS if draw(st.integers(0, 4))}
    anchor = draw(st.sampled_from(ANCHORS))
    near = st.integers(-10, 40).map(lambda k: anchor + timedelta(days=k))
    holidays = draw(st.lists(near, max_size=4))
    overrides = {d: draw(day_spans()) for d in draw(st.lists(near, max_size=3))}
    try:
        calendar = Calendar(timezone=zone, hours=hours, holidays=holidays, overrides=overrides)
    except ValidationError:
        assume(False)  # e.g. an overnight span running into the next day's first span
    assume(any(calendar.hours.values()))
    return calendar


@st.composite
def seasonal_calendars(draw: st.DrawFn) -> Calendar:
    """A calendar with 1-2 seasons near an anchor (one may wrap over the new year)."""
    base = draw(calendars())
    seasons = []
    for _ in range(draw(st.integers(1, 2))):
        anchor = draw(st.sampled_from(ANCHORS))
        first = anchor + timedelta(days=draw(st.integers(-10, 20)))
        last = first + timedelta(days=draw(st.integers(0, 40)))
        hours = {day: draw(day_spans()) for day in DAYS if draw(st.integers(0, 3))}
        seasons.append({"start": f"{first:%m-%d}", "end": f"{last:%m-%d}", "hours": hours})
    try:
        return base.model_copy(update={"seasons": seasons})
    except ValidationError:
        assume(False)  # an overnight span running into the next day's first span
        raise  # pragma: no cover - assume() does not return


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


@st.composite
def instants(draw: st.DrawFn, calendar: Calendar) -> datetime:
    """An instant near an anchor, often on a quarter hour (span edges), in a random tzinfo."""
    anchor = draw(st.sampled_from(ANCHORS))
    zone = ZoneInfo(calendar.timezone)
    base = datetime(anchor.year, anchor.month, anchor.day, tzinfo=zone).astimezone(UTC)
    if draw(st.booleans()):
        offset = timedelta(minutes=15 * draw(st.integers(-4 * 24 * 3, 4 * 24 * 10)))
    else:
        offset = timedelta(microseconds=draw(st.integers(-3 * 86_400_000_000, 10 * 86_400_000_000)))
    shown = draw(st.sampled_from([UTC, zone, ZoneInfo("Asia/Tokyo")]))
    return (base + offset).astimezone(shown)


durations = st.one_of(
    st.integers(0, 60 * 60).map(lambda m: timedelta(minutes=m)),
    st.integers(0, 200 * 3_600_000_000).map(lambda u: timedelta(microseconds=u)),
)


def _utc(value: object) -> object:
    """Instants in UTC, recursively: Python never reports an ambiguous local time (a DST fold)
    equal to a datetime in another zone (PEP 495), so comparisons are made in UTC."""
    if isinstance(value, datetime):
        return value.astimezone(UTC)
    if isinstance(value, (list, tuple)):
        return [_utc(item) for item in value]
    return value


def _reference(calendar: Calendar, *points: datetime) -> Reference:
    days = [p.astimezone(ZoneInfo(calendar.timezone)).date() for p in points]
    return Reference(calendar, min(days) - timedelta(days=3), max(days) + timedelta(days=60))


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
    s1, s2 = sorted([data.draw(instants(calendar)), data.draw(instants(calendar))])
    d1, d2 = sorted([data.draw(durations), data.draw(durations)])
    assert calendar.add(s1, d1) <= calendar.add(s2, d1) <= calendar.add(s2, d2)
    assert calendar.add(s1, d1) <= calendar.add(s1, d2)


@given(data=st.data(), calendar=calendars())
def test_elapsed_is_additive_and_bounded(data: st.DataObject, calendar: Calendar) -> None:
    """elapsed(a,b) + elapsed(b,c) == elapsed(a,c); 0 <= elapsed(a,b) <= b - a for a <= b."""
    a, b, c = (data.draw(instants(calendar)) for _ in range(3))
    assert calendar.elapsed(a, b) + calendar.elapsed(b, c) == calendar.elapsed(a, c)
    lo, hi = sorted([a, b])
    assert timedelta(0) <= calendar.elapsed(lo, hi) <= hi - lo
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
