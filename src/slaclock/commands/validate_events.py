"""``slaclock validate POLICY --events FILE``: an events file checked against a policy.

Prints each problem as ``FILE:LINE: ticket 'ID': what is wrong``, then a count per kind of
problem; exit status 1 when there are problems (the policy itself is valid), 0 when none.

>>> import io, pathlib, tempfile
>>> from slaclock import Policy
>>> path = pathlib.Path(tempfile.mkdtemp()) / "events.jsonl"
>>> _ = path.write_text('{"ticket_id": "T-1", "at": "2025-03-03T09:00:00Z", "kind": "created"}\\n'
...                     '{"ticket_id": "T-1", "at": "2025-03-03T10:00:00Z", "kind": "status_changed", "status": "on-hold"}\\n')
>>> out = io.StringIO()
>>> report_events(Policy(name="p", metrics={"resolution": {}}), path, None, out)
1
>>> print(out.getvalue().replace(str(path), "events.jsonl"), end="")  # doctest: +NORMALIZE_WHITESPACE
events.jsonl:2: ticket 'T-1': status 'on-hold' is not one the policy knows (the statuses its metrics name, its known_statuses, new/open/solved/closed), so it pauses nothing - did you mean 'on_hold'?
events.jsonl: 1 problem (status: 1)
"""

from __future__ import annotations

import warnings
from collections import Counter
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import IO

from slaclock.checks import check_events_file
from slaclock.errors import TimelineWarning
from slaclock.eventfiles import require_file
from slaclock.policy import Policy, PolicySet

__all__ = ["report_events", "summarised_timeline_warnings"]


def report_events(
    policy: Policy | PolicySet,
    path: str | Path,
    known_statuses: Sequence[str] | None,
    out: IO[str],
) -> int:
    """Print the problems of the events file at ``path``; 1 when there are some, else 0."""
    require_file(path)
    problems = check_events_file(policy, path, known_statuses=known_statuses or ())
    for problem in problems:
        where = f"{path}:{problem.line}" if problem.line is not None else f"{path}"
        ticket = f"ticket {problem.ticket_id!r}: " if problem.ticket_id is not None else ""
        print(f"{where}: {ticket}{problem.message}", file=out)
    if not problems:
        print(f"{path}: no problems found", file=out)
        return 0
    counts = Counter(problem.problem for problem in problems)
    listed = ", ".join(f"{name}: {count}" for name, count in sorted(counts.items()))
    total = len(problems)
    print(f"{path}: {total} problem{'s' if total != 1 else ''} ({listed})", file=out)
    return 1


@contextmanager
def summarised_timeline_warnings(err: IO[str]) -> Iterator[None]:
    """Collect the engine's :class:`~slaclock.errors.TimelineWarning` (one per ticket) and print
    one line per unknown value when the block ends, instead of one per ticket; other warnings
    are shown as usual.

    >>> import io
    >>> err = io.StringIO()
    >>> with summarised_timeline_warnings(err):
    ...     for ticket in ("T-1", "T-2"):
    ...         warnings.warn(TimelineWarning(ticket, "status", {"on-hold": "status 'on-hold' ..."}))
    >>> print(err.getvalue(), end="")
    slaclock: warning: status 'on-hold' ... (2 tickets: 'T-1', 'T-2'); slaclock validate POLICY --events FILE lists the lines
    """
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", TimelineWarning)
        try:
            yield
        finally:
            seen: dict[tuple[str, str], tuple[str, list[str]]] = {}
            for record in caught:
                message = record.message
                if not isinstance(message, TimelineWarning):
                    warnings.showwarning(
                        message, record.category, record.filename, record.lineno, record.file
                    )
                    continue
                for value, reason in zip(message.values, message.reasons):
                    seen.setdefault((message.problem, value), (reason, []))[1].extend(
                        message.tickets
                    )
            for reason, tickets in seen.values():
                shown = ", ".join(repr(t) for t in tickets[:3]) + (
                    ", ..." if len(tickets) > 3 else ""
                )
                count = f"{len(tickets)} ticket{'s' if len(tickets) != 1 else ''}"
                print(
                    f"slaclock: warning: {reason} ({count}: {shown}); slaclock validate POLICY "
                    "--events FILE lists the lines",
                    file=err,
                )
