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

# ----------------------------------------------------------------------------------------------
# Events files: tickets as the lines of a JSON Lines file, plain ones and every kind of odd one
#: Event rows after ``created`` that the fast path reads.
PLAIN_EVENT_ROWS: list[dict[str, Any]] = [
    {"kind": "agent_replied"},
    {"kind": "agent_replied", "public": False},
    {"kind": "agent_replied", "public": True, "author": "ana"},
    {"kind": "customer_replied", "author": None},
    {"kind": "note_added", "public": None},
    {"kind": "status_changed", "status": "pending"},
    {"kind": "status_changed", "status": "open"},
    {"kind": "solved"},
    {"kind": "solved", "status": "solved"},
    {"kind": "reopened"},
    {"kind": "priority_changed", "priority": "urgent"},
    {"kind": "attributes_changed", "attributes": {"group": "tech", "tags": ["vip"]}},
    {"kind": "attributes_changed", "attributes": {"group": None}},
    {"kind": "attributes_changed", "attributes": {}},
    {"kind": "assigned", "attributes": {"agent": "bo"}},
    {"kind": "note_added", "attributes": None},
    {"kind": "escalated"},
]
#: Event rows each model rule refuses, or that only validation reads (a ``public`` given as
#: text, a priority the policy has no target for, an unknown key).
ODD_EVENT_ROWS: list[dict[str, Any]] = [
    {"kind": "agent_replied", "public": "yes"},
    {"kind": "agent_replied", "public": "maybe"},
    {"kind": "agent_replied", "public": 1},
    {"kind": "customer_replied", "author": 7},
    {"kind": "status_changed"},
    {"kind": "solved", "status": "Resolved"},
    {"kind": "closed", "status": "open"},
    {"kind": "priority_changed", "priority": "low"},
    {"kind": "priority_changed"},
    {"kind": "priority_changed", "priority": 3},
    {"kind": "attributes_changed"},
    {"kind": "attributes_changed", "attributes": None},
    {"kind": "attributes_changed", "attributes": {"team": {"name": "a"}}},
    {"kind": "attributes_changed", "attributes": {"priority": ["high"]}},
    {"kind": "attributes_changed", "attributes": ["group"]},
    {"kind": "note_added", "attributes": {"score": float("nan")}},
    {"kind": ""},
    {"kind": 5},
    {"kind": None},
    {"kind": "note_added", "colour": "red"},
    {"kind": "created"},
]
CREATED_ATTRIBUTES = st.one_of(
    st.none(),
    st.just({}),
    st.fixed_dictionaries(
        {"group": st.sampled_from(["billing", "tech", "=cmd()"])},
        optional={
            "tags": st.lists(st.sampled_from(["vip", "eu"]), max_size=2),
            "seats": st.sampled_from([3, 2.5, True, None]),
            "priority": st.sampled_from(["high", ["high"]]),
            "nested": st.just({"a": 1}),
        },
    ),
    st.just("gold"),
)


@st.composite
def event_texts(draw: st.DrawFn, at: datetime) -> Any:
    """``at`` as an events file may give it: mostly plain ISO 8601 text with an offset or ``Z``,
    sometimes a form only pydantic reads (a space for ``T``, a Unix time), a naive or out of
    range instant, or not an instant at all."""
    return draw(
        st.sampled_from(
            [
                at.isoformat(),
                at.isoformat(),
                at.astimezone(UTC).isoformat().replace("+00:00", "Z"),
                at.isoformat(timespec="milliseconds"),
                at.isoformat(sep=" "),
                at.replace(tzinfo=None).isoformat(),
                at.isoformat().replace("T", "t"),
                int(at.timestamp()),
                "1969-12-31T23:59:59Z",
                "2025-02-30T10:00:00Z",
                "2025-03-30T24:00:00+02:00",
                "soon",
                None,
            ]
        )
    )


@st.composite
def event_file_tickets(draw: st.DrawFn, ticket_id: str) -> list[dict[str, Any]]:
    """One ticket's rows for an events file (``ticket_id`` on each): a ``created`` row then
    events in a DST zone near an anchor date; mostly plain, sometimes odd in any of the ways
    validation knows (see :data:`ODD_EVENT_ROWS`), with ids that are sometimes re-sent or clash,
    a row before ``created``, or the rows out of order."""
    zone = ZoneInfo(draw(st.sampled_from(ZONES)))
    anchor = draw(st.sampled_from(ANCHORS))
    at = datetime(anchor.year, anchor.month, anchor.day, tzinfo=zone) + timedelta(
        minutes=draw(st.integers(-600, 600))
    )
    plain = draw(st.integers(0, 3)) > 0  # instants as the fast path reads them
    created: dict[str, Any] = {"at": at.astimezone(zone).isoformat(), "kind": "created"}
    if draw(st.booleans()):
        created["priority"] = draw(st.sampled_from(["urgent", "high", "normal", "low"]))
    attributes = draw(CREATED_ATTRIBUTES)
    if attributes is not None or draw(st.booleans()):
        created["attributes"] = attributes
    rows = [created]
    odd = draw(st.integers(0, 3)) == 0  # odd rows first (often none), then plain ones
    for _ in range(draw(st.integers(0, 6))):
        at += timedelta(
            minutes=draw(st.one_of(st.just(0), st.integers(1, 120), st.integers(121, 5000)))
        )
        shape = draw(st.sampled_from(ODD_EVENT_ROWS if odd else PLAIN_EVENT_ROWS))
        odd = odd and draw(st.booleans())
        row = dict(shape)
        shown = at.astimezone(draw(st.sampled_from([zone, UTC, ZoneInfo("Asia/Kolkata")])))
        row["at"] = shown.isoformat() if plain else draw(event_texts(shown))
        if draw(st.integers(0, 4)) == 0:
            row["id"] = draw(st.sampled_from(["e1", "e2", 9]))
        rows.append(row)
    if draw(st.integers(0, 3)) == 0:  # out of order (validation orders, created first)
        rows = draw(st.permutations(rows))
    if not plain and draw(st.integers(0, 5)) == 0:
        rows.append({**created, "at": (at - timedelta(days=1)).isoformat(), "kind": "note_added"})
    if not plain and draw(st.integers(0, 9)) == 0:
        rows.remove(created)
    return [{"ticket_id": ticket_id, **row} for row in rows]


def event_line(draw: st.DrawFn, row: dict[str, Any]) -> str:
    """A row as a line of JSON: usually as ``json.dumps`` writes it, sometimes compact, with
    spaces before colons, escaped characters, a key given twice, or cut short."""
    import json

    style = draw(st.integers(0, 12))
    if style == 1:
        return json.dumps(row, separators=(",", ":"))
    if style == 2:
        return json.dumps(row, separators=(", ", " : "))
    if style == 3:
        return json.dumps({**row, "author": "Zoë"})  # \u00eb: a backslash in the line
    if style == 4:
        return json.dumps(row)[:-1] + ', "kind": "note_added"}'
    if style == 5:
        return json.dumps(row)[:-1] + ', "ticket_id": "other"}'
    if style == 6:
        return json.dumps(row)[: draw(st.integers(0, 30))]
    if style == 7:
        return json.dumps({"note": ": starts with a colon", **row})
    if style == 8:
        return json.dumps({**row, "kind": {"nested": 1}})
    if style == 9:
        return json.dumps(dict(reversed(list(row.items()))))
    return json.dumps(row)


@st.composite
def event_files(draw: st.DrawFn) -> str:
    """The text of a JSON Lines events file of 1-4 tickets (see :func:`event_file_tickets`),
    tickets contiguous or their lines mixed, sometimes with blank or odd lines between."""
    tickets = [draw(event_file_tickets(f"T-{n}")) for n in range(draw(st.integers(1, 4)))]
    lines = [event_line(draw, row) for rows in tickets for row in rows]
    if draw(st.booleans()):
        lines = draw(st.permutations(lines))
    if draw(st.integers(0, 4)) == 0:
        odd = draw(st.sampled_from(["", "   ", "[1, 2]", '{"ticket_id": 5}', "{", "null"]))
        lines.insert(draw(st.integers(0, len(lines))), odd)
    return "\n".join(lines) + "\n"


# ----------------------------------------------------------------------------------------------
# Tickets for the analytics reports: attributes changed on the way, in every input shape
#: Groups an ``attributes_changed`` event may move a ticket to (``None`` removes the group).
NEW_GROUPS = st.sampled_from(["billing", "tech", None])


def cli_shaped(timeline: Timeline) -> dict[str, Any]:
    """``timeline`` in the CLI's events shape: no top-level attributes; the priority and the
    other attributes given on the ``created`` event."""
    data = timeline.model_dump(mode="json")
    attributes = dict(data.pop("attributes"))
    created = data["events"][0]
    created["priority"] = attributes.pop("priority", None)
    created["attributes"] = attributes
    return data


@st.composite
def analytics_tickets(draw: st.DrawFn) -> list[Timeline]:
    """1-6 synthetic tickets; some move to another group (or lose it) by an
    ``attributes_changed`` event at one of their events' instants, so the attributes in force
    depend on ``as_of``."""
    tickets = []
    for number in range(draw(st.integers(1, 6))):
        timeline = draw(synthetic_tickets)
        data = timeline.model_dump()
        data["ticket_id"] = f"A-{number}"
        if draw(st.booleans()):
            at = draw(st.sampled_from([event["at"] for event in data["events"]]))
            change = {"group": draw(NEW_GROUPS)}
            data["events"] = [
                *data["events"],
                {"at": at, "kind": "attributes_changed", "attributes": change},
            ]
        tickets.append(Timeline.model_validate(data))
    return tickets


#: Events after ``created`` for tickets around a DST change (see :func:`dst_change_tickets`).
DST_EVENT_ROWS: list[dict[str, Any]] = [
    {"kind": "agent_replied"},
    {"kind": "customer_replied"},
    {"kind": "solved"},
    {"kind": "reopened"},
    {"kind": "status_changed", "status": "pending"},
    {"kind": "status_changed", "status": "open"},
]


@st.composite
def dst_change_tickets(draw: st.DrawFn) -> tuple[list[Timeline], list[datetime]]:
    """1-5 normal or high tickets with events on a 5-minute grid within the five hours around
    New York's fall-back night (2025-11-02 04:00-09:00Z: 01:00-02:00 local happens twice) or its
    spring-forward night (2025-03-09 05:00-10:00Z), written in New York time (``fold`` set on the
    repeated hour) or UTC; and every instant used, for ``as_of`` to pick from."""
    zone = ZoneInfo("America/New_York")
    start = draw(
        st.sampled_from([datetime(2025, 11, 2, 4, tzinfo=UTC), datetime(2025, 3, 9, 5, tzinfo=UTC)])
    )
    tickets, instants = [], []
    for number in range(draw(st.integers(1, 5))):
        at = start + timedelta(minutes=5 * draw(st.integers(0, 36)))
        rows: list[dict[str, Any]] = [{"at": at.astimezone(zone), "kind": "created"}]
        instants.append(at)
        for _ in range(draw(st.integers(0, 4))):
            at += timedelta(minutes=5 * draw(st.integers(0, 12)))
            instants.append(at)
            shown = at.astimezone(draw(st.sampled_from([zone, UTC])))
            rows.append({"at": shown, **draw(st.sampled_from(DST_EVENT_ROWS))})
        priority = draw(st.sampled_from(["normal", "high"]))
        tickets.append(
            Timeline(ticket_id=f"D-{number}", attributes={"priority": priority}, events=rows)
        )
    return tickets, instants
