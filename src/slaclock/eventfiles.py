"""Events files: JSON Lines and CSV, read into one timeline per ticket.

Every malformed line is a :class:`BadLine` naming the file and line; a ticket with a malformed
line is invalid as a whole (a partial timeline would give a wrong result). The limits (UTF-8,
cell size, one flat JSON object per line, each key once) are in ``docs/reference/limits.md``.

>>> import tempfile, pathlib
>>> path = pathlib.Path(tempfile.mkdtemp()) / "events.csv"
>>> _ = path.write_text("ticket_id,at,kind\\nA,2025-03-03T09:00:00Z,created,extra\\n")
>>> [str(item).split(": ", 1)[1] for item in read_timelines(path)]
["4 cells but the header names 3 columns: extra ['extra'] - expected at most one cell per column", "ticket 'A': not evaluated - 1 of its line(s) malformed (reported above)"]
"""

from __future__ import annotations

import csv
import json
import re
from collections.abc import Callable, Iterator, Mapping
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from slaclock._csv_cells import RememberedLines, event_from_csv, named_twice, short, ticket_cell
from slaclock._lines import MAX_LINE, Undecodable, raw_lines, require_file
from slaclock._plain_timeline import plain_timeline
from slaclock.errors import PolicyFileError, SlaclockError
from slaclock.timeline import Event, Timeline

__all__ = [
    "MAX_CSV_CELL",
    "MAX_LINE",
    "BadLine",
    "DuplicateKeyError",
    "event_rows",
    "no_duplicate_keys",
    "read_timelines",
    "require_file",
    "text_lines",
]


class DuplicateKeyError(ValueError):
    """A JSON object names a key twice (raised by :func:`no_duplicate_keys`).

    >>> DuplicateKeyError("name").key
    'name'
    """

    def __init__(self, key: str) -> None:
        super().__init__(key)
        self.key = key


def no_duplicate_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    """A ``json.loads`` ``object_pairs_hook`` that refuses a key given twice (JSON's own
    reader keeps the last one silently).

    >>> json.loads('{"a": 1, "a": 2}', object_pairs_hook=no_duplicate_keys)
    Traceback (most recent call last):
    ...
    slaclock.eventfiles.DuplicateKeyError: a
    """
    data: dict[str, Any] = {}
    for key, value in pairs:
        if key in data:
            raise DuplicateKeyError(key)
        data[key] = value
    return data


#: The longest CSV cell (the csv module's field limit): a longer one is a malformed line.
MAX_CSV_CELL = 131_072
_TICKET_IN_TEXT = re.compile(r'"ticket_id"\s*:\s*"((?:[^"\\]|\\.)*)"')


class BadLine(SlaclockError, ValueError):
    """One malformed line of an events file (``where`` is ``FILE:LINE``), or a whole invalid
    ticket (``whole_ticket``: a ticket with a malformed line, an invalid timeline, or one the
    policy cannot evaluate). ``ticket`` names the ticket when it is known, ``line`` the line's
    number for a malformed line.

    >>> bad = BadLine("events.csv:3", "public: 'maybe' - expected true or false", ticket="T-1", line=3)
    >>> bad.ticket, bad.whole_ticket, bad.line
    ('T-1', False, 3)
    """

    def __init__(
        self,
        where: str,
        reason: str,
        *,
        ticket: str | None = None,
        whole_ticket: bool = False,
        line: int | None = None,
    ) -> None:
        super().__init__(f"{where}: {reason}", value=where)
        self.where = where
        self.reason = reason
        self.ticket = ticket
        self.whole_ticket = whole_ticket
        self.line = line


class _Stopped(BadLine):
    """A bad line after which the file is not read (not text, a quote never closed); a ticket
    whose events may go on past it is invalid too. ``next_ticket``: the line's own ticket."""

    next_ticket: str | None = None


def text_lines(path: str | Path) -> Iterator[str]:
    """The lines of a UTF-8 text file as an events file's are read (a byte order mark dropped,
    no line longer than :data:`MAX_LINE` bytes); a line that is not UTF-8 text, holds a NUL or is
    too long is a :class:`BadLine` naming it, and reading stops there.

    >>> import tempfile, pathlib
    >>> path = pathlib.Path(tempfile.mkdtemp()) / "contacts.csv"
    >>> _ = path.write_bytes(b"\\xef\\xbb\\xbfoffered_at\\n2025-03-04T09:00:00Z\\n\\xe9\\n")
    >>> list(text_lines(path))  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    slaclock.eventfiles.BadLine: .../contacts.csv:3: not UTF-8 text (byte 0xe9) - expected a UTF-8 file
    """
    path = Path(path)
    require_file(path)
    try:
        yield from raw_lines(path)
    except Undecodable as exc:
        raise BadLine(f"{path}:{exc.number}", str(exc), line=exc.number) from None


def _rows(path: Path, fmt: str) -> Iterator[tuple[int, str, dict[str, Any]] | BadLine]:
    """(line number, ticket id, event data) for every line, or a BadLine for a malformed one."""
    try:
        if fmt == "csv":
            yield from _csv_rows(path)
        else:
            yield from _jsonl_rows(path)
    except Undecodable as exc:
        # The rest of a binary file cannot be trusted: one error, and reading stops.
        stop = _Stopped(f"{path}:{exc.number}", f"{exc} (reading stopped here)", line=exc.number)
        found = _TICKET_IN_TEXT.search(exc.head) if fmt != "csv" else None
        stop.next_ticket = found[1] if found else exc.ticket
        yield stop


def event_rows(path: str | Path) -> Iterator[tuple[int, str, dict[str, Any]] | BadLine]:
    """``(line, ticket id, event data)`` for every event line of an events file (``.csv`` by its
    suffix, else JSON Lines), or a :class:`BadLine` (with its ``line``) for a malformed one:
    the lines :func:`read_timelines` reads, before they are grouped into timelines.

    >>> import tempfile, pathlib
    >>> path = pathlib.Path(tempfile.mkdtemp()) / "events.jsonl"
    >>> _ = path.write_text('{"ticket_id": "T-1", "at": "2025-03-07T16:30:00Z", "kind": "created"}\\nnot json\\n')
    >>> [row if isinstance(row, tuple) else (row.line, row.reason) for row in event_rows(path)]
    [(1, 'T-1', {'at': '2025-03-07T16:30:00Z', 'kind': 'created'}), (2, 'not valid JSON: Expecting value')]
    """
    path = Path(path)
    return _rows(path, _format(path))


def _format(path: Path) -> str:
    """``csv`` for a ``.csv`` file, else ``jsonl``; a Parquet file is refused (it is binary:
    read as JSON Lines, it gave "not valid JSON" on line 1)."""
    suffix = path.suffix.lower()
    if suffix in (".parquet", ".pq"):
        raise PolicyFileError(
            [
                f"{path}: Parquet events are read by 'slaclock evaluate' only - expected .jsonl or .csv"
            ],
            value=str(path),
        )
    return "csv" if suffix == ".csv" else "jsonl"


def _csv_rows(path: Path) -> Iterator[tuple[int, str, dict[str, Any]] | BadLine]:
    # strict: a quote left open is an error at the end of the file, not one cell swallowing
    # every later line.
    lines = RememberedLines(raw_lines(path))
    reader = csv.reader(lines, strict=True)
    header: list[str] | None = None
    line = 0
    index = 0
    while True:
        start = reader.line_num + 1  # a quoted cell may span lines: report where the row starts
        lines.keep = start
        try:
            cells = next(reader)
        except StopIteration:
            break
        except Undecodable as exc:  # whose line it is, for read_timelines
            exc.ticket = ticket_cell(exc.head, index, header)
            raise
        except csv.Error as exc:
            reason = str(exc)
            if "unexpected end of data" in reason:
                reason = "a quote is never closed - the quoted cell runs to the end of the file"
                stop = _Stopped(f"{path}:{start}", reason, line=start)
                stop.next_ticket = ticket_cell(lines.kept, index, header)
                yield stop
                break
            if "field larger than field limit" in reason:
                reason = f"a cell longer than {MAX_CSV_CELL} characters - expected shorter cells"
            elif "new-line character seen in unquoted field" in reason:  # not the csv module's hint
                reason = (
                    "a carriage return (\\r) inside a line - expected lines ending in \\n or "
                    "\\r\\n (a file with old Mac line endings must be converted)"
                )
            yield BadLine(f"{path}:{start}", f"not valid CSV: {reason}", line=start)
            continue
        line = start
        if not any(cell.strip() for cell in cells):
            continue  # blank lines, before the header too
        if header is None:
            header = [cell.strip() for cell in cells]
            missing = {"ticket_id", "at", "kind"} - set(header)
            if missing:
                yield BadLine(
                    f"{path}:{line}",
                    f"missing columns {sorted(missing)} - expected ticket_id,at,kind,...",
                    line=line,
                )
                return
            twice = named_twice(header)
            if twice:
                yield BadLine(f"{path}:{line}", twice, line=line)
                return
            index = header.index("ticket_id")
            continue
        ticket = cells[index] if index < len(cells) else ""
        try:
            if not ticket:
                raise ValueError("ticket_id is empty - expected the ticket's id")
            yield line, ticket, event_from_csv(header, cells)
        except ValueError as exc:
            yield BadLine(f"{path}:{line}", str(exc), ticket=ticket or None, line=line)


def _jsonl_rows(path: Path) -> Iterator[tuple[int, str, dict[str, Any]] | BadLine]:
    for number, line in enumerate(raw_lines(path), start=1):
        plain = _plain_row(number, line)
        if plain is not None:
            yield plain
        elif line.strip():
            yield _jsonl_row(f"{path}:{number}", number, line)


#: 19 digits in a row: perhaps an integer past 64 bits, which orjson reads as a float (json: an
#: int); looked for only in a line with a number or a list among its values.
_LONG_DIGITS = re.compile(r"[0-9]{19}")
_loads: Callable[[str], Any]
try:  # the [orjson] extra: a quarter of json's time per line
    from orjson import loads as _loads  # type: ignore[import-not-found,no-redef,unused-ignore]
except ImportError:  # json.loads without its per-call checks
    _loads = json.JSONDecoder().decode


def _plain_row(number: int, line: str) -> tuple[int, str, dict[str, Any]] | None:
    """The fast path of :func:`_jsonl_row` for a plain line, ``None`` for any other.

    A plain line has no backslash (so every ``"`` delimits a string) and no ``"`` followed by a
    space (so no space between a key and its colon). Then each key in the text is one ``":``,
    and a string starting with ``:`` adds one more. So when the count of ``":`` is the number of
    keys the line's object and its ``attributes`` hold, no key was given twice (JSON's reader
    keeps the last one silently) and no other object holds a key.
    """
    if "\\" in line or '" ' in line or '"\t' in line or '"\r' in line:
        return None
    try:
        data = _loads(line)
    except (ValueError, RecursionError):
        return None
    if type(data) is not dict:
        return None
    ticket = data.get("ticket_id")
    attributes = data.get("attributes")
    keys = len(data)
    types = set(map(type, data.values()))
    if type(attributes) is dict:
        keys += len(attributes)
        types.update(map(type, attributes.values()))
    if type(ticket) is not str or not ticket or line.count('":') != keys:
        return None
    if (float in types or list in types) and _LONG_DIGITS.search(line):
        return None
    del data["ticket_id"]
    return number, ticket, data


def _jsonl_row(where: str, number: int, line: str) -> tuple[int, str, dict[str, Any]] | BadLine:
    """(line number, ticket id, event data) for one line, or a BadLine naming what is wrong."""
    found = _TICKET_IN_TEXT.search(line)
    guessed = found[1] if found else None  # to mark the ticket of a malformed line
    try:
        data = json.loads(line, object_pairs_hook=no_duplicate_keys)
    except json.JSONDecodeError as exc:
        return BadLine(where, f"not valid JSON: {exc.msg}", ticket=guessed, line=number)
    except DuplicateKeyError as exc:
        return BadLine(
            where,
            f"key {exc.key!r} is given twice - expected each key once",
            ticket=guessed,
            line=number,
        )
    except RecursionError:
        return BadLine(
            where, "nested too deeply - expected one flat JSON object", ticket=guessed, line=number
        )
    except ValueError as exc:  # e.g. an integer of more than sys.get_int_max_str_digits() digits
        return BadLine(where, f"not a readable JSON value: {exc}", ticket=guessed, line=number)
    if not isinstance(data, dict) or not isinstance(data.get("ticket_id"), str):
        return BadLine(
            where, "expected a JSON object with a string 'ticket_id'", ticket=guessed, line=number
        )
    if not data["ticket_id"]:  # as in a CSV file: no ticket to evaluate the event on
        return BadLine(where, "ticket_id is empty - expected the ticket's id", line=number)
    ticket = data.pop("ticket_id")
    return number, ticket, data


def _timeline(
    ticket: str, events: list[tuple[int, dict[str, Any]]], path: Path
) -> Timeline | BadLine:
    attributes: dict[str, Any] = {}
    rows = []
    for number, event in events:
        if event.get("kind") == "created" and "attributes" in event:
            event = dict(event)
            given = event.pop("attributes")
            if given is not None and not isinstance(given, Mapping):
                return BadLine(
                    f"{path}:{number}",
                    f"ticket {ticket!r}: attributes: not a mapping: {short(given)} - expected "
                    'e.g. {"priority": "high", "tags": ["vip"]}',
                    ticket=ticket,
                    whole_ticket=True,
                    line=number,
                )
            attributes.update(given or {})
        rows.append(event)
    try:
        return Timeline.model_validate(
            {"ticket_id": ticket, "attributes": attributes, "events": rows}
        )
    except ValidationError as exc:
        line = _offending_line(exc, events)
        reason = "; ".join(
            f"{'.'.join(str(p) for p in e['loc'][2:]) or 'event'}: {e['msg'].removeprefix('Value error, ')}"
            for e in exc.errors()
        )
        return BadLine(
            f"{path}:{line}",
            f"ticket {ticket!r}: {reason}",
            ticket=ticket,
            whole_ticket=True,
            line=line,
        )


def _offending_line(exc: ValidationError, events: list[tuple[int, dict[str, Any]]]) -> int:
    """The line of the event an error is about: from its location, or (for a timeline-wide
    error such as "event before created") from the event the error carries."""
    for error in exc.errors():
        loc = error["loc"]
        index = loc[1] if loc[:1] == ("events",) and len(loc) > 1 else None
        if isinstance(index, int) and index < len(events):
            return events[index][0]
        cause = (error.get("ctx") or {}).get("error")
        culprit = getattr(cause, "value", None)
        if isinstance(culprit, Event):
            matches = [n for n, row in events if _same_event(row, culprit)]
            if matches:
                return matches[-1]
        if isinstance(culprit, str):  # an event id used twice: its second line
            lines = [n for n, row in events if row.get("id") == culprit]
            if len(lines) > 1:
                return lines[1]
    return events[0][0]


def _same_event(row: Mapping[str, Any], event: Event) -> bool:
    try:
        other = Event.model_validate({k: v for k, v in row.items() if k != "attributes"})
    except ValidationError:
        return False
    return (
        other.kind == event.kind
        and other.id == event.id
        and other.at == event.at
        and other.at.utcoffset() == event.at.utcoffset()
    )


def read_timelines(path: str | Path, *, fmt: str | None = None) -> Iterator[Timeline | BadLine]:
    """The timelines in an events file, one per ticket, and a :class:`BadLine` for each malformed
    line or invalid ticket (the caller decides whether to stop or skip).

    When every ticket's events are contiguous in the file (sorted or grouped by ticket), tickets
    stream one by one in bounded memory. When they are not, events are grouped in memory first
    (memory grows with the file). A cheap first pass over the ticket ids decides which.

    >>> import tempfile, pathlib
    >>> path = pathlib.Path(tempfile.mkdtemp()) / "events.jsonl"
    >>> _ = path.write_text('{"ticket_id": "T-1", "at": "2025-03-07T16:30:00+01:00", "kind": "created"}\\n')
    >>> [t.ticket_id for t in read_timelines(path)]
    ['T-1']
    """
    path = Path(path)
    fmt = fmt or _format(path)
    require_file(path)
    # Tickets with a malformed line: evaluating the rest of their events would show a result
    # built on a partial timeline (a reply lost, first_response running), so they are invalid.
    broken: dict[str, int] = {}
    stopped: _Stopped | None = None  # reading stopped before the end of the file
    if _contiguous(path, fmt):
        current: str | None = None
        events: list[tuple[int, dict[str, Any]]] = []
        for row in _rows(path, fmt):
            if isinstance(row, BadLine):
                yield row
                stopped = row if isinstance(row, _Stopped) else stopped
                ticket = row.ticket
                if ticket is None:
                    continue
                broken.setdefault(ticket, 0)
                broken[ticket] += 1
                number, event = None, None
            else:
                number, ticket, event = row
            if ticket != current and current is not None:
                yield _checked_timeline(current, events, path, broken)
                events = []
            current = ticket
            if number is not None and event is not None:
                events.append((number, event))
        if current is not None:  # the one ticket whose events may go on past a stop
            yield _cut_short(current, stopped, path, broken, last=True) or _checked_timeline(
                current, events, path, broken
            )
        return
    grouped: dict[str, list[tuple[int, dict[str, Any]]]] = {}
    for row in _rows(path, fmt):
        if isinstance(row, BadLine):
            yield row
            stopped = row if isinstance(row, _Stopped) else stopped
            if row.ticket is not None:
                broken[row.ticket] = broken.get(row.ticket, 0) + 1
                grouped.setdefault(row.ticket, [])
            continue
        number, ticket, event = row
        grouped.setdefault(ticket, []).append((number, event))
    for ticket, events in grouped.items():  # interleaved: any ticket may go on past a stop
        yield _cut_short(ticket, stopped, path, broken, last=False) or _checked_timeline(
            ticket, events, path, broken
        )


def _cut_short(
    ticket: str, stopped: _Stopped | None, path: Path, broken: dict[str, int], *, last: bool
) -> BadLine | None:
    """The ticket as invalid when reading stopped and its events may go on past that line,
    else ``None``; in a grouped file (``last``) a stop on another ticket's line ends this one."""
    if stopped is None or broken.get(ticket):  # a malformed line of its own says it already
        return None
    if last and stopped.next_ticket is not None and stopped.next_ticket != ticket:
        return None
    return BadLine(
        str(path),
        f"ticket {ticket!r}: not evaluated - reading stopped at line {stopped.line}, and its "
        "events may go on past it",
        ticket=ticket,
        whole_ticket=True,
    )


#: A line starting with its ticket id, an id without a quote or a backslash.
_LEADING_TICKET = re.compile(r'\{"ticket_id": ?"([^"\\]*)"')


def _line_tickets(path: Path, fmt: str) -> Iterator[str | None]:
    """The ticket of each line, as :func:`_rows` finds it (``None`` for a bad line naming none).

    A JSON line starting ``{"ticket_id": "..."`` belongs to that ticket whatever follows: it is
    the key's value when the line is valid, and the ticket a malformed line is marked with
    otherwise. Only other lines are parsed. A line where reading stops counts for the ticket
    its start names (so a stop inside an earlier ticket's events makes the file ungrouped)."""
    if fmt == "csv":
        for row in _rows(path, fmt):
            if isinstance(row, _Stopped):
                yield row.next_ticket
            else:
                yield row.ticket if isinstance(row, BadLine) else row[1]
        return
    try:
        for number, line in enumerate(raw_lines(path), start=1):
            found = _LEADING_TICKET.match(line)
            if found is not None:
                yield found[1]
            elif line.strip():
                row = _jsonl_row(f"{path}:{number}", number, line)
                yield row.ticket if isinstance(row, BadLine) else row[1]
    except Undecodable as exc:  # reading stops here
        found = _TICKET_IN_TEXT.search(exc.head)
        yield found[1] if found else None


def _checked_timeline(
    ticket: str, events: list[tuple[int, dict[str, Any]]], path: Path, broken: dict[str, int]
) -> Timeline | BadLine:
    bad = broken.pop(ticket, 0)
    if bad:
        return BadLine(
            str(path),
            f"ticket {ticket!r}: not evaluated - {bad} of its line(s) malformed (reported above)",
            ticket=ticket,
            whole_ticket=True,
        )
    return plain_timeline(ticket, events) or _timeline(ticket, events, path)


def _contiguous(path: Path, fmt: str) -> bool:
    """Whether each ticket's events form one run of lines (a first pass over ticket ids only;
    a malformed line counts for the ticket it names, when it names one)."""
    finished: set[str] = set()
    current = None
    for ticket in _line_tickets(path, fmt):
        if ticket is None:
            continue
        if ticket != current:
            if ticket in finished:
                return False
            if current is not None:
                finished.add(current)
            current = ticket
    return True
