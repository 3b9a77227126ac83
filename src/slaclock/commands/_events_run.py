"""One run of a command over an events file: the valid tickets, and what was skipped.

Bad lines and tickets the policy cannot evaluate stop the run (exit 2) naming the file, line or
ticket, or with ``--skip-invalid`` are recorded on the run's arguments and listed at the end
(exit 1).
"""

from __future__ import annotations

import argparse
import gc
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from datetime import datetime
from typing import IO, TYPE_CHECKING

from slaclock.engine import evaluate
from slaclock.errors import SlaclockError
from slaclock.files import BadLine, read_timelines
from slaclock.policy import Policy, PolicySet
from slaclock.results import TicketResult
from slaclock.timeline import Timeline

if TYPE_CHECKING:  # analytics is imported only by the commands that use it
    from slaclock.analytics import Failure

__all__ = [
    "evaluated",
    "finish",
    "frozen_startup",
    "reject",
    "reject_failures",
    "skipped",
    "tickets",
    "unevaluated",
]


@contextmanager
def frozen_startup() -> Iterator[None]:
    """Keep the garbage collector off the objects made so far (modules, the policy and its
    compiled forms) while a command runs: they live to the end, and every full collection
    walked them again (a quarter of ``slaclock evaluate``'s time on 20,000 tickets).

    >>> import gc
    >>> with frozen_startup():
    ...     gc.get_freeze_count() > 0
    True
    """
    if gc.get_freeze_count():  # a program embedding us froze its own: leave its choice alone
        yield
        return
    gc.freeze()
    try:
        yield
    finally:
        gc.unfreeze()


def tickets(args: argparse.Namespace, err: IO[str]) -> Iterator[Timeline]:
    """The valid timelines of args.events; bad lines stop the run (exit 2) unless skipped."""
    items: Iterable[Timeline | BadLine] = read_timelines(args.events)
    if err.isatty():
        try:
            from tqdm import tqdm  # type: ignore[import-untyped,unused-ignore]

            items = tqdm(items, unit=" tickets", file=err, leave=False)
        except ImportError:  # the progress extra is optional
            pass
    for item in items:
        if isinstance(item, BadLine):
            reject(args, item)
            continue
        yield item


def skipped(args: argparse.Namespace) -> list[BadLine]:
    """The run's one list of skipped inputs (bad lines and tickets the policy cannot evaluate)."""
    found: list[BadLine] = args.__dict__.setdefault("skipped", [])
    return found


def reject(args: argparse.Namespace, bad: BadLine) -> None:
    """Stop the run on ``bad`` (exit 2), or record it and go on with --skip-invalid."""
    if not args.skip_invalid:
        raise bad
    skipped(args).append(bad)


def finish(args: argparse.Namespace, err: IO[str]) -> int:
    """The run's exit status: 0, or 1 after listing what was skipped on ``err``."""
    bad_inputs = skipped(args)
    if not bad_inputs:
        return 0
    whole_tickets = sum(bad.whole_ticket for bad in bad_inputs)
    print(
        f"slaclock: skipped {len(bad_inputs) - whole_tickets} malformed line(s) and "
        f"{whole_tickets} invalid ticket(s):",
        file=err,
    )
    for bad in bad_inputs:
        print(f"  {bad}", file=err)
    return 1


def evaluated(
    policy: Policy | PolicySet,
    timelines: Iterable[Timeline],
    as_of: datetime | None,
    args: argparse.Namespace,
) -> Iterator[TicketResult]:
    """Each ticket's result; a ticket the policy cannot evaluate (e.g. an unknown priority) stops
    the run naming the ticket, or is skipped and reported with --skip-invalid."""
    for timeline in timelines:
        try:
            yield evaluate(policy, timeline, as_of)
        except (SlaclockError, ValueError) as exc:
            reject(args, unevaluated(args, timeline.ticket_id, str(exc)))


def reject_failures(args: argparse.Namespace, failures: Iterable[Failure]) -> None:
    """Reject each ticket the policy could not evaluate (see :func:`reject`)."""
    for failure in failures:
        reject(args, unevaluated(args, failure.ticket_id, failure.error))


def unevaluated(args: argparse.Namespace, ticket_id: str | None, error: str) -> BadLine:
    """A ticket the policy could not evaluate, as a skippable input naming the ticket."""
    about = f"ticket {ticket_id!r}"
    reason = error if error.startswith(about) else f"{about}: {error}"
    return BadLine(f"{args.events}", reason, ticket=ticket_id, whole_ticket=True)
