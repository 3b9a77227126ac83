"""Edge cases of slaclock.testing: a malformed scenario is an error naming the field and the
value (never a KeyError from inside check_scenario), and an assertion asked for a state that
does not exist says so instead of failing as if the ticket were wrong."""

from __future__ import annotations

from typing import Any

import pytest

from slaclock.errors import ArgumentError, SlaclockError
from slaclock.testing import assert_state, check_scenario, ticket

TICKET = {
    "created_at": "2025-03-03T09:00:00-05:00",
    "attributes": {"priority": "high"},
    "events": [{"after": "3h", "kind": "agent_replied"}],
}


@pytest.mark.parametrize(
    ("scenario", "named"),
    [
        ({"expect": {}}, "ticket"),
        ({"ticket": "T-1"}, "ticket"),
        ({"ticket": {"events": []}}, "ticket.created_at"),
        ({"ticket": {**TICKET, "events": "agent_replied"}}, "ticket.events"),
        ({"ticket": {**TICKET, "events": ["agent_replied"]}}, r"ticket.events\[0\]"),
        ({"ticket": {**TICKET, "events": [{"after": "1h"}]}}, r"ticket.events\[0\].kind"),
        ({"ticket": TICKET, "expect": ["first_response"]}, "expect"),
        ({"ticket": TICKET, "expect": {"first_response": "met"}}, "expect.first_response"),
        (
            {"ticket": TICKET, "expect": {"first_response": {"state": "breached", "cycle": "x"}}},
            "expect.first_response.cycle",
        ),
        ({"ticket": TICKET, "expect": {"first_response": {"cycles": "1"}}}, "cycles"),
        ({"ticket": TICKET, "policy": 42}, "policy"),
        ({"ticket": TICKET, "expect": {"first_response": {"state": "breach"}}}, "state"),
    ],
)
def test_a_malformed_scenario_names_the_field(scenario: dict[str, Any], named: str) -> None:
    """Each malformed part is a SlaclockError (also a ValueError) naming where it is: these
    used to raise KeyError 'ticket', ValueError 'dictionary update sequence element #0',
    AttributeError, TypeError "argument of type 'int' is not iterable", or an assertion
    'expected 1 cycles, got 1' (a count written as text) that no ticket could pass."""
    with pytest.raises(SlaclockError, match=named):
        check_scenario({"name": "bad", **scenario})


def test_a_well_formed_scenario_still_runs() -> None:
    """The checks refuse only malformed scenarios: a late reply is breached by 1h."""
    expect = {"first_response": {"state": "breached", "breached_by": "1h", "cycles": 1}}
    result = check_scenario({"ticket": TICKET, "expect": expect})
    assert "breached" == result.metrics["first_response"].state


@pytest.mark.parametrize("state", ["breach", "Met", "late"])
def test_assert_state_of_an_unknown_state_is_an_argument_error(state: str) -> None:
    """A state no cycle can have is a mistake in the test, named as one with the states that
    exist (it used to fail as 'expected breach, got breached', blaming the ticket)."""
    result = ticket("2025-03-03T09:00:00-05:00", priority="high").agent_replies(after="3h")
    with pytest.raises(ArgumentError, match=rf"state: {state!r}.*'breached'"):
        assert_state(result.evaluate(), "first_response", state)  # type: ignore[arg-type]
