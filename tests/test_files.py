"""Tests of slaclock.files: policy and calendar files in YAML, TOML and JSON, and events files in
JSON Lines and CSV, with the errors each gives."""

from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from slaclock import Calendar, Policy, PolicySet, Timeline
from slaclock.errors import SlaclockError
from slaclock.files import (
    BadLine,
    PolicyFileError,
    load_calendar,
    load_data,
    load_policy,
    policy_schema,
    read_timelines,
)

UTC = timezone.utc
POLICY_YAML = """\
name: support
calendar:
  timezone: Europe/Berlin
  hours: {mon-fri: "09:00-17:00"}
metrics:
  first_response:
    targets: {urgent: 1h, normal: 8h}
"""


def _write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


# ----------------------------------------------------------------------------------------------
# Policy files
def test_one_policy_in_each_format(tmp_path: Path) -> None:
    """The same policy written as YAML, TOML and JSON loads to equal policies."""
    data = {
        "name": "support",
        "calendar": {"timezone": "Europe/Berlin", "hours": {"mon-fri": "09:00-17:00"}},
        "metrics": {"first_response": {"targets": {"urgent": "1h", "normal": "8h"}}},
    }
    toml = """\
name = "support"
[calendar]
timezone = "Europe/Berlin"
hours = { mon-fri = "09:00-17:00" }
[metrics.first_response.targets]
urgent = "1h"
normal = "8h"
"""
    loaded = [
        load_policy(_write(tmp_path, "p.yaml", POLICY_YAML)),
        load_policy(_write(tmp_path, "p.yml", POLICY_YAML)),
        load_policy(_write(tmp_path, "p.toml", toml)),
        load_policy(_write(tmp_path, "p.json", json.dumps(data))),
    ]
    assert all(isinstance(p, Policy) for p in loaded)
    assert loaded[0] == loaded[1] == loaded[2] == loaded[3]
    policy = loaded[0]
    assert isinstance(policy, Policy)
    assert "support" == policy.name
    assert timedelta(hours=1) == policy.metrics["first_response"].targets["urgent"].duration


def test_policy_set_shares_calendars_by_name(tmp_path: Path) -> None:
    """`calendars` at the top are available by name to every policy of the set, in order."""
    path = _write(
        tmp_path,
        "set.yaml",
        """\
calendars:
  berlin: {timezone: Europe/Berlin, hours: {mon-fri: "09:00-17:00"}}
policies:
  - name: vip
    conditions: {tags_any: [vip]}
    calendar: berlin
    metrics: {first_response: {targets: {urgent: 30m}}}
  - name: default
    calendar: berlin
    metrics: {first_response: {targets: {urgent: 1h}}}
""",
    )
    policies = load_policy(path)
    assert isinstance(policies, PolicySet)
    assert ["vip", "default"] == [p.name for p in policies.policies]
    calendar = policies.policies[1].calendar_named(None, {})
    assert "Europe/Berlin" == calendar.timezone


def test_every_problem_is_reported_with_its_line(tmp_path: Path) -> None:
    """Two bad targets and an unknown key: three problems, each with file, line and path."""
    path = _write(
        tmp_path,
        "bad.yaml",
        """\
name: p
metrics:
  first_response:
    targets: {urgent: 4 hourz}
  resolution:
    targets:
      normal: soon
    colour: blue
""",
    )
    with pytest.raises(PolicyFileError) as caught:
        load_policy(path)
    problems = caught.value.problems
    assert 3 == len(problems), problems
    assert problems[0].startswith(f"{path}:4: metrics.first_response.targets.urgent: ")
    assert "'4 hourz'" in problems[0]
    assert any(p.startswith(f"{path}:7: metrics.resolution.targets.normal: ") for p in problems)
    assert any(
        p.startswith(f"{path}:8: metrics.resolution.colour: unknown key 'colour'") for p in problems
    )
    assert isinstance(caught.value, SlaclockError) and isinstance(caught.value, ValueError)


def test_problems_in_a_policy_set_name_the_policy_index(tmp_path: Path) -> None:
    """A bad policy in a set is reported under policies[<index>] with its line."""
    path = _write(
        tmp_path,
        "set.yaml",
        """\
policies:
  - name: ok
    metrics: {resolution: {targets: {normal: 8h}}}
  - name: broken
    metrics: {resolution: {targets: {normal: eight hours}}}
""",
    )
    with pytest.raises(PolicyFileError) as caught:
        load_policy(path)
    assert 1 == len(caught.value.problems)
    assert caught.value.problems[0].startswith(
        f"{path}:5: policies[1].metrics.resolution.targets.normal: "
    )


@pytest.mark.parametrize(
    ("name", "text", "message"),
    [
        ("p.yaml", "name: [unclosed\n", r"p\.yaml:2: not valid YAML"),
        ("p.json", '{"name": "p",\n "metrics": }\n', r"p\.json:2: not valid JSON"),
        ("p.toml", "name = \n", r"p\.toml: not valid TOML"),
        ("p.txt", "name: p\n", r"unknown file type '\.txt' - expected \.yaml, \.yml, \.toml or \.json"),
        ("p.yaml", "- just\n- a list\n", r"expected a mapping at the top level, got list"),
    ],
)  # fmt: skip
def test_unreadable_files(tmp_path: Path, name: str, text: str, message: str) -> None:
    """Syntax errors name the file (and line when the parser knows it); other types are refused."""
    with pytest.raises(PolicyFileError, match=message):
        load_policy(_write(tmp_path, name, text))


def test_missing_file(tmp_path: Path) -> None:
    """A file that does not exist is a PolicyFileError naming it, not an OSError."""
    path = tmp_path / "nowhere.yaml"
    with pytest.raises(PolicyFileError, match=r"nowhere\.yaml: cannot read"):
        load_policy(path)


def test_load_data_gives_yaml_lines(tmp_path: Path) -> None:
    """For YAML the line of each key is known (1-based): metrics on 5, its target on 7."""
    data, lines = load_data(_write(tmp_path, "p.yaml", POLICY_YAML))
    assert "support" == data["name"]
    assert 5 == lines[("metrics",)]
    assert 7 == lines[("metrics", "first_response", "targets")]


# ----------------------------------------------------------------------------------------------
# Calendar files
def test_calendar_file_and_policy_file_calendar(tmp_path: Path) -> None:
    """A calendar mapping, or the single calendar of a policy file, loads as a Calendar."""
    own = load_calendar(
        _write(
            tmp_path, "c.json", '{"timezone": "America/New_York", "hours": {"sat": "10:00-14:00"}}'
        )
    )
    assert "America/New_York" == own.timezone
    saturday = datetime(2025, 3, 8, 12, tzinfo=UTC)  # 07:00 in New York: closed
    assert not own.is_open(saturday)
    assert own.is_open(saturday + timedelta(hours=4))  # 11:00 in New York
    from_policy = load_calendar(_write(tmp_path, "p.yaml", POLICY_YAML))
    assert isinstance(from_policy, Calendar)
    assert "Europe/Berlin" == from_policy.timezone
    monday_nine_berlin = datetime(2025, 3, 3, 8, tzinfo=UTC)  # CET is UTC+1 in March
    assert from_policy.is_open(monday_nine_berlin)
    assert not from_policy.is_open(monday_nine_berlin - timedelta(microseconds=1))


def test_bad_calendar_file_names_the_path_inside(tmp_path: Path) -> None:
    """A policy file's bad calendar is reported under `calendar.`, with its line."""
    path = _write(tmp_path, "p.yaml", "name: p\ncalendar:\n  timezone: Mars/Olympus\n")
    with pytest.raises(PolicyFileError, match=rf"{path}:3: calendar\.timezone"):
        load_calendar(path)


def test_policy_schema_is_a_json_schema() -> None:
    """The schema is draft 2020-12, titled, and accepts either one policy or a set."""
    schema = policy_schema()
    assert "https://json-schema.org/draft/2020-12/schema" == schema["$schema"]
    assert "slaclock policy file" == schema["title"]
    assert {"Policy", "Calendar"} <= set(schema["$defs"])
    assert 2 == len(schema["anyOf"])


# ----------------------------------------------------------------------------------------------
# Events files
EVENTS = [
    {"ticket_id": "A", "at": "2025-03-03T09:00:00+00:00", "kind": "created",
     "priority": "high", "attributes": {"group": "billing"}},
    {"ticket_id": "A", "at": "2025-03-03T09:30:00+00:00", "kind": "agent_replied"},
    {"ticket_id": "B", "at": "2025-03-03T10:00:00+00:00", "kind": "created"},
    {"ticket_id": "B", "at": "2025-03-03T11:00:00+00:00", "kind": "solved"},
]  # fmt: skip


def _jsonl(tmp_path: Path, rows: list[dict[str, object]], name: str = "e.jsonl") -> Path:
    return _write(tmp_path, name, "".join(json.dumps(row) + "\n" for row in rows))


def test_jsonl_one_timeline_per_ticket(tmp_path: Path) -> None:
    """Grouped by ticket, in file order; the created event's attributes become the ticket's."""
    timelines = list(read_timelines(_jsonl(tmp_path, EVENTS)))
    assert all(isinstance(t, Timeline) for t in timelines)
    a, b = timelines
    assert isinstance(a, Timeline) and isinstance(b, Timeline)
    assert ("A", 2, "B", 2) == (a.ticket_id, len(a.events), b.ticket_id, len(b.events))
    assert {"group": "billing"} == a.attributes
    assert "high" == a.events[0].priority
    assert datetime(2025, 3, 3, 9, 30, tzinfo=UTC) == a.events[1].at


def test_interleaved_tickets_are_grouped(tmp_path: Path) -> None:
    """Events of tickets mixed in the file still make one timeline per ticket, in first-seen
    order, with the same events as the sorted file."""
    mixed = [EVENTS[0], EVENTS[2], EVENTS[1], EVENTS[3]]
    grouped = list(read_timelines(_jsonl(tmp_path, mixed)))
    ordered = list(read_timelines(_jsonl(tmp_path, EVENTS, "sorted.jsonl")))
    assert ordered == grouped


def test_bad_jsonl_lines_are_reported_and_the_rest_is_read(tmp_path: Path) -> None:
    """Not JSON (line 2), no ticket id (line 3), a ticket whose event is invalid (line 5): a
    BadLine each, with FILE:LINE; the good ticket is still read."""
    path = _write(
        tmp_path,
        "e.jsonl",
        json.dumps(EVENTS[0]) + "\n"
        "{not json\n"
        '{"at": "2025-03-03T09:00:00+00:00", "kind": "created"}\n'
        + json.dumps(EVENTS[1]) + "\n"
        '{"ticket_id": "C", "at": "2025-03-03T09:00:00", "kind": "created"}\n',
    )  # fmt: skip
    items = list(read_timelines(path))
    bad = [i for i in items if isinstance(i, BadLine)]
    good = [i for i in items if isinstance(i, Timeline)]
    assert ["A"] == [t.ticket_id for t in good]
    assert [f"{path}:2", f"{path}:3", f"{path}:5"] == [b.where for b in bad]
    assert "not valid JSON" in bad[0].reason
    assert "'ticket_id'" in bad[1].reason
    assert "ticket 'C'" in bad[2].reason
    assert all(isinstance(b, SlaclockError) for b in bad)


def test_csv_events(tmp_path: Path) -> None:
    """CSV: one event per row; `public` read as a boolean, other columns (with or without the
    `attributes.` prefix) as attributes, `tags` split on `;`."""
    path = _write(
        tmp_path,
        "e.csv",
        "ticket_id,at,kind,priority,public,attributes.group,tags\n"
        "A,2025-03-03T09:00:00+00:00,created,high,,billing,vip;eu\n"
        "A,2025-03-03T09:10:00+00:00,agent_replied,,false,,\n"
        "A,2025-03-03T09:20:00+00:00,agent_replied,,yes,,\n",
    )
    (timeline,) = read_timelines(path)
    assert isinstance(timeline, Timeline)
    assert {"group": "billing", "tags": ["vip", "eu"]} == timeline.attributes
    assert [None, False, True] == [e.public for e in timeline.events]
    assert "high" == timeline.events[0].priority


def test_csv_bad_public_value_and_missing_columns(tmp_path: Path) -> None:
    """A `public` that is not a boolean is a BadLine on its line (3) and makes its ticket
    invalid; a file without the
    required columns is one BadLine on line 1 naming them."""
    bad_value = _write(
        tmp_path,
        "e.csv",
        "ticket_id,at,kind,public\n"
        "A,2025-03-03T09:00:00+00:00,created,\n"
        "A,2025-03-03T09:10:00+00:00,agent_replied,maybe\n",
    )
    items = list(read_timelines(bad_value))
    bad = [i for i in items if isinstance(i, BadLine)]
    # ... and ticket A, whose reply line is malformed, is invalid as a whole (issue 10).
    assert [f"{bad_value}:3", f"{bad_value}"] == [b.where for b in bad]
    assert "public: 'maybe' - expected true or false" == bad[0].reason
    assert (False, True) == (bad[0].whole_ticket, bad[1].whole_ticket)
    missing = _write(tmp_path, "m.csv", "ticket,at\nA,2025-03-03T09:00:00+00:00\n")
    (only,) = read_timelines(missing)
    assert isinstance(only, BadLine)
    assert f"{missing}:1" == only.where
    assert "missing columns ['kind', 'ticket_id']" in only.reason


def test_events_file_that_does_not_exist(tmp_path: Path) -> None:
    """Reading a missing events file is a PolicyFileError naming it."""
    with pytest.raises(PolicyFileError, match="no such file"):
        list(read_timelines(tmp_path / "missing.jsonl"))
