"""Policy files at their edges: every problem is a PolicyFileError naming the file, the line
where there is one, the path inside the file and the value."""

from __future__ import annotations

from pathlib import Path

import pytest

from slaclock.files import PolicyFileError, load_policy
from slaclock.policy import Policy

TARGETS = "metrics:\n  resolution:\n    targets:\n      normal: 8h\n"


@pytest.mark.parametrize(
    ("name", "text"),
    [
        ("huge.json", '{"name": "p", "metrics": {"resolution": {"targets": {"normal": %s}}}}'),
        ("huge.toml", 'name = "p"\n[metrics.resolution.targets]\nnormal = %s\n'),
    ],
)
def test_an_integer_of_thousands_of_digits_names_the_file(
    tmp_path: Path, name: str, text: str
) -> None:
    """Was Python's bare 'Exceeds the limit (4300 digits) ... use sys.set_int_max_str_digits()'."""
    path = tmp_path / name
    path.write_text(text % ("1" * 5000))
    with pytest.raises(PolicyFileError) as caught:
        load_policy(path)
    assert str(caught.value).startswith(f"{path}: a number of more than 4300 digits")


def test_an_undefined_calendar_is_reported_at_its_key_not_at_the_top(tmp_path: Path) -> None:
    """A policy's own check named '(top level)' and line 1 for 'calendar: nowhere' on line 2."""
    path = tmp_path / "policy.yaml"
    path.write_text("name: p\ncalendar: nowhere\n" + TARGETS)
    with pytest.raises(PolicyFileError) as caught:
        load_policy(path)
    assert [f"{path}:2: calendar: unknown calendar 'nowhere' - expected one of ['24x7']"] == (
        caught.value.problems
    )


def test_an_undefined_target_calendar_is_reported_at_the_target(tmp_path: Path) -> None:
    """'normal: {duration: 8h, calendar: nope}' on line 5 was reported on line 1, '(top level)'."""
    path = tmp_path / "policy.yaml"
    path.write_text(
        "name: p\nmetrics:\n  resolution:\n    targets:\n      normal: {duration: 8h, calendar: nope}\n"
    )
    with pytest.raises(PolicyFileError) as caught:
        load_policy(path)
    assert [
        f"{path}:5: metrics.resolution.targets.normal: unknown calendar 'nope' - expected one of ['24x7']"
    ] == caught.value.problems


def test_an_undefined_calendar_in_a_policy_set_names_the_policy_and_key(tmp_path: Path) -> None:
    """In a set it was 'policies[0]: calendar: ...' at the policy's line 3, not the key's line 4."""
    path = tmp_path / "policies.yaml"
    path.write_text(
        "calendars: {}\npolicies:\n  - name: p\n    calendar: nowhere\n"
        "    metrics: {resolution: {targets: {normal: 8h}}}\n"
    )
    with pytest.raises(PolicyFileError) as caught:
        load_policy(path)
    assert [
        f"{path}:4: policies[0].calendar: unknown calendar 'nowhere' - expected one of ['24x7']"
    ] == caught.value.problems


def test_a_duration_naming_a_unit_twice_is_refused(tmp_path: Path) -> None:
    """'8h8h' was read as 16 hours: a doubled typo became a target twice as long."""
    path = tmp_path / "policy.yaml"
    path.write_text("name: p\nmetrics:\n  resolution:\n    targets:\n      normal: 8h8h\n")
    with pytest.raises(PolicyFileError) as caught:
        load_policy(path)
    assert [
        f"{path}:5: metrics.resolution.targets.normal: unreadable duration: '8h8h' gives the "
        "hours twice - expected each unit once, e.g. '1h30m'"
    ] == caught.value.problems


@pytest.mark.parametrize("value", ["[1]", "'x'", "0"])
def test_a_policy_sets_own_calendars_that_are_no_mapping(tmp_path: Path, value: str) -> None:
    """'calendars: [1]' in a policy of a set was a TypeError traceback (merging it with the
    set's calendars); 'calendars: 0' passed as no calendars at all."""
    path = tmp_path / "policies.yaml"
    path.write_text(
        f"policies:\n  - name: p\n    metrics: {{resolution: {{}}}}\n    calendars: {value}\n"
    )
    with pytest.raises(PolicyFileError) as caught:
        load_policy(path)
    (problem,) = caught.value.problems
    assert problem.startswith(
        f"{path}:4: policies[0].calendars: Input should be a valid dictionary"
    )


def test_yaml_yes_no_on_off_are_text_as_in_yaml_1_2(tmp_path: Path) -> None:
    """The Norway problem: 'country: NO' was read as False ('Input should be a valid string (got
    False)'), a status 'on' as True, a priority key 'yes' as True."""
    path = tmp_path / "policy.yaml"
    path.write_text(
        "name: p\n"
        "calendar: {timezone: Europe/Oslo, hours: {mon-fri: '09:00-17:00'}, country_holidays: {country: NO}}\n"
        "metrics:\n"
        "  resolution: {targets: {normal: 8h, yes: 4h}, pause_statuses: [on, off]}\n"
    )
    policy = load_policy(path)
    assert isinstance(policy, Policy)
    assert "NO" == policy.calendar.country_holidays.country  # type: ignore[union-attr]
    resolution = policy.metrics["resolution"]
    assert ({"normal", "yes"}, ("on", "off")) == (
        set(resolution.targets),
        tuple(resolution.pause_statuses),
    )


@pytest.mark.skipif(not Path("/dev/zero").exists(), reason="needs /dev/zero")
def test_a_device_as_an_ics_file_or_a_policy_file_is_refused_not_read(tmp_path: Path) -> None:
    """'ics: [/dev/zero]' was read until memory ran out (MemoryError traceback); so was a
    policy file that is a link to /dev/zero."""
    path = tmp_path / "policy.yaml"
    path.write_text(
        "name: p\nmetrics: {resolution: {targets: {normal: 8h}}}\n"
        "calendar: {timezone: UTC, hours: {mon-fri: '09:00-17:00'}, ics: [/dev/zero]}\n"
    )
    with pytest.raises(PolicyFileError) as caught:
        load_policy(path)
    assert [f"{path}: /dev/zero: not a regular file - expected an .ics file"] == (
        caught.value.problems
    )
    link = tmp_path / "zero.yaml"
    link.symlink_to("/dev/zero")
    with pytest.raises(PolicyFileError) as caught:
        load_policy(link)
    assert "not a regular file (a pipe or a device)" in str(caught.value)


def test_a_json_key_given_twice_is_reported_at_its_second_line(tmp_path: Path) -> None:
    """The line was that of the second '"normal":' in the text: here the first 'normal' of
    first_response (line 4), not its repetition on line 5."""
    path = tmp_path / "policy.json"
    path.write_text(
        '{"name": "p",\n "metrics": {\n  "resolution": {"targets": {"normal": "8h"}},\n'
        '  "first_response": {"targets": {"normal": "1h",\n     "normal": "2h"}}}}\n'
    )
    with pytest.raises(PolicyFileError) as caught:
        load_policy(path)
    assert [f"{path}:5: key 'normal' is given twice - expected each key once"] == (
        caught.value.problems
    )


@pytest.mark.parametrize(
    "years",
    ["[2025, 2024]", "[1, 99999]"],
)
def test_ics_years_reversed_or_out_of_range_are_refused(tmp_path: Path, years: str) -> None:
    """[2025, 2024] expanded no year: the file added no closure and nothing said so; [1, 99999]
    was 'not a readable iCalendar file: year 100000 is out of range' (the file was fine)."""
    (tmp_path / "daily.ics").write_text(
        "BEGIN:VCALENDAR\nVERSION:2.0\nBEGIN:VEVENT\nDTSTART;VALUE=DATE:20250101\n"
        "RRULE:FREQ=DAILY\nSUMMARY:closed\nEND:VEVENT\nEND:VCALENDAR\n"
    )
    path = tmp_path / "policy.yaml"
    path.write_text(
        "name: p\nmetrics: {resolution: {targets: {normal: 8h}}}\n"
        "calendar: {timezone: UTC, hours: {mon-fri: '09:00-17:00'}, "
        f"ics: [{{path: daily.ics, years: {years}}}]}}\n"
    )
    with pytest.raises(PolicyFileError) as caught:
        load_policy(path)
    assert str(caught.value).startswith(
        f"{path}: calendar.ics: years {years} - expected [first, last] with 1970 <= first"
    )
