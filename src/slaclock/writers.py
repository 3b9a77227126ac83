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
from collections.abc import Iterable, Mapping, Sequence
from datetime import date, datetime, timedelta
from itertools import chain
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


def write_csv(
    records: Iterable[Mapping[str, Any]],
    path_or_file: str | Path | IO[str],
    *,
    columns: Sequence[str] | None = None,
) -> int:
    """Write records as CSV (header first; durations in ``<name>_seconds`` columns, lists as
    JSON text); returns the number written. ``columns`` defaults to the record fields plus the
    attributes of the first record (pass it when a stream's later records have other keys).

    >>> import io
    >>> out = io.StringIO()
    >>> write_csv([{"ticket_id": "T", "elapsed": timedelta(minutes=1)}], out, columns=["ticket_id", "elapsed"])
    1
    >>> out.getvalue().splitlines()
    ['ticket_id,elapsed_seconds', 'T,60.0']
    """
    handle, owned = _opened(path_or_file)
    count = 0
    try:
        iterator = iter(records)
        first = next(iterator, None)
        if columns is None:
            columns = record_columns([first] if first is not None else [])
        header = [
            _json_value(name, None)[0] if name in DURATION_FIELDS else name for name in columns
        ]
        writer = csv.writer(handle)
        writer.writerow(header)
        if first is None:
            return 0
        for row in chain([first], iterator):
            data = _json_record(row)
            cells = []
            for key in header:
                value = data.get(key)
                if isinstance(value, (list, dict)):
                    value = json.dumps(value, default=str)
                cells.append("" if value is None else value)
            writer.writerow(cells)
            count += 1
    finally:
        if owned:
            handle.close()
    return count
