"""The ``slaclock`` command line.

Commands: ``demo``, ``evaluate``, ``report``, ``explain``, ``due``, ``elapsed``, ``validate``,
``schema``, ``import``, ``alerts``. Exit statuses: 0 success; 1 done, but invalid input lines were
skipped
(``--skip-invalid``); 2 bad input or usage (the error names the file, line and value).

>>> main(["due", "--help"])  # doctest: +ELLIPSIS
usage: slaclock due [-h] --start T --target DURATION CALENDAR
...
0
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from datetime import datetime
from typing import IO

from slaclock import __version__
from slaclock.commands._arguments import UsageError, parse_instant
from slaclock.commands._events_run import finish, reject, reject_failures, tickets, unevaluated
from slaclock.commands._terminal import painter, result_table, use_colour
from slaclock.commands.business_time import due, elapsed
from slaclock.commands.evaluate import evaluate_events
from slaclock.commands.explain import draw as draw  # re-exported: slaclock.cli.draw
from slaclock.commands.explain import explain
from slaclock.commands.report import add_report_options
from slaclock.commands.validate import validate
from slaclock.engine import evaluate
from slaclock.errors import SlaclockError
from slaclock.files import PolicyFileError, load_policy, policy_schema
from slaclock.synthetic import DEFAULT_POLICY, sample_timelines

__all__ = ["DEMO_AS_OF", "main", "run"]

#: The demo evaluates as of this fixed instant, never the system clock.
DEMO_AS_OF = datetime.fromisoformat("2025-03-13T16:00:00-04:00")


# ---------------------------------------------------------------------------------------------
# demo
def _demo(args: argparse.Namespace, out: IO[str]) -> int:
    paint = painter(use_colour(out))
    print(
        f"slaclock demo: policy {DEFAULT_POLICY.name} {DEFAULT_POLICY.version} "
        f"({DEFAULT_POLICY.description}), as of {DEMO_AS_OF.isoformat()}\n",
        file=out,
    )
    for timeline in sample_timelines():
        print(result_table(evaluate(DEFAULT_POLICY, timeline, as_of=DEMO_AS_OF), paint), file=out)
        print(file=out)
    print("Try: slaclock explain --help, or the examples in examples/.", file=out)
    return 0


# ---------------------------------------------------------------------------------------------
# The commands (each in slaclock.commands; registered here)
def _report(args: argparse.Namespace, out: IO[str], err: IO[str]) -> int:
    from slaclock.commands.report import report

    return report(args, out, err, tickets, reject_failures, parse_instant, finish)


def _schema(args: argparse.Namespace, out: IO[str], err: IO[str]) -> int:
    print(json.dumps(policy_schema(), indent=2), file=out)
    return 0


def _import(args: argparse.Namespace, out: IO[str], err: IO[str]) -> int:
    from slaclock.commands.importing import options_from, run_import

    options = options_from(args.status, args.priority, args.attribute, args.strict)
    return run_import(args.source, args.files, out, err, options)


def _alerts(args: argparse.Namespace, out: IO[str], err: IO[str]) -> int:
    from slaclock.commands.alerts import write_alerts

    since, until = parse_instant(args.since, "--since"), parse_instant(args.until, "--until")
    if until < since:
        raise UsageError(
            f"--until {args.until} is before --since {args.since} - expected since <= until"
        )
    write_alerts(
        load_policy(args.policy), tickets(args, err), since, until, out,
        format=args.format, kinds=args.kind or ("threshold", "due"),
        on_error=lambda ticket, exc: reject(args, unevaluated(args, ticket.ticket_id, str(exc))),
    )  # fmt: skip
    return finish(args, err)


# ---------------------------------------------------------------------------------------------
def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="slaclock",
        description="Exact SLA clocks for support tickets.",
        epilog="Example: slaclock evaluate examples/policies/b2b-saas.yaml examples/events.jsonl",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--version", action="version", version=f"slaclock {__version__}")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")

    def command(name: str, help: str, example: str) -> argparse.ArgumentParser:
        return commands.add_parser(
            name, help=help, description=help, epilog=f"Example:\n  {example}",
            formatter_class=argparse.RawDescriptionHelpFormatter,
        )  # fmt: skip

    command("demo", "evaluate the embedded sample policy on sample tickets", "slaclock demo")

    def events_command(name: str, help: str, example: str) -> argparse.ArgumentParser:
        sub = command(name, help, example)
        sub.add_argument("policy", metavar="POLICY", help="policy file (.yaml, .toml or .json)")
        sub.add_argument("events", metavar="EVENTS", help="events file (.jsonl or .csv)")
        sub.add_argument(
            "--as-of",
            metavar="T",
            help="evaluate as of this ISO 8601 instant (default: each ticket's last event; "
            "report: the latest event in the file, for every ticket)",
        )
        sub.add_argument(
            "--skip-invalid",
            action="store_true",
            help="skip malformed lines and invalid tickets (exit 1 if any)",
        )
        return sub

    evaluate_cmd = events_command(
        "evaluate",
        "evaluate every ticket in an events file",
        "slaclock evaluate policy.yaml events.jsonl --format json --output results.json",
    )
    evaluate_cmd.add_argument(
        "--format", choices=("table", "json", "jsonl", "csv"), default="table"
    )
    evaluate_cmd.add_argument(
        "--output",
        metavar="FILE",
        help="write to FILE instead of standard output; a .parquet FILE or .parquet EVENTS give one row per cycle",
    )

    report = events_command(
        "report",
        "attainment report (met / (met + breached))",
        "slaclock report policy.yaml events.jsonl --by priority,group --period week",
    )
    report.add_argument(
        "--by", default="priority", help="comma-separated ticket attributes to group by"
    )
    report.add_argument(
        "--period",
        choices=("day", "week", "month"),
        help="also group by period of the cycle's start",
    )
    report.add_argument("--metric", help="only this metric")
    add_report_options(report)  # satisfaction, service level, --html

    explain = events_command(
        "explain",
        "draw one ticket's clocks as a timeline",
        "slaclock explain policy.yaml events.jsonl --ticket T-1",
    )
    explain.add_argument("--ticket", required=True, metavar="ID", help="the ticket id")
    explain.add_argument(
        "--width", type=int, default=60, help="width of the timeline in characters"
    )

    due = command(
        "due",
        "when a target on a calendar is due",
        "slaclock due calendar.yaml --start 2025-03-07T16:30:00-05:00 --target 8h",
    )
    due.add_argument(
        "calendar", metavar="CALENDAR", help="calendar file (or a policy file with one calendar)"
    )
    due.add_argument("--start", required=True, metavar="T")
    due.add_argument(
        "--target",
        required=True,
        metavar="DURATION",
        help="e.g. 8h, 1h30m, PT4H, or '2 business days' (the close of the 2nd business day)",
    )

    elapsed = command(
        "elapsed",
        "business time between two instants",
        "slaclock elapsed calendar.yaml --start 2025-03-07T09:00:00-05:00 --end 2025-03-10T12:00:00-04:00",
    )
    elapsed.add_argument("calendar", metavar="CALENDAR")
    elapsed.add_argument("--start", required=True, metavar="T")
    elapsed.add_argument("--end", required=True, metavar="T")

    validate = command(
        "validate", "check a policy file and list every error", "slaclock validate policy.yaml"
    )
    validate.add_argument("policy", metavar="POLICY")
    validate.add_argument(
        "--events",
        metavar="FILE",
        help="also check an events file against the policy (exit 1 if problems)",
    )
    validate.add_argument(
        "--known-status",
        action="append",
        metavar="STATUS",
        help="a status tickets may take (repeat)",
    )

    command(
        "schema",
        "print the JSON Schema of policy files",
        "slaclock schema > slaclock-policy.schema.json",
    )
    imports = command(
        "import",
        "convert helpdesk exports (JSON) to an events file on standard output",
        "slaclock import zendesk audits.json > events.jsonl",
    )
    imports.add_argument(
        "source", metavar="SOURCE", choices=("zendesk", "jira", "zammad", "servicenow", "freshdesk")
    )
    imports.add_argument("files", metavar="FILE", nargs="+", help="export files (JSON)")
    imports.add_argument("--status", action="append", metavar="SRC=STATUS", help="map a status")
    imports.add_argument("--priority", action="append", metavar="SRC=PRIO", help="map a priority")
    imports.add_argument(
        "--attribute", action="append", metavar="FIELD[=NAME]", help="keep a field (repeat)"
    )
    imports.add_argument("--strict", action="store_true", help="unmapped values are errors")
    alerts = command(
        "alerts",
        "every threshold, due instant and escalation crossed in [--since, --until)",
        "slaclock alerts policy.yaml events.jsonl --since 2025-03-11T16:00:00Z --until 2025-03-11T16:05:00Z",
    )
    alerts.add_argument("policy", metavar="POLICY", help="policy file (.yaml, .toml or .json)")
    alerts.add_argument("events", metavar="EVENTS", help="events file (.jsonl or .csv)")
    alerts.add_argument("--since", required=True, metavar="T", help="window start (included)")
    alerts.add_argument("--until", required=True, metavar="T", help="window end (excluded)")
    alerts.add_argument("--kind", action="append", choices=("threshold", "due"), help="only these")
    alerts.add_argument("--format", choices=("jsonl", "table"), default="jsonl")
    alerts.add_argument("--skip-invalid", action="store_true", help="skip invalid inputs (exit 1)")
    return parser


_RUN = {
    "demo": lambda args, out, err: _demo(args, out),
    "evaluate": evaluate_events,
    "report": _report,
    "explain": explain,
    "due": due,
    "elapsed": elapsed,
    "validate": validate,
    "schema": _schema,
    "import": _import,
    "alerts": _alerts,
}


def main(
    argv: Sequence[str] | None = None, out: IO[str] | None = None, err: IO[str] | None = None
) -> int:
    """Run the command line and return its exit status (0 ok, 1 skipped inputs, 2 errors).

    >>> main(["--version"])  # doctest: +ELLIPSIS
    slaclock ...
    0
    """
    out = out or sys.stdout
    err = err or sys.stderr
    parser = _parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:  # --help, --version and usage errors: argparse has printed
        return exc.code if isinstance(exc.code, int) else 2
    if args.command is None:
        parser.print_help(out)
        return 2
    from slaclock.commands.validate_events import summarised_timeline_warnings

    try:
        with summarised_timeline_warnings(err):  # one line per unknown value, not per ticket
            return int(_RUN[args.command](args, out, err))
    except PolicyFileError as exc:
        print("\n".join(f"slaclock: {problem}" for problem in exc.problems), file=err)
        return 2
    except BrokenPipeError:
        raise  # handled by run(): the reader of our output went away
    except OSError as exc:  # "events.jsonl: Permission denied", not "[Errno 13] ..."
        where = f"{exc.filename}: " if exc.filename is not None else ""
        print(f"slaclock: {where}{exc.strerror or exc}", file=err)
        return 2
    except (SlaclockError, ValueError) as exc:
        print(f"slaclock: {exc}", file=err)
        return 2


def run() -> None:
    """Console-script entry point: exit with main()'s status; a closed pipe is not an error.

    >>> import sys
    >>> from unittest import mock
    >>> with mock.patch.object(sys, "argv", ["slaclock", "--version"]):
    ...     run()  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    SystemExit: 0
    """
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
