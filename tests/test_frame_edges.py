"""evaluate_frame at the edges: odd column types, nanosecond timestamps, re-sent events and bad
arguments give the object path's outcome or a clear error naming the row, never a raw one."""

from __future__ import annotations

import random
from datetime import datetime, timedelta, timezone
from typing import Any

import pandas as pd
import polars as pl
import pyarrow as pa
import pytest
from hypothesis import given
from hypothesis import strategies as st

from slaclock import (
    ArgumentError,
    Event,
    NaiveDatetimeError,
    OutOfRangeError,
    Timeline,
    TimelineError,
    evaluate,
    evaluate_frame,
)
from slaclock.analytics import evaluate_many
from slaclock.frame import CYCLE_COLUMNS
from slaclock.synthetic import DEFAULT_POLICY

from .frame_support import comparable, expected_rows, random_rows, timelines_of

_COLUMNS = ("ticket_id", "at", "kind", "status", "priority", "public", "group", "region")


def _events(**columns: list[Any]) -> pa.Table:
    """Ticket A: created (high) Monday 09:00 New York, then a second event at 10:00; ticket B:
    created (normal) at 09:00."""
    base: dict[str, list[Any]] = {
        "ticket_id": ["A", "A", "B"],
        "at": ["2025-03-10T13:00:00Z", "2025-03-10T14:00:00Z", "2025-03-10T13:00:00Z"],
        "kind": ["created", "agent_replied", "created"],
        "priority": ["high", None, "normal"],
    }
    base.update(columns)
    return pa.table(base)


@pytest.mark.parametrize(
    ("columns", "message"),
    [
        ({"kind": ["created", "status_changed", "created"], "status": [None, 5, None]},
         "row 1 (ticket 'A'): status: 5 - expected text"),
        ({"kind": [1, 2, 1]}, "row 0 (ticket 'A'): kind: 1 - expected text"),
        ({"kind": [None, "agent_replied", "created"]},
         "row 0 (ticket 'A'): kind is missing - expected an event kind"),
        ({"priority": [3, None, 4]}, "row 0 (ticket 'A'): priority: 3 - expected text"),
        ({"author": [None, 7, None]}, "row 1 (ticket 'A'): author: 7 - expected text"),
    ],
)  # fmt: skip
def test_values_that_are_not_text_name_the_row_and_column(
    columns: dict[str, list[Any]], message: str
) -> None:
    """A number where text is expected (status, kind, priority, author) is refused naming the
    row, the column and the value, as Event refuses it; never a TypeError from deep inside."""
    with pytest.raises(TimelineError) as error:
        evaluate_frame(DEFAULT_POLICY, _events(**columns))
    assert message in str(error.value)


@pytest.mark.parametrize(
    ("public", "expected"),
    [
        (["true", "false", None], False),
        ([None, "FALSE", None], False),
        ([None, " no ", None], False),
        ([None, "0", None], False),
        ([None, "yes", None], True),
        ([None, 0, None], False),
        ([None, 1, None], True),
        ([None, 0.0, None], False),
    ],
)
def test_public_as_text_or_numbers_reads_as_the_csv_reader_does(
    public: list[Any], expected: bool
) -> None:
    """``public`` given as text (true/false, yes/no, 1/0, any case) or as 0/1, as a CSV file or
    a pandas column with gaps gives it, reads as in the CLI's CSV reader: a private reply
    (false) does not meet first response, a public one (true) does."""
    result = evaluate_frame(DEFAULT_POLICY, _events(public=public)).to_pylist()
    first = next(r for r in result if r["ticket_id"] == "A" and r["metric"] == "first_response")
    assert ("met" if expected else "running") == first["state"]


@pytest.mark.parametrize("public", [[None, "maybe", None], [None, 2, None], [None, 0.5, None]])
def test_public_that_is_no_flag_names_the_row(public: list[Any]) -> None:
    """Text or a number that is not a yes/no answer is an error naming row, column and value."""
    with pytest.raises(
        TimelineError, match=r"row 1 \(ticket 'A'\): public: .* - expected true or false"
    ):
        evaluate_frame(DEFAULT_POLICY, _events(public=public))


def test_nanosecond_timestamps_floor_to_the_microsecond() -> None:
    """pandas' default datetime64[ns, tz]: an instant with nanoseconds is read to the
    microsecond below (as a Python datetime holds it; what evaluate sees of a pd.Timestamp),
    never an ArrowInvalid 'would lose data'. Created 09:00:00.000000999 New York (13:00Z),
    replied 10:00: first response starts at 13:00:00Z exactly and takes 3600 s."""
    events = pd.DataFrame(
        {
            "ticket_id": ["A", "A"],
            "kind": ["created", "agent_replied"],
            "priority": ["high", None],
            "at": [
                pd.Timestamp("2025-03-10T09:00:00.000000999", tz="America/New_York"),
                pd.Timestamp("2025-03-10T10:00:00", tz="America/New_York"),
            ],
        }
    )
    assert "datetime64[ns, America/New_York]" == str(events["at"].dtype)
    first = evaluate_frame(DEFAULT_POLICY, events).iloc[0]
    assert pd.Timestamp("2025-03-10T13:00:00Z") == first.started_at
    assert 3600.0 == first.elapsed_seconds
    # The object path on the same instants (pd.Timestamp is a datetime: nanoseconds dropped).
    timeline = Timeline.model_validate(
        {
            "ticket_id": "A",
            "attributes": {"priority": "high"},
            "events": [
                {"at": events["at"][0], "kind": "created"},
                {"at": events["at"][1], "kind": "agent_replied"},
            ],
        }
    )
    assert (
        3600.0
        == evaluate(DEFAULT_POLICY, timeline).metrics["first_response"].elapsed.total_seconds()
    )


def test_a_nanosecond_before_1970_is_out_of_range() -> None:
    """Flooring, not truncation toward zero: 1969-12-31T23:59:59.999999999Z stays before the
    supported range (it must not become 1970-01-01T00:00:00Z)."""
    events = pa.table(
        {
            "ticket_id": ["A"],
            "kind": ["created"],
            "at": pa.array([-1], pa.timestamp("ns", "UTC")),
        }
    )
    with pytest.raises(
        TimelineError, match=r"row 0 \(ticket 'A'\): at out of range: 1969-12-31T23:59:59"
    ):
        evaluate_frame(DEFAULT_POLICY, events)


def test_a_resent_id_with_another_author_is_an_error_as_in_timeline() -> None:
    """Two rows with event id 'r' that differ only in author: Timeline refuses them (one content
    per id); the columnar path must not keep one silently."""
    events = (
        _events(
            ticket_id=["A", "A", "A"],
            at=["2025-03-10T13:00:00Z", "2025-03-10T14:00:00Z", "2025-03-10T14:00:00Z"],
            kind=["created", "agent_replied", "agent_replied"],
            priority=["high", None, None],
        )
        .append_column("id", pa.array(["c", "r", "r"]))
        .append_column("author", pa.array([None, "ann", "bob"]))
    )
    with pytest.raises(ValueError, match="event id 'r' is used twice with different content"):
        Timeline.model_validate(
            {
                "ticket_id": "A",
                "events": [
                    {"at": "2025-03-10T13:00:00Z", "kind": "created", "id": "c"},
                    {
                        "at": "2025-03-10T14:00:00Z",
                        "kind": "agent_replied",
                        "id": "r",
                        "author": "ann",
                    },
                    {
                        "at": "2025-03-10T14:00:00Z",
                        "kind": "agent_replied",
                        "id": "r",
                        "author": "bob",
                    },
                ],
            }
        )
    with pytest.raises(TimelineError, match=r"row 2 \(ticket 'A'\): event id 'r' is used twice"):
        evaluate_frame(DEFAULT_POLICY, events)


def test_a_resent_id_with_the_same_author_counts_once() -> None:
    """The same re-send with equal authors is kept once (events [0, 1], not [0, 1, 2])."""
    events = pa.table(
        {
            "ticket_id": ["A", "A", "A"],
            "at": ["2025-03-10T13:00:00Z", "2025-03-10T14:00:00Z", "2025-03-10T14:00:00Z"],
            "kind": ["created", "agent_replied", "agent_replied"],
            "priority": ["high", None, None],
            "id": ["c", "r", "r"],
            "author": [None, "ann", "ann"],
        }
    )
    first = evaluate_frame(DEFAULT_POLICY, events).to_pylist()[0]
    assert [0, 1] == first["events"]


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        ({"policy": "b2b-support"}, "policy: 'b2b-support' (str) - expected a Policy, a PolicySet"),
        ({"policy": 42}, "policy: 42 (int) - expected a Policy, a PolicySet"),
        ({"per_ticket": "yes"}, "per_ticket: 'yes' - expected True or False"),
    ],
)
def test_bad_arguments_are_argument_errors(arguments: dict[str, Any], message: str) -> None:
    """A policy that is no policy, or a per_ticket that is no bool, is an ArgumentError naming
    the argument and the value (not an AttributeError, not a truthy string)."""
    call: dict[str, Any] = {"policy": DEFAULT_POLICY, "events": _events(), **arguments}
    with pytest.raises(ArgumentError) as error:
        evaluate_frame(call.pop("policy"), call.pop("events"), **call)
    assert message in str(error.value)


def test_a_policy_as_plain_data_is_validated_as_evaluate_does() -> None:
    """A policy given as its JSON data works as it does for evaluate (same rows)."""
    data = DEFAULT_POLICY.model_dump(mode="json")
    assert evaluate_frame(DEFAULT_POLICY, _events()) == evaluate_frame(data, _events())


def test_as_of_before_every_event_gives_no_cycle_rows_like_evaluate_many() -> None:
    """as_of before the first event: no metric has started (evaluate_many has no records
    either), and per ticket the ticket is still there."""
    as_of = datetime(2025, 3, 1, tzinfo=timezone.utc)
    timelines = [
        Timeline.model_validate(
            {"ticket_id": "A", "attributes": {"priority": "high"},
             "events": [{"at": "2025-03-10T13:00:00Z", "kind": "created"}]})
    ]  # fmt: skip
    assert [] == comparable(expected_rows(DEFAULT_POLICY, timelines, as_of))
    table = _events().slice(0, 1)
    assert 0 == evaluate_frame(DEFAULT_POLICY, table, as_of).num_rows
    tickets = evaluate_frame(DEFAULT_POLICY, table, as_of, per_ticket=True).to_pylist()
    assert [("A", as_of)] == [(row["ticket_id"], row["as_of"]) for row in tickets]


def _column(values: list[Any], name: str, encoding: str) -> pa.Array:
    """A column of the random rows in the given physical form."""
    if name == "at":
        if encoding == "text":
            return pa.array(values, pa.string())
        instants = [datetime.fromisoformat(v) for v in values]
        unit, zone = encoding.split("/", 1) if "/" in encoding else (encoding, "UTC")
        return pa.array(instants, pa.timestamp("us", zone)).cast(pa.timestamp(unit, zone))
    if name == "public":
        return pa.array(values, pa.bool_())
    if encoding == "dictionary":
        return pa.array(values, pa.string()).dictionary_encode()
    if encoding == "large":
        return pa.array(values, pa.large_string())
    return pa.array(values, pa.string())


@given(
    seed=st.integers(0, 10**6),
    tickets=st.integers(1, 6),
    at=st.sampled_from(("text", "us", "ns", "us/America/New_York", "s/Europe/Berlin")),
    text=st.sampled_from(("plain", "dictionary", "large")),
    chunks=st.integers(1, 4),
    library=st.sampled_from(("pyarrow", "pandas", "polars")),
    as_of_hours=st.none() | st.integers(0, 400),
)
def test_physical_forms_give_the_object_paths_rows(
    seed: int,
    tickets: int,
    at: str,
    text: str,
    chunks: int,
    library: str,
    as_of_hours: int | None,
) -> None:
    """The same random tickets (shuffled rows, several zones, DST weeks) as timestamp columns of
    any unit and zone, dictionary-encoded or large text, in several chunks (a ticket's rows in
    different chunks), and the pandas (category, datetime64[ns, tz]) and polars (Categorical,
    Datetime with a zone) frames made from them: evaluate_frame gives evaluate_many's records."""
    rows = random_rows(seed, tickets)
    as_of = (
        None
        if as_of_hours is None
        else datetime(2025, 3, 1, tzinfo=timezone.utc) + timedelta(hours=as_of_hours)
    )
    expected = comparable(expected_rows(DEFAULT_POLICY, timelines_of(rows), as_of))
    table = pa.table(
        {c: _column([r.get(c) for r in rows], c, at if c == "at" else text) for c in _COLUMNS}
    )
    size = -(-len(rows) // chunks)
    table = pa.Table.from_batches(table.to_batches(max_chunksize=size))
    events: Any = table
    if library == "pandas":
        events = table.to_pandas()
    elif library == "polars":
        events = pl.from_arrow(table)
    result = evaluate_frame(DEFAULT_POLICY, events, as_of)
    if library == "pandas":
        found = result.to_dict("records")
    else:
        found = result.to_dicts() if library == "polars" else result.to_pylist()
    assert expected == comparable(found)


def test_an_attribute_named_error_survives_collect() -> None:
    """errors='collect' adds an ``error`` column; an attribute column called ``error`` is kept
    as ``attribute_error`` (its values used to be overwritten by the empty error column)."""
    result = evaluate_frame(
        DEFAULT_POLICY,
        _events().append_column("error", pa.array(["e-1", None, "e-2"])),
        errors="collect",
    )
    rows = result.select(["ticket_id", "attribute_error", "error"]).to_pylist()
    assert {("A", "e-1", None), ("B", "e-2", None)} == {tuple(r.values()) for r in rows}


def test_attribute_names_that_clash_are_prefixed_never_hidden() -> None:
    """An attribute keeps its own name unless a result column has it; then ``attribute_`` goes
    in front, again while that is another attribute's own name: ``state`` becomes
    ``attribute_attribute_state`` beside a real ``attribute_state``, and the created priority
    ``attribute_attribute_priority`` beside a real ``attribute_priority``. Every input value is
    in the result, under the names the object path's records give them."""
    events = (
        _events()
        .append_column("state", pa.array(["s-a", None, "s-b"]))
        .append_column("attribute_state", pa.array(["as-a", None, "as-b"]))
        .append_column("attribute_priority", pa.array(["ap-a", None, "ap-b"]))
    )
    result = evaluate_frame(DEFAULT_POLICY, events)
    assert [
        "attribute_attribute_state",
        "attribute_state",
        "attribute_priority",
        "attribute_attribute_priority",
    ] == result.column_names[len(CYCLE_COLUMNS) :]
    first = result.to_pylist()[0]
    assert ("s-a", "as-a", "ap-a", "high") == (
        first["attribute_attribute_state"],
        first["attribute_state"],
        first["attribute_priority"],
        first["attribute_attribute_priority"],
    )
    # The object path names them alike (it used to swap attribute_state's two values).
    record = evaluate_many(DEFAULT_POLICY, [{"ticket_id": "A", "attributes": {
        "state": "s-a", "attribute_state": "as-a", "attribute_priority": "ap-a"},
        "events": [{"at": "2025-03-10T13:00:00Z", "kind": "created", "priority": "high"}]}]).records[0]  # fmt: skip
    assert ("s-a", "as-a", "ap-a", "high") == (
        record["attribute_attribute_state"],
        record["attribute_state"],
        record["attribute_priority"],
        record["attribute_attribute_priority"],
    )


@pytest.mark.parametrize("library", ["pyarrow", "pandas"])
def test_a_column_twice_is_named(library: str) -> None:
    """A column that appears twice (pyarrow and pandas allow it) is a TimelineError naming it,
    not pyarrow's KeyError or pandas' 'Duplicate column names found'."""
    table = pa.Table.from_arrays(
        [*_events().columns, pa.array(["a", None, "b"]), pa.array(["c", None, "d"])],
        names=[*_events().column_names, "tier", "tier"],
    )
    events: Any = table if library == "pyarrow" else table.to_pandas()
    with pytest.raises(TimelineError, match="events: column 'tier' appears 2 times"):
        evaluate_frame(DEFAULT_POLICY, events)


@pytest.mark.parametrize("at", ["2025-03-10T13Z", "2025-03-10T13:00:00+01"])
def test_text_event_refuses_is_refused_whatever_the_other_rows(at: str) -> None:
    """Text pyarrow reads but Event refuses (no minutes; an offset without minutes) is an error
    naming the row, as on the object path, whether or not another row is bad: a row's fate must
    not depend on its neighbours (the column-wise cast used to accept it when every row cast)."""
    with pytest.raises(ValueError, match="Input should be a valid datetime"):
        Timeline.model_validate({"ticket_id": "A", "events": [{"at": at, "kind": "created"}]})
    alone = _events(at=[at, "2025-03-10T14:00:00Z", "2025-03-10T13:00:00Z"])
    with pytest.raises(
        TimelineError, match=r"row 0 \(ticket 'A'\): at: Input should be a valid datetime"
    ):
        evaluate_frame(DEFAULT_POLICY, alone)
    collected = evaluate_frame(
        DEFAULT_POLICY, _events(at=[at, "2025-03-10T14:00:00Z", "later"]), errors="collect"
    ).to_pylist()
    assert {"A", "B"} == {row["ticket_id"] for row in collected if row["error"] is not None}


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (lambda: pd.Series(["A"]), "events: pandas.Series - expected a pandas DataFrame"),
        (lambda: pl.Series(["A"]), "events: polars.Series - expected a pandas DataFrame"),
        (
            lambda: pl.DataFrame({"ticket_id": ["A"]}).lazy(),
            r"polars.LazyFrame \(collect\(\) it first\)",
        ),
        (lambda: pa.record_batch({"ticket_id": ["A"]}), "events: pyarrow.RecordBatch - expected"),
    ],
)
def test_other_containers_are_argument_errors(make: Any, message: str) -> None:
    """A Series, a polars LazyFrame or a RecordBatch is an ArgumentError naming what it is (a
    pandas or polars Series and a LazyFrame were AttributeErrors)."""
    with pytest.raises(ArgumentError, match=message):
        evaluate_frame(DEFAULT_POLICY, make())


_WORDS = {True: ("true", "Yes", "1", " TRUE "), False: ("false", "no", "0", "False")}


@given(seed=st.integers(0, 10**6), tickets=st.integers(1, 5), resends=st.integers(0, 6))
def test_resent_events_and_public_as_text_give_the_object_paths_rows(
    seed: int, tickets: int, resends: int
) -> None:
    """Random tickets whose events carry ids, some sent twice (same content, anywhere in the
    table), with ``public`` written as CSV words: the rows of evaluate_many on the timelines
    (which keep a re-send once and read public as a bool)."""
    rng = random.Random(seed)
    rows = [{**row, "id": f"e{n}"} for n, row in enumerate(random_rows(seed, tickets))]
    for _ in range(resends):
        rows.insert(rng.randrange(len(rows) + 1), dict(rng.choice(rows)))
    expected = comparable(expected_rows(DEFAULT_POLICY, timelines_of(rows)))
    words = [None if r.get("public") is None else rng.choice(_WORDS[r["public"]]) for r in rows]
    table = pa.table(
        {
            **{
                c: pa.array([r.get(c) for r in rows], pa.string())
                for c in _COLUMNS
                if c != "public"
            },
            "public": pa.array(words, pa.string()),
            "id": pa.array([r["id"] for r in rows]),
        }
    )
    assert expected == comparable(evaluate_frame(DEFAULT_POLICY, table).to_pylist())


def test_a_nan_ticket_id_is_missing_not_a_ticket_called_nan() -> None:
    """A float ticket_id column with NaN (pyarrow and polars keep NaN apart from null): the row
    has no ticket (an error naming it), its rows are not grouped into a ticket 'nan'."""
    events = _events(ticket_id=[1.0, 1.0, float("nan")])
    with pytest.raises(TimelineError, match=r"row 2: ticket_id is missing"):
        evaluate_frame(DEFAULT_POLICY, events)
    collected = evaluate_frame(DEFAULT_POLICY, pl.from_arrow(events), errors="collect")
    assert [None] == collected.filter(pl.col("error").is_not_null())["ticket_id"].to_list()
    assert {"1"} == set(collected.filter(pl.col("error").is_null())["ticket_id"].to_list())


@pytest.mark.parametrize(
    "column",
    [
        pa.array([["a"], ["a"], ["b"]]),
        pa.array([{"x": 1}, {"x": 1}, {"x": 2}]),
        pa.array([b"\xff", b"\xff", b"b"], pa.binary()),
    ],
)
def test_a_ticket_id_column_without_a_text_form_is_named(column: pa.Array) -> None:
    """Lists, structs or bytes that are not UTF-8 as ticket ids: a TimelineError naming the
    column and its type (was pyarrow's ArrowNotImplementedError or ArrowInvalid)."""
    with pytest.raises(
        TimelineError, match=r"ticket_id: a .* column .* - expected text or numbers"
    ):
        evaluate_frame(DEFAULT_POLICY, _events(ticket_id=column))


@pytest.mark.parametrize(
    ("as_of", "error", "message"),
    [
        (datetime(2025, 3, 11), NaiveDatetimeError, "as_of is a naive datetime"),
        ("2025-03-11T00:00:00Z", ArgumentError, "as_of must be a datetime"),
        (datetime(2250, 1, 1, tzinfo=timezone.utc), OutOfRangeError, "as_of out of range"),
    ],
)
def test_an_as_of_that_is_no_aware_instant_is_refused(
    as_of: Any, error: type, message: str
) -> None:
    """as_of naive, as text, or beyond the supported range: refused naming as_of, as evaluate
    refuses it (before any row is read)."""
    with pytest.raises(error, match=message):
        evaluate_frame(DEFAULT_POLICY, _events(), as_of)


@given(
    seed=st.integers(0, 10**6),
    tickets=st.integers(1, 5),
    at_an_event=st.booleans(),
    hours=st.integers(0, 400),
)
def test_ticket_rows_as_of_any_instant_equal_the_object_path(
    seed: int, tickets: int, at_an_event: bool, hours: int
) -> None:
    """per_ticket=True as of an instant before, between or exactly at events (status, replies,
    reopens, solved_at counted up to as_of): evaluate_many's ticket rows."""
    rows = random_rows(seed, tickets)
    if at_an_event:
        as_of = datetime.fromisoformat(rows[hours % len(rows)]["at"])
    else:
        as_of = datetime(2025, 3, 1, tzinfo=timezone.utc) + timedelta(hours=hours)
    batch = evaluate_many(DEFAULT_POLICY, timelines_of(rows), as_of, errors="raise")
    table = pa.table(
        {
            c: pa.array([r.get(c) for r in rows], pa.bool_() if c == "public" else pa.string())
            for c in _COLUMNS
        }
    )
    result = evaluate_frame(DEFAULT_POLICY, table, as_of, per_ticket=True)
    assert comparable(batch.tickets) == comparable(result.to_pylist())


def test_an_empty_ticket_id_is_refused_as_in_events_files() -> None:
    """JSON Lines and CSV refuse ``"ticket_id": ""``; the columnar path evaluated it as ticket ''."""
    table = pa.table({"ticket_id": ["", ""], "at": ["2025-03-10T09:00:00Z", "2025-03-10T09:20:00Z"],
                      "kind": ["created", "agent_replied"], "priority": ["high", None]})  # fmt: skip
    with pytest.raises(
        TimelineError, match=r"row 0: ticket_id is empty - expected the ticket's id"
    ):
        evaluate_frame(DEFAULT_POLICY, table)
    collected = evaluate_frame(DEFAULT_POLICY, table, errors="collect").to_pylist()
    assert [("", "row 0: ticket_id is empty - expected the ticket's id")] == [
        (r["ticket_id"], r["error"]) for r in collected
    ]


@pytest.mark.parametrize(
    ("word", "state"), [("on", "met"), ("Off", "running"), ("y", "met"), ("F", "running")]
)
def test_public_words_are_those_json_lines_events_accept(word: str, state: str) -> None:
    """pydantic reads on/off/y/n/t/f as booleans in JSON Lines events; CSV and the columnar
    path refused them. A reply 10 minutes in: met when public, else first response runs."""
    table = pa.table({"ticket_id": ["A", "A"], "at": ["2025-03-10T13:00:00Z", "2025-03-10T13:10:00Z"],
                      "kind": ["created", "agent_replied"], "priority": ["high", None],
                      "public": [None, word]})  # fmt: skip
    assert state == evaluate_frame(DEFAULT_POLICY, table).to_pylist()[0]["state"]
    json_event = Event.model_validate({"at": "2025-03-10T13:10:00Z", "kind": "agent_replied",
                                       "public": word})  # fmt: skip
    assert (state == "met") == json_event.public


def test_a_number_as_at_text_reads_as_on_the_object_path() -> None:
    """The message had pydantic's 'Value error, ' prefix and the value twice."""
    table = pa.table({"ticket_id": ["A", "A"], "at": ["2025-03-10T09:00:00Z", "1741365000"],
                      "kind": ["created", "agent_replied"], "priority": ["high", None]})  # fmt: skip
    with pytest.raises(TimelineError) as caught:
        evaluate_frame(DEFAULT_POLICY, table)
    assert str(caught.value) == (
        "row 1 (ticket 'A'): at: a number is not an instant: '1741365000' - expected ISO 8601 "
        "with a UTC offset, e.g. 2025-03-07T16:30:00+01:00"
    )
