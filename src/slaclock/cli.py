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
import os
import sys
from collections.abc import Iterable, Iterator, Sequence
from datetime import datetime
from typing import IO, TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from slaclock import __version__
from slaclock._tz import check_in_range
from slaclock.commands.report import add_report_options
from slaclock.details import describe
from slaclock.engine import evaluate
from slaclock.errors import SlaclockError
from slaclock.files import (
    BadLine,
    PolicyFileError,
    load_calendar,
    load_policy,
    policy_notes,
    policy_schema,
    read_timelines,
)
from slaclock.policy import MAX_BUSINESS_DAYS, Policy, PolicySet, Target
from slaclock.results import TicketResult
from slaclock.synthetic import DEFAULT_POLICY, sample_timelines
from slaclock.timeline import Timeline

if TYPE_CHECKING:  # analytics is imported only by the commands that use it
    from slaclock.analytics import Failure

__all__ = ["DEMO_AS_OF", "main", "run"]

#: The demo evaluates as of this fixed instant, never the system clock.
DEMO_AS_OF = datetime.fromisoformat("2025-03-13T16:00:00-04:00")

_STATE_COLOURS = {
    "met": "32",
    "completed": "32",
    "breached": "31",
    "overdue": "1;31",
    "running": "33",
    "paused": "36",
    "cancelled": "2",
    "pending": "2",
}


class _Usage(SlaclockError, ValueError):
    """A bad argument (exit status 2)."""


def _colour(enabled: bool) -> Any:
    def paint(text: str, state: str) -> str:
        code = _STATE_COLOURS.get(state)
        return f"\x1b[{code}m{text}\x1b[0m" if enabled and code else text

    return paint


def _use_colour(stream: IO[str]) -> bool:
    return stream.isatty() and "NO_COLOR" not in os.environ and os.environ.get("TERM") != "dumb"


def _instant(text: str, name: str) -> datetime:
    try:
        value = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError as exc:
        raise _Usage(
            f"{name}: not an ISO 8601 instant: {text!r} - expected e.g. 2025-03-07T16:30:00+01:00"
        ) from exc
    if value.tzinfo is None:
        raise _Usage(
            f"{name}: {text!r} has no UTC offset - expected e.g. 2025-03-07T16:30:00+01:00"
        )
    return check_in_range(value, name)  # once for the run, not once per ticket


def _table(result: TicketResult, paint: Any) -> str:
    lines = result.to_table().splitlines()
    out = [lines[0]]
    for line in lines[1:]:
        state = next((s for s in _STATE_COLOURS if f"  {s}  " in f"  {line}  "), None)
        out.append(paint(line, state) if state else line)
    return "\n".join(out)


# ---------------------------------------------------------------------------------------------
# demo
def _demo(args: argparse.Namespace, out: IO[str]) -> int:
    paint = _colour(_use_colour(out))
    print(
        f"slaclock demo: policy {DEFAULT_POLICY.name} {DEFAULT_POLICY.version} "
        f"({DEFAULT_POLICY.description}), as of {DEMO_AS_OF.isoformat()}\n",
        file=out,
    )
    for timeline in sample_timelines():
        print(_table(evaluate(DEFAULT_POLICY, timeline, as_of=DEMO_AS_OF), paint), file=out)
        print(file=out)
    print("Try: slaclock explain --help, or the examples in examples/.", file=out)
    return 0


# ---------------------------------------------------------------------------------------------
# evaluate / report / explain: policy + events
def _tickets(args: argparse.Namespace, err: IO[str]) -> Iterator[Timeline]:
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
            _reject(args, item)
            continue
        yield item


def _skipped(args: argparse.Namespace) -> list[BadLine]:
    """The run's one list of skipped inputs (bad lines and tickets the policy cannot evaluate)."""
    skipped: list[BadLine] = args.__dict__.setdefault("skipped", [])
    return skipped


def _reject(args: argparse.Namespace, bad: BadLine) -> None:
    """Stop the run on ``bad`` (exit 2), or record it and go on with --skip-invalid."""
    if not args.skip_invalid:
        raise bad
    _skipped(args).append(bad)


def _finish(args: argparse.Namespace, err: IO[str]) -> int:
    skipped = _skipped(args)
    if not skipped:
        return 0
    tickets = sum(bad.whole_ticket for bad in skipped)
    print(
        f"slaclock: skipped {len(skipped) - tickets} malformed line(s) and {tickets} invalid "
        "ticket(s):",
        file=err,
    )
    for bad in skipped:
        print(f"  {bad}", file=err)
    return 1


def _evaluated(
    policy: Policy | PolicySet,
    tickets: Iterable[Timeline],
    as_of: datetime | None,
    args: argparse.Namespace,
) -> Iterator[TicketResult]:
    """Each ticket's result; a ticket the policy cannot evaluate (e.g. an unknown priority) stops
    the run naming the ticket, or is skipped and reported with --skip-invalid."""
    for timeline in tickets:
        try:
            yield evaluate(policy, timeline, as_of)
        except (SlaclockError, ValueError) as exc:
            _reject(args, _unevaluated(args, timeline.ticket_id, str(exc)))


def _reject_failures(args: argparse.Namespace, failures: Iterable[Failure]) -> None:
    """Reject each ticket the policy could not evaluate (see :func:`_reject`)."""
    for failure in failures:
        _reject(args, _unevaluated(args, failure.ticket_id, failure.error))


def _unevaluated(args: argparse.Namespace, ticket_id: str | None, error: str) -> BadLine:
    """A ticket the policy could not evaluate, as a skippable input naming the ticket."""
    about = f"ticket {ticket_id!r}"
    reason = error if error.startswith(about) else f"{about}: {error}"
    return BadLine(f"{args.events}", reason, ticket=ticket_id, whole_ticket=True)


def _evaluate(args: argparse.Namespace, out: IO[str], err: IO[str]) -> int:
    policy = load_policy(args.policy)
    as_of = None if args.as_of is None else _instant(args.as_of, "--as-of")
    if _parquet(args):  # Parquet events or results: the columnar path (slaclock.tablefiles)
        return _evaluate_tables(args, policy, as_of, out, err)
    target = open(args.output, "w", encoding="utf-8") if args.output else out  # noqa: SIM115
    try:
        paint = _colour(args.output is None and _use_colour(out))
        results = _evaluated(policy, _tickets(args, err), as_of, args)
        if args.format == "table":
            for result in results:
                print(_table(result, paint), file=target)
                print(file=target)
        elif args.format == "jsonl":
            for result in results:
                print(result.model_dump_json(), file=target)
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
                for record in iter_records(policy, _tickets(args, err), as_of, failures=failures):
                    _reject_failures(args, failures)
                    failures.clear()
                    yield record
                _reject_failures(args, failures)

            write_csv(checked(), target)
    finally:
        if target is not out:
            target.close()
    return _finish(args, err)


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
        yield from iter_records(policy, _tickets(args, err), as_of, failures=failures)
        _reject_failures(args, failures)

    evaluate_files(
        policy, args.events, as_of, args.output, args.format, out, args.skip_invalid, records,
        lambda bad: _reject(args, bad),
    )  # fmt: skip
    return _finish(args, err)


def _report(args: argparse.Namespace, out: IO[str], err: IO[str]) -> int:
    from slaclock.commands.report import report

    return report(args, out, err, _tickets, _reject_failures, _instant, _finish)


_GLYPH = {"counted": "█", "closed": "░", "paused": "┄"}


def draw(result: TicketResult, width: int = 60) -> str:
    """The ticket's clocks as a text timeline, one row per metric cycle (``explain=True`` results).

    ``█`` counted, ``░`` closed (out of hours), ``┄`` paused, ``!`` a threshold reached,
    ``D`` the due instant, ``X`` the due instant of a breached or overdue cycle.
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


def _explain(args: argparse.Namespace, out: IO[str], err: IO[str]) -> int:
    policy = load_policy(args.policy)
    as_of = None if args.as_of is None else _instant(args.as_of, "--as-of")
    if not 10 <= args.width <= 1000:
        raise _Usage(f"--width: {args.width} - expected 10 to 1000 characters")
    for timeline in _tickets(args, err):
        if timeline.ticket_id == args.ticket:
            result = evaluate(policy, timeline, as_of, explain=True)
            print(draw(result, width=args.width), file=out)
            print(file=out)
            print(_table(result, _colour(_use_colour(out))), file=out)
            print(file=out)
            print(describe(result), file=out)
            return _finish(args, err)
    raise _Usage(f"--ticket: no ticket {args.ticket!r} in {args.events}")


# ---------------------------------------------------------------------------------------------
# calendar commands, validate, schema
def _due(args: argparse.Namespace, out: IO[str], err: IO[str]) -> int:
    calendar = load_calendar(args.calendar)
    start = _instant(args.start, "--start")
    days = _business_days(args.target)
    if days is not None:  # like a policy target: the close of the N-th business day after
        due = calendar.business_day_close(start, days)
    else:
        due = calendar.add(start, args.target)
    # Shown in the calendar's zone: a fixed offset typed on the command line may not hold then.
    print(due.astimezone(ZoneInfo(calendar.timezone)).isoformat(), file=out)
    return 0


def _business_days(text: str) -> int | None:
    """N for a target written "N business days" (as in policies), else None."""
    try:
        return Target.model_validate(text).business_days
    except ValueError as exc:  # not a target at all: calendar.add reports the duration's syntax
        if "business" in text.lower():
            raise _Usage(
                f"--target: {text!r} - expected 1 to {MAX_BUSINESS_DAYS} business days"
            ) from exc
        return None


def _elapsed(args: argparse.Namespace, out: IO[str], err: IO[str]) -> int:
    calendar = load_calendar(args.calendar)
    elapsed = calendar.elapsed(_instant(args.start, "--start"), _instant(args.end, "--end"))
    from slaclock.durations import format_duration

    print(format_duration(elapsed), file=out)
    return 0


def _validate(args: argparse.Namespace, out: IO[str], err: IO[str]) -> int:
    policy: Policy | PolicySet = load_policy(args.policy)
    names = [p.name for p in (policy.policies if isinstance(policy, PolicySet) else (policy,))]
    print(
        f"{args.policy}: valid ({len(names)} polic{'y' if len(names) == 1 else 'ies'}: {', '.join(names)})",
        file=out,
    )
    for note in policy_notes(policy):
        print(f"note: {note}", file=out)
    if args.events is not None:
        from slaclock.commands.validate_events import report_events

        return report_events(policy, args.events, args.known_status, out)
    return 0


def _schema(args: argparse.Namespace, out: IO[str], err: IO[str]) -> int:
    print(json.dumps(policy_schema(), indent=2), file=out)
    return 0


def _import(args: argparse.Namespace, out: IO[str], err: IO[str]) -> int:
    from slaclock.commands.importing import options_from, run_import

    options = options_from(args.status, args.priority, args.attribute, args.strict)
    return run_import(args.source, args.files, out, err, options)


def _alerts(args: argparse.Namespace, out: IO[str], err: IO[str]) -> int:
    from slaclock.commands.alerts import write_alerts

    since, until = _instant(args.since, "--since"), _instant(args.until, "--until")
    if until < since:
        raise _Usage(
            f"--until {args.until} is before --since {args.since} - expected since <= until"
        )
    write_alerts(
        load_policy(args.policy), _tickets(args, err), since, until, out,
        format=args.format, kinds=args.kind or ("threshold", "due"),
        on_error=lambda ticket, exc: _reject(args, _unevaluated(args, ticket.ticket_id, str(exc))),
    )  # fmt: skip
    return _finish(args, err)


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
    "evaluate": _evaluate,
    "report": _report,
    "explain": _explain,
    "due": _due,
    "elapsed": _elapsed,
    "validate": _validate,
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
    except (SlaclockError, ValueError, OSError) as exc:
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
