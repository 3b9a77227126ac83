"""Evaluate a PySpark DataFrame of events: grouped by ticket, each group on the columnar path.

``evaluate(df, policy, as_of=...)`` groups the events by ``ticket_id`` and evaluates each group
with :func:`slaclock.evaluate_frame` in ``applyInPandas``; the policy travels to the executors
as its JSON form. The result is a Spark DataFrame with an explicit schema: the columns of
:data:`slaclock.frame.CYCLE_COLUMNS` (or ``TICKET_COLUMNS`` with ``per_ticket=True``), then the
ticket attributes (the input's other columns, with their Spark types).

Needs the ``[spark]`` extra (pyspark, pyarrow, pandas); nothing here is imported by
``import slaclock``. The result's schema is known before any Spark job runs:

>>> from pyspark.sql.types import StringType, StructField, StructType
>>> events = StructType([StructField(name, StringType()) for name in ("ticket_id", "at", "kind")])
>>> output_schema(events).fieldNames()[:5]
['ticket_id', 'policy', 'policy_version', 'as_of', 'metric']
"""

from __future__ import annotations

import warnings
from collections.abc import Iterable, Mapping
from datetime import datetime
from typing import Any

from slaclock._frame_input import check_columns
from slaclock._shipping import policy_from_json, policy_to_json
from slaclock._tz import check_in_range, to_micros
from slaclock.errors import ArgumentError
from slaclock.frame import (
    CYCLE_COLUMNS,
    TICKET_COLUMNS,
    FrameErrors,
    attribute_columns,
    checked_options,
    evaluate_frame,
)
from slaclock.policy import Policy, PolicySet

__all__ = ["evaluate", "output_schema"]

_EVENT_COLUMNS = ("ticket_id", "at", "kind", "id", "status", "priority", "public", "author")
_BUCKET = "__slaclock_bucket"
_ORDER = "__slaclock_order"
_TYPES = {
    "index": "long",
    "percent_used": "double",
    "events": "array<long>",
    "solved": "boolean",
    "public_replies": "long",
    "reopens": "long",
}
_INSTANTS = frozenset(
    {"as_of", "started_at", "stopped_at", "due_at", "breached_at", "created_at", "solved_at"}
)


def _spark_type(column: str) -> str:
    if column in _INSTANTS:
        return "timestamp"
    if column.endswith("_seconds"):
        return "double"
    return _TYPES.get(column, "string")


def _data_type(name: str) -> Any:
    """The Spark data type named ``name`` (built directly: no Spark session needed)."""
    from pyspark.sql import types

    simple = {
        "string": types.StringType,
        "long": types.LongType,
        "double": types.DoubleType,
        "boolean": types.BooleanType,
        "timestamp": types.TimestampType,
    }
    if name == "array<long>":
        return types.ArrayType(types.LongType())
    return simple[name]()


def output_schema(
    input_schema: Any, *, per_ticket: bool = False, errors: FrameErrors = "raise"
) -> Any:
    """The Spark schema (a ``StructType``) of :func:`evaluate`'s result for events with
    ``input_schema``: the fixed columns, the attribute columns (their input types), the
    created priority (``attribute_priority``, or ``priority`` per ticket), and ``error`` when
    ``errors="collect"``. Needs pyspark, not a Spark session.

    >>> from pyspark.sql.types import StringType, StructField, StructType
    >>> schema = StructType([StructField(name, StringType())
    ...                      for name in ("ticket_id", "at", "kind", "priority", "tier")])
    >>> output_schema(schema).fieldNames()[-3:]
    ['events', 'tier', 'attribute_priority']
    >>> output_schema(schema, per_ticket=True, errors="collect").fieldNames()[-3:]
    ['tier', 'priority', 'error']
    """
    from pyspark.sql.types import StructField, StructType

    fixed = TICKET_COLUMNS if per_ticket else CYCLE_COLUMNS
    fields = [StructField(name, _data_type(_spark_type(name))) for name in fixed]
    types = {f.name: f.dataType for f in input_schema.fields if f.name not in _EVENT_COLUMNS}
    if "priority" in input_schema.fieldNames():
        types["priority"] = _data_type("string")  # the priority the ticket was created with
    # Named as evaluate_frame names them (an attribute called "state" is "attribute_state").
    names = attribute_columns(list(types), per_ticket=per_ticket, collect=errors == "collect")
    fields.extend(StructField(column, kind) for column, kind in zip(names, types.values()))
    if errors == "collect":
        fields.append(StructField("error", _data_type("string")))
    return StructType(fields)


def evaluate(
    df: Any,
    policy: Policy | PolicySet | Mapping[str, Any],
    as_of: datetime | None = None,
    *,
    per_ticket: bool = False,
    errors: FrameErrors = "raise",
    buckets: int | None = None,
) -> Any:
    """Evaluate the events of a Spark DataFrame (columns as for :func:`slaclock.evaluate_frame`;
    ``at`` a timestamp column or ISO 8601 text with an offset), grouped by ``ticket_id``.

    Returns a Spark DataFrame (lazy, like any Spark transformation) with one row per cycle, or
    per ticket with ``per_ticket=True``; instants are timestamps, durations seconds. A bad row
    fails the Spark job with the message naming the row within its ticket's group, unless
    ``errors="collect"`` (an ``error`` column, one row per failed ticket).

    The tickets are grouped into ``buckets`` groups by a hash of ``ticket_id`` (default: the
    session's ``spark.sql.shuffle.partitions``), every ticket whole in one group: one pandas
    call per group of thousands of tickets, not per ticket.

    >>> from slaclock.synthetic import DEFAULT_POLICY  # doctest: +SKIP
    >>> events = spark.read.parquet("events.parquet")  # doctest: +SKIP
    >>> evaluate(events, DEFAULT_POLICY).write.parquet("cycles.parquet")  # doctest: +SKIP
    """
    from pyspark.sql import functions as F
    from pyspark.sql.types import TimestampNTZType, TimestampType

    if not type(df).__module__.startswith("pyspark.") or not hasattr(df, "schema"):
        raise ArgumentError(
            f"df: a {type(df).__module__}.{type(df).__name__} - expected a PySpark DataFrame "
            "(spark.createDataFrame(...), or evaluate_frame for pandas)",
            value=type(df).__name__,
        )
    policy = checked_options(policy, per_ticket, errors)
    check_columns(df.schema.fieldNames())  # before any Spark job runs
    schema = output_schema(df.schema, per_ticket=per_ticket, errors=errors)
    text = policy_to_json(policy)
    as_of_micros = None if as_of is None else to_micros(check_in_range(as_of, "as_of"))
    at_type = df.schema["at"].dataType
    if isinstance(at_type, TimestampNTZType):
        raise ArgumentError(
            "at: a timestamp without a time zone (TimestampNTZ) - expected a timestamp "
            "(an instant) or ISO 8601 text with an offset"
        )
    # Spark hands timestamps to pandas as naive local times (ambiguous in a DST fold): the
    # instants cross as integer microseconds instead.
    instants_as_micros = isinstance(at_type, TimestampType)
    if instants_as_micros:
        df = df.withColumn("at", F.unix_micros(F.col("at")))
    columns = [field.name for field in schema.fields]
    if buckets is None:
        buckets = int(df.sparkSession.conf.get("spark.sql.shuffle.partitions", "200"))
    if isinstance(buckets, bool) or not isinstance(buckets, int) or buckets < 1:
        raise ArgumentError(f"buckets: {buckets!r} - expected a positive number of groups")
    # Spark promises no order of a group's rows; events at the same instant are ordered by
    # their input order, so each row takes its place in the input along.
    ordered = df.withColumn(_ORDER, F.monotonically_increasing_id())
    bucketed = ordered.withColumn(_BUCKET, F.pmod(F.hash("ticket_id"), F.lit(buckets)))

    def run(events: Any) -> Any:
        events = events.sort_values(_ORDER, kind="stable").drop(columns=[_BUCKET, _ORDER])
        return _evaluate_group(
            events, text, as_of_micros, per_ticket, errors,
            instants_as_micros, columns,
        )  # fmt: skip

    with warnings.catch_warnings():
        # PySpark 4 tries to read the UDF's type hints and warns that pandas 3 is not fully
        # supported; the explicit schema makes the hints irrelevant.
        warnings.filterwarnings("ignore", "Cannot infer the eval type", UserWarning)
        return bucketed.groupBy(_BUCKET).applyInPandas(run, schema=schema)


def _evaluate_group(
    events: Any,
    text: str,
    as_of_micros: int | None,
    per_ticket: bool,
    errors: FrameErrors,
    instants_as_micros: bool,
    columns: Iterable[str],
) -> Any:
    """One ticket's events (a pandas DataFrame) -> its rows, on an executor."""
    import pandas as pd  # type: ignore[import-untyped,unused-ignore]

    from slaclock._tz import from_micros

    if instants_as_micros:
        events = events.assign(at=pd.to_datetime(events["at"], unit="us", utc=True))
    as_of = None if as_of_micros is None else from_micros(as_of_micros, None)
    result = evaluate_frame(
        policy_from_json(text), events, as_of, per_ticket=per_ticket, errors=errors
    )
    return result[list(columns)]
