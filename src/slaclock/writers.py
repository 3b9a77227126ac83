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
import tempfile
from collections.abc import Iterable, Mapping, Sequence
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import IO, Any

from slaclock.records import DURATION_FIELDS, record_columns

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
    count = 0
    try:
        if columns is not None:
            header = [
                _json_value(name, None)[0] if name in DURATION_FIELDS else name for name in columns
            ]
            rows: Iterable[dict[str, Any]] = (_json_record(row) for row in records)
            return _write_rows(handle, header, rows)
        with tempfile.TemporaryFile("w+", encoding="utf-8") as spool:
            seen: dict[str, None] = {}
            for record in records:
                for key in record:
                    seen[key] = None
                spool.write(json.dumps(_json_record(record), default=str) + "\n")
                count += 1
            names = record_columns([seen]) if count else record_columns([])
            header = [
                _json_value(name, None)[0] if name in DURATION_FIELDS else name for name in names
            ]
            spool.seek(0)
            return _write_rows(handle, header, (json.loads(line) for line in spool))
    finally:
        if owned:
            handle.close()


def _write_rows(handle: IO[str], header: list[str], rows: Iterable[dict[str, Any]]) -> int:
    writer = csv.writer(handle)
    writer.writerow(header)
    count = 0
    for data in rows:
        writer.writerow([_cell(data.get(key)) for key in header])
        count += 1
    return count
