"""``slaclock report``: attainment over an events file, as of one instant for every ticket.

Without ``--as-of`` every ticket is evaluated as of the latest event in the file (found in a
first pass), so a ticket never answered shows as running or overdue instead of being frozen at
its own last event. The header names that instant; a last line counts the cycles still running
and those already overdue. Records stream into the tally: memory grows with the groups, not
with the tickets.
"""

from __future__ import annotations

import argparse
from collections.abc import Callable, Iterator
from datetime import datetime
from typing import IO, Any

from slaclock._tz import from_micros, to_micros
from slaclock.files import BadLine, load_policy, read_timelines

__all__ = ["latest_event", "report"]


def latest_event(path: str) -> datetime | None:
    """The latest event instant of the valid tickets in an events file (``None`` when none).

    >>> import tempfile, pathlib
    >>> path = pathlib.Path(tempfile.mkdtemp()) / "events.jsonl"
    >>> _ = path.write_text(
    ...     '{"ticket_id": "A", "at": "2025-03-07T16:30:00+01:00", "kind": "created"}\\n'
    ...     '{"ticket_id": "B", "at": "2025-03-07T09:00:00-05:00", "kind": "created"}\\n')
    >>> latest_event(str(path)).isoformat()
    '2025-03-07T15:30:00+00:00'
    """
    latest: int | None = None
    for item in read_timelines(path):
        if isinstance(item, BadLine):
            continue  # reported by the pass that evaluates
        last = to_micros(item.events[-1].at)
        latest = last if latest is None or last > latest else latest
    return None if latest is None else from_micros(latest, None)


def report(
    args: argparse.Namespace,
    out: IO[str],
    err: IO[str],
    tickets: Callable[[argparse.Namespace, IO[str]], Iterator[Any]],
    reject_failures: Callable[[argparse.Namespace, Any], None],
    instant: Callable[[str, str], datetime],
    finish: Callable[[argparse.Namespace, IO[str]], int],
) -> int:
    """Run ``slaclock report`` (the CLI passes its helpers for tickets, rejections and exit)."""
    from slaclock.batch import Failure, iter_records
    from slaclock.reports import attainment

    policy = load_policy(args.policy)
    as_of: datetime | None
    if args.as_of is not None:
        as_of, origin = instant(args.as_of, "--as-of"), "--as-of"
    else:
        found = latest_event(args.events)
        as_of, origin = found, "the latest event in the file"
    failures: list[Failure] = []

    def checked() -> Iterator[dict[str, Any]]:
        """The records; a ticket that failed is rejected as soon as it is seen."""
        for record in iter_records(policy, tickets(args, err), as_of, failures=failures):
            reject_failures(args, failures)
            failures.clear()
            yield record
        reject_failures(args, failures)

    by = [part.strip() for part in args.by.split(",") if part.strip()] if args.by else []
    table = attainment(checked(), by=by, period=args.period, metric=args.metric)
    if as_of is not None:
        print(f"as of {as_of.isoformat()} ({origin})", file=out)
    print(table.to_table(), file=out)
    total = table.total()
    print(
        f"open: {total.open} cycle(s) not yet due (running, paused or pending), overdue: {total.overdue}",
        file=out,
    )
    return finish(args, err)
