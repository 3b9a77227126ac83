"""``slaclock due`` and ``slaclock elapsed``: business-time arithmetic on a calendar file.

>>> import json, pathlib, tempfile
>>> from slaclock.cli import main
>>> path = pathlib.Path(tempfile.mkdtemp()) / "calendar.json"
>>> _ = path.write_text(json.dumps({"timezone": "UTC", "hours": {"mon-fri": "09:00-17:00"}}))
>>> main(["due", str(path), "--start", "2025-03-07T16:00:00Z", "--target", "2h"])  # Fri 1h + Mon 1h
2025-03-10T10:00:00+00:00
0
"""

from __future__ import annotations

import argparse
from typing import IO
from zoneinfo import ZoneInfo

from slaclock.commands._arguments import UsageError, parse_instant
from slaclock.durations import parse_duration
from slaclock.files import load_calendar
from slaclock.policy import MAX_BUSINESS_DAYS, Target

__all__ = ["due", "elapsed"]


def due(args: argparse.Namespace, out: IO[str], err: IO[str]) -> int:
    """Run ``slaclock due``: print when ``--target`` from ``--start`` is due on the calendar.

    >>> import argparse, io, json, pathlib, tempfile
    >>> path = pathlib.Path(tempfile.mkdtemp()) / "calendar.json"
    >>> _ = path.write_text(json.dumps({"timezone": "UTC", "hours": {"mon-fri": "09:00-17:00"}}))
    >>> out = io.StringIO()
    >>> args = argparse.Namespace(calendar=str(path), start="2025-03-07T16:00:00Z",
    ...                           target="1 business day")
    >>> due(args, out, out), out.getvalue()  # the close of Monday, the next business day
    (0, '2025-03-10T17:00:00+00:00\\n')
    """
    calendar = load_calendar(args.calendar)
    start = parse_instant(args.start, "--start")
    days = _business_days(args.target)
    if days is not None:  # like a policy target: the close of the N-th business day after
        when = calendar.business_day_close(start, days)
    else:
        try:
            duration = parse_duration(args.target)
        except ValueError as exc:  # named: the calendar and --start may be wrong too
            raise UsageError(f"--target: {exc}") from exc
        when = calendar.add(start, duration)
    # Shown in the calendar's zone: a fixed offset typed on the command line may not hold then.
    print(when.astimezone(ZoneInfo(calendar.timezone)).isoformat(), file=out)
    return 0


def _business_days(text: str) -> int | None:
    """N for a target written "N business days" (as in policies), else None."""
    try:
        return Target.model_validate(text).business_days
    except ValueError as exc:  # not a target at all: calendar.add reports the duration's syntax
        if "business" in text.lower():
            raise UsageError(
                f"--target: {text!r} - expected 1 to {MAX_BUSINESS_DAYS} business days"
            ) from exc
        return None


def elapsed(args: argparse.Namespace, out: IO[str], err: IO[str]) -> int:
    """Run ``slaclock elapsed``: print the business time from ``--start`` to ``--end``.

    >>> import argparse, io, json, pathlib, tempfile
    >>> path = pathlib.Path(tempfile.mkdtemp()) / "calendar.json"
    >>> _ = path.write_text(json.dumps({"timezone": "UTC", "hours": {"mon-fri": "09:00-17:00"}}))
    >>> out = io.StringIO()
    >>> args = argparse.Namespace(calendar=str(path), start="2025-03-07T16:00:00Z",
    ...                           end="2025-03-10T10:30:00Z")
    >>> elapsed(args, out, out), out.getvalue()  # 1h on Friday + 1h30m on Monday
    (0, '2h30m\\n')
    """
    calendar = load_calendar(args.calendar)
    spent = calendar.elapsed(parse_instant(args.start, "--start"), parse_instant(args.end, "--end"))
    from slaclock.durations import format_duration

    print(format_duration(spent), file=out)
    return 0
