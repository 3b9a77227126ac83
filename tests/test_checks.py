"""Checking an events file against a policy: every kind of problem, with its line number."""

from __future__ import annotations

import io
from pathlib import Path

import pytest

from slaclock import Policy, PolicySet
from slaclock.checks import check_events_file
from slaclock.cli import main

ROOT = Path(__file__).resolve().parents[1]
POLICY = Policy(
    name="desk",
    metrics={
        "first_response": {"targets": {"normal": "1h", "high": "30m"}},
        "resolution": {"targets": {"normal": "8h"}, "pause_statuses": ["on_hold"]},
    },
)
EVENTS = """\
{"ticket_id": "T-1", "at": "2025-03-03T09:00:00Z", "kind": "created", "priority": "normal"}
{"ticket_id": "T-1", "at": "2025-03-03T09:10:00Z", "kind": "agent_reply", "public": true}
{"ticket_id": "T-1", "at": "2025-03-03T09:20:00Z", "kind": "status_changed", "status": "on-hold"}
{"ticket_id": "T-1", "at": "2025-03-03T09:30:00Z", "kind": "status_changed", "status": "Pending"}
{"ticket_id": "T-1", "at": "2025-03-03T09:40:00Z", "kind": "priority_changed", "priority": "urgent"}
{"ticket_id": "T-2", "at": "2025-03-03T08:00:00Z", "kind": "note_added"}
{"ticket_id": "T-2", "at": "2025-03-03T09:00:00Z", "kind": "created"}
{"ticket_id": "T-3", "at": "2025-03-03T09:00:00Z", "kind": "agent_replied"}
not json

{"ticket_id": "T-4", "at": "2025-03-03T09:00:00", "kind": "created"}
"""


def _file(tmp_path: Path, text: str = EVENTS, name: str = "events.jsonl") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_every_problem_with_its_line(tmp_path: Path) -> None:
    """Each line that would silently change results is reported, in line order."""
    problems = check_events_file(POLICY, _file(tmp_path))
    assert [
        (2, "T-1", "kind", "agent_reply"),
        (3, "T-1", "status", "on-hold"),
        (4, "T-1", "status", "Pending"),
        (5, "T-1", "priority", "urgent"),
        (6, "T-2", "before_created", "2025-03-03T08:00:00Z"),
        (8, "T-3", "no_created", 0),
        (9, None, "invalid", None),
        (11, "T-4", "invalid", "2025-03-03T09:00:00"),  # no UTC offset
    ] == [(p.line, p.ticket_id, p.problem, p.value) for p in problems]
    messages = {p.line: p.message for p in problems}
    assert messages[2].endswith("did you mean 'agent_replied'?")
    assert messages[3].endswith("did you mean 'on_hold'?")
    assert messages[4].endswith("did you mean 'pending'?")
    assert "expected one of ['high', 'normal']" in messages[5]


def test_known_statuses_are_not_reported(tmp_path: Path) -> None:
    """Statuses declared known (here on the command line's side) are accepted."""
    path = _file(tmp_path, EVENTS.splitlines()[0] + "\n" + EVENTS.splitlines()[3] + "\n")
    assert [] == check_events_file(POLICY, path, known_statuses=["Pending"])
    policy = POLICY.model_copy(update={"known_statuses": ["Pending"]})
    assert [] == check_events_file(policy, path)


def test_two_created_events(tmp_path: Path) -> None:
    """A second 'created' is reported on its own line."""
    line = '{"ticket_id": "T-5", "at": "2025-03-03T09:00:00Z", "kind": "created"}\n'
    (problem,) = check_events_file(POLICY, _file(tmp_path, line + line))
    assert (2, "no_created", 2) == (problem.line, problem.problem, problem.value)


def test_policy_set_priorities_follow_the_selected_policy(tmp_path: Path) -> None:
    """In a policy set, a priority is checked against the policy the ticket's attributes pick."""
    vip = Policy(name="vip", conditions={"tags_any": ["vip"]},
                 metrics={"first_response": {"targets": {"urgent": "15m"}}})  # fmt: skip
    text = (
        '{"ticket_id": "V", "at": "2025-03-03T09:00:00Z", "kind": "created", '
        '"priority": "urgent", "attributes": {"tags": ["vip"]}}\n'
        '{"ticket_id": "N", "at": "2025-03-03T09:00:00Z", "kind": "created", "priority": "urgent"}\n'
    )
    problems = check_events_file(PolicySet(policies=[vip, POLICY]), _file(tmp_path, text))
    assert [(2, "N", "priority")] == [(p.line, p.ticket_id, p.problem) for p in problems]


def test_csv_events(tmp_path: Path) -> None:
    """CSV files are checked too, with the CSV line numbers (the header is line 1)."""
    text = (
        "ticket_id,at,kind,status,priority\n"
        "T-1,2025-03-03T09:00:00Z,created,,normal\n"
        "T-1,2025-03-03T09:20:00Z,status_changed,on hold,\n"
    )
    (problem,) = check_events_file(POLICY, _file(tmp_path, text, "events.csv"))
    assert (3, "status", "on hold") == (problem.line, problem.problem, problem.value)


def test_cli_validate_events(tmp_path: Path) -> None:
    """validate --events prints FILE:LINE problems and a summary, exit 1; the examples are
    clean (exit 0)."""
    policy = tmp_path / "policy.json"
    policy.write_text(POLICY.model_dump_json(), encoding="utf-8")
    events = _file(tmp_path)
    out = io.StringIO()
    assert 1 == main(["validate", str(policy), "--events", str(events)], out=out, err=io.StringIO())
    # The policy's notes (``note: ... no calendar``) come first, then the events' problems.
    lines = [line for line in out.getvalue().splitlines() if not line.startswith("note: ")]
    assert f"{events}:2: ticket 'T-1': event kind 'agent_reply'" in lines[1]
    assert lines[-1] == (
        f"{events}: 8 problems (before_created: 1, invalid: 2, kind: 1, no_created: 1, "
        "priority: 1, status: 2)"
    )
    out = io.StringIO()
    args = ["validate", str(ROOT / "examples/policies/b2b-saas.yaml"), "--events",
            str(ROOT / "examples/events.jsonl")]  # fmt: skip
    assert 0 == main(args, out=out, err=io.StringIO())
    assert out.getvalue().endswith("events.jsonl: no problems found\n")


def test_cli_missing_events_file(tmp_path: Path) -> None:
    """A missing events file is exit 2 naming it."""
    err = io.StringIO()
    policy = str(ROOT / "examples/policies/b2b-saas.yaml")
    status = main(["validate", policy, "--events", str(tmp_path / "x.jsonl")], err=err)
    assert 2 == status
    assert "x.jsonl: no such file" in err.getvalue()


@pytest.mark.parametrize("name", ["b2b-saas", "conversations", "eu-desk", "follow-the-sun"])
def test_example_events_are_clean_for_every_example_policy(name: str) -> None:
    """The sample events hold no kind or status the example policies do not know."""
    policy_path = ROOT / "examples" / "policies" / f"{name}.yaml"
    from slaclock.files import load_policy

    problems = check_events_file(load_policy(policy_path), ROOT / "examples" / "events.jsonl")
    assert [] == [p for p in problems if p.problem in ("kind", "status")]


def test_cli_evaluate_summarises_the_engine_warnings(tmp_path: Path) -> None:
    """evaluate prints one warning line per unknown value, naming the tickets, not one per
    ticket; the results are still written."""
    policy = tmp_path / "policy.json"
    policy.write_text(POLICY.model_dump_json(), encoding="utf-8")
    lines = [
        f'{{"ticket_id": "T-{n}", "at": "2025-03-03T09:00:00Z", "kind": "created", "priority": "normal"}}\n'
        f'{{"ticket_id": "T-{n}", "at": "2025-03-03T09:10:00Z", "kind": "status_changed", "status": "on-hold"}}\n'
        for n in range(5)
    ]
    events = _file(tmp_path, "".join(lines))
    out, err = io.StringIO(), io.StringIO()
    status = main(["evaluate", str(policy), str(events), "--format", "jsonl"], out=out, err=err)
    assert (0, 5) == (status, len(out.getvalue().splitlines()))
    assert [
        "slaclock: warning: status 'on-hold' is not one the policy knows (the statuses its metrics "
        "name, its known_statuses, new/open/solved/closed), so it pauses nothing - did "
        "you mean 'on_hold'? (5 tickets: 'T-0', 'T-1', 'T-2', ...); slaclock validate POLICY "
        "--events FILE lists the lines"
    ] == err.getvalue().splitlines()


def test_attributes_and_priority_on_events_that_do_not_carry_them(tmp_path: Path) -> None:
    """The engine reads attributes only on created/attributes_changed events (and a survey
    answer's own), a priority only on created/priority_changed: on other events they changed
    nothing without a word. validate --events names them; where they belong, nothing is said."""
    text = """\
{"ticket_id": "T-1", "at": "2025-03-03T09:00:00Z", "kind": "created", "priority": "normal", "attributes": {"group": "a"}}
{"ticket_id": "T-1", "at": "2025-03-03T09:10:00Z", "kind": "status_changed", "status": "open", "attributes": {"priority": "high"}}
{"ticket_id": "T-1", "at": "2025-03-03T09:20:00Z", "kind": "agent_replied", "priority": "high"}
{"ticket_id": "T-1", "at": "2025-03-03T09:30:00Z", "kind": "attributes_changed", "attributes": {"group": "b"}}
{"ticket_id": "T-1", "at": "2025-03-03T09:40:00Z", "kind": "priority_changed", "priority": "high"}
{"ticket_id": "T-1", "at": "2025-03-03T09:50:00Z", "kind": "satisfaction_rated", "attributes": {"score": "good", "scale": "good_bad"}}
"""
    problems = check_events_file(POLICY, _file(tmp_path, text))
    assert [(2, "ignored", "status_changed"), (3, "ignored", "agent_replied")] == [
        (p.line, p.problem, p.value) for p in problems
    ]
    assert problems[0].message == (
        "attributes on this 'status_changed' event change nothing - expected them on "
        "'attributes_changed' or 'created' events (add one at the same instant)"
    )
    assert problems[1].message.startswith("priority on this 'agent_replied' event changes nothing")
