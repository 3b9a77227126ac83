"""Reading command-line arguments the commands share: instants, and the usage error."""

from __future__ import annotations

from datetime import datetime

from slaclock._tz import check_in_range
from slaclock.errors import SlaclockError

__all__ = ["UsageError", "parse_instant"]


class UsageError(SlaclockError, ValueError):
    """A bad argument (exit status 2)."""


def parse_instant(text: str, name: str) -> datetime:
    """The aware instant an ISO 8601 argument names (``Z`` for UTC), or a :class:`UsageError`."""
    try:
        value = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError as exc:
        raise UsageError(
            f"{name}: not an ISO 8601 instant: {text!r} - expected e.g. 2025-03-07T16:30:00+01:00"
        ) from exc
    if value.tzinfo is None:
        raise UsageError(
            f"{name}: {text!r} has no UTC offset - expected e.g. 2025-03-07T16:30:00+01:00"
        )
    return check_in_range(value, name)  # once for the run, not once per ticket
