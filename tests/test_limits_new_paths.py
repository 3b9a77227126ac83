"""Issue 10's rules on the paths that came with main later: the columnar path (evaluate_frame,
Parquet files, bulk calendar arithmetic), the stored clock state, the streaming clocks and
alerts, the report's contacts file, and the report options' errors."""

from __future__ import annotations

import hashlib
import io
import json
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pytest

from slaclock import Calendar, TicketClock
from slaclock.alerts import alerts
from slaclock.cli import main
from slaclock.errors import (
    ArgumentError,
    ClockStateError,
    OutOfRangeError,
    ReportOptionError,
    TimelineError,
)
from slaclock.frame import evaluate_frame
from slaclock.reports import attainment
from slaclock.synthetic import DEFAULT_POLICY, sample_timelines

UTC = timezone.utc
EXAMPLES = Path(__file__).resolve().parents[1] / "examples"


def _events(**columns: list[Any]) -> pa.Table:
    """Ticket A created 2025-03-07 16:30Z (high), then one more row as given."""
    base: dict[str, list[Any]] = {
        "ticket_id": ["A", "A"],
        "at": ["2025-03-07T16:30:00Z", "2025-03-07T17:00:00Z"],
        "kind": ["created", "agent_replied"],
        "priority": ["high", None],
    }
    return pa.table({**base, **columns})


def test_frame_refuses_an_instant_out_of_range_naming_the_row() -> None:
    """As Event does: 2250 is past the supported range (up to 2200-01-01)."""
    events = _events(at=["2025-03-07T16:30:00Z", "2250-01-01T00:00:00Z"])
    with pytest.raises(TimelineError, match=r"^row 1 \(ticket 'A'\): at out of range: 2250-01-01"):
        evaluate_frame(DEFAULT_POLICY, events)
    # With errors="collect" the ticket becomes one row with the same message.
    collected = evaluate_frame(DEFAULT_POLICY, events, errors="collect")
    assert ["A"] == collected.column("ticket_id").to_pylist()
    assert "at out of range" in collected.column("error").to_pylist()[0]


def test_frame_refuses_timestamps_out_of_range_and_as_of_out_of_range() -> None:
    """Timestamp columns take the fast path: the range is checked there too; so is as_of."""
    stamps = pa.array(
        [datetime(2025, 3, 7, 16, 30, tzinfo=UTC), datetime(1969, 12, 31, tzinfo=UTC)],
        pa.timestamp("us", "UTC"),
    )
    with pytest.raises(TimelineError, match=r"row 1 \(ticket 'A'\): at out of range: 1969-12-31"):
        evaluate_frame(DEFAULT_POLICY, _events(at=stamps))
    with pytest.raises(OutOfRangeError, match="as_of out of range"):
        evaluate_frame(DEFAULT_POLICY, _events(), datetime(2300, 1, 1, tzinfo=UTC))


def test_frame_refuses_a_status_that_contradicts_its_kind() -> None:
    """A 'solved' row with status 'Resolved' would never stop resolution (as in Event)."""
    events = _events(kind=["created", "solved"], status=[None, "Resolved"])
    with pytest.raises(TimelineError, match=r"row 1 \(ticket 'A'\): status 'Resolved' contradicts"):
        evaluate_frame(DEFAULT_POLICY, events)
    same = _events(kind=["created", "solved"], status=[None, "solved"])
    assert evaluate_frame(DEFAULT_POLICY, same).num_rows > 0  # the implied status is fine


@pytest.mark.parametrize(
    ("column", "message"),
    [
        (pa.array([float("inf"), None]), "attributes.score: unsupported attribute value inf"),
        (
            pa.array([{"name": "x"}, None], pa.struct([("name", pa.string())])),
            "attributes.score: unsupported attribute value {'name': 'x'}",
        ),
    ],
)
def test_frame_refuses_attribute_values_the_object_path_refuses(
    column: pa.Array, message: str
) -> None:
    with pytest.raises(TimelineError, match=rf"^row 0 \(ticket 'A'\): {message}"):
        evaluate_frame(DEFAULT_POLICY, _events(score=column))


def test_frame_option_errors_are_argument_errors() -> None:
    with pytest.raises(ArgumentError, match="errors: unknown option 'skip'"):
        evaluate_frame(DEFAULT_POLICY, _events(), errors="skip")  # type: ignore[arg-type]
    with pytest.raises(ArgumentError, match="events: list - expected a pandas DataFrame"):
        evaluate_frame(DEFAULT_POLICY, [])


def test_frame_ticket_rows_use_the_facts_and_the_attributes_in_force() -> None:
    """Closed, then set back to pending: no longer solved (solved_at cleared, as the object
    path); the group changed after creation is the one in force."""
    events = pa.table(
        {
            "ticket_id": ["A"] * 4,
            "at": ["2025-03-07T16:30:00Z", "2025-03-07T17:00:00Z", "2025-03-07T18:00:00Z",
                   "2025-03-07T19:00:00Z"],
            "kind": ["created", "attributes_changed", "closed", "status_changed"],
            "status": [None, None, None, "pending"],
            "priority": ["high", None, None, None],
            "group": ["billing", "tech", None, None],
        }
    )  # fmt: skip
    row = evaluate_frame(DEFAULT_POLICY, events, per_ticket=True).to_pylist()[0]
    assert ("pending", False, None, "tech") == (
        row["status"], row["solved"], row["solved_at"], row["group"]
    )  # fmt: skip


def test_bulk_instants_out_of_range_name_their_position() -> None:
    cal = Calendar.weekdays("UTC")
    starts = np.array(["2025-03-07T16:00", "1960-01-01T00:00"], "datetime64[us]")
    with pytest.raises(OutOfRangeError, match=r"starts\[1\] out of range: 1960-01-01"):
        cal.add_many(starts, "1h")
    late = [datetime(2025, 3, 7, tzinfo=UTC), datetime(2200, 1, 1, tzinfo=UTC)]
    with pytest.raises(OutOfRangeError, match=r"starts\[1\] out of range"):
        cal.add_many(late, "1h")
    with pytest.raises(ArgumentError, match="starts: a numpy int64 array - expected datetime64"):
        cal.add_many(np.array([1, 2]), "1h")


def _resealed(state: dict[str, Any]) -> dict[str, Any]:
    """``state`` with its checksum made right again (a deliberate, consistent forgery)."""
    body = {k: v for k, v in state.items() if k != "checksum"}
    text = json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return {**body, "checksum": hashlib.sha256(text.encode()).hexdigest()}


def test_stored_clock_state_holds_instants_of_the_supported_range_only() -> None:
    """A forged state whose creation instant is 2300: refused naming the range (it used to
    accept anything in the years 1-9999)."""
    timeline = sample_timelines()[0]
    clock = TicketClock(DEFAULT_POLICY, timeline.ticket_id, timeline.attributes)
    for event in timeline.events:
        clock = clock.add(event)
    state = json.loads(json.dumps(clock.to_dict()))
    year_2300 = (datetime(2300, 1, 1, tzinfo=UTC) - datetime(1970, 1, 1, tzinfo=UTC)) // (
        timedelta(microseconds=1)
    )
    state["replay"]["created_at"] = year_2300
    with pytest.raises(ClockStateError, match="outside the supported range"):
        TicketClock.from_dict(_resealed(state), DEFAULT_POLICY)


def test_clock_and_alert_instants_out_of_range() -> None:
    timeline = sample_timelines()[0]
    clock = TicketClock(DEFAULT_POLICY, timeline.ticket_id, timeline.attributes)
    clock = clock.add(timeline.events[0])
    with pytest.raises(OutOfRangeError, match="as_of out of range"):
        clock.result(datetime(2300, 1, 1, tzinfo=UTC))
    with pytest.raises(OutOfRangeError, match="until out of range"):
        alerts(
            timeline,
            datetime(2025, 1, 1, tzinfo=UTC),
            datetime(2300, 1, 1, tzinfo=UTC),
            policy=DEFAULT_POLICY,
        )


def test_event_kinds_and_statuses_keep_their_rule_on_clocks() -> None:
    """The streaming clock reads Event too: a solved event with another status is refused."""
    clock = TicketClock(DEFAULT_POLICY, "T", {"priority": "high"})
    clock = clock.add({"at": "2025-03-07T16:30:00Z", "kind": "created"})
    with pytest.raises(ValueError, match="contradicts kind 'solved'"):
        clock.add({"at": "2025-03-07T17:00:00Z", "kind": "solved", "status": "Resolved"})


def test_report_option_errors_are_argument_errors() -> None:
    """ReportOptionError is an ArgumentError (and so a ValueError and a TypeError)."""
    assert issubclass(ReportOptionError, ArgumentError)
    batch_records: list[dict[str, Any]] = []
    with pytest.raises(ArgumentError, match="cancelled: 'sometimes'"):
        attainment(batch_records, cancelled="sometimes")  # type: ignore[arg-type]


def _run(*argv: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    status = main(list(argv), out=out, err=err)
    return status, out.getvalue(), err.getvalue()


@pytest.mark.parametrize(
    ("name", "text", "message"),
    [
        (
            "contacts.csv",
            "offered_at,answered_at\n2025-03-04T09:00:00Z,2025-03-04T09:00:10Z,extra\n",
            "contacts.csv:2: more cells than the header's 2 columns: extra ['extra']",
        ),
        (
            "contacts.jsonl",
            '{"offered_at": "2025-03-04T09:00:00Z", "offered_at": "2025-03-05T09:00:00Z"}\n',
            "contacts.jsonl:1: key 'offered_at' given twice",
        ),
        (
            "contacts.jsonl",
            '{"offered_at": "2300-03-04T09:00:00Z", "answered_at": "2300-03-04T09:00:10Z"}\n',
            "contacts.jsonl:1: offered_at: offered_at out of range: 2300-03-04T09:00:00+00:00",
        ),
        ("contacts.jsonl", "[1, 2]\n", "contacts.jsonl:1: not a contact: [1, 2]"),
    ],
)
def test_bad_contacts_files_name_file_and_line(
    tmp_path: Path, name: str, text: str, message: str
) -> None:
    """Strict reading, as for events files: a bad line stops the report with exit 2."""
    path = tmp_path / name
    path.write_text(text)
    events = str(EXAMPLES / "events.jsonl")
    policy = str(EXAMPLES / "policies" / "b2b-saas.yaml")
    status, _, err = _run("report", policy, events, "--contacts", str(path))
    assert 2 == status
    assert f"{tmp_path}/{message}" in err


def test_report_with_satisfaction_keeps_the_default_as_of(tmp_path: Path) -> None:
    """--satisfaction evaluates as of the file's latest event too, named in the header: the
    example's last event is T-1005's at 2025-03-13T15:00-04:00 (19:00Z)."""
    events = str(EXAMPLES / "events.jsonl")
    policy = str(EXAMPLES / "policies" / "b2b-saas.yaml")
    status, out, err = _run("report", policy, events, "--satisfaction")
    assert 0 == status, err
    lines = out.splitlines()
    assert "as of 2025-03-13T19:00:00+00:00 (the latest event in the file)" == lines[0]
    assert any(line.startswith("open: ") for line in lines) and "CSAT" in lines


@pytest.mark.parametrize(
    ("name", "text", "message"),
    [
        ("contacts.csv", 'offered_at,answered_at\n"2025-03-04T09:00:00Z,x\n', "not CSV"),
        ("contacts.csv", b"offered_at\n\xff\n", "not UTF-8 text"),
        ("contacts.jsonl", "[" * 100_000 + "\n", "contacts.jsonl:1:"),
    ],
)
def test_unreadable_contacts_files_are_clear_errors(
    tmp_path: Path, name: str, text: str | bytes, message: str
) -> None:
    """An unclosed quote, bytes that are not UTF-8, deep nesting: exit 2 naming the file."""
    path = tmp_path / name
    if isinstance(text, bytes):
        path.write_bytes(text)
    else:
        path.write_text(text)
    policy = str(EXAMPLES / "policies" / "b2b-saas.yaml")
    status, _, err = _run("report", policy, str(EXAMPLES / "events.jsonl"), "--contacts", str(path))
    assert 2 == status
    assert f"slaclock: {tmp_path}/{name}" in err and message in err and "Traceback" not in err
