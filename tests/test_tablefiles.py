"""Parquet in the command line (slaclock.tablefiles): the columnar path, same rows as the object path."""

from __future__ import annotations

import io
import json
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq
from hypothesis import given
from hypothesis import strategies as st

from slaclock.cli import main
from slaclock.synthetic import DEFAULT_POLICY, DEFAULT_POLICY_DATA

from .frame_support import ATTRIBUTES, comparable, expected_rows, random_rows, timelines_of

COLUMNS = ("ticket_id", "at", "kind", "status", "priority", "public", "group", "region")


def _files(tmp_path: Path, rows: list[dict[str, Any]]) -> tuple[Path, Path]:
    policy = tmp_path / "policy.json"
    policy.write_text(json.dumps(DEFAULT_POLICY_DATA))
    events = tmp_path / "events.parquet"
    pq.write_table(pa.table({c: [r.get(c) for r in rows] for c in COLUMNS}), events)
    return policy, events


def _run(*argv: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    status = main(list(argv), out, err)
    return status, out.getvalue(), err.getvalue()


def _key(row: dict[str, Any]) -> tuple[Any, ...]:
    return (row["ticket_id"], row["metric"], row["index"])


def test_parquet_in_and_out(tmp_path: Path) -> None:
    """Parquet events -> Parquet results: evaluate_many's rows on the same tickets."""
    rows = random_rows(21, 40)
    policy, events = _files(tmp_path, rows)
    output = tmp_path / "cycles.parquet"
    assert (0, "", "") == _run("evaluate", str(policy), str(events), "--output", str(output))
    expected = comparable(expected_rows(DEFAULT_POLICY, timelines_of(rows)))
    assert expected == comparable(pq.read_table(output).to_pylist())


def test_json_lines_in_parquet_out(tmp_path: Path) -> None:
    """JSON Lines events (attributes nested, as the CLI reads them) -> Parquet: the same rows."""
    rows = random_rows(22, 30)
    policy, _ = _files(tmp_path, rows)
    events = tmp_path / "events.jsonl"
    with events.open("w") as handle:
        for row in rows:
            data = {k: v for k, v in row.items() if k not in ATTRIBUTES and v is not None}
            attributes = {k: row[k] for k in ATTRIBUTES if row.get(k) is not None}
            if attributes:
                data["attributes"] = attributes
            handle.write(json.dumps(data) + "\n")
    output = tmp_path / "cycles.parquet"
    assert 0 == _run("evaluate", str(policy), str(events), "--output", str(output))[0]
    expected = comparable(expected_rows(DEFAULT_POLICY, timelines_of(rows)))
    result = comparable(pq.read_table(output).to_pylist())
    assert sorted(expected, key=_key) == sorted(result, key=_key)


def test_parquet_in_csv_out(tmp_path: Path) -> None:
    """Parquet events -> CSV on standard output: a header and one line per cycle."""
    rows = random_rows(23, 10)
    policy, events = _files(tmp_path, rows)
    status, out, _ = _run("evaluate", str(policy), str(events), "--format", "csv")
    lines = out.splitlines()
    assert 0 == status
    assert lines[0].startswith("ticket_id,policy,policy_version,as_of,metric,index,state")
    assert len(expected_rows(DEFAULT_POLICY, timelines_of(rows))) == len(lines) - 1


def test_bad_row_names_file_row_and_ticket(tmp_path: Path) -> None:
    """A bad row stops the run (exit 2) naming the file, the row and the ticket; with
    --skip-invalid the other tickets are written and the run exits 1."""
    rows = random_rows(24, 3)
    bad = next(i for i, r in enumerate(rows) if r["kind"] == "created")
    rows[bad]["at"] = "yesterday"
    policy, events = _files(tmp_path, rows)
    output = tmp_path / "cycles.parquet"
    status, _, err = _run("evaluate", str(policy), str(events), "--output", str(output))
    assert 2 == status
    assert f"slaclock: {events}: row {bad} (ticket '{rows[bad]['ticket_id']}'): at:" in err
    status, _, err = _run(
        "evaluate", str(policy), str(events), "--output", str(output), "--skip-invalid"
    )
    assert 1 == status
    assert "skipped 0 malformed line(s) and 1 invalid ticket(s)" in err
    written = {row["ticket_id"] for row in pq.read_table(output).to_pylist()}
    assert rows[bad]["ticket_id"] not in written and len(written) == 2


def test_an_unknown_kind_in_parquet_warns_once_per_value(tmp_path: Path) -> None:
    """An event kind the policy does not know, read from Parquet, gets the warning JSON Lines
    input gets: one line per unknown value, naming the tickets (it was silent)."""
    rows = [
        {"ticket_id": ticket, "at": at, "kind": kind, "priority": priority}
        for ticket in ("T-1", "T-2")
        for at, kind, priority in (
            ("2025-03-07T16:30:00-05:00", "created", "high"),
            ("2025-03-07T16:50:00-05:00", "agent_reply", None),
        )
    ]
    policy, events = _files(tmp_path, rows)
    status, _, err = _run(
        "evaluate", str(policy), str(events), "--output", str(tmp_path / "o.parquet")
    )
    assert 0 == status
    assert (
        "slaclock: warning: event kind 'agent_reply' is not built in and no condition names it, "
        "so it changes no clock - did you mean 'agent_replied'? (2 tickets: 'T-1', 'T-2'); "
        "slaclock validate POLICY --events FILE lists the lines\n"
    ) == err


@given(
    lists=st.lists(
        st.none() | st.lists(st.none() | st.integers(-(2**63), 2**63 - 1), max_size=4),
        max_size=6,
    )
)
def test_integer_lists_as_text_column_wise_as_json_dumps(
    lists: list[list[int | None] | None],
) -> None:
    """Lists of integers (the ``events`` column) become the text json.dumps gives, column-wise;
    a list holding a null is left to json.dumps (the column-wise way would lose it)."""
    from slaclock.tablefiles import _int_lists_text

    column = pa.chunked_array([pa.array(lists, pa.list_(pa.int64()))])
    text = _int_lists_text(column)
    if any(None in items for items in lists if items is not None):
        assert text is None
    else:
        assert [None if items is None else json.dumps(items) for items in lists] == text.to_pylist()
