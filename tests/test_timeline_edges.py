"""Event instants at the edges of what pydantic would accept."""

from __future__ import annotations

from datetime import datetime, timezone

import pytest
from pydantic import ValidationError

from slaclock import Event


@pytest.mark.parametrize("at", [2025, 1741365000, 1741365000000, 1.7e9, "1741365000", " 2025 "])
def test_event_refuses_a_number_as_its_instant(at: object) -> None:
    """pydantic reads numbers as Unix seconds or milliseconds (guessing by magnitude): refused."""
    with pytest.raises(ValidationError, match="a number is not an instant"):
        Event(at=at, kind="created")  # type: ignore[arg-type]


def test_event_still_reads_iso_text_with_an_offset() -> None:
    """The refusal is of numbers only: ISO 8601 text (digits and all) is read as before."""
    event = Event(at="2025-03-07T16:30:00+01:00", kind="created")
    assert datetime(2025, 3, 7, 15, 30, tzinfo=timezone.utc) == event.at
