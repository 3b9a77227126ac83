"""Edge cases of the streaming clocks (slaclock.streaming, slaclock.full_history) and their
stored state: arguments of the wrong type, stored state with odd values, and the agreement
with evaluate() one event at a time."""

from __future__ import annotations

import hashlib
import json
from datetime import datetime, timedelta, timezone
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from slaclock import (
    ClockStateError,
    FullHistoryClock,
    Policy,
    PolicySet,
    SlaclockError,
    TicketClock,
    Timeline,
    evaluate,
)
from slaclock.streaming import first_deadline_after
from slaclock.synthetic import DEFAULT_POLICY

UTC = timezone.utc
CREATED = {"at": "2025-03-10T09:00:00-04:00", "kind": "created"}


def _clock(kind: type[Any] = TicketClock) -> Any:
    return kind(DEFAULT_POLICY, "T-1", {"priority": "normal"}).add(CREATED)


@pytest.mark.parametrize("after", ["2025-03-10T12:00:00Z", datetime(2025, 3, 10, 12), 5])
def test_first_deadline_after_checks_after(after: Any) -> None:
    """first_deadline_after with text, a naive datetime or a number as `after` is a
    SlaclockError naming `after` (was: a raw TypeError from the arithmetic)."""
    with pytest.raises(SlaclockError, match="after"):
        first_deadline_after(_clock().result(), after)


@pytest.mark.parametrize("kind", [TicketClock, FullHistoryClock])
def test_stored_event_past_year_9999_in_its_zone_is_a_state_error(kind: type[Any]) -> None:
    """A stored event at 9999-12-31T23:59:59Z kept in a zone at +14:00 (slaclock 0.1's
    unversioned state has no checksum to stop it) is a ClockStateError naming the event (was: a
    raw OverflowError from converting it to its zone)."""
    state = {
        "ticket_id": "T-1",
        "events": [
            {"at": "9999-12-31T23:59:59+00:00", "kind": "created", "zone": "Pacific/Kiritimati"}
        ],
    }
    with pytest.raises(ClockStateError, match="unreadable event"):
        kind.from_dict(state, DEFAULT_POLICY)


# ----------------------------------------------------------------------------------------------
# One event at a time equals evaluate(), under a policy set switching mid-ticket, across the
# DST changes of a zone with 30-minute DST, with round trips through the stored state
def _apac_policy() -> Policy:
    data = DEFAULT_POLICY.model_dump(mode="json", exclude_defaults=True)
    data.update(
        name="apac",
        conditions={"group": "apac"},
        calendar={
            "timezone": "Australia/Lord_Howe",
            # Sunday 01:00-03:00 straddles both of Lord Howe's 30-minute changes.
            "hours": {"mon-fri": "09:00-17:00", "sat": "22:00-00:30", "sun": "01:00-03:00"},
        },
    )
    return Policy.model_validate(data)


#: Two policies picked by group with the same metrics (a switch needs no history), one of them
#: in Lord Howe's zone.
SWITCHING = PolicySet(policies=[_apac_policy(), DEFAULT_POLICY])
STEPS = [
    {"kind": "agent_replied"},
    {"kind": "agent_replied", "public": False},
    {"kind": "customer_replied"},
    {"kind": "status_changed", "status": "pending"},
    {"kind": "status_changed", "status": "open"},  # also a change to the same status
    {"kind": "status_changed", "status": "on_hold"},
    {"kind": "solved"},
    {"kind": "closed"},
    {"kind": "reopened"},  # after a close too
    {"kind": "note_added"},
    {"kind": "priority_changed", "priority": "urgent"},
    {"kind": "priority_changed", "priority": "low"},  # while paused too
    {"kind": "attributes_changed", "attributes": {"group": "apac"}},
    {"kind": "attributes_changed", "attributes": {"group": "billing"}},
]
SHOWN_IN = [UTC, ZoneInfo("Australia/Lord_Howe"), ZoneInfo("America/New_York")]
#: Around Lord Howe's changes of 2025 (04-06 02:00 back to 01:30; 10-05 02:00 on to 02:30).
STARTS = [datetime(2025, 4, 5, 13, tzinfo=UTC), datetime(2025, 10, 4, 14, tzinfo=UTC)]


@st.composite
def switching_tickets(draw: st.DrawFn) -> tuple[Timeline, list[bool]]:
    """A ticket of 1-10 events (often several at one instant) and, per event, whether the
    clock goes through its stored text after it."""
    at = draw(st.sampled_from(STARTS)) + timedelta(minutes=15 * draw(st.integers(0, 200)))
    rows: list[dict[str, Any]] = [
        {"at": at.astimezone(draw(st.sampled_from(SHOWN_IN))), "kind": "created"}
    ]
    for _ in range(draw(st.integers(0, 9))):
        at += timedelta(minutes=draw(st.sampled_from([0, 0, 1, 15, 30, 240, 1440])))
        rows.append(
            {"at": at.astimezone(draw(st.sampled_from(SHOWN_IN))), **draw(st.sampled_from(STEPS))}
        )
    attributes = {
        "priority": draw(st.sampled_from(["urgent", "high", "normal", "low"])),
        "group": draw(st.sampled_from(["apac", "billing"])),
    }
    timeline = Timeline(ticket_id="T-1", attributes=attributes, events=rows)
    return timeline, draw(st.lists(st.booleans(), min_size=len(rows), max_size=len(rows)))


@given(case=switching_tickets(), hours=st.sampled_from([0, 1, 7, 72]))
def test_one_event_at_a_time_is_evaluate_under_a_switching_policy_set(
    case: tuple[Timeline, list[bool]], hours: int
) -> None:
    """After every event both clocks give exactly evaluate() on the events so far (as JSON
    text, offsets included), as of the event and some hours later (counted in UTC: a wall-clock
    sum across a fold would go back), the same next deadline, whether or not they went through
    their stored text in between."""
    timeline, round_trips = case
    clocks: list[Any] = [TicketClock(SWITCHING, "T-1", timeline.attributes),
                         FullHistoryClock(SWITCHING, "T-1", timeline.attributes)]  # fmt: skip
    for count, (event, trip) in enumerate(zip(timeline.events, round_trips), start=1):
        clocks = [clock.add(event) for clock in clocks]
        if trip:
            clocks = [type(c).from_dict(json.dumps(c.to_dict()), SWITCHING) for c in clocks]
        prefix = Timeline(
            ticket_id="T-1", attributes=timeline.attributes, events=timeline.events[:count]
        )
        as_of = (event.at.astimezone(UTC) + timedelta(hours=hours)).astimezone(event.at.tzinfo)
        expected = evaluate(SWITCHING, prefix, as_of).model_dump_json()
        assert [expected, expected] == [c.result(as_of).model_dump_json() for c in clocks]
        assert clocks[0].next_deadline() == clocks[1].next_deadline()


def test_an_id_reused_at_a_later_instant_is_not_noticed_by_the_incremental_clock() -> None:
    """The documented limit (docs/how-to/streaming.md): the incremental clock checks ids only
    among the events at its last instant, so an id used again an hour later with other content
    is taken as a new event, where the full-history clock (like evaluate) refuses it."""
    created = {"at": "2025-03-10T09:00:00Z", "kind": "created", "id": "e1"}
    again = {"at": "2025-03-10T10:00:00Z", "kind": "agent_replied", "id": "e1"}
    clock = TicketClock(DEFAULT_POLICY, "T-1", {"priority": "normal"}).add(created).add(again)
    assert 2 == clock.event_count
    with pytest.raises(ValueError, match="event id 'e1' is used twice with different content"):
        FullHistoryClock(DEFAULT_POLICY, "T-1", {"priority": "normal"}).add(created).add(again)


@pytest.mark.parametrize("kind", [TicketClock, FullHistoryClock])
def test_next_deadline_walks_through_a_fall_back_fold(kind: type[Any]) -> None:
    """Created 01:15 EDT on 2025-11-02 with a 1h target and a 50% threshold: the threshold is
    at 01:45 EDT (05:45Z), the due instant an hour after creation at 01:15 EST (06:15Z), shown
    with fold=1, a wall-clock time *earlier* than the threshold's. next_deadline(after=t) is
    strictly after t, as an instant: threshold, then due (after the threshold's instant), then
    nothing."""
    ny = ZoneInfo("America/New_York")
    policy = Policy(
        name="p",
        metrics={
            "first_response": {
                "targets": {"normal": "1h"},
                "thresholds": [{"name": "half", "at_percent": 50}],
            }
        },
    )
    clock = kind(policy, "T-1", {"priority": "normal"}).add(
        {"at": datetime(2025, 11, 2, 1, 15, tzinfo=ny), "kind": "created"}
    )
    first = clock.next_deadline()
    # Compared in UTC: Python finds an ambiguous local time unequal to every other zone's.
    assert ("half", datetime(2025, 11, 2, 5, 45, tzinfo=UTC)) == (
        first.name,
        first.at.astimezone(UTC),
    )
    second = clock.next_deadline(first.at)
    assert ("due", datetime(2025, 11, 2, 6, 15, tzinfo=UTC), 1) == (
        second.name,
        second.at.astimezone(UTC),
        second.at.fold,
    )
    assert None is clock.next_deadline(second.at)
    assert first.at == clock.next_deadline(first.at - timedelta(microseconds=1)).at
    with pytest.raises(SlaclockError, match="after is a naive datetime"):
        clock.next_deadline(datetime(2025, 11, 2, 1, 30))


def _resealed(state: dict[str, Any]) -> dict[str, Any]:
    """``state`` with its checksum made right again (as tests/test_streaming.py forges it)."""
    body = {k: v for k, v in state.items() if k != "checksum"}
    text = json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return {**body, "checksum": hashlib.sha256(text.encode()).hexdigest()}


@pytest.mark.parametrize("kind", [TicketClock, FullHistoryClock])
def test_stored_state_without_its_format_is_not_read_as_unchecked_legacy_state(
    kind: type[Any],
) -> None:
    """State of this format that lost its `format` key (a damaged store, a hand edit) keeps its
    other header keys, so it is refused (was: the full-history clock read it as slaclock 0.1's
    unchecked state, skipping the policy check: here a clock built under another policy)."""
    other = Policy(name="other", metrics={"first_response": {"targets": {"normal": "1h"}}})
    state = kind(other, "T-1", {"priority": "normal"}).add(CREATED).to_dict()
    del state["format"]
    with pytest.raises(ClockStateError, match=r"format None - expected 'slaclock\.clock'"):
        kind.from_dict(state, DEFAULT_POLICY)


@pytest.mark.parametrize("kind", [TicketClock, FullHistoryClock])
def test_stored_state_with_an_unknown_key_is_refused(kind: type[Any]) -> None:
    """A key to_dict() never writes, even with the checksum made right, is a ClockStateError
    naming it (was: ignored at the top level, while the same key inside the replay state was
    refused)."""
    state = _resealed({**_clock(kind).to_dict(), "deadline_cache": []})
    with pytest.raises(ClockStateError, match=r"unknown key\(s\) \['deadline_cache'\]"):
        kind.from_dict(state, DEFAULT_POLICY)
    legacy = {"ticket_id": "T-1", "attributes": {"priority": "normal"}, "events": [CREATED]}
    assert 1 == len(
        kind.from_dict(legacy, DEFAULT_POLICY).result().metrics["first_response"].cycles
    )


@pytest.mark.parametrize("kind", [TicketClock, FullHistoryClock])
@pytest.mark.parametrize("key", ["format_version", "ticket_id", "events", "checksum"])
def test_an_integer_too_long_to_print_in_stored_state_is_a_state_error(
    kind: type[Any], key: str
) -> None:
    """A stored mapping holding 10**5000 anywhere is a ClockStateError giving the number's size
    (was: Python's raw ValueError about integer string conversion, raised while writing the
    message about it)."""
    state = {**_clock(kind).to_dict(), key: 10**5000}
    with pytest.raises(ClockStateError, match="integer of about 5001 digits"):
        kind.from_dict(state, DEFAULT_POLICY)


@pytest.mark.parametrize("kind", [TicketClock, FullHistoryClock])
@pytest.mark.parametrize("events", [5, None, "created", CREATED])
def test_events_that_are_not_a_list_of_events_are_refused(kind: type[Any], events: Any) -> None:
    """A number, None, text or one event's mapping as `events`: an ArgumentError naming the
    ticket and the value (was: a raw TypeError, or text and a mapping walked item by item)."""
    with pytest.raises(SlaclockError, match=r"ticket 'T-1': events=.* - expected a list of events"):
        kind(DEFAULT_POLICY, "T-1", {"priority": "normal"}, events)


@pytest.mark.parametrize("kind", [TicketClock, FullHistoryClock])
def test_a_tuple_attribute_survives_the_round_trip(kind: type[Any]) -> None:
    """Attributes given with a tuple (tags=("vip", "eu")) read as the list JSON gives back, so
    a clock equals its stored-and-loaded copy, and its result equals evaluate()'s (was: the
    live clock kept the tuple, the loaded one a list, and the two clocks compared unequal)."""
    attributes = {"priority": "normal", "tags": ("vip", "eu")}
    clock = kind(DEFAULT_POLICY, "T-1", attributes).add(CREATED)
    loaded = kind.from_dict(json.dumps(clock.to_dict()), DEFAULT_POLICY)
    timeline = Timeline(ticket_id="T-1", attributes=attributes, events=[CREATED])
    assert clock == loaded
    assert evaluate(DEFAULT_POLICY, timeline) == clock.result() == loaded.result()
