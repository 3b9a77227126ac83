"""Tests of slaclock.records and the reports built on it: every report reads the ticket's facts
from the engine's result, so the input's shape cannot change a report and a DST fold is read as
the engine reads it."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from slaclock import Timeline, evaluate
from slaclock.analytics import attainment, evaluate_many, first_contact_resolution, volume
from slaclock.records import RECORD_FIELDS, cycle_record, record_columns, ticket_row
from slaclock.synthetic import DEFAULT_POLICY, generate_timelines, sample_timelines
from slaclock.whatif import compare, sweep, variant

NEW_YORK = ZoneInfo("America/New_York")
UTC = timezone.utc
FASTER = variant(DEFAULT_POLICY, targets={"first_response": {"normal": "2h", "high": "1h"}})


def _on_created(timeline: Timeline) -> dict[str, Any]:
    """The same ticket in the CLI's events shape: no top-level attributes; the priority and the
    other attributes given on the `created` event."""
    data = timeline.model_dump()
    attributes = dict(data.pop("attributes"))
    created = data["events"][0]
    created["priority"] = attributes.pop("priority", None)
    created["attributes"] = attributes
    return data


def _tickets() -> list[Timeline]:
    return [*sample_timelines(), *generate_timelines(40, seed=8)]


def _mixed() -> list[Timeline | dict[str, Any]]:
    """Every other ticket in the CLI shape."""
    return [t if i % 2 else _on_created(t) for i, t in enumerate(_tickets())]


def test_both_shapes_give_the_same_result_facts() -> None:
    """The engine merges attributes the same way whatever the shape (the premise of the rest)."""
    for timeline in _tickets()[:10]:
        top = evaluate(DEFAULT_POLICY, timeline)
        created = evaluate(DEFAULT_POLICY, _on_created(timeline))  # type: ignore[arg-type]
        assert top.attributes == created.attributes
        assert "group" in created.attributes


def test_evaluate_many_and_attainment_agree_across_shapes() -> None:
    """Records, ticket rows and attainment by group are identical for either shape or a mix."""
    top = evaluate_many(DEFAULT_POLICY, _tickets())
    mixed = evaluate_many(DEFAULT_POLICY, _mixed())
    cli = evaluate_many(DEFAULT_POLICY, [_on_created(t) for t in _tickets()])
    assert top.records == mixed.records == cli.records
    assert top.tickets == mixed.tickets == cli.tickets
    by_group = [attainment(b, by=("group",)).rows for b in (top, mixed, cli)]
    assert by_group[0] == by_group[1] == by_group[2]
    assert {"billing", "platform"} <= {row.key[0] for row in by_group[0]}


@pytest.mark.parametrize("by", [("group",), ("priority",), ("channel", "tier")])
def test_compare_groups_like_attainment_in_either_shape(by: tuple[str, ...]) -> None:
    """compare(by=...) reads the attributes the engine found, as evaluate_many does: its
    baseline equals attainment(evaluate_many(...)), and the shapes give identical comparisons
    (the CLI shape used to group everything under '-', or fail with "unknown field 'group'")."""
    expected = attainment(evaluate_many(DEFAULT_POLICY, _tickets()), by=by).rows
    comparisons = [
        compare(tickets, baseline=DEFAULT_POLICY, variants={"faster": FASTER}, by=by)
        for tickets in (_tickets(), _mixed(), [_on_created(t) for t in _tickets()])
    ]
    assert expected == comparisons[0].reports["baseline"].rows
    for other in comparisons[1:]:
        assert comparisons[0].reports == other.reports
        assert comparisons[0].changes == other.changes
    assert comparisons[0].changes, "the variant changes some outcome (the test compares something)"


def test_sweep_agrees_across_shapes() -> None:
    """A sweep of a target gives the same rows and recommendation in either shape."""
    sweeps = [
        sweep(tickets, "first_response", "normal", ["30m", "2h", "8h"], baseline=DEFAULT_POLICY)
        for tickets in (_tickets(), _mixed())
    ]
    assert sweeps[0].rows == sweeps[1].rows
    assert sweeps[0].recommend(0.9) == sweeps[1].recommend(0.9)
    assert sum(row.met + row.breached for row in sweeps[0].rows) > 0


# ----------------------------------------------------------------------------------------------
# A DST fold: New York falls back on Sunday 2 November 2025, 02:00 EDT -> 01:00 EST, so the
# wall-clock hour 01:00-02:00 happens twice (EDT = UTC-4 first, EST = UTC-5 second).
CREATED = datetime(2025, 11, 2, 0, 30, tzinfo=NEW_YORK)  # 04:30Z
FIRST_0140 = datetime(2025, 11, 2, 1, 40, tzinfo=NEW_YORK)  # EDT: 05:40Z
SECOND_0110 = datetime(2025, 11, 2, 1, 10, fold=1, tzinfo=NEW_YORK)  # EST: 06:10Z
SECOND_0130 = datetime(2025, 11, 2, 1, 30, fold=1, tzinfo=NEW_YORK)  # EST: 06:30Z


def _fold_ticket(solved_at: datetime) -> Timeline:
    return Timeline.model_validate(
        {
            "ticket_id": "F",
            "attributes": {"priority": "normal", "group": "billing"},
            "events": [
                {"at": CREATED, "kind": "created"},
                {"at": CREATED + timedelta(minutes=5), "kind": "agent_replied"},
                {"at": solved_at, "kind": "solved"},
            ],
        }
    )


def test_a_solve_after_as_of_across_the_fold_is_not_counted() -> None:
    """Solved at the second 01:30 (06:30Z), evaluated as of the first 01:40 (05:40Z): by the
    wall clock the solve came first; as instants it is 50 minutes later. The ticket row says
    what the engine says: not solved, so first contact resolution has nothing to count."""
    timeline = _fold_ticket(SECOND_0130)
    assert SECOND_0130 < FIRST_0140  # the trap: one tzinfo, so Python compares wall clocks
    result = evaluate(DEFAULT_POLICY, timeline, FIRST_0140)
    assert (False, None, 1) == (result.solved, result.solved_at, result.ignored_events)
    batch = evaluate_many(DEFAULT_POLICY, [timeline], as_of=FIRST_0140)
    (row,) = batch.tickets
    assert (result.status, False, None) == (row["status"], row["solved"], row["solved_at"])
    assert [] == first_contact_resolution(batch).rows
    assert ["running"] == [r["state"] for r in batch if r["metric"] == "resolution"]


def test_a_solve_before_as_of_across_the_fold_is_counted() -> None:
    """Solved at the first 01:40 (05:40Z), evaluated as of the second 01:10 (06:10Z): by the
    wall clock the solve came later; as instants 30 minutes earlier. The row says solved at
    05:40Z, with one public reply and no reopen: a first contact resolution."""
    timeline = _fold_ticket(FIRST_0140)
    assert FIRST_0140 > SECOND_0110  # the trap again, the other way round
    batch = evaluate_many(DEFAULT_POLICY, [timeline], as_of=SECOND_0110)
    (row,) = batch.tickets
    assert (True, "solved") == (row["solved"], row["status"])
    assert datetime(2025, 11, 2, 5, 40, tzinfo=UTC) == row["solved_at"].astimezone(UTC)
    (fcr,) = first_contact_resolution(batch).rows
    assert (1, 1) == (fcr["solved"], fcr["first_contact"])


def test_ticket_row_and_records_are_the_results_facts() -> None:
    """A ticket row is the result's facts under report names; a record's policy version is its
    cycle's; the created instant is in the result's zone (what volume groups by)."""
    timeline = sample_timelines()[0]
    result = evaluate(DEFAULT_POLICY, timeline)
    row = ticket_row(result)
    assert (result.created_at, result.status, result.solved_at) == (
        row["created_at"],
        row["status"],
        row["solved_at"],
    )
    assert (result.public_agent_replies, result.reopens) == (row["public_replies"], row["reopens"])
    cycle = result.metrics["first_response"].cycles[0]
    record = cycle_record(result, cycle)
    assert cycle.policy_version == record["policy_version"] == "2025.1"
    assert list(RECORD_FIELDS) == list(record)[: len(RECORD_FIELDS)]
    assert ["ticket_id", *RECORD_FIELDS[1:]] == record_columns([record])[: len(RECORD_FIELDS)]
    week = volume(evaluate_many(DEFAULT_POLICY, [timeline]), period="day").rows
    assert [{"period": "2025-03-07", "tickets": 1}] == week  # created Fri 7 March, New York
