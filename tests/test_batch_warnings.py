"""Batches warn of events the policy does not know once per value, not once per ticket.

A misspelt status in a hundred thousand tickets used to be a hundred thousand warnings from
``evaluate_many`` (each names its ticket, so Python's filter shows every one), and more from
``compare`` (one per ticket and policy), ``sweep`` (one per pass) and ``alerts`` (one per segment
between events). Each batch now notes them in one ``UnknownEvents`` and warns once per value,
naming every ticket, at the caller's line, as ``evaluate_frame`` does.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable, Iterator
from datetime import datetime, timezone
from typing import Any

import pytest

from slaclock import Calendar, Policy, Timeline, TimelineWarning, evaluate
from slaclock.alerts import alerts
from slaclock.analytics import evaluate_many, iter_records
from slaclock.errors import ArgumentError, UnknownEvents
from slaclock.sweeps import recommend_target, sweep
from slaclock.whatif import compare, variant

POLICY = Policy(
    name="desk",
    calendar=Calendar.weekdays("UTC"),  # business days for the sweep's "1 business days"
    metrics={
        "first_response": {"targets": {"normal": "1h"}},
        "resolution": {"targets": {"normal": "8h"}, "pause_statuses": ["on_hold"]},
    },
)


def ticket(ticket_id: str, status: str = "on-hold") -> Timeline:
    """Created 09:00 UTC, a status change at 09:30 (``on-hold`` is not the policy's
    ``on_hold``), a public reply at 10:00."""
    return Timeline.model_validate(
        {
            "ticket_id": ticket_id,
            "attributes": {"priority": "normal"},
            "events": [
                {"at": "2025-03-03T09:00:00Z", "kind": "created"},
                {"at": "2025-03-03T09:30:00Z", "kind": "status_changed", "status": status},
                {"at": "2025-03-03T10:00:00Z", "kind": "agent_replied", "public": True},
            ],
        }
    )


TICKETS = [ticket("T-1"), ticket("T-2", status="open"), ticket("T-3")]
AS_OF = datetime(2025, 3, 3, 12, tzinfo=timezone.utc)


def timeline_warnings(run: Callable[[], object]) -> list[warnings.WarningMessage]:
    with warnings.catch_warnings(record=True) as seen:
        warnings.simplefilter("always")
        run()
    return [w for w in seen if isinstance(w.message, TimelineWarning)]


BATCHES: dict[str, Callable[[], object]] = {
    "evaluate_many": lambda: evaluate_many(POLICY, TICKETS),
    "evaluate_many on plain data": lambda: evaluate_many(POLICY, [t.model_dump() for t in TICKETS]),
    "iter_records": lambda: list(iter_records(POLICY, TICKETS)),
    # Each ticket evaluated under three policies: still one warning.
    "compare": lambda: compare(
        TICKETS,
        baseline=POLICY,
        variants={
            "fast": variant(POLICY, targets={"resolution": {"normal": "4h"}}),
            "slow": variant(POLICY, targets={"resolution": {"normal": "16h"}}),
        },
    ),
    # One pass with spans, then one more for the business-day target.
    "sweep": lambda: sweep(
        TICKETS, "resolution", "normal", ["4h", "1 business days"], baseline=POLICY
    ),
    "recommend_target": lambda: recommend_target(TICKETS, "resolution", "normal", baseline=POLICY),
    # Evaluated once per segment between events (09:00-09:30-10:00-12:00).
    "alerts": lambda: alerts(
        TICKETS, since=datetime(2025, 3, 3, 8, tzinfo=timezone.utc), until=AS_OF, policy=POLICY
    ),
}


@pytest.mark.parametrize("name", list(BATCHES))
def test_a_batch_warns_once_per_unknown_value_naming_every_ticket(name: str) -> None:
    """T-1 and T-3 have the unknown status ``on-hold``, T-2 none: one warning naming the two,
    attributed to this file (the caller's line), whatever the number of evaluations."""
    (caught,) = timeline_warnings(BATCHES[name])
    message = caught.message
    assert isinstance(message, TimelineWarning)
    assert ("status", ("on-hold",), ("T-1", "T-3")) == (
        message.problem,
        message.values,
        message.tickets,
    )
    assert str(message).startswith("2 tickets ('T-1', 'T-3'): ")
    assert "did you mean 'on_hold'?" in str(message)
    assert __file__ == caught.filename


def test_the_batch_warns_with_evaluates_own_reason() -> None:
    """The reason is the one evaluate gives for a single ticket, word for word."""
    (single,) = timeline_warnings(lambda: evaluate(POLICY, TICKETS[0]))
    (batch,) = timeline_warnings(BATCHES["evaluate_many"])
    assert str(single.message).replace("ticket 'T-1'", "2 tickets ('T-1', 'T-3')") == str(
        batch.message
    )


def test_one_warning_per_value_and_problem() -> None:
    """Two unknown values are two warnings; an unknown kind and status are apart too."""
    odd = Timeline.model_validate(
        {
            "ticket_id": "T-9",
            "attributes": {"priority": "normal"},
            "events": [
                {"at": "2025-03-03T09:00:00Z", "kind": "created"},
                {"at": "2025-03-03T09:10:00Z", "kind": "status_changed", "status": "Pending"},
                {"at": "2025-03-03T09:20:00Z", "kind": "agent_reply"},
            ],
        }
    )
    caught = timeline_warnings(lambda: evaluate_many(POLICY, [*TICKETS, odd]))
    found = sorted((w.message.problem, w.message.values, w.message.tickets) for w in caught)  # type: ignore[union-attr]
    assert [
        ("kind", ("agent_reply",), ("T-9",)),
        ("status", ("Pending",), ("T-9",)),
        ("status", ("on-hold",), ("T-1", "T-3")),
    ] == found


def test_a_stream_warns_when_it_ends_or_is_closed() -> None:
    """iter_records streams: the warning comes once the stream is exhausted, or closed early
    (with the tickets seen so far), never per ticket while it runs."""
    with warnings.catch_warnings(record=True) as seen:
        warnings.simplefilter("always")
        stream: Iterator[dict[str, Any]] = iter_records(POLICY, TICKETS)
        first = next(stream)  # T-1 evaluated: nothing warned yet
        assert ("T-1", []) == (first["ticket_id"], seen)
        stream.close()  # type: ignore[attr-defined]
    (caught,) = [w.message for w in seen]
    assert ("T-1",) == caught.tickets  # type: ignore[attr-defined]


def test_a_failing_batch_raises_its_error_not_a_warning() -> None:
    """errors='raise' stops at a bad ticket: that error is what the caller gets, even with
    warnings as errors (a warning raised while the error propagated used to replace it)."""
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with pytest.raises(ValueError, match="broken") as caught:
            evaluate_many(POLICY, [TICKETS[0], {"ticket_id": "broken"}], errors="raise")
    assert not isinstance(caught.value, TimelineWarning)


def test_evaluate_notes_into_a_given_collector_instead_of_warning() -> None:
    """A loop of one's own passes one UnknownEvents and warns once at the end."""
    noted = UnknownEvents()
    assert [] == timeline_warnings(
        lambda: [evaluate(POLICY, t, unknown_events=noted) for t in TICKETS]
    )
    assert noted
    (caught,) = timeline_warnings(noted.warn)
    assert ("T-1", "T-3") == caught.message.tickets  # type: ignore[attr-defined]
    assert not noted  # warned and forgotten: a second warn() says nothing
    assert [] == timeline_warnings(noted.warn)


def test_unknown_events_must_be_a_collector() -> None:
    with pytest.raises(ArgumentError, match=r"unknown_events: \[\] - expected an UnknownEvents"):
        evaluate(POLICY, TICKETS[0], unknown_events=[])  # type: ignore[arg-type]


def test_a_ticket_evaluated_twice_is_named_once() -> None:
    noted = UnknownEvents()
    for _ in range(3):
        evaluate(POLICY, TICKETS[0], unknown_events=noted)
    (caught,) = timeline_warnings(noted.warn)
    assert ("T-1",) == caught.message.tickets  # type: ignore[attr-defined]
