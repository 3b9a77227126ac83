"""The command line at its edges, as an adversarial user meets it: files that are missing,
empty, of the wrong shape or the wrong encoding, and arguments that point at the wrong place.
Each test is a bug found by trying; every answer is a message naming the file and the value
and exit status 2 (1 with --skip-invalid), never a traceback or a silently changed result."""

from __future__ import annotations

import io
import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from slaclock.cli import main
from slaclock.eventfiles import BadLine, read_timelines

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = ROOT / "examples"
POLICY = EXAMPLES / "policies" / "b2b-saas.yaml"
EVENTS = EXAMPLES / "events.jsonl"


def run(*argv: str | Path) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    status = main([str(arg) for arg in argv], out=out, err=err)
    return status, out.getvalue(), err.getvalue()


def test_output_naming_the_events_file_is_refused_before_it_is_emptied(tmp_path: Path) -> None:
    """--output EVENTS would truncate the events before reading them and exit 0: refused."""
    events = tmp_path / "events.jsonl"
    shutil.copy(EVENTS, events)
    before = events.read_bytes()
    status, _, err = run("evaluate", POLICY, events, "--output", tmp_path / "." / "events.jsonl")
    assert 2 == status
    assert "--output" in err and "is the events file" in err
    assert before == events.read_bytes()


def test_output_naming_the_policy_file_is_refused(tmp_path: Path) -> None:
    """--output POLICY would overwrite the policy with results: refused, the policy kept."""
    policy = tmp_path / "policy.yaml"
    shutil.copy(POLICY, policy)
    status, _, err = run("evaluate", policy, EVENTS, "--output", policy)
    assert 2 == status
    assert "is the policy file" in err
    assert POLICY.read_bytes() == policy.read_bytes()


# ---------------------------------------------------------------------------------------------
# slaclock import: the export file itself
def test_import_of_deeply_nested_json_is_an_error_not_a_traceback(tmp_path: Path) -> None:
    """json's RecursionError escaped main() as a traceback (exit 1)."""
    export = tmp_path / "deep.json"
    export.write_text("[" * 100_000 + "]" * 100_000)
    status, _, err = run("import", "zendesk", export)
    assert (2, f"slaclock: {export}: nested too deeply") == (status, err.split(" - ")[0])


def test_import_reads_an_export_with_a_byte_order_mark(tmp_path: Path) -> None:
    """A BOM (as Windows tools write) gave 'not valid JSON: Unexpected UTF-8 BOM'."""
    fixture = ROOT / "tests" / "fixtures" / "importers" / "zendesk.json"
    export = tmp_path / "bom.json"
    export.write_bytes(b"\xef\xbb\xbf" + fixture.read_bytes())
    assert run("import", "zendesk", fixture)[:2] == run("import", "zendesk", export)[:2]


def test_import_of_non_utf8_names_the_file_and_line(tmp_path: Path) -> None:
    """A Latin-1 byte gave "'utf-8' codec can't decode byte 0xe9 ...", naming no file."""
    export = tmp_path / "latin1.json"
    export.write_bytes(b'{"ticket":\n {"subject": "caf\xe9"}}')
    status, _, err = run("import", "zendesk", export)
    assert (2, f"slaclock: {export}:2: not UTF-8 text (byte 0xe9)") == (
        status,
        err.split(" - ")[0],
    )


def test_import_of_a_huge_integer_names_the_file(tmp_path: Path) -> None:
    """An integer of 5000 digits gave Python's 'use sys.set_int_max_str_digits()', no file."""
    export = tmp_path / "big.json"
    export.write_text('{"ticket": {"id": ' + "1" * 5000 + "}}")
    status, _, err = run("import", "zendesk", export)
    assert 2 == status
    assert err.startswith(f"slaclock: {export}: a number with more than")
    assert "sys.set_int_max_str_digits" not in err


def test_import_refuses_a_key_given_twice(tmp_path: Path) -> None:
    """json kept the last of two "status" keys silently; every other reader refuses it."""
    export = tmp_path / "dup.json"
    export.write_text('{"ticket": {"id": 1, "status": "open", "status": "solved"}}')
    status, _, err = run("import", "zendesk", export)
    assert 2 == status
    assert f"{export}: key 'status' is given twice" in err


# ---------------------------------------------------------------------------------------------
# validate --events reads lines exactly as evaluate does
def test_validate_events_reads_a_byte_order_mark_as_evaluate_does(tmp_path: Path) -> None:
    """A BOM made line 1 'not valid JSON' and its ticket 'without created' (evaluate reads it)."""
    events = tmp_path / "bom.jsonl"
    events.write_bytes(b"\xef\xbb\xbf" + EVENTS.read_bytes())
    status, out, _ = run("validate", POLICY, "--events", events)
    assert (0, f"{events}: no problems found") == (status, out.splitlines()[-1])


def test_validate_events_csv_with_bom_and_blank_lines_before_the_header(tmp_path: Path) -> None:
    """csv.DictReader took the blank line for the header: every row lost its ticket_id."""
    events = tmp_path / "events.csv"
    events.write_bytes(b"\xef\xbb\xbf\r\n" + (EXAMPLES / "events.csv").read_bytes())
    status, out, _ = run("validate", POLICY, "--events", events)
    assert (0, f"{events}: no problems found") == (status, out.splitlines()[-1])


def test_validate_events_lists_a_line_that_is_not_utf8(tmp_path: Path) -> None:
    """A Latin-1 byte was "slaclock: 'utf-8' codec can't decode ..." (no file, no line)."""
    events = tmp_path / "latin1.jsonl"
    events.write_bytes(
        EVENTS.read_bytes()
        + b'{"ticket_id": "T-9", "at": "2025-03-07T16:30:00Z", "kind": "created", "group": "caf\xe9"}\n'
    )
    status, out, _ = run("validate", POLICY, "--events", events)
    assert 1 == status
    assert f"{events}:23: not UTF-8 text (byte 0xe9)" in out


def test_validate_events_lists_a_key_given_twice(tmp_path: Path) -> None:
    """json kept the second 'kind' silently, so validate passed a line evaluate refuses."""
    events = tmp_path / "dup.jsonl"
    events.write_text(
        '{"ticket_id": "T-1", "at": "2025-03-07T16:30:00Z", "kind": "created", "kind": "note"}\n'
    )
    status, out, _ = run("validate", POLICY, "--events", events)
    assert 1 == status
    assert f"{events}:1: ticket 'T-1': key 'kind' is given twice" in out


# ---------------------------------------------------------------------------------------------
# Instants are told, not guessed
def test_a_number_as_an_event_instant_is_refused_not_read_as_unix_time(tmp_path: Path) -> None:
    """ "at": 2025 was read as Unix seconds: the ticket was created 1970-01-01T00:33:45Z."""
    events = tmp_path / "events.jsonl"
    events.write_text('{"ticket_id": "T-1", "at": 2025, "kind": "created"}\n')
    status, out, err = run("evaluate", POLICY, events)
    assert (2, "") == (status, out)
    assert f"{events}:1: ticket 'T-1': at: a number is not an instant: 2025" in err


def test_digits_in_a_csv_at_cell_are_refused_not_read_as_unix_time(tmp_path: Path) -> None:
    """A CSV cell '1741365000' was read as Unix seconds (the columnar path refused it)."""
    events = tmp_path / "events.csv"
    events.write_text("ticket_id,at,kind\nT-1,1741365000,created\n")
    status, _, err = run("evaluate", POLICY, events, "--skip-invalid")
    assert 1 == status
    assert f"{events}:2: ticket 'T-1': at: a number is not an instant: '1741365000'" in err


# ---------------------------------------------------------------------------------------------
# CSV headers
def test_csv_header_naming_a_column_twice_is_refused(tmp_path: Path) -> None:
    """Two 'priority' columns: each row silently kept the second cell ('low', not 'high')."""
    events = tmp_path / "events.csv"
    events.write_text(
        "ticket_id,at,kind,priority,priority\nT-1,2025-03-07T16:30:00Z,created,high,low\n"
    )
    status, out, err = run("evaluate", POLICY, events)
    assert (2, "") == (status, out)
    assert (
        f"slaclock: {events}:1: the header names column 'priority' twice - expected each column once\n"
        == err
    )


def test_csv_header_with_attributes_prefix_and_plain_name_is_refused(tmp_path: Path) -> None:
    """'attributes.group' and 'group' both set the attribute group: one was dropped silently."""
    events = tmp_path / "events.csv"
    events.write_text(
        "ticket_id,at,kind,attributes.group,group\nT-1,2025-03-07T16:30:00Z,created,a,b\n"
    )
    status, _, err = run("evaluate", POLICY, events)
    assert 2 == status
    assert "column 'group' twice ('attributes.group' and 'group')" in err


def test_csv_value_under_a_nameless_column_is_a_malformed_line(tmp_path: Path) -> None:
    """A cell under an empty header cell was dropped silently; an empty one still is fine."""
    events = tmp_path / "events.csv"
    events.write_text(
        "ticket_id,at,kind,\n"
        "T-1,2025-03-07T16:30:00Z,created,\n"  # nothing under the nameless column: fine
        "T-2,2025-03-07T16:30:00Z,created,urgent\n"
    )
    status, out, err = run("evaluate", POLICY, events, "--skip-invalid")
    assert 1 == status
    assert "ticket T-1 " in out and "ticket T-2 " not in out
    assert f"{events}:3: 'urgent' in column 4, which the header does not name" in err


# ---------------------------------------------------------------------------------------------
# A directory where a file is expected
def test_a_directory_as_the_events_file_is_named_as_such(tmp_path: Path) -> None:
    """Was "slaclock: [Errno 21] Is a directory: '...'" (the OS's words, not ours)."""
    for argv in (
        ("evaluate", POLICY, tmp_path),
        ("validate", POLICY, "--events", tmp_path),
        ("report", POLICY, EVENTS, "--contacts", tmp_path),
    ):
        status, _, err = run(*argv)
        assert (2, f"slaclock: {tmp_path}: a directory - expected a file\n") == (status, err)


# ---------------------------------------------------------------------------------------------
# report --contacts reads its file as events files are read
CONTACTS = "offered_at,answered_at\n2025-03-04T09:00:00Z,2025-03-04T09:00:15Z\n"


def test_contacts_csv_with_a_byte_order_mark(tmp_path: Path) -> None:
    """A BOM made the header '\\ufeffoffered_at': 'offered_at: Field required' on line 2."""
    plain, bom = tmp_path / "plain.csv", tmp_path / "bom.csv"
    plain.write_text(CONTACTS)
    bom.write_bytes(b"\xef\xbb\xbf" + CONTACTS.encode())
    expected = run("report", POLICY, EVENTS, "--contacts", plain)
    assert 0 == expected[0]
    assert expected[:2] == run("report", POLICY, EVENTS, "--contacts", bom)[:2]


def test_contacts_csv_with_a_blank_line_before_the_header(tmp_path: Path) -> None:
    """csv.DictReader took the blank line for a header of 0 columns: every row 'extra cells'."""
    contacts = tmp_path / "contacts.csv"
    contacts.write_text("\n" + CONTACTS)
    status, out, _ = run("report", POLICY, EVENTS, "--contacts", contacts)
    assert 0 == status
    assert "service level" in out


def test_contacts_csv_header_naming_a_column_twice_is_refused(tmp_path: Path) -> None:
    """Two 'answered_at' columns: csv.DictReader kept the second cell silently."""
    contacts = tmp_path / "contacts.csv"
    contacts.write_text(
        "offered_at,answered_at,answered_at\n"
        "2025-03-04T09:00:00Z,2025-03-04T09:00:15Z,2025-03-04T10:00:00Z\n"
    )
    status, _, err = run("report", POLICY, EVENTS, "--contacts", contacts)
    assert 2 == status
    assert f"slaclock: {contacts}:1: the header names column 'answered_at' twice" in err


def test_contacts_not_utf8_names_the_line(tmp_path: Path) -> None:
    """Was 'not UTF-8 text (byte at offset 66)': no line."""
    contacts = tmp_path / "contacts.csv"
    contacts.write_bytes(CONTACTS.encode() + b"2025-03-04T09:00:00Z,caf\xe9\n")
    status, _, err = run("report", POLICY, EVENTS, "--contacts", contacts)
    assert 2 == status
    assert f"slaclock: {contacts}:3: not UTF-8 text (byte 0xe9)" in err


def test_contacts_missing_file_and_huge_integer_name_the_file(tmp_path: Path) -> None:
    """Were '[Errno 2] No such file or directory' and Python's int_max_str_digits advice."""
    missing = tmp_path / "missing.jsonl"
    assert (2, f"slaclock: {missing}: no such file\n") == run(
        "report", POLICY, EVENTS, "--contacts", missing
    )[::2]
    huge = tmp_path / "huge.jsonl"
    huge.write_text('{"offered_at": "2025-03-04T09:00:00Z", "queue": ' + "9" * 5000 + "}\n")
    status, _, err = run("report", POLICY, EVENTS, "--contacts", huge)
    assert 2 == status
    assert err.startswith(f"slaclock: {huge}:1: a number of more than")


def test_an_empty_ticket_id_in_json_lines_is_a_malformed_line(tmp_path: Path) -> None:
    """ "ticket_id": "" was evaluated as a ticket named '' (CSV refused an empty ticket_id)."""
    events = tmp_path / "events.jsonl"
    events.write_text(
        '{"ticket_id": "", "at": "2025-03-07T16:30:00Z", "kind": "created"}\n'
        '{"ticket_id": "T-1", "at": "2025-03-07T16:30:00Z", "kind": "created"}\n'
    )
    status, out, err = run("evaluate", POLICY, events, "--skip-invalid", "--format", "jsonl")
    assert 1 == status
    assert ["T-1"] == [line.split('"')[3] for line in out.splitlines()]
    assert f"{events}:1: ticket_id is empty - expected the ticket's id" in err


# ---------------------------------------------------------------------------------------------
# Output files
def test_output_in_a_missing_directory_is_refused_before_any_work(tmp_path: Path) -> None:
    """Was "[Errno 2] No such file or directory: '...'" (and Parquet: pyarrow's own words)."""
    for name in ("results.json", "cycles.parquet"):
        target = tmp_path / "missing" / name
        status, out, err = run("evaluate", POLICY, EVENTS, "--output", target)
        assert (2, "") == (status, out)
        assert f"slaclock: --output: '{target}': no directory '{target.parent}'" in err


def test_output_naming_a_directory_is_refused(tmp_path: Path) -> None:
    """Was "[Errno 21] Is a directory: '...'"."""
    status, _, err = run("evaluate", POLICY, EVENTS, "--output", tmp_path)
    assert 2 == status
    assert f"slaclock: --output: '{tmp_path}' is a directory - expected a file name\n" == err


def test_output_dash_is_standard_output(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """'--output -' wrote a file named '-' in the working directory."""
    monkeypatch.chdir(tmp_path)
    expected = run("evaluate", POLICY, EVENTS, "--format", "jsonl")
    assert expected == run("evaluate", POLICY, EVENTS, "--format", "jsonl", "--output", "-")
    assert [] == list(tmp_path.iterdir())


def test_report_html_is_checked_before_the_report_is_printed(tmp_path: Path) -> None:
    """--html into a missing directory printed the whole report, then failed with '[Errno 2]'."""
    target = tmp_path / "missing" / "report.html"
    status, out, err = run("report", POLICY, EVENTS, "--html", target)
    assert (2, "") == (status, out)
    assert f"slaclock: --html: '{target}': no directory" in err


def test_report_html_naming_the_events_file_is_refused(tmp_path: Path) -> None:
    """--html EVENTS replaced the events with the HTML page."""
    events = tmp_path / "events.jsonl"
    shutil.copy(EVENTS, events)
    status, _, err = run("report", POLICY, events, "--html", events)
    assert 2 == status
    assert "is the events file" in err
    assert EVENTS.read_bytes() == events.read_bytes()


# ---------------------------------------------------------------------------------------------
# report's own options
@pytest.mark.parametrize(
    ("option", "message"),
    [
        (("--goal", "2"), "--goal: 2.0 - expected a share in (0, 1]"),
        (("--goal", "nan"), "--goal: nan - expected a share in (0, 1]"),
        (("--service-target", "5"), "--service-target: 5.0 - expected a share in (0, 1]"),
        (("--threshold=-5s",), "--threshold: '-5s' is negative - expected a duration of 0 or more"),
        (("--short-abandon", "xx"), "--short-abandon: unreadable duration: 'xx'"),
        (("--timezone", "Mars/Olympus"), "--timezone: unknown time zone: 'Mars/Olympus'"),
    ],
)
def test_report_options_are_checked_first_and_named(
    tmp_path: Path, option: tuple[str, ...], message: str
) -> None:
    """Found after the attainment table was printed, named 'target:' (which of the two?) or with
    a timedelta repr ('negative duration -1 day, 23:59:55')."""
    contacts = tmp_path / "contacts.csv"
    contacts.write_text(CONTACTS)
    argv = ("report", POLICY, EVENTS, "--contacts", contacts, "--html", tmp_path / "r.html")
    status, out, err = run(*argv, *option)
    assert (2, "") == (status, out)
    assert err.startswith(f"slaclock: {message}")
    assert not (tmp_path / "r.html").exists()


def test_due_names_the_target_option_of_an_unreadable_duration() -> None:
    """Was 'unreadable duration: ...' with no option: --start and the calendar were suspects."""
    calendar = EXAMPLES / "policies" / "b2b-saas.yaml"
    status, _, err = run("due", calendar, "--start", "2025-03-13T10:00:00Z", "--target", "8hh")
    assert 2 == status
    assert err.startswith("slaclock: --target: unreadable duration: '8hh'")


# ---------------------------------------------------------------------------------------------
# explain
BROKEN = (
    '{"ticket_id": "A", "at": "2025-03-07T16:30:00Z", "kind": "created", "attributes": {"priority": "high"}}\n'
    '{"ticket_id": "B", "at": "2025-03-07T16:30:00Z", "kind": "created"\n'
    '{"ticket_id": "C", "at": "2025-03-07T16:30:00Z", "kind": "created", "attributes": {"priority": "p9"}}\n'
)


def test_explain_skip_invalid_says_the_ticket_is_invalid_not_absent(tmp_path: Path) -> None:
    """A ticket skipped for a malformed line was reported as "no ticket 'B' in FILE"."""
    events = tmp_path / "events.jsonl"
    events.write_text(BROKEN)
    status, _, err = run("explain", POLICY, events, "--ticket", "B", "--skip-invalid")
    assert 2 == status
    assert (
        f"slaclock: --ticket: ticket 'B' is invalid: {events}:2: not valid JSON: Expecting ',' delimiter\n"
        == err
    )


def test_explain_names_the_file_of_a_ticket_the_policy_cannot_evaluate(tmp_path: Path) -> None:
    """Was "ticket 'C': unknown priority ..." without the file (evaluate names it)."""
    events = tmp_path / "events.jsonl"
    events.write_text(BROKEN)
    status, _, err = run("explain", POLICY, events, "--ticket", "C", "--skip-invalid")
    assert 2 == status
    assert err.startswith(f"slaclock: {events}: ticket 'C': unknown priority 'p9'")


def test_validate_events_lists_every_ticket_evaluate_refuses(tmp_path: Path) -> None:
    """An unknown field, attributes that are not a mapping and public 'maybe' passed validate
    ('no problems found') while evaluate refused the tickets."""
    events = tmp_path / "events.jsonl"
    created = '{"ticket_id": "%s", "at": "2025-03-07T16:30:00Z", "kind": "created", %s}\n'
    events.write_text(
        created % ("F", '"attributes": [1]')
        + created % ("G", '"bogus": 1')
        + created % ("N", '"public": "maybe"')
    )
    assert 2 == run("evaluate", POLICY, events)[0]
    status, out, _ = run("validate", POLICY, "--events", events)
    assert 1 == status
    expected = [
        f"{events}:1: ticket 'F': attributes: not a mapping: [1]",
        f"{events}:2: ticket 'G': bogus: Extra inputs are not permitted",
        f"{events}:3: ticket 'N': public: Input should be a valid boolean",
    ]
    listed = out.splitlines()[1:4]
    assert expected == [line[: len(start)] for line, start in zip(listed, expected)]
    assert f"{events}: 3 problems (invalid: 3)" == out.splitlines()[-1]


# ---------------------------------------------------------------------------------------------
# Streams where a file is expected
@pytest.mark.skipif(not Path("/dev/stdin").exists(), reason="needs /dev/stdin")
def test_a_pipe_as_the_events_file_is_refused_not_read_as_empty() -> None:
    """`slaclock evaluate policy.yaml /dev/stdin < events` (or `<(cat events)`) exited 0 with
    no results: the first pass (ticket ids) drained the pipe, the second found it empty."""
    for command in ("evaluate", "report"):
        done = subprocess.run(
            [sys.executable, "-m", "slaclock.cli", command, str(POLICY), "/dev/stdin"],
            input=EVENTS.read_text(),
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
        assert (2, "") == (done.returncode, done.stdout)
        assert done.stderr.startswith("slaclock: /dev/stdin: not a regular file (a pipe")


def test_dash_as_the_events_file_says_standard_input_is_not_read(tmp_path: Path) -> None:
    """Was "-: no such file"."""
    status, _, err = run("evaluate", POLICY, "-")
    assert 2 == status
    assert err.startswith("slaclock: -: standard input is not read - expected a file")


# ---------------------------------------------------------------------------------------------
# import's mappings
ZENDESK = ROOT / "tests" / "fixtures" / "importers" / "zendesk.json"


def test_import_status_mapped_twice_is_refused() -> None:
    """--status open=on_hold --status open=pending: the last mapping won silently."""
    status, out, err = run(
        "import", "zendesk", ZENDESK, "--status", "open=on_hold", "--status", "open=pending"
    )
    assert (2, "") == (status, out)
    assert "--status: 'open' is mapped twice ('on_hold' and 'pending')" in err


def test_import_two_fields_kept_under_one_name_are_refused() -> None:
    """--attribute a=x --attribute b=x: one field's values overwrote the other's silently."""
    status, _, err = run("import", "zendesk", ZENDESK, "--attribute", "a=x", "--attribute", "b=x")
    assert 2 == status
    assert "--attribute: 'a' and 'b' are both kept as 'x' - expected one field per name" in err


def test_import_the_same_mapping_twice_is_fine() -> None:
    """Repeating a mapping (a script that adds its defaults twice) is not a conflict."""
    once = run("import", "zendesk", ZENDESK, "--status", "open=on_hold")
    assert 0 == once[0]
    assert once == run(
        "import", "zendesk", ZENDESK, "--status", "open=on_hold", "--status", "open = on_hold"
    )


def test_as_of_reads_a_lowercase_z_as_events_files_do(tmp_path: Path) -> None:
    """An event at '...16:30:00z' was read, '--as-of ...16:30:00z' refused as not ISO 8601."""
    upper = run("evaluate", POLICY, EVENTS, "--as-of", "2025-03-13T16:00:00Z", "--format", "jsonl")
    lower = run("evaluate", POLICY, EVENTS, "--as-of", "2025-03-13T16:00:00z", "--format", "jsonl")
    assert 0 == upper[0]
    assert upper == lower


def test_csv_with_carriage_returns_alone_says_what_is_wrong(tmp_path: Path) -> None:
    """Old Mac line endings gave the csv module's '... do you need to open the file in
    universal-newline mode?', advice for a Python programmer, not for the user."""
    events = tmp_path / "events.csv"
    events.write_bytes((EXAMPLES / "events.csv").read_bytes().replace(b"\n", b"\r"))
    status, _, err = run("evaluate", POLICY, events)
    assert 2 == status
    assert f"slaclock: {events}:1: not valid CSV: a carriage return (\\r) inside a line" in err
    assert "universal-newline" not in err


# ---------------------------------------------------------------------------------------------
# Values from files shown in plain-text tables on a terminal
HOSTILE = (
    '{"ticket_id": "T\\u001b[2J\\nFAKE", "at": "2025-03-07T16:30:00Z", "kind": "created", '
    '"attributes": {"priority": "high", "group": "\\u001b]0;pwned\\u0007"}}\n'
)


@pytest.mark.parametrize(
    "argv",
    [
        ("evaluate",),
        ("report", "--by", "group"),
        (
            "alerts",
            "--since",
            "2025-03-07T00:00Z",
            "--until",
            "2025-03-09T00:00Z",
            "--format",
            "table",
        ),
        ("explain", "--ticket", "T\x1b[2J\nFAKE"),
    ],
)
def test_tables_escape_control_characters_from_the_events(
    tmp_path: Path, argv: tuple[str, ...]
) -> None:
    """A ticket id 'T<ESC>[2J<newline>FAKE' cleared the terminal and faked a table line; a
    group '<ESC>]0;pwned<BEL>' set the terminal's title."""
    events = tmp_path / "events.jsonl"
    events.write_text(HOSTILE)
    status, out, _ = run(argv[0], POLICY, events, *argv[1:])
    assert 0 == status
    assert "\x1b" not in out and "\x07" not in out
    assert not any(line.startswith("FAKE") for line in out.splitlines())
    assert "T\\x1b[2J\\nFAKE" in out or "\\x1b]0;pwned\\x07" in out


# ---------------------------------------------------------------------------------------------
# Where reading stops, no ticket is evaluated on the part before
def test_a_ticket_cut_short_by_a_line_that_is_not_utf8_is_not_evaluated(tmp_path: Path) -> None:
    """Reading stops at a line that is not UTF-8; with --skip-invalid ticket A was evaluated
    on its first line only: its reply and solve lost, first_response 'running'."""
    events = tmp_path / "events.jsonl"
    events.write_bytes(
        b'{"ticket_id": "A", "at": "2025-03-07T16:30:00Z", "kind": "created", "attributes": {"priority": "high"}}\n'
        b'{"ticket_id": "A", "at": "2025-03-07T16:40:00Z", "kind": "agent_replied", "author": "Jos\xe9"}\n'
        b'{"ticket_id": "A", "at": "2025-03-07T17:40:00Z", "kind": "solved"}\n'
    )
    status, out, err = run("evaluate", POLICY, events, "--skip-invalid")
    assert (1, "") == (status, out)
    assert (
        f"{events}: ticket 'A': not evaluated - reading stopped at line 2, and its events may go on past it"
        in err
    )


def test_interleaved_tickets_cut_short_by_an_unclosed_quote_are_not_evaluated(
    tmp_path: Path,
) -> None:
    """A quote never closed swallows the rest of a CSV file; interleaved tickets A and B were
    evaluated on the rows before it."""
    events = tmp_path / "events.csv"
    events.write_text(
        "ticket_id,at,kind,group\n"
        "A,2025-03-07T16:30:00Z,created,x\n"
        "B,2025-03-07T16:31:00Z,created,x\n"
        'A,2025-03-07T16:40:00Z,note_added,"oops\n'
        "A,2025-03-07T16:50:00Z,agent_replied,\n"
        "B,2025-03-07T16:51:00Z,agent_replied,\n"
    )
    status, out, err = run("evaluate", POLICY, events, "--skip-invalid")
    assert (1, "") == (status, out)
    assert "skipped 1 malformed line(s) and 2 invalid ticket(s)" in err


def test_a_stop_on_a_line_naming_no_ticket_leaves_the_ticket_read_last_unevaluated(
    tmp_path: Path,
) -> None:
    """Binary junk after ticket A's lines: whether A's events go on is unknown, so A is not
    evaluated; a stop on a line that starts ticket B's events leaves A evaluated."""
    created = '{"ticket_id": "%s", "at": "2025-03-07T16:30:00Z", "kind": "created", "attributes": {"priority": "high"}}\n'
    junk, other = tmp_path / "junk.jsonl", tmp_path / "other.jsonl"
    junk.write_bytes((created % "A").encode() + b"\x00\x01\x02\xff\n")
    other.write_bytes(
        (created % "A").encode() + (created % "B").encode().replace(b"high", b"h\xe9")
    )
    status, out, err = run("evaluate", POLICY, junk, "--skip-invalid")
    assert (1, "") == (status, out)
    assert "ticket 'A': not evaluated - reading stopped at line 2" in err
    status, out, err = run("evaluate", POLICY, other, "--skip-invalid")
    assert 1 == status
    assert out.startswith("ticket A - policy b2b-saas")
    assert "ticket 'A'" not in err


def test_a_number_as_a_contact_instant_is_refused(tmp_path: Path) -> None:
    """'answered_at': 1741078815 was read as Unix seconds, as event instants were."""
    contacts = tmp_path / "contacts.jsonl"
    contacts.write_text('{"offered_at": "2025-03-04T09:00:00Z", "answered_at": 1741078815}\n')
    status, _, err = run("report", POLICY, EVENTS, "--contacts", contacts)
    assert 2 == status
    assert f"{contacts}:1: answered_at: a number is not an instant: 1741078815" in err


def test_validate_events_lists_an_invalid_timeline_beside_a_warning(tmp_path: Path) -> None:
    """A ticket with an unknown kind listed that only: its unknown field went unsaid."""
    events = tmp_path / "events.jsonl"
    events.write_text(
        '{"ticket_id": "G", "at": "2025-03-07T16:30:00Z", "kind": "created", "bogus": 1}\n'
        '{"ticket_id": "G", "at": "2025-03-07T16:40:00Z", "kind": "agent_reply"}\n'
    )
    status, out, _ = run("validate", POLICY, "--events", events)
    assert 1 == status
    assert f"{events}:1: ticket 'G': bogus: Extra inputs are not permitted" in out
    assert f"{events}: 2 problems (invalid: 1, kind: 1)" == out.splitlines()[-1]


@pytest.mark.parametrize(
    "argv",
    [
        ("report",),
        ("explain", "--ticket", "T-1"),
        ("alerts", "--since", "2025-03-07T00:00Z", "--until", "2025-03-08T00:00Z"),
    ],
)
def test_parquet_events_outside_evaluate_are_named_not_read_as_json(
    tmp_path: Path, argv: tuple[str, ...]
) -> None:
    """Only evaluate reads Parquet; the others read it as JSON Lines: 'FILE:1: not valid JSON'."""
    events = tmp_path / "events.parquet"
    events.write_bytes(b"PAR1\x15\x04\x15\x10\x15\x14L\x15\x02\x15\x00\x12\x00\x00PAR1")
    status, _, err = run(argv[0], POLICY, events, *argv[1:])
    assert 2 == status
    assert (
        f"slaclock: {events}: Parquet events are read by 'slaclock evaluate' only - expected "
        ".jsonl or .csv\n" == err
    )


@pytest.mark.skipif(not Path("/dev/zero").exists(), reason="needs /dev/zero")
def test_import_of_a_device_is_refused_not_read() -> None:
    """'slaclock import zendesk /dev/zero' read until memory ran out."""
    status, _, err = run("import", "zendesk", "/dev/zero")
    assert (2, "slaclock: /dev/zero: not a regular file (a pipe or a device)") == (
        status,
        err.split(" - ")[0],
    )


def test_a_bad_contacts_file_stops_the_report_before_any_table(tmp_path: Path) -> None:
    """The contacts were read after the attainment table was printed: exit 2 after output."""
    contacts = tmp_path / "contacts.jsonl"
    contacts.write_text(
        '{"offered_at": "2025-03-04T09:00:00Z"}\n'
    )  # neither answered nor abandoned
    status, out, err = run("report", POLICY, EVENTS, "--contacts", contacts)
    assert (2, "") == (status, out)
    assert err.startswith(f"slaclock: {contacts}:1: ")


def test_csv_tags_are_stripped_around_the_separator(tmp_path: Path) -> None:
    """'vip; eu' gave the tags ['vip', ' eu']: a condition tags_any: [eu] never matched."""
    events = tmp_path / "events.csv"
    events.write_text(
        "ticket_id,at,kind,priority,tags\nT-1,2025-03-07T16:30:00Z,created,high,vip; eu ;\n"
    )
    status, out, _ = run("evaluate", POLICY, events, "--format", "json")
    assert 0 == status
    assert ["vip", "eu"] == json.loads(out)[0]["attributes"]["tags"]


def test_events_files_joined_with_cat_keep_the_second_files_byte_order_mark(
    tmp_path: Path,
) -> None:
    """`cat a.jsonl b.jsonl` where b starts with a BOM: its first line was 'not valid JSON:
    Unexpected UTF-8 BOM (decode using utf-8-sig)' and its ticket invalid."""
    lines = EVENTS.read_bytes().splitlines(keepends=True)
    joined = tmp_path / "joined.jsonl"
    joined.write_bytes(b"".join(lines[:10]) + b"\xef\xbb\xbf" + b"".join(lines[10:]))
    assert (
        run("evaluate", POLICY, EVENTS, "--format", "jsonl")[:2]
        == run("evaluate", POLICY, joined, "--format", "jsonl")[:2]
    )


def test_due_on_a_policy_file_without_a_calendar_says_so(tmp_path: Path) -> None:
    """'due' on a policy set listed "unknown key 'calendars'", "unknown key 'policies'" as if
    the file were a broken calendar file."""
    policies = EXAMPLES / "policies" / "follow-the-sun.yaml"
    status, _, err = run("due", policies, "--start", "2025-03-13T10:00:00Z", "--target", "8h")
    assert (2, f"slaclock: {policies}: a policy file without a 'calendar' of its own") == (
        status,
        err.split(" - ")[0],
    )


@pytest.mark.parametrize("tail", [b"A\r\x80", b"A\rB\x00"])
def test_a_lone_carriage_return_before_bytes_that_stop_reading(tmp_path: Path, tail: bytes) -> None:
    """A row with a lone carriage return whose line is then not text (or holds a NUL): reading
    stops there, naming the line; looking for the row's ticket no longer raises the csv module's
    own error (found by tests/test_fuzz.py)."""
    events = tmp_path / "events.csv"
    events.write_bytes(b"ticket_id,at,kind,public,priority\n" + tail)
    (bad,) = list(read_timelines(events))
    assert isinstance(bad, BadLine)
    assert f"{events}:2:" in str(bad) and "reading stopped here" in str(bad)


def test_an_operating_system_error_names_the_file_in_plain_words(tmp_path: Path) -> None:
    """An events path too long for the file system: "<path>: File name too long", exit 2 (it
    was "[Errno 36] File name too long: '<path>'")."""
    policy = tmp_path / "policy.yaml"
    policy.write_text("name: p\nmetrics:\n  resolution: {targets: {normal: 4h}}\n")
    events = tmp_path / ("x" * 300 + ".jsonl")
    err = io.StringIO()
    assert 2 == main(["evaluate", str(policy), str(events)], io.StringIO(), err)
    assert f"slaclock: {events}: File name too long\n" == err.getvalue()
