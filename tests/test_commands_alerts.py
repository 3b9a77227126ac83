"""Tests of the `slaclock alerts` command (slaclock.commands.alerts and its cli.py hook)."""

from __future__ import annotations

import io
import json
from datetime import datetime
from pathlib import Path

from slaclock.alerts import alerts
from slaclock.cli import main
from slaclock.files import load_policy, read_timelines
from slaclock.timeline import Timeline

POLICY = "examples/policies/b2b-saas.yaml"
EVENTS = "examples/events.jsonl"
SINCE, UNTIL = "2025-03-10T00:00:00Z", "2025-03-14T00:00:00Z"


def run(*argv: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    status = main(list(argv), out=out, err=err)
    return status, out.getvalue(), err.getvalue()


def test_json_lines_are_the_alerts_of_the_library() -> None:
    """Each line is one Alert as alerts() gives it for the file's tickets, in time order."""
    status, out, err = run("alerts", POLICY, EVENTS, "--since", SINCE, "--until", UNTIL)
    assert (0, "") == (status, err)
    tickets = [t for t in read_timelines(EVENTS) if isinstance(t, Timeline)]
    since = datetime.fromisoformat(SINCE.replace("Z", "+00:00"))
    until = datetime.fromisoformat(UNTIL.replace("Z", "+00:00"))
    expected = [
        json.loads(a.model_dump_json())
        for a in alerts(tickets, since, until, policy=load_policy(POLICY))
    ]
    lines = [json.loads(line) for line in out.splitlines()]
    assert expected == lines
    assert len(lines) > 3


def test_kind_due_and_the_table() -> None:
    """--kind due keeps due alerts only; the table has a header and one row per alert."""
    status, out, _ = run(
        "alerts", POLICY, EVENTS, "--since", SINCE, "--until", UNTIL, "--kind", "due"
    )
    due = [json.loads(line) for line in out.splitlines()]
    assert 0 == status and due and {"due"} == {a["kind"] for a in due}
    status, table, _ = run(
        "alerts",
        POLICY,
        EVENTS,
        "--since",
        SINCE,
        "--until",
        UNTIL,
        "--kind",
        "due",
        "--format",
        "table",
    )
    assert 0 == status
    assert table.startswith("at ") and len(due) + 1 == len(table.splitlines())


def test_routing_data_from_a_policy_file_reaches_the_alert(tmp_path: Path) -> None:
    """notify and level declared on a threshold in YAML come out on its alert unchanged."""
    policy = tmp_path / "p.yaml"
    policy.write_text(
        "name: p\nmetrics:\n  first_response:\n    targets: {high: 1h}\n    thresholds:\n"
        "      - {name: escalate, after_due: 30m, notify: [team-lead, duty-manager], level: 2}\n"
    )
    events = tmp_path / "e.jsonl"
    events.write_text(
        '{"ticket_id": "T-1", "at": "2025-01-06T09:00:00Z", "kind": "created", "priority": "high"}\n'
    )
    status, out, err = run(
        "alerts",
        str(policy),
        str(events),
        "--since",
        "2025-01-06T09:00:00Z",
        "--until",
        "2025-01-06T11:00:00Z",
    )
    assert (0, "") == (status, err)
    lines = [json.loads(line) for line in out.splitlines()]
    # created 09:00, 1h target: due 10:00; escalate 30m after due: 10:30.
    assert [
        ("due", None, None, "2025-01-06T10:00:00Z"),
        ("escalate", ["team-lead", "duty-manager"], 2, "2025-01-06T10:30:00Z"),
    ] == [(a["name"], a["notify"], a["level"], a["at"]) for a in lines]


def test_bad_windows_exit_2_with_a_message() -> None:
    """A backwards window or an instant without an offset: a message and exit status 2."""
    status, _, err = run("alerts", POLICY, EVENTS, "--since", UNTIL, "--until", SINCE)
    assert 2 == status and "--until 2025-03-10T00:00:00Z is before --since" in err
    status, _, err = run("alerts", POLICY, EVENTS, "--since", "2025-03-10T00:00", "--until", UNTIL)
    assert 2 == status and "--since: '2025-03-10T00:00' has no UTC offset" in err


def test_skip_invalid_reports_the_ticket_and_exits_1(tmp_path: Path) -> None:
    """A ticket the policy cannot evaluate (unknown priority) stops the run (exit 2) naming it,
    or with --skip-invalid is skipped and reported (exit 1) while the others' alerts print."""
    policy = tmp_path / "p.yaml"
    policy.write_text("name: p\nmetrics:\n  first_response:\n    targets: {high: 1h}\n")
    events = tmp_path / "e.jsonl"
    events.write_text(
        '{"ticket_id": "T-1", "at": "2025-01-06T09:00:00Z", "kind": "created", "priority": "high"}\n'
        '{"ticket_id": "T-2", "at": "2025-01-06T09:00:00Z", "kind": "created", "priority": "vip"}\n'
    )
    window = ("--since", "2025-01-06T09:00:00Z", "--until", "2025-01-06T11:00:00Z")
    status, _, err = run("alerts", str(policy), str(events), *window)
    assert 2 == status and "ticket 'T-2'" in err and "unknown priority 'vip'" in err
    status, out, err = run("alerts", str(policy), str(events), *window, "--skip-invalid")
    assert 1 == status and "skipped 0 malformed line(s) and 1 invalid ticket(s)" in err
    assert [("T-1", "due")] == [
        (a["ticket_id"], a["name"]) for a in map(json.loads, out.splitlines())
    ]


def test_the_policy_schema_declares_the_routing_data() -> None:
    """`slaclock schema` lists notify (a name or a list of names) and level (>= 0) on thresholds."""
    status, out, _ = run("schema")
    threshold = json.loads(out)["$defs"]["Threshold"]["properties"]
    assert 0 == status
    assert {"notify", "level"} <= set(threshold)
    assert 0 == next(v["minimum"] for v in threshold["level"]["anyOf"] if "minimum" in v)
