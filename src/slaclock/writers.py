"""Output formats for records: JSON Lines and CSV.

The only module of the reporting side that writes files. Both writers stream (nothing is kept in
memory), accept a path or an open text file, and write durations as ``<name>_seconds`` numbers and
instants as ISO 8601 text, like :class:`~slaclock.CycleResult`'s JSON form.

>>> import io
>>> from datetime import timedelta
>>> out = io.StringIO()
>>> write_jsonl([{"ticket_id": "T", "remaining": None, "elapsed": timedelta(seconds=90)}], out)
1
>>> out.getvalue()
'{"ticket_id": "T", "remaining_seconds": null, "elapsed_seconds": 90.0}\\n'
"""

from __future__ import annotations

import csv
import json
import shutil
import tempfile
from collections.abc import Iterable, Mapping, Sequence
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import IO, Any

from slaclock.records import DURATION_FIELDS, RECORD_FIELDS

__all__ = ["write_csv", "write_jsonl"]


def _json_value(name: str, value: Any) -> tuple[str, Any]:
    if name in DURATION_FIELDS:
        return f"{name}_seconds", None if value is None else value.total_seconds()
    if isinstance(value, datetime):
        return name, value.isoformat()
    if isinstance(value, (date, timedelta)):
        return name, str(value)
    if name == "thresholds":
        return name, [t.model_dump(mode="json") for t in value]
    if name == "spans":
        return name, [s.model_dump(mode="json") for s in value]
    if isinstance(value, tuple):
        return name, list(value)
    return name, value


def _json_record(record: Mapping[str, Any]) -> dict[str, Any]:
    return dict(_json_value(name, value) for name, value in record.items())


def _opened(path_or_file: str | Path | IO[str]) -> tuple[IO[str], bool]:
    if isinstance(path_or_file, (str, Path)):
        return open(path_or_file, "w", encoding="utf-8", newline=""), True
    return path_or_file, False


def write_jsonl(records: Iterable[Mapping[str, Any]], path_or_file: str | Path | IO[str]) -> int:
    """Write records (from a :class:`~slaclock.batch.Batch` or
    :func:`~slaclock.batch.iter_records`) as JSON Lines; returns the number written. Streams:
    nothing is kept in memory.

    >>> import io
    >>> out = io.StringIO()
    >>> write_jsonl([{"ticket_id": "T", "elapsed": timedelta(minutes=1)}], out)
    1
    >>> out.getvalue()
    '{"ticket_id": "T", "elapsed_seconds": 60.0}\\n'
    """
    handle, owned = _opened(path_or_file)
    count = 0
    try:
        for record in records:
            handle.write(json.dumps(_json_record(record), default=str) + "\n")
            count += 1
    finally:
        if owned:
            handle.close()
    return count


#: Cells starting with these are formulas to a spreadsheet (=HYPERLINK(...), +cmd, -2+3, @SUM,
#: and tab / carriage return, which some spreadsheets skip before a formula).
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _cell(value: Any) -> Any:
    """One CSV cell: lists and mappings as JSON text, ``None`` empty, and text a spreadsheet would
    run as a formula prefixed with ``'`` (the OWASP advice against CSV injection). Numbers are
    written as numbers (a negative number is not text)."""
    if value is None:
        return ""
    if isinstance(value, (list, dict)):
        value = json.dumps(value, default=str)
    if isinstance(value, str) and value.startswith(_FORMULA_START):
        return "'" + value
    return value


def write_csv(
    records: Iterable[Mapping[str, Any]],
    path_or_file: str | Path | IO[str],
    *,
    columns: Sequence[str] | None = None,
) -> int:
    """Write records as CSV (header first; durations in ``<name>_seconds`` columns, lists as
    JSON text); returns the number written.

    ``columns`` defaults to the record fields plus every attribute any record has (in the order
    first seen): the rows are spooled to a temporary file while the columns are collected, so
    memory stays bounded and no later record's attribute is dropped. Text cells starting with
    ``=``, ``+``, ``-``, ``@``, a tab or a carriage return are written with a leading ``'`` so a
    spreadsheet shows them instead of running them as formulas.

    >>> import io
    >>> out = io.StringIO()
    >>> write_csv([{"ticket_id": "T", "elapsed": timedelta(minutes=1)}], out, columns=["ticket_id", "elapsed"])
    1
    >>> out.getvalue().splitlines()
    ['ticket_id,elapsed_seconds', 'T,60.0']
    >>> out = io.StringIO()
    >>> write_csv([{"ticket_id": "T1"}, {"ticket_id": "=HYPERLINK(1)", "tier": "gold"}], out)
    2
    >>> out.getvalue().splitlines()[0].endswith(",tier"), out.getvalue().splitlines()[2][:16]
    (True, "'=HYPERLINK(1),,")
    """
    handle, owned = _opened(path_or_file)
    try:
        if columns is not None:
            rows: Iterable[dict[str, Any]] = (_json_record(row) for row in records)
            return _write_rows(handle, _header(columns), rows)
        return _spooled(records, handle)
    finally:
        if owned:
            handle.close()


def _header(names: Sequence[str]) -> list[str]:
    return [f"{name}_seconds" if name in DURATION_FIELDS else name for name in names]


def _spooled(records: Iterable[Mapping[str, Any]], handle: IO[str]) -> int:
    """The rows as CSV in a temporary file while the columns are collected, then the header and
    the rows. A row written before a later record brought a new attribute is short of that
    column: such rows are read back and given their empty cells (otherwise the file is copied)."""
    names = list(RECORD_FIELDS)  # the columns so far: the record fields, then the attributes
    known = set(names)
    sources = names  # the key each column's cell comes from (see _cells)
    widths = 0  # how many times the number of columns changed after the first row
    count = 0
    with tempfile.TemporaryFile("w+", encoding="utf-8", newline="") as spool:
        writer = csv.writer(spool)
        for record in records:
            if not known.issuperset(record):
                for key in record:
                    if key not in known:
                        known.add(key)
                        names.append(key)
                widths += count > 0
                sources = [_DURATION_OF.get(name, name) for name in names]
            writer.writerow(_cells(record, sources))
            count += 1
        header = _header(names)
        csv.writer(handle).writerow(header)
        spool.seek(0)
        if not widths:
            shutil.copyfileobj(spool, handle)
            return count
        out = csv.writer(handle)
        # A column named like a duration's (an attribute "elapsed_seconds") repeats the
        # duration's cell in the rows without that key, as the JSON form of a record had it.
        repeats = {i: header.index(name) for i, name in enumerate(header) if name in _DURATION_OF}
        for cells in csv.reader(spool):
            for i in range(len(cells), len(header)):
                cells.append(cells[repeats[i]] if i in repeats else "")
            out.writerow(cells)
    return count


#: The record fields whose values are JSON-ready lists (the engine's results make them so).
_LIST_FIELDS = frozenset({"thresholds", "spans", "events"})
#: Duration columns as named in a file, and their durations. A record key named so (an
#: attribute, say) overrides the duration, and a column of that name repeats it, as they did
#: when each record became one JSON object before its row was written.
_DURATION_OF = {f"{name}_seconds": name for name in DURATION_FIELDS}


def _cells(record: Mapping[str, Any], names: Sequence[str]) -> list[Any]:
    """The CSV cells of ``record`` for the columns ``names``: each value as :func:`_cell` writes
    its JSON form (:func:`_json_value`) read back, the common types without the round trip."""
    if not _DURATION_OF.keys().isdisjoint(record):  # as the JSON object of the record had it
        data = json.loads(json.dumps(_json_record(record), default=str))
        return [_cell(data.get(name)) for name in _header(names)]
    get = record.get
    cells: list[Any] = []
    append = cells.append
    for name in names:
        value = get(name)
        if value is None:
            append("")
            continue
        kind: type = type(value)
        if name in DURATION_FIELDS:
            append(value.total_seconds())
        elif kind is str:
            append("'" + value if value.startswith(_FORMULA_START) else value)
        elif kind is int or kind is float or kind is bool:
            append(value)
        elif kind is datetime:
            append(value.isoformat())  # never a formula: it starts with a digit
        else:
            append(_other_cell(name, value))
    return cells


_encode = json.JSONEncoder(default=str).encode  # json.dumps(..., default=str), built once


def _other_cell(name: str, value: Any) -> Any:
    value = _json_value(name, value)[1]
    if name in _LIST_FIELDS and type(value) is list:
        return _encode(value)
    # Anything else as its JSON text read back (a date becomes text, an IntEnum an int, ...).
    return _cell(json.loads(_encode(value)))


def _write_rows(handle: IO[str], header: list[str], rows: Iterable[dict[str, Any]]) -> int:
    writer = csv.writer(handle)
    writer.writerow(header)
    count = 0
    for data in rows:
        writer.writerow([_cell(data.get(key)) for key in header])
        count += 1
    return count
