"""CSV records (slaclock.writers.write_csv) against a reference: the writer as it was, which
turned every record into a JSON object in a spool file and read it back before writing its row.
The same bytes, for the engine's records and for odd values a caller may pass."""

from __future__ import annotations

import csv
import enum
import io
import json
import math
import tempfile
from collections.abc import Iterable, Mapping
from datetime import date, datetime, timedelta, timezone
from decimal import Decimal
from typing import IO, Any

from hypothesis import given
from hypothesis import strategies as st

from slaclock.analytics import iter_records
from slaclock.records import DURATION_FIELDS, record_columns
from slaclock.synthetic import DEFAULT_POLICY
from slaclock.writers import _cell, _json_record, _json_value, write_csv
from tests.strategies import synthetic_tickets


def reference_write_csv(records: Iterable[Mapping[str, Any]], handle: IO[str]) -> int:
    """write_csv without ``columns`` before it wrote cells directly (the reference model)."""
    with tempfile.TemporaryFile("w+", encoding="utf-8") as spool:
        seen: dict[str, None] = {}
        count = 0
        for record in records:
            for key in record:
                seen[key] = None
            spool.write(json.dumps(_json_record(record), default=str) + "\n")
            count += 1
        names = record_columns([seen]) if count else record_columns([])
        header = [_json_value(name, None)[0] if name in DURATION_FIELDS else name for name in names]
        spool.seek(0)
        writer = csv.writer(handle)
        writer.writerow(header)
        for line in spool:
            data = json.loads(line)
            writer.writerow([_cell(data.get(key)) for key in header])
    return count


def _both(records: list[dict[str, Any]]) -> tuple[tuple[int, str], tuple[int, str]]:
    new, old = io.StringIO(), io.StringIO()
    return (write_csv(records, new), new.getvalue()), (
        reference_write_csv(records, old),
        old.getvalue(),
    )


@given(
    tickets=st.lists(synthetic_tickets, min_size=1, max_size=4),
    extra=st.lists(
        st.dictionaries(
            st.sampled_from(["tier", "seats", "=formula", "tags", "region"]),
            st.one_of(
                st.text(max_size=5),
                st.sampled_from(["=1+1", "-2", "@SUM(A1)", "\tx", "a\nb", 'say "hi"']),
                st.integers(),
                st.floats(allow_nan=False, allow_infinity=False),
                st.booleans(),
                st.lists(st.text(max_size=3), max_size=2),
            ),
            max_size=3,
        ),
        min_size=1,
        max_size=4,
    ),
)
def test_engine_records_are_written_as_before(
    tickets: list[Any], extra: list[dict[str, Any]]
) -> None:
    """Records of random tickets, each ticket with its own attributes (so later records bring
    new columns, and rows written before them get empty cells): the same CSV as the reference."""
    timelines = [
        ticket.model_copy(update={"attributes": {**ticket.attributes, **more}})
        for ticket, more in zip(tickets, extra * len(tickets))
    ]
    records = list(iter_records(DEFAULT_POLICY, timelines, failures=[]))
    new, old = _both(records)
    assert old == new


class Colour(enum.IntEnum):
    RED = 1


def test_odd_values_are_written_as_before() -> None:
    """Values outside the engine's types: written as their JSON form read back, as before (a
    Decimal -1 becomes the text '-1', escaped as a formula; a date its ISO text; an IntEnum its
    number; an attribute named like a duration column overrides that column)."""
    at = datetime(2025, 3, 10, 9, tzinfo=timezone.utc)
    records = [
        {"ticket_id": "T1", "elapsed": timedelta(seconds=90), "as_of": at, "index": 0},
        {"ticket_id": "T2", "tier": Decimal("-1"), "day": date(2025, 3, 10), "colour": Colour.RED},
        {"ticket_id": "=T3", "nested": [[1, 2], {"a": None}], "pair": (1, "x"), "none": None},
        {"ticket_id": "T4", "elapsed": timedelta(seconds=5), "elapsed_seconds": "mine"},
        {"ticket_id": "T5", "ratio": math.nan, "big": 10**30, "flag": True, "mapping": {1: 2}},
        {"ticket_id": "T6", "events": (3, 4), "percent_used": 12.5, "state": "-running"},
    ]
    new, old = _both(records)
    assert old == new
    rows = list(csv.reader(io.StringIO(new[1])))
    header = rows[0]
    assert "'-1" == rows[2][header.index("tier")]
    assert "mine" == rows[4][header.index("elapsed_seconds")]  # the attribute, as before


def test_no_records_give_the_header_only() -> None:
    """No record: the record fields as the header, nothing else."""
    new, old = _both([])
    assert old == new
    assert (0, "ticket_id,policy,policy_version,as_of,metric") == (new[0], new[1][:44])
