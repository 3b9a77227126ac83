"""The columnar path's input side (see :mod:`slaclock.frame`): any supported table as a pyarrow
Table, and the ``at`` column as integer UTC microseconds, with a message per bad row naming what
the object path (:class:`~slaclock.timeline.Event`) would refuse.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, cast

from slaclock._tz import check_in_range, from_micros, micros_in_range, out_of_range, to_micros
from slaclock.errors import ArgumentError, TimelineError
from slaclock.timeline import Event

if TYPE_CHECKING:
    import pyarrow as pa  # type: ignore[import-untyped,unused-ignore]

__all__ = [
    "arrow_module",
    "check_columns",
    "check_unique_columns",
    "flag_column",
    "from_arrow",
    "instants_of",
    "text_column",
    "ticket_ids",
    "to_arrow",
]


# ----------------------------------------------------------------------------------------------
# Input: any supported table -> pyarrow, instants -> integer microseconds (UTC)
def arrow_module() -> Any:
    try:
        import pyarrow  # type: ignore[import-untyped,unused-ignore]
    except ImportError as exc:  # pragma: no cover - depends on the environment
        raise ImportError("evaluate_frame needs pyarrow: pip install 'slaclock[arrow]'") from exc
    return pyarrow


def to_arrow(events: Any) -> tuple[pa.Table, str]:
    """The events as a pyarrow Table, and which library they came from."""
    pa = arrow_module()
    library = type(events).__module__.split(".")[0]
    kind = type(events).__name__
    if isinstance(events, pa.Table):
        check_unique_columns(events.column_names)
        return events, "pyarrow"
    if library == "pandas" and kind == "DataFrame":
        check_unique_columns([str(name) for name in events.columns])
        return pa.Table.from_pandas(events, preserve_index=False), "pandas"
    if library == "polars" and kind == "DataFrame":
        return events.to_arrow(), "polars"  # polars refuses a column twice itself
    hint = " (collect() it first)" if kind == "LazyFrame" else ""
    named = kind if library == "builtins" else f"{library}.{kind}"
    raise ArgumentError(
        f"events: {named}{hint} - expected a pandas DataFrame, a pyarrow Table or a "
        "polars DataFrame",
        value=kind,
    )


def check_columns(names: list[str]) -> None:
    """Raise :class:`~slaclock.errors.TimelineError` naming the required columns (``ticket_id``,
    ``at``, ``kind``) that ``names`` lacks, or a column it has twice."""
    missing = [c for c in ("ticket_id", "at", "kind") if c not in names]
    if missing:
        raise TimelineError(
            f"events: missing columns {missing} - expected ticket_id, at, kind, ...",
            value=missing,
        )
    check_unique_columns(names)


def check_unique_columns(names: list[str]) -> None:
    """Raise :class:`~slaclock.errors.TimelineError` naming a column that appears twice."""
    seen: set[str] = set()
    for name in names:
        if name in seen:
            raise TimelineError(
                f"events: column {name!r} appears {names.count(name)} times - expected each "
                "column once",
                value=name,
            )
        seen.add(name)


def from_arrow(table: pa.Table, library: str) -> Any:
    if library == "pandas":
        return table.to_pandas()
    if library == "polars":
        import polars  # type: ignore[import-untyped,unused-ignore]

        return polars.from_arrow(table)
    return table


#: ISO 8601 text pyarrow casts column-wise to the instant Event reads: date, ``T`` or a space,
#: hours and minutes (seconds and up to 6 decimals optional), ``Z`` or an offset with minutes.
_PLAIN_INSTANT = r"^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d{1,6})?)?(Z|[+-]\d{2}:?\d{2})$"


def instants_of(column: Any) -> tuple[list[int | None], dict[int, str]]:
    """The ``at`` column as UTC microseconds, and a message per row that has no valid instant.

    Column-wise when the column converts cleanly (timestamps with a zone, or ISO 8601 text with
    an offset); row by row, to name the bad rows, only when it does not. Nanoseconds are
    dropped (floored to the microsecond, as ``pd.Timestamp`` -> ``datetime`` does)."""
    pa = arrow_module()
    import pyarrow.compute as pc  # type: ignore[import-untyped,unused-ignore]

    kind = column.type
    if pa.types.is_timestamp(kind):
        if kind.tz is None:
            return [None] * len(column), dict.fromkeys(
                range(len(column)),
                "at: a timestamp without a time zone - expected an aware instant "
                "(e.g. a column of timestamps with a zone, or ISO 8601 text with an offset)",
            )
        if kind.unit == "ns":  # to the microsecond below, as a Python datetime holds it
            column = pc.floor_temporal(column, unit="microsecond")
        micros = pc.cast(column, pa.timestamp("us", kind.tz)).cast(pa.int64())
    elif (pa.types.is_string(kind) or pa.types.is_large_string(kind)) and pc.all(
        pc.match_substring_regex(column, _PLAIN_INSTANT)
    ).as_py() is not False:
        # Only text of the forms Event reads alike: pyarrow also reads '16Z' (no minutes) and
        # '+01' (an offset without minutes), which Event refuses; those go row by row.
        try:
            micros = pc.cast(column, pa.timestamp("us", "UTC")).cast(pa.int64())
        except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
            micros = None
    else:
        micros = None
    if micros is not None and micros.null_count == 0:
        converted: list[int | None] = micros.to_pylist()
        return converted, {
            row: out_of_range_message(value)
            for row, value in enumerate(converted)
            if value is not None and not micros_in_range(value)
        }
    # The slow path: one row at a time, with the message the object path gives.
    values: list[int | None] = []
    problems: dict[int, str] = {}
    for row, value in enumerate(column.to_pylist()):
        try:
            if value is None:
                raise ValueError("at is missing - expected an ISO 8601 instant with an offset")
            if isinstance(value, str):
                value = Event(at=value, kind="created").at
            values.append(to_micros(check_in_range(value, "at")))
        except (ValueError, TypeError) as exc:
            problems[row] = message(exc)
            values.append(None)
    return values, problems


def out_of_range_message(micros: int) -> str:
    try:
        text = from_micros(micros, None).isoformat()
    except (OverflowError, ValueError):  # pragma: no cover - beyond what datetime shows
        text = f"{micros} microseconds since 1970-01-01"
    return str(out_of_range(text, "at"))


def message(exc: Exception) -> str:
    errors = getattr(exc, "errors", None)
    if callable(errors):  # a pydantic ValidationError: its first error, without the banner
        first = errors()[0]
        if first["type"] == "value_error":  # our own message: it names the value already
            return "at: " + str(first["msg"]).removeprefix("Value error, ")
        return f"at: {first['msg']}: {first.get('input')!r}"
    return str(exc)


def text_column(
    table: pa.Table,
    name: str,
    problems: dict[int, str] | None = None,
    required: str | None = None,
) -> list[Any]:
    """The values of column ``name`` (``None`` everywhere when the table has no such column).

    With ``problems``: a value that is not text (a number, a list) is a problem of its row, as
    :class:`~slaclock.timeline.Event` refuses it; so is a missing or empty one when the column
    is ``required`` (what it should hold, e.g. ``"an event kind"``). A row keeps its first
    problem."""
    if name not in table.column_names:
        return [None] * table.num_rows
    pa = arrow_module()
    import pyarrow.compute as pc  # type: ignore[import-untyped,unused-ignore]

    column = table.column(name)
    if pa.types.is_dictionary(column.type):
        column = column.cast(column.type.value_type)
    values = cast("list[Any]", column.to_pylist())
    if problems is None:
        return values
    kind = column.type
    if (pa.types.is_string(kind) or pa.types.is_large_string(kind)) and (
        required is None or (column.null_count == 0 and not pc.any(pc.equal(column, "")).as_py())
    ):
        return values  # all text, none missing: nothing to look at row by row
    for row, value in enumerate(values):
        if value is None or value == "":
            if required is not None:
                problems.setdefault(row, f"{name} is missing - expected {required}")
        elif not isinstance(value, str):
            problems.setdefault(row, f"{name}: {value!r} - expected text")
    return values


def flag_column(table: pa.Table, name: str, problems: dict[int, str]) -> list[bool | None]:
    """A yes/no column (``public``) as ``True``/``False``/``None``, read as the CSV reader reads
    it: booleans as they are, text by the CSV reader's words (``"false"``,
    ``"No"``, ``"0"``), numbers 0 and 1 (a pandas column of 0/1 with gaps is a float column);
    anything else is a problem of its row."""
    values = text_column(table, name)
    pa = arrow_module()
    if name not in table.column_names or pa.types.is_boolean(table.column(name).type):
        return values
    from slaclock._csv_cells import PUBLIC_WORDS

    flags: list[bool | None] = []
    for row, value in enumerate(values):
        flag = value if value is None or isinstance(value, bool) else None
        if isinstance(value, str):
            flag = PUBLIC_WORDS.get(value.strip().lower())
        elif isinstance(value, int | float) and value in (0, 1):
            flag = value == 1
        if flag is None and value is not None:
            problems.setdefault(row, f"{name}: {value!r} - expected true or false")
        flags.append(flag)
    return flags


def ticket_ids(column: Any) -> Any:
    """The ``ticket_id`` column as text: numbers and other scalars cast to text, a NaN (polars and
    pyarrow keep it apart from null) as missing, never the ticket ``'nan'``; a column that has no
    text form (lists, structs, bytes that are not UTF-8) is a
    :class:`~slaclock.errors.TimelineError` naming its type."""
    pa = arrow_module()
    import pyarrow.compute as pc  # type: ignore[import-untyped,unused-ignore]

    kind = column.type
    if pa.types.is_string(kind) or pa.types.is_large_string(kind):
        return column
    if pa.types.is_floating(kind):
        column = pc.if_else(pc.is_nan(column), pa.scalar(None, kind), column)
    try:
        return column.cast(pa.string())
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError) as exc:
        raise TimelineError(
            f"ticket_id: a {kind} column ({str(exc).splitlines()[0]}) - expected text or numbers",
            value=str(kind),
        ) from None
