"""Reading command-line arguments the commands share: instants, output files, and the usage
error."""

from __future__ import annotations

import os
from collections.abc import Mapping
from datetime import datetime
from pathlib import Path

from slaclock._tz import check_in_range
from slaclock.errors import SlaclockError

__all__ = ["UsageError", "check_output", "parse_instant"]


class UsageError(SlaclockError, ValueError):
    """A bad argument (exit status 2)."""


def parse_instant(text: str, name: str) -> datetime:
    """The aware instant an ISO 8601 argument names (``Z`` or ``z`` for UTC, as in events
    files), or a :class:`UsageError`.

    >>> parse_instant("2025-03-07T16:30:00z", "--as-of").isoformat()
    '2025-03-07T16:30:00+00:00'
    """
    utc = text[:-1] + "+00:00" if text.endswith(("Z", "z")) else text
    try:
        value = datetime.fromisoformat(utc)
    except ValueError as exc:
        raise UsageError(
            f"{name}: not an ISO 8601 instant: {text!r} - expected e.g. 2025-03-07T16:30:00+01:00"
        ) from exc
    if value.tzinfo is None:
        raise UsageError(
            f"{name}: {text!r} has no UTC offset - expected e.g. 2025-03-07T16:30:00+01:00"
        )
    return check_in_range(value, name)  # once for the run, not once per ticket


def check_output(path: str | None, option: str, inputs: Mapping[str, str]) -> None:
    """Refuse, before any work, an output file that cannot be written (a directory, or in a
    directory that does not exist) or that is one of the run's ``inputs`` (name -> path): opening
    it for writing would erase it (events before they are read).

    >>> check_output(".", "--output", {})
    Traceback (most recent call last):
    ...
    slaclock.commands._arguments.UsageError: --output: '.' is a directory - expected a file name
    >>> check_output("no-such-folder/results.json", "--output", {})
    Traceback (most recent call last):
    ...
    slaclock.commands._arguments.UsageError: --output: 'no-such-folder/results.json': no directory 'no-such-folder' - expected the file in an existing directory
    """
    if path is None:
        return
    target = Path(path)
    if target.is_dir():
        raise UsageError(f"{option}: {path!r} is a directory - expected a file name")
    if not target.parent.is_dir():
        raise UsageError(
            f"{option}: {path!r}: no directory {str(target.parent)!r} - expected the file in "
            "an existing directory"
        )
    if not target.exists():
        return
    for name, given in inputs.items():
        if os.path.exists(given) and os.path.samefile(target, given):
            raise UsageError(
                f"{option}: {path!r} is the {name} file - expected another file "
                f"(writing there would overwrite the {name})"
            )
