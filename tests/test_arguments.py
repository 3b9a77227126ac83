"""Entry points check their policy, ticket id and attributes up front, naming the argument.

The clocks check what they are built with, as a Timeline would, before any event arrives.

Before, ``TicketClock(policy, ticket_id=5)`` made a clock whose results carried the integer 5
as the ticket id, attributes holding NaN were written into the stored state (not JSON), an
object as an attribute failed only at the first event, and a policy given as a file name failed
deep inside the replay. The batch functions took a wrong policy ticket by ticket: a million
identical failures (``evaluate_many``, ``compare``) or an ``AttributeError`` (``sweep``,
``evaluate_frame``); they now refuse it once, before the first ticket.
"""

from __future__ import annotations

from typing import Any

import pyarrow as pa
import pytest

from slaclock import Policy, evaluate, evaluate_frame
from slaclock.analytics import evaluate_many, iter_records
from slaclock.errors import ArgumentError
from slaclock.full_history import FullHistoryClock
from slaclock.streaming import TicketClock
from slaclock.sweeps import recommend_target, sweep
from slaclock.synthetic import DEFAULT_POLICY, sample_timelines
from slaclock.whatif import compare

POLICY = Policy(name="p", metrics={"first_response": {"targets": {"normal": "1h"}}})
CREATED = {"at": "2025-01-06T09:00:00+00:00", "kind": "created"}
CLOCKS = [TicketClock, FullHistoryClock]


@pytest.mark.parametrize("clock", CLOCKS)
@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        ({"ticket_id": 5}, r"ticket_id: 5 \(int\) - expected text such as 'T-1'"),
        ({"ticket_id": None}, r"ticket_id: None \(NoneType\) - expected text"),
        (
            {"attributes": {"priority": "normal", "seats": float("nan")}},
            r"ticket 'T-1': attributes\.seats: unsupported attribute value nan",
        ),
        (
            {"attributes": {"team": {"name": "a"}}},
            r"ticket 'T-1': attributes\.team: unsupported attribute value \{'name': 'a'\}",
        ),
        ({"attributes": ["priority"]}, r"ticket 'T-1': attributes: not a mapping: \['priority'\]"),
        (
            {"policy": "policy.yaml"},
            r"policy: 'policy\.yaml' \(str\) - expected a Policy, a PolicySet",
        ),
        ({"policy": None}, r"policy: None \(NoneType\) - expected a Policy"),
    ],
)
def test_a_clock_refuses_bad_arguments_naming_them(
    clock: type[Any], arguments: dict[str, Any], message: str
) -> None:
    given = {"policy": POLICY, "ticket_id": "T-1", "attributes": {"priority": "normal"}}
    with pytest.raises(ArgumentError, match=message):
        clock(**{**given, **arguments})


@pytest.mark.parametrize("clock", CLOCKS)
def test_a_clock_takes_policy_data_as_evaluate_does(clock: type[Any]) -> None:
    """Plain policy data is validated, as evaluate validates it: the same result."""
    built = clock(POLICY.model_dump(), "T-1", {"priority": "normal"}).add(CREATED)
    assert isinstance(built.policy, Policy)
    expected = evaluate(POLICY, {"ticket_id": "T-1", "attributes": {"priority": "normal"},
                                 "events": [CREATED]})  # fmt: skip
    assert expected == built.result()


def test_evaluate_names_a_policy_that_is_not_one() -> None:
    with pytest.raises(ArgumentError, match=r"policy: 42 \(int\) - expected a Policy"):
        evaluate(42, {"ticket_id": "T-1", "events": [CREATED]})  # type: ignore[arg-type]


@pytest.mark.parametrize("clock", CLOCKS)
def test_loading_state_names_a_policy_that_is_not_one(clock: type[Any]) -> None:
    stored = clock(POLICY, "T-1", {"priority": "normal"}).add(CREATED).to_dict()
    with pytest.raises(ArgumentError, match=r"policy: 'p' \(str\) - expected a Policy"):
        clock.from_dict(stored, "p")


TICKETS = sample_timelines()
BATCHES: dict[str, tuple[Any, str]] = {
    "evaluate_many": (lambda: evaluate_many("policy.yaml", TICKETS), "policy: 'policy.yaml'"),
    "iter_records": (lambda: iter_records("policy.yaml", TICKETS), "policy: 'policy.yaml'"),
    "compare baseline": (
        lambda: compare(TICKETS, baseline="policy.yaml", variants={}),
        "baseline: 'policy.yaml'",
    ),
    "compare variant": (
        lambda: compare(TICKETS, baseline=DEFAULT_POLICY, variants={"fast": None}),
        r"variants\['fast'\]: None",
    ),
    "sweep": (
        lambda: sweep(TICKETS, "first_response", "high", ["1h"], baseline="policy.yaml"),
        "baseline: 'policy.yaml'",
    ),
    "recommend_target": (
        lambda: recommend_target(TICKETS, "first_response", "high", baseline="policy.yaml"),
        "baseline: 'policy.yaml'",
    ),
    "evaluate_frame": (
        lambda: evaluate_frame(
            "policy.yaml",
            pa.table({"ticket_id": ["A"], "at": ["2025-01-06T09:00Z"], "kind": ["created"]}),
        ),
        "policy: 'policy.yaml'",
    ),
}


@pytest.mark.parametrize("name", list(BATCHES))
def test_a_batch_refuses_a_wrong_policy_before_the_first_ticket(name: str) -> None:
    run, message = BATCHES[name]
    with pytest.raises(ArgumentError, match=message + r".* - expected a Policy, a PolicySet"):
        run()


def test_an_empty_ticket_id_is_refused_everywhere() -> None:
    """Every reader refuses ``ticket_id: ""``; Timeline and the clocks accepted it."""
    from pydantic import ValidationError

    from slaclock import Timeline

    with pytest.raises(ValidationError, match="ticket_id"):
        Timeline.model_validate({"ticket_id": "", "events": [CREATED]})
    for clock in CLOCKS:
        with pytest.raises(ArgumentError, match=r"ticket_id: '' \(str\) - expected text"):
            clock(POLICY, "", {"priority": "normal"})


@pytest.mark.parametrize(
    "run",
    [
        lambda t: evaluate_many(DEFAULT_POLICY, t),
        lambda t: iter_records(DEFAULT_POLICY, t),
        lambda t: compare(t, baseline=DEFAULT_POLICY, variants={}),
        lambda t: sweep(t, "first_response", "high", ["1h"], baseline=DEFAULT_POLICY),
        lambda t: recommend_target(t, "first_response", "high", baseline=DEFAULT_POLICY),
    ],
    ids=["evaluate_many", "iter_records", "compare", "sweep", "recommend_target"],
)
def test_one_ticket_where_many_are_expected_is_named(run: Any) -> None:
    """One Timeline (or its data) was walked field by field: four failures about tuples, or
    a sweep of nothing. It is one ArgumentError saying to wrap it in a list."""
    one = TICKETS[0]
    for given in (one, one.model_dump()):
        with pytest.raises(ArgumentError, match=r"timelines: one .* \('T-1001'\) - expected an "
                           r"iterable of timelines \(wrap it: \[timeline\]\)"):  # fmt: skip
            run(given)
    with pytest.raises(ArgumentError, match="timelines: 'T-1001' - expected an iterable"):
        run("T-1001")
