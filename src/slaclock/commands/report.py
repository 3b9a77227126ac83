"""``slaclock report`` beyond the attainment table: satisfaction (``--satisfaction``), service
level from a contacts file (``--contacts``) and the HTML page (``--html``).

:func:`add_report_options` declares the options; the command calls :func:`keep_timelines`
while the tickets stream through the evaluation and :func:`finish_report` after the
attainment table. Like the rest of the command line, this is the only layer that reads files.
"""

from __future__ import annotations

import argparse
import csv
import json
from collections.abc import Iterable, Iterator
from datetime import datetime
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any

from pydantic import ValidationError

from slaclock.bands import BandRule
from slaclock.servicelevel import TREATMENTS, Contact, ServiceLevelReport, service_level
from slaclock.timeline import Timeline

if TYPE_CHECKING:  # the batch module (and the engine) load only when a report runs
    from slaclock.batch import Batch

__all__ = ["add_report_options", "finish_report", "keep_timelines", "read_contacts"]


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


def _row(raw: dict[str, Any], where: str) -> Contact:
    data = {key: value for key, value in raw.items() if value not in ("", None)}
    try:
        return Contact.model_validate(data)
    except ValidationError as exc:
        problem = exc.errors()[0]
        raise ValueError(f"{where}: {problem['msg']} - in {raw}") from exc


def read_contacts(path: str) -> list[Contact]:
    """The contacts of a ``.jsonl`` or ``.csv`` file (empty cells are absent values); a bad
    row is an error naming the file and line."""
    file = Path(path)
    with file.open(encoding="utf-8", newline="") as handle:
        if file.suffix.lower() == ".csv":
            return [
                _row(dict(raw), f"{path}:{number}")
                for number, raw in enumerate(csv.DictReader(handle), start=2)
            ]
        contacts = []
        for number, line in enumerate(handle, start=1):
            if not line.strip():
                continue
            try:
                raw = json.loads(line)
            except json.JSONDecodeError as exc:
                raise ValueError(f"{path}:{number}: not JSON: {exc.msg}") from exc
            contacts.append(_row(raw, f"{path}:{number}"))
        return contacts


def _service_level(args: argparse.Namespace) -> tuple[ServiceLevelReport, BandRule] | None:
    if not args.contacts:
        return None
    report = service_level(
        read_contacts(args.contacts),
        threshold=args.threshold,
        interval=args.interval,
        abandons=args.abandons,
        short_abandon=args.short_abandon,
        timezone=args.timezone,
    )
    return report, BandRule(target=args.service_target, scale=args.bands)


def finish_report(
    args: argparse.Namespace,
    batch: Batch,
    kept: list[Timeline],
    as_of: datetime | None,
    out: IO[str],
) -> None:
    """Print the satisfaction and service-level tables asked for and write the HTML page."""
    from slaclock.satisfaction import csat, nps, response_rate, satisfaction_by_sla, surveys

    by = [part.strip() for part in args.by.split(",") if part.strip()] if args.by else []
    answers = surveys(kept, as_of, batch=batch) if (args.satisfaction or args.html) else None
    if args.satisfaction and answers is not None:
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
    service = _service_level(args)
    abandon = BandRule(target=0.05, warning=2, act=5, higher_is_better=False)
    if service is not None:
        print("\nservice level", file=out)
        print(service[0].to_table(bands=service[1], abandon_bands=abandon), file=out)
    if args.html:
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
