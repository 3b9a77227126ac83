"""The command line, in-process and as the installed console script, on the example files and on
every error path."""

from __future__ import annotations

import csv
import io
import json
import subprocess
import sys
import tracemalloc
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from slaclock import Timeline, evaluate
from slaclock.cli import draw, main
from slaclock.synthetic import DEFAULT_POLICY, generate_timelines

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = ROOT / "examples"
POLICY = str(EXAMPLES / "policies" / "b2b-saas.yaml")
EVENTS = str(EXAMPLES / "events.jsonl")
AS_OF = "2025-03-13T16:00:00-04:00"


def run(*argv: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    status = main(list(argv), out=out, err=err)
    return status, out.getvalue(), err.getvalue()


def test_demo_prints_every_sample_ticket() -> None:
    """The README's first command: five tickets, no colour when not a terminal."""
    status, out, _ = run("demo")
    assert 0 == status
    assert 5 == out.count("ticket T-10")
    assert "\x1b[" not in out


def test_evaluate_table_and_json_formats_agree() -> None:
    """--format json is a list of results in the engine's JSON form, one per ticket."""
    status, out, _ = run("evaluate", POLICY, EVENTS, "--as-of", AS_OF, "--format", "json")
    results = json.loads(out)
    assert 0 == status
    assert ["T-1001", "T-1002", "T-1003", "T-1004", "T-1005"] == [r["ticket_id"] for r in results]
    # T-1002: urgent, created Sat 22:10, 30m in calendar time -> due 22:40; replied 23:30.
    first = results[1]["metrics"]["first_response"]["cycles"][0]
    assert ("breached", "2025-03-08T22:40:00-05:00") == (first["state"], first["due_at"])


def test_csv_and_jsonl_events_give_the_same_results() -> None:
    """The CSV sample holds the same events as the JSON Lines sample."""
    _, from_jsonl, _ = run("evaluate", POLICY, EVENTS, "--as-of", AS_OF, "--format", "jsonl")
    _, from_csv, _ = run(
        "evaluate", POLICY, str(EXAMPLES / "events.csv"), "--as-of", AS_OF, "--format", "jsonl"
    )
    assert from_jsonl == from_csv


def test_evaluate_writes_csv_records_to_a_file(tmp_path: Path) -> None:
    """--format csv --output FILE writes one row per cycle."""
    target = tmp_path / "out.csv"
    status, _, _ = run("evaluate", POLICY, EVENTS, "--format", "csv", "--output", str(target))
    lines = target.read_text().splitlines()
    assert 0 == status
    assert lines[0].startswith("ticket_id,")
    assert 10 == len(lines) - 1  # 5 tickets x 2 metrics, one cycle each


def test_report_groups_by_attributes() -> None:
    """report --by priority,group prints an attainment table."""
    status, out, _ = run(
        "report", POLICY, EVENTS, "--by", "priority,group", "--metric", "first_response"
    )
    assert 0 == status
    assert [
        "priority",
        "group",
        "metric",
        "met",
        "breached",
        "overdue",
        "attainment",
    ] == out.splitlines()[1].split()  # after the "as of ..." line


def test_report_without_as_of_uses_the_files_latest_event(tmp_path: Path) -> None:
    """Ticket A is never answered; B's reply on Tuesday is the file's latest event. Evaluated
    as of that instant (not A's own last event), A's 1h first response is overdue."""
    events = tmp_path / "events.jsonl"
    events.write_text(
        '{"ticket_id": "A", "at": "2025-03-03T09:00:00Z", "kind": "created", "attributes": {"priority": "high"}}\n'
        '{"ticket_id": "B", "at": "2025-03-03T09:00:00Z", "kind": "created", "attributes": {"priority": "high"}}\n'
        '{"ticket_id": "B", "at": "2025-03-04T09:10:00Z", "kind": "agent_replied"}\n'
    )
    status, out, _ = run("report", POLICY, str(events), "--metric", "first_response")
    lines = out.splitlines()
    assert 0 == status
    assert "as of 2025-03-04T09:10:00+00:00 (the latest event in the file)" == lines[0]
    assert lines[-1].endswith("overdue: 1")


def test_explain_draws_the_clocks() -> None:
    """explain marks the breach of T-1003's first response with an X and shows the legend."""
    status, out, _ = run("explain", POLICY, EVENTS, "--ticket", "T-1003", "--as-of", AS_OF)
    row = next(line for line in out.splitlines() if line.startswith("first_response #0"))
    assert 0 == status
    assert "█ counted  ░ closed  ┄ paused" in out
    assert "X" in row and row.endswith("breached")


def test_explain_orders_the_clocks_as_instants_across_a_dst_fold() -> None:
    """New York falls back on 2 Nov 2025: the reply clock opened at the second 01:10 (EST,
    06:10Z) starts after the first response clock opened at the first 01:40 (EDT, 05:40Z),
    though its wall clock reads earlier; the drawing starts at 01:40."""
    zone = ZoneInfo("America/New_York")
    timeline = Timeline.model_validate(
        {
            "ticket_id": "F",
            "attributes": {"priority": "urgent"},
            "events": [
                {"at": datetime(2025, 11, 2, 1, 40, tzinfo=zone), "kind": "created"},
                {"at": datetime(2025, 11, 2, 1, 50, tzinfo=zone), "kind": "agent_replied"},
                {
                    "at": datetime(2025, 11, 2, 1, 10, fold=1, tzinfo=zone),
                    "kind": "customer_replied",
                },
            ],
        }
    )
    as_of = datetime(2025, 11, 2, 1, 20, fold=1, tzinfo=zone)
    picture = draw(evaluate(DEFAULT_POLICY, timeline, as_of, explain=True))
    assert "policy b2b-support - 2025-11-02 01:40 .. " in picture.splitlines()[0]


def test_explain_unknown_ticket_is_an_error() -> None:
    """An unknown --ticket exits 2 and says so."""
    status, _, err = run("explain", POLICY, EVENTS, "--ticket", "T-9")
    assert (2, "slaclock: --ticket: no ticket 'T-9'") == (status, err.split(" in ")[0])


def test_due_and_elapsed_on_a_calendar_file() -> None:
    """Fri 16:30 EST + 8h = 30m Friday + 7h30 Monday = Mon 16:30 EDT (shown in the calendar's zone)."""
    assert (0, "2025-03-10T16:30:00-04:00\n", "") == run(
        "due", POLICY, "--start", "2025-03-07T16:30:00-05:00", "--target", "8h"
    )
    assert (0, "8h\n", "") == run(
        "elapsed",
        POLICY,
        "--start",
        "2025-03-07T16:30:00-05:00",
        "--end",
        "2025-03-10T16:30:00-04:00",
    )


def test_due_in_business_days_like_a_policy_target() -> None:
    """'2 business days' from Fri 16:30: the close of the 2nd business day after Friday, Tue
    17:00 EDT; an unreadable target still names the duration syntax."""
    assert (0, "2025-03-11T17:00:00-04:00\n", "") == run(
        "due", POLICY, "--start", "2025-03-07T16:30:00-05:00", "--target", "2 business days"
    )
    status, _, err = run(
        "due", POLICY, "--start", "2025-03-07T16:30:00-05:00", "--target", "2 dayz"
    )
    assert 2 == status
    assert "unreadable duration: '2 dayz'" in err


def test_validate_lists_every_error(tmp_path: Path) -> None:
    """validate reports all problems, each with file, line, path, value and expectation."""
    bad = tmp_path / "bad.yaml"
    bad.write_text(
        "name: p\nmetrics:\n  first_response:\n    targets: {urgent: 4 hourz}\n    colour: red\n"
    )
    status, _, err = run("validate", str(bad))
    assert 2 == status
    assert [
        f"slaclock: {bad}:4: metrics.first_response.targets.urgent: unreadable duration: '4 hourz' - expected e.g. '4h', '30m', '1h30m', '90s' or ISO 8601 'PT4H'",
        f"slaclock: {bad}:5: metrics.first_response.colour: unknown key 'colour' - check the spelling; unknown keys are errors",
    ] == err.splitlines()


def test_schema_is_json_schema() -> None:
    """schema prints a JSON Schema with the policy's fields."""
    status, out, _ = run("schema")
    schema = json.loads(out)
    assert 0 == status
    assert "https://json-schema.org/draft/2020-12/schema" == schema["$schema"]
    assert "Policy" in schema["$defs"]


def test_malformed_lines_stop_with_file_and_line(tmp_path: Path) -> None:
    """A bad line exits 2 naming file and line; --skip-invalid goes on, reports, exits 1."""
    events = tmp_path / "events.jsonl"
    events.write_text(
        '{"ticket_id": "A", "at": "2025-03-03T09:00:00Z", "kind": "created", "attributes": {"priority": "high"}}\n'
        "not json\n"
        '{"ticket_id": "B", "at": "2025-03-03T09:00:00", "kind": "created"}\n'
    )
    status, _, err = run("evaluate", POLICY, str(events))
    assert (2, f"slaclock: {events}:2: not valid JSON: Expecting value") == (status, err.strip())
    status, out, err = run("evaluate", POLICY, str(events), "--skip-invalid", "--format", "jsonl")
    assert 1 == status
    assert ["A"] == [json.loads(line)["ticket_id"] for line in out.splitlines()]
    assert f"{events}:3: ticket 'B': at: Input should have timezone info" in err
    assert "skipped 1 malformed line(s) and 1 invalid ticket(s)" in err


def test_interleaved_tickets_are_grouped(tmp_path: Path) -> None:
    """Events of several tickets interleaved (each ticket's own order kept) are grouped per
    ticket (in memory) and give the same results."""
    lines = Path(EVENTS).read_text().splitlines()
    position: dict[str, int] = {}
    keyed = []
    for line in lines:
        ticket = json.loads(line)["ticket_id"]
        position[ticket] = position.get(ticket, -1) + 1
        keyed.append(((position[ticket], ticket), line))
    shuffled = tmp_path / "shuffled.jsonl"
    shuffled.write_text("\n".join(line for _, line in sorted(keyed)) + "\n")
    _, expected, _ = run("evaluate", POLICY, EVENTS, "--as-of", AS_OF, "--format", "jsonl")
    _, got, _ = run("evaluate", POLICY, str(shuffled), "--as-of", AS_OF, "--format", "jsonl")
    assert sorted(expected.splitlines()) == sorted(got.splitlines())


def test_bad_arguments_exit_2() -> None:
    """A naive --as-of and an unknown command are usage errors."""
    status, _, err = run("evaluate", POLICY, EVENTS, "--as-of", "2025-03-13T16:00")
    assert (
        2,
        "slaclock: --as-of: '2025-03-13T16:00' has no UTC offset - expected e.g. 2025-03-07T16:30:00+01:00",
    ) == (status, err.strip())
    assert 2 == main(["frobnicate"], out=io.StringIO(), err=io.StringIO())


def test_every_command_has_help_with_an_example(capsys: pytest.CaptureFixture[str]) -> None:
    """--help works on every command and shows an example."""
    for command in (
        "demo",
        "evaluate",
        "report",
        "explain",
        "due",
        "elapsed",
        "validate",
        "schema",
    ):
        assert 0 == main([command, "--help"])
        assert "Example:" in capsys.readouterr().out


def test_large_sorted_file_streams_in_bounded_memory(tmp_path: Path) -> None:
    """4,000 tickets sorted by ticket: peak memory stays far below the file's parsed size."""
    events = tmp_path / "big.jsonl"
    with events.open("w") as handle:
        for timeline in generate_timelines(4_000, seed=3):
            for index, event in enumerate(timeline.events):
                row = {
                    "ticket_id": timeline.ticket_id,
                    **event.model_dump(mode="json", exclude_none=True),
                }
                if index == 0:
                    row["attributes"] = timeline.attributes
                handle.write(json.dumps(row) + "\n")
    sink = tmp_path / "out.jsonl"
    tracemalloc.start()
    status, _, _ = run("evaluate", POLICY, str(events), "--format", "jsonl", "--output", str(sink))
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    assert 0 == status
    assert 4_000 == len(sink.read_text().splitlines())
    # Holding every parsed timeline would take tens of MiB; streaming holds one ticket at a time.
    assert peak < 8 * 2**20, f"peak {peak / 2**20:.1f} MiB"


def test_console_script_runs_as_a_subprocess() -> None:
    """The installed entry point and python -m slaclock both work."""
    script = Path(sys.executable).parent / "slaclock"
    done = subprocess.run([str(script), "--version"], capture_output=True, text=True, check=False)
    assert (0, "slaclock") == (done.returncode, done.stdout.split()[0])
    done = subprocess.run(
        [sys.executable, "-m", "slaclock", "validate", POLICY],
        capture_output=True,
        text=True,
        check=False,
    )
    assert 0 == done.returncode and "valid (1 policy: b2b-saas)" in done.stdout


def test_a_ticket_the_policy_cannot_evaluate_is_named_never_dropped(tmp_path: Path) -> None:
    """A well-formed ticket whose priority the policy has no target for stops evaluate and
    report (exit 2, naming the ticket); with --skip-invalid it is reported beside bad lines."""
    good = '{"ticket_id": "A", "at": "2025-03-03T09:00:00Z", "kind": "created", "attributes": {"priority": "high"}}\n'
    unknown = '{"ticket_id": "B", "at": "2025-03-03T09:00:00Z", "kind": "created", "attributes": {"priority": "p9"}}\n'
    events = tmp_path / "events.jsonl"
    events.write_text(good + unknown)
    for command in (("evaluate",), ("report",), ("evaluate", "--format", "csv")):
        status, _, err = run(*command[:1], POLICY, str(events), *command[1:])
        assert 2 == status
        assert f"slaclock: {events}: ticket 'B': unknown priority 'p9'" in err
    events.write_text(good + unknown + "not json\n")
    status, out, err = run("evaluate", POLICY, str(events), "--skip-invalid", "--format", "jsonl")
    assert 1 == status
    assert ["A"] == [json.loads(line)["ticket_id"] for line in out.splitlines()]
    assert "skipped 1 malformed line(s) and 1 invalid ticket(s)" in err  # in one list
    assert f"{events}: ticket 'B': unknown priority 'p9'" in err
    status, _, err = run("report", POLICY, str(events), "--skip-invalid")
    assert 1 == status
    assert "skipped 1 malformed line(s) and 1 invalid ticket(s)" in err
    status, out, err = run("evaluate", POLICY, str(events), "--skip-invalid", "--format", "csv")
    assert 1 == status
    assert {"A"} == {row.split(",")[0] for row in out.splitlines()[1:]}
    assert f"{events}: ticket 'B': unknown priority 'p9'" in err


@pytest.mark.parametrize(
    "policy", sorted((EXAMPLES / "policies").glob("*.yaml")), ids=lambda p: p.name
)
@pytest.mark.parametrize("events", ["events.jsonl", "events.csv"])
def test_every_example_policy_evaluates_the_sample_events(policy: Path, events: str) -> None:
    """A new user's first try: any example policy on either sample file runs cleanly, and
    every ticket gets a result."""
    status, out, err = run("evaluate", str(policy), str(EXAMPLES / events), "--format", "jsonl")
    assert (0, "") == (status, err)
    assert ["T-1001", "T-1002", "T-1003", "T-1004", "T-1005"] == [
        json.loads(line)["ticket_id"] for line in out.splitlines()
    ]


@pytest.mark.parametrize("width", ["0", "-5", "100000"])
def test_explain_width_out_of_range_is_a_usage_error(width: str) -> None:
    """explain --width 0 exits 2 with a message (it raised IndexError)."""
    status, _, err = run("explain", POLICY, EVENTS, "--ticket", "T-1003", "--width", width)
    assert (2, f"slaclock: --width: {width} - expected 10 to 1000 characters") == (
        status,
        err.strip(),
    )


def test_csv_output_keeps_attributes_later_tickets_add_and_escapes_formulas(tmp_path: Path) -> None:
    """The second ticket's 'tier' gets a column; a '=HYPERLINK' group is written as text."""
    events = tmp_path / "events.jsonl"
    events.write_text(
        '{"ticket_id": "A", "at": "2025-03-03T09:00:00Z", "kind": "created", "attributes": {"priority": "high"}}\n'
        '{"ticket_id": "B", "at": "2025-03-03T09:00:00Z", "kind": "created", "attributes": '
        '{"priority": "high", "tier": "gold", "group": "=HYPERLINK(\\"http://x\\")"}}\n'
    )
    status, out, _ = run("evaluate", POLICY, str(events), "--format", "csv")
    rows = list(csv.DictReader(io.StringIO(out)))
    assert 0 == status
    assert {"A": "", "B": "gold"} == {
        r["ticket_id"]: r["tier"] for r in rows if r["metric"] == "first_response"
    }
    assert {'\'=HYPERLINK("http://x")'} == {r["group"] for r in rows if r["ticket_id"] == "B"}


def test_due_with_a_huge_business_days_target_is_refused_at_once() -> None:
    """due --target '99999999 business days' hung; now exit 2 naming the limit."""
    status, _, err = run(
        "due", POLICY, "--start", "2025-03-07T16:30:00-05:00", "--target", "99999999 business days"
    )
    assert (
        2,
        "slaclock: --target: '99999999 business days' - expected 1 to 3660 business days",
    ) == (
        status,
        err.strip(),
    )


def test_due_far_in_the_future_is_out_of_range() -> None:
    """A start in 9025 exits 2 with the supported range, not an OverflowError."""
    status, _, err = run("due", POLICY, "--start", "9025-03-07T16:30:00-05:00", "--target", "8h")
    assert 2 == status
    assert "expected an instant from 1970-01-01T00:00:00Z up to 2200-01-01T00:00:00Z" in err


def test_validate_notes_a_policy_measured_24x7(tmp_path: Path) -> None:
    """No calendar: valid, with a note saying targets are measured 24x7."""
    policy = tmp_path / "p.yaml"
    policy.write_text("name: p\nmetrics:\n  resolution: {targets: {normal: 4h}}\n")
    status, out, _ = run("validate", str(policy))
    lines = out.splitlines()
    assert 0 == status
    assert [f"{policy}: valid (1 policy: p)"] == lines[:1]
    assert 2 == len(lines)
    assert lines[1].startswith("note: policy 'p': no calendar - targets are measured 24x7")


def test_validate_notes_business_days_on_calendar_time(tmp_path: Path) -> None:
    """A '2 business days' target with no calendar: valid (each day closes at midnight), with a
    note saying why it is odd beside the no-calendar note."""
    policy = tmp_path / "p.yaml"
    policy.write_text("name: p\nmetrics:\n  resolution: {targets: {normal: 2 business days}}\n")
    status, out, _ = run("validate", str(policy))
    lines = out.splitlines()
    assert (0, 3) == (status, len(lines))
    assert lines[2].startswith(
        "note: policy 'p': metrics.resolution.targets.normal: '2 business days' on a calendar "
        "that is always open - every day is a business day there, closing at midnight"
    )


def _events_file(path: Path, tickets: int) -> Path:
    with path.open("w", encoding="utf-8") as handle:
        for timeline in generate_timelines(tickets, seed=11):
            for event in timeline.events:
                data = event.model_dump(mode="json", exclude_none=True)
                if event.kind == "created":
                    data["attributes"] = {**timeline.attributes, **data.get("attributes", {})}
                handle.write(json.dumps({"ticket_id": timeline.ticket_id, **data}) + "\n")
    return path


def test_report_memory_does_not_grow_with_the_tickets(tmp_path: Path) -> None:
    """report tallies as it streams: 4 times the tickets, about the same peak memory (it kept
    every record: 1 GB for 200,000 tickets)."""
    files = {count: _events_file(tmp_path / f"events-{count}.jsonl", count) for count in (200, 800)}
    # Warm the calendar tables and holiday years the tickets' dates need: they are kept (and
    # bounded by the dates), not grown by the tickets.
    main(["report", POLICY, str(files[800])], io.StringIO(), io.StringIO())
    peaks = []
    for events in files.values():
        tracemalloc.start()
        try:
            assert 0 == main(["report", POLICY, str(events)], io.StringIO(), io.StringIO())
            peaks.append(tracemalloc.get_traced_memory()[1])
        finally:
            tracemalloc.stop()
    # Measured: about 2.5 KB more per ticket from 200 to 800, then flat (3,200 tickets peak no
    # higher than 800); keeping every record cost about 16 KB per ticket.
    assert (peaks[1] - peaks[0]) / 600 < 8_000


def test_as_of_out_of_range_is_one_error_for_the_run() -> None:
    """--as-of 9999-12-31 is refused once, naming the option (not once per ticket, where
    --skip-invalid would skip every ticket)."""
    status, _, err = run(
        "evaluate", POLICY, EVENTS, "--as-of", "9999-12-31T00:00:00Z", "--skip-invalid"
    )
    assert 2 == status
    assert err.startswith("slaclock: --as-of out of range: 9999-12-31T00:00:00+00:00")
