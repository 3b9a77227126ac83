"""Spark (slaclock.spark) on a local session: rows equal evaluate_many's on the same tickets."""

from __future__ import annotations

import shutil
from datetime import datetime, timezone
from typing import Any

import pytest

from slaclock.synthetic import DEFAULT_POLICY

from .frame_support import comparable, expected_rows, random_rows, timelines_of

pytest.importorskip("pyspark")
if shutil.which("java") is None:  # CI has Java 17; only a machine without Java skips
    pytest.skip("Spark needs Java", allow_module_level=True)

# The shared venv has pandas 3, which PySpark 4 warns about (an environment matter, not ours).
pytestmark = [
    pytest.mark.distributed,
    pytest.mark.filterwarnings("ignore:PySpark does not yet fully support pandas:FutureWarning"),
]
COLUMNS = "ticket_id string, at string, kind string, status string, priority string, public boolean, group string, region string"


def _frame(spark: Any, rows: list[dict[str, Any]]) -> Any:
    names = [part.split()[0] for part in COLUMNS.split(", ")]
    return spark.createDataFrame([tuple(r.get(n) for n in names) for r in rows], COLUMNS)


def _collected(df: Any) -> list[dict[str, Any]]:
    rows = []
    for row in df.collect():
        data = row.asDict()
        for key, value in data.items():
            if isinstance(value, datetime):  # the session's zone is UTC
                data[key] = value.replace(tzinfo=timezone.utc)
        rows.append(data)
    return rows


def _key(row: dict[str, Any]) -> tuple[Any, ...]:
    return (row["ticket_id"], row.get("metric") or "", row.get("index") or 0)


def test_rows_equal_evaluate_many(spark: Any) -> None:
    """60 random tickets (zones, DST weeks), in 4 buckets on 2 cores: the rows of evaluate_many."""
    from slaclock.spark import evaluate

    rows = random_rows(7, 60)
    expected = comparable(expected_rows(DEFAULT_POLICY, timelines_of(rows)))
    result = comparable(_collected(evaluate(_frame(spark, rows), DEFAULT_POLICY)))
    assert sorted(expected, key=_key) == sorted(result, key=_key)


def test_timestamp_column_and_as_of(spark: Any) -> None:
    """An `at` timestamp column (instants) and a fixed as_of give the same rows too."""
    from pyspark.sql import functions as F

    from slaclock.spark import evaluate

    rows = random_rows(8, 20)
    as_of = datetime(2025, 4, 15, 12, tzinfo=timezone.utc)
    expected = comparable(expected_rows(DEFAULT_POLICY, timelines_of(rows), as_of))
    df = _frame(spark, rows).withColumn("at", F.to_timestamp("at"))
    result = comparable(_collected(evaluate(df, DEFAULT_POLICY, as_of)))
    assert sorted(expected, key=_key) == sorted(result, key=_key)


def test_collect_names_the_bad_ticket(spark: Any) -> None:
    """errors='collect': the ticket with a bad row is one error row, the others are evaluated."""
    from slaclock.spark import evaluate

    rows = random_rows(9, 3)
    first = next(r for r in rows if r["ticket_id"].endswith("-0") and r["kind"] == "created")
    first["at"] = "not a time"
    result = _collected(evaluate(_frame(spark, rows), DEFAULT_POLICY, errors="collect"))
    failed = [r for r in result if r["error"] is not None]
    assert ["R-9-0"] == [r["ticket_id"] for r in failed]
    assert "at: Input should be a valid datetime" in failed[0]["error"]
    assert {"R-9-1", "R-9-2"} <= {r["ticket_id"] for r in result if r["error"] is None}
