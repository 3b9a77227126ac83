"""Edge cases of slaclock.sweeps: policy sets whose policies lack a target, targets at the limits
of the supported range, and what a sweep accepts as a target or a share."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from typing import Any

import pytest
from pydantic import ValidationError

from slaclock import PolicySet
from slaclock.analytics import attainment, evaluate_many
from slaclock.errors import ArgumentError, ReportOptionError
from slaclock.synthetic import DEFAULT_POLICY, sample_timelines
from slaclock.targets import Target
from slaclock.whatif import recommend_target, sweep, variant

# A set of two policies. VIP tickets get 'vip', which has a first-response target for urgent
# tickets only (and a resolution target for normal ones, so a normal VIP ticket is valid: its
# first-response cycle runs without a target and stops as 'completed'). Every other ticket gets
# 'default': first response within 4h of Mon-Fri 09:00-17:00 UTC for normal tickets.
POLICIES = PolicySet(
    policies=[
        {
            "name": "vip",
            "conditions": {"tags_any": ["vip"]},
            "metrics": {
                "first_response": {"targets": {"urgent": "1h"}},
                "resolution": {"targets": {"normal": "9h"}},
            },
        },
        {
            "name": "default",
            "calendar": {"timezone": "UTC", "hours": {"mon-fri": [["09:00", "17:00"]]}},
            "metrics": {"first_response": {"targets": {"normal": "4h", "urgent": "2h"}}},
        },
    ]
)


def _ticket(ticket_id: str, tags: list[str], replied: str | None) -> dict[str, Any]:
    """A normal ticket created Monday 3 March 2025 10:00 UTC, answered at ``replied`` that day
    (or not yet)."""
    events = [{"at": "2025-03-03T10:00:00Z", "kind": "created"}]
    if replied is not None:
        events.append({"at": f"2025-03-03T{replied}:00Z", "kind": "agent_replied"})
    return {
        "ticket_id": ticket_id,
        "attributes": {"priority": "normal", "tags": tags},
        "events": events,
    }


# Evaluated as of 17:00 UTC. VIP answered after 1h and VIP-OPEN not yet (7h of calendar time),
# neither with a target under 'vip'; B answered after 6h of business time (10:00-16:00), late
# for 4h; C after 2h, met.
AS_OF = datetime(2025, 3, 3, 17, tzinfo=timezone.utc)
TICKETS = [
    _ticket("VIP", ["vip"], "11:00"),
    _ticket("VIP-OPEN", ["vip"], None),
    _ticket("B", [], "16:00"),
    _ticket("C", [], "12:00"),
]


def test_a_policy_set_sweep_leaves_out_cycles_without_a_target() -> None:
    """Under a policy set, a cycle whose policy has no target for its priority ('completed') is
    not in attainment's denominator, nor is one still running without a target (it is never
    overdue), and the swept target does not apply to it (the sweep
    changes only policies with a target): at the policy's own 4h the sweep says what attainment
    says, 1 met (C) and 1 breached (B), on the fast path and through the engine alike."""
    batch = evaluate_many(POLICIES, TICKETS, AS_OF)
    (row,) = attainment(batch, metric="first_response").rows
    assert (1, 1, 0, 1, 1) == (row.met, row.breached, row.overdue, row.completed, row.open)
    swept = sweep(
        TICKETS,
        "first_response",
        "normal",
        ["4h", {"duration": "4h", "calendar": "24x7"}],
        baseline=POLICIES,
        as_of=AS_OF,
    )
    fast, engine = swept.rows
    assert (1, 1, 0) == (fast.met, fast.breached, fast.overdue)
    # 24x7: B took 6h of calendar time too (late), C 2h (met); VIP still has no target.
    assert (1, 1, 0) == (engine.met, engine.breached, engine.overdue)


def test_a_policy_set_recommendation_ignores_cycles_without_a_target() -> None:
    """For 100% the counted cycles are C (2h) and B (6h), so the answer is 6h. Counting the VIP
    tickets' cycles without a target (as the sweep used to: 1h stopped, 7h running around the
    clock) made 6h look like 3 of 4, with VIP-OPEN overdue, and answered 7h."""
    assert timedelta(hours=6) == recommend_target(
        TICKETS, "first_response", "normal", baseline=POLICIES, attainment=1.0, as_of=AS_OF
    )
    swept = sweep(TICKETS, "first_response", "normal", [], baseline=POLICIES, as_of=AS_OF)
    assert (1, 1, 0) == (swept.at("2h").met, swept.at("2h").breached, swept.at("2h").overdue)


# ----------------------------------------------------------------------------------------------
# Targets at the limits
# The supported instants run from 1970-01-01 to 2200-01-01: 230 years with 56 leap days,
# 230 * 365 + 56 = 84,006 days (docs/reference/limits.md), the longest duration.
LONGEST = timedelta(days=84_006)
TOO_LONG = LONGEST + timedelta(days=1)


@pytest.mark.parametrize(
    "target",
    [TOO_LONG, {"duration": TOO_LONG}, int(TOO_LONG.total_seconds()), "P84007D"],
    ids=["timedelta", "mapping", "seconds", "text"],
)
def test_a_target_longer_than_the_supported_range_is_refused_in_every_form(target: Any) -> None:
    """A target of 84,007 days is refused whether written as text, a timedelta or seconds (the
    timedelta and seconds forms used to pass, and the sweep then reported a row for a target
    no policy can hold: the variant with it fails validation)."""
    with pytest.raises(ValidationError, match="duration too long"):
        Target.model_validate(target)
    with pytest.raises(ReportOptionError, match="duration too long"):
        sweep(TICKETS, "first_response", "normal", [target], baseline=POLICIES)


def test_the_longest_target_is_still_a_target() -> None:
    """Exactly 84,006 days is the longest duration, and a valid target."""
    assert LONGEST == Target.model_validate(LONGEST).duration


@pytest.mark.parametrize("target", ["0s", timedelta(0), "-1h", timedelta(microseconds=-1)])
def test_sweep_at_refuses_what_is_not_a_target(target: Any) -> None:
    """Sweep.at answers for targets a policy could hold: zero or a negative duration is an
    error naming the value, as sweep() says for the same target (it used to report every
    cycle breached)."""
    swept = sweep(TICKETS, "first_response", "normal", [], baseline=POLICIES, as_of=AS_OF)
    with pytest.raises(ReportOptionError, match="target"):
        swept.at(target)
    with pytest.raises(ReportOptionError, match="target"):
        sweep(TICKETS, "first_response", "normal", [target], baseline=POLICIES)


@pytest.mark.parametrize("share", ["0.9", None, True, float("nan"), 0, 1.5])
def test_recommend_refuses_what_is_not_a_share(share: Any) -> None:
    """A share given as text (or anything but a number in (0, 1]) is an ArgumentError naming
    it, not a TypeError from comparing text with numbers."""
    swept = sweep(TICKETS, "first_response", "normal", [], baseline=POLICIES, as_of=AS_OF)
    with pytest.raises(ArgumentError, match="attainment"):
        swept.recommend(share)


# ----------------------------------------------------------------------------------------------
# Variants
def test_a_variant_target_for_an_unknown_priority_is_an_error() -> None:
    """variant(targets={"first_response": {"hihg": "1h"}}) is a typo: an ArgumentError naming
    the priorities the policy knows, as sweep says for the same priority (it used to add a
    target no ticket has, so compare reported no change at all)."""
    with pytest.raises(ArgumentError, match=r"'hihg'.*'high'"):
        variant(DEFAULT_POLICY, targets={"first_response": {"hihg": "1h"}})


def test_a_variant_may_add_a_known_priority_to_a_metric() -> None:
    """A priority the policy knows (here 'normal', from resolution) may get a target in a metric
    that had none for it."""
    policy = POLICIES.policies[0]  # 'vip': first response for urgent, resolution for normal
    changed = variant(policy, targets={"first_response": {"normal": "3h"}})
    assert timedelta(hours=3) == changed.metrics["first_response"].targets["normal"].duration


def test_a_share_of_any_real_type_is_read_by_the_one_check() -> None:
    """Sweep.recommend and the bands, plots and HTML page check a share with one function
    (bands.check_share): a numpy float32 is a share everywhere (the bands refused it), and a
    share out of range is the same ReportOptionError (an ArgumentError) everywhere."""
    import numpy as np

    from slaclock.bands import check_share

    swept = sweep(
        sample_timelines(), "first_response", "urgent", ["1h", "2h"], baseline=DEFAULT_POLICY
    )
    assert swept.recommend(np.float32(0.5)) == swept.recommend(0.5)
    check_share(np.float32(0.5), "goal")
    with pytest.raises(ReportOptionError, match=r"attainment: 1\.5 - expected a share in \(0, 1\]"):
        swept.recommend(1.5)
