"""The rules step alone (slaclock.rules): metric conditions compiled into action masks."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from slaclock import Policy
from slaclock.metrics import BUILTIN_METRICS, Condition, MetricDefinition
from slaclock.rules import (
    CANCEL,
    PAUSE,
    RESET,
    RESUME,
    START,
    START_AFTER,
    STOP,
    TOUCH,
    EventShape,
    Matcher,
    compile_conditions,
    matches,
    metric_rules,
    policy_rules,
)


def test_conditions_compile_to_matchers_with_sets() -> None:
    """Each condition becomes a Matcher of frozensets; absent fields stay None (match anything)."""
    compiled = compile_conditions(
        (
            Condition(event=("agent_replied",), public=True),
            Condition(status=("solved", "closed")),
        )
    )
    assert (
        Matcher(frozenset({"agent_replied"}), True, None),
        Matcher(None, None, frozenset({"solved", "closed"})),
    ) == compiled


def test_a_condition_matches_only_when_every_field_holds() -> None:
    """kind, public and status-moved-into must all hold; a status condition needs a change."""
    reply = compile_conditions((Condition(event=("agent_replied",), public=True),))
    solved = compile_conditions((Condition(status=("solved",)),))
    assert matches(reply, EventShape("agent_replied", True, None))
    assert not matches(reply, EventShape("agent_replied", False, None))  # private
    assert not matches(reply, EventShape("customer_replied", True, None))
    assert matches(solved, EventShape("status_changed", True, "solved"))
    assert not matches(solved, EventShape("note_added", True, None))  # no status change
    assert not matches(solved, EventShape("status_changed", True, "pending"))


def test_first_response_actions() -> None:
    """first_response: created starts; a public reply stops; a solve cancels; a note does nothing."""
    rules = metric_rules(BUILTIN_METRICS["first_response"])
    assert START == rules.action(("created", True, "new"))
    assert STOP == rules.action(("agent_replied", True, None))
    assert 0 == rules.action(("agent_replied", False, None))
    assert CANCEL == rules.action(("solved", True, "solved"))
    assert 0 == rules.action(("note_added", True, None))


def test_next_response_reply_both_stops_and_arms_start_after() -> None:
    """next_response: a public agent reply matches stop and start_after at once (one mask)."""
    rules = metric_rules(BUILTIN_METRICS["next_response"])
    assert STOP | START_AFTER == rules.action(("agent_replied", True, None))
    assert START == rules.action(("customer_replied", True, None))


def test_every_list_has_its_own_bit() -> None:
    """A metric naming a different event in each list gets the matching bit for each."""
    definition = MetricDefinition(
        start=["a"], stop=["b"], cancel=["c"], reset=["d"], pause=["e"], resume=["f"],
        start_after=["g"],
    )  # fmt: skip
    rules = metric_rules(definition)
    found = {kind: rules.action((kind, True, None)) for kind in "abcdefg"}
    assert {
        "a": START, "b": STOP, "c": CANCEL, "d": RESET, "e": PAUSE, "f": RESUME, "g": START_AFTER
    } == found  # fmt: skip


def test_touch_marks_events_that_may_change_counting() -> None:
    """A status change touches a metric paused by status; a reopen touches a reopenable one;
    anything else no condition matches leaves the metric alone (mask 0)."""
    requester_wait = metric_rules(BUILTIN_METRICS["requester_wait"])  # pauses while pending
    first_response = metric_rules(BUILTIN_METRICS["first_response"])  # no status rules
    assert TOUCH == requester_wait.action(("status_changed", True, "pending"))
    assert 0 == requester_wait.action(("note_added", True, None))
    assert 0 == first_response.action(("status_changed", True, "pending"))
    assert TOUCH == metric_rules(BUILTIN_METRICS["resolution"]).action(("reopened", True, None))


def test_counting_follows_pause_and_count_statuses() -> None:
    """agent_work counts only in new/open; requester_wait pauses in pending; a pause event wins."""
    agent_work = metric_rules(BUILTIN_METRICS["agent_work"])
    requester_wait = metric_rules(BUILTIN_METRICS["requester_wait"])
    assert [True, True, False, False] == [
        agent_work.counting(s, event_paused=False) for s in ("new", "open", "pending", "on_hold")
    ]
    assert [True, False, True] == [
        requester_wait.counting(s, event_paused=False) for s in ("open", "pending", "on_hold")
    ]
    assert not requester_wait.counting("open", event_paused=True)


def test_reopenable_metrics_watch_reopened_events() -> None:
    """resolution is reopenable: 'reopened' is among the kinds it looks at; first_response not."""
    assert "reopened" in metric_rules(BUILTIN_METRICS["resolution"]).kinds
    assert "reopened" not in metric_rules(BUILTIN_METRICS["first_response"]).kinds


def test_policy_rules_follow_metric_order_and_are_kept_on_the_policy() -> None:
    """One mask per metric, in the policy's order; compiled once per policy value."""
    policy = Policy(name="p", metrics={"resolution": {}, "first_response": {}})
    rules = policy_rules(policy)
    assert ("resolution", "first_response") == rules.names
    assert (0, STOP) == rules.actions_for(("agent_replied", True, None))
    assert (STOP, CANCEL) == rules.actions_for(("solved", True, "solved"))
    assert rules is policy_rules(policy)
    # a changed copy is a new value: compiled afresh, from its own definitions
    changed = policy.model_copy(update={"metrics": {"resolution": {"pause_statuses": ["x"]}}})
    assert policy_rules(changed) is not rules
    assert frozenset({"x"}) == policy_rules(changed).rules[0].pause_statuses


_KINDS = st.sampled_from(["a", "b", "c"])
_STATUSES = st.sampled_from(["new", "open", "pending", "solved"])


@given(
    lists=st.lists(
        st.lists(
            st.builds(
                Condition,
                event=st.none() | st.lists(_KINDS, min_size=1, max_size=2).map(tuple),
                public=st.none() | st.booleans(),
                status=st.lists(_STATUSES, min_size=1, max_size=2).map(tuple),
            ),
            max_size=2,
        ),
        min_size=7,
        max_size=7,
    ),
    pause_statuses=st.lists(_STATUSES, max_size=2),
    shape=st.tuples(_KINDS, st.booleans(), st.none() | _STATUSES),
)
def test_action_mask_agrees_with_the_conditions_read_directly(
    lists: list[list[Condition]], pause_statuses: list[str], shape: tuple[str, bool, str | None]
) -> None:
    """The memoised mask equals a direct reading of every condition (the reference)."""
    names = ["start", "stop", "pause", "resume", "reset", "cancel", "start_after"]
    bits = [START, STOP, PAUSE, RESUME, RESET, CANCEL, START_AFTER]
    data = dict(zip(names, lists))
    data["start"] = data["start"] or [Condition(event=("z",))]  # required
    data["stop"] = data["stop"] or [Condition(event=("z",))]
    rules = metric_rules(MetricDefinition(**data, pause_statuses=pause_statuses))  # type: ignore[arg-type]
    kind, public, status_into = shape

    def holds(c: Condition) -> bool:
        return (
            (c.event is None or kind in c.event)
            and (c.public is None or c.public == public)
            and (c.status is None or (status_into is not None and status_into in c.status))
        )

    expected = 0
    for name, bit in zip(names, bits):
        if any(holds(c) for c in data[name]):
            expected |= bit
    if status_into is not None and pause_statuses:  # the status may pause or resume the clock
        expected |= TOUCH
    assert expected == rules.action(shape)
    assert expected == rules.action(shape)  # memoised answer is the same
