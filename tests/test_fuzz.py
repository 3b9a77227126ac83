"""Fuzzing every public entry point with malformed and extreme input (issue 10).

Each property asserts only that what comes out is a result or a *documented* error: a
``SlaclockError`` subclass or pydantic's ``ValidationError`` (never ``TypeError``, ``KeyError``,
``OverflowError``, ``RecursionError`` ... from deep inside), and that streaming equals batch.
Profiles (tests/conftest.py): ``ci`` runs this module in well under two minutes;
``SLACLOCK_HYPOTHESIS_PROFILE=stress`` runs 20 times more examples.
Resource bounds are checked by explicit limits in tests/test_limits.py and tests/test_files.py
and measured in benchmarks/bench_limits.py, never by timing here.
"""

from __future__ import annotations

import io
import json
import tempfile
from collections.abc import Callable
from datetime import datetime, timedelta, timezone
from functools import reduce
from pathlib import Path
from typing import Any

import pyarrow as pa
import pytest
from hypothesis import HealthCheck, event, example, given, settings
from hypothesis import strategies as st
from pydantic import ValidationError

from slaclock import Calendar, Policy, PolicySet, Timeline, evaluate
from slaclock.batch import evaluate_many, iter_records
from slaclock.cli import main
from slaclock.durations import parse_duration
from slaclock.errors import SlaclockError
from slaclock.files import load_policy, read_timelines
from slaclock.frame import evaluate_frame
from slaclock.full_history import FullHistoryClock
from slaclock.reports import (
    at_risk,
    attainment,
    breaches,
    durations,
    first_contact_resolution,
    volume,
)
from slaclock.servicelevel import service_level
from slaclock.streaming import TicketClock
from slaclock.whatif import compare, sweep

from .frame_support import comparable, expected_rows, timelines_of

DOCUMENTED = (SlaclockError, ValidationError)
# Warnings are documented behaviour (a SubdivisionWarning for country: DE alone), not failures.
pytestmark = pytest.mark.filterwarnings("ignore::slaclock.errors.SlaclockWarning")
UTC = timezone.utc
_FOLDER = Path(tempfile.mkdtemp(prefix="slaclock-fuzz-"))
# Function-scoped temp files are not reset between examples; one shared folder is.
_SETTINGS = settings(
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow]
)


def _documented(call: Callable[[], Any]) -> Any:
    """The call's result, or None when it raised a documented error (anything else fails)."""
    try:
        return call()
    except DOCUMENTED:
        return None


# ---------------------------------------------------------------------------------------------
# Values: text and numbers that look almost right
_UNITS = ["h", "m", "s", "d", "w", "ms", "us", "hours", " business days", "x", "", "PT", "P"]
duration_text = st.one_of(
    st.builds(
        lambda sign, number, unit: f"{sign}{number}{unit}",
        st.sampled_from(["", "-", "+", " "]),
        st.one_of(
            st.integers(0, 10**20).map(str), st.floats(0, 1e30).map(str), st.text(max_size=4)
        ),
        st.sampled_from(_UNITS),
    ),
    st.text(max_size=30),
    st.integers(-(10**20), 10**20),
    st.floats(allow_nan=True, allow_infinity=True),
    st.timedeltas(),
    st.none(),
    st.lists(st.integers(), max_size=2),
)
instant = st.one_of(
    st.datetimes(
        timezones=st.sampled_from(
            [UTC, timezone(timedelta(hours=14)), timezone(-timedelta(hours=12))]
        )
    ),
    st.datetimes(
        min_value=datetime(1969, 6, 1), max_value=datetime(2201, 1, 1), timezones=st.just(UTC)
    ),
)
clock_text = st.one_of(
    st.sampled_from(["09:00", "17:00", "24:00", "00:00", "23:59:59", "25:00", "9", "1:30", ""]),
    st.text(max_size=6),
)
span_value = st.one_of(
    st.lists(st.lists(clock_text, min_size=0, max_size=3), max_size=4),
    st.builds(lambda a, b: f"{a}-{b}", clock_text, clock_text),
    st.sampled_from(["closed", "09:00-12:00, 13:00-17:00"]),
    st.integers(),
)
weekday_key = st.one_of(
    st.sampled_from(
        ["mon", "monday", "mon-fri", "sat,sun", "daily", "Mondy", "sunshine", "fri-mon"]
    ),
    st.text(max_size=8),
)
calendar_data = st.fixed_dictionaries(
    {
        "timezone": st.sampled_from(
            ["UTC", "Europe/Berlin", "America/New_York", "Mars/Base", "", "Europe/London"]
        )
    },
    optional={
        "hours": st.one_of(
            st.dictionaries(weekday_key, span_value, max_size=3), st.text(max_size=3)
        ),
        "holidays": st.lists(st.one_of(st.dates(), st.text(max_size=10)), max_size=3),
        "overrides": st.dictionaries(st.dates().map(str), span_value, max_size=2),
        "country_holidays": st.fixed_dictionaries(
            {"country": st.sampled_from(["US", "DE", "XX", "GB"])},
            optional={"subdiv": st.sampled_from(["NY", "BE", "ENG", "ZZ"])},
        ),
    },
)
target_value = st.one_of(
    duration_text,
    st.fixed_dictionaries(
        {"duration": duration_text}, optional={"calendar": st.sampled_from(["24x7", "nope"])}
    ),
)
policy_data = st.fixed_dictionaries(
    {
        "name": st.one_of(st.just("p"), st.integers()),
        "metrics": st.dictionaries(
            st.sampled_from(["first_response", "resolution", "next_response", "first_responce"]),
            st.fixed_dictionaries(
                {},
                optional={
                    "targets": st.dictionaries(
                        st.sampled_from(["high", "normal"]), target_value, max_size=2
                    ),
                    "thresholds": st.lists(
                        st.fixed_dictionaries(
                            {"name": st.sampled_from(["warn", "late"])},
                            optional={
                                "at_percent": st.one_of(
                                    st.floats(allow_nan=True), st.integers(-5, 10**6)
                                ),
                                "before_due": duration_text,
                                "after_due": duration_text,
                            },
                        ),
                        max_size=2,
                    ),
                },
            ),
            max_size=3,
        ),
    },
    optional={
        "calendar": st.one_of(calendar_data, st.sampled_from(["24x7", "nope"])),
        "priority_change": st.sampled_from(["keep", "restart", "sometimes"]),
    },
)


@_SETTINGS
@given(duration_text)
def test_durations(value: Any) -> None:
    """parse_duration returns a timedelta or raises a documented error."""
    result = _documented(lambda: parse_duration(value))
    assert result is None or isinstance(result, timedelta)


@_SETTINGS
@given(calendar_data, instant, instant, duration_text)
def test_calendars(data: dict[str, Any], a: datetime, b: datetime, amount: Any) -> None:
    """Building a calendar and every query on it: a result or a documented error."""
    calendar = _documented(lambda: Calendar.model_validate(data))
    if calendar is None:
        return
    for query in (
        lambda: calendar.is_open(a),
        lambda: calendar.next_open(a),
        lambda: calendar.next_close(a),
        lambda: calendar.elapsed(a, b),
        lambda: calendar.add(a, amount),
        lambda: calendar.business_day_close(a, 2),
    ):
        _documented(query)


@_SETTINGS
@given(policy_data)
def test_policies(data: dict[str, Any]) -> None:
    """Policy and PolicySet validation never raise anything undocumented."""
    _documented(lambda: Policy.model_validate(data))
    _documented(lambda: PolicySet.model_validate([data, {**data, "name": "q"}]))


def _as_toml(value: Any, path: str = "") -> str:
    """A best-effort TOML text of nested mappings (values as JSON: often valid TOML, not always)."""
    lines, tables = [], []
    for key, item in value.items() if isinstance(value, dict) else []:
        name = json.dumps(str(key))
        if isinstance(item, dict):
            tables.append(_as_toml(item, f"{path}.{name}" if path else name))
        else:
            lines.append(f"{name} = {json.dumps(item, default=str)}")
    head = [f"[{path}]"] if path else []
    return "\n".join([*head, *lines, *tables]) + "\n"


@_SETTINGS
@given(
    policy_data,
    st.sampled_from(["yaml", "json", "toml"]),
    st.binary(max_size=20),
    st.integers(0, 200),
)
def test_policy_files(data: dict[str, Any], fmt: str, noise: bytes, cut: int) -> None:
    """A policy file in each format, whole or cut short or with bytes spliced in: a policy or a
    PolicyFileError (a SlaclockError), never a parser's own exception."""
    import yaml

    plain = json.loads(json.dumps(data, default=str))  # timedeltas as text, for every writer
    text = {
        "yaml": lambda: yaml.safe_dump(plain, allow_unicode=True),
        "json": lambda: json.dumps(plain),
        "toml": lambda: _as_toml(plain),
    }[fmt]()
    raw = text.encode()
    for variant in (raw, raw[:cut], raw[:cut] + noise + raw[cut:]):
        path = _FOLDER / f"policy.{fmt}"
        path.write_bytes(variant)
        _documented(lambda p=path: load_policy(p))
        assert main(["validate", str(path)], io.StringIO(), io.StringIO()) in (0, 2)


_KINDS = [
    "created",
    "agent_replied",
    "customer_replied",
    "status_changed",
    "solved",
    "reopened",
    "priority_changed",
    "attributes_changed",
    "x-custom",
]
event_data = st.fixed_dictionaries(
    {
        "at": st.one_of(instant.map(datetime.isoformat), st.text(max_size=5)),
        "kind": st.sampled_from(_KINDS),
    },
    optional={
        "status": st.sampled_from(["open", "pending", "solved", "Resolved"]),
        "priority": st.sampled_from(["high", "normal", "p9"]),
        "public": st.one_of(st.booleans(), st.just("maybe")),
        "id": st.sampled_from(["a", "b"]),
        "attributes": st.one_of(
            st.dictionaries(
                st.sampled_from(["tags", "group", "priority"]),
                st.one_of(
                    st.text(max_size=3),
                    st.lists(st.text(max_size=2), max_size=2),
                    st.integers(),
                    st.floats(allow_nan=True),
                    st.none(),
                ),
                max_size=2,
            ),
            st.text(max_size=2),
            st.integers(),
        ),
    },
)
POLICY = Policy.model_validate(
    {
        "name": "fuzz",
        "calendar": {"timezone": "Europe/Berlin", "hours": {"mon-fri": "09:00-17:00"}},
        "metrics": {
            "first_response": {
                "targets": {"high": "1h", "normal": "4h"},
                "thresholds": [{"name": "warn", "at_percent": 75}],
            },
            "resolution": {
                "targets": {"high": "2 business days", "normal": "16h"},
                "pause_statuses": ["pending"],
            },
        },
    }
)


@_SETTINGS
@given(st.lists(event_data, min_size=1, max_size=8), st.one_of(st.none(), instant))
def test_timelines_and_evaluate(events: list[dict[str, Any]], as_of: datetime | None) -> None:
    """Timeline validation, evaluate and the streaming TicketClock: documented errors only, and
    the clock fed the events one by one agrees with evaluate."""
    timeline = _documented(
        lambda: Timeline.model_validate(
            {"ticket_id": "T", "attributes": {"priority": "high"}, "events": events}
        )
    )
    if timeline is None:
        return
    batch = _documented(lambda: evaluate(POLICY, timeline, as_of))
    clock = TicketClock(POLICY, ticket_id="T", attributes={"priority": "high"})
    fed = _documented(lambda: reduce(TicketClock.add, timeline.events, clock))
    if fed is None:
        return
    # The incremental clock looks back no further than its last event; the full-history one does.
    looks_back = as_of is not None and as_of < timeline.events[-1].at
    if looks_back:
        full = FullHistoryClock(POLICY, ticket_id="T", attributes={"priority": "high"})
        fed_full = _documented(lambda: reduce(FullHistoryClock.add, timeline.events, full))
        if batch is not None and fed_full is not None:
            assert batch == fed_full.result(as_of)
    elif batch is not None:
        assert batch == fed.result(as_of)
    # The stored state, loaded again, is the same clock (as of the same instant).
    restored = TicketClock.from_dict(json.dumps(fed.to_dict()), POLICY)
    if not looks_back:
        assert _documented(lambda: fed.result(as_of)) == _documented(lambda: restored.result(as_of))


SLOWER = POLICY.with_target("first_response", "normal", "8h")


@_SETTINGS
@given(
    st.lists(st.lists(event_data, min_size=1, max_size=5), min_size=1, max_size=4),
    st.one_of(st.none(), instant),
)
def test_batches_and_reports(tickets: list[list[dict[str, Any]]], as_of: datetime | None) -> None:
    """evaluate_many collects failures; iter_records streams the same records; every report runs
    on the batch or raises a documented error."""
    timelines = [
        {
            "ticket_id": f"T{n}",
            "attributes": {"priority": "normal", "tags": ["a"]},
            "events": events,
        }
        for n, events in enumerate(tickets)
    ]
    batch = _documented(lambda: evaluate_many(POLICY, timelines, as_of))
    if batch is None:
        return
    streamed = _documented(lambda: list(iter_records(POLICY, timelines, as_of, failures=[])))
    assert streamed is None or streamed == batch.records
    # The attainment report tallied from a stream equals the one from the batch.
    from_stream = _documented(
        lambda: attainment(iter_records(POLICY, timelines, as_of, failures=[]), by=("tags",))
    )
    from_batch = _documented(lambda: attainment(batch, by=("tags",)))
    assert from_stream is None or from_batch is None or from_stream.rows == from_batch.rows
    for report in (
        lambda: attainment(batch, by=("priority", "tags")),
        lambda: attainment(iter(batch.records), by=("tags",), period="week"),
        lambda: durations(batch, by=("tags",)),
        lambda: breaches(batch),
        lambda: at_risk(batch, include_overdue=True),
        lambda: volume(batch, by=("tags",)),
        lambda: first_contact_resolution(batch, by=("tags",)),
        lambda: compare(
            timelines, baseline=POLICY, variants={"slow": SLOWER}, as_of=as_of, by=("tags",)
        ),
        lambda: sweep(
            timelines,
            "first_response",
            "normal",
            ["1h", "2 business days"],
            baseline=POLICY,
            as_of=as_of,
        ),
    ):
        _documented(lambda r=report: r().to_table())


contact_data = st.fixed_dictionaries(
    {"offered_at": instant.map(datetime.isoformat)},
    optional={
        "answered_at": instant.map(datetime.isoformat),
        "abandoned_at": instant.map(datetime.isoformat),
    },
)


@example(  # found by the stress profile: an instant near year 1 raised OverflowError
    [{"offered_at": "0001-01-01T00:00:00+14:00", "answered_at": "2000-01-01T02:07:02Z"}],
    "0h",
    "15min",
)
@_SETTINGS
@given(
    st.lists(contact_data, max_size=5),
    duration_text,
    st.sampled_from(["15min", "30min", "1h", "day", "fortnight"]),
)
def test_service_level(contacts: list[dict[str, Any]], threshold: Any, interval: Any) -> None:
    """service_level with any threshold and interval: a report or a documented error."""
    _documented(lambda: service_level(contacts, threshold=threshold, interval=interval).to_table())


_LINE = st.one_of(
    event_data.map(lambda e: json.dumps({"ticket_id": "T", **e}, default=str)),
    st.text(max_size=40),
    st.just("[" * 1200),
    st.just('{"ticket_id": "T", "ticket_id": "U"}'),
)


@_SETTINGS
@given(
    st.lists(_LINE, max_size=6),
    st.sampled_from(["jsonl", "csv"]),
    st.sampled_from(
        [["evaluate"], ["evaluate", "--format", "csv"], ["report"], ["explain", "--ticket", "T"]]
    ),
    st.booleans(),
    st.binary(max_size=8),
)
def test_cli_on_malformed_files(
    lines: list[str], fmt: str, command: list[str], skip: bool, noise: bytes
) -> None:
    """The command line on malformed events files: exit 0, 1 or 2, never a traceback."""
    events = _FOLDER / f"events.{fmt}"
    if fmt == "csv":
        body = "ticket_id,at,kind,public,priority\n" + "\n".join(lines)
    else:
        body = "\n".join(lines)
    events.write_bytes(body.encode() + noise)
    policy = Path(__file__).parent.parent / "examples" / "policies" / "b2b-saas.yaml"
    argv = [
        command[0],
        str(policy),
        str(events),
        *command[1:],
        *(["--skip-invalid"] if skip else []),
    ]
    status = main(argv, io.StringIO(), io.StringIO())
    assert status in (0, 1, 2)
    # streaming (read_timelines) and the CLI see the same tickets
    _documented(lambda: list(read_timelines(events)))


SWITCHING = PolicySet.model_validate(
    [
        {
            "name": "vip",
            "conditions": {"tags_any": ["vip"]},
            "priority_change": "restart",
            "metrics": {
                "first_response": {"targets": {"normal": "1h", "high": "30m"}},
                "resolution": {"targets": {"normal": "8h", "high": "4h"}},
            },
        },
        {
            "name": "mid",
            "conditions": {"group": ["b"]},
            "reopen": "new_cycle",
            "metrics": {
                "next_response": {"targets": {"normal": "1h", "high": "30m"}},
                "agent_work": {"targets": {"normal": "3h", "high": "2h"}},
            },
        },
        {
            "name": "rest",
            "metrics": {
                name: {"targets": {"normal": "16h", "high": "8h"}}
                for name in (
                    "first_response",
                    "resolution",
                    "agent_work",
                    "requester_wait",
                    "next_response",
                )
            },
        },
    ]
)
_SWITCH_STEP = st.one_of(
    st.sampled_from([{"tags": ["vip"]}, {"tags": []}, {"group": "b"}, {"group": None}]).map(
        lambda a: {"kind": "attributes_changed", "attributes": a}
    ),
    st.sampled_from(["normal", "high"]).map(lambda p: {"kind": "priority_changed", "priority": p}),
    st.sampled_from(["pending", "open"]).map(lambda s: {"kind": "status_changed", "status": s}),
    st.builds(
        lambda kind, public: {"kind": kind, "public": public},
        st.sampled_from(["agent_replied", "customer_replied", "note_added", "solved", "reopened"]),
        st.booleans(),
    ),
)


class _NoShadows(dict):  # type: ignore[type-arg]
    """A shadow store that never remembers: every catch-up replays the whole history."""

    def get(self, key: Any, default: Any = None) -> Any:
        return None


@_SETTINGS
@given(st.lists(st.tuples(st.integers(0, 90), _SWITCH_STEP), max_size=30), st.integers(0, 30))
def test_incremental_policy_catch_up_equals_a_full_replay(steps: list[Any], hours: int) -> None:
    """A ticket switching policies: the incremental catch-up (replaying only the events since
    the last switch) gives exactly the result of replaying the whole history at each switch."""
    import slaclock.replay as replay

    t = datetime(2025, 1, 1, tzinfo=UTC)
    events: list[dict[str, Any]] = [
        {"at": t, "kind": "created", "attributes": {"priority": "normal"}}
    ]
    for minutes, step in steps:
        t += timedelta(minutes=minutes)
        events.append({"at": t, **step})
    timeline = Timeline(ticket_id="T", events=events)
    as_of = t + timedelta(hours=hours)
    incremental = evaluate(SWITCHING, timeline, as_of)
    original = replay.TicketReplay.__init__

    def forgetful(self: Any, *args: Any, **kwargs: Any) -> None:
        original(self, *args, **kwargs)
        self.shadows = _NoShadows()

    replay.TicketReplay.__init__ = forgetful  # type: ignore[method-assign]
    try:
        full = evaluate(SWITCHING, timeline, as_of)
    finally:
        replay.TicketReplay.__init__ = original  # type: ignore[method-assign]
    assert full == incremental


# ---------------------------------------------------------------------------------------------
# The columnar path (evaluate_frame) against the object path (evaluate_many) on the same rows
_MARCH = st.datetimes(datetime(2025, 3, 3, 9), datetime(2025, 3, 12), timezones=st.just(UTC))
frame_row = st.fixed_dictionaries(
    {
        "ticket_id": st.sampled_from(["A", "A", "A", "B"]),
        "at": st.one_of(
            *[_MARCH.map(datetime.isoformat)] * 18,  # mostly valid, so both paths often run
            instant.map(datetime.isoformat),
            st.sampled_from(["", "yesterday"]),
        ),
        "kind": st.one_of(
            st.sampled_from(["agent_replied", "customer_replied", "solved", "reopened", "closed"]),
            st.sampled_from(["agent_replied", "customer_replied", "note_added"]),
            st.sampled_from(
                ["created", "status_changed", "priority_changed", "attributes_changed", "custom", ""]
            ),
        ),
    },
    optional={
        "status": st.sampled_from(["pending", "open", "solved", "closed", "Resolved"]),
        "priority": st.sampled_from(["high", "normal", "high", "normal", "vip"]),
        "public": st.booleans(),
        "group": st.one_of(st.text(max_size=3), st.sampled_from(["=1+2", "billing"])),
    },
)  # fmt: skip
_FRAME_TYPES = {"public": pa.bool_()}
_FRAME_COLUMNS = ("ticket_id", "at", "kind", "status", "priority", "public", "group")


@_SETTINGS
@given(st.lists(frame_row, min_size=1, max_size=6), st.one_of(st.none(), _MARCH, instant))
def test_evaluate_frame_equals_evaluate_many(rows: list[dict[str, Any]], as_of: Any) -> None:
    """Malformed or extreme rows: evaluate_frame raises only documented errors, refuses what
    the object path refuses (an instant out of range, a status contradicting its kind ...), and
    on valid tickets gives evaluate_many's records."""
    created = {"ticket_id": "A", "at": "2025-03-03T09:00:00+00:00", "kind": "created"}
    rows = [{**created, "priority": "high"}, *rows]
    table = pa.table(
        {c: pa.array([r.get(c) for r in rows], _FRAME_TYPES.get(c, pa.string()))
         for c in _FRAME_COLUMNS}
    )  # fmt: skip
    frame = _documented(lambda: evaluate_frame(POLICY, table, as_of))
    timelines = _documented(lambda: timelines_of(rows))
    expected = (
        None if timelines is None else _documented(lambda: expected_rows(POLICY, timelines, as_of))
    )
    if expected is None:
        assert frame is None, "the object path refuses these rows; the columnar path must too"
    elif frame is not None:
        event("both paths evaluated the rows")
        assert comparable(expected) == comparable(frame.to_pylist())
