"""Tests of slaclock.streaming: the incremental and full-history clocks against the reference
model, against batch evaluation at every step, and through their stored state."""

from __future__ import annotations

import json
import random
from datetime import datetime, timedelta, timezone
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from slaclock import (
    ClockStateError,
    FullHistoryClock,
    HistoryNeededError,
    Policy,
    PolicySet,
    SlaclockError,
    TicketClock,
    TicketResult,
    Timeline,
    evaluate,
)
from slaclock._tz import to_micros
from slaclock.errors import TimelineError, TimelineWarning
from slaclock.synthetic import DEFAULT_POLICY, generate_timelines
from tests.engine_model import METRICS, MODEL_POLICY, STEP, evaluate_model
from tests.strategies import model_tickets

UTC = timezone.utc
MICRO = timedelta(microseconds=1)
QUARTER = timedelta(minutes=15)
POLICY = Policy.model_validate(
    {
        "name": "stream",
        "version": "1",
        "calendar": {"timezone": "Europe/Berlin", "hours": {"mon-fri": [["09:00", "17:00"]]}},
        "metrics": {
            "first_response": {
                "targets": {"normal": "1h"},
                "thresholds": [{"name": "warn", "at_percent": 50}],
            },
            "resolution": {"targets": {"normal": "8h"}},
        },
    }
)
CLOCKS = (TicketClock, FullHistoryClock)


def _json(result: TicketResult) -> str:
    """The result as JSON text: instants with their offsets (datetimes compare by instant)."""
    return result.model_dump_json()


def _prefix(timeline: Timeline, count: int) -> Timeline:
    return Timeline(
        ticket_id=timeline.ticket_id,
        attributes=timeline.attributes,
        events=timeline.events[:count],
    )


@pytest.mark.parametrize("kind", CLOCKS)
def test_first_event_must_be_created(kind: type[TicketClock]) -> None:
    """A clock refuses a first event other than 'created', naming the ticket."""
    clock = kind(POLICY, ticket_id="T-1", attributes={"priority": "normal"})
    with pytest.raises(TimelineError, match="first event of ticket 'T-1' is 'agent_replied'"):
        clock.add({"at": "2025-01-06T09:00:00+00:00", "kind": "agent_replied"})


def test_add_returns_a_new_clock() -> None:
    """add() leaves the original clock unchanged."""
    clock = TicketClock(POLICY, ticket_id="T-1", attributes={"priority": "normal"})
    later = clock.add({"at": "2025-01-06T09:00:00+00:00", "kind": "created"})
    again = later.add({"at": "2025-01-06T09:10:00+00:00", "kind": "agent_replied"})
    assert (0, 1, 2) == (clock.event_count, later.event_count, again.event_count)
    assert "running" == later.result().first_response.state
    assert "met" == again.result().first_response.state


@pytest.mark.parametrize("kind", CLOCKS)
def test_next_deadline_is_the_warning_then_the_due_instant(kind: type[TicketClock]) -> None:
    """Created Mon 09:00 Berlin (08:00Z), 1h target: warning at 50% (08:30Z), due 09:00Z."""
    clock = kind(POLICY, ticket_id="T-1", attributes={"priority": "normal"}).add(
        {"at": "2025-01-06T08:00:00+00:00", "kind": "created"}
    )
    first = clock.next_deadline()
    assert first is not None
    assert (datetime(2025, 1, 6, 8, 30, tzinfo=UTC), "threshold", "warn") == (
        first.at,
        first.kind,
        first.name,
    )
    second = clock.next_deadline(after=first.at)
    assert second is not None
    assert (datetime(2025, 1, 6, 9, 0, tzinfo=UTC), "first_response", "due") == (
        second.at,
        second.metric,
        second.name,
    )


@pytest.mark.parametrize("kind", CLOCKS)
def test_next_deadline_skips_paused_and_stopped_cycles(kind: type[TicketClock]) -> None:
    """After the reply and a solve nothing is left to schedule."""
    clock = kind(POLICY, ticket_id="T-1", attributes={"priority": "normal"})
    for event in (
        {"at": "2025-01-06T08:00:00+00:00", "kind": "created"},
        {"at": "2025-01-06T08:10:00+00:00", "kind": "agent_replied"},
        {"at": "2025-01-06T08:20:00+00:00", "kind": "solved"},
    ):
        clock = clock.add(event)
    assert clock.next_deadline() is None


@pytest.mark.parametrize("kind", CLOCKS)
def test_state_round_trips_through_json_text(kind: type[TicketClock]) -> None:
    """to_dict() is plain JSON; from_dict() rebuilds an equal clock, also from the text."""
    clock = kind(POLICY, ticket_id="T-1", attributes={"priority": "normal"}).add(
        {"at": "2025-01-06T08:00:00+00:00", "kind": "created", "id": "e1"}
    )
    text = json.dumps(clock.to_dict())
    assert clock == kind.from_dict(json.loads(text), POLICY)
    assert clock == kind.from_dict(text, POLICY)


# ----------------------------------------------------------------------------------------------
# The incremental clock equals evaluate() and the reference model
@given(seed=st.integers(0, 10_000), as_of_hours=st.integers(0, 400))
def test_incremental_equals_batch_at_every_step(seed: int, as_of_hours: int) -> None:
    """For every prefix of a random ticket, the incremental clock's result is exactly
    evaluate() on that prefix (compared as JSON text: offsets too), and so is the result of a
    clock rebuilt from its stored text after every event."""
    timeline = next(generate_timelines(1, seed=seed))
    clock = TicketClock(DEFAULT_POLICY, timeline.ticket_id, timeline.attributes)
    for count, event in enumerate(timeline.events, start=1):
        clock = clock.add(event)
        restored = TicketClock.from_dict(json.dumps(clock.to_dict()), DEFAULT_POLICY)
        as_of = event.at + timedelta(hours=as_of_hours)
        expected = _json(evaluate(DEFAULT_POLICY, _prefix(timeline, count), as_of))
        assert expected == _json(clock.result(as_of))
        assert expected == _json(restored.result(as_of))
        clock = restored  # go on from the stored state


@settings(max_examples=40)
@given(seed=st.integers(0, 10_000), branch=st.integers(0, 50))
def test_earlier_clocks_do_not_change_when_later_ones_are_built(seed: int, branch: int) -> None:
    """Clocks are values: after a whole ticket (and a branch off an earlier clock) has been
    added, every intermediate clock still gives evaluate() on its own prefix."""
    timeline = _moved(next(generate_timelines(1, seed=seed, exchanges=5)), seed)
    clocks = [TicketClock(POLICIES, timeline.ticket_id, timeline.attributes)]
    for event in timeline.events:
        clocks.append(clocks[-1].add(event))
    fork = clocks[1 + branch % len(timeline.events)]
    assert fork.last_event_at is not None
    fork.add({"at": fork.last_event_at, "kind": "customer_replied"}).add(
        {"at": fork.last_event_at, "kind": "status_changed", "status": "pending"}
    )
    for count, clock in enumerate(clocks[1:], start=1):
        expected = evaluate(POLICIES, _prefix(timeline, count))
        assert _json(expected) == _json(clock.result())


def _model_summary(result: TicketResult) -> list[Any]:
    rows: list[Any] = []
    for name in METRICS:
        for cycle in result.metrics[name].cycles:
            rows.append(
                (
                    name,
                    cycle.state,
                    to_micros(cycle.started_at) // STEP,
                    None if cycle.stopped_at is None else to_micros(cycle.stopped_at) // STEP,
                    None if cycle.due_at is None else to_micros(cycle.due_at) // STEP,
                    cycle.elapsed // QUARTER,
                    cycle.paused // QUARTER,
                    [(t.name, None if t.at is None else to_micros(t.at) // STEP, t.reached)
                     for t in cycle.thresholds],
                )
            )  # fmt: skip
    return rows


def _model_rows(timeline: Timeline, as_of: datetime) -> list[Any]:
    model = evaluate_model(timeline, as_of)
    rows: list[Any] = []
    for name in METRICS:
        cycle = model[name]
        if cycle is not None:
            rows.append(
                (
                    name,
                    cycle.state,
                    cycle.start,
                    cycle.end,
                    cycle.due,
                    cycle.elapsed,
                    cycle.paused,
                    [(n, a, r) for n, a, r in cycle.thresholds],
                )
            )
    return rows


@given(case=model_tickets(), cut=st.integers(0, 9))
def test_incremental_agrees_with_the_reference_model(
    case: tuple[Timeline, datetime], cut: int
) -> None:
    """Random tickets around the Berlin DST change (replies, pending, solves, reopens, priority
    changes, several events at one instant): after every event the incremental clock agrees
    with the quarter-hour reference model, before and after a round trip through its state
    (rebuilt at a random event)."""
    timeline, as_of = case
    clock = TicketClock(MODEL_POLICY, timeline.ticket_id, timeline.attributes)
    for count, event in enumerate(timeline.events, start=1):
        clock = clock.add(event)
        if count == cut:
            clock = TicketClock.from_dict(json.dumps(clock.to_dict()), MODEL_POLICY)
        assert _model_rows(_prefix(timeline, count), event.at) == _model_summary(clock.result())
    assert _model_rows(timeline, as_of) == _model_summary(clock.result(as_of))


#: Two policies picked by group, measuring the same metrics (a group change re-selects).
POLICIES = PolicySet(
    policies=[
        DEFAULT_POLICY.model_copy(
            update={
                "name": "billing",
                "conditions": {"group": "billing"},
                "metrics": {
                    **DEFAULT_POLICY.model_dump()["metrics"],
                    "first_response": {
                        "targets": {"urgent": "30m", "high": "1h", "normal": "2h", "low": "4h"},
                        "thresholds": [{"name": "warning", "at_percent": 50}],
                    },
                },
            }
        ),
        DEFAULT_POLICY,
    ]
)


def _moved(timeline: Timeline, seed: int) -> Timeline:
    """The ticket with its group changed at one of its events' instants."""
    rng = random.Random(seed)
    at = rng.choice(timeline.events).at
    group = rng.choice(("billing", "sales"))
    change = {"at": at, "kind": "attributes_changed", "attributes": {"group": group}}
    return timeline.with_events(change)


def _summary(result: TicketResult) -> list[tuple[str, int, str, list[bool]]]:
    return [
        (c.metric, c.index, c.state, [t.reached for t in c.thresholds]) for c in result.cycles()
    ]


@given(seed=st.integers(0, 10_000), hours=st.integers(0, 72))
def test_next_deadline_is_when_the_result_next_changes(seed: int, hours: int) -> None:
    """Under a policy set, with a group change: the incremental clock equals batch at every step;
    and, for the clock cut at a random event, from `after` nothing changes until
    next_deadline(after); at it a threshold is reached or, just after it, the cycle is overdue.
    With no deadline nothing changes for a year."""
    timeline = _moved(next(generate_timelines(1, seed=seed)), seed)
    cut = random.Random(seed).randrange(len(timeline.events)) + 1  # the clock as of some event
    clock = TicketClock(POLICIES, timeline.ticket_id, timeline.attributes)
    for count, event in enumerate(timeline.events[:cut], start=1):
        clock = clock.add(event)
        assert _json(evaluate(POLICIES, _prefix(timeline, count))) == _json(clock.result())
    assert clock.last_event_at is not None
    after = clock.last_event_at + timedelta(hours=hours)
    deadline = clock.next_deadline(after)
    # A cycle due at `after` itself turns overdue just after it (that deadline is not "after").
    now = _summary(clock.result(after + MICRO))
    if deadline is None:
        assert now == _summary(clock.result(after + timedelta(days=365)))
        return
    assert now == _summary(clock.result(deadline.at - MICRO))
    cycle = clock.result(deadline.at + MICRO).metrics[deadline.metric].cycles[deadline.cycle]
    if deadline.kind == "due":
        assert "overdue" == cycle.state
    else:
        reached = clock.result(deadline.at).metrics[deadline.metric].cycles[deadline.cycle]
        assert [True] == [t.reached for t in reached.thresholds if t.name == deadline.name]


# ----------------------------------------------------------------------------------------------
# What needs history
def _created(kind: type[TicketClock] = TicketClock, policy: Policy | PolicySet = POLICY) -> Any:
    return kind(policy, "T-1", {"priority": "normal"}).add(
        {"at": "2025-01-06T08:00:00+00:00", "kind": "created"}
    )


def test_a_late_event_needs_the_full_history_clock() -> None:
    """An event earlier than the last: HistoryNeededError naming it; the full-history clock
    takes it and gives what evaluate() gives."""
    late = {"at": "2025-01-06T08:05:00+00:00", "kind": "agent_replied", "id": "r1"}
    clock = _created().add({"at": "2025-01-06T08:10:00+00:00", "kind": "note_added"})
    with pytest.raises(HistoryNeededError, match=r"event 'r1' .* is earlier than the clock's last"):
        clock.add(late)
    full = _created(FullHistoryClock).add({"at": "2025-01-06T08:10:00+00:00", "kind": "note_added"})
    assert "met" == full.add(late).result().first_response.state


def test_looking_back_needs_the_full_history_clock() -> None:
    """result() as of an instant before the last event: HistoryNeededError."""
    clock = _created().add({"at": "2025-01-06T08:10:00+00:00", "kind": "note_added"})
    with pytest.raises(HistoryNeededError, match="is before the clock's last event"):
        clock.result(datetime(2025, 1, 6, 8, 5, tzinfo=UTC))


#: The second policy measures resolution, which the first does not: entering it replays
#: resolution from the ticket's start.
GROWING = PolicySet(
    policies=[
        {
            "name": "vip",
            "conditions": {"tags_any": ["vip"]},
            "metrics": {"first_response": {"targets": {"normal": "1h"}}, "resolution": {}},
        },
        {"name": "basic", "metrics": {"first_response": {"targets": {"normal": "2h"}}}},
    ]
)


def test_a_policy_measuring_from_the_start_needs_the_full_history_clock() -> None:
    """Moving into a policy that adds a metric: HistoryNeededError; the full-history clock and
    FullHistoryClock.compact() handle it (the compacted clock then goes on incrementally)."""
    tag = {
        "at": "2025-01-06T09:00:00+00:00",
        "kind": "attributes_changed",
        "attributes": {"tags": ["vip"]},
    }
    clock = _created(policy=GROWING).add({"at": "2025-01-06T08:30:00+00:00", "kind": "note_added"})
    with pytest.raises(HistoryNeededError, match=r"policy 'vip' comes into force .* 'resolution'"):
        clock.add(tag)
    full = (
        _created(FullHistoryClock, GROWING)
        .add({"at": "2025-01-06T08:30:00+00:00", "kind": "note_added"})
        .add(tag)
    )
    assert ["first_response", "resolution"] == list(full.result().metrics)
    reply = {"at": "2025-01-06T09:10:00+00:00", "kind": "agent_replied"}
    assert _json(full.add(reply).result()) == _json(full.compact().add(reply).result())


def test_a_resent_event_is_ignored_and_a_conflicting_id_refused() -> None:
    """The same id and content at the last instant: ignored; other content: TimelineError."""
    reply = {"at": "2025-01-06T08:10:00+00:00", "kind": "agent_replied", "id": "r1"}
    clock = _created().add(reply)
    assert 2 == clock.add(reply).event_count
    with pytest.raises(TimelineError, match="event id 'r1' is used twice"):
        clock.add({**reply, "public": False})


def test_a_second_created_event_is_refused() -> None:
    """Exactly one 'created', as a timeline requires."""
    with pytest.raises(TimelineError, match="has 2 'created' events"):
        _created().add({"at": "2025-01-06T09:00:00+00:00", "kind": "created"})


def test_a_policy_error_leaves_the_clock_unchanged() -> None:
    """An unknown priority raises naming the ticket; the clock before it still works."""
    clock = _created()
    with pytest.raises(SlaclockError, match="ticket 'T-1': unknown priority 'vip'"):
        clock.add(
            {"at": "2025-01-06T09:00:00+00:00", "kind": "priority_changed", "priority": "vip"}
        )
    assert "running" == clock.result().first_response.state


# ----------------------------------------------------------------------------------------------
# Stored state: compact, versioned, lossless, validated
def test_state_grows_with_cycles_not_events() -> None:
    """1,000 status changes that pause nothing (open <-> in_progress) and one cycle per metric:
    the stored state stays under 4 KB, while the full-history state holds every event."""
    clock = TicketClock(DEFAULT_POLICY, "T-1", {"priority": "normal"}).add(
        {"at": "2025-03-03T09:00:00-05:00", "kind": "created"}
    )
    full_events = []
    start = datetime(2025, 3, 3, 9, tzinfo=ZoneInfo("America/New_York"))
    # `in_progress` is not one of the policy's statuses: the clock says so once, not 500 times.
    with pytest.warns(TimelineWarning) as warned:
        for i in range(1_000):
            event = {
                "at": start + timedelta(minutes=i + 1),
                "kind": "status_changed",
                "status": ("in_progress", "open")[i % 2],
            }
            clock = clock.add(event)
            full_events.append(event)
    assert 1 == len(warned)
    size = len(json.dumps(clock.to_dict()))
    assert size < 4_000, size
    assert 1_001 == clock.event_count


def test_loading_checks_format_version_kind_and_policy() -> None:
    """Each mismatch is a ClockStateError saying what was expected."""
    state = _created().to_dict()
    with pytest.raises(ClockStateError, match=r"format 'other' - expected 'slaclock.clock'"):
        TicketClock.from_dict({**state, "format": "other"}, POLICY)
    with pytest.raises(ClockStateError, match=r"format version 2 - .* newer slaclock"):
        TicketClock.from_dict({**state, "format_version": 2}, POLICY)
    with pytest.raises(ClockStateError, match="built with policies 'stream' version '1'"):
        TicketClock.from_dict(state, POLICY.model_copy(update={"version": "2"}))
    changed = POLICY.with_target("resolution", "normal", "9h")  # same name and version
    with pytest.raises(ClockStateError, match="rebuild the clock from the ticket's events"):
        TicketClock.from_dict(state, changed)
    full = _created(FullHistoryClock).to_dict()
    with pytest.raises(ClockStateError, match="policy_changed='replay'"):
        FullHistoryClock.from_dict(full, changed)
    migrated = FullHistoryClock.from_dict(full, changed, policy_changed="replay")
    assert timedelta(hours=9) == migrated.result().resolution.cycles[0].target
    with pytest.raises(ClockStateError, match="clock 'incremental' - expected 'full-history'"):
        FullHistoryClock.from_dict(state, POLICY)


def test_incremental_clock_reads_full_history_and_legacy_state() -> None:
    """Full-history state and slaclock 0.1's unversioned state are replayed into a clock."""
    full = _created(FullHistoryClock)
    assert _json(full.result()) == _json(TicketClock.from_dict(full.to_dict(), POLICY).result())
    legacy = {
        "ticket_id": "T-1",
        "attributes": {"priority": "normal"},
        "events": [{"at": "2025-01-06T08:00:00+00:00", "kind": "created"}],
    }
    assert _json(full.result()) == _json(TicketClock.from_dict(legacy, POLICY).result())


def test_tampered_and_truncated_state_is_refused() -> None:
    """A changed value, a cut text, a missing key: ClockStateError, never a wrong clock."""
    clock = _created().add({"at": "2025-01-06T08:10:00+00:00", "kind": "agent_replied"})
    state = clock.to_dict()
    tampered = json.loads(json.dumps(state))
    tampered["replay"]["metrics"][0][4][0][5] = None  # re-open the stopped first_response
    with pytest.raises(ClockStateError, match="checksum mismatch"):
        TicketClock.from_dict(tampered, POLICY)
    text = json.dumps(state)
    with pytest.raises(ClockStateError, match="not JSON text"):
        TicketClock.from_dict(text[: len(text) // 2], POLICY)
    with pytest.raises(ClockStateError, match="'checksum' is missing"):
        TicketClock.from_dict({k: v for k, v in state.items() if k != "checksum"}, POLICY)
    with pytest.raises(ClockStateError, match="expected the mapping"):
        TicketClock.from_dict("[1, 2]", POLICY)


def _resealed(state: dict[str, Any]) -> dict[str, Any]:
    """``state`` with its checksum made right again (a deliberate, consistent forgery)."""
    import hashlib

    body = {k: v for k, v in state.items() if k != "checksum"}
    text = json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return {**body, "checksum": hashlib.sha256(text.encode()).hexdigest()}


def _leaves(data: Any, path: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    if isinstance(data, dict):
        return [p for k, v in data.items() for p in _leaves(v, (*path, k))]
    if isinstance(data, list):
        return [p for i, v in enumerate(data) for p in _leaves(v, (*path, i))] or [path]
    return [path]


@settings(max_examples=60)
@given(
    seed=st.integers(0, 2_000),
    pick=st.integers(0, 10_000),
    value=st.one_of(
        st.none(), st.booleans(), st.integers(-(2**64), 2**64), st.text(max_size=5),
        st.just([]), st.just({}), st.floats(allow_nan=False),
    ),
    reseal=st.booleans(),
)  # fmt: skip
def test_forged_state_fails_only_with_documented_errors(
    seed: int, pick: int, value: Any, reseal: bool
) -> None:
    """Any one value of a stored clock replaced (checksum made right again or not): loading and
    using it raise only SlaclockError (ClockStateError among them), never a raw error."""
    timeline = next(generate_timelines(1, seed=seed))
    clock = TicketClock(DEFAULT_POLICY, timeline.ticket_id, timeline.attributes)
    for event in timeline.events:
        clock = clock.add(event)
    state = json.loads(json.dumps(clock.to_dict()))
    paths = [p for p in _leaves(state) if p and p[0] != "checksum"]
    path = paths[pick % len(paths)]
    target = state
    for key in path[:-1]:
        target = target[key]
    target[path[-1]] = value
    if reseal:
        state = _resealed(state)
    try:
        loaded = TicketClock.from_dict(state, DEFAULT_POLICY)
        loaded.result(timeline.events[-1].at + timedelta(days=3))
        loaded.next_deadline()
        later = timeline.events[-1].at + timedelta(hours=1)
        loaded.add({"at": later, "kind": "customer_replied"}).result()
    except SlaclockError:
        pass


#: UTC offsets of every size, with seconds (Monrovia's -00:44:30 until 1972) and real zones.
offsets = st.one_of(
    st.integers(-86_399, 86_399).map(lambda s: timezone(timedelta(seconds=s))),
    st.sampled_from(
        [ZoneInfo("Africa/Monrovia"), ZoneInfo("America/New_York"), ZoneInfo("Europe/Berlin"),
         timezone(timedelta(minutes=-44, seconds=-30))]
    ),
)  # fmt: skip


@given(
    zones=st.lists(offsets, min_size=1, max_size=4),
    gaps=st.lists(st.integers(0, 600), min_size=1, max_size=6),
    kinds=st.lists(st.sampled_from(["agent_replied", "note_added", "solved", "reopened"]), min_size=6, max_size=6),
    year=st.sampled_from([1971, 2025]),
)  # fmt: skip
def test_restored_clocks_equal_live_ones_with_odd_offsets(
    zones: list[Any], gaps: list[int], kinds: list[str], year: int
) -> None:
    """Events in any UTC offset (seconds included) or zone: both clocks, rebuilt from their
    stored text after every event, give the same result as the live clock, offsets and all."""
    policy = Policy(name="24x7", metrics={"first_response": {"targets": {"normal": "1h"}},
                                           "resolution": {"targets": {"normal": "8h"}}})  # fmt: skip
    at = datetime(year, 1, 6, 9, tzinfo=UTC)
    events: list[dict[str, Any]] = [{"at": at.astimezone(zones[0]), "kind": "created"}]
    for i, gap in enumerate(gaps):
        at += timedelta(minutes=gap)
        events.append({"at": at.astimezone(zones[(i + 1) % len(zones)]), "kind": kinds[i]})
    for kind in CLOCKS:
        live = kind(policy, "T-1", {"priority": "normal"})
        for event in events:
            live = live.add(event)
            restored = kind.from_dict(json.dumps(live.to_dict()), policy)
            for as_of in (event["at"], event["at"] + timedelta(hours=1)):
                assert _json(live.result(as_of)) == _json(restored.result(as_of))
            assert live == restored


def test_a_reply_at_due_stays_met_across_a_seconds_offset() -> None:
    """Issue 10's case: created 09:00:00-00:44:30, 1h target, reply at 10:00:00-00:44:30 (due):
    met live and met after the round trip (the offset used to lose its seconds)."""
    policy = Policy(name="24x7", metrics={"first_response": {"targets": {"normal": "1h"}}})
    zone = timezone(-timedelta(minutes=44, seconds=30))
    for kind in CLOCKS:
        clock = kind(policy, "T-1", {"priority": "normal"}).add(
            {"at": datetime(1971, 1, 4, 9, tzinfo=zone), "kind": "created"}
        )
        restored = kind.from_dict(json.dumps(clock.to_dict()), policy)
        reply = {"at": datetime(1971, 1, 4, 10, tzinfo=zone), "kind": "agent_replied"}
        assert "met" == clock.add(reply).result().first_response.state
        assert "met" == restored.add(reply).result().first_response.state


@pytest.mark.parametrize("kind", CLOCKS)
def test_to_json_and_from_json_are_deprecated_aliases(kind: type[TicketClock]) -> None:
    """The old names still work for one release, with a DeprecationWarning naming the new."""
    clock = _created(kind)
    with pytest.warns(DeprecationWarning, match="use to_dict"):
        state = clock.to_json()
    with pytest.warns(DeprecationWarning, match="use from_dict"):
        assert clock == kind.from_json(state, POLICY)


# ----------------------------------------------------------------------------------------------
# The incremental clock under the convention options (issue 13)
CONVENTION_POLICY = Policy.model_validate(
    {
        "name": "conventions",
        "conventions": "zammad",
        "precision": "1m ceil",
        "first_response_when_solved": "pause",
        "calendar": {
            "timezone": "Europe/Berlin",
            "hours": {"mon-fri": "09:00-17:00"},
            "seasons": [{"start": "03-10", "end": "03-14", "hours": {"mon-fri": "08:00-14:00"}}],
        },
        "metrics": {
            "first_response": {"targets": {"normal": "1h"}},
            "next_response": {
                "targets": {"normal": "30m"},
                "definition": {
                    "start": "customer_replied",
                    "stop": {"event": "agent_replied", "public": True},
                    "recurring": True,
                    "recurrence": "sequential",
                },
            },
            "resolution": {
                "targets": {"normal": "2 business days"},
                "due_from": "due_date",
                "start_from": "opened_at",
            },
            "update": {"definition": "zammad_update", "targets": {"normal": "2h"}},
            "fix": {
                "targets": {"normal": "4h"},
                "definition": {
                    "start": "created",
                    "stop": "solved",
                    "recurring": True,
                    "start_when": {"group": ["support", "vendor"]},
                    "pause_when": {"group": "vendor"},
                },
            },
        },
    }
)
CONVENTION_EVENTS: list[dict[str, Any]] = [
    {"kind": "agent_replied"},
    {"kind": "agent_replied", "public": False},
    {"kind": "customer_replied"},
    {"kind": "status_changed", "status": "pending"},
    {"kind": "status_changed", "status": "open"},
    {"kind": "solved"},
    {"kind": "reopened"},
    {"kind": "attributes_changed", "attributes": {"group": "vendor"}},
    {"kind": "attributes_changed", "attributes": {"group": "support"}},
    {"kind": "attributes_changed", "attributes": {"group": "billing"}},
    {"kind": "attributes_changed", "attributes": {"due_date": "2025-03-12T15:00:00+01:00"}},
    {"kind": "attributes_changed", "attributes": {"due_date": "2025-03-01T10:00:00+01:00"}},
    {"kind": "attributes_changed", "attributes": {"due_date": None}},
]
# The same policy with the other values of the options issue 13 added later: a first response
# running on through a solve, and ServiceNow's reading of due_from (next opening, start + 1s).
SERVICENOW_OPTIONS_POLICY = CONVENTION_POLICY.model_copy(
    update={
        "first_response_when_solved": "continue",
        "due_from_outside_schedule": "next_open",
        "due_from_in_past": "start_plus_1s",
    }
)


@st.composite
def convention_tickets(draw: st.DrawFn) -> Timeline:
    """A ticket around Berlin's summer hours season, moving between groups, with a due date
    and a retroactive opening instant now and then."""
    at = datetime(2025, 3, 7, 8, tzinfo=UTC) + timedelta(minutes=draw(st.integers(0, 2000)))
    created: dict[str, Any] = {"at": at, "kind": "created", "priority": "normal"}
    if draw(st.booleans()):
        created["attributes"] = {"opened_at": (at - timedelta(minutes=50)).isoformat()}
    events = [created]
    for _ in range(draw(st.integers(0, 12))):
        at += timedelta(minutes=draw(st.sampled_from([0, 7, 45, 120, 600, 2000])))
        events.append({"at": at, **draw(st.sampled_from(CONVENTION_EVENTS))})
    return Timeline.model_validate(
        {"ticket_id": "C-1", "attributes": {"group": "support"}, "events": events}
    )


@pytest.mark.parametrize("policy", [CONVENTION_POLICY, SERVICENOW_OPTIONS_POLICY])
@given(timeline=convention_tickets(), as_of_minutes=st.integers(0, 3000))
def test_incremental_equals_batch_under_the_convention_options(
    policy: Policy, timeline: Timeline, as_of_minutes: int
) -> None:
    """Under every convention option (precision, next_open, paused first response, seasonal
    hours, sequential recurrence, due_from/start_from, start_when/pause_when, a named
    definition; then a first response continuing through a solve, and a due_from instant moved
    to the next opening or to one second after the start), the incremental clock's result is
    exactly evaluate() on every prefix, escalation_at, projected_due_at and the wall-clock times
    included, also after a round trip through its stored state."""
    clock = TicketClock(policy, timeline.ticket_id, timeline.attributes)
    for count, event in enumerate(timeline.events, start=1):
        clock = clock.add(event)
        restored = TicketClock.from_dict(json.dumps(clock.to_dict()), policy)
        as_of = event.at + timedelta(minutes=as_of_minutes)
        expected = _json(evaluate(policy, _prefix(timeline, count), as_of))
        assert expected == _json(clock.result(as_of))
        assert expected == _json(restored.result(as_of))
        clock = restored
