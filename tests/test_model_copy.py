"""``model_copy(update=...)`` on every public input model gives a validated copy: a what-if edit
with a wrong value is a ValidationError naming the field, never a wrong type that reaches the
engine (where it failed deep inside, or differently in the compiled build); a value of another
accepted shape (a list for a tuple, text for a duration) is converted as validation does."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from typing import Any

import pytest
from pydantic import BaseModel, ValidationError

from slaclock import Calendar, Policy, PolicySet, Timeline, evaluate
from slaclock.conventions import Conventions, Precision
from slaclock.holidays import CountryHolidays
from slaclock.metric_policy import MetricPolicy
from slaclock.metrics import Condition, MetricDefinition, TicketCondition
from slaclock.servicelevel import Contact
from slaclock.targets import DurationTarget, Threshold
from slaclock.timeline import Event

POLICY = Policy(name="p", metrics={"resolution": {"targets": {"high": "4h"}}})
NOON = datetime(2025, 1, 6, 12, tzinfo=timezone.utc)

# (a valid instance, a field, a value of another accepted shape and what it becomes, a bad value)
CASES: list[tuple[BaseModel, str, Any, Any, Any]] = [
    (PolicySet(policies=[POLICY]), "policies", [POLICY], (POLICY,), "everything"),
    (MetricPolicy(), "pause_statuses", ["pending"], ("pending",), 5),
    (MetricPolicy(), "targets", {"high": "2h"}, {"high": DurationTarget(duration="2h")}, {"high": "soon"}),
    (Threshold(name="warn", at_percent=75), "at_percent", "80", 80, -1),
    (DurationTarget(duration="4h"), "duration", "2h", timedelta(hours=2), "soon"),
    (Event(at=NOON, kind="created"), "at", "2025-01-06T13:00:00Z", NOON + timedelta(hours=1), datetime(2025, 1, 6, 13)),
    (Event(at=NOON, kind="created"), "public", "true", True, "perhaps"),
    (Condition(event="agent_replied"), "public", "false", False, "perhaps"),
    (TicketCondition(tags_any=["vip"]), "tags_any", ["gold"], ("gold",), 7),
    (MetricDefinition(start=["created"], stop=["solved"]), "pause_statuses", ["pending"], ("pending",), 5),
    (Conventions(), "due_at_closing", "next_open", "next_open", "whenever"),
    (Precision(unit="1m"), "unit", "1s", timedelta(seconds=1), "fortnight"),
    (CountryHolidays(country="US"), "country", "FR", "FR", 12),
    (Contact(offered_at=NOON, answered_at=NOON + timedelta(hours=2)), "offered_at", "2025-01-06T13:00:00Z", NOON + timedelta(hours=1), "later"),
]  # fmt: skip


@pytest.mark.parametrize(
    ("model", "field", "given", "becomes", "bad"),
    CASES,
    ids=lambda v: type(v).__name__ if isinstance(v, BaseModel) else None,
)
def test_a_changed_copy_is_validated(model: BaseModel, field: str, given: Any, becomes: Any, bad: Any) -> None:  # fmt: skip
    assert model == model.model_copy()
    changed = model.model_copy(update={field: given})
    assert becomes == getattr(changed, field)
    assert type(model) is type(changed)
    with pytest.raises(ValidationError) as raised:
        model.model_copy(update={field: bad})
    # The error names the field, or (a target's duration, read before its fields) the value.
    locations = {str(part) for error in raised.value.errors() for part in error["loc"]}
    assert field in locations or repr(bad) in str(raised.value)


def test_every_public_input_model_validates_its_copies() -> None:
    """Each public input model is a ValueModel (frozen, no extra keys, validated copies), so the
    cases above cover a copy of every kind the engine reads."""
    from slaclock._model import ValueModel

    covered = {type(case[0]) for case in CASES} | {Calendar, Policy, Timeline}
    for model in covered:
        assert issubclass(model, ValueModel), model


def test_a_what_if_set_made_with_a_list_evaluates() -> None:
    """The docs' what-if edit, with a list where the field is a tuple, works in both builds."""
    edited = PolicySet(policies=[POLICY]).model_copy(update={"policies": [POLICY.model_copy(update={"priority_change": "restart"})]})  # fmt: skip
    ticket = Timeline.model_validate({"ticket_id": "T", "attributes": {"priority": "high"},
                                      "events": [{"at": NOON, "kind": "created"}]})  # fmt: skip
    result = evaluate(edited, ticket, as_of=NOON + timedelta(hours=1))
    # 1h of a 4h target used (24x7 calendar): 3h left.
    assert ("running", timedelta(hours=3)) == (result.resolution.state, result.resolution.remaining)
