"""``slaclock explain``: one ticket's clocks drawn as a text timeline, its table and the reasons.

>>> from slaclock.cli import main
>>> main(["explain", "--help"])  # doctest: +ELLIPSIS
usage: slaclock explain [-h] ...
...
0
"""

from __future__ import annotations

import argparse
from datetime import datetime
from typing import IO

from slaclock.commands._arguments import UsageError, parse_instant
from slaclock.commands._events_run import finish, skipped, tickets, unevaluated
from slaclock.commands._terminal import for_terminal, painter, result_table, use_colour
from slaclock.details import describe, describe_conventions
from slaclock.engine import evaluate
from slaclock.errors import SlaclockError
from slaclock.files import load_policy
from slaclock.policy import Policy, PolicySet
from slaclock.results import TicketResult

__all__ = ["draw", "explain"]

_GLYPH = {"counted": "█", "closed": "░", "paused": "┄"}


def draw(result: TicketResult, width: int = 60) -> str:
    """The ticket's clocks as a text timeline, one row per metric cycle (``explain=True`` results).

    ``█`` counted, ``░`` closed (out of hours), ``┄`` paused, ``!`` a threshold reached,
    ``D`` the due instant, ``X`` the due instant of a breached or overdue cycle.

    >>> from slaclock.cli import DEMO_AS_OF
    >>> from slaclock.synthetic import DEFAULT_POLICY, sample_timelines
    >>> first = next(iter(sample_timelines()))
    >>> print(draw(evaluate(DEFAULT_POLICY, first, DEMO_AS_OF, explain=True)))  # doctest: +ELLIPSIS
    ticket T-1001 - policy ...
    """
    cycles = result.cycles()
    if not cycles:
        return f"ticket {result.ticket_id}: no clock has started"
    # Ordered as instants (key=timestamp): datetimes sharing a tzinfo compare by wall clock.
    start = min((c.started_at for c in cycles), key=datetime.timestamp)
    end = max(
        [result.as_of, *[c.due_at for c in cycles if c.due_at is not None]], key=datetime.timestamp
    )
    origin = start.timestamp()  # timestamps: real time, whatever the zones
    span = (end.timestamp() - origin) or 1.0

    def column(value: datetime) -> int:
        return min(width - 1, max(0, int((value.timestamp() - origin) / span * width)))

    label = max(len(f"{c.metric} #{c.index}") for c in cycles)
    lines = [
        f"ticket {result.ticket_id} - policy {result.policy} - {start:%Y-%m-%d %H:%M} .. {end:%Y-%m-%d %H:%M %z}",
        f"{'':{label}}  {'█ counted  ░ closed  ┄ paused  ! threshold  D due  X breach':<{width}}",
    ]
    for cycle in cycles:
        row = [" "] * width
        for piece in cycle.spans:
            for i in range(column(piece.start), max(column(piece.start) + 1, column(piece.end))):
                row[i] = _GLYPH[piece.kind]
        for threshold in cycle.thresholds:
            if threshold.reached and threshold.at is not None:
                row[column(threshold.at)] = "!"
        if cycle.due_at is not None:
            row[column(cycle.due_at)] = "X" if cycle.is_breached else "D"
        lines.append(f"{f'{cycle.metric} #{cycle.index}':<{label}}  {''.join(row)}  {cycle.state}")
    return "\n".join(lines)


def explain(args: argparse.Namespace, out: IO[str], err: IO[str]) -> int:
    """Run ``slaclock explain`` with the parsed ``args``; the exit status.

    >>> from slaclock.cli import main
    >>> main(["explain", "policy.yaml", "events.jsonl"])  # --ticket is required
    2
    """
    policy = load_policy(args.policy)
    as_of = None if args.as_of is None else parse_instant(args.as_of, "--as-of")
    if not 10 <= args.width <= 1000:
        raise UsageError(f"--width: {args.width} - expected 10 to 1000 characters")
    for timeline in tickets(args, err):
        if timeline.ticket_id == args.ticket:
            try:
                result = evaluate(policy, timeline, as_of, explain=True)
            except (SlaclockError, ValueError) as exc:  # named with the file, as evaluate does
                raise unevaluated(args, timeline.ticket_id, str(exc)) from exc
            result = for_terminal(result)
            print(draw(result, width=args.width), file=out)
            print(file=out)
            print(result_table(result, painter(use_colour(out))), file=out)
            print(file=out)
            print(describe(result), file=out)
            for line in _conventions_lines(policy, result):
                print(line, file=out)
            return finish(args, err)
    # With --skip-invalid the ticket may have been skipped: say why, not that it is absent.
    invalid = [bad for bad in skipped(args) if bad.ticket == args.ticket]
    if invalid:
        cause = next((bad for bad in invalid if not bad.whole_ticket), invalid[0])
        raise UsageError(f"--ticket: ticket {args.ticket!r} is invalid: {cause}")
    raise UsageError(f"--ticket: no ticket {args.ticket!r} in {args.events}")


def _conventions_lines(policy: Policy | PolicySet, result: TicketResult) -> list[str]:
    """The conventions the ticket was measured under: the policy's, or under a set those of
    each policy its cycles (and the policy in force) ran under, named."""
    if isinstance(policy, Policy):
        return [describe_conventions(policy.conventions_in_force)]
    used = [c.policy for m in result.metrics.values() for c in m.cycles] + [result.policy]
    return [
        f"policy {name!r} {describe_conventions(one.conventions_in_force)}"
        for name in dict.fromkeys(used)
        if (one := policy.named(name)) is not None
    ]
