"""The engine warns (TimelineWarning) about events the policy does not know: once per ticket
and kind of problem, so a suite running with warnings as errors catches a misspelling."""

from __future__ import annotations

import warnings
from typing import Any

import pytest

from slaclock import Policy, PolicySet, SlaclockWarning, evaluate
from slaclock.errors import TimelineWarning

POLICY = Policy(
    name="desk",
    metrics={
        "first_response": {"targets": {"normal": "1h"}},
        "resolution": {"targets": {"normal": "8h"}, "pause_statuses": ["on_hold"]},
    },
)


def ticket(*events: dict[str, Any]) -> dict[str, Any]:
    return {
        "ticket_id": "T-1",
        "attributes": {"priority": "normal"},
        "events": [{"at": "2025-03-03T09:00:00Z", "kind": "created"}, *events],
    }


def caught(policy: Policy | PolicySet, data: dict[str, Any]) -> list[TimelineWarning]:
    with warnings.catch_warnings(record=True) as seen:
        warnings.simplefilter("always")
        evaluate(policy, data)
    return [w.message for w in seen if isinstance(w.message, TimelineWarning)]


def test_misspelt_kind_warns_with_the_closest_kind() -> None:
    """'agent_reply' changes no clock: first response stays open, and the engine says so."""
    data = ticket({"at": "2025-03-03T09:10:00Z", "kind": "agent_reply", "public": True})
    with pytest.warns(TimelineWarning, match="did you mean 'agent_replied'") as record:
        result = evaluate(POLICY, data)
    assert "running" == result.first_response.state  # 10 minutes in, no reply yet
    warning = record[0].message
    assert isinstance(warning, SlaclockWarning)
    assert ("T-1", "kind", ("agent_reply",)) == (
        warning.ticket_id,  # type: ignore[attr-defined]
        warning.problem,  # type: ignore[attr-defined]
        warning.values,  # type: ignore[attr-defined]
    )
    # Attributed to the line that called evaluate (in both builds: compiled code has no frames).
    assert __file__ == record[0].filename


@pytest.mark.parametrize(("status", "closest"), [("on-hold", "on_hold"), ("Pending", "pending")])
def test_misspelt_status_warns_with_the_closest_status(status: str, closest: str) -> None:
    """A status the policy does not know pauses nothing; the warning names the likely word."""
    data = ticket({"at": "2025-03-03T10:00:00Z", "kind": "status_changed", "status": status})
    (warning,) = caught(POLICY, data)
    assert ("status", (status,)) == (warning.problem, warning.values)
    assert f"did you mean {closest!r}" in str(warning)


def test_once_per_ticket_and_kind_of_problem() -> None:
    """Two misspelt kinds and a misspelt status, twice each: one warning per kind of problem."""
    data = ticket(
        {"at": "2025-03-03T09:10:00Z", "kind": "agent_reply"},
        {"at": "2025-03-03T09:20:00Z", "kind": "agent_reply"},
        {"at": "2025-03-03T09:30:00Z", "kind": "costumer_replied"},
        {"at": "2025-03-03T09:40:00Z", "kind": "status_changed", "status": "onhold"},
        {"at": "2025-03-03T09:50:00Z", "kind": "status_changed", "status": "onhold"},
    )
    found = sorted((w.problem, w.values) for w in caught(POLICY, data))
    assert [("kind", ("agent_reply", "costumer_replied")), ("status", ("onhold",))] == found


def test_known_words_do_not_warn() -> None:
    """Built-in kinds (note_added, assigned), slaclock's standard statuses and custom kinds a
    condition names are known."""
    custom = Policy(
        name="custom",
        metrics={
            "resolution": {"definition": {"start": "created", "stop": "vendor_answered"}},
        },
    )
    data = ticket(
        {"at": "2025-03-03T09:10:00Z", "kind": "note_added", "public": False},
        {"at": "2025-03-03T09:20:00Z", "kind": "assigned"},
        {"at": "2025-03-03T09:30:00Z", "kind": "status_changed", "status": "pending"},
        {"at": "2025-03-03T09:40:00Z", "kind": "vendor_answered"},
    )
    assert [] == caught(custom, data)


def test_declared_known_statuses_replace_the_standard_words() -> None:
    """known_statuses declares the desk's statuses: 'in_progress' is then known, and 'pending'
    (not declared, not paused on) is not."""
    strict = POLICY.model_copy(update={"known_statuses": ["in_progress"]})
    data = ticket(
        {"at": "2025-03-03T09:10:00Z", "kind": "status_changed", "status": "in_progress"},
        {"at": "2025-03-03T09:20:00Z", "kind": "status_changed", "status": "pending"},
    )
    (warning,) = caught(strict, data)
    assert ("status", ("pending",)) == (warning.problem, warning.values)


def test_a_policy_set_knows_what_any_of_its_policies_knows() -> None:
    """A kind named by another policy of the set is not a misspelling."""
    other = Policy(
        name="vendor",
        conditions={"group": "vendor"},
        metrics={"resolution": {"definition": {"start": "created", "stop": "vendor_answered"}}},
    )
    data = ticket({"at": "2025-03-03T09:10:00Z", "kind": "vendor_answered"})
    assert [] == caught(PolicySet(policies=[other, POLICY]), data)


def test_the_incremental_clock_warns_once_per_unknown_word() -> None:
    """TicketClock.add warns like evaluate: the misspelt kind on the event that brings it, and
    not again when it comes back; a new unknown status is a warning of its own."""
    from slaclock import TicketClock

    clock = TicketClock(POLICY, ticket_id="T-1", attributes={"priority": "normal"})
    clock = clock.add({"at": "2025-03-03T09:00:00Z", "kind": "created"})
    with warnings.catch_warnings(record=True) as seen:
        warnings.simplefilter("always")
        clock = clock.add({"at": "2025-03-03T09:10:00Z", "kind": "agent_reply"})
        clock = clock.add({"at": "2025-03-03T09:20:00Z", "kind": "agent_reply"})
        clock.add({"at": "2025-03-03T09:30:00Z", "kind": "status_changed", "status": "on-hold"})
    found = [w.message for w in seen if isinstance(w.message, TimelineWarning)]
    assert [("kind", ("agent_reply",)), ("status", ("on-hold",))] == [
        (w.problem, w.values) for w in found
    ]
