"""Tests of slaclock.reports beyond attainment basics: percentile methods against numpy, one
meaning of breached, volume as of an instant, and options that are errors, not empty rows."""

from __future__ import annotations

import random
from datetime import datetime, timedelta, timezone
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from slaclock import Policy, Timeline
from slaclock.batch import evaluate_many
from slaclock.errors import ReportOptionError
from slaclock.reports import (
    PERCENTILE_METHODS,
    at_risk,
    attainment,
    durations,
    percentile,
    volume,
)

UTC = timezone.utc
US = timedelta(microseconds=1)
T0 = datetime(2025, 3, 3, 9, tzinfo=UTC)


def _record(state: str, **extra: Any) -> dict[str, Any]:
    return {"metric": "first_response", "priority": "normal", "state": state, "started_at": T0,
            "elapsed": timedelta(minutes=5), "thresholds": (), **extra}  # fmt: skip


def test_percentile_methods_by_hand() -> None:
    """1, 2, 3, 4 minutes at p50 and p90 (h = (n - 1) p = 1.5 and 2.7):
    nearest rank 2m and 4m (ranks ceil(2) = 2, ceil(3.6) = 4); linear 2m30s and
    3m + 0.7m = 3m42s; lower 2m, 3m; higher 3m, 4m; midpoint 2m30s, 3m30s."""
    values = [timedelta(minutes=m) for m in (1, 2, 3, 4)]
    expected = {
        "nearest_rank": (120, 240),
        "linear": (150, 222),
        "lower": (120, 180),
        "higher": (180, 240),
        "midpoint": (150, 210),
    }
    assert expected == {
        method: (
            percentile(values, 0.5, method) // timedelta(seconds=1),  # type: ignore[arg-type]
            percentile(values, 0.9, method) // timedelta(seconds=1),  # type: ignore[arg-type]
        )
        for method in PERCENTILE_METHODS
    }


def test_linear_rounds_to_the_microsecond_halves_up() -> None:
    """0us and 1us at p50: 0.5us rounds up to 1us; at p25, 0.25us rounds down to 0."""
    values = [timedelta(0), US]
    assert (US, timedelta(0)) == (
        percentile(values, 0.5, "linear"),
        percentile(values, 0.25, "linear"),
    )


@pytest.mark.parametrize("method", ["linear", "lower", "higher", "midpoint", "nearest_rank"])
def test_percentiles_agree_with_numpy_on_random_data(method: str) -> None:
    """On seeded random durations, every method matches numpy (nearest rank as numpy's
    'inverted_cdf') to within the microsecond rounding."""
    np = pytest.importorskip("numpy")
    rng = random.Random(7)
    numpy_method = "inverted_cdf" if method == "nearest_rank" else method
    for _ in range(200):
        n = rng.randint(1, 40)
        micros = sorted(rng.randint(0, 10**11) for _ in range(n))
        values = [timedelta(microseconds=m) for m in micros]
        for share in (0.0, 0.1, 0.25, 0.5, 0.8, 0.9, 0.95, 0.99, 1.0):
            ours = percentile(values, share, method) // US  # type: ignore[arg-type]
            theirs = float(np.percentile(micros, 100 * share, method=numpy_method))
            # numpy computes in floats: allow the half microsecond of our rounding and a hair
            assert abs(ours - theirs) <= 0.5 + 1e-3, (n, share, ours, theirs)


@given(st.lists(st.integers(0, 10**9), min_size=1, max_size=30), st.floats(0, 1))
def test_every_percentile_lies_between_min_and_max(micros: list[int], share: float) -> None:
    """Whatever the method, a percentile is within the values' range."""
    values = sorted(timedelta(microseconds=m) for m in micros)
    for method in PERCENTILE_METHODS:
        assert values[0] <= percentile(values, share, method) <= values[-1]  # type: ignore[arg-type]


def test_durations_name_the_percentile_method() -> None:
    """The durations table's header line names the method; linear gives the pandas median."""
    records = [_record("met", elapsed=timedelta(minutes=m)) for m in (10, 20, 30, 40)]
    default = durations(records, by=())
    linear = durations(records, by=(), method="linear")
    assert (
        default.to_table()
        .splitlines()[0]
        .endswith("percentiles by nearest rank (an observed value: the ceil(p*n)-th smallest)")
    )
    assert "linear interpolation (numpy/pandas default)" in linear.to_table().splitlines()[0]
    # median of 10, 20, 30, 40: nearest rank 20 (lower middle), linear 25
    assert (timedelta(minutes=20), timedelta(minutes=25)) == (
        default.rows[0]["median"],
        linear.rows[0]["median"],
    )


def test_breached_means_stopped_late_in_attainment_rows() -> None:
    """2 met, 1 breached, 1 overdue: breached column 1, overdue column 1, attainment 2 / 4;
    with overdue=False 2 / 3 and the table says the overdue are not counted."""
    records = [_record(s) for s in ("met", "met", "breached", "overdue")]
    row = attainment(records, by=()).rows[0]
    assert (1, 1, 0.5) == (row.breached, row.overdue, row.attainment)
    report = attainment(records, by=(), overdue=False)
    assert (1, 1, 2 / 3) == (
        report.rows[0].breached,
        report.rows[0].overdue,
        report.rows[0].attainment,
    )
    assert "overdue cycles not counted (overdue=False)" == report.to_table().splitlines()[0]
    assert 2 / 3 == report.total().attainment


POLICY = Policy.model_validate(
    {
        "name": "p",
        "metrics": {
            "first_response": {
                "targets": {"normal": "4h"},
                "thresholds": [{"name": "warning", "at_percent": 75}],
            }
        },
    }
)


def _ticket(ticket_id: str, created: datetime) -> Timeline:
    return Timeline.model_validate(
        {
            "ticket_id": ticket_id,
            "attributes": {"priority": "normal"},
            "events": [{"at": created.isoformat(), "kind": "created"}],
        }
    )


def test_volume_leaves_out_tickets_created_after_as_of() -> None:
    """As of Monday 12:00: tickets created 09:00 and 11:59 count; 12:01 and Tuesday do not
    exist yet. One created exactly at as_of counts (it exists at that instant)."""
    as_of = datetime(2025, 3, 3, 12, tzinfo=UTC)
    tickets = [
        _ticket(name, at)
        for name, at in (
            ("a", datetime(2025, 3, 3, 9, tzinfo=UTC)),
            ("b", datetime(2025, 3, 3, 11, 59, tzinfo=UTC)),
            ("c", as_of),
            ("d", datetime(2025, 3, 3, 12, 1, tzinfo=UTC)),
            ("e", datetime(2025, 3, 4, 9, tzinfo=UTC)),
        )
    ]
    batch = evaluate_many(POLICY, tickets, as_of=as_of)
    assert [("2025-03-03", 3)] == [(r["period"], r["tickets"]) for r in volume(batch).rows]


def test_unknown_options_are_errors_naming_the_valid_ones() -> None:
    """A misspelt threshold, state, percentile method or cancelled choice is an error."""
    batch = evaluate_many(POLICY, [_ticket("a", T0)], as_of=T0 + timedelta(hours=3, minutes=30))
    with pytest.raises(
        ReportOptionError, match=r"unknown threshold 'warnign' - expected one of \['warning'\]"
    ):
        at_risk(batch, threshold="warnign")
    assert ["a"] == [r["ticket_id"] for r in at_risk(batch, threshold="warning").rows]
    with pytest.raises(ReportOptionError, match="unknown cycle state"):
        durations(batch, states=("stoped",))
    with pytest.raises(ReportOptionError, match="unknown percentile method 'nearest'"):
        durations(batch, method="nearest")  # type: ignore[arg-type]
    with pytest.raises(ReportOptionError, match="cancelled: 'breach'"):
        attainment(batch, cancelled="breach")  # type: ignore[arg-type]
