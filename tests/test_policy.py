"""Policies (slaclock.policy, slaclock.targets, slaclock.metrics): validation, target kinds,
calendar names, policy sets."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from pydantic import ValidationError

from slaclock import ALWAYS_OPEN, Calendar, Policy, PolicySet
from slaclock.errors import PolicyError, TimelineError
from slaclock.files import policy_schema
from slaclock.metrics import Condition, MetricDefinition
from slaclock.policy import MetricPolicy, TicketCondition
from slaclock.targets import DaysTarget, DurationTarget, Target, Threshold

BERLIN = {"timezone": "Europe/Berlin", "hours": {"mon-fri": "09:00-17:00"}}


# ---------------------------------------------------------------------------------------------
# Targets: two kinds, one syntax
@pytest.mark.parametrize(
    ("written", "kind", "duration", "days", "calendar"),
    [
        ("4h", DurationTarget, timedelta(hours=4), None, None),
        ("PT1H30M", DurationTarget, timedelta(minutes=90), None, None),
        (3600, DurationTarget, timedelta(hours=1), None, None),
        ({"duration": "4h", "calendar": "24x7"}, DurationTarget, timedelta(hours=4), None, "24x7"),
        ("2 business days", DaysTarget, None, 2, None),
        ("1 Business Day", DaysTarget, None, 1, None),
        ({"duration": "3 business days", "calendar": "eu"}, DaysTarget, None, 3, "eu"),
        ({"business_days": 5}, DaysTarget, None, 5, None),
    ],
)
def test_a_target_is_the_kind_its_text_describes(
    written: Any, kind: type, duration: timedelta | None, days: int | None, calendar: str | None
) -> None:
    """Text and mappings give a DurationTarget or a DaysTarget; the other field reads None."""
    target = Target.model_validate(written)
    assert kind is type(target)
    assert (duration, days, calendar) == (target.duration, target.business_days, target.calendar)
    assert target == Target.model_validate(target.model_dump())  # round trip


def test_building_target_directly_gives_the_kind() -> None:
    """Target(...) with keywords builds the kind too (as before the split into kinds)."""
    assert DaysTarget(business_days=2) == Target(business_days=2)
    assert DurationTarget(duration=timedelta(hours=1)) == Target(duration="1h")


def test_targets_dump_as_they_are_written() -> None:
    """The plain form comes back: '4h', '1 business day', or a mapping with a calendar."""
    assert "4h" == Target.model_validate("PT4H").model_dump()
    assert "1 business day" == Target.model_validate({"business_days": 1}).model_dump()
    assert {"duration": "2 business days", "calendar": "24x7"} == Target.model_validate(
        {"duration": "2 business days", "calendar": "24x7"}
    ).model_dump()


@pytest.mark.parametrize(
    ("written", "message"),
    [
        ({}, "a target needs exactly one of 'duration' or 'business_days'"),
        ({"duration": "4h", "business_days": 2}, "a target needs exactly one of"),
        ("0m", "target duration must be positive: '0s'"),
        ("-1h", "target duration must be positive"),
        ({"business_days": 0}, "greater than or equal to 1"),
        ("4 hourz", "unreadable duration: '4 hourz'"),
    ],
)
def test_bad_targets_name_the_field(written: Any, message: str) -> None:
    """A bad target in a policy is a ValidationError at metrics.<m>.targets.<priority>."""
    with pytest.raises(ValidationError) as info:
        MetricPolicy.model_validate({"targets": {"urgent": written}})
    (error,) = info.value.errors()
    assert ("targets", "urgent") == error["loc"][:2]
    assert message in str(info.value)


def test_schema_accepts_both_kinds_as_objects() -> None:
    """The JSON Schema offers the two kinds (each an object) for a metric's targets."""
    schema = policy_schema()
    targets = schema["$defs"]["MetricPolicy"]["properties"]["targets"]["additionalProperties"]
    assert [{"$ref": "#/$defs/DurationTarget"}, {"$ref": "#/$defs/DaysTarget"}] == targets["oneOf"]
    assert ["duration"] == schema["$defs"]["DurationTarget"]["required"]
    assert ["business_days"] == schema["$defs"]["DaysTarget"]["required"]


def test_thresholds_need_exactly_one_placement() -> None:
    """at_percent, before_due or after_due: exactly one; offsets are non-negative."""
    assert (
        timedelta(minutes=30)
        == Threshold.model_validate({"name": "w", "before_due": "30m"}).before_due
    )
    with pytest.raises(ValidationError, match="needs exactly one of"):
        Threshold(name="w", at_percent=50, after_due="1h")  # type: ignore[arg-type]
    with pytest.raises(ValidationError, match="negative offset"):
        Threshold(name="w", after_due="-1h")  # type: ignore[arg-type]


# ---------------------------------------------------------------------------------------------
# Metric definitions
def test_conditions_accept_shorthands() -> None:
    """A bare kind is an event condition; a single status string becomes a tuple."""
    assert Condition(event=("solved",)) == Condition.model_validate("solved")
    assert ("pending",) == MetricDefinition(
        start=["created"],
        stop=["solved"],
        pause_statuses="pending",  # type: ignore[arg-type]
    ).pause_statuses
    with pytest.raises(ValidationError, match="needs 'event' or 'status'"):
        Condition.model_validate({"public": True})
    with pytest.raises(ValidationError, match="at least one 'stop' condition"):
        MetricDefinition(start=["created"], stop=[])


def test_policy_options_replace_a_builtin_definition_field() -> None:
    """pause_statuses in the policy replaces the built-in metric's."""
    policy = Policy(name="p", metrics={"resolution": {"pause_statuses": ["on_hold"]}})
    assert ("on_hold",) == policy.definition("resolution").pause_statuses
    assert (
        () == Policy(name="p", metrics={"resolution": {}}).definition("resolution").pause_statuses
    )


# ---------------------------------------------------------------------------------------------
# Calendars by name, resolved once
def test_calendar_names_resolve_to_calendars() -> None:
    """None -> the policy calendar; '24x7' -> ALWAYS_OPEN; a name -> that calendar."""
    policy = Policy.model_validate(
        {"name": "p", "calendar": "eu", "calendars": {"eu": BERLIN}, "metrics": {"resolution": {}}}
    )
    assert "Europe/Berlin" == policy.calendar_named(None, {}).timezone
    assert policy.calendar_named("24x7", {}) is ALWAYS_OPEN
    assert policy.calendar_named("eu", {}) is policy.calendars["eu"]
    assert Policy(name="q", metrics={"resolution": {}}).calendar_named(None, {}) is ALWAYS_OPEN


def test_calendar_attribute_picks_a_named_calendar() -> None:
    """calendar_attribute=region: region 'us' uses calendars['us']; an unknown region is an error."""
    policy = Policy.model_validate(
        {
            "name": "p",
            "calendar": BERLIN,
            "calendars": {"us": {"timezone": "America/New_York"}},
            "calendar_attribute": "region",
            "metrics": {"resolution": {}},
        }
    )
    assert "America/New_York" == policy.calendar_named(None, {"region": "us"}).timezone
    assert "Europe/Berlin" == policy.calendar_named(None, {}).timezone
    with pytest.raises(PolicyError, match=r"region='mars' names no calendar of policy 'p'"):
        policy.calendar_named(None, {"region": "mars"})


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"calendar": "nowhere"}, "calendar: unknown calendar 'nowhere'"),
        ({"calendars": {"24x7": BERLIN}}, "'24x7' is reserved"),
        ({"calendar_attribute": "region"}, "needs named 'calendars'"),
        ({"metrics": {}}, "a policy needs at least one metric"),
        ({"metrics": {"triage": {}}}, "unknown metric 'triage' with no 'definition'"),
        (
            {"metrics": {"resolution": {"targets": {"high": {"duration": "1h", "calendar": "x"}}}}},
            "metrics.resolution.targets.high: unknown calendar 'x'",
        ),
    ],
)
def test_policy_references_are_checked_when_validated(data: dict[str, Any], message: str) -> None:
    """Every name a policy refers to is checked once, when it is built."""
    with pytest.raises(ValidationError, match=message):
        Policy.model_validate({"name": "p", "metrics": {"resolution": {}}, **data})


def test_a_changed_copy_resolves_its_own_calendars() -> None:
    """model_copy re-validates: the copy's default calendar is its own."""
    policy = Policy(name="p", calendar=Calendar.weekdays("UTC"), metrics={"resolution": {}})
    changed = policy.model_copy(update={"calendar": BERLIN})
    assert ("UTC", "Europe/Berlin") == (
        policy.calendar_named(None, {}).timezone,
        changed.calendar_named(None, {}).timezone,
    )


def test_with_target_changes_one_target() -> None:
    """with_target gives a copy with one target replaced, of either kind (business days need
    a calendar that closes)."""
    policy = Policy(
        name="p",
        calendar=Calendar.weekdays("UTC"),
        metrics={"resolution": {"targets": {"high": "4h"}}},
    )
    changed = policy.with_target("resolution", "high", "2 business days")
    assert isinstance(changed.metrics["resolution"].targets["high"], DaysTarget)
    assert isinstance(policy.metrics["resolution"].targets["high"], DurationTarget)
    assert frozenset({"high"}) == changed.priorities


# ---------------------------------------------------------------------------------------------
# Ticket conditions and policy sets
def test_ticket_conditions() -> None:
    """Equality or membership per field; tags_any/all/none over a list or a single tag."""
    condition = TicketCondition(
        group="billing", tags_all=["vip", "eu"], attributes={"tier": [1, 2]}
    )
    assert condition.matches({"group": "billing", "tags": ["eu", "vip", "x"], "tier": 2})
    assert not condition.matches({"group": "billing", "tags": ["vip"], "tier": 2})
    assert not condition.matches({"group": "billing", "tags": ["vip", "eu"], "tier": 3})
    assert TicketCondition(tags_none=["spam"]).matches({"tags": "ham"})
    with pytest.raises(TimelineError, match="ticket attribute tags=5"):
        TicketCondition(tags_any=["x"]).matches({"tags": 5})


def test_policy_set_picks_the_first_match() -> None:
    """The first policy whose conditions match; None when none does; names are unique."""
    policies = PolicySet.model_validate(
        [
            {"name": "vip", "conditions": {"tags_any": ["vip"]}, "metrics": {"resolution": {}}},
            {"name": "eu", "conditions": {"attributes": {"region": "eu"}}, "metrics": {"resolution": {}}},
        ]
    )  # fmt: skip
    assert ["vip", "eu", None] == [
        None if p is None else p.name
        for p in (
            policies.select({"tags": ["vip"], "region": "eu"}),
            policies.select({"region": "eu"}),
            policies.select({"region": "us"}),
        )
    ]
    with pytest.raises(ValidationError, match=r"names used twice: \['a'\]"):
        PolicySet.model_validate(
            [{"name": "a", "metrics": {"resolution": {}}}, {"name": "a", "metrics": {"resolution": {}}}]
        )  # fmt: skip


def test_a_business_day_target_on_calendar_time_closes_at_midnight() -> None:
    """On 24x7 every date is a business day closing at the next midnight (not an error): created
    Friday 2025-03-07 16:00Z, the first business day after Friday is Saturday, which closes at
    Sunday 2025-03-09 00:00Z; two business days: Monday 00:00Z."""
    from slaclock import evaluate

    created = {"ticket_id": "T", "attributes": {"priority": "high"},
               "events": [{"at": "2025-03-07T16:00:00Z", "kind": "created"}]}  # fmt: skip
    dues = [
        evaluate(
            Policy.model_validate(
                {"name": "p", "metrics": {"resolution": {"targets": {"high": target}}}}
            ),
            created,
        ).resolution.due_at.isoformat()
        for target in ("1 business day", "2 business days")
    ]
    assert ["2025-03-09T00:00:00+00:00", "2025-03-10T00:00:00+00:00"] == dues


def test_a_business_day_target_on_a_calendar_picked_per_ticket_is_kept() -> None:
    """With calendar_attribute the calendar is the ticket's: nothing to refuse up front; and a
    target on a calendar with closes is fine."""
    weekdays = {"timezone": "UTC", "hours": {"mon-fri": [["09:00", "17:00"]]}}
    Policy.model_validate({
        "name": "p", "calendars": {"eu": weekdays}, "calendar_attribute": "region",
        "metrics": {"resolution": {"targets": {"high": "2 business days"}}}})  # fmt: skip
    Policy.model_validate({
        "name": "p", "calendar": weekdays,
        "metrics": {"resolution": {"targets": {"high": "2 business days"}}}})  # fmt: skip
