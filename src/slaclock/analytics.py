"""Batch evaluation and reports: many tickets -> rows -> attainment, durations, at-risk lists.

This module is the documented entry point; the work is done, one idea per module, in
:mod:`slaclock.batch` (evaluating many tickets), :mod:`slaclock.records` (the rows reports read),
:mod:`slaclock.reports` (the six reports), :mod:`slaclock.tables` (plain-text tables) and
:mod:`slaclock.writers` (JSON Lines and CSV files). Every name below is re-exported from there.

:func:`evaluate_many` evaluates an iterable of timelines lazily (one at a time) and collects one
*record* per ticket x metric x cycle: a plain dict with every field of the cycle's result plus
the ticket's attributes. The reports (:func:`attainment`, :func:`durations`, :func:`breaches`,
:func:`at_risk`, :func:`first_contact_resolution`, :func:`volume`) read those records. No pandas
needed; :meth:`Batch.to_pandas` is there when the ``[pandas]`` extra is installed.

>>> from slaclock.synthetic import DEFAULT_POLICY, sample_timelines
>>> batch = evaluate_many(DEFAULT_POLICY, sample_timelines())
>>> len(batch.tickets), len(batch.failures)
(5, 0)
>>> print(attainment(batch, by=("priority",), metric="first_response").to_table())
priority  metric          met  breached  overdue  attainment
high      first_response    1         1        0       50.0%
normal    first_response    1         0        0      100.0%
urgent    first_response    0         1        0        0.0%

The definitions (what counts as met, breached, and in the denominator) are in
``docs/reference/reports.md``.
"""

from __future__ import annotations

from slaclock.batch import Batch, Failure, OnError, Progress, evaluate_many, iter_records
from slaclock.records import RECORD_FIELDS
from slaclock.reports import (
    AttainmentReport,
    AttainmentRow,
    CancelledAs,
    Period,
    UntargetedAs,
    at_risk,
    attainment,
    breaches,
    durations,
    first_contact_resolution,
    percentile,
    period_of,
    volume,
)
from slaclock.tables import Table
from slaclock.writers import write_csv, write_jsonl

__all__ = [
    "AttainmentReport",
    "AttainmentRow",
    "Batch",
    "CancelledAs",
    "Failure",
    "OnError",
    "Period",
    "Progress",
    "RECORD_FIELDS",
    "Table",
    "UntargetedAs",
    "at_risk",
    "attainment",
    "breaches",
    "durations",
    "evaluate_many",
    "first_contact_resolution",
    "iter_records",
    "percentile",
    "period_of",
    "volume",
    "write_csv",
    "write_jsonl",
]
