"""slaclock.spark without a Spark session: the declared result schema matches what the columnar
path returns, and bad arguments fail before any Spark job."""

from __future__ import annotations

from typing import Any

import pyarrow as pa
import pytest

pytest.importorskip("pyspark")

from pyspark.sql.types import LongType, StringType, StructField, StructType

from slaclock import evaluate_frame
from slaclock.spark import output_schema
from slaclock.synthetic import DEFAULT_POLICY

_NAMES = ("ticket_id", "at", "kind", "priority", "state", "error", "attribute_priority", "seats")


@pytest.mark.parametrize("per_ticket", [False, True])
@pytest.mark.parametrize("errors", ["raise", "collect"])
def test_output_schema_names_the_columns_evaluate_frame_returns(
    per_ticket: bool, errors: str
) -> None:
    """Attribute columns called like result columns (state, error, attribute_priority): the
    Spark schema declares the very names evaluate_frame gives them, in order (a schema naming
    ``state`` twice made applyInPandas read the cycle state into the attribute)."""
    schema = StructType(
        [StructField(n, LongType() if n == "seats" else StringType()) for n in _NAMES]
    )
    empty = pa.table({n: pa.array([], pa.int64() if n == "seats" else pa.string()) for n in _NAMES})
    frame = evaluate_frame(DEFAULT_POLICY, empty, per_ticket=per_ticket, errors=errors)  # type: ignore[arg-type]
    declared = output_schema(schema, per_ticket=per_ticket, errors=errors)  # type: ignore[arg-type]
    assert frame.column_names == declared.fieldNames()
    assert LongType() == declared["seats"].dataType


def test_a_pandas_frame_is_an_argument_error() -> None:
    """A pandas DataFrame is not a Spark one: an ArgumentError saying what to use, before any
    Spark session is needed (not "'DataFrame' object has no attribute 'schema'")."""
    from slaclock import ArgumentError
    from slaclock.spark import evaluate

    events = empty_events().to_pandas()
    with pytest.raises(ArgumentError, match="expected a PySpark DataFrame"):
        evaluate(events, DEFAULT_POLICY)


def empty_events() -> pa.Table:
    return pa.table({n: pa.array([], pa.string()) for n in ("ticket_id", "at", "kind")})


@pytest.mark.distributed
@pytest.mark.filterwarnings("ignore:PySpark does not yet fully support pandas:FutureWarning")
def test_bad_arguments_fail_before_any_spark_job(spark: Any) -> None:
    """A policy that is no policy, an unknown errors option, a per_ticket that is no bool,
    missing columns and buckets that are no positive integer raise when evaluate is called, with slaclock's errors (not on an executor,
    not as a Spark AnalysisException)."""
    from slaclock import ArgumentError, TimelineError
    from slaclock.spark import evaluate

    events = spark.createDataFrame(
        [("T-1", "2025-03-10T09:00:00-04:00", "created")],
        "ticket_id string, at string, kind string",
    )
    with pytest.raises(ArgumentError, match=r"policy: 'policy\.yaml' \(str\) - expected a Policy"):
        evaluate(events, "policy.yaml")  # type: ignore[arg-type]
    with pytest.raises(ArgumentError, match="errors: unknown option 'skip'"):
        evaluate(events, DEFAULT_POLICY, errors="skip")  # type: ignore[arg-type]
    with pytest.raises(ArgumentError, match="per_ticket: 1 - expected True or False"):
        evaluate(events, DEFAULT_POLICY, per_ticket=1)  # type: ignore[arg-type]
    with pytest.raises(TimelineError, match=r"missing columns \['at'\]"):
        evaluate(events.drop("at"), DEFAULT_POLICY)
    for buckets in ("4", 2.5, 0):
        with pytest.raises(ArgumentError, match=r"buckets: .* - expected a positive number"):
            evaluate(events, DEFAULT_POLICY, buckets=buckets)  # type: ignore[arg-type]
