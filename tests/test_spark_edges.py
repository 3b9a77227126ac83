"""slaclock.spark without a Spark session: the declared result schema matches what the columnar
path returns, and bad arguments fail before any Spark job."""

from __future__ import annotations

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
