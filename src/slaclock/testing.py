"""Test helpers for suites that assert SLA outcomes: a story-like timeline builder, assertions
with clock traces, and scenario files (SLA contracts kept as data).

>>> from slaclock.synthetic import DEFAULT_POLICY
>>> story = (ticket("2025-03-07T16:30:00-05:00", policy=DEFAULT_POLICY, priority="high")
...          .status("pending", after="10m")
...          .status("open", at="2025-03-10T09:00:00-04:00")
...          .agent_replies(after="2 business hours"))
>>> result = story.evaluate()
>>> _ = assert_breached(result, "first_response", by="30m")  # 2h: 30m Friday + 1h30 Monday
>>> assert_met(result, "requester_wait")
Traceback (most recent call last):
...
AssertionError: requester_wait cycle 0: expected met, got running
  started 2025-03-07 16:30 -0500, due 2025-03-12 09:20 -0400, elapsed 2h10m of 2 business days
  clock trace:
    2025-03-07 16:30 -0500 .. 2025-03-07 16:40 -0500  counted  10m
    2025-03-07 16:40 -0500 .. 2025-03-10 09:00 -0400  paused   63h20m
    2025-03-10 09:00 -0400 .. 2025-03-10 11:00 -0400  counted  2h
<BLANKLINE>

This module is public API, documented like the rest; the core never imports it.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any, get_args

from slaclock._tz import check_aware, to_micros
from slaclock.calendar import Calendar
from slaclock.durations import format_duration, parse_duration
from slaclock.engine import evaluate
from slaclock.errors import ArgumentError, TimelineError
from slaclock.policy import Policy, PolicySet, as_policy
from slaclock.results import CycleResult, CycleState, TicketResult
from slaclock.synthetic import DEFAULT_POLICY
from slaclock.timeline import Timeline

__all__ = [
    "TicketStory",
    "assert_breached",
    "assert_due",
    "assert_met",
    "assert_state",
    "check_scenario",
    "clock_trace",
    "load_scenario",
    "scenarios",
    "ticket",
]

_STATES: tuple[str, ...] = get_args(CycleState)
_BUSINESS = re.compile(r"\s*(.+?)\s+business\s+(hours?|minutes?|days?)\s*", re.IGNORECASE)


def _instant(value: datetime | str, name: str) -> datetime:
    if isinstance(value, str):
        try:
            value = datetime.fromisoformat(value.replace("Z", "+00:00"))
        except ValueError as exc:
            raise TimelineError(f"{name}: not an ISO 8601 instant: {value!r}", value=value) from exc
    return check_aware(value, name)


class TicketStory:
    """An immutable builder that reads like the story of a ticket; each step returns a new story.

    Steps take ``after=`` (``"20m"`` in calendar time, or ``"2 business hours"`` /
    ``"30 business minutes"`` / ``"1 business day"`` on the policy's calendar) or ``at=`` (an
    aware instant or ISO 8601 text). Without either, a step happens at the story's current instant.
    A step that would go back in time is a :class:`~slaclock.errors.TimelineError`.

    Immutable because stories branch: a test can build a common beginning once and try several
    endings from it.

    >>> base = ticket("2025-03-03T09:00:00Z", priority="normal")
    >>> base.agent_replies(after="1h").now.isoformat(), base.now.isoformat()
    ('2025-03-03T10:00:00+00:00', '2025-03-03T09:00:00+00:00')
    """

    __slots__ = ("_attributes", "_events", "_now", "_policy", "_ticket_id")

    def __init__(
        self,
        created_at: datetime | str,
        *,
        policy: Policy | PolicySet | None = None,
        ticket_id: str = "T-1",
        attributes: Mapping[str, Any] | None = None,
        events: Sequence[Mapping[str, Any]] = (),
        now: datetime | None = None,
    ) -> None:
        created = _instant(created_at, "created_at")
        self._policy = policy if policy is not None else DEFAULT_POLICY
        self._ticket_id = ticket_id
        self._attributes = dict(attributes or {})
        self._events = tuple(events) or ({"at": created, "kind": "created"},)
        self._now = now or created

    # ------------------------------------------------------------------------------------------
    @property
    def now(self) -> datetime:
        """The instant of the latest step."""
        return self._now

    @property
    def policy(self) -> Policy | PolicySet:
        """The policy the story is evaluated with."""
        return self._policy

    def _calendar(self) -> Calendar:
        """The business calendar in force now: of the policy the engine has the ticket under, for
        the attributes in force (a story may change the ticket's group or priority on the way)."""
        result = evaluate(self._policy, self.timeline(), self._now)
        policy = self._policy
        if isinstance(policy, PolicySet):
            chosen = policy.named(result.policy)
            if chosen is None:
                raise TimelineError(
                    "no policy of the set matches this ticket: business steps need a calendar"
                )
            policy = chosen
        return policy.calendar_named(None, result.attributes)

    def _when(
        self, step: str, after: str | timedelta | None, at: datetime | str | None
    ) -> datetime:
        if after is not None and at is not None:
            raise TimelineError(f"{step}: give after= or at=, not both", value=(after, at))
        if at is not None:
            when = _instant(at, f"{step}(at=...)")
            if to_micros(when) < to_micros(self._now):
                raise TimelineError(
                    f"{step}(at={when.isoformat()}) goes back in time: the story is already at "
                    f"{self._now.isoformat()} - expected an instant at or after it",
                    value=when,
                )
            return when
        if after is None:
            return self._now
        if isinstance(after, str):
            business = _BUSINESS.fullmatch(after)
            if business:
                amount, unit = business[1], business[2].lower()
                calendar = self._calendar()
                if unit.startswith("day"):
                    return calendar.business_day_close(self._now, int(amount))
                return calendar.add(self._now, parse_duration(f"{amount}{unit[0]}"))
        delta = parse_duration(after)
        if delta < timedelta(0):
            raise TimelineError(
                f"{step}(after={after!r}) goes back in time - expected a duration >= 0", value=after
            )
        # Real elapsed time: arithmetic in UTC, then shown in the story's zone.
        return (self._now.astimezone(timezone.utc) + delta).astimezone(self._now.tzinfo)

    def event(
        self,
        kind: str,
        *,
        after: str | timedelta | None = None,
        at: datetime | str | None = None,
        **fields: Any,
    ) -> TicketStory:
        """Any event, by kind (built-in or custom), with its fields.

        >>> ticket("2025-03-03T09:00:00Z").event("escalated", after="5m").timeline().events[-1].kind
        'escalated'
        """
        when = self._when(kind, after, at)
        return TicketStory(
            self._events[0]["at"],
            policy=self._policy,
            ticket_id=self._ticket_id,
            attributes=self._attributes,
            events=(*self._events, {"at": when, "kind": kind, **fields}),
            now=when,
        )

    def customer_replies(
        self, *, after: str | timedelta | None = None, at: datetime | str | None = None
    ) -> TicketStory:
        """The customer writes."""
        return self.event("customer_replied", after=after, at=at)

    def agent_replies(
        self,
        *,
        after: str | timedelta | None = None,
        at: datetime | str | None = None,
        public: bool = True,
    ) -> TicketStory:
        """An agent replies (publicly unless ``public=False``)."""
        return self.event("agent_replied", after=after, at=at, public=public)

    def note(
        self, *, after: str | timedelta | None = None, at: datetime | str | None = None
    ) -> TicketStory:
        """An internal note (stops no clock)."""
        return self.event("note_added", after=after, at=at)

    def status(
        self, status: str, *, after: str | timedelta | None = None, at: datetime | str | None = None
    ) -> TicketStory:
        """The status changes (``"pending"``, ``"open"``, ``"on_hold"``, ...)."""
        return self.event("status_changed", after=after, at=at, status=status)

    def priority(
        self,
        priority: str,
        *,
        after: str | timedelta | None = None,
        at: datetime | str | None = None,
    ) -> TicketStory:
        """The priority changes."""
        return self.event("priority_changed", after=after, at=at, priority=priority)

    def solve(
        self, *, after: str | timedelta | None = None, at: datetime | str | None = None
    ) -> TicketStory:
        """The ticket is solved."""
        return self.event("solved", after=after, at=at)

    def reopen(
        self, *, after: str | timedelta | None = None, at: datetime | str | None = None
    ) -> TicketStory:
        """The ticket is reopened."""
        return self.event("reopened", after=after, at=at)

    def close(
        self, *, after: str | timedelta | None = None, at: datetime | str | None = None
    ) -> TicketStory:
        """The ticket is closed."""
        return self.event("closed", after=after, at=at)

    def wait(self, duration: str | timedelta) -> TicketStory:
        """Move the story's clock on without an event (e.g. to evaluate later).

        >>> ticket("2025-03-03T09:00:00Z").wait("2h").now.hour
        11
        """
        when = self._when("wait", duration, None)
        return TicketStory(
            self._events[0]["at"], policy=self._policy, ticket_id=self._ticket_id,
            attributes=self._attributes, events=self._events, now=when,
        )  # fmt: skip

    def timeline(self) -> Timeline:
        """The validated :class:`~slaclock.Timeline` of the story."""
        return Timeline.model_validate(
            {
                "ticket_id": self._ticket_id,
                "attributes": self._attributes,
                "events": list(self._events),
            }
        )

    def evaluate(self, as_of: datetime | str | None = None) -> TicketResult:
        """Evaluate the story (with clock traces) as of ``as_of`` (default: the story's ``now``)."""
        when = self._now if as_of is None else _instant(as_of, "as_of")
        return evaluate(self._policy, self.timeline(), when, explain=True)


def ticket(
    created_at: datetime | str,
    *,
    policy: Policy | PolicySet | None = None,
    priority: str | None = None,
    ticket_id: str = "T-1",
    attributes: Mapping[str, Any] | None = None,
) -> TicketStory:
    """Start a story: a ticket created at ``created_at`` (default policy: the embedded one).

    >>> ticket("2025-03-03T09:00:00Z", priority="urgent").timeline().attributes
    {'priority': 'urgent'}
    """
    merged = dict(attributes or {})
    if priority is not None:
        merged["priority"] = priority
    return TicketStory(created_at, policy=policy, ticket_id=ticket_id, attributes=merged)


# ---------------------------------------------------------------------------------------------
# Assertions
def _short(value: datetime | None) -> str:
    return "-" if value is None else value.strftime("%Y-%m-%d %H:%M %z")


def clock_trace(cycle: CycleResult) -> str:
    """The cycle's spans as text lines (counted, paused, closed), for failure messages.

    Empty when the result was evaluated without ``explain=True``.

    >>> story = ticket("2025-03-03T16:00:00-05:00", priority="high")  # a Monday, in New York
    >>> cycle = story.evaluate("2025-03-04T10:00:00-05:00").metrics["first_response"].cycles[0]
    >>> print(clock_trace(cycle))
        2025-03-03 16:00 -0500 .. 2025-03-03 17:00 -0500  counted  1h
        2025-03-03 17:00 -0500 .. 2025-03-04 09:00 -0500  closed   16h
        2025-03-04 09:00 -0500 .. 2025-03-04 10:00 -0500  counted  1h
    """
    return "\n".join(
        f"    {_short(s.start)} .. {_short(s.end)}  {s.kind:<8} {format_duration(s.duration)}"
        for s in cycle.spans
    )


def _cycle(result: TicketResult, metric: str, cycle: int) -> CycleResult:
    if metric not in result.metrics:
        raise AssertionError(
            f"{metric}: no such metric in the result - the policy measures {sorted(result.metrics)}"
        )
    cycles = result.metrics[metric].cycles
    if not cycles:
        raise AssertionError(f"{metric}: no cycle has started (state pending)")
    try:
        return cycles[cycle]
    except IndexError:
        raise AssertionError(f"{metric}: no cycle {cycle} - it has {len(cycles)}") from None


def _fail(cycle: CycleResult, what: str) -> AssertionError:
    target = cycle.target_spec or "no target"
    lines = [
        f"{cycle.metric} cycle {cycle.index}: {what}",
        f"  started {_short(cycle.started_at)}, "
        + (f"stopped {_short(cycle.stopped_at)}, " if cycle.stopped_at else "")
        + f"due {_short(cycle.due_at)}, elapsed {format_duration(cycle.elapsed)} of {target}",
    ]
    trace = clock_trace(cycle)
    if trace:
        lines += ["  clock trace:", trace]
    return AssertionError("\n".join(lines) + "\n")


def assert_state(
    result: TicketResult, metric: str, state: CycleState, *, cycle: int = -1
) -> CycleResult:
    """Assert a cycle's state (default: the latest cycle); returns the cycle.

    >>> result = ticket("2025-03-03T09:00:00-05:00", priority="normal").evaluate()
    >>> assert_state(result, "first_response", "running").remaining  # nothing counted yet: 8h
    datetime.timedelta(seconds=28800)
    """
    if state not in _STATES:
        raise ArgumentError(
            f"state: {state!r} is not a cycle state - expected one of {list(_STATES)}",
            value=state,
        )
    found = _cycle(result, metric, cycle)
    if found.state != state:
        raise _fail(found, f"expected {state}, got {found.state}")
    return found


def assert_met(result: TicketResult, metric: str, *, cycle: int = -1) -> CycleResult:
    """Assert that a cycle stopped at or before its due instant.

    >>> story = ticket("2025-03-03T09:00:00-05:00", priority="high").agent_replies(after="30m")
    >>> assert_met(story.evaluate(), "first_response").elapsed  # 30m of a 2h target
    datetime.timedelta(seconds=1800)
    """
    return assert_state(result, metric, "met", cycle=cycle)


def assert_breached(
    result: TicketResult, metric: str, *, by: str | timedelta | None = None, cycle: int = -1
) -> CycleResult:
    """Assert that a cycle is breached or overdue, optionally by exactly ``by`` of business time.

    >>> late = ticket("2025-03-03T09:00:00-05:00", priority="high").agent_replies(after="3h")
    >>> assert_breached(late.evaluate(), "first_response", by="1h").state  # 3h against 2h
    'breached'
    """
    found = _cycle(result, metric, cycle)
    if found.state not in ("breached", "overdue"):
        raise _fail(found, f"expected breached, got {found.state}")
    if by is not None:
        expected = parse_duration(by)
        if found.overdue_by != expected:
            got = "-" if found.overdue_by is None else format_duration(found.overdue_by)
            raise _fail(
                found, f"expected breached by {format_duration(expected)}, got breached by {got}"
            )
    return found


def assert_due(
    result: TicketResult, metric: str, *, at: datetime | str, cycle: int = -1
) -> CycleResult:
    """Assert a cycle's due instant (compared as instants, whatever the zones).

    >>> story = ticket("2025-03-03T16:00:00-05:00", priority="high")  # 2h: 1h Monday, 1h Tuesday
    >>> assert_due(story.evaluate(), "first_response", at="2025-03-04T15:00:00Z").due_at.isoformat()
    '2025-03-04T10:00:00-05:00'
    """
    found = _cycle(result, metric, cycle)
    expected = _instant(at, "at")
    if found.due_at is None or to_micros(found.due_at) != to_micros(expected):
        got = "no due instant" if found.due_at is None else _short(found.due_at)
        raise _fail(found, f"expected due {_short(expected)}, got {got}")
    return found


# ---------------------------------------------------------------------------------------------
# Scenario files
def load_scenario(path: str | Path) -> dict[str, Any]:
    """Read a scenario file (YAML or JSON) into plain data; ``policy`` may be a path relative to it.

    >>> import json, pathlib, tempfile
    >>> path = pathlib.Path(tempfile.mkdtemp()) / "quick-reply.json"
    >>> _ = path.write_text(json.dumps({
    ...     "ticket": {"created_at": "2025-03-03T09:00:00-05:00", "attributes": {"priority": "high"},
    ...                "events": [{"after": "20m", "kind": "agent_replied"}]},
    ...     "expect": {"first_response": {"state": "met", "elapsed": "20m"}}}))
    >>> scenario = load_scenario(path)
    >>> scenario["name"], scenario["expect"]["first_response"]["state"]
    ('quick-reply', 'met')
    """
    from slaclock.files import load_data, load_policy

    path = Path(path)
    data, _ = load_data(path)
    if not isinstance(data, dict):
        raise TimelineError(f"{path}: a scenario is a mapping with ticket and expect", value=data)
    policy = data.get("policy")
    if isinstance(policy, str):
        data["policy"] = load_policy(path.parent / policy)
    data.setdefault("name", path.stem)
    return data


def check_scenario(scenario: Mapping[str, Any] | str | Path) -> TicketResult:
    """Evaluate a scenario and assert every expectation; returns the result.

    Format (YAML or JSON)::

        name: weekend pending does not breach
        policy: ../policies/b2b.yaml        # a path, an inline policy mapping, or omitted (default)
        ticket:
          created_at: "2025-03-07T16:30:00-05:00"
          attributes: {priority: high}
          events:                           # steps: after (calendar or business time) or at
            - {after: 20m, kind: agent_replied}
            - {after: 1m, kind: status_changed, status: pending}
        as_of: "2025-03-10T12:00:00-04:00"  # or as_of_after: 3h; default: the last step
        expect:
          first_response: {state: met, elapsed: 20m, due_at: "2025-03-10T10:30:00-04:00"}
          requester_wait: {state: running, remaining: 14h, cycle: 0}

    Expectation keys: ``state``, ``due_at``, ``elapsed``, ``paused``, ``remaining``,
    ``breached_by``, ``cycles`` (the number of cycles), and ``cycle`` (which one, default last).

    >>> scenario = {"name": "slow reply",
    ...             "ticket": {"created_at": "2025-03-03T09:00:00-05:00",
    ...                        "attributes": {"priority": "high"},
    ...                        "events": [{"after": "3h", "kind": "agent_replied"}]},
    ...             "expect": {"first_response": {"state": "met"}}}
    >>> check_scenario(scenario)  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    AssertionError: scenario 'slow reply': first_response cycle 0: expected met, got breached
    ...
    """
    data = load_scenario(scenario) if isinstance(scenario, (str, Path)) else dict(scenario)
    name = data.get("name", "scenario")
    policy = data.get("policy")
    if isinstance(policy, Mapping):
        policy = as_policy(policy)
    elif policy is not None and not isinstance(policy, (Policy, PolicySet)):
        raise _malformed(name, "policy", policy, "a policy mapping, a Policy or a PolicySet")
    spec = _checked_ticket(name, data.get("ticket"))
    expectations = _checked_expect(name, data.get("expect"))
    story = ticket(
        spec["created_at"],
        policy=policy,
        ticket_id=spec.get("ticket_id", "T-1"),
        attributes=spec.get("attributes"),
    )
    for step in spec.get("events", ()):
        step = dict(step)
        story = story.event(
            step.pop("kind"), after=step.pop("after", None), at=step.pop("at", None), **step
        )
    if "as_of_after" in data:
        story = story.wait(data["as_of_after"])
    result = story.evaluate(data.get("as_of"))
    for metric, expected in expectations.items():
        expected = dict(expected)
        index = expected.pop("cycle", -1)
        try:
            if "cycles" in expected:
                count = len(result.metrics[metric].cycles) if metric in result.metrics else 0
                wanted = expected.pop("cycles")
                if count != wanted:
                    raise AssertionError(f"{metric}: expected {wanted} cycles, got {count}")
            if "state" in expected:
                assert_state(result, metric, expected.pop("state"), cycle=index)
            if "due_at" in expected:
                assert_due(result, metric, at=expected.pop("due_at"), cycle=index)
            if "breached_by" in expected:
                assert_breached(result, metric, by=expected.pop("breached_by"), cycle=index)
            found = _cycle(result, metric, index)
            for key in ("elapsed", "paused", "remaining"):
                if key in expected:
                    want = parse_duration(expected.pop(key))
                    if getattr(found, key) != want:
                        got = getattr(found, key)
                        raise _fail(
                            found,
                            f"expected {key} {format_duration(want)}, got {'-' if got is None else format_duration(got)}",
                        )
            if expected:
                raise AssertionError(f"{metric}: unknown expectation keys {sorted(expected)}")
        except AssertionError as exc:
            raise AssertionError(f"scenario {name!r}: {exc}") from None
    return result


def _malformed(name: str, where: str, value: Any, expected: str) -> TimelineError:
    return TimelineError(
        f"scenario {name!r}: {where}: {value!r} - expected {expected}", value=value
    )


def _checked_ticket(name: str, spec: Any) -> Mapping[str, Any]:
    """The scenario's ``ticket``, checked for the parts :func:`check_scenario` reads."""
    if not isinstance(spec, Mapping):
        raise _malformed(name, "ticket", spec, "a mapping with created_at, attributes and events")
    if "created_at" not in spec:
        raise _malformed(name, "ticket.created_at", None, "the instant the ticket was created")
    steps = spec.get("events", ())
    if isinstance(steps, (str, Mapping)) or not isinstance(steps, Sequence):
        raise _malformed(name, "ticket.events", steps, "a list of steps")
    for position, step in enumerate(steps):
        where = f"ticket.events[{position}]"
        if not isinstance(step, Mapping):
            raise _malformed(name, where, step, "a step such as {after: 20m, kind: agent_replied}")
        if "kind" not in step:
            raise _malformed(name, f"{where}.kind", None, "an event kind such as 'agent_replied'")
    return spec


def _checked_expect(name: str, expect: Any) -> Mapping[str, Mapping[str, Any]]:
    """The scenario's ``expect``: metric -> expectations, with whole numbers where counted."""
    if expect is None:
        return {}
    if not isinstance(expect, Mapping):
        raise _malformed(name, "expect", expect, "a mapping of metric -> expectations")
    for metric, expected in expect.items():
        where = f"expect.{metric}"
        if not isinstance(expected, Mapping):
            raise _malformed(name, where, expected, "a mapping such as {state: met}")
        for key in ("cycle", "cycles"):
            value = expected.get(key, 0)
            if isinstance(value, bool) or not isinstance(value, int):
                raise _malformed(name, f"{where}.{key}", value, "a whole number")
    return expect


def scenarios(folder: str | Path) -> list[Any]:
    """One ``pytest.param`` per scenario file in ``folder`` (``*.yaml``, ``*.yml``, ``*.json``),
    with the file name as id, for ``@pytest.mark.parametrize("scenario", scenarios(...))``.

    >>> import pathlib, tempfile
    >>> folder = pathlib.Path(tempfile.mkdtemp())
    >>> for name in ("b-reopen.yaml", "a-reply.json", "notes.txt"):
    ...     _ = (folder / name).write_text("{}")
    >>> [param.id for param in scenarios(folder)]
    ['a-reply', 'b-reopen']
    """
    import pytest

    paths = sorted(p for p in Path(folder).iterdir() if p.suffix in (".yaml", ".yml", ".json"))
    return [pytest.param(p, id=p.stem) for p in paths]
