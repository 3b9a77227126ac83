"""Policy and events files past their limits: every malformed file is a documented error naming the
file and the line (issue 10; the ordinary cases are in test_files.py)."""

from __future__ import annotations

import tracemalloc
from pathlib import Path

import pytest

from slaclock.calendar import Calendar
from slaclock.eventfiles import MAX_LINE
from slaclock.files import (
    MAX_CSV_CELL,
    MAX_DEPTH,
    MAX_VALUES,
    BadLine,
    PolicyFileError,
    load_policy,
    policy_notes,
    read_timelines,
)
from slaclock.policy import Policy


def _write(tmp_path: Path, name: str, text: str | bytes) -> Path:
    path = tmp_path / name
    if isinstance(text, bytes):
        path.write_bytes(text)
    else:
        path.write_text(text, encoding="utf-8")
    return path


def _problems(path: Path) -> list[str]:
    with pytest.raises(PolicyFileError) as caught:
        load_policy(path)
    return [problem.removeprefix(f"{path}") for problem in caught.value.problems]


def test_yaml_alias_bomb_is_refused_within_bounded_memory(tmp_path: Path) -> None:
    """A 'billion laughs' file (9**8 values through aliases) is refused, using little memory."""
    rows = ['a: &a ["x","x","x","x","x","x","x","x","x"]']
    rows += [
        f"{name}: &{name} [{', '.join(['*' + previous] * 9)}]"
        for previous, name in zip("abcdefg", "bcdefgh")
    ]
    path = _write(tmp_path, "bomb.yaml", "\n".join(rows) + "\n")
    tracemalloc.start()
    try:
        problems = _problems(path)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    # Values: a = 1 + 9 = 10, b = 1 + 9 * 10 = 91, c = 820, d = 7_381, e = 66_430,
    # f = 1 + 9 * 66_430 = 597_871 > MAX_VALUES: the error is on f's line (6).
    assert [
        f":6: expands to more than {MAX_VALUES} values (through YAML aliases) - expected a policy file of ordinary size"
    ] == problems
    assert peak < 50_000_000  # the expanded document would take gigabytes


def test_aliases_of_ordinary_size_still_work(tmp_path: Path) -> None:
    """An anchor reused for two metrics is read as written."""
    path = _write(
        tmp_path,
        "ok.yaml",
        "name: p\nmetrics:\n  first_response: &t {targets: {urgent: 1h}}\n  resolution: *t\n",
    )
    policy = load_policy(path)
    assert isinstance(policy, Policy)
    assert policy.metrics["resolution"] == policy.metrics["first_response"]


def test_yaml_sexagesimal_is_text_not_a_number(tmp_path: Path) -> None:
    """'1:30' is not 90 seconds (YAML 1.1): it is an unreadable duration, at its line."""
    path = _write(
        tmp_path, "p.yaml", "name: p\nmetrics:\n  resolution:\n    targets: {urgent: 1:30}\n"
    )
    assert [
        ":4: metrics.resolution.targets.urgent: unreadable duration: '1:30' - expected e.g. "
        "'4h', '30m', '1h30m', '90s' or ISO 8601 'PT4H'"
    ] == _problems(path)


def test_unquoted_times_in_a_yaml_calendar_are_times(tmp_path: Path) -> None:
    """[09:00, 13:00] unquoted: 13:00 stays a time of day (YAML 1.1 would read 780)."""
    path = _write(
        tmp_path,
        "p.yaml",
        "name: p\ncalendar:\n  timezone: UTC\n  hours: {mon: [[09:00, 13:00]]}\nmetrics: {resolution: {}}\n",
    )
    policy = load_policy(path)
    assert isinstance(policy, Policy) and isinstance(policy.calendar, Calendar)
    assert (("09:00", "13:00"),) == policy.calendar.hours["mon"]


@pytest.mark.parametrize(
    ("name", "text", "expected"),
    [
        ("d.yaml", "name: p\nname: q\nmetrics: {resolution: {}}\n",
         ":2: key 'name' is given twice (first on line 1) - expected each key once"),
        ("d.json", '{"name": "p",\n "metrics": {"resolution": {}},\n "name": "q"}',
         ":3: key 'name' is given twice - expected each key once"),
    ],
)  # fmt: skip
def test_duplicate_keys_are_refused_with_the_line(
    tmp_path: Path, name: str, text: str, expected: str
) -> None:
    """The last of two equal keys does not silently win."""
    assert [expected] == _problems(_write(tmp_path, name, text))


@pytest.mark.parametrize(
    ("tagged", "expected"),
    [
        ("!!timestamp foo", "cannot read 'foo' as timestamp"),
        ("!!bool maybe", "cannot read 'maybe' as bool"),
        ("!!int abc", "cannot read 'abc' as int"),
    ],
)
def test_yaml_tags_that_fail_name_the_line(tmp_path: Path, tagged: str, expected: str) -> None:
    """A tag whose constructor fails on the text is an error at its line, not a traceback."""
    path = _write(
        tmp_path, "p.yaml", f"name: p\nmetrics:\n  resolution: {{targets: {{x: {tagged}}}}}\n"
    )
    assert [f":3: not valid YAML: {expected}"] == _problems(path)


@pytest.mark.parametrize(
    ("name", "raw", "expected"),
    [
        ("b.yaml", b"name: p\n\xff\xfe\n",
         ":2: not UTF-8 text (byte 0xff at offset 8) - expected a UTF-8 text file"),
        ("b.json", b'{"name":\n "\x00"}', ":2: a NUL character - expected a text file, not binary data"),
        ("c.yaml", b"name: p\nx: \"\x07\"\n",
         ":2: not valid YAML: special characters are not allowed (#x0007) - expected printable text"),
    ],
)  # fmt: skip
def test_binary_input_names_file_and_line(
    tmp_path: Path, name: str, raw: bytes, expected: str
) -> None:
    """Bytes that are not text are refused at the line they are on."""
    assert [expected] == _problems(_write(tmp_path, name, raw))


@pytest.mark.parametrize(
    ("name", "text"),
    [
        ("deep.json", "[" * 1000 + "]" * 1000),
        ("deep2.json", '{"a":' * 100 + "1" + "}" * 100),
        ("deep.yaml", "x: " + "[" * 600 + "]" * 600),
        ("deep2.yaml", "x: " + "[" * 100 + "]" * 100),
        ("deep.toml", "x = " + "[" * 100 + "]" * 100),
    ],
)
def test_deep_nesting_is_a_clear_error(tmp_path: Path, name: str, text: str) -> None:
    """Nesting past MAX_DEPTH is refused (never a RecursionError)."""
    problems = _problems(_write(tmp_path, name, text))
    assert 1 == len(problems)
    assert "nested" in problems[0] and str(MAX_DEPTH) in problems[0]


def test_every_error_is_reported_at_its_own_line(tmp_path: Path) -> None:
    """Two unknown keys, a misspelt metric, a misspelt weekday and a bad target in another
    metric: five errors, each at its own line, in one run."""
    path = _write(
        tmp_path,
        "p.yaml",
        "name: p\n"
        "calender: x\n"
        "calendar: {timezone: UTC, hours: {mondy: '09:00-17:00'}}\n"
        "metrics:\n"
        "  first_responce: {targets: {urgent: 1h}}\n"
        "  resolution: {targets: {urgent: 1:30}}\n"
        "priority_chnage: keep\n",
    )
    problems = _problems(path)
    assert [
        ":2: calender:",
        ":3: calendar.hours:",
        ":5: metrics.first_responce:",
        ":6: metrics.resolution.targets.urgent:",
        ":7: priority_chnage:",
    ] == [p.split(" unknown", 1)[0].split(" unreadable", 1)[0] for p in problems]


def test_no_spurious_union_branch_error(tmp_path: Path) -> None:
    """A bad calendar mapping is one error, without 'calendar.str: Input should be a valid string'."""
    path = _write(
        tmp_path, "p.yaml", "name: p\ncalendar:\n  timezone: Mars/Base\nmetrics: {resolution: {}}\n"
    )
    assert [
        ":3: calendar.timezone: unknown time zone: 'Mars/Base' - expected an IANA name such as 'Europe/Berlin'"
    ] == _problems(path)


def test_toml_paths_read_like_yaml_ones(tmp_path: Path) -> None:
    """TOML errors name calendar.timezone, not calendar.Calendar.timezone."""
    path = _write(
        tmp_path, "p.toml", 'name = "p"\n[calendar]\ntimezone = "Mars/X"\n[metrics.resolution]\n'
    )
    assert [
        ": calendar.timezone: unknown time zone: 'Mars/X' - expected an IANA name such as 'Europe/Berlin'"
    ] == _problems(path)


@pytest.mark.parametrize("key", ["mondy", "monkey", "sunshine", "m", "mo"])
def test_weekday_keys_must_be_a_weekday_name(key: str) -> None:
    """Only 'mon' and 'monday' forms name Monday; the error lists the valid names."""
    with pytest.raises(ValueError, match=r"unknown weekday.*mon, tue, wed, thu, fri, sat, sun"):
        Calendar(timezone="UTC", hours={key: "09:00-17:00"})


def test_weekday_full_names_and_ranges_are_accepted() -> None:
    """'monday-friday' names the same days as 'mon-fri'."""
    full = Calendar(timezone="UTC", hours={"Monday-Friday": "09:00-17:00"})
    assert Calendar(timezone="UTC", hours={"mon-fri": "09:00-17:00"}) == full


def test_notes_for_24x7_business_days_and_no_calendar() -> None:
    """validate's notes: no calendar (measured 24x7), and business days on it (each calendar day
    a business day closing at midnight)."""
    policy = Policy(name="p", metrics={"resolution": {"targets": {"normal": "2 business days"}}})
    notes = policy_notes(policy)
    assert 2 == len(notes)
    assert "no calendar - targets are measured 24x7" in notes[0]
    assert "metrics.resolution.targets.normal: '2 business days'" in notes[1]
    assert notes[1].endswith("or write '48h'")
    office = Policy(
        name="p",
        calendar=Calendar.weekdays("UTC"),
        metrics={"resolution": {"targets": {"normal": "2 business days"}}},
    )
    assert [] == policy_notes(office)


# ---------------------------------------------------------------------------------------------
# Events files
def _read(path: Path) -> tuple[list[str], list[str]]:
    """(ticket ids read, problems as 'LINE: reason' or 'ticket: reason')."""
    tickets, problems = [], []
    for item in read_timelines(path):
        if isinstance(item, BadLine):
            where = item.where.removeprefix(str(path)).lstrip(":")
            problems.append(f"{where} {item.reason}".strip())
        else:
            tickets.append(item.ticket_id)
    return tickets, problems


CSV_HEADER = "ticket_id,at,kind,public,priority\n"


def test_csv_unclosed_quote_is_an_error_not_a_swallowed_file(tmp_path: Path) -> None:
    """An open quote on line 3 no longer hides tickets B and C inside one cell."""
    path = _write(
        tmp_path,
        "e.csv",
        CSV_HEADER + 'A,2025-03-03T09:00:00Z,created,,high\nB,"2025-03-03T09:00:00Z,created,,high\n'
        "C,2025-03-03T09:00:00Z,created,,high\n",
    )
    tickets, problems = _read(path)
    assert ["A"] == tickets
    assert ["3 a quote is never closed - the quoted cell runs to the end of the file"] == problems


def test_csv_extra_cells_are_an_error(tmp_path: Path) -> None:
    """A row with more cells than the header names is reported, not trimmed silently."""
    path = _write(tmp_path, "e.csv", CSV_HEADER + "A,2025-03-03T09:00:00Z,created,,high,oops\n")
    tickets, problems = _read(path)
    assert [] == tickets
    assert [
        "2 6 cells but the header names 5 columns: extra ['oops'] - expected at most one cell per column",
        "ticket 'A': not evaluated - 1 of its line(s) malformed (reported above)",
    ] == problems


def test_csv_bom_and_blank_first_line_are_read(tmp_path: Path) -> None:
    """A spreadsheet's byte order mark and a blank line before the header are fine."""
    path = _write(
        tmp_path,
        "e.csv",
        ("\ufeff\n" + CSV_HEADER + "A,2025-03-03T09:00:00Z,created,,high\n").encode(),
    )
    assert (["A"], []) == _read(path)


def test_csv_huge_cell_is_a_bad_line_and_reading_goes_on(tmp_path: Path) -> None:
    """A cell over MAX_CSV_CELL characters is one bad line; the next ticket is still read."""
    path = _write(
        tmp_path,
        "e.csv",
        CSV_HEADER + f"A,2025-03-03T09:00:00Z,created,,{'x' * (MAX_CSV_CELL + 1)}\n"
        "B,2025-03-03T09:00:00Z,created,,high\n",
    )
    tickets, problems = _read(path)
    assert ["B"] == tickets
    assert [
        f"2 not valid CSV: a cell longer than {MAX_CSV_CELL} characters - expected shorter cells"
    ] == problems


def test_binary_events_file_is_one_error(tmp_path: Path) -> None:
    """Bytes that are not UTF-8 stop reading with one error at their line."""
    path = _write(tmp_path, "e.jsonl", b'{"ticket_id": "A"}\n\xff\xfe\x00\n')
    assert (
        "2 not UTF-8 text (byte 0xff) - expected a UTF-8 file (reading stopped here)"
        in _read(path)[1]
    )


def test_deep_json_line_is_a_bad_line(tmp_path: Path) -> None:
    """A line of 1,000 '[' is one bad line (no RecursionError), and the next ticket is read."""
    path = _write(
        tmp_path,
        "e.jsonl",
        "[" * 1000 + "\n" + '{"ticket_id": "B", "at": "2025-03-03T09:00:00Z", "kind": "created"}\n',
    )
    tickets, problems = _read(path)
    assert ["B"] == tickets
    assert ["1 nested too deeply - expected one flat JSON object"] == problems


@pytest.mark.parametrize("attributes", ['"xy"', "5", "[1]"])
def test_created_attributes_must_be_a_mapping(tmp_path: Path, attributes: str) -> None:
    """attributes: "xy" / 5 on 'created' is an invalid ticket at that line, not a TypeError."""
    path = _write(
        tmp_path,
        "e.jsonl",
        '{"ticket_id": "A", "at": "2025-03-03T09:00:00Z", "kind": "note_added"}\n'
        f'{{"ticket_id": "A", "at": "2025-03-03T08:00:00Z", "kind": "created", "attributes": {attributes}}}\n',
    )
    tickets, problems = _read(path)
    assert [] == tickets
    assert 1 == len(problems) and problems[0].startswith("2 ticket 'A': attributes: not a mapping")


def test_event_before_created_cites_the_offending_line(tmp_path: Path) -> None:
    """The note on line 2 is before 'created' (line 3): the error is at line 2."""
    path = _write(
        tmp_path,
        "e.jsonl",
        '{"ticket_id": "A", "at": "2025-03-03T10:00:00Z", "kind": "created"}\n'
        '{"ticket_id": "A", "at": "2025-03-03T09:00:00Z", "kind": "note_added"}\n'
        '{"ticket_id": "A", "at": "2025-03-03T10:05:00Z", "kind": "agent_replied"}\n',
    )
    problems = _read(path)[1]
    assert 1 == len(problems) and problems[0].startswith(
        "2 ticket 'A': event: event #1 (note_added"
    )


def test_a_ticket_with_a_malformed_line_is_invalid(tmp_path: Path) -> None:
    """Ticket A's reply line is malformed: A is reported invalid, never shown as still running."""
    path = _write(
        tmp_path,
        "e.jsonl",
        '{"ticket_id": "A", "at": "2025-03-03T09:00:00Z", "kind": "created"}\n'
        '{"ticket_id": "A", "at": "2025-03-03T09:30:00Z", "kind": "agent_replied", "public": tru}\n'
        '{"ticket_id": "B", "at": "2025-03-03T09:00:00Z", "kind": "created"}\n',
    )
    tickets, problems = _read(path)
    assert ["B"] == tickets
    assert [
        "2 not valid JSON: Expecting value",
        "ticket 'A': not evaluated - 1 of its line(s) malformed (reported above)",
    ] == problems


def test_an_overlong_events_line_is_never_read_whole(tmp_path: Path) -> None:
    """A line over MAX_LINE bytes stops reading with one error at its line (a 2 GB line would
    have been read into memory)."""
    path = _write(
        tmp_path,
        "e.jsonl",
        '{"ticket_id": "A", "at": "2025-03-03T09:00:00Z", "kind": "created"}\n'
        + '{"ticket_id": "B", "note": "'
        + "x" * MAX_LINE
        + '"}\n',
    )
    tickets, problems = _read(path)
    assert ["A"] == tickets
    assert [
        f"2 a line longer than {MAX_LINE} bytes - expected one event per line (reading stopped here)"
    ] == problems


def test_json_policy_errors_carry_their_line(tmp_path: Path) -> None:
    """JSON errors name the line like YAML ones (read by the YAML composer: JSON is YAML)."""
    path = _write(
        tmp_path,
        "p.json",
        '{"name": "p",\n "calender": "x",\n "metrics": {\n'
        '  "resolution": {"targets": {"urgent": "4 hourz"}}\n }\n}\n',
    )
    assert [":2: calender:", ":4: metrics.resolution.targets.urgent:"] == [
        p.split(" unknown", 1)[0].split(" unreadable", 1)[0] for p in _problems(path)
    ]


def test_an_integer_of_thousands_of_digits_is_a_bad_line(tmp_path: Path) -> None:
    """Python refuses to read an integer of more than 4,300 digits: the line is reported (and
    skippable), not a bare ValueError without file and line."""
    from slaclock.files import BadLine, read_timelines

    path = tmp_path / "events.jsonl"
    path.write_text(
        '{"ticket_id": "T", "at": "2025-01-01T09:00:00Z", "kind": "created", '
        f'"attributes": {{"n": {"1" * 5000}}}}}\n'
    )
    items = list(read_timelines(path))
    assert isinstance(items[0], BadLine)
    assert f"{path}:1: not a readable JSON value: Exceeds the limit" in str(items[0])
