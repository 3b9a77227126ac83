"""Parquet files for the command line: ``slaclock evaluate`` on the columnar path.

An events file ending in ``.parquet`` is read whole (pyarrow) and evaluated with
:func:`slaclock.evaluate_frame`; a results file ending in ``.parquet`` is written with one row
per cycle (the columns of :data:`slaclock.frame.CYCLE_COLUMNS`, instants in UTC). JSON Lines and
CSV events written to Parquet go through the streaming object path and are then written as one
table. Needs the ``[arrow]`` extra.

>>> is_parquet("events.parquet"), is_parquet("events.jsonl")
(True, False)
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from datetime import datetime, timezone
from pathlib import Path
from typing import IO, Any

from slaclock._frame_input import check_unique_columns
from slaclock.errors import SlaclockError, TimelineError
from slaclock.files import BadLine, PolicyFileError
from slaclock.frame import evaluate_frame
from slaclock.policy import Policy, PolicySet

__all__ = ["evaluate_files", "is_parquet", "read_parquet_events", "records_table", "write_table"]

_DURATIONS = ("target", "elapsed", "paused", "remaining", "overdue_by")


def _no_events() -> Any:
    """An events table with the required columns and no rows."""
    import pyarrow as pa  # type: ignore[import-untyped,unused-ignore]

    return pa.table({name: pa.array([], pa.string()) for name in ("ticket_id", "at", "kind")})


def is_parquet(path: str | Path | None) -> bool:
    """Whether ``path`` names a Parquet file (by its extension).

    >>> is_parquet("out/cycles.PQ"), is_parquet(None)
    (True, False)
    """
    return path is not None and Path(path).suffix.lower() in (".parquet", ".pq")


def read_parquet_events(path: str | Path) -> Any:
    """The events of a Parquet file as a pyarrow Table.

    >>> import pyarrow as pa, tempfile, pathlib
    >>> path = pathlib.Path(tempfile.mkdtemp()) / "events.parquet"
    >>> write_table(pa.table({"ticket_id": ["T-1"], "kind": ["created"]}), path)
    >>> read_parquet_events(path).to_pylist()
    [{'ticket_id': 'T-1', 'kind': 'created'}]
    >>> read_parquet_events(path.with_name("missing.parquet"))  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    slaclock.errors.PolicyFileError: .../missing.parquet: no such file
    """
    import pyarrow as pa  # type: ignore[import-untyped,unused-ignore]
    import pyarrow.parquet as pq  # type: ignore[import-untyped,unused-ignore]

    if not Path(path).exists():
        raise PolicyFileError([f"{path}: no such file"], value=str(path))
    try:
        return pq.read_table(path)
    except pa.ArrowException as exc:
        if Path(path).is_file():  # a column twice stops read_table with a schema dump
            try:
                check_unique_columns(pq.read_schema(path).names)
            except TimelineError as twice:
                raise PolicyFileError([f"{path}: {twice}"], value=str(path)) from None
            except pa.ArrowException:
                pass
        detail = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        raise PolicyFileError(
            [f"{path}: not a readable Parquet file: {detail}"], value=str(path)
        ) from None


def records_table(records: Iterable[Mapping[str, Any]]) -> Any:
    """Records of the object path (:func:`slaclock.analytics.iter_records`) as a pyarrow Table
    in the columnar path's form: instants in UTC, durations in ``*_seconds``, thresholds JSON.

    >>> from slaclock.analytics import iter_records
    >>> from slaclock.synthetic import DEFAULT_POLICY, sample_timelines
    >>> table = records_table(iter_records(DEFAULT_POLICY, sample_timelines(), failures=[]))
    >>> table.num_rows > 0, "elapsed_seconds" in table.column_names, str(table.schema.field("started_at").type)
    (True, True, 'timestamp[us, tz=UTC]')
    """
    import json

    import pyarrow as pa  # type: ignore[import-untyped,unused-ignore]

    rows = []
    for record in records:
        row: dict[str, Any] = {}
        for key, value in record.items():
            if key in _DURATIONS:
                row[f"{key}_seconds"] = None if value is None else value.total_seconds()
            elif key == "thresholds":
                row[key] = json.dumps(
                    [
                        {
                            "name": t.name,
                            "at": None if t.at is None else _utc_text(t.at),
                            "reached": t.reached,
                        }
                        for t in value
                    ]
                )
            elif key == "events":
                row[key] = list(value)
            elif key != "spans":
                row[key] = value
        rows.append(row)
    # Every key of every record (from_pylist would read the first record's keys only).
    names = list(dict.fromkeys(key for row in rows for key in row))
    table = pa.table({name: _column([row.get(name) for row in rows]) for name in names})
    for index, field in enumerate(table.schema):
        if pa.types.is_timestamp(field.type):
            table = table.set_column(
                index, field.name, table.column(index).cast(pa.timestamp("us", "UTC"))
            )
    return table


def _column(values: list[Any]) -> Any:
    """``values`` as one pyarrow array; values of different types (an attribute that is text
    in one ticket and a number in another) as text, JSON for what is not text (as the CSV
    output writes lists)."""
    import json

    import pyarrow as pa  # type: ignore[import-untyped,unused-ignore]

    try:
        return pa.array(values)
    except (pa.ArrowInvalid, pa.ArrowTypeError):
        return pa.array(
            [v if v is None or isinstance(v, str) else json.dumps(v, default=str) for v in values],
            pa.string(),
        )


def _typed_like(table: Any, schema: Any) -> Any:
    """``table`` with each column of pyarrow's null type (no value in any row) cast to the type
    ``schema`` gives a column of that name."""
    import pyarrow as pa  # type: ignore[import-untyped,unused-ignore]

    for index, field in enumerate(table.schema):
        if pa.types.is_null(field.type) and field.name in schema.names:
            kind = schema.field(field.name).type
            table = table.set_column(index, field.name, table.column(index).cast(kind))
    return table


def _utc_text(value: datetime) -> str:
    return value.astimezone(timezone.utc).isoformat().replace("+00:00", "Z")


def write_table(table: Any, path: str | Path) -> None:
    """Write a pyarrow Table to a Parquet file.

    >>> import pyarrow as pa, pyarrow.parquet as pq, tempfile, pathlib
    >>> path = pathlib.Path(tempfile.mkdtemp()) / "cycles.parquet"
    >>> write_table(pa.table({"ticket_id": ["T-1"], "elapsed_seconds": [60.0]}), path)
    >>> pq.read_table(path).to_pylist()
    [{'ticket_id': 'T-1', 'elapsed_seconds': 60.0}]
    """
    import pyarrow.parquet as pq  # type: ignore[import-untyped,unused-ignore]

    pq.write_table(table, path)


def evaluate_files(
    policy: Policy | PolicySet,
    events: str,
    as_of: datetime | None,
    output: str | None,
    fmt: str,
    out: IO[str],
    skip_invalid: bool,
    records: Callable[[], Iterable[Mapping[str, Any]]],
    reject: Callable[[BadLine], None],
) -> None:
    """``slaclock evaluate`` when the events or the output are Parquet.

    Parquet events are evaluated on the columnar path (a bad row stops the run naming the file,
    row and ticket, or is skipped with --skip-invalid); other events come from ``records`` (the
    streaming object path). Output by the extension of ``output``: ``.parquet``, ``.csv`` or
    ``.jsonl``; else ``fmt`` (``csv`` or ``jsonl``): the rows of the table. Text cells that
    start like a spreadsheet formula are written with a leading ``'`` in CSV.

    >>> import io, tempfile, pathlib, pyarrow as pa
    >>> from slaclock.synthetic import DEFAULT_POLICY
    >>> events = pathlib.Path(tempfile.mkdtemp()) / "events.parquet"
    >>> write_table(pa.table({"ticket_id": ["T-1", "T-1"], "kind": ["created", "agent_replied"],
    ...     "at": ["2025-03-10T09:00:00Z", "2025-03-10T09:20:00Z"], "priority": ["high", None],
    ...     "group": ["=cmd()", "=cmd()"]}), events)
    >>> out = io.StringIO()
    >>> evaluate_files(DEFAULT_POLICY, str(events), None, None, "csv", out, False,
    ...                lambda: [], print)
    >>> rows = out.getvalue().splitlines()
    >>> rows[0].split(",")[:5], "'=cmd()" in rows[1]
    (['ticket_id', 'policy', 'policy_version', 'as_of', 'metric'], True)
    """
    if is_parquet(events):
        import pyarrow.compute as pc  # type: ignore[import-untyped,unused-ignore]

        table = read_parquet_events(events)
        try:
            result = evaluate_frame(
                policy, table, as_of, errors="collect" if skip_invalid else "raise"
            )
        except SlaclockError as exc:  # name the file, like a bad line of JSON Lines or CSV
            raise BadLine(events, str(exc)) from exc
        if skip_invalid:
            failed = pc.is_valid(result.column("error"))
            for row in result.filter(failed).select(["ticket_id", "error"]).to_pylist():
                # The columnar path drops a failed ticket whole: counted as an invalid ticket.
                reject(BadLine(events, row["error"], ticket=row["ticket_id"], whole_ticket=True))
            result = result.filter(pc.invert(failed)).drop_columns(["error"])
    else:
        result = records_table(records())
        # The columnar path's types: a column with no value in any record (no cycle breached)
        # is otherwise of pyarrow's null type; no events at all, its columns without rows.
        typed = evaluate_frame(policy, _no_events())
        result = typed if result.num_columns == 0 else _typed_like(result, typed.schema)
    if output is not None and is_parquet(output):
        write_table(result, output)
        return
    suffix = "" if output is None else Path(output).suffix.lower()
    fmt = {".csv": "csv", ".jsonl": "jsonl", ".ndjson": "jsonl"}.get(suffix, fmt)
    if fmt in ("csv", "jsonl"):
        if output is None:
            _write_text(result, fmt, out)
        else:
            with open(output, "w", encoding="utf-8", newline="") as handle:
                _write_text(result, fmt, handle)
    else:
        raise BadLine(
            events,
            f"--format {fmt} with Parquet events - expected --format csv or jsonl, or an "
            "--output file ending in .parquet",
        )


def _as_text(table: Any) -> Any:
    """The table with instants as ISO 8601 text in UTC and lists as JSON text (column-wise)."""
    import json

    import pyarrow as pa  # type: ignore[import-untyped,unused-ignore]
    import pyarrow.compute as pc  # type: ignore[import-untyped,unused-ignore]

    for index, field in enumerate(table.schema):
        column = table.column(index)
        if pa.types.is_timestamp(field.type):
            text = pc.strftime(column.cast(pa.timestamp("us", "UTC")), format="%Y-%m-%dT%H:%M:%SZ")
        elif pa.types.is_list(field.type) or pa.types.is_large_list(field.type):
            text = _int_lists_text(column) or pa.array(
                [None if v is None else json.dumps(v) for v in column.to_pylist()], pa.string()
            )
        else:
            continue
        table = table.set_column(index, field.name, text)
    return table


def _int_lists_text(column: Any) -> Any:
    """A column of lists of integers (such as ``events``) as the JSON text ``json.dumps`` gives
    (``[3, 5]``), column-wise; ``None`` for other lists, or lists holding a null.

    >>> import pyarrow as pa
    >>> _int_lists_text(pa.chunked_array([[[3, 5], [], None]])).to_pylist()
    ['[3, 5]', '[]', None]
    >>> _int_lists_text(pa.chunked_array([[[3, None]]])) is None
    True
    """
    import pyarrow as pa  # type: ignore[import-untyped,unused-ignore]
    import pyarrow.compute as pc  # type: ignore[import-untyped,unused-ignore]

    if not pa.types.is_integer(column.type.value_type) or pc.list_flatten(column).null_count:
        return None
    items = pc.cast(column, pa.list_(pa.string()))
    return pc.binary_join_element_wise("[", pc.binary_join(items, ", "), "]", "")


#: Text a spreadsheet would run as a formula (as :func:`slaclock.writers.write_csv` escapes it).
_FORMULA = r"^([=+\-@\t\r])"


def _no_formulas(table: Any) -> Any:
    """Text cells starting like a formula get a leading ``'`` (column-wise), as in
    :func:`slaclock.writers.write_csv`: a spreadsheet shows them instead of running them."""
    import pyarrow as pa  # type: ignore[import-untyped,unused-ignore]
    import pyarrow.compute as pc  # type: ignore[import-untyped,unused-ignore]

    for index, field in enumerate(table.schema):
        if pa.types.is_string(field.type) or pa.types.is_large_string(field.type):
            escaped = pc.replace_substring_regex(
                table.column(index), pattern=_FORMULA, replacement="'\\1"
            )
            table = table.set_column(index, field.name, escaped)
    return table


def _write_text(table: Any, fmt: str, out: IO[str]) -> None:
    """The table's rows as CSV (lists as JSON text) or JSON Lines, in batches."""
    import csv
    import io
    import json

    import pyarrow.csv as pcsv  # type: ignore[import-untyped,unused-ignore]

    table = _as_text(table)
    if fmt == "csv":
        table = _no_formulas(table)
        # The header by the csv module (pyarrow quotes every column name); rows by pyarrow.
        csv.writer(out).writerow(table.column_names)
        buffer = io.BytesIO()
        pcsv.write_csv(table, buffer, pcsv.WriteOptions(include_header=False))
        out.write(buffer.getvalue().decode("utf-8"))
        return
    for batch in table.to_batches(max_chunksize=10_000):
        for row in batch.to_pylist():
            out.write(json.dumps(row) + "\n")
