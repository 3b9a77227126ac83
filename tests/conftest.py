"""Shared test configuration: Hypothesis profiles, and one local Spark session for the Spark
tests (started on first use, only under -m distributed).

SLACLOCK_HYPOTHESIS_PROFILE=ci (set by scripts/test.sh under CI): derandomized, so CI runs are
repeatable and bounded in time; "dev" (default): random; "stress": many more examples.
"""

from __future__ import annotations

import os
import shutil
import sys
from collections.abc import Iterator
from typing import Any

import pytest
from hypothesis import HealthCheck, settings

settings.register_profile(
    "ci",
    derandomize=True,
    max_examples=150,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
    print_blob=True,
)
settings.register_profile(
    "dev",
    max_examples=100,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
)
# A long hunt for counterexamples: SLACLOCK_HYPOTHESIS_PROFILE=stress scripts/test.sh -k properties
settings.register_profile("stress", parent=settings.get_profile("dev"), max_examples=3000)
settings.load_profile(os.environ.get("SLACLOCK_HYPOTHESIS_PROFILE", "dev"))


@pytest.fixture(scope="session")
def spark() -> Iterator[Any]:
    """A local Spark session (``local[2]``), shared by every Spark test module: slow to start,
    so once per run. Skips where Java is absent (CI has Java 17)."""
    pytest.importorskip("pyspark")
    if shutil.which("java") is None:
        pytest.skip("Spark needs Java")
    from pyspark.sql import SparkSession

    # The Python workers must be this interpreter (with slaclock's dependencies), not `python3`.
    os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
    session = (
        SparkSession.builder.master("local[2]")
        .appName("slaclock-tests")
        .config("spark.sql.session.timeZone", "UTC")
        .config("spark.sql.shuffle.partitions", "4")
        .config("spark.ui.enabled", "false")
        .config("spark.sql.execution.arrow.pyspark.enabled", "true")
        .getOrCreate()
    )
    yield session
    session.stop()
