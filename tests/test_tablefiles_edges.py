"""Parquet on the command line at the edges: odd files give a message naming the file (and the
row and column) and exit 2, never a traceback; odd attribute values still make a Parquet file."""

from __future__ import annotations

import io
import json
from datetime import datetime
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from slaclock import evaluate_frame
from slaclock.cli import main
from slaclock.synthetic import DEFAULT_POLICY, DEFAULT_POLICY_DATA


def _run(*argv: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    status = main(list(argv), out, err)
    return status, out.getvalue(), err.getvalue()


@pytest.fixture
def policy(tmp_path: Path) -> Path:
    path = tmp_path / "policy.json"
    path.write_text(json.dumps(DEFAULT_POLICY_DATA))
    return path


def _created(ticket: str, **attributes: Any) -> str:
    return json.dumps(
        {
            "ticket_id": ticket,
            "at": "2025-03-10T09:00:00-04:00",
            "kind": "created",
            "attributes": {"priority": "normal", **attributes},
        }
    )


@pytest.mark.parametrize(
    ("values", "expected"),
    [
        (("x", 3), ["x", "3"]),  # pyarrow: ArrowTypeError (a traceback, exit 1)
        ((3, "many"), ["3", "many"]),  # pyarrow: ArrowInvalid
        (("x", [1, 2]), ["x", "[1, 2]"]),
        ((True, "yes"), ["true", "yes"]),
    ],
)
def test_an_attribute_of_mixed_types_is_written_as_text(
    tmp_path: Path, policy: Path, values: tuple[Any, Any], expected: list[str]
) -> None:
    """JSON Lines whose tickets give one attribute values of different types (text here, a
    number there) -> Parquet: the column is written as text (JSON for non-text values, as the
    CSV output writes lists), not a crash naming no file and no column."""
    events = tmp_path / "events.jsonl"
    events.write_text(f"{_created('T-1', seats=values[0])}\n{_created('T-2', seats=values[1])}\n")
    output = tmp_path / "cycles.parquet"
    assert (0, "", "") == _run("evaluate", str(policy), str(events), "--output", str(output))
    rows = pq.read_table(output).to_pylist()
    seats = {row["ticket_id"]: row["seats"] for row in rows}
    assert expected == [seats["T-1"], seats["T-2"]]


def test_no_events_in_json_lines_still_write_the_columns(tmp_path: Path, policy: Path) -> None:
    """An empty JSON Lines file -> Parquet: a table with no rows but the result columns (as the
    columnar path writes for an empty Parquet file), not a file with no columns at all."""
    events = tmp_path / "events.jsonl"
    events.write_text("")
    output = tmp_path / "cycles.parquet"
    assert (0, "", "") == _run("evaluate", str(policy), str(events), "--output", str(output))
    written = pq.read_table(output)
    empty = pa.table({"ticket_id": pa.array([], pa.string()), "at": pa.array([], pa.string()),
                      "kind": pa.array([], pa.string())})  # fmt: skip
    assert 0 == written.num_rows
    assert evaluate_frame(DEFAULT_POLICY, empty).schema == written.schema


def _parquet(tmp_path: Path, table: pa.Table) -> Path:
    path = tmp_path / "events.parquet"
    pq.write_table(table, path)
    return path


_GOOD = {
    "ticket_id": ["T-1", "T-1"],
    "at": ["2025-03-10T09:00:00-04:00", "2025-03-10T10:00:00-04:00"],
    "kind": ["created", "agent_replied"],
    "priority": ["high", None],
}


@pytest.mark.parametrize(
    ("table", "message"),
    [
        (pa.table({k: v for k, v in _GOOD.items() if k != "at"}), "events: missing columns ['at']"),
        (pa.table({**_GOOD, "at": [1, 2]}), "row 0 (ticket 'T-1'): at must be a datetime: 1"),
        (pa.table({**_GOOD, "kind": [1, 2]}), "row 0 (ticket 'T-1'): kind: 1 - expected text"),
        (pa.table({**_GOOD, "at": pa.array([datetime(2025, 3, 10, 13)] * 2, pa.timestamp("us"))}),
         "row 0 (ticket 'T-1'): at: a timestamp without a time zone"),
        (pa.table({**_GOOD, "public": [None, "maybe"]}),
         "row 1 (ticket 'T-1'): public: 'maybe' - expected true or false"),
        (pa.Table.from_arrays([pa.array(v) for v in [*_GOOD.values(), ["a", "b"], ["c", "d"]]],
                              names=[*_GOOD, "tier", "tier"]),
         "events: column 'tier' appears 2 times - expected each column once"),
    ],
)  # fmt: skip
def test_bad_parquet_events_exit_2_naming_file_row_and_column(
    tmp_path: Path, policy: Path, table: pa.Table, message: str
) -> None:
    """Missing or mistyped columns, naive timestamps, a column twice: exit 2, one line naming
    the file, the row and the column; no traceback."""
    events = _parquet(tmp_path, table)
    status, out, err = _run("evaluate", str(policy), str(events), "--format", "csv")
    assert (2, "") == (status, out)
    assert f"slaclock: {events}: {message}" in err
    assert "Traceback" not in err and 1 == len(err.strip().splitlines())


def test_a_file_that_is_not_parquet_exits_2_naming_it(tmp_path: Path, policy: Path) -> None:
    """Text in a .parquet file: exit 2 and a message naming the file."""
    events = tmp_path / "events.parquet"
    events.write_text("ticket_id,at,kind\n")
    status, _, err = _run("evaluate", str(policy), str(events))
    assert 2 == status
    assert str(events) in err and "Parquet" in err


@pytest.mark.parametrize("suffix", [".csv", ".jsonl", ".parquet"])
def test_an_empty_parquet_file_gives_the_columns_and_no_rows(
    tmp_path: Path, policy: Path, suffix: str
) -> None:
    """A Parquet file with the columns and no rows: exit 0, a header (CSV), nothing (JSON Lines)
    or an empty table with the result columns (Parquet)."""
    events = _parquet(tmp_path, pa.table({k: pa.array([], pa.string()) for k in _GOOD}))
    output = tmp_path / f"cycles{suffix}"
    assert (0, "", "") == _run("evaluate", str(policy), str(events), "--output", str(output))
    if suffix == ".csv":
        assert output.read_text().startswith("ticket_id,policy,policy_version,as_of,metric,")
        assert 1 == len(output.read_text().splitlines())
    elif suffix == ".jsonl":
        assert "" == output.read_text()
    else:
        assert 0 == pq.read_table(output).num_rows


def test_skip_invalid_with_parquet_lists_the_bad_tickets_and_exits_1(
    tmp_path: Path, policy: Path
) -> None:
    """--skip-invalid: the good ticket is written, the bad one listed (file, row, ticket), exit 1."""
    table = pa.table(
        {
            "ticket_id": ["T-1", "T-1", "T-2"],
            "at": ["2025-03-10T09:00:00-04:00", "later", "2025-03-10T09:00:00-04:00"],
            "kind": ["created", "agent_replied", "created"],
            "priority": ["high", None, "normal"],
        }
    )
    events = _parquet(tmp_path, table)
    output = tmp_path / "cycles.jsonl"
    status, _, err = _run(
        "evaluate", str(policy), str(events), "--skip-invalid", "--output", str(output)
    )
    assert 1 == status
    assert f"{events}: row 1 (ticket 'T-1'): at:" in err
    written = [json.loads(line) for line in output.read_text().splitlines()]
    assert {"T-2"} == {row["ticket_id"] for row in written}


def test_json_lines_to_parquet_has_the_columnar_paths_types(tmp_path: Path, policy: Path) -> None:
    """No cycle breached: breached_at and overdue_by_seconds have no value in any row; written
    from JSON Lines they are still a UTC timestamp and a double, as from Parquet events (they
    were of pyarrow's null type, so the two files' schemas differed)."""
    events = tmp_path / "events.jsonl"
    events.write_text(_created("T-1") + "\n")
    output = tmp_path / "cycles.parquet"
    assert (0, "", "") == _run("evaluate", str(policy), str(events), "--output", str(output))
    written = pq.read_schema(output)
    assert pa.timestamp("us", "UTC") == written.field("breached_at").type
    assert pa.float64() == written.field("overdue_by_seconds").type
