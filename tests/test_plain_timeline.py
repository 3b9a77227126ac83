"""The fast path of the events files (slaclock._plain_timeline and the plain lines of
slaclock.eventfiles) against the validated path: the same timelines, the same errors, the same
command line output, byte for byte."""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

import slaclock.eventfiles as eventfiles
from slaclock._plain_timeline import plain_instant, plain_timeline
from slaclock.cli import main
from slaclock.eventfiles import BadLine, read_timelines
from slaclock.synthetic import DEFAULT_POLICY_DATA, generate_timelines
from slaclock.timeline import Event, Timeline
from tests.strategies import ZONES, event_file_tickets, event_files

#: A business-hours policy in a DST zone with targets per priority ("low" has none: an
#: unknown priority is an error of the engine, the same on both paths).
POLICY: dict[str, Any] = {
    "name": "support",
    "calendar": {"timezone": "Europe/Berlin", "hours": {"mon-fri": [["09:00", "17:00"]]}},
    "metrics": {
        "first_response": {"targets": {"urgent": "1h", "high": "4h", "normal": "8h"}},
        "resolution": {
            "targets": {"urgent": "4h", "high": "16h", "normal": "40h"},
            "pause_statuses": ["pending"],
        },
    },
}


@contextmanager
def validated_only() -> Iterator[None]:
    """Every line and ticket goes the validated way (the path before the fast one existed)."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(eventfiles, "_plain_row", lambda number, line: None)
        patch.setattr(eventfiles, "plain_timeline", lambda ticket, rows: None)
        patch.setattr(eventfiles, "_LEADING_TICKET", re.compile(r"(?!)"))  # matches nothing
        yield


def _shown(item: Timeline | BadLine) -> tuple[Any, ...]:
    """Everything about an item of read_timelines: a timeline's repr (events with their
    tzinfo), fields set and field order, or the error's text and what it names."""
    if isinstance(item, BadLine):
        return ("bad", str(item), item.ticket, item.whole_ticket)
    return (
        repr(item),
        item.model_fields_set,
        list(item.__dict__),
        [(list(e.__dict__), e.model_fields_set, type(e.at.tzinfo)) for e in item.events],
    )


def _read(path: Path) -> list[tuple[Any, ...]]:
    return [_shown(item) for item in read_timelines(path)]


def _cli(*argv: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    status = main(list(argv), out=out, err=err)
    return status, out.getvalue(), err.getvalue()


#: The fast path's JSON readers: orjson (the [orjson] extra) and json (without it).
DECODERS: dict[str, Any] = {"json": json.JSONDecoder().decode}
try:
    import orjson
except ImportError:  # the extra is optional: its cases are left out
    pass
else:
    DECODERS["orjson"] = orjson.loads


@pytest.mark.parametrize("decoder", sorted(DECODERS))
@given(text=event_files())
def test_fast_and_validated_paths_read_the_same(
    tmp_path_factory: Any, decoder: str, text: str
) -> None:
    """Random events files (plain and odd lines, DST zones, contiguous or mixed tickets): the
    same timelines and errors, in the same order, whichever path reads them."""
    path = tmp_path_factory.mktemp("events") / "events.jsonl"
    path.write_text(text, encoding="utf-8")
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(eventfiles, "_loads", DECODERS[decoder])
        fast = _read(path)
    with validated_only():
        validated = _read(path)
    assert validated == fast


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list):
        return ";".join(map(str, value))
    return str(value)


@given(tickets=st.lists(event_file_tickets("T-0"), min_size=1, max_size=3))
def test_fast_and_validated_paths_read_the_same_csv(
    tmp_path_factory: Any, tickets: list[list[dict[str, Any]]]
) -> None:
    """CSV events files (attributes in their own columns, ``tags`` split on ``;``): the same
    timelines and errors whichever path reads them."""
    columns = ["ticket_id", "at", "kind", "id", "status", "priority", "public", "author"]
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow([*columns, "group", "tags"])
    for number, rows in enumerate(tickets):
        for row in rows:
            given = row.get("attributes")
            extra = given if isinstance(given, dict) else {}
            cells = [_cell(row.get(name)) for name in columns[1:]]
            writer.writerow(
                [f"T-{number}", *cells, _cell(extra.get("group")), _cell(extra.get("tags"))]
            )
    path = tmp_path_factory.mktemp("events") / "events.csv"
    path.write_text(buffer.getvalue(), encoding="utf-8")
    fast = _read(path)
    with validated_only():
        validated = _read(path)
    assert validated == fast


@given(text=event_files(), fmt=st.sampled_from(["jsonl", "csv", "json"]), skip=st.booleans())
def test_fast_and_validated_paths_give_the_same_cli_output(
    tmp_path_factory: Any, text: str, fmt: str, skip: bool
) -> None:
    """``slaclock evaluate`` on random events files: the same exit status, output and error
    messages, byte for byte, with the fast path or without."""
    folder = tmp_path_factory.mktemp("cli")
    (folder / "policy.json").write_text(json.dumps(POLICY))
    (folder / "events.jsonl").write_text(text, encoding="utf-8")
    argv = [str(folder / "policy.json"), str(folder / "events.jsonl"), "--format", fmt]
    argv += ["--skip-invalid"] if skip else []
    fast = _cli("evaluate", *argv)
    with validated_only():
        validated = _cli("evaluate", *argv)
    assert validated == fast


def test_generated_tickets_take_the_fast_path_and_give_the_same_output(tmp_path: Path) -> None:
    """The synthetic tickets (the benchmark's file, in small) are all plain: no ticket falls
    back, so the comparison above is not between two runs of the validated path."""
    rows = []
    for timeline in generate_timelines(50, seed=7):
        for event in timeline.events:
            row = {
                "ticket_id": timeline.ticket_id,
                **event.model_dump(mode="json", exclude_none=True),
            }
            if event.kind == "created":
                row["attributes"] = timeline.attributes
            row["at"] = event.at.isoformat()
            rows.append(row)
    path = tmp_path / "events.jsonl"
    path.write_text("".join(json.dumps(row) + "\n" for row in rows))
    grouped: dict[str, list[tuple[int, dict[str, Any]]]] = {}
    for number, line in enumerate(path.read_text().splitlines(), start=1):
        plain = eventfiles._plain_row(number, line)
        assert plain is not None, line
        grouped.setdefault(plain[1], []).append((number, plain[2]))
    assert all(plain_timeline(ticket, rows) is not None for ticket, rows in grouped.items())
    (tmp_path / "policy.json").write_text(json.dumps(DEFAULT_POLICY_DATA))
    argv = ["evaluate", str(tmp_path / "policy.json"), str(path), "--format", "jsonl"]
    fast = _cli(*argv)
    with validated_only():
        validated = _cli(*argv)
    assert (0, 50) == (fast[0], len(fast[1].splitlines()))
    assert validated == fast


# ----------------------------------------------------------------------------------------------
# Bad lines: the message each gives, the same on both paths
CREATED = '{"ticket_id": "T", "at": "2025-03-10T09:00:00+01:00", "kind": "created"'
BAD_FILES = {
    "naive instant": (
        '{"ticket_id": "T", "at": "2025-03-10T09:00:00", "kind": "created"}\n',
        "at: Input should have timezone info",
    ),
    "kind not text": (
        CREATED + '}\n{"ticket_id": "T", "at": "2025-03-10T09:05:00Z", "kind": 5}\n',
        "kind: Input should be a valid string",
    ),
    "empty kind": (
        CREATED + '}\n{"ticket_id": "T", "at": "2025-03-10T09:05:00Z", "kind": ""}\n',
        "kind: String should have at least 1 character",
    ),
    "missing created": (
        '{"ticket_id": "T", "at": "2025-03-10T09:05:00Z", "kind": "agent_replied"}\n',
        "ticket 'T' has 0 'created' events - expected exactly one",
    ),
    "two created": (
        CREATED + "}\n" + CREATED + "}\n",
        "ticket 'T' has 2 'created' events - expected exactly one",
    ),
    "duplicate key": (
        CREATED + ', "kind": "solved"}\n',
        "key 'kind' is given twice - expected each key once",
    ),
    "duplicate key, compact": (
        '{"ticket_id":"T","at":"2025-03-10T09:00:00Z","kind":"created","at":"2025-03-10T09:00:00Z"}\n',
        "key 'at' is given twice - expected each key once",
    ),
    "priority not text": (
        CREATED + ', "priority": ["high"]}\n',
        "priority: Input should be a valid string",
    ),
    "priority without target": (
        CREATED + ', "priority": "low"}\n',
        "unknown priority 'low': policy 'support' has no target",
    ),
    "status contradicts kind": (
        CREATED + '}\n{"ticket_id": "T", "at": "2025-03-10T09:05:00Z", "kind": "solved", '
        '"status": "Resolved"}\n',
        "status 'Resolved' contradicts kind 'solved'",
    ),
    "status_changed without status": (
        CREATED + '}\n{"ticket_id": "T", "at": "2025-03-10T09:05:00Z", "kind": "status_changed"}\n',
        "status is missing: an event of kind 'status_changed' needs it",
    ),
    "unknown key": (CREATED + ', "colour": "red"}\n', "colour: Extra inputs are not permitted"),
    "public as text": (
        CREATED + '}\n{"ticket_id": "T", "at": "2025-03-10T09:05:00Z", "kind": "agent_replied", '
        '"public": "maybe"}\n',
        "public: Input should be a valid boolean",
    ),
    "event before created": (
        CREATED + '}\n{"ticket_id": "T", "at": "2025-03-10T07:59:00Z", "kind": "note_added"}\n',
        "is before the ticket was created at 2025-03-10T09:00:00+01:00",
    ),
    "an id with two contents": (
        CREATED + ', "id": "e1"}\n{"ticket_id": "T", "at": "2025-03-10T09:05:00Z", '
        '"kind": "note_added", "id": "e1"}\n',
        "event id 'e1' is used twice with different content",
    ),
    "out of range": (
        '{"ticket_id": "T", "at": "1969-12-31T23:59:59Z", "kind": "created"}\n',
        "at out of range: 1969-12-31T23:59:59+00:00",
    ),
    "a day that does not exist": (
        '{"ticket_id": "T", "at": "2025-02-30T10:00:00Z", "kind": "created"}\n',
        "at: Input should be a valid datetime or date, day value is outside expected range",
    ),
    "attribute value a mapping": (
        CREATED + ', "attributes": {"team": {"name": "a"}}}\n',
        "attributes.team: unsupported attribute value {'name': 'a'}",
    ),
    "not JSON": (CREATED + "\n", "not valid JSON: Expecting ',' delimiter"),
}


@pytest.mark.parametrize("case", sorted(BAD_FILES))
def test_bad_lines_give_the_validated_message(tmp_path: Path, case: str) -> None:
    """Each bad file stops ``slaclock evaluate`` (exit 2) with the message of the models,
    whichever path reads it (the fast path falls back on anything it does not handle)."""
    text, message = BAD_FILES[case]
    (tmp_path / "policy.json").write_text(json.dumps(POLICY))
    (tmp_path / "events.jsonl").write_text(text, encoding="utf-8")
    argv = ["evaluate", str(tmp_path / "policy.json"), str(tmp_path / "events.jsonl")]
    fast = _cli(*argv, "--format", "jsonl")
    with validated_only():
        validated = _cli(*argv, "--format", "jsonl")
    assert validated == fast
    status, out, err = fast
    assert (2, "") == (status, out)
    assert err.startswith(f"slaclock: {tmp_path / 'events.jsonl'}:")
    assert message in err


# ----------------------------------------------------------------------------------------------
# The pieces
@given(
    at=st.datetimes(
        min_value=datetime(1970, 1, 2),
        max_value=datetime(2199, 12, 30),
        timezones=st.sampled_from(ZONES).map(ZoneInfo),
    ),
    timespec=st.sampled_from(["auto", "seconds", "milliseconds", "microseconds"]),
)
def test_plain_instant_is_what_validation_gives(at: datetime, timespec: str) -> None:
    """An instant read on the fast path equals the validated one: value, tzinfo type and
    offset (and the UTC microseconds the timeline keeps)."""
    text = at.isoformat(timespec=timespec)
    validated = Event(at=text, kind="created").at
    fast = plain_instant(text)
    assert fast is not None
    assert (repr(validated), type(validated.tzinfo)) == (repr(fast[0]), type(fast[0].tzinfo))
    assert Timeline(ticket_id="T", events=[{"at": text, "kind": "created"}]).instants[0] == fast[1]


@pytest.mark.parametrize(
    "text",
    [
        "2025-03-10 09:00:00Z",  # a space: pydantic reads it, the fast path leaves it
        "2025-03-10T09:00Z",  # no seconds
        "2025-03-10T09:00:00.1234567Z",  # 7 digits
        "2025-03-10T09:00:00+24:00",
        "2025-03-10T09:00:00",
        "2025-02-29T09:00:00Z",  # not a leap year
        "2200-01-01T00:00:00Z",  # out of range
        "\u0662\u0660\u0662\u0665-03-10T09:00:00Z",  # digits, but not 0-9
    ],
)
def test_plain_instant_leaves_other_forms_to_validation(text: str) -> None:
    """Text not of the plain form, or not a supported instant, is not read on the fast path."""
    assert plain_instant(text) is None


def test_plain_timeline_orders_as_validation() -> None:
    """Rows out of order are ordered by instant, stably, with 'created' first among the
    events at its instant (a note at the same instant, given before it, comes after it)."""
    rows = [
        (1, {"at": "2025-03-10T10:00:00+01:00", "kind": "solved"}),
        (2, {"at": "2025-03-10T08:00:00Z", "kind": "note_added", "id": "n1"}),
        (3, {"at": "2025-03-10T09:00:00+01:00", "kind": "created", "attributes": {"tier": "gold"}}),
        (4, {"at": "2025-03-10T09:00:00+01:00", "kind": "agent_replied"}),
    ]
    fast = plain_timeline("T", rows)
    validated = eventfiles._timeline("T", rows, Path("events.jsonl"))
    assert isinstance(validated, Timeline)
    assert fast is not None
    # 08:00Z is 09:00+01:00: note, created and reply share the instant; created goes first.
    assert ["created", "note_added", "agent_replied", "solved"] == [e.kind for e in fast.events]
    assert _shown(validated) == _shown(fast)


def test_first_pass_reads_escaped_ticket_ids(tmp_path: Path) -> None:
    """A ticket id written with an escape (``A\\u0042`` is ``AB``) is the same ticket as the
    plain ``AB`` further down: the file is not contiguous, and AB's two lines make one
    timeline, on the fast path as on the validated one."""
    path = tmp_path / "events.jsonl"
    path.write_text(
        '{"ticket_id": "A\\u0042", "at": "2025-03-10T09:00:00Z", "kind": "created"}\n'
        '{"ticket_id": "X", "at": "2025-03-10T09:00:00Z", "kind": "created"}\n'
        '{"ticket_id": "AB", "at": "2025-03-10T09:05:00Z", "kind": "agent_replied"}\n'
    )
    items = list(read_timelines(path))
    assert [("AB", 2), ("X", 1)] == [
        (item.ticket_id, len(item.events)) for item in items if isinstance(item, Timeline)
    ]
    with validated_only():
        validated = _read(path)
    assert validated == [_shown(item) for item in items]


JSON_VALUES = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()
    | st.integers(-(2**80), 2**80)
    | st.floats()
    | st.text(max_size=6),
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=4), inner, max_size=3)
    ),
    max_leaves=8,
)


@pytest.mark.parametrize("decoder", sorted(DECODERS))
@given(
    row=st.fixed_dictionaries(
        {"ticket_id": st.text(max_size=4), "kind": JSON_VALUES},
        optional={
            "at": JSON_VALUES,
            "attributes": JSON_VALUES | st.dictionaries(st.text(max_size=3), JSON_VALUES),
            ":": st.text(max_size=3),
            "": JSON_VALUES,
        },
    ),
    separators=st.sampled_from([(", ", ": "), (",", ":"), (", ", " : "), (",", "\t:")]),
    twice=st.sampled_from(
        [
            "",
            ', "kind": 1',
            ', "kind" : 1',
            ', "kind"\t: 1',
            ', "attributes": {}',
            ', "a": {"b": 1, "b": 2}',
        ]
    ),
)
def test_plain_row_is_none_or_what_json_reads(
    decoder: str, row: dict[str, Any], separators: tuple[str, str], twice: str
) -> None:
    """Any JSON object (big integers, floats, NaN, nested values, keys given twice): the fast
    reading of a line is either left to json or exactly what json reads."""
    text = json.dumps(row, separators=separators)
    line = (text[:-1] + twice + "}" if twice and text != "{}" else text) + "\n"
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(eventfiles, "_loads", DECODERS[decoder])
        fast = eventfiles._plain_row(3, line)
    if fast is not None:
        validated = eventfiles._jsonl_row("e.jsonl:3", 3, line)
        assert not isinstance(validated, BadLine)
        assert repr(validated) == repr(fast)


@pytest.mark.parametrize(
    "attributes",
    [
        {"account": 123456789012345678901234567890},
        {"accounts": [1, -99999999999999999999]},
        {"codes": ["x", 18446744073709551616]},
    ],
)
def test_big_integers_stay_integers(tmp_path: Path, attributes: dict[str, Any]) -> None:
    """Integers past 64 bits, alone or in lists, are read as json reads them, integers (orjson
    would give floats: such lines go the slow way)."""
    path = tmp_path / "events.jsonl"
    row = {"ticket_id": "T", "at": "2025-03-10T09:00:00Z", "kind": "created"}
    path.write_text(json.dumps({**row, "attributes": attributes}) + "\n")
    (timeline,) = read_timelines(path)
    assert isinstance(timeline, Timeline)
    assert attributes == timeline.attributes
    assert repr(attributes) == repr(timeline.attributes)
