"""``slaclock report``: attainment over an events file, as of one instant for every ticket, and
beyond the attainment table: satisfaction (``--satisfaction``), service level from a contacts
file (``--contacts``) and the HTML page (``--html``).

Without ``--as-of`` every ticket is evaluated as of the latest event in the file (found in a
first pass), so a ticket never answered shows as running or overdue instead of being frozen at
its own last event. The header names that instant; a last line counts the cycles still running
and those already overdue. Records stream into the tally: memory grows with the groups, not
with the tickets, unless ``--satisfaction`` or ``--html`` need the evaluated tickets again.

:func:`add_report_options` declares the options beyond the attainment table; :func:`report`
runs the command, calling :func:`keep_timelines` while the tickets stream through the
evaluation and :func:`finish_report` after the attainment table. Like the rest of the command
line, this is the only layer that reads files.
"""

from __future__ import annotations

import argparse
import csv
import itertools
import json
import sys
from collections.abc import Callable, Iterable, Iterator
from datetime import datetime, timedelta
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any

from pydantic import ValidationError

from slaclock._csv_cells import named_twice
from slaclock._tz import from_micros, load_zone, to_micros
from slaclock.bands import BandRule
from slaclock.commands._arguments import UsageError, check_output
from slaclock.durations import parse_duration
from slaclock.errors import ArgumentError
from slaclock.eventfiles import BadLine, DuplicateKeyError, no_duplicate_keys, text_lines
from slaclock.files import load_policy, read_timelines
from slaclock.servicelevel import TREATMENTS, Contact, ServiceLevelReport, service_level
from slaclock.timeline import Timeline

if TYPE_CHECKING:  # the batch module (and the engine) load only when a report runs
    from slaclock.batch import Batch

__all__ = [
    "add_report_options",
    "finish_report",
    "keep_timelines",
    "latest_event",
    "read_contacts",
    "report",
]


def add_report_options(parser: argparse.ArgumentParser) -> None:
    """The ``report`` options for satisfaction, service level and the HTML page."""
    parser.add_argument(
        "--goal",
        type=float,
        metavar="SHARE",
        help="attainment target as a share (0.95): bands and a target line in the HTML page",
    )
    parser.add_argument(
        "--satisfaction",
        action="store_true",
        help="also report CSAT, NPS, response rate and satisfaction of met vs breached SLAs",
    )
    parser.add_argument(
        "--contacts",
        metavar="FILE",
        help="contacts (.jsonl or .csv: offered_at, answered_at or abandoned_at) for the "
        "service level per interval",
    )
    parser.add_argument("--threshold", default="20s", help="answered within (default 20s)")
    parser.add_argument("--interval", choices=("15min", "30min", "60min", "day"), default="30min")
    parser.add_argument(
        "--abandons", choices=tuple(TREATMENTS), default="ignored", help="abandon treatment"
    )
    parser.add_argument("--short-abandon", metavar="DURATION", help="short-abandon cut-off")
    parser.add_argument(
        "--service-target", type=float, default=0.8, metavar="SHARE", help="default 0.8"
    )
    parser.add_argument(
        "--bands",
        choices=("points", "relative"),
        default="points",
        help="band widths in percentage points (default) or percent of the target",
    )
    parser.add_argument(
        "--timezone", default="UTC", help="zone of the service-level intervals (default UTC)"
    )
    parser.add_argument(
        "--html", metavar="FILE", help="also write the report as one self-contained HTML page"
    )


def keep_timelines(
    args: argparse.Namespace, tickets: Iterable[Timeline], kept: list[Timeline]
) -> Iterable[Timeline]:
    """``tickets``, also collected in ``kept`` when a report needs their events again."""
    if not (args.satisfaction or args.html):
        return tickets

    def passing() -> Iterator[Timeline]:
        for timeline in tickets:
            kept.append(timeline)
            yield timeline

    return passing()


_EXTRA = "\x00extra"  # where csv.DictReader puts the cells beyond the header's columns


def _row(raw: Any, where: str) -> Contact:
    if not isinstance(raw, dict):
        raise BadLine(where, f"not a contact: {raw!r} - expected an object with 'offered_at'")
    data = {key: value for key, value in raw.items() if value not in ("", None)}
    try:
        return Contact.model_validate(data)
    except ValidationError as exc:
        problem = exc.errors()[0]
        field = ".".join(str(part) for part in problem["loc"])
        message = str(problem["msg"]).removeprefix("Value error, ")
        raise BadLine(where, f"{field + ': ' if field else ''}{message} - in {raw}") from exc


def read_contacts(path: str) -> list[Contact]:
    """The contacts of a ``.jsonl`` or ``.csv`` file (empty cells are absent values); a bad
    row is an error naming the file and line (a :class:`~slaclock.files.BadLine`).

    >>> import tempfile, pathlib
    >>> path = pathlib.Path(tempfile.mkdtemp()) / "contacts.csv"
    >>> _ = path.write_text("offered_at,answered_at,abandoned_at\\n"
    ...                     "2025-03-04T09:00:00Z,2025-03-04T09:00:15Z,\\n")
    >>> [c.answered_at.second for c in read_contacts(str(path))]
    [15]
    """
    # Read as events files are: a byte order mark is fine, a line not UTF-8 is named.
    return _contacts_of(text_lines(path), path, Path(path).suffix.lower() == ".csv")


def _contacts_of(lines: Iterator[str], path: str, is_csv: bool) -> list[Contact]:
    contacts = []
    if is_csv:
        blank = 0  # blank lines before the header, as events files allow
        first = next(lines, "")
        while first and not first.strip():
            blank, first = blank + 1, next(lines, "")
        reader = csv.DictReader(itertools.chain([first], lines), restkey=_EXTRA, strict=True)
        twice = named_twice(reader.fieldnames or [])  # as an events file's header is checked
        if twice is not None:
            raise BadLine(f"{path}:{blank + 1}", twice)
        try:
            for raw in reader:
                where = f"{path}:{blank + reader.line_num}"
                if _EXTRA in raw:
                    raise BadLine(
                        where,
                        f"more cells than the header's {len(reader.fieldnames or ())} columns: "
                        f"extra {raw[_EXTRA]!r} - expected one cell per column",
                    )
                contacts.append(_row(dict(raw), where))
        except csv.Error as exc:  # an unclosed quote, a cell past the csv module's limit
            raise BadLine(f"{path}:{blank + reader.line_num}", f"not CSV: {exc}") from None
        return contacts
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            raw = json.loads(line, object_pairs_hook=no_duplicate_keys)
        except json.JSONDecodeError as exc:
            raise BadLine(f"{path}:{number}", f"not JSON: {exc.msg}") from exc
        except DuplicateKeyError as exc:
            raise BadLine(
                f"{path}:{number}", f"key {exc.key!r} given twice - expected each key once"
            ) from exc
        except RecursionError:
            raise BadLine(
                f"{path}:{number}", "nested too deeply - expected one flat object"
            ) from None
        except ValueError:  # an integer of more than sys.get_int_max_str_digits() digits
            raise BadLine(
                f"{path}:{number}",
                f"a number of more than {sys.get_int_max_str_digits()} digits - expected a contact",
            ) from None
        contacts.append(_row(raw, f"{path}:{number}"))
    return contacts


def _service_level(
    args: argparse.Namespace, contacts: list[Contact] | None
) -> tuple[ServiceLevelReport, BandRule] | None:
    if not args.contacts:
        return None
    report = service_level(
        read_contacts(args.contacts) if contacts is None else contacts,
        threshold=args.threshold,
        interval=args.interval,
        abandons=args.abandons,
        short_abandon=args.short_abandon,
        timezone=args.timezone,
    )
    return report, BandRule(target=args.service_target, scale=args.bands)


def finish_report(
    args: argparse.Namespace,
    batch: Batch | None,
    kept: list[Timeline],
    as_of: datetime | None,
    out: IO[str],
    contacts: list[Contact] | None = None,
) -> None:
    """Print the satisfaction and service-level tables asked for and write the HTML page
    (``batch`` is needed for those two, and only for them; ``contacts``: the ``--contacts``
    file's, when already read)."""
    from slaclock.satisfaction import csat, nps, response_rate, satisfaction_by_sla, surveys

    by = [part.strip() for part in args.by.split(",") if part.strip()] if args.by else []
    needs_batch = args.satisfaction or args.html
    if needs_batch and batch is None:  # pragma: no cover - report() always passes one then
        raise ArgumentError("batch: --satisfaction and --html need the evaluated batch")
    answers = surveys(kept, as_of, batch=batch) if needs_batch else None
    if args.satisfaction and answers is not None and batch is not None:
        grouped = [name for name in by if any(name in s.attributes for s in answers)]
        for title, report in (
            ("CSAT", csat(answers, by=grouped, period=args.period)),
            ("NPS", nps(answers, by=grouped, period=args.period)),
            ("response rate", response_rate(answers, by=grouped, period=args.period)),
        ):
            print(f"\n{title}", file=out)
            print(report.to_table() if report.rows else "no answers", file=out)
        print("\nsatisfaction of tickets whose SLA was met or breached", file=out)
        print(satisfaction_by_sla(answers, batch, metric=args.metric).to_table(), file=out)
    service = _service_level(args, contacts)
    abandon = BandRule(target=0.05, warning=2, act=5, higher_is_better=False)
    if service is not None:
        print("\nservice level", file=out)
        print(service[0].to_table(bands=service[1], abandon_bands=abandon), file=out)
    if args.html and batch is not None:
        from slaclock.html_report import write_html_report

        page = write_html_report(
            args.html,
            batch,
            by=by,
            period=args.period,
            metric=args.metric,
            goal=args.goal,
            service_level=None if service is None else service[0],
            service_bands=None if service is None else service[1],
            abandon_bands=abandon if service is not None else None,
            surveys=answers if args.satisfaction else None,
        )
        print(f"\nwrote {page}", file=out)


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


def _check_options(args: argparse.Namespace) -> None:
    """The report's own options, checked before any work: each error names its option (they
    were found after the attainment table was printed, as "target: 5.0 ...")."""
    for option, share in (("--goal", args.goal), ("--service-target", args.service_target)):
        if share is not None and not 0 < share <= 1:  # NaN is refused too
            raise UsageError(f"{option}: {share} - expected a share in (0, 1], e.g. 0.8 for 80%")
    for option, text in (("--threshold", args.threshold), ("--short-abandon", args.short_abandon)):
        if text is None:
            continue
        try:
            negative = parse_duration(text) < timedelta(0)
        except ValueError as exc:
            raise UsageError(f"{option}: {exc}") from exc
        if negative:
            raise UsageError(f"{option}: {text!r} is negative - expected a duration of 0 or more")
    try:
        load_zone(args.timezone)
    except ValueError as exc:
        raise UsageError(f"--timezone: {exc}") from exc


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
    from slaclock.batch import Failure, evaluate_many, iter_records
    from slaclock.reports import attainment

    inputs = {"events": args.events, "policy": args.policy, "contacts": args.contacts or ""}
    check_output(args.html, "--html", inputs)
    _check_options(args)
    # Read before the events: a bad contacts file stops the run before any table is printed.
    contacts = read_contacts(args.contacts) if args.contacts else None
    policy = load_policy(args.policy)
    as_of: datetime | None
    if args.as_of is not None:
        as_of, origin = instant(args.as_of, "--as-of"), "--as-of"
    else:
        found = latest_event(args.events)
        as_of, origin = found, "the latest event in the file"
    by = [part.strip() for part in args.by.split(",") if part.strip()] if args.by else []
    batch: Batch | None = None
    kept: list[Timeline] = []  # the timelines, when satisfaction or the HTML page needs them
    if args.satisfaction or args.html:
        # Both read the evaluated tickets again (surveys, the page's tables): kept in memory.
        batch = evaluate_many(policy, keep_timelines(args, tickets(args, err), kept), as_of)
        reject_failures(args, batch.failures)  # never dropped silently
        table = attainment(batch, by=by, period=args.period, metric=args.metric)
    else:
        failures: list[Failure] = []

        def checked() -> Iterator[dict[str, Any]]:
            """The records; a ticket that failed is rejected as soon as it is seen."""
            for record in iter_records(policy, tickets(args, err), as_of, failures=failures):
                reject_failures(args, failures)
                failures.clear()
                yield record
            reject_failures(args, failures)

        table = attainment(checked(), by=by, period=args.period, metric=args.metric)
    if as_of is not None:
        print(f"as of {as_of.isoformat()} ({origin})", file=out)
    print(table.to_table(), file=out)
    total = table.total()
    print(
        f"open: {total.open} cycle(s) not yet due (running, paused or pending), overdue: {total.overdue}",
        file=out,
    )
    finish_report(args, batch, kept, as_of, out, contacts)
    return finish(args, err)
