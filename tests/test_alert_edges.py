"""Edge cases of slaclock.alerts: arguments of the wrong type or order, given to alerts() and
crossed_at_once()."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from typing import Any

import pytest

from slaclock import FullHistoryClock, Policy, SlaclockError, TicketClock
from slaclock.alerts import alerts, crossed_at_once

UTC = timezone.utc
POLICY = Policy(name="p", metrics={"first_response": {"targets": {"high": "1h", "low": "8h"}}})


def _clock(ticket_id: str = "T-1", priority: str = "low") -> TicketClock:
    return TicketClock(POLICY, ticket_id, {"priority": priority}).add(
        {"at": datetime(2025, 1, 6, 9, tzinfo=UTC), "kind": "created"}
    )


def _raised(clock: TicketClock) -> TicketClock:
    """The clock with the priority raised at 11:00, past the high target's 10:00."""
    return clock.add(
        {"at": datetime(2025, 1, 6, 11, tzinfo=UTC), "kind": "priority_changed", "priority": "high"}
    )


@pytest.mark.parametrize("other", [None, "T-1", FullHistoryClock(POLICY, "T-1")])
def test_crossed_at_once_takes_incremental_clocks_only(other: Any) -> None:
    """None, text or a FullHistoryClock as either clock is an ArgumentError naming the argument
    (was: a raw AttributeError)."""
    with pytest.raises(SlaclockError, match="crossed_at_once: before is"):
        crossed_at_once(other, _raised(_clock()))
    with pytest.raises(SlaclockError, match="crossed_at_once: after is"):
        crossed_at_once(_clock(), other)


def test_crossed_at_once_refuses_clocks_of_two_tickets() -> None:
    """`before` of another ticket, or under another policy, is an error, not a list of
    crossings measured against the wrong clock (was: T-1's due alert reported as crossed at once
    by comparing it with T-2's clock)."""
    with pytest.raises(SlaclockError, match="expected the same ticket's clock"):
        crossed_at_once(_clock("T-2"), _raised(_clock("T-1")))
    other_policy = Policy(name="q", metrics={"first_response": {"targets": {"low": "8h"}}})
    before = TicketClock(other_policy, "T-1", {"priority": "low"}).add(
        {"at": datetime(2025, 1, 6, 9, tzinfo=UTC), "kind": "created"}
    )
    with pytest.raises(SlaclockError, match="under the same policy"):
        crossed_at_once(before, _raised(_clock()))


def test_crossed_at_once_refuses_clocks_in_the_wrong_order() -> None:
    """`before` later than `after` is an error saying which comes first (was: a
    HistoryNeededError about as_of, an argument the caller never gave)."""
    with pytest.raises(SlaclockError, match="expected the clock before the new events"):
        crossed_at_once(_raised(_clock()), _clock())
    assert [] == crossed_at_once(_clock(), _clock())  # nothing added: nothing crossed


def test_one_kind_given_as_text_is_that_kind() -> None:
    """kinds="due" means the due kind (was: its letters 'd', 'u', 'e', three unknown kinds)."""
    since = datetime(2025, 1, 6, 9, tzinfo=UTC)
    found = alerts(_clock(priority="high"), since, since + timedelta(hours=2), kinds="due")  # type: ignore[arg-type]
    # Created 09:00 with a 1h target: due at 10:00, the only crossing.
    assert [("due", datetime(2025, 1, 6, 10, tzinfo=UTC))] == [(a.kind, a.at) for a in found]


@pytest.mark.parametrize(
    ("source", "kinds"), [(None, ("due",)), (5, ("due",)), ([], None), ([], 3)]
)
def test_a_source_or_kinds_of_the_wrong_type_is_an_argument_error(source: Any, kinds: Any) -> None:
    """None or a number as the source, None or a number as kinds: an ArgumentError naming it
    (was: a raw TypeError, "object is not iterable")."""
    since = datetime(2025, 1, 6, 9, tzinfo=UTC)
    with pytest.raises(SlaclockError, match="alerts: "):
        alerts(source, since, since + timedelta(hours=1), kinds=kinds)


@pytest.mark.parametrize("kinds", [[["due"]], {1, "x"}, b"due"])
def test_kinds_of_odd_types_are_named_unknown(kinds: Any) -> None:
    """A list inside kinds, a number beside an unknown kind, or bytes: a SlaclockError naming
    them (was: a raw TypeError, "unhashable type" or "'<' not supported", for the first two, and
    the bytes' numbers 100, 117, 101 as unknown kinds)."""
    since = datetime(2025, 1, 6, 9, tzinfo=UTC)
    with pytest.raises(SlaclockError, match=r"alerts: (unknown kind|kinds=)"):
        alerts(_clock(), since, since + timedelta(hours=1), kinds=kinds)
