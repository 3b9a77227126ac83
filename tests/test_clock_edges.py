"""Edge cases of the streaming clocks (slaclock.streaming, slaclock.full_history) and their
stored state: arguments of the wrong type, stored state with odd values, and the agreement
with evaluate() one event at a time."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from typing import Any

import pytest

from slaclock import SlaclockError, TicketClock
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

