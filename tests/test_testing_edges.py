"""Edge cases of slaclock.testing: an assertion asked for a state that does not exist says so
instead of failing as if the ticket were wrong."""

from __future__ import annotations

import pytest

from slaclock.errors import ArgumentError
from slaclock.testing import assert_state, ticket

TICKET = {
    "created_at": "2025-03-03T09:00:00-05:00",
    "attributes": {"priority": "high"},
    "events": [{"after": "3h", "kind": "agent_replied"}],
}


@pytest.mark.parametrize("state", ["breach", "Met", "late"])
def test_assert_state_of_an_unknown_state_is_an_argument_error(state: str) -> None:
    """A state no cycle can have is a mistake in the test, named as one with the states that
    exist (it used to fail as 'expected breach, got breached', blaming the ticket)."""
    result = ticket("2025-03-03T09:00:00-05:00", priority="high").agent_replies(after="3h")
    with pytest.raises(ArgumentError, match=rf"state: {state!r}.*'breached'"):
        assert_state(result.evaluate(), "first_response", state)  # type: ignore[arg-type]
