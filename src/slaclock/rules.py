"""Step 1 of the engine: a policy's metric conditions compiled into rules the replay tests cheaply.

A :class:`~slaclock.policy.MetricDefinition` says in words which events start, stop, pause,
resume, reset and cancel a metric's clock. :func:`metric_rules` turns it into
:class:`MetricRules`: frozensets to test membership in, and an :meth:`MetricRules.action` that
answers, for one shape of event, which of those condition lists match (a bit mask of
:data:`STOP`, :data:`CANCEL`, ...). :func:`policy_rules` does this for every metric of a policy,
once per policy value.

>>> from slaclock import Policy
>>> policy = Policy(name="p", metrics={"first_response": {"targets": {"normal": "8h"}}})
>>> rules = policy_rules(policy)
>>> rules.names
('first_response',)
>>> reply = EventShape("agent_replied", True, None)
>>> rules.actions_for(reply) == (STOP,)
True
>>> rules.actions_for(EventShape("created", True, "new")) == (START,)
True
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any, NamedTuple

from slaclock.policy import Condition, MetricDefinition, Policy, PolicySet, TicketCondition
from slaclock.timeline import BUILTIN_KINDS, STATUS_OF_KIND

__all__ = [
    "CANCEL",
    "STANDARD_STATUSES",
    "PAUSE",
    "RESET",
    "RESUME",
    "START",
    "START_AFTER",
    "STOP",
    "TOUCH",
    "EventShape",
    "Matcher",
    "MetricRules",
    "PolicyRules",
    "Vocabulary",
    "compile_conditions",
    "metric_rules",
    "policy_rules",
    "policy_vocabulary",
]

#: Bits of an action mask: which of a metric's condition lists match an event. ``STOP`` ends the
#: open cycle (met or breached), ``CANCEL`` ends it uncounted, ``RESET`` cancels it and starts
#: anew, ``PAUSE``/``RESUME`` hold and release its clock, ``START_AFTER`` allows a later
#: ``START`` to open a cycle (see :meth:`MetricRules.action`).
STOP, CANCEL, RESET, PAUSE, RESUME, START_AFTER, START = (1, 2, 4, 8, 16, 32, 64)
#: And one more bit: no condition matches, but the event may still change the metric's clock
#: (the status changed and the metric pauses or counts by status, or a reopenable metric sees
#: a reopen). An event whose mask is 0 leaves the metric as it is, so the replay skips it.
TOUCH = 128


class EventShape(NamedTuple):
    """What conditions look at in an event: its kind, whether it is public, and the status the
    ticket moved into with it (``None`` when the status did not change).

    The replay builds these as plain tuples ``(kind, public, status_into)`` on its hot path (a
    tuple literal costs a tenth of a named one); both hash and compare alike.

    >>> EventShape("solved", True, "solved") == ("solved", True, "solved")
    True
    """

    kind: str
    public: bool
    status_into: str | None


class Matcher(NamedTuple):
    """One :class:`~slaclock.policy.Condition` compiled: ``None`` fields match anything.

    >>> compile_conditions((Condition(event=("solved",)),))
    (Matcher(kinds=frozenset({'solved'}), public=None, statuses=None),)
    """

    kinds: frozenset[str] | None
    public: bool | None
    statuses: frozenset[str] | None


def compile_conditions(conditions: tuple[Condition, ...]) -> tuple[Matcher, ...]:
    """Each condition as a :class:`Matcher`: what :func:`matches` tests events against.

    >>> public_reply = compile_conditions((Condition(event=("agent_replied",), public=True),))
    >>> matches(public_reply, ("agent_replied", True, None)), matches(public_reply, ("agent_replied", False, None))
    (True, False)
    """
    return tuple(
        Matcher(
            frozenset(c.event) if c.event is not None else None,
            c.public,
            frozenset(c.status) if c.status is not None else None,
        )
        for c in conditions
    )


def matches(matchers: tuple[Matcher, ...], shape: tuple[str, bool, str | None]) -> bool:
    """Whether any of ``matchers`` matches an event of this shape.

    >>> matches(compile_conditions((Condition(status=("solved",)),)), ("solved", True, "solved"))
    True
    >>> matches(compile_conditions((Condition(status=("solved",)),)), ("note_added", True, None))
    False
    """
    kind, public, status_into = shape
    for kinds, want_public, statuses in matchers:
        if kinds is not None and kind not in kinds:
            continue
        if want_public is not None and public != want_public:
            continue
        if statuses is not None and (status_into is None or status_into not in statuses):
            continue
        return True
    return False


#: The most event shapes a memo keeps: custom kinds and statuses are open-ended, so past this
#: many distinct shapes the answers are computed each time instead of kept.
MAX_MEMO = 4096


@dataclass(frozen=True, slots=True)
class MetricRules:
    """A metric definition compiled for the replay.

    >>> rules = metric_rules(MetricDefinition(start=["created"], stop=["solved"],
    ...                                       pause_statuses=["pending"]))
    >>> rules.counting("pending", event_paused=False), rules.counting("open", event_paused=False)
    (False, True)
    """

    start: tuple[Matcher, ...]
    stop: tuple[Matcher, ...]
    pause: tuple[Matcher, ...]
    resume: tuple[Matcher, ...]
    reset: tuple[Matcher, ...]
    cancel: tuple[Matcher, ...]
    start_after: tuple[Matcher, ...]
    pause_statuses: frozenset[str]
    count_statuses: frozenset[str] | None
    recurring: bool
    reopenable: bool
    sequential: bool  # the next cycle counts from the previous one's due instant at the earliest
    start_when: TicketCondition | None  # must hold to start; its end cancels the open cycle
    pause_when: TicketCondition | None  # the clock is paused while it holds
    # Every event kind some condition names, and whether a condition matches on status alone:
    # an event outside both cannot match any condition, so the replay skips the tests.
    kinds: frozenset[str]
    status_only: bool
    # EventShape -> bit mask of the condition lists that match, memoised: a ticket's events
    # repeat a handful of shapes, so the replay does one dict lookup per metric.
    actions: dict[tuple[str, bool, str | None], int] = field(default_factory=dict)

    def action(self, shape: tuple[str, bool, str | None]) -> int:
        """The bit mask (:data:`STOP`, :data:`CANCEL`, ...) of the lists that match ``shape``,
        with :data:`TOUCH` when the event may change the clock all the same."""
        found = self.actions.get(shape)
        if found is not None:
            return found
        mask = 0
        if shape[0] in self.kinds or (shape[2] is not None and self.status_only):
            for bit, matchers in (
                (STOP, self.stop),
                (CANCEL, self.cancel),
                (RESET, self.reset),
                (PAUSE, self.pause),
                (RESUME, self.resume),
                (START_AFTER, self.start_after),
                (START, self.start),
            ):
                if matches(matchers, shape):
                    mask |= bit
        if (shape[2] is not None and self.status_counts) or (
            shape[0] == "reopened" and self.reopenable
        ):
            mask |= TOUCH
        if len(self.actions) < MAX_MEMO:
            self.actions[shape] = mask
        return mask

    @property
    def status_counts(self) -> bool:
        """Whether the ticket's status decides if the clock counts (pause or count statuses)."""
        return bool(self.pause_statuses) or self.count_statuses is not None

    def counting(self, status: str, event_paused: bool) -> bool:
        """Whether the clock counts in ``status`` (and with a pause event in force or not)."""
        if event_paused or status in self.pause_statuses:
            return False
        return self.count_statuses is None or status in self.count_statuses


@lru_cache(maxsize=1024)
def metric_rules(definition: MetricDefinition) -> MetricRules:
    """``definition`` compiled (memoised per definition value; see :class:`MetricRules`).

    >>> rules = metric_rules(MetricDefinition(start=["created"], stop=["solved"]))
    >>> rules.action(("solved", True, "solved")) == STOP, rules.action(("note_added", True, None))
    (True, 0)
    >>> metric_rules(MetricDefinition(start=["created"], stop=["solved"])) is rules
    True
    """
    conditions = [
        *definition.start,
        *definition.stop,
        *definition.pause,
        *definition.resume,
        *definition.reset,
        *definition.cancel,
        *definition.start_after,
    ]
    kinds = {kind for c in conditions for kind in (c.event or ())}
    if definition.reopenable:
        kinds.add("reopened")
    return MetricRules(
        kinds=frozenset(kinds),
        status_only=any(c.event is None for c in conditions),
        start=compile_conditions(definition.start),
        stop=compile_conditions(definition.stop),
        pause=compile_conditions(definition.pause),
        resume=compile_conditions(definition.resume),
        reset=compile_conditions(definition.reset),
        cancel=compile_conditions(definition.cancel),
        start_after=compile_conditions(definition.start_after),
        pause_statuses=frozenset(definition.pause_statuses),
        count_statuses=None
        if definition.count_statuses is None
        else frozenset(definition.count_statuses),
        recurring=definition.recurring,
        reopenable=definition.reopenable,
        sequential=definition.recurrence == "sequential",
        start_when=definition.start_when,
        pause_when=definition.pause_when,
    )


@dataclass(frozen=True, slots=True)
class PolicyRules:
    """A policy's metrics compiled for the replay, in the policy's metric order.

    >>> from slaclock import Policy
    >>> policy_rules(Policy(name="p", metrics={"resolution": {}, "first_response": {}})).names
    ('resolution', 'first_response')
    """

    names: tuple[str, ...]
    rules: tuple[MetricRules, ...]
    # EventShape -> each metric's action mask, memoised: one dict lookup per event instead of
    # one per event and metric.
    actions: dict[tuple[str, bool, str | None], tuple[int, ...]] = field(default_factory=dict)
    #: The policy's targets resolved per (metric, priority, calendar attribute): filled by
    #: :func:`slaclock.measure.resolve_target`, carried to it by each cycle's context.
    targets: dict[Any, Any] = field(default_factory=dict)
    # EventShape -> (position, mask) of each metric whose mask is not 0, memoised: the replay
    # visits only the metrics an event can change.
    acting: dict[tuple[str, bool, str | None], tuple[tuple[int, int], ...]] = field(
        default_factory=dict
    )
    #: The metrics whose recurrence is sequential (a cycle counts from the previous one's due
    #: instant at the earliest): only theirs are chained when measured.
    sequential: frozenset[str] = frozenset()
    #: The positions of the metrics with ``retroactive_pause``: only theirs get a
    #: :class:`~slaclock.progress.ClockRecord` from the replay.
    retroactive: tuple[int, ...] = ()

    def actions_for(self, shape: tuple[str, bool, str | None]) -> tuple[int, ...]:
        """Each metric's action mask for an event of this shape."""
        found = self.actions.get(shape)
        if found is None:
            found = tuple(rules.action(shape) for rules in self.rules)
            if len(self.actions) < MAX_MEMO:
                self.actions[shape] = found
        return found

    def acting_for(self, shape: tuple[str, bool, str | None]) -> tuple[tuple[int, int], ...]:
        """(position, mask) of each metric whose action mask for the shape is not 0.

        >>> from slaclock.synthetic import DEFAULT_POLICY
        >>> rules = policy_rules(DEFAULT_POLICY)
        >>> [(rules.names[i], bool(mask & STOP)) for i, mask in rules.acting_for(("agent_replied", True, None))]
        [('first_response', True), ('next_response', True)]
        """
        found = self.acting.get(shape)
        if found is None:
            found = tuple((i, act) for i, act in enumerate(self.actions_for(shape)) if act)
            if len(self.acting) < MAX_MEMO:
                self.acting[shape] = found
        return found


def policy_rules(policy: Policy) -> PolicyRules:
    """The compiled rules of ``policy``'s metrics (built once per policy value, kept on it).

    >>> from slaclock.synthetic import DEFAULT_POLICY
    >>> rules = policy_rules(DEFAULT_POLICY)
    >>> acts = rules.actions_for(("agent_replied", True, None))  # a public agent reply
    >>> [name for name, act in zip(rules.names, acts) if act & STOP]
    ['first_response', 'next_response']
    >>> policy_rules(DEFAULT_POLICY) is rules
    True
    """
    return policy.derived("rules", _build_policy_rules)


def _build_policy_rules(policy: Policy) -> PolicyRules:
    names = tuple(policy.metrics)
    rules = tuple(metric_rules(policy.definition(name)) for name in names)
    sequential = frozenset(name for name, one in zip(names, rules) if one.sequential)
    retroactive = tuple(i for i, name in enumerate(names) if policy.metrics[name].retroactive_pause)
    return PolicyRules(names, rules, sequential=sequential, retroactive=retroactive)


class Vocabulary(NamedTuple):
    """The event kinds and statuses a policy knows: an event of another kind, or a status
    outside these, changes no clock and is likely a misspelling (see :mod:`slaclock.checks`).

    ``kinds``: the built-in kinds and every kind a condition names. ``statuses``: ``new``, the
    statuses the built-in kinds set (``open``, ``solved``, ``closed``), every pause, count and
    condition status of the metrics, and the policy's ``known_statuses`` (by default
    :data:`STANDARD_STATUSES`). A policy set knows what any of its policies knows.

    >>> vocabulary = policy_vocabulary(Policy(name="p", known_statuses=["in_progress"],
    ...                                       metrics={"requester_wait": {}}))
    >>> sorted(vocabulary.statuses)
    ['closed', 'in_progress', 'new', 'open', 'pending', 'solved']
    """

    kinds: frozenset[str]
    statuses: frozenset[str]

    def explain(self, problem: str, value: str) -> str:
        """What is wrong with an unknown ``value`` (a ``"kind"`` or a ``"status"``), with the
        closest known word when there is one.

        >>> policy_vocabulary(Policy(name="p", metrics={"resolution": {}})).explain("kind", "agent_reply")
        "event kind 'agent_reply' is not built in and no condition names it, so it changes no clock - did you mean 'agent_replied'?"
        """
        if problem == "kind":
            text = (
                f"event kind {value!r} is not built in and no condition names it, so it "
                "changes no clock"
            )
            known = self.kinds
        else:
            text = (
                f"status {value!r} is not one the policy knows (the statuses its metrics name, "
                "its known_statuses, new/open/solved/closed), so it pauses nothing"
            )
            known = self.statuses
        close = difflib.get_close_matches(value, sorted(known), n=1, cutoff=0.6)
        if not close:
            close = [k for k in sorted(known) if k.casefold() == value.casefold()]
        return text + (f" - did you mean {close[0]!r}?" if close else " - check the spelling")


def policy_vocabulary(policy: Policy | PolicySet) -> Vocabulary:
    """The :class:`Vocabulary` of ``policy`` (built once per policy value, kept on it), or of
    every policy of a set.

    >>> escalation = MetricDefinition(start=["created"], stop=["escalated"])
    >>> kinds = policy_vocabulary(Policy(name="p", metrics={"escalation": {"definition": escalation}})).kinds
    >>> "escalated" in kinds, "escalate" in kinds  # a kind a condition names; a misspelling
    (True, False)
    """
    if isinstance(policy, Policy):
        return policy.derived("vocabulary", _build_vocabulary)
    parts = [policy_vocabulary(one) for one in policy.policies]
    return Vocabulary(
        frozenset().union(*(p.kinds for p in parts)),
        frozenset().union(*(p.statuses for p in parts)),
    )


#: The statuses a policy knows when it declares no ``known_statuses``: slaclock's words, which
#: the importers map helpdesk statuses onto.
STANDARD_STATUSES = ("new", "open", "pending", "on_hold", "solved", "closed")


def _build_vocabulary(policy: Policy) -> Vocabulary:
    kinds = set(BUILTIN_KINDS)
    declared = STANDARD_STATUSES if policy.known_statuses is None else policy.known_statuses
    statuses = {"new", *STATUS_OF_KIND.values(), *declared}
    for name in policy.metrics:
        definition = policy.definition(name)
        statuses.update(definition.pause_statuses)
        statuses.update(definition.count_statuses or ())
        for conditions in (
            definition.start, definition.stop, definition.pause, definition.resume,
            definition.reset, definition.cancel, definition.start_after,
        ):  # fmt: skip
            for condition in conditions:
                kinds.update(condition.event or ())
                statuses.update(condition.status or ())
    return Vocabulary(frozenset(kinds), frozenset(statuses))
