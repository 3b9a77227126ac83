"""Tests of slaclock.analytics: batch evaluation, writers and every report, by hand."""

from __future__ import annotations

import io
import json
from datetime import datetime, timedelta, timezone
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from slaclock import Policy, PolicySet, Timeline
from slaclock.analytics import (
    at_risk,
    attainment,
    breaches,
    durations,
    evaluate_many,
    first_contact_resolution,
    iter_records,
    percentile,
    period_of,
    volume,
    write_csv,
)
from slaclock.errors import PolicyError
from slaclock.synthetic import DEFAULT_POLICY, generate_timelines, sample_timelines

UTC = timezone.utc
START = datetime(2025, 3, 3, 9, tzinfo=UTC)  # a Monday


def _record(state: str, **extra: Any) -> dict[str, Any]:
    return {
        "ticket_id": "T",
        "metric": "first_response",
        "priority": "high",
        "state": state,
        "started_at": START,
        "stopped_at": None,
        **extra,
    }


# met, met, breached, overdue, cancelled, completed (no target), running
STATES = ["met", "met", "breached", "overdue", "cancelled", "completed", "running"]


def test_attainment_default_choices() -> None:
    """Default: overdue counts against attainment (in its own column, not in breached);
    cancelled, completed and running are left out: met 2 / (met 2 + breached 1 + overdue 1)."""
    row = attainment([_record(s) for s in STATES], by=()).rows[0]
    assert (2, 1, 1, 1, 1, 1) == (
        row.met,
        row.breached,
        row.overdue,
        row.cancelled,
        row.completed,
        row.open,
    )
    assert 0.5 == row.attainment


@pytest.mark.parametrize(
    ("options", "expected"),
    [
        ({"overdue": False}, 2 / 3),  # met 2 / (2 + breached 1)
        ({"cancelled": "met"}, 3 / 5),  # (2 + 1 cancelled) / (3 + 2)
        ({"cancelled": "breached"}, 2 / 5),  # 2 / (2 + 2 + 1 cancelled)
        ({"untargeted": "met"}, 3 / 5),  # (2 + 1 completed) / (3 + 2)
    ],
)
def test_attainment_options(options: dict[str, Any], expected: float) -> None:
    """Each documented choice changes numerator and denominator as written."""
    assert expected == attainment([_record(s) for s in STATES], by=(), **options).rows[0].attainment


def test_attainment_with_nothing_counted_is_none() -> None:
    """A group with only running cycles has no attainment (not zero)."""
    assert None is attainment([_record("running")], by=()).rows[0].attainment


def test_attainment_by_period_and_group() -> None:
    """Grouped by priority and week: a Monday and the next Monday fall in two ISO weeks."""
    records = [
        _record("met"),
        _record("breached", started_at=START + timedelta(days=7)),
        _record("met", priority="low"),
    ]
    report = attainment(records, by=("priority",), period="week")
    assert [
        (("high", "2025-W10"), 1, 0),
        (("high", "2025-W11"), 0, 1),
        (("low", "2025-W10"), 1, 0),
    ] == [(row.key, row.met, row.breached) for row in report.rows]


def test_period_labels_in_a_zone() -> None:
    """Periods are read in the given zone: 23:30 in New York is the next day in Berlin."""
    from zoneinfo import ZoneInfo

    at = datetime(2025, 3, 31, 23, 30, tzinfo=ZoneInfo("America/New_York"))
    assert "2025-03" == period_of(at, "month")
    assert "2025-04" == period_of(at, "month", ZoneInfo("Europe/Berlin"))
    with pytest.raises(ValueError, match="unknown period 'year'"):
        period_of(at, "year")  # type: ignore[arg-type]


def test_unknown_metric_is_a_clear_error() -> None:
    """Asking for a metric no record has names the known ones."""
    batch = evaluate_many(DEFAULT_POLICY, sample_timelines())
    with pytest.raises(ValueError, match="unknown metric 'first_reply' - expected one of"):
        attainment(batch, metric="first_reply")
    with pytest.raises(ValueError, match="unknown metric"):
        durations(batch, metric="first_reply")


@settings(max_examples=15)
@given(st.integers(0, 10_000), st.sampled_from(["day", "week", "month"]))
def test_grouping_sums_equal_the_total(seed: int, period: str) -> None:
    """Per-priority-and-period tallies add up to the ungrouped tally."""
    batch = evaluate_many(DEFAULT_POLICY, generate_timelines(30, seed=seed))
    whole = attainment(batch, by=()).total()
    grouped = attainment(batch, by=("priority", "group"), period=period).total()  # type: ignore[arg-type]
    assert (whole.met, whole.breached, whole.open) == (grouped.met, grouped.breached, grouped.open)


def test_durations_by_hand() -> None:
    """10, 20, 30, 40, 50 min: mean 30; nearest-rank median = 3rd = 30, p80 = 4th = 40,
    p90/p95/p99 = 5th = 50 (ranks ceil(0.9 * 5) = 5 ...), max 50; running cycles left out."""
    records = [_record("met", elapsed=timedelta(minutes=m)) for m in (40, 10, 50, 30, 20)]
    records.append(_record("running", elapsed=timedelta(hours=9)))
    row = durations(records, by=()).rows[0]
    minutes = [
        row[k] / timedelta(minutes=1) for k in ("mean", "median", "p80", "p90", "p95", "p99", "max")
    ]
    assert (5, [30, 30, 40, 50, 50, 50, 50]) == (row["count"], minutes)


def test_percentile_nearest_rank() -> None:
    """p50 of four values is the 2nd (lower middle); p100 is the max; no values is an error."""
    values = [timedelta(seconds=s) for s in (1, 2, 3, 4)]
    assert (timedelta(seconds=2), timedelta(seconds=4)) == (
        percentile(values, 0.5),
        percentile(values, 1),
    )
    with pytest.raises(ValueError, match="no values"):
        percentile([], 0.5)


def test_breaches_by_hand() -> None:
    """Two breached (30 min and 1 h late) and one overdue (15 min): 1h45m overdue in all."""
    records = [
        _record("breached", overdue_by=timedelta(minutes=30)),
        _record("breached", overdue_by=timedelta(hours=1)),
        _record("overdue", overdue_by=timedelta(minutes=15)),
        _record("met", overdue_by=None),
    ]
    row = breaches(records, by=()).rows[0]
    assert (2, 1, timedelta(minutes=105)) == (row["breached"], row["overdue"], row["overdue_time"])


def test_first_contact_resolution_of_the_samples() -> None:
    """Solved samples: T-1001 (two replies), T-1002 (one reply), T-1004 (reopened): 1 of 3."""
    row = first_contact_resolution(evaluate_many(DEFAULT_POLICY, sample_timelines())).rows[0]
    assert (3, 1) == (row["solved"], row["first_contact"])


def test_volume_adds_up_to_the_tickets() -> None:
    """Tickets per day add up to the tickets evaluated."""
    batch = evaluate_many(DEFAULT_POLICY, generate_timelines(50, seed=2))
    assert 50 == sum(row["tickets"] for row in volume(batch, period="day", by=("channel",)).rows)


POLICY_24X7 = Policy.model_validate(
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
            "attributes": {"priority": "normal", "group": "billing"},
            "events": [{"at": created.isoformat(), "kind": "created"}],
        }
    )


def test_at_risk_by_hand() -> None:
    """As of 12:30, 4h target, warning at 75 % (3h): created 08:45 (15m left) and 09:00 (30m
    left) are at risk, 10:00 (2h30 used) is not, 08:00 (overdue) only when asked."""
    as_of = datetime(2025, 3, 3, 12, 30, tzinfo=UTC)
    tickets = [
        _ticket(name, datetime(2025, 3, 3, h, m, tzinfo=UTC))
        for name, h, m in (("A", 9, 0), ("B", 10, 0), ("C", 8, 45), ("D", 8, 0))
    ]
    batch = evaluate_many(POLICY_24X7, tickets, as_of=as_of)
    assert [("C", timedelta(minutes=15)), ("A", timedelta(minutes=30))] == [
        (r["ticket_id"], r["remaining"]) for r in at_risk(batch).rows
    ]
    assert ["D", "C", "A"] == [r["ticket_id"] for r in at_risk(batch, include_overdue=True).rows]


def test_bad_timelines_are_collected_not_dropped() -> None:
    """A timeline without 'created' and one with an unknown priority are reported by id."""
    good = _ticket("ok", START)
    bad_priority = Timeline.model_validate(
        {
            "ticket_id": "weird",
            "attributes": {"priority": "whenever"},
            "events": [{"at": START.isoformat(), "kind": "created"}],
        }
    )
    batch = evaluate_many(POLICY_24X7, [good, {"ticket_id": "empty", "events": []}, bad_priority])
    assert ["ok"] == [t["ticket_id"] for t in batch.tickets]
    assert [(1, "empty"), (2, "weird")] == [(f.position, f.ticket_id) for f in batch.failures]
    assert "unknown priority 'whenever'" in batch.failures[1].error
    with pytest.raises(PolicyError, match="unknown priority"):
        evaluate_many(POLICY_24X7, [good, bad_priority], errors="raise")
    with pytest.raises(ValueError, match="unknown priority"):
        list(iter_records(POLICY_24X7, [bad_priority]))


def test_progress_callback() -> None:
    """The callback sees every 1,000 tickets and the end, with the total of a sequence."""
    calls: list[tuple[int, int | None]] = []
    tickets = [_ticket(f"T{i}", START) for i in range(2500)]
    evaluate_many(POLICY_24X7, tickets, progress=lambda done, total: calls.append((done, total)))
    assert [(1000, 2500), (2000, 2500), (2500, 2500)] == calls


def test_records_carry_results_and_attributes() -> None:
    """A record has the cycle's fields, the ticket's attributes, and the ticket's id."""
    record = evaluate_many(POLICY_24X7, [_ticket("A", START)]).records[0]
    assert ("A", "first_response", "running", "billing", timedelta(hours=4)) == (
        record["ticket_id"],
        record["metric"],
        record["state"],
        record["group"],
        record["target"],
    )


def test_jsonl_and_csv_writers() -> None:
    """JSON Lines: one object per record with *_seconds durations; CSV: header + rows."""
    batch = evaluate_many(DEFAULT_POLICY, sample_timelines())
    out = io.StringIO()
    assert len(batch) == batch.write_jsonl(out)
    first = json.loads(out.getvalue().splitlines()[0])
    assert ("T-1001", 1200.0) == (first["ticket_id"], first["elapsed_seconds"])
    table = io.StringIO()
    assert len(batch) == batch.write_csv(table)
    header = table.getvalue().splitlines()[0].split(",")
    assert {"elapsed_seconds", "due_at", "group", "channel"} <= set(header)
    assert 0 == write_csv([], io.StringIO(), columns=["a"])  # empty: header only


def test_to_pandas() -> None:
    """to_pandas() gives one row per record with Timedelta durations."""
    frame = evaluate_many(DEFAULT_POLICY, sample_timelines()).to_pandas()
    assert str(frame["elapsed"].dtype).startswith("timedelta64")
    assert {"ticket_id", "metric", "state", "group"} <= set(frame.columns)


def test_a_record_pairs_each_cycle_with_its_own_policys_version() -> None:
    """A ticket moved from sales (version s1) to billing (b2): the cycle cancelled under sales
    carries s1 (each cycle now names its own policy's version; before the engine reported it,
    records could only give it None), billing's cycles carry b2."""
    calendar = {"timezone": "UTC", "hours": {"mon-fri": [["09:00", "17:00"]]}}
    policies = PolicySet.model_validate(
        [
            {
                "name": name,
                "version": version,
                "calendar": calendar,
                "conditions": {"group": name},
                "metrics": {metric: {"targets": {"normal": "4h"}}},
            }
            for name, version, metric in (
                ("sales", "s1", "resolution"),
                ("billing", "b2", "first_response"),
            )
        ]
    )
    ticket = Timeline.model_validate(
        {
            "ticket_id": "M",
            "attributes": {"priority": "normal", "group": "sales"},
            "events": [
                {"at": "2025-03-03T09:00:00Z", "kind": "created"},
                {
                    "at": "2025-03-03T10:00:00Z",
                    "kind": "attributes_changed",
                    "attributes": {"group": "billing"},
                },
            ],
        }
    )
    records = evaluate_many(policies, [ticket]).records
    assert [("first_response", "billing", "b2"), ("resolution", "sales", "s1")] == [
        (r["metric"], r["policy"], r["policy_version"]) for r in records
    ]


def test_grouping_by_an_unknown_field_is_an_error() -> None:
    """A typo in `by` is named, with the fields that exist, instead of one '-' group."""
    batch = evaluate_many(DEFAULT_POLICY, sample_timelines())
    for report in (attainment, durations, breaches):
        with pytest.raises(ValueError, match=r"by: unknown field 'prio' - expected .*priority"):
            report(batch, by=["prio"])
    with pytest.raises(ValueError, match=r"by: unknown field 'grp'"):
        volume(batch, by=["grp"])
