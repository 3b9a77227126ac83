"""slaclock.dask at the edges, on the synchronous scheduler (no cluster): wrong arguments fail
at once with a slaclock error, empty frames give the columns, split tickets are evaluated whole."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from slaclock import ArgumentError, TimelineError
from slaclock.synthetic import DEFAULT_POLICY

from .frame_support import comparable, expected_rows, random_rows, timelines_of

dask = pytest.importorskip("dask")
dd = pytest.importorskip("dask.dataframe")
pd = pytest.importorskip("pandas")

COLUMNS = ("ticket_id", "at", "kind", "status", "priority", "public", "group", "region")


@pytest.fixture(autouse=True)
def synchronous() -> Iterator[None]:
    with dask.config.set(scheduler="sync"):
        yield


def _pandas(rows: list[dict[str, Any]]) -> Any:
    data = pd.DataFrame({c: [r.get(c) for r in rows] for c in COLUMNS})
    data["public"] = data["public"].astype("boolean")
    return data


def _key(row: dict[str, Any]) -> tuple[Any, ...]:
    return (row["ticket_id"], row.get("metric") or "", row.get("index") or 0)


def test_a_pandas_frame_is_an_argument_error() -> None:
    """A pandas DataFrame is not a Dask one: an ArgumentError saying what to use, not
    "'DataFrame' object has no attribute '_meta'"."""
    from slaclock.dask import evaluate

    with pytest.raises(ArgumentError, match="expected a Dask DataFrame"):
        evaluate(_pandas(random_rows(1, 2)), DEFAULT_POLICY)


def test_the_policy_is_checked_or_validated_from_data() -> None:
    """A policy that is no policy is an ArgumentError at once; its plain data works (as for
    evaluate_frame) and gives the same rows."""
    from slaclock.dask import evaluate

    events = dd.from_pandas(_pandas(random_rows(2, 3)), npartitions=2, sort=False)
    with pytest.raises(ArgumentError, match=r"policy: 'policy\.yaml' \(str\) - expected a Policy"):
        evaluate(events, "policy.yaml")  # type: ignore[arg-type]
    by_model = evaluate(events, DEFAULT_POLICY).compute()
    by_data = evaluate(events, DEFAULT_POLICY.model_dump(mode="json")).compute()  # type: ignore[arg-type]
    assert comparable(by_model.to_dict("records")) == comparable(by_data.to_dict("records"))


def test_missing_columns_and_bad_options_fail_before_anything_runs() -> None:
    """The columns and options are checked on the empty meta frame, when evaluate is called."""
    from slaclock.dask import evaluate

    events = dd.from_pandas(_pandas(random_rows(3, 2)), npartitions=2, sort=False)
    with pytest.raises(TimelineError, match=r"missing columns \['at'\]"):
        evaluate(events.drop(columns=["at"]), DEFAULT_POLICY)
    with pytest.raises(ArgumentError, match="errors: unknown option 'skip'"):
        evaluate(events, DEFAULT_POLICY, errors="skip")  # type: ignore[arg-type]


def test_no_events_give_the_columns_and_no_rows() -> None:
    """An empty frame (or one filtered down to nothing) gives no rows and the meta's columns."""
    from slaclock.dask import evaluate

    events = dd.from_pandas(_pandas(random_rows(4, 5)), npartitions=3, sort=False)
    nothing = events[events.ticket_id == "no such ticket"]
    result = evaluate(nothing, DEFAULT_POLICY)
    computed = result.compute()
    assert 0 == len(computed)
    assert list(result.columns) == list(computed.columns)


def test_tickets_split_across_partitions_are_evaluated_whole() -> None:
    """Shuffled rows of 12 tickets over 5 partitions (every ticket's rows scattered): the
    shuffle brings each ticket together; the rows are evaluate_many's."""
    from slaclock.dask import evaluate

    rows = random_rows(5, 12)
    events = dd.from_pandas(_pandas(rows), npartitions=5, sort=False)
    expected = comparable(expected_rows(DEFAULT_POLICY, timelines_of(rows)))
    result = evaluate(events, DEFAULT_POLICY).compute()
    assert sorted(expected, key=_key) == sorted(comparable(result.to_dict("records")), key=_key)
