"""Evaluate a Dask DataFrame of events: shuffled by ticket, each partition on the columnar path.

``evaluate(ddf, policy, as_of=...)`` shuffles the events so that every ticket's rows are in one
partition, then evaluates each partition with :func:`slaclock.evaluate_frame`; the policy
travels to the workers as its JSON form. The result is a lazy Dask DataFrame with the columns
of :data:`slaclock.frame.CYCLE_COLUMNS` (or ``TICKET_COLUMNS`` with ``per_ticket=True``) and the
ticket attributes.

Needs the ``[dask]`` extra (dask[dataframe], distributed, pyarrow); nothing here is imported by
``import slaclock``.

>>> import dask.dataframe as dd, pandas as pd
>>> from slaclock.synthetic import DEFAULT_POLICY
>>> events = dd.from_pandas(pd.DataFrame({
...     "ticket_id": ["A", "B", "A"], "kind": ["created", "created", "solved"],
...     "at": ["2025-03-10T09:00:00-04:00", "2025-03-10T09:30:00-04:00", "2025-03-10T11:00:00-04:00"],
...     "priority": ["normal", "high", None]}), npartitions=2)
>>> evaluate(events, DEFAULT_POLICY, per_ticket=True).compute().sort_values("ticket_id")[["ticket_id", "status"]].values.tolist()
[['A', 'solved'], ['B', 'new']]
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from slaclock._shipping import policy_from_json, policy_to_json
from slaclock.errors import ArgumentError
from slaclock.frame import FrameErrors, evaluate_frame
from slaclock.policy import Policy, PolicySet, as_policy

__all__ = ["evaluate"]

_ORDER = "__slaclock_order"
#: A row's place in the input: its partition's number in the high bits, its position below.
_POSITION_BITS = 40


def _numbered(events: Any, partition_info: dict[str, Any] | None = None) -> Any:
    """The partition with each row's place in the input (Dask passes ``partition_info``)."""
    import numpy as np

    number = 0 if partition_info is None else int(partition_info["number"])
    places = np.arange(len(events), dtype=np.int64) + (number << _POSITION_BITS)
    return events.assign(**{_ORDER: places})


def _is_dask_frame(value: Any) -> bool:
    import dask.dataframe as dd

    return isinstance(value, dd.DataFrame)


def _numpy_int() -> Any:
    import numpy as np

    return np.int64(0)


def evaluate(
    ddf: Any,
    policy: Policy | PolicySet | Mapping[str, Any],
    as_of: datetime | None = None,
    *,
    per_ticket: bool = False,
    errors: FrameErrors = "raise",
    partitioned_by_ticket: bool = False,
) -> Any:
    """Evaluate the events of a Dask DataFrame (columns as for :func:`slaclock.evaluate_frame`),
    every ticket whole in one partition after a shuffle on ``ticket_id``.

    Returns a lazy Dask DataFrame (``.compute()``, ``.to_parquet(...)``) with one row per
    cycle, or per ticket with ``per_ticket=True``; instants are UTC timestamps, durations
    seconds. ``errors`` as for :func:`slaclock.evaluate_frame`.

    ``partitioned_by_ticket=True`` skips the shuffle: you promise that every ticket's rows are
    already in one partition (say, Parquet files or row groups written ticket by ticket); a
    ticket split across partitions would then be evaluated in pieces (each piece without its
    ``created`` row is an error naming the row).

    >>> import dask.dataframe as dd, pandas as pd
    >>> from slaclock.synthetic import DEFAULT_POLICY
    >>> events = dd.from_pandas(pd.DataFrame({
    ...     "ticket_id": ["A", "A"], "kind": ["created", "agent_replied"],
    ...     "at": ["2025-03-10T09:00:00-04:00", "2025-03-10T09:20:00-04:00"],
    ...     "priority": ["normal", None]}), npartitions=1)
    >>> cycles = evaluate(events, DEFAULT_POLICY, partitioned_by_ticket=True)  # lazy: nothing ran
    >>> list(cycles.columns[:5])
    ['ticket_id', 'policy', 'policy_version', 'as_of', 'metric']
    >>> cycles.compute().query("metric == 'first_response'")[["state", "elapsed_seconds"]].values.tolist()
    [['met', 1200.0]]
    """
    if not _is_dask_frame(ddf):
        raise ArgumentError(
            f"ddf: a {type(ddf).__module__}.{type(ddf).__name__} - expected a Dask DataFrame "
            "(dask.dataframe.from_pandas(df, npartitions=...), or evaluate_frame for pandas)",
            value=type(ddf).__name__,
        )
    policy = as_policy(policy)
    text = policy_to_json(policy)
    # The output's columns and types: the columnar path on the input's empty meta frame (this
    # also checks the columns and the other arguments, before anything runs).
    meta = evaluate_frame(policy, ddf._meta, as_of, per_ticket=per_ticket, errors=errors)
    whole = partitioned_by_ticket or ddf.npartitions == 1
    if whole:
        shuffled = ddf
    else:
        # A shuffle does not keep the order of rows; events at the same instant are ordered
        # by their input order, so each row takes its place (partition, position) along.
        numbered = ddf.map_partitions(_numbered, meta=ddf._meta.assign(**{_ORDER: _numpy_int()}))
        shuffled = numbered.shuffle("ticket_id")
    return shuffled.map_partitions(
        _evaluate_partition,
        text,
        as_of,
        per_ticket,
        errors,
        list(meta.columns),
        meta=meta,
        align_dataframes=False,
    )


def _evaluate_partition(
    events: Any,
    text: str,
    as_of: datetime | None,
    per_ticket: bool,
    errors: FrameErrors,
    columns: list[str],
) -> Any:
    """One partition's events (whole tickets, a pandas DataFrame) -> its rows, on a worker."""
    if _ORDER in events.columns:  # back in input order (a stable sort keeps equal keys' order)
        events = events.sort_values(_ORDER, kind="stable").drop(columns=[_ORDER])
    result = evaluate_frame(
        policy_from_json(text), events, as_of, per_ticket=per_ticket, errors=errors
    )
    return result[columns]
