"""The lines of a text input file, read with bounds: UTF-8 (a byte order mark dropped), no line
longer than :data:`MAX_LINE` bytes read whole; and the check that a path is a regular file.

:mod:`slaclock.eventfiles` reads events (and ``report --contacts`` contacts) through these.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from slaclock.errors import PolicyFileError

__all__ = ["MAX_LINE", "Undecodable", "raw_lines", "require_file"]

#: The longest line of an events file, in bytes (1 MiB): reading stops at a longer one.
MAX_LINE = 1_048_576


class Undecodable(Exception):
    """A line of an events file that is not UTF-8 text; ``head`` is its start, read leniently,
    and ``ticket`` the ticket a CSV reader found there (to tell whose line it is)."""

    def __init__(self, number: int, detail: str, raw: bytes = b"") -> None:
        super().__init__(detail)
        self.number = number
        self.head = raw[:4096].decode("utf-8", "replace")
        self.ticket: str | None = None


def raw_lines(path: Path) -> Iterator[str]:
    """The lines of a UTF-8 file, a byte order mark (as spreadsheets write) dropped where a line
    starts (files joined with ``cat`` carry one inside);
    a line longer than :data:`MAX_LINE` bytes is never read whole."""
    with path.open("rb") as handle:
        number = 0
        while raw := handle.readline(MAX_LINE + 1):
            number += 1
            if len(raw) > MAX_LINE:
                raise Undecodable(
                    number,
                    f"a line longer than {MAX_LINE} bytes - expected one event per line",
                    raw,
                )
            if raw.startswith(b"\xef\xbb\xbf"):  # on any line: files joined with `cat`
                raw = raw[3:]
            try:
                text = raw.decode("utf-8")
            except UnicodeDecodeError as exc:
                raise Undecodable(
                    number,
                    f"not UTF-8 text (byte {raw[exc.start]:#04x}) - expected a UTF-8 file",
                    raw,
                ) from exc
            if "\x00" in text:
                raise Undecodable(
                    number, "a NUL character - expected a text file, not binary data", raw
                )
            yield text


def require_file(path: str | Path) -> None:
    """Refuse a path that is not a regular file, with a :class:`PolicyFileError` naming it (not
    the operating system's ``[Errno 21] Is a directory``). A pipe (``/dev/stdin``, a shell's
    ``<(...)``) is refused too: an events file is read more than once (its ticket ids first),
    and the second pass over a pipe would find it empty and drop every event silently.

    >>> require_file("no-such-events.jsonl")
    Traceback (most recent call last):
    ...
    slaclock.errors.PolicyFileError: no-such-events.jsonl: no such file
    >>> require_file(".")
    Traceback (most recent call last):
    ...
    slaclock.errors.PolicyFileError: .: a directory - expected a file
    """
    if Path(path).is_dir():
        raise PolicyFileError([f"{path}: a directory - expected a file"], value=str(path))
    if str(path) == "-" and not Path(path).exists():
        raise PolicyFileError(
            ["-: standard input is not read - expected a file: events files are read more than "
             "once; save the stream to a file first"],
            value="-",
        )  # fmt: skip
    if not Path(path).exists():
        raise PolicyFileError([f"{path}: no such file"], value=str(path))
    if not Path(path).is_file():  # a pipe or a device: a second pass would find it empty
        raise PolicyFileError(
            [
                f"{path}: not a regular file (a pipe or a device) - expected a file: events "
                "files are read more than once; save the stream to a file first"
            ],
            value=str(path),
        )
