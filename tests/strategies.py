"""Hypothesis strategies shared by the test modules: calendars and instants near DST changes,
durations, tickets for the reference engine model, synthetic tickets, contacts.

One home, so a property in a new test module draws the same kinds of values as the others.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone
from typing import Any
from zoneinfo import ZoneInfo

from hypothesis import assume
from hypothesis import strategies as st
from pydantic import ValidationError

from slaclock import Calendar, Timeline
from slaclock.synthetic import generate_timelines

UTC = timezone.utc

# ----------------------------------------------------------------------------------------------
# Calendars and instants
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
    """A calendar in one of :data:`ZONES` with random hours, holidays and overrides near an
    anchor date (never closed all week)."""
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


#: Non-negative durations: whole minutes up to an hour, or any microseconds up to 200 hours.
durations = st.one_of(
    st.integers(0, 60 * 60).map(lambda m: timedelta(minutes=m)),
    st.integers(0, 200 * 3_600_000_000).map(lambda u: timedelta(microseconds=u)),
)

# ----------------------------------------------------------------------------------------------
# Tickets for the quarter-hour reference model of the engine (tests/engine_model.py)
QUARTER = timedelta(minutes=15)
MODEL_FIRST = datetime(2025, 3, 17, tzinfo=UTC)  # two weeks before the change to summer time
MODEL_EVENTS: list[dict[str, Any]] = [
    {"kind": "agent_replied"},
    {"kind": "agent_replied", "public": False},
    {"kind": "customer_replied"},
    {"kind": "status_changed", "status": "pending"},
    {"kind": "status_changed", "status": "open"},
    {"kind": "solved"},
    {"kind": "reopened"},
    {"kind": "note_added"},
    {"kind": "priority_changed", "priority": "urgent"},
    {"kind": "priority_changed", "priority": "high"},
    {"kind": "priority_changed", "priority": "normal"},
]
#: Gaps between events in quarter hours: often none or short, sometimes days.
gaps = st.one_of(st.just(0), st.integers(1, 8), st.integers(9, 4 * 24 * 4))


@st.composite
def model_tickets(draw: st.DrawFn) -> tuple[Timeline, datetime]:
    """A ticket on the quarter-hour grid that the reference model covers, and an ``as_of``."""
    created = MODEL_FIRST + QUARTER * draw(st.integers(0, 4 * 24 * 28))
    rows: list[dict[str, Any]] = [{"at": created, "kind": "created"}]
    at = created
    for _ in range(draw(st.integers(0, 9))):
        at += QUARTER * draw(gaps)
        rows.append({"at": at, **draw(st.sampled_from(MODEL_EVENTS))})
    priority = draw(st.sampled_from(("urgent", "high", "normal")))
    timeline = Timeline(ticket_id="M", attributes={"priority": priority}, events=rows)
    return timeline, at + QUARTER * draw(gaps)


# ----------------------------------------------------------------------------------------------
# Synthetic tickets (slaclock.synthetic) and contacts
#: One synthetic ticket (1-5 exchanges) from a random seed.
synthetic_tickets = st.builds(
    lambda seed, exchanges: next(generate_timelines(1, seed=seed, exchanges=exchanges)),
    st.integers(0, 100_000),
    st.integers(1, 5),
)
#: Hours after a ticket's last event to evaluate it at.
hours_after = st.integers(0, 24 * 20)

#: Contacts as (offset in seconds from a start, wait in seconds, answered or abandoned).
contact_lists = st.lists(
    st.tuples(
        st.integers(0, 4 * 3600),
        st.integers(0, 300),
        st.booleans(),
    ),
    max_size=60,
)

# ----------------------------------------------------------------------------------------------
# Durations of any sign
#: Any duration within ±1,000 days, to the microsecond, often whole minutes.
any_durations = st.one_of(
    st.integers(-1000 * 24 * 60, 1000 * 24 * 60).map(lambda m: timedelta(minutes=m)),
    st.timedeltas(min_value=timedelta(days=-1000), max_value=timedelta(days=1000)),
)

# ----------------------------------------------------------------------------------------------
# Survey answers
#: Survey answers as (group, scale, score): stars 1-5, good/bad, NPS 0-10.
survey_answers = st.lists(
    st.tuples(
        st.sampled_from(["billing", "tech"]),
        st.one_of(
            st.tuples(st.just("stars"), st.integers(1, 5)),
            st.tuples(st.just("good_bad"), st.sampled_from(["good", "bad"])),
            st.tuples(st.just("nps"), st.integers(0, 10)),
        ),
    ),
    max_size=40,
)
