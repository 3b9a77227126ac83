"""The ``slaclock`` command line (minimal: ``demo`` and ``--version``)."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from datetime import datetime

from slaclock import __version__
from slaclock.engine import evaluate
from slaclock.synthetic import DEFAULT_POLICY, sample_timelines

__all__ = ["main"]

#: The demo evaluates as of this fixed instant, never the system clock.
DEMO_AS_OF = datetime.fromisoformat("2025-03-13T16:00:00-04:00")


def _demo(args: argparse.Namespace) -> int:
    print(
        f"policy {DEFAULT_POLICY.name} {DEFAULT_POLICY.version} - as of {DEMO_AS_OF.isoformat()}\n"
    )
    for timeline in sample_timelines():
        print(evaluate(DEFAULT_POLICY, timeline, as_of=DEMO_AS_OF))
        print()
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit status.

    >>> main(["--version"])  # doctest: +ELLIPSIS
    slaclock ...
    0
    """
    parser = argparse.ArgumentParser(prog="slaclock", description="Exact SLA clocks for tickets.")
    parser.add_argument("--version", action="store_true", help="print the version and exit")
    commands = parser.add_subparsers(dest="command")
    demo = commands.add_parser("demo", help="evaluate the embedded sample policy on sample tickets")
    demo.set_defaults(run=_demo)
    args = parser.parse_args(argv)
    if args.version:
        print(f"slaclock {__version__}")
        return 0
    if args.command is None:
        parser.print_help()
        return 2
    status: int = args.run(args)
    return status


def run() -> None:
    """Console-script entry point: exit with main()'s status; a closed pipe is not an error."""
    try:
        status = main()
        sys.stdout.flush()
    except BrokenPipeError:
        # `slaclock demo | head`: the reader went away; stop quietly like other Unix tools.
        sys.stderr.close()
        status = 0
    sys.exit(status)


if __name__ == "__main__":
    run()
