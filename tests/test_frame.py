"""Columnar evaluation (slaclock.frame): the same rows as the object path, and clear errors."""

from __future__ import annotations

from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import pandas as pd
import polars as pl
import pyarrow as pa
import pytest
from hypothesis import given
from hypothesis import strategies as st

from slaclock import PolicyError, TimelineError, evaluate_frame
from slaclock.analytics import evaluate_many
from slaclock.files import load_policy
from slaclock.frame import CYCLE_COLUMNS, TICKET_COLUMNS
from slaclock.policy import Policy
from slaclock.synthetic import DEFAULT_POLICY

from .frame_support import comparable, expected_rows, random_rows, timelines_of

EXAMPLES = Path(__file__).parent.parent / "examples" / "policies"
POLICIES = [
    DEFAULT_POLICY,  # business days, thresholds, 24x7 urgent targets, US holidays (New York)
    load_policy(EXAMPLES / "eu-desk.yaml"),  # Berlin, business-day targets
    load_policy(EXAMPLES / "b2b-saas.yaml"),  # priority_change: recompute
    load_policy(EXAMPLES / "follow-the-sun.yaml"),  # a set; calendar picked by attribute
    # The other priority-change and reopen rules, on the default policy's targets.
    DEFAULT_POLICY.model_copy(update={"priority_change": "keep", "reopen": "new_cycle"}),
    DEFAULT_POLICY.model_copy(update={"priority_change": "restart"}),
]


def _with(**changes: Any) -> Policy:
    """The default policy's data with ``changes`` (validated again: presets take effect)."""
    return Policy.model_validate({**DEFAULT_POLICY.model_dump(exclude_none=True), **changes})


# Every helpdesk preset (due instants moved by precision and next_open, Jira's paused outside
# hours), and the metric options measured from the ticket: a due date and start taken from
# attributes the rows never carry (ServiceNow: due one second after the start) and a
# sequential recurrence (each cycle starts at the previous one's due instant at the earliest).
POLICIES += [
    _with(name=preset, conventions=preset)
    for preset in ("zendesk", "zammad", "jira", "servicenow", "salesforce")
]
POLICIES.append(
    Policy.model_validate(
        {
            "name": "from-the-ticket",
            "conventions": "servicenow",
            "calendar": {"timezone": "America/New_York", "hours": {"mon-fri": "09:00-17:00"}},
            "metrics": {
                "resolution": {
                    "targets": dict.fromkeys(("urgent", "high", "normal", "low"), "8h"),
                    "due_from": "due_date",
                    "start_from": "opened_at",
                },
                "contact": {
                    "targets": dict.fromkeys(("urgent", "high", "normal", "low"), "1h"),
                    "definition": {
                        "start": "customer_replied",
                        "stop": "agent_replied",
                        "recurring": True,
                        "recurrence": "sequential",
                    },
                },
            },
        }
    )
)
COLUMNS = ("ticket_id", "at", "kind", "status", "priority", "public", "group", "region")


def _table(rows: list[dict[str, Any]]) -> pa.Table:
    return pa.table({c: pa.array([r.get(c) for r in rows], _type(c)) for c in COLUMNS})


def _type(column: str) -> pa.DataType:
    return pa.bool_() if column == "public" else pa.string()


def _as(library: str, table: pa.Table) -> Any:
    if library == "pandas":
        return table.to_pandas()
    if library == "polars":
        return pl.from_arrow(table)
    return table


def _rows_of(result: Any) -> list[dict[str, Any]]:
    if isinstance(result, pd.DataFrame):
        return result.to_dict("records")  # type: ignore[no-any-return]
    if isinstance(result, pl.DataFrame):
        return result.to_dicts()
    return result.to_pylist()  # type: ignore[no-any-return]


@given(
    seed=st.integers(0, 10**6),
    tickets=st.integers(1, 6),
    policy=st.sampled_from(POLICIES),
    library=st.sampled_from(("pyarrow", "pandas", "polars")),
    as_of_day=st.none() | st.integers(0, 400),
)
def test_rows_equal_the_object_path(
    seed: int, tickets: int, policy: Any, library: str, as_of_day: int | None
) -> None:
    """Random tickets (several zones, weeks around DST changes, shuffled rows): evaluate_frame
    gives the records of evaluate_many on the same tickets, in the same order."""
    rows = random_rows(seed, tickets)
    as_of = (
        None
        if as_of_day is None
        else datetime(2025, 3, 1, tzinfo=timezone.utc) + pd.Timedelta(hours=as_of_day)
    )
    expected = comparable(expected_rows(policy, timelines_of(rows), as_of))
    result = evaluate_frame(policy, _as(library, _table(rows)), as_of)
    assert type(result).__module__.split(".")[0] == library
    assert expected == comparable(_rows_of(result))


@given(seed=st.integers(0, 10**6), tickets=st.integers(1, 6))
def test_ticket_rows_equal_the_object_path(seed: int, tickets: int) -> None:
    """per_ticket=True gives evaluate_many's ticket rows (status, replies, reopens, solved_at)."""
    rows = random_rows(seed, tickets)
    batch = evaluate_many(DEFAULT_POLICY, timelines_of(rows), errors="raise")
    result = evaluate_frame(DEFAULT_POLICY, _table(rows), per_ticket=True)
    assert comparable(batch.tickets) == comparable(result.to_pylist())


def test_columns_in_order_for_an_empty_table() -> None:
    """No rows: an empty table with every column (cycle fields, attributes, created priority)."""
    result = evaluate_frame(DEFAULT_POLICY, _table([]))
    assert [*CYCLE_COLUMNS, "group", "region", "attribute_priority"] == result.column_names
    assert 0 == result.num_rows
    tickets = evaluate_frame(DEFAULT_POLICY, _table([]), per_ticket=True)
    assert [*TICKET_COLUMNS, "group", "region", "priority"] == tickets.column_names


def test_a_hand_worked_ticket() -> None:
    """Created Friday 16:30 New York (high: 2h business), replied Monday 10:00: 30 min on
    Friday + 1 h on Monday = 1h30 elapsed, due Monday 10:30 (14:30Z), met."""
    events = pd.DataFrame(
        {
            "ticket_id": ["T-1", "T-1"],
            "at": ["2025-03-07T16:30:00-05:00", "2025-03-10T10:00:00-04:00"],
            "kind": ["created", "agent_replied"],
            "priority": ["high", None],
        }
    )
    row = evaluate_frame(DEFAULT_POLICY, events).iloc[0]
    assert ("first_response", "met", 5400.0) == (row.metric, row.state, row.elapsed_seconds)
    assert pd.Timestamp("2025-03-10T14:30:00Z") == row.due_at


def test_rows_need_not_be_ordered_and_ids_are_deduplicated() -> None:
    """A re-sent event (same id, same content) counts once; rows in any order."""
    events = pa.table(
        {
            "ticket_id": ["T", "T", "T"],
            "at": [
                "2025-03-10T10:00:00-04:00",
                "2025-03-10T09:00:00-04:00",
                "2025-03-10T10:00:00-04:00",
            ],
            "kind": ["agent_replied", "created", "agent_replied"],
            "id": ["r1", "c", "r1"],
            "priority": [None, "normal", None],
        }
    )
    result = evaluate_frame(DEFAULT_POLICY, events)
    first = result.filter(pa.compute.equal(result["metric"], "first_response")).to_pylist()[0]
    assert 3600.0 == first["elapsed_seconds"]  # 09:00 -> 10:00, business hours
    assert [0, 1] == first["events"]


def _bad(**columns: list[Any]) -> pa.Table:
    base: dict[str, list[Any]] = {
        "ticket_id": ["A", "A", "B"],
        "at": ["2025-03-10T09:00:00Z", "2025-03-10T10:00:00Z", "2025-03-10T09:00:00Z"],
        "kind": ["created", "agent_replied", "created"],
        "priority": ["high", None, "normal"],
    }
    base.update(columns)
    return pa.table(base)


@pytest.mark.parametrize(
    ("table", "message"),
    [
        (_bad(at=["2025-03-10T09:00:00Z", "2025-03-10T10:00:00", "2025-03-10T09:00:00Z"]),
         "row 1 (ticket 'A'): at: Input should have timezone info"),
        (_bad(at=["2025-03-10T09:00:00Z", "soon", "2025-03-10T09:00:00Z"]),
         "row 1 (ticket 'A'): at: Input should be a valid datetime"),
        (_bad(at=["2025-03-10T09:00:00Z", None, "2025-03-10T09:00:00Z"]),
         "row 1 (ticket 'A'): at is missing"),
        (_bad(kind=["created", "created", "created"]),
         "row 0 (ticket 'A'): ticket 'A' has 2 'created' events - expected exactly one"),
        (_bad(kind=["agent_replied", "created", "created"]),
         "row 0 (ticket 'A'): agent_replied at 2025-03-10T09:00:00Z is before the ticket was created"),
        (_bad(kind=["created", "status_changed", "created"]),
         "row 1 (ticket 'A'): status is missing: an event of kind 'status_changed' needs it"),
        (_bad(ticket_id=["A", "A", None]), "row 2: ticket_id is missing"),
        (_bad(priority=["high", None, "whenever"]),
         "ticket 'B': unknown priority 'whenever': policy 'b2b-support'"),
    ],
)  # fmt: skip
def test_bad_rows_name_the_row(table: pa.Table, message: str) -> None:
    """A bad row raises an error naming the row (its position) and the ticket."""
    with pytest.raises((TimelineError, PolicyError)) as error:
        evaluate_frame(DEFAULT_POLICY, table)
    assert message in str(error.value)


def test_naive_timestamps_are_an_error() -> None:
    """A timestamp column without a zone is rejected (row 0 named), never read as UTC."""
    events = pd.DataFrame(
        {"ticket_id": ["A"], "at": pd.to_datetime(["2025-03-10 09:00"]), "kind": ["created"]}
    )
    with pytest.raises(
        TimelineError, match=r"row 0 \(ticket 'A'\): at: a timestamp without a time zone"
    ):
        evaluate_frame(DEFAULT_POLICY, events)


def test_missing_columns_are_named() -> None:
    """Without ticket_id/at/kind the error lists what is missing."""
    with pytest.raises(TimelineError, match=r"missing columns \['at', 'kind'\]"):
        evaluate_frame(DEFAULT_POLICY, pa.table({"ticket_id": ["A"]}))


def test_collect_keeps_good_tickets_and_names_the_bad_ones() -> None:
    """errors='collect': ticket A (bad row) is one error row; ticket B is evaluated."""
    table = _bad(at=["2025-03-10T09:00:00Z", "later", "2025-03-10T09:00:00Z"])
    result = evaluate_frame(DEFAULT_POLICY, table, errors="collect").to_pylist()
    failed = [row for row in result if row["error"] is not None]
    assert ["A"] == [row["ticket_id"] for row in failed]
    assert failed[0]["error"].startswith("row 1 (ticket 'A'): at:")
    assert failed[0]["metric"] is None
    assert {"B"} == {row["ticket_id"] for row in result if row["error"] is None}


def test_other_inputs_are_a_type_error() -> None:
    """A list of dicts is not a table: the error says what is expected."""
    with pytest.raises(TypeError, match="expected a pandas DataFrame, a pyarrow Table"):
        evaluate_frame(DEFAULT_POLICY, [{"ticket_id": "A"}])


@pytest.mark.parametrize(
    ("reply", "state"),
    [("2025-03-10T11:00:00-04:00", "met"), ("2025-03-10T11:00:00.000001-04:00", "breached")],
)
def test_a_reply_exactly_at_due_is_met(reply: str, state: str) -> None:
    """High priority, 2 business hours from Monday 09:00 New York: due 11:00; a reply at 11:00
    is met, one microsecond later breached."""
    events = pa.table(
        {
            "ticket_id": ["T", "T"],
            "at": ["2025-03-10T09:00:00-04:00", reply],
            "kind": ["created", "agent_replied"],
            "priority": ["high", None],
        }
    )
    first = evaluate_frame(DEFAULT_POLICY, events).to_pylist()[0]
    assert ("first_response", state) == (first["metric"], first["state"])


def test_an_unknown_kind_or_status_warns_once_per_value() -> None:
    """An event the policy does not know changes no clock, and is never silent: the columnar
    path warns as evaluate does, but once per unknown value for the whole table (naming every
    ticket that has it), not once per ticket; at the caller's line."""
    from slaclock import TimelineWarning, evaluate

    table = pa.table({
        "ticket_id": ["T-1", "T-1", "T-2", "T-2", "T-3", "T-3"],
        "at": ["2025-03-07T16:30:00-05:00", "2025-03-07T16:50:00-05:00"] * 3,
        "kind": ["created", "agent_reply", "created", "status_changed", "created", "agent_reply"],
        "status": [None, None, None, "on-hold", None, None],
        "priority": ["high", None, "normal", None, "high", None],
    })  # fmt: skip
    with pytest.warns(TimelineWarning) as caught:
        rows = evaluate_frame(DEFAULT_POLICY, table).to_pylist()
    warned = {(w.message.problem, w.message.values): w for w in caught}  # type: ignore[union-attr]
    assert [("kind", ("agent_reply",)), ("status", ("on-hold",))] == sorted(warned)
    kind, status = warned["kind", ("agent_reply",)], warned["status", ("on-hold",)]
    assert (("T-1", "T-3"), ("T-2",)) == (kind.message.tickets, status.message.tickets)  # type: ignore[union-attr]
    assert {__file__} == {kind.filename, status.filename}
    # The reasons are evaluate's own, word for word.
    with pytest.warns(TimelineWarning) as seen:
        evaluate(DEFAULT_POLICY, {"ticket_id": "T-1", "events": [
            {"at": "2025-03-07T16:30:00-05:00", "kind": "created", "priority": "high"},
            {"at": "2025-03-07T16:50:00-05:00", "kind": "agent_reply"}]})  # fmt: skip
    assert str(seen[0].message).replace("ticket 'T-1'", "2 tickets ('T-1', 'T-3')") == str(
        kind.message
    )
    assert "did you mean 'agent_replied'?" in str(kind.message)
    # The unknown events changed no clock: T-1's first response is still running.
    assert "running" == next(
        r["state"] for r in rows if r["ticket_id"] == "T-1" and r["metric"] == "first_response"
    )
