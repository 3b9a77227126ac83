"""Timelines and events (slaclock.timeline): validation, ordering, instants."""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from pydantic import ValidationError

from slaclock import Event, Timeline
from slaclock.errors import TimelineError


def timeline(*events: dict[str, Any], **fields: Any) -> Timeline:
    return Timeline.model_validate({"ticket_id": "T", "events": list(events), **fields})


def test_events_are_ordered_by_instant_stably() -> None:
    """Sorted by instant; events at the same instant keep their input order."""
    tl = timeline(
        {"at": "2025-01-01T10:00Z", "kind": "note_added", "id": "b"},
        {"at": "2025-01-01T09:00Z", "kind": "created"},
        {"at": "2025-01-01T10:00Z", "kind": "note_added", "id": "a"},
    )
    assert ["created", "b", "a"] == [e.id or e.kind for e in tl.events]


def test_created_comes_first_at_its_instant() -> None:
    """A note at the creation instant, given first, still comes after 'created'."""
    tl = timeline(
        {"at": "2025-01-01T09:00Z", "kind": "note_added"},
        {"at": "2025-01-01T09:00Z", "kind": "created"},
    )
    assert ["created", "note_added"] == [e.kind for e in tl.events]


def test_order_follows_instants_not_wall_clocks_across_a_fold() -> None:
    """New York, 2 Nov 2025: 01:30 EST (06:30Z) is after 01:45 EDT (05:45Z)."""
    tl = timeline(
        {"at": "2025-11-02T01:30:00-05:00", "kind": "solved"},
        {"at": "2025-11-02T01:45:00-04:00", "kind": "agent_replied"},
        {"at": "2025-11-02T00:30:00-04:00", "kind": "created"},
    )
    assert ["created", "agent_replied", "solved"] == [e.kind for e in tl.events]
    # 00:30 EDT = 04:30Z; 05:45Z; 06:30Z, as microseconds since the epoch
    base = int(datetime(2025, 11, 2, 4, 30, tzinfo=timezone.utc).timestamp()) * 1_000_000
    minute = 60_000_000
    assert (base, base + 75 * minute, base + 120 * minute) == tl.instants


def test_instants_match_the_events() -> None:
    """Timeline.instants is one integer (UTC microseconds) per event, in event order."""
    berlin = ZoneInfo("Europe/Berlin")
    tl = timeline({"at": datetime(2025, 3, 30, 3, 0, 0, 1, tzinfo=berlin), "kind": "created"})
    # 03:00 CEST on the day DST starts = 01:00Z
    assert (int(datetime(2025, 3, 30, 1, tzinfo=timezone.utc).timestamp()) * 1_000_000 + 1,) == (
        tl.instants
    )


def test_a_resent_event_is_kept_once_and_a_conflict_is_an_error() -> None:
    """Same id and content: kept once. Same id, other content: TimelineError naming the id."""
    created = {"at": "2025-01-01T09:00Z", "kind": "created"}
    reply = {"at": "2025-01-01T09:30Z", "kind": "agent_replied", "id": "r1"}
    assert 2 == len(timeline(created, reply, reply).events)
    with pytest.raises(ValidationError, match="event id 'r1' is used twice with different content"):
        timeline(created, reply, {**reply, "public": False})


@pytest.mark.parametrize(
    ("events", "message"),
    [
        ([{"at": "2025-01-01T09:00Z", "kind": "note_added"}], "has 0 'created' events"),
        (
            [{"at": "2025-01-01T09:00Z", "kind": "created"}, {"at": "2025-01-01T10:00Z", "kind": "created"}],
            "has 2 'created' events",
        ),
        (
            [{"at": "2025-01-01T09:00Z", "kind": "created"}, {"at": "2025-01-01T08:59Z", "kind": "note_added"}],
            r"event #1 \(note_added at 2025-01-01T08:59:00Z\) is before the ticket was created",
        ),
    ],
)  # fmt: skip
def test_timeline_errors(events: list[dict[str, Any]], message: str) -> None:
    """Exactly one 'created', and nothing before it."""
    with pytest.raises(ValidationError, match=message):
        timeline(*events)
    assert issubclass(TimelineError, ValueError)


@pytest.mark.parametrize(
    ("kind", "field"),
    [("status_changed", "status"), ("priority_changed", "priority"), ("attributes_changed", "attributes")],
)  # fmt: skip
def test_kinds_that_need_a_field(kind: str, field: str) -> None:
    """Each of these kinds needs its field; the error names it and shows an example."""
    with pytest.raises(ValidationError, match=f"{field} is missing: an event of kind '{kind}'"):
        Event.model_validate({"at": "2025-01-01T09:00Z", "kind": kind})


def test_naive_datetimes_are_rejected() -> None:
    """An event instant without a time zone is an error."""
    with pytest.raises(ValidationError, match="timezone info"):
        Event(at=datetime(2025, 1, 1, 9), kind="created")


def test_replies_are_public_unless_marked() -> None:
    """public=None reads as public; public=False is private."""
    assert Event(at="2025-01-01T09:00Z", kind="agent_replied").is_public  # type: ignore[arg-type]
    assert not Event(at="2025-01-01T09:00Z", kind="agent_replied", public=False).is_public  # type: ignore[arg-type]


def test_with_events_gives_a_new_ordered_timeline() -> None:
    """with_events validates and orders again; the original is unchanged."""
    tl = timeline({"at": "2025-01-01T09:00Z", "kind": "created"}, attributes={"priority": "high"})
    later = tl.with_events(
        {"at": "2025-01-01T11:00Z", "kind": "solved"},
        {"at": "2025-01-01T10:00Z", "kind": "agent_replied"},
    )
    assert ["created", "agent_replied", "solved"] == [e.kind for e in later.events]
    assert (1, {"priority": "high"}) == (len(tl.events), later.attributes)
    assert 3 == len(later.instants)
