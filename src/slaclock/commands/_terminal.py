"""Results as coloured tables on a terminal (and plain text everywhere else)."""

from __future__ import annotations

import os
from typing import IO, Any

from slaclock.results import TicketResult
from slaclock.tables import printable

__all__ = ["STATE_COLOURS", "for_terminal", "painter", "result_table", "use_colour"]

#: ANSI colour codes of the cycle states a table shows.
STATE_COLOURS = {
    "met": "32",
    "completed": "32",
    "breached": "31",
    "overdue": "1;31",
    "running": "33",
    "paused": "36",
    "cancelled": "2",
    "pending": "2",
}


def painter(enabled: bool) -> Any:
    """A function colouring a text by a cycle state (leaving it as it is when not enabled)."""

    def paint(text: str, state: str) -> str:
        code = STATE_COLOURS.get(state)
        return f"\x1b[{code}m{text}\x1b[0m" if enabled and code else text

    return paint


def use_colour(stream: IO[str]) -> bool:
    """Whether ``stream`` is a terminal that wants colour (``NO_COLOR`` and ``TERM=dumb`` say no)."""
    return stream.isatty() and "NO_COLOR" not in os.environ and os.environ.get("TERM") != "dumb"


def for_terminal(result: TicketResult) -> TicketResult:
    """The result with its ticket id :func:`~slaclock.tables.printable`: an id from an events
    file (``"T\\x1b[2J\\nFAKE"``) can neither send the terminal commands nor fake a line."""
    shown = printable(result.ticket_id)
    return result if shown == result.ticket_id else result.model_copy(update={"ticket_id": shown})


def result_table(result: TicketResult, paint: Any) -> str:
    """The result's table, each row painted by its state."""
    lines = for_terminal(result).to_table().splitlines()
    out = [lines[0]]
    for line in lines[1:]:
        state = next((s for s in STATE_COLOURS if f"  {s}  " in f"  {line}  "), None)
        out.append(paint(line, state) if state else line)
    return "\n".join(out)
