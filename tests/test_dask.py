"""Dask (slaclock.dask) on a local cluster of 2 worker processes: rows equal evaluate_many's."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timezone
from typing import Any

import pytest

from slaclock.files import load_policy
from slaclock.synthetic import DEFAULT_POLICY

from .frame_support import comparable, expected_rows, random_rows, timelines_of

dask = pytest.importorskip("dask")
dd = pytest.importorskip("dask.dataframe")
pd = pytest.importorskip("pandas")
distributed = pytest.importorskip("distributed")

pytestmark = pytest.mark.distributed
COLUMNS = ("ticket_id", "at", "kind", "status", "priority", "public", "group", "region")


@pytest.fixture(scope="module")
def client() -> Iterator[Any]:
    with (
        distributed.LocalCluster(
            n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None
        ) as cluster,
        distributed.Client(cluster) as session,
    ):
        yield session


def _frame(rows: list[dict[str, Any]], partitions: int = 3) -> Any:
    data = pd.DataFrame({c: [r.get(c) for r in rows] for c in COLUMNS})
    data["public"] = data["public"].astype("boolean")
    return dd.from_pandas(data, npartitions=partitions, sort=False)


def _key(row: dict[str, Any]) -> tuple[Any, ...]:
    return (row["ticket_id"], row.get("metric") or "", row.get("index") or 0)


@pytest.mark.parametrize(
    "policy", [DEFAULT_POLICY, load_policy("examples/policies/follow-the-sun.yaml")]
)
def test_rows_equal_evaluate_many(client: Any, policy: Any) -> None:
    """60 random tickets (zones, DST weeks, rows shuffled over 3 partitions) on 2 workers:
    the rows of evaluate_many on the same tickets."""
    from slaclock.dask import evaluate

    rows = random_rows(11, 60)
    expected = comparable(expected_rows(policy, timelines_of(rows)))
    result = evaluate(_frame(rows), policy).compute()
    assert sorted(expected, key=_key) == sorted(comparable(result.to_dict("records")), key=_key)


def test_ticket_rows_and_as_of(client: Any) -> None:
    """per_ticket=True with a fixed as_of: evaluate_many's ticket rows."""
    from slaclock.analytics import evaluate_many
    from slaclock.dask import evaluate

    rows = random_rows(12, 30)
    as_of = datetime(2025, 4, 2, tzinfo=timezone.utc)
    batch = evaluate_many(DEFAULT_POLICY, timelines_of(rows), as_of, errors="raise")
    result = evaluate(_frame(rows), DEFAULT_POLICY, as_of, per_ticket=True).compute()
    expected = comparable(batch.tickets)
    assert sorted(expected, key=_key) == sorted(comparable(result.to_dict("records")), key=_key)


def test_partitioned_by_ticket_skips_the_shuffle(client: Any) -> None:
    """Partitions that already hold whole tickets (here: one ticket's rows per partition
    boundary) give the same rows without a shuffle."""
    from slaclock.dask import evaluate

    rows = sorted(random_rows(13, 20), key=lambda r: r["ticket_id"])
    data = pd.DataFrame({c: [r.get(c) for r in rows] for c in COLUMNS})
    data["public"] = data["public"].astype("boolean")
    tickets = data["ticket_id"].unique()
    parts = [data[data["ticket_id"].isin(tickets[i::3])] for i in range(3)]
    ddf = dd.from_delayed([dask.delayed(p) for p in parts], meta=data.iloc[:0])  # type: ignore[attr-defined]
    expected = comparable(expected_rows(DEFAULT_POLICY, timelines_of(rows)))
    result = evaluate(ddf, DEFAULT_POLICY, partitioned_by_ticket=True).compute()
    assert sorted(expected, key=_key) == sorted(comparable(result.to_dict("records")), key=_key)
