"""Properties: compare, sweep, attainment and evaluate_many read one engine, so on the same
tickets they agree, whatever the input shape (Timeline objects, plain dicts, the CLI's events
shape), the evaluation instant or the policy (one policy or a set chosen by conditions)."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from typing import Any
from zoneinfo import ZoneInfo

from hypothesis import given, settings
from hypothesis import strategies as st

from slaclock import Policy, PolicySet, Timeline, evaluate
from slaclock.analytics import attainment, evaluate_many
from slaclock.synthetic import DEFAULT_POLICY
from slaclock.whatif import compare, sweep, variant
from tests.strategies import analytics_tickets, cli_shaped, dst_change_tickets, hours_after

# A set chosen by conditions: chat and web tickets get a 24x7 policy with no response or
# resolution target for low tickets (their cycles run without one), named "chat" for the billing
# group (a group an attributes_changed event may move a ticket to) and "web" for the others;
# every other ticket gets the default.
CHAT = variant(
    DEFAULT_POLICY,
    name="chat",
    calendar="24x7",
    targets={
        "first_response": {"urgent": "30m", "high": "1h", "normal": "2h"},
        "requester_wait": {"high": "48h"},  # "2 business days" has no close on 24x7
    },
)
CHAT_DATA = CHAT.model_dump()
for name in ("first_response", "next_response", "resolution"):
    del CHAT_DATA["metrics"][name]["targets"]["low"]
POLICY_SET = PolicySet(
    policies=[
        {**CHAT_DATA, "conditions": {"channel": ["chat", "web"], "group": "billing"}},
        {**CHAT_DATA, "name": "web", "conditions": {"channel": ["chat", "web"]}},
        DEFAULT_POLICY,
    ]
)
POLICIES = st.sampled_from([DEFAULT_POLICY, POLICY_SET])


@st.composite
def as_ofs(draw: st.DrawFn, tickets: list[Timeline], created: bool = False) -> datetime | None:
    """No ``as_of`` (each ticket's last event), or an instant among the tickets' events (often
    one of them exactly), or some hours after one; with ``created``, never before a ticket's
    creation."""
    instants = [event.at for ticket in tickets for event in ticket.events]
    if created:
        # Compared in UTC: one tzinfo on both sides would compare wall clocks (DST folds).
        first = max(ticket.created_at.astimezone(timezone.utc) for ticket in tickets)
        instants = [at for at in instants if at.astimezone(timezone.utc) >= first] or [first]
    choice = draw(st.integers(0, 2))
    if choice == 0:
        return None
    at = draw(st.sampled_from(instants))
    return at if choice == 1 else at + timedelta(hours=draw(hours_after))


def _shapes(tickets: list[Timeline]) -> list[list[Any]]:
    """The same tickets as Timeline objects, plain dicts, CLI-shaped dicts, and a mix."""
    plain = [ticket.model_dump(mode="json") for ticket in tickets]
    cli = [cli_shaped(ticket) for ticket in tickets]
    mixed = [(ticket, plain[i], cli[i])[i % 3] for i, ticket in enumerate(tickets)]
    return [list(tickets), plain, cli, mixed]


@settings(max_examples=40)
@given(st.data(), analytics_tickets(), POLICIES)
def test_comparing_a_policy_with_itself_changes_nothing(
    data: st.DataObject, tickets: list[Timeline], policy: Policy | PolicySet
) -> None:
    """A variant equal to the baseline has no changes and the same report as the baseline, and
    that report is attainment of evaluate_many, grouped by the attributes in force at as_of."""
    as_of = data.draw(as_ofs(tickets))
    by = data.draw(st.sampled_from([("priority",), ("group",), ("group", "channel"), ()]))
    if not any("group" in record for record in evaluate_many(policy, tickets, as_of)):
        # No cycle's ticket has a group at as_of (removed, or not created yet): by=("group",)
        # is then an "unknown field" error in both, tested elsewhere.
        by = tuple(name for name in by if name != "group")
    result = compare(tickets, baseline=policy, variants={"same": policy}, as_of=as_of, by=by)
    assert [] == result.changes
    assert [] == result.failures
    assert result.reports["baseline"] == result.reports["same"]
    expected = attainment(evaluate_many(policy, tickets, as_of), by=by)
    assert expected == result.reports["baseline"]


def _targets(policy: Policy | PolicySet, metric: str, priority: str) -> set[Any]:
    """The targets for ``metric`` and ``priority`` of every policy (of a set) that has one."""
    policies = policy.policies if isinstance(policy, PolicySet) else (policy,)
    return {
        p.metrics[metric].targets[priority]
        for p in policies
        if metric in p.metrics and priority in p.metrics[metric].targets
    }


@settings(max_examples=40)
@given(st.data(), analytics_tickets(), POLICIES)
def test_sweep_at_the_policys_own_target_is_attainment(
    data: st.DataObject, tickets: list[Timeline], policy: Policy | PolicySet
) -> None:
    """For every metric and priority, a sweep at the baseline's own target (read from the
    cycles' durations, and through the engine when on another calendar) counts what attainment
    by priority counts; in a policy set, cycles without a target count in neither."""
    as_of = data.draw(as_ofs(tickets))
    report = attainment(evaluate_many(policy, tickets, as_of), by=("priority",))
    counts = {(r.metric, r.key[0]): (r.met, r.breached, r.overdue) for r in report.rows}
    for metric, definition in DEFAULT_POLICY.metrics.items():
        for priority, target in definition.targets.items():
            if target.duration is None:  # business days: the engine path, tested in test_whatif
                continue
            if _targets(policy, metric, priority) != {target}:
                continue  # the set's policies differ: no single "own" target to sweep at
            swept = sweep(tickets, metric, priority, [target], baseline=policy, as_of=as_of)
            fast = swept.at(target.duration)  # on the calendar the baseline uses
            expected = counts.get((metric, priority), (0, 0, 0))
            for row in (*swept.rows, fast):
                assert expected == (row.met, row.breached, row.overdue), (metric, priority)


@settings(max_examples=25)
@given(st.data(), analytics_tickets(), POLICIES)
def test_every_input_shape_gives_the_same_numbers(
    data: st.DataObject, tickets: list[Timeline], policy: Policy | PolicySet
) -> None:
    """Timeline objects, plain dicts, CLI-shaped dicts and a mix of them give the same records,
    ticket rows, attainment by group, comparison and sweep (as of an instant when every ticket
    exists: see test_a_ticket_not_created_yet_has_the_same_attributes_in_either_shape)."""
    as_of = data.draw(as_ofs(tickets, created=True))
    faster = variant(DEFAULT_POLICY, targets={"first_response": {"normal": "1h"}})
    outcomes = []
    for shape in _shapes(tickets):
        batch = evaluate_many(policy, shape, as_of)
        by = ("group",) if any("group" in record for record in batch) else ("channel",)
        comparison = compare(
            shape, baseline=policy, variants={"faster": faster}, as_of=as_of, by=by
        )
        swept = sweep(shape, "first_response", "normal", ["1h", "8h"], baseline=policy, as_of=as_of)
        outcomes.append(
            (
                batch.records,
                batch.tickets,
                batch.failures,
                attainment(batch, by=by),
                comparison.reports,
                comparison.changes,
                swept.rows,
            )
        )
    assert [] == outcomes[0][2]
    for other in outcomes[1:]:
        assert outcomes[0] == other


def test_a_ticket_not_created_yet_has_the_same_attributes_in_either_shape() -> None:
    """Evaluated as of 5 March, a ticket created on 18 March has no cycles in either shape, and
    the attributes it is created with (so the same ticket row, the same policy of a set, the
    same by= names): the CLI shape used to give none, the top-level shape group and priority."""
    top = {
        "ticket_id": "X",
        "attributes": {"priority": "normal", "group": "billing"},
        "events": [{"at": "2025-03-18T10:00:00Z", "kind": "created"}],
    }
    cli = {
        "ticket_id": "X",
        "events": [
            {
                "at": "2025-03-18T10:00:00Z",
                "kind": "created",
                "priority": "normal",
                "attributes": {"group": "billing"},
            }
        ],
    }
    as_of = datetime(2025, 3, 5, tzinfo=timezone.utc)
    rows = [evaluate_many(DEFAULT_POLICY, [t], as_of).tickets for t in (top, cli)]
    assert rows[0] == rows[1]
    assert ("billing", "normal") == (rows[1][0]["group"], rows[1][0]["priority"])


def _night_policy(hours: list[list[str]]) -> Policy:
    """First response within 30m (normal) or 20m around the clock (high), resolution within 1h
    or 45m pausing while pending, on a New York calendar open ``hours`` on Sat, Sun and Mon."""
    return Policy.model_validate(
        {
            "name": "night",
            "calendar": {
                "timezone": "America/New_York",
                "hours": {"sat": hours, "sun": hours, "mon": hours},
            },
            "metrics": {
                "first_response": {
                    "targets": {"normal": "30m", "high": {"duration": "20m", "calendar": "24x7"}}
                },
                "resolution": {
                    "targets": {"normal": "1h", "high": "45m"},
                    "pause_statuses": ["pending"],
                },
            },
        }
    )


# Open all day; only in the hour that repeats (or is skipped); across its end; after it.
NIGHT_POLICIES = [
    _night_policy(hours)
    for hours in (
        [["00:00", "24:00"]],
        [["01:00", "01:30"]],
        [["01:15", "02:30"]],
        [["02:00", "03:00"]],
    )
]


@settings(max_examples=60)
@given(st.data(), dst_change_tickets(), st.sampled_from(NIGHT_POLICIES))
def test_reports_agree_across_a_dst_change(
    data: st.DataObject, case: tuple[list[Timeline], list[datetime]], policy: Policy
) -> None:
    """Tickets whose events and as_of fall in the repeated (or skipped) hour of a DST change,
    on calendars open in, across or after that hour: a variant equal to the baseline changes
    nothing, and a sweep at each own target counts what attainment counts, as the engine sees
    the tickets (every comparison of instants is exact, never by wall clock)."""
    tickets, instants = case
    zone = ZoneInfo("America/New_York")
    as_of = data.draw(
        st.one_of(
            st.none(),
            st.sampled_from(instants).map(lambda at: at.astimezone(zone)),  # often exactly one
            st.integers(0, 60 * 6).map(
                lambda m: (instants[0] + timedelta(minutes=m)).astimezone(zone)
            ),
        )
    )
    batch = evaluate_many(policy, tickets, as_of)
    assert [] == batch.failures
    result = compare(tickets, baseline=policy, variants={"same": policy}, as_of=as_of)
    assert [] == result.changes
    report = attainment(batch, by=("priority",))
    assert report == result.reports["baseline"] == result.reports["same"]
    counts = {(r.metric, r.key[0]): (r.met, r.breached, r.overdue) for r in report.rows}
    for metric, definition in policy.metrics.items():
        for priority, target in definition.targets.items():
            assert target.duration is not None
            swept = sweep(tickets, metric, priority, [target], baseline=policy, as_of=as_of)
            expected = counts.get((metric, priority), (0, 0, 0))
            for row in (*swept.rows, swept.at(target.duration)):
                assert expected == (row.met, row.breached, row.overdue), (metric, priority)


def test_a_ticket_not_created_yet_gets_the_policy_it_is_created_under() -> None:
    """A set picking by group: as of before creation, the ticket given in the CLI shape (group
    on its created event) is under the policy its group picks, as in the top-level shape."""
    policies = PolicySet.model_validate([
        {"name": "billing", "conditions": {"group": "billing"},
         "metrics": {"first_response": {"targets": {"normal": "1h"}}}},
        {"name": "other", "metrics": {"first_response": {"targets": {"normal": "8h"}}}},
    ])  # fmt: skip
    cli = {"ticket_id": "X", "events": [{"at": "2025-03-18T10:00:00Z", "kind": "created",
           "priority": "normal", "attributes": {"group": "billing"}}]}  # fmt: skip
    before = evaluate(policies, cli, datetime(2025, 3, 5, tzinfo=timezone.utc))
    after = evaluate(policies, cli, datetime(2025, 3, 18, 10, 30, tzinfo=timezone.utc))
    assert ("billing", 1, ()) == (
        before.policy,
        before.ignored_events,
        before.first_response.cycles,
    )
    assert ("billing", "running") == (after.policy, after.first_response.state)
