"""Step 2 of the engine: a ticket's events replayed into each metric's cycles.

:class:`TicketReplay` applies the events in order, keeping the ticket's status, attributes and
policy in force. For each metric it records the cycles as :class:`ReplayedCycle` values: the
instants from which the clock counted or was paused (:class:`Transition`), with the events that
shaped them. Nothing is measured here: instants are integer UTC microseconds, and business time
is left to :mod:`slaclock.measure`.

>>> from slaclock import Policy, Timeline
>>> policy = Policy(name="p", metrics={"resolution": {"pause_statuses": ["pending"]}})
>>> ticket = Timeline.model_validate({"ticket_id": "T-1", "events": [
...     {"at": "2025-01-01T09:00Z", "kind": "created"},
...     {"at": "2025-01-01T10:00Z", "kind": "status_changed", "status": "pending"},
...     {"at": "2025-01-01T11:00Z", "kind": "solved"}]})
>>> replay = TicketReplay(policy, ticket.attributes)
>>> replay.replay_events(ticket.events, ticket.instants, ticket.instants[-1])
0
>>> (cycle,) = replay.progress["resolution"].cycles
>>> [(t.at - cycle.start) // 60_000_000 for t in cycle.transitions], cycle.end - cycle.start  # minutes, micros
([0, 60], 7200000000)
>>> [t.counting for t in cycle.transitions]  # counting, then paused while pending
[True, False]
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, NamedTuple

from slaclock.errors import PolicyError, SlaclockError, TimelineError
from slaclock.policy import Policy, PolicySet
from slaclock.progress import (
    ClockRecord,
    CycleContext,
    MetricProgress,
    ReplayedCycle,
    ReplayStep,
    Transition,
    apply_event,
    close_cycle,
    copied_progress,
    open_cycle,
    record_clocks,
)
from slaclock.rules import MetricRules, PolicyRules, Vocabulary, policy_rules, policy_vocabulary
from slaclock.timeline import STATUS_OF_KIND, Event

__all__ = [
    "INITIAL_STATUS",
    "ClockRecord",
    "CycleContext",
    "HistoryNeededError",
    "MetricProgress",
    "PastEvent",
    "ReplayStep",
    "ReplayedCycle",
    "TicketFacts",
    "TicketReplay",
    "Transition",
    "apply_event",
    "close_cycle",
    "open_cycle",
]

#: A ticket's status before its ``created`` event names one.
INITIAL_STATUS = "new"
#: Event kinds that may change the ticket's attributes.
_ATTRIBUTE_KINDS = frozenset({"created", "priority_changed", "attributes_changed"})
#: Statuses in which a ticket counts as solved (``closed`` is solved, and closed too).
_SOLVED = frozenset({"solved", "closed"})
# Builds a NamedTuple value in C (its generated ``__new__`` is a Python call costing several
# times more): ``_make(TicketFacts, values)`` equals ``TicketFacts(*values)``.
_make = tuple.__new__


class TicketFacts(NamedTuple):
    """What happened to the ticket up to ``as_of``, found by the replay (instants are integer
    UTC microseconds). See ``docs/semantics/engine.md``, "Ticket facts".

    >>> from slaclock.synthetic import DEFAULT_POLICY
    >>> from slaclock.testing import ticket
    >>> t = ticket("2025-03-03T09:00Z").agent_replies(after="1h").solve(after="1h").reopen(after="1h").timeline()
    >>> replay = TicketReplay(DEFAULT_POLICY, t.attributes)
    >>> replay.replay_events(t.events, t.instants, t.instants[2])  # as of the solve: 1 event left out
    1
    >>> replay.facts.status, replay.facts.solved_at == t.instants[2], replay.facts.public_agent_replies
    ('solved', True, 1)
    >>> replay.replay_events(t.events[3:], t.instants[3:], t.instants[3], first_position=3)
    0
    >>> replay.facts.status, replay.facts.solved_at, replay.facts.reopens  # reopened: not solved now
    ('open', None, 1)
    """

    status: str  # the status after the last event at or before as_of
    solved_at: int | None  # the move into solved/closed, while the ticket stays there
    closed_at: int | None  # the move into closed, while the ticket stays closed
    public_agent_replies: int
    reopens: int  # `reopened` events


class HistoryNeededError(SlaclockError, ValueError):
    """An event needs the ticket's past events, which a replay without history did not keep
    (see :class:`TicketReplay`'s ``keep_history``): a policy coming into force that measures a
    metric from the ticket's start.

    >>> issubclass(HistoryNeededError, ValueError)
    True
    """


_NO_FACTS = TicketFacts(INITIAL_STATUS, None, None, 0, 0)


class PastEvent(NamedTuple):
    """An event as replayed, kept for a policy that comes into force later and replays its new
    metrics from the start (:meth:`TicketReplay.catch_up_new_metrics`).

    >>> from slaclock.testing import ticket
    >>> policies = PolicySet(policies=[{"name": "default", "metrics": {"resolution": {}}}])
    >>> t = ticket("2025-01-01T09:00Z", policy=policies).solve(after="1h").timeline()
    >>> replay = TicketReplay(policies, t.attributes)  # a set: the replay keeps its history
    >>> replay.replay_events(t.events, t.instants, t.instants[-1])
    0
    >>> [(past.position, past.shape[0], past.status) for past in replay.history]
    [(0, 'created', 'new'), (1, 'solved', 'solved')]
    """

    at: int
    position: int
    shape: tuple[str, bool, str | None]  # see slaclock.rules.EventShape
    status: str  # the ticket's status after the event
    priority: Any  # the ticket's priority after the event
    attributes_changed: bool
    priority_changed: bool


class TicketReplay:
    """The replay of one timeline: :meth:`replay_events` leaves each metric's cycles in
    ``progress``, the ticket's attributes and policy in force at ``as_of``, and its
    :class:`TicketFacts` in ``facts``.

    It can go on with more events later (the streaming clock does: each call continues where the
    last one stopped, ``first_position`` numbering the new events). With ``keep_history=False``
    it keeps no list of past events: a policy of a set that comes into force and measures a
    metric from the ticket's start then raises :class:`HistoryNeededError`.

    >>> from slaclock.testing import ticket
    >>> policy = Policy(name="p", metrics={"resolution": {"pause_statuses": ["pending"]}})
    >>> t = ticket("2025-01-01T09:00Z", policy=policy).status("pending", after="1h").solve(after="1h").timeline()
    >>> replay = TicketReplay(policy, t.attributes)
    >>> replay.replay_events(t.events[:2], t.instants[:2], t.instants[-1])  # two events so far
    0
    >>> replay.facts.status, replay.progress["resolution"].open is None
    ('pending', False)
    >>> replay.replay_events(t.events[2:], t.instants[2:], t.instants[-1], first_position=2)
    0
    >>> replay.facts.status, replay.progress["resolution"].open is None  # solved: cycle ended
    ('solved', True)
    """

    def __init__(
        self,
        policies: Policy | PolicySet,
        attributes: Mapping[str, Any],
        *,
        keep_history: bool = True,
        _continues: TicketReplay | None = None,
    ) -> None:
        """A replay at the ticket's start. ``_continues`` is :meth:`copy_for`'s alone (compiled
        classes are built through ``__init__``): given a replay of the same ``policies``, the new
        one goes on from where it stands, with its own copy of the history and of the unknown
        words seen, sharing the rest (``attributes`` is not read) until ``copy_for`` replaces
        what the next event may change."""
        self.policies = policies
        # (policy id, metric) -> a shadow replay of the metric and how many past events it has
        # seen: a ticket that keeps switching policy replays only the events since the last
        # switch, not its whole history each time (which was quadratic). A continuing replay
        # starts without: only a shortcut for catching up, an empty one replays again.
        self.shadows: dict[tuple[int, str], tuple[MetricProgress, int]] = {}
        if _continues is not None:
            self.attributes: dict[str, Any] = _continues.attributes
            self.unknown: dict[str, dict[str, str]] = {
                problem: dict(seen) for problem, seen in _continues.unknown.items()
            }
            history = _continues.history
            self.history: list[PastEvent] | None = None if history is None else list(history)
            self.progress: dict[str, MetricProgress] = _continues.progress
            self.policy: Policy | None = _continues.policy
            self.context: CycleContext | None = _continues.context
            self.rules: PolicyRules | None = _continues.rules
            self.active: list[tuple[MetricRules, MetricProgress]] = _continues.active
            self.vocabulary: Vocabulary = _continues.vocabulary
            self.facts: TicketFacts = _continues.facts
            return
        self.attributes = dict(attributes)
        # "kind" or "status" -> each value the policy in force did not know (in the order seen)
        # -> what is wrong with it.
        self.unknown = {}
        self.progress = {}
        self.policy = self.context = self.rules = None
        # What a policy that comes into force later replays its new metrics over.
        self.history = [] if keep_history and not isinstance(policies, Policy) else None
        # (rules, progress) of each metric the policy in force measures, in its metric order.
        self.active = []
        # The words the policy (or any policy of the set) knows: an event outside them changes
        # no clock, and is reported (see TimelineWarning).
        self.vocabulary = policy_vocabulary(policies)
        self.facts = _NO_FACTS
        self.enter_policy(self.select_policy())

    @classmethod
    def restored(
        cls,
        policies: Policy | PolicySet,
        attributes: Mapping[str, Any],
        policy: Policy | None,
        progress: dict[str, MetricProgress],
        facts: TicketFacts,
    ) -> TicketReplay:
        """A replay without history continued from stored state: the attributes, policy in
        force, each metric's progress and the ticket's facts after the last event."""
        replay = cls(policies, attributes, keep_history=False)
        replay.progress = progress
        replay.facts = facts
        replay.activate_policy(policy)
        return replay

    def copy_for(self, event: Event) -> TicketReplay:
        """A copy that ``event`` can change without changing this one. What the event can touch
        is copied (the attributes, and for each metric it may change: its list of cycles, its
        last cycle and its clock record); the rest, earlier cycles above all, is shared."""
        copied = TicketReplay(self.policies, self.attributes, _continues=self)
        if event.kind in _ATTRIBUTE_KINDS:  # only these change the attributes (in place)
            copied.attributes = dict(self.attributes)
        touched = self._metrics_touched_by(event)
        copied.progress = progress = {
            name: copied_progress(metric) if touched is None or name in touched else metric
            for name, metric in self.progress.items()
        }
        in_force = self.rules
        copied.active = (
            []
            if in_force is None
            else [(rules, progress[name]) for name, rules in zip(in_force.names, in_force.rules)]
        )
        return copied

    def _metrics_touched_by(self, event: Event) -> frozenset[str] | None:
        """The metrics whose progress ``event`` may change (``None``: any). Mirrors what
        :meth:`replay_events` and :func:`apply_event` do with an event: a metric none of whose
        conditions matches it changes only when its open cycle's counting does."""
        kind = event.kind
        if kind in _ATTRIBUTE_KINDS or kind == "reopened":
            return None  # attributes (and the policy in force) may change; a reopen may resume
        rules = self.rules
        if rules is None:
            return frozenset()
        new_status = event.status or STATUS_OF_KIND.get(kind)
        previous = self.facts.status
        status = previous if new_status is None else new_status
        status_into = status if status != previous else None
        acts = rules.actions.get((kind, event.public is not False, status_into)) or (
            rules.actions_for((kind, event.public is not False, status_into))
        )
        touched = set()
        for (metric_rules, progress), name, act in zip(self.active, rules.names, acts):
            cycle = progress.open
            if act or (
                status_into is not None
                and cycle is not None
                and metric_rules.counting(status, progress.event_paused)
                != cycle.transitions[-1].counting
            ):
                touched.add(name)
        return frozenset(touched)

    def select_policy(self) -> Policy | None:
        """The policy for the ticket's attributes as they are now."""
        if isinstance(self.policies, Policy):
            return self.policies
        return self.policies.select(self.attributes)

    def enter_policy(self, policy: Policy | None) -> None:
        """Make ``policy`` the policy in force (also after an attribute change)."""
        self.activate_policy(policy)
        for rules, progress in self.active:
            if not rules.resume:
                # A pause by event under a policy whose definition of the metric has no resume
                # condition would never end: the new definition's clock is not paused by event
                # (nor is the record a retroactive pause keeps of it).
                progress.event_paused = False
                if progress.record is not None:
                    progress.record.event_paused = False

    def activate_policy(self, policy: Policy | None) -> None:
        """Make ``policy`` the policy in force, leaving each metric's progress as it is."""
        self.policy = policy
        self.active = []
        if policy is None:
            self.context = self.rules = None
            return
        # Attribute snapshots are shared by every cycle that sees them; copied only on change.
        self.rules = rules_in_force = policy_rules(policy)
        self.context = CycleContext(policy, dict(self.attributes), rules_in_force.targets)
        for name, rules in zip(rules_in_force.names, rules_in_force.rules):
            progress = self.progress.get(name)
            if progress is None:
                progress = self.progress[name] = MetricProgress()
            self.active.append((rules, progress))
        for index in rules_in_force.retroactive:  # recorded from now on (see record_clocks)
            progress = self.active[index][1]
            if progress.record is None:
                progress.record = ClockRecord()

    def reported_metrics(self) -> list[tuple[str, MetricProgress]]:
        """The metrics a result lists: those of the policy in force (in its order), then any
        other metric that has cycles (measured by an earlier policy of a set)."""
        names = () if self.rules is None else self.rules.names
        progress = self.progress
        return [(name, progress[name]) for name in names] + [
            (name, metric)
            for name, metric in progress.items()
            if metric.cycles and name not in names
        ]

    def check_priority(self) -> None:
        """A priority no metric of the policy in force has a target for is an error (a ticket
        with no priority is fine). Checked on creation and after every attribute change, so a
        ticket is never measured against no target by accident."""
        policy = self.policy
        priority = self.attributes.get("priority")
        if priority is not None and not isinstance(priority, (str, int)):
            raise TimelineError(
                f"ticket attribute priority={priority!r} - expected a string such as 'high'",
                value=priority,
            )
        if (
            policy is not None
            and priority is not None
            and policy.priorities
            and priority not in policy.priorities
        ):
            raise PolicyError(
                f"unknown priority {priority!r}: policy {policy.name!r} has no target for it in "
                f"any metric - expected one of {sorted(policy.priorities)}",
                value=priority,
            )

    def apply_attribute_change(self, event: Event, t: int, position: int) -> tuple[bool, bool]:
        """Apply the event's changes to the ticket's attributes and select the policy again;
        returns (priority changed, policy changed)."""
        kind = event.kind
        attributes = self.attributes
        previous_priority = attributes.get("priority")
        if kind == "created":
            if event.attributes:
                attributes.update(event.attributes)
            if event.priority is not None:
                attributes["priority"] = event.priority
        elif kind == "priority_changed":
            attributes["priority"] = event.priority
        else:  # attributes_changed (a `None` value removes the attribute)
            assert event.attributes is not None
            for key, value in event.attributes.items():
                if value is None:
                    attributes.pop(key, None)
                else:
                    attributes[key] = value
        policy = self.select_policy()
        policy_changed = policy is not self.policy
        if policy_changed:
            # Metrics the new policy does not measure stop being measured: cancelled.
            measured = policy.metrics if policy is not None else {}
            for name, progress in self.progress.items():
                if progress.open is not None and name not in measured:
                    close_cycle(progress, t, position, cancelled=True)
        self.enter_policy(policy)
        return kind != "created" and attributes.get("priority") != previous_priority, policy_changed

    def replay_events(
        self,
        events: Sequence[Event],
        instants: Sequence[int],
        as_of: int,
        first_position: int = 0,
    ) -> int:
        """Apply the events up to ``as_of``; returns how many later events were left out.
        ``first_position`` is the position of ``events[0]`` in the ticket (when going on).

        The hot loop of the engine: state lives in locals, and a metric none of whose
        conditions matches an event is skipped unless the status or the attributes changed.
        """
        status, solved_at, closed_at, replies, reopens = self.facts
        ignored = 0
        known_kinds, known_statuses = self.vocabulary
        history = self.history
        for offset, t in enumerate(instants):
            if t > as_of:
                ignored = len(events) - offset
                if offset == 0 and first_position == 0:
                    # Not created yet: no clock starts, but the ticket has the attributes (and
                    # so the policy) it is created with, whether given on the timeline or on
                    # its created event: the two shapes of one ticket agree.
                    self.apply_attribute_change(events[0], t, 0)
                break
            position = first_position + offset
            event = events[offset]
            kind = event.kind
            public = event.public is not False
            previous_status = status
            given_status = event.status
            new_status = given_status or STATUS_OF_KIND.get(kind)
            if new_status is not None:
                status = new_status
            status_into = status if (kind == "created" or status != previous_status) else None
            shape = (kind, public, status_into)
            # The ticket's own facts (TicketFacts): integer instants, never wall clocks.
            if kind == "agent_replied":
                if public:
                    replies += 1
            elif kind == "reopened":
                reopens += 1
            if status_into is not None:
                if status not in _SOLVED:
                    solved_at = closed_at = None
                else:
                    if solved_at is None:
                        solved_at = t
                    if status == "closed":
                        if closed_at is None:
                            closed_at = t
                    else:
                        closed_at = None
            priority_changed = policy_changed = attributes_changed = False
            if kind in _ATTRIBUTE_KINDS and (
                kind == "priority_changed"
                or event.attributes
                or (kind == "created" and event.priority is not None)
            ):
                attributes_changed = True
                before = self.rules
                priority_changed, policy_changed = self.apply_attribute_change(event, t, position)
                if policy_changed and position and self.rules is not None:
                    self.catch_up_new_metrics(before, history, t, position, status)
            if attributes_changed or position == 0:  # the ticket exists from `created` on
                self.check_priority()
            if history is not None:
                history.append(
                    PastEvent(
                        t,
                        position,
                        shape,
                        status,
                        self.attributes.get("priority"),
                        attributes_changed,
                        priority_changed,
                    )
                )
            rules = self.rules
            context = self.context
            if rules is None or context is None:
                continue
            if kind not in known_kinds or (
                given_status is not None and given_status not in known_statuses
            ):
                self.note_unknown(event, self.vocabulary)
            if rules.retroactive:  # see record_clocks: only for metrics that need it
                acts = rules.actions_for(shape)
                record_clocks(self.active, rules.retroactive, acts, status, context.attributes, t)
            # A metric whose mask is 0 (no condition matches, and the event cannot change
            # whether its clock counts: see rules.TOUCH) is left as it is, unless the
            # attributes changed (its target, or its policy, may have).
            if not attributes_changed:
                acting = rules.acting.get(shape)
                if acting is None:
                    acting = rules.acting_for(shape)
                if not acting:
                    continue
                step: ReplayStep = (kind, status, t, position, context, False, False)
                active = self.active
                for index, act in acting:
                    metric_rules, progress = active[index]
                    apply_event(progress, metric_rules, act, step)
                continue
            restart = (
                priority_changed or policy_changed
            ) and context.policy.priority_change == "restart"
            step = (kind, status, t, position, context, True, restart)
            for (metric_rules, progress), act in zip(self.active, rules.actions_for(shape)):
                apply_event(progress, metric_rules, act, step)
        self.facts = _make(TicketFacts, (status, solved_at, closed_at, replies, reopens))
        return ignored

    def note_unknown(self, event: Event, vocabulary: Vocabulary) -> None:
        """Record an event kind or status the policy in force does not know (see
        :class:`~slaclock.errors.TimelineWarning`)."""
        if event.kind not in vocabulary.kinds:
            seen = self.unknown.setdefault("kind", {})
            if event.kind not in seen:
                seen[event.kind] = vocabulary.explain("kind", event.kind)
        if event.status is not None and event.status not in vocabulary.statuses:
            seen = self.unknown.setdefault("status", {})
            if event.status not in seen:
                seen[event.status] = vocabulary.explain("status", event.status)

    def catch_up_new_metrics(
        self,
        before: PolicyRules | None,
        history: list[PastEvent] | None,
        t: int,
        position: int,
        status: str,
    ) -> None:
        """The policy now in force measures metrics the previous one did not. Each is replayed
        under its own conditions over the events so far, as if the policy had been in force
        from the start; the change event then treats its cycles like any measured metric's
        (``restart`` cancels the running one and starts anew). A metric that already has
        cycles (measured by an earlier policy of the set) keeps them, and starts a cycle at the
        change if its replay leaves one running."""
        context, rules_in_force = self.context, self.rules
        assert context is not None and rules_in_force is not None
        policy = context.policy
        measured = () if before is None else before.names
        if history is None:
            for name, (_, progress) in zip(rules_in_force.names, self.active):
                if name not in measured and progress.open is None:
                    raise HistoryNeededError(
                        f"policy {policy.name!r} comes into force at event #{position} and "
                        f"measures {name!r} from the ticket's start, which needs the {position} "
                        "earlier events - this replay kept no history (a compact clock): "
                        "replay the ticket's events with history (e.g. a FullHistoryClock)",
                        value=name,
                    )
            return
        # The new policy, with the priority the ticket had at each past event; the other
        # attributes (which pick the calendar, say) as they are now: the ticket is measured on
        # the new policy's terms for it as it is.
        contexts: dict[Any, CycleContext] = {}

        def context_of(priority: Any) -> CycleContext:
            found = contexts.get(priority)
            if found is None:
                attributes = {k: v for k, v in self.attributes.items() if k != "priority"}
                if priority is not None:
                    attributes["priority"] = priority
                found = contexts[priority] = CycleContext(
                    policy, attributes, rules_in_force.targets
                )
            return found

        restarts = policy.priority_change == "restart"
        for name, (rules, progress) in zip(rules_in_force.names, self.active):
            if name in measured or progress.open is not None:
                continue
            # A shadow replayed earlier can go on from where it stopped when what it is used
            # for does not depend on the contexts its steps carried: the open/paused state
            # (the metric has cycles already), or no cycle at all so far (no context stored).
            key = (id(policy), name)
            cached = self.shadows.get(key)
            if cached is not None and (
                progress.cycles or (not cached[0].cycles and cached[0].open is None)
            ):
                shadow, done = cached
            else:
                shadow, done = MetricProgress(), 0
            for index in range(done, len(history)):
                past = history[index]
                step: ReplayStep = (
                    past.shape[0],
                    past.status,
                    past.at,
                    past.position,
                    context_of(past.priority),
                    past.attributes_changed,
                    past.priority_changed and restarts,
                )
                apply_event(shadow, rules, rules.action(past.shape), step)
            self.shadows[key] = (shadow, len(history))
            if not progress.cycles:
                if shadow.cycles or shadow.open is not None:
                    # The shadow's cycles become the metric's own: never replay into them again.
                    progress.cycles, progress.open = shadow.cycles, shadow.open
                    del self.shadows[key]
                progress.started_after = shadow.started_after
                progress.event_paused = shadow.event_paused
                continue
            progress.started_after = progress.started_after or shadow.started_after
            if shadow.open is not None:
                open_cycle(progress, t, position, rules, context, status, shadow.event_paused)
