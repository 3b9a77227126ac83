"""``slaclock evaluate``: every ticket of an events file, as a table, JSON, JSON Lines, CSV or
Parquet.

>>> from slaclock.cli import main
>>> main(["evaluate", "--help"])  # doctest: +ELLIPSIS
usage: slaclock evaluate [-h] ...
...
0
"""

from __future__ import annotations

import argparse
from collections.abc import Iterator
from datetime import datetime
from typing import IO, TYPE_CHECKING, Any

from slaclock.commands._arguments import check_output, parse_instant
from slaclock.commands._events_run import (
    evaluated,
    finish,
    frozen_startup,
    reject,
    reject_failures,
    tickets,
)
from slaclock.commands._terminal import painter, result_table, use_colour
from slaclock.files import load_policy
from slaclock.policy import Policy, PolicySet

if TYPE_CHECKING:  # analytics is imported only when the format needs it
    from slaclock.analytics import Failure

__all__ = ["evaluate_events"]


def evaluate_events(args: argparse.Namespace, out: IO[str], err: IO[str]) -> int:
    """Run ``slaclock evaluate`` with the parsed ``args``; the exit status.

    >>> from slaclock.cli import main
    >>> main(["evaluate", "policy.yaml", "events.jsonl", "--format", "xml"])
    2
    """
    if args.output == "-":  # the usual name of standard output
        args.output = None
    check_output(args.output, "--output", {"events": args.events, "policy": args.policy})
    policy = load_policy(args.policy)
    as_of = None if args.as_of is None else parse_instant(args.as_of, "--as-of")
    with frozen_startup():
        if _parquet(args):  # Parquet events or results: the columnar path (slaclock.tablefiles)
            return _evaluate_tables(args, policy, as_of, out, err)
        return _evaluate_stream(args, policy, as_of, out, err)


def _evaluate_stream(
    args: argparse.Namespace,
    policy: Policy | PolicySet,
    as_of: datetime | None,
    out: IO[str],
    err: IO[str],
) -> int:
    """JSON Lines or CSV events, one ticket at a time, to a table, JSON, JSON Lines or CSV."""
    target = open(args.output, "w", encoding="utf-8") if args.output else out  # noqa: SIM115
    try:
        paint = painter(args.output is None and use_colour(out))
        results = evaluated(policy, tickets(args, err), as_of, args)
        if args.format == "table":
            for result in results:
                print(result_table(result, paint), file=target)
                print(file=target)
        elif args.format == "jsonl":
            write = target.write
            for result in results:
                write(result.model_dump_json() + "\n")
        elif args.format == "json":
            target.write("[")
            for index, result in enumerate(results):
                target.write(("," if index else "") + "\n" + result.model_dump_json(indent=2))
            target.write("\n]\n")
        else:
            from slaclock.analytics import iter_records, write_csv

            failures: list[Failure] = []

            def checked() -> Iterator[dict[str, Any]]:
                """The records; a ticket that failed is rejected as soon as it is seen."""
                for record in iter_records(policy, tickets(args, err), as_of, failures=failures):
                    reject_failures(args, failures)
                    failures.clear()
                    yield record
                reject_failures(args, failures)

            write_csv(checked(), target)
    finally:
        if target is not out:
            target.close()
    return finish(args, err)


def _parquet(args: argparse.Namespace) -> bool:
    from slaclock.tablefiles import is_parquet

    return is_parquet(args.events) or is_parquet(args.output)


def _evaluate_tables(
    args: argparse.Namespace,
    policy: Policy | PolicySet,
    as_of: datetime | None,
    out: IO[str],
    err: IO[str],
) -> int:
    from slaclock.analytics import iter_records
    from slaclock.tablefiles import evaluate_files

    failures: list[Failure] = []

    def records() -> Iterator[dict[str, Any]]:
        yield from iter_records(policy, tickets(args, err), as_of, failures=failures)
        reject_failures(args, failures)

    evaluate_files(
        policy, args.events, as_of, args.output, args.format, out, args.skip_invalid, records,
        lambda bad: reject(args, bad),
    )  # fmt: skip
    return finish(args, err)
