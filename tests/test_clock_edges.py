"""Edge cases of the streaming clocks (slaclock.streaming, slaclock.full_history) and their
stored state: arguments of the wrong type, stored state with odd values, and the agreement
with evaluate() one event at a time."""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Any

import pytest

from slaclock import ClockStateError, FullHistoryClock, SlaclockError, TicketClock
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
