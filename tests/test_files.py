"""Policy files: every malformed file is a PolicyFileError naming the file and the line."""

from __future__ import annotations

import tracemalloc
from pathlib import Path

import pytest

from slaclock.calendar import Calendar
from slaclock.files import MAX_DEPTH, MAX_VALUES, PolicyFileError, load_policy, policy_notes
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
    """Two unknown keys, a misspelt metric and a misspelt weekday: four errors, four lines."""
    path = _write(
        tmp_path,
        "p.yaml",
        "name: p\n"
        "calender: x\n"
        "calendar: {timezone: UTC, hours: {mondy: '09:00-17:00'}}\n"
        "metrics:\n"
        "  first_responce: {targets: {urgent: 1h}}\n"
        "priority_chnage: keep\n",
    )
    problems = _problems(path)
    assert [
        ":2: calender:",
        ":3: calendar.hours:",
        ":5: metrics.first_responce:",
        ":6: priority_chnage:",
    ] == [p.split(" unknown", 1)[0] for p in problems]


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
    """validate's notes: no calendar (measured 24x7), and business days that never close."""
    policy = Policy(name="p", metrics={"resolution": {"targets": {"normal": "2 business days"}}})
    notes = policy_notes(policy)
    assert 2 == len(notes)
    assert "no calendar - targets are measured 24x7" in notes[0]
    assert "metrics.resolution.targets.normal: '2 business days'" in notes[1]
    office = Policy(
        name="p",
        calendar=Calendar.weekdays("UTC"),
        metrics={"resolution": {"targets": {"normal": "2 business days"}}},
    )
    assert [] == policy_notes(office)
