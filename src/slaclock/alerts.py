"""Alerts: every warning threshold, due instant and escalation a ticket crosses in a window.

A job that watches the queue asks :func:`alerts` for the window since it last ran. A crossing
belongs to the one instant at which it happens, so a job whose windows tile time (``[a, b)``,
``[b, c)``, ...) gets each crossing exactly once, whatever the windows' sizes.

What a crossing is, for one threshold (or the due instant) of one cycle: the instant at which it
becomes *reached* for someone watching the ticket live, who knows the events up to that instant:

- a threshold is reached from its instant on (as :class:`~slaclock.ThresholdResult` says);
- the due instant is crossed at the due instant when the cycle has not stopped by then (a reply
  *at* the due instant is on time: no alert);
- an event can cross one at once: a priority raised (the due instant moves into the past) or a
  policy that measures a metric from the ticket's start. The alert's ``at`` is then the event's
  instant, and ``scheduled_at`` the earlier instant the result gives;
- an event can also move a reached due instant back into the future (a priority lowered); it
  alerts again when the new instant comes.

>>> from datetime import datetime, timedelta
>>> from slaclock import Policy, Timeline
>>> policy = Policy.model_validate({"name": "p", "metrics": {"first_response": {
...     "targets": {"high": "1h"},
...     "thresholds": [{"name": "warn", "at_percent": 50, "notify": "team-lead"}]}}})
>>> ticket = Timeline.model_validate({"ticket_id": "T-1", "attributes": {"priority": "high"},
...     "events": [{"at": "2025-01-06T09:00:00+00:00", "kind": "created"}]})
>>> since = datetime.fromisoformat("2025-01-06T09:00:00+00:00")
>>> for alert in alerts(ticket, since, since + timedelta(hours=2), policy=policy):
...     print(alert.at.strftime("%H:%M"), alert.metric, alert.name, alert.notify)
09:30 first_response warn team-lead
10:00 first_response due None
"""

from __future__ import annotations

import itertools
from collections.abc import Collection, Iterable, Mapping
from datetime import datetime, tzinfo
from typing import Literal, NamedTuple

from pydantic import AwareDatetime, BaseModel, ConfigDict

from slaclock._tz import check_in_range, from_micros, to_micros
from slaclock.engine import evaluate
from slaclock.errors import ArgumentError, SlaclockError, UnknownEvents
from slaclock.full_history import FullHistoryClock
from slaclock.policy import Policy, PolicySet, Threshold
from slaclock.results import CycleResult, TicketResult
from slaclock.streaming import HistoryNeededError, TicketClock
from slaclock.timeline import Timeline

__all__ = ["Alert", "AlertKind", "alerts", "crossed_at_once"]

#: ``threshold``: a warning or escalation threshold of the policy; ``due``: the due instant.
AlertKind = Literal["threshold", "due"]
_KINDS: tuple[AlertKind, ...] = ("threshold", "due")


class Alert(BaseModel):
    """One crossing: a ticket's cycle reached a threshold (or its due instant) at ``at``.

    ``scheduled_at`` is the instant the result gives for the threshold or due instant; it is
    earlier than ``at`` when an event crossed it at once. ``notify`` and ``level`` are the
    threshold's routing data from the policy, unchanged (``None`` for a due alert).

    >>> from datetime import datetime, timezone
    >>> at = datetime(2025, 1, 6, 10, tzinfo=timezone.utc)
    >>> alert = Alert(ticket_id="T-1", metric="first_response", cycle=0, kind="due", name="due",
    ...               at=at, scheduled_at=at, policy="p", priority="high")
    >>> alert.model_dump(mode="json")["at"]
    '2025-01-06T10:00:00Z'
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    ticket_id: str
    metric: str
    cycle: int
    kind: AlertKind
    name: str
    at: AwareDatetime
    scheduled_at: AwareDatetime
    policy: str | None = None
    priority: str | None = None
    notify: str | tuple[str, ...] | None = None
    level: int | None = None


Source = Timeline | TicketClock | FullHistoryClock


def alerts(
    source: Source | Iterable[Source],
    since: datetime,
    until: datetime,
    *,
    policy: Policy | PolicySet | None = None,
    kinds: Collection[AlertKind] = _KINDS,
) -> list[Alert]:
    """Every crossing in ``[since, until)`` of one ticket (a :class:`~slaclock.Timeline`), a
    :class:`~slaclock.TicketClock`, or many of either, in time order (then ticket, metric,
    cycle, scheduled instant, name).

    Timelines need ``policy``; a clock brings its own. An incremental
    :class:`~slaclock.TicketClock` keeps no past events, so it answers for windows from its last
    event on (what its running cycles cross if nothing else happens), and raises
    :class:`~slaclock.HistoryNeededError` for a window that starts earlier; what adding an event
    crosses at once is :func:`crossed_at_once`. Events after a crossing's instant play no
    part in it (a live watcher did not know them yet), so a window in the future, past the last
    known event, projects the running clocks: "what breaches in the next hour" is
    ``alerts(open_tickets, now, now + timedelta(hours=1), policy=policy, kinds={"due"})``.

    >>> from datetime import timedelta
    >>> from slaclock.synthetic import DEFAULT_POLICY, sample_timelines
    >>> now = datetime.fromisoformat("2025-03-11T16:30:00-04:00")
    >>> soon = alerts(sample_timelines(), now, now + timedelta(hours=1), policy=DEFAULT_POLICY,
    ...               kinds={"due"})
    >>> for alert in soon:
    ...     print(alert.ticket_id, alert.metric, alert.at.strftime("%H:%M"))
    T-1003 next_response 17:00
    """
    check_in_range(since, "since")
    check_in_range(until, "until")
    given: Collection[str] = (kinds,) if isinstance(kinds, str) else kinds  # "due": not its letters
    if not isinstance(given, Collection) or isinstance(given, bytes):
        raise ArgumentError(
            f"alerts: kinds={kinds!r:.60} - expected a collection of {list(_KINDS)}", value=kinds
        )
    unknown = sorted((k for k in given if not isinstance(k, str) or k not in _KINDS), key=repr)
    if unknown:
        raise SlaclockError(
            f"alerts: unknown kind(s) {unknown} - expected some of {list(_KINDS)}", value=unknown
        )
    since_us, until_us = to_micros(since), to_micros(until)
    if until_us < since_us:
        raise SlaclockError(
            f"alerts: until {until.isoformat()} is before since {since.isoformat()} - expected "
            "since <= until",
            value=until,
        )
    if not isinstance(source, (Timeline, TicketClock, FullHistoryClock, Iterable)):
        raise ArgumentError(
            f"alerts: {type(source).__name__} {source!r:.60} - expected a Timeline, a clock, or "
            "an iterable of them",
            value=source,
        )
    items: Iterable[Source] = (
        (source,) if isinstance(source, (Timeline, TicketClock, FullHistoryClock)) else source
    )
    found: list[tuple[tuple[int, str, str, int, int, int, str], Alert]] = []
    wanted = frozenset(given)  # kinds only, checked above
    noted = UnknownEvents()  # a ticket is evaluated once per segment: warn once per value
    for item in items:
        if isinstance(item, TicketClock):
            found.extend(
                (_order(a), a) for a in _clock_alerts(item, since_us, until_us) if a.kind in wanted
            )
            continue
        if isinstance(item, FullHistoryClock):
            if not item.events:
                continue  # no ticket yet: nothing to cross
            item_policy, timeline = item.policy, item.timeline
        elif isinstance(item, Timeline):
            if policy is None:
                raise SlaclockError(
                    f"alerts: ticket {item.ticket_id!r} is a timeline - pass policy= to "
                    "evaluate it with",
                    value=item.ticket_id,
                )
            item_policy, timeline = policy, item
        else:
            raise SlaclockError(
                f"alerts: {type(item).__name__} {item!r:.60} - expected a Timeline or a TicketClock",
                value=item,
            )
        for alert in _ticket_alerts(item_policy, timeline, since_us, until_us, noted):
            if alert.kind in wanted:
                found.append((_order(alert), alert))
    noted.warn()  # on success only: an error must not be replaced by a warning
    found.sort(key=lambda pair: pair[0])
    return [alert for _, alert in found]


def _order(alert: Alert) -> tuple[int, str, str, int, int, int, str]:
    return (
        to_micros(alert.at),
        alert.ticket_id,
        alert.metric,
        alert.cycle,
        to_micros(alert.scheduled_at),
        _KINDS.index(alert.kind),
        alert.name,
    )


def _clock_alerts(clock: TicketClock, since: int, until: int) -> list[Alert]:
    """The crossings of an incremental clock's running cycles in ``[since, until)``, for
    ``since`` at or after its last event (it keeps no past events to look back over)."""
    last = clock.last_event_at
    if last is None:
        return []
    if since < to_micros(last):
        raise HistoryNeededError(
            f"alerts: ticket {clock.ticket_id!r}: since {from_micros(since, last.tzinfo).isoformat()} "
            f"is before the clock's last event at {last.isoformat()} - the incremental clock "
            "keeps no past events; ask for each window before adding its events (see "
            "crossed_at_once), or pass a FullHistoryClock or the timeline",
            value=since,
        )
    if until <= since:
        return []
    # No events in the window: what is reached in it is what reaches its instant in it.
    result = clock.result(from_micros(until - 1, last.tzinfo))
    return [
        _alert(result, key, reached, reached.scheduled_at)
        for key, reached in _reached(clock.policy, result).items()
        if reached.scheduled >= since
    ]


def crossed_at_once(before: TicketClock, after: TicketClock) -> list[Alert]:
    """The crossings that adding events at one instant caused at once (a priority raised past
    a due instant, say): reached in ``after`` as of its last event's instant, scheduled before
    it, and not reached in ``before`` (the clock just before those events). Each alert's ``at``
    is that instant.

    A service that asks :func:`alerts` for ``[watermark, t)`` before adding the events at
    ``t``, and this after, sees every crossing once (see ``examples/alert_service.py``).

    >>> from slaclock import Policy, TicketClock
    >>> policy = Policy(name="p", metrics={"first_response": {"targets": {"high": "1h", "low": "8h"}}})
    >>> before = TicketClock(policy, "T-1", {"priority": "low"}).add(
    ...     {"at": "2025-01-06T09:00:00Z", "kind": "created"})
    >>> after = before.add({"at": "2025-01-06T11:00:00Z", "kind": "priority_changed", "priority": "high"})
    >>> for alert in crossed_at_once(before, after):
    ...     print(alert.name, alert.at.strftime("%H:%M"), alert.scheduled_at.strftime("%H:%M"))
    due 11:00 10:00
    """
    _check_pair(before, after)
    at = after.last_event_at
    if at is None:
        return []
    t = to_micros(at)
    now = _reached(after.policy, after.result(at))
    earlier: Mapping[_Key, _Reached] = {}
    if before.last_event_at is not None:
        earlier = _reached(before.policy, before.result(at))
    result = after.result(at)
    found = [
        _alert(result, key, reached, _shown(t, reached))
        for key, reached in now.items()
        if reached.scheduled < t and key not in earlier
    ]
    return sorted(found, key=_order)


def _check_pair(before: TicketClock, after: TicketClock) -> None:
    """``before`` and ``after`` are two states of one ticket's incremental clock, in order."""
    for name, clock in (("before", before), ("after", after)):
        if not isinstance(clock, TicketClock):
            raise ArgumentError(
                f"crossed_at_once: {name} is {type(clock).__name__} {clock!r:.60} - expected a "
                "TicketClock (FullHistoryClock.compact() gives one)",
                value=clock,
            )
    if before.ticket_id != after.ticket_id or before.policy != after.policy:
        raise ArgumentError(
            f"crossed_at_once: before is {before!r} and after is {after!r} - expected the same "
            "ticket's clock, under the same policy, just before and after its new events",
            value=after.ticket_id,
        )
    first, last = before.last_event_at, after.last_event_at
    if first is not None and (last is None or to_micros(last) < to_micros(first)):
        raise ArgumentError(
            f"crossed_at_once: before's last event at {first.isoformat()} is after after's "
            f"({'none' if last is None else last.isoformat()}) - expected the clock before the "
            "new events, then the clock after them",
            value=last,
        )


class _Reached(NamedTuple):
    """A threshold or due instant reached in some result, with what an alert says about it."""

    scheduled: int  # UTC microseconds
    scheduled_at: datetime
    cycle: CycleResult
    threshold: Threshold | None


_Key = tuple[str, int, AlertKind, str]  # (metric, cycle, kind, name)


def _ticket_alerts(
    policy: Policy | PolicySet,
    timeline: Timeline,
    since: int,
    until: int,
    unknown: UnknownEvents,
) -> list[Alert]:
    """One ticket's crossings in ``[since, until)``, segment by segment between its events:
    within a segment the known events are fixed, so one evaluation (as of its last instant)
    says what is reached and when."""
    created = to_micros(timeline.events[0].at)
    start = max(since, created)
    if until <= start:
        return []
    tz = timeline.events[0].at.tzinfo
    assert tz is not None
    cuts = sorted({t for t in (to_micros(e.at) for e in timeline.events) if start < t < until})
    bounds = [start, *cuts, until]
    previous: Mapping[_Key, _Reached] = (
        _reached(
            policy, evaluate(policy, timeline, from_micros(start - 1, tz), unknown_events=unknown)
        )
        if start > created
        else {}
    )
    found: list[Alert] = []
    for s, e in itertools.pairwise(bounds):
        result = evaluate(policy, timeline, from_micros(e - 1, tz), unknown_events=unknown)
        current = _reached(policy, result)
        for key, reached in current.items():
            if reached.scheduled > s or key not in previous:
                at = reached.scheduled_at if reached.scheduled >= s else _shown(s, reached)
                found.append(_alert(result, key, reached, at))
        previous = current
    return found


def _shown(micros: int, reached: _Reached) -> datetime:
    zone: tzinfo | None = reached.scheduled_at.tzinfo
    return from_micros(micros, zone)


def _alert(result: TicketResult, key: _Key, reached: _Reached, at: datetime) -> Alert:
    metric, cycle, kind, name = key
    threshold = reached.threshold
    return Alert(
        ticket_id=result.ticket_id,
        metric=metric,
        cycle=cycle,
        kind=kind,
        name=name,
        at=at,
        scheduled_at=reached.scheduled_at,
        policy=reached.cycle.policy,
        priority=reached.cycle.priority,
        notify=None if threshold is None else threshold.notify,
        level=None if threshold is None else threshold.level,
    )


def _reached(policy: Policy | PolicySet, result: TicketResult) -> dict[_Key, _Reached]:
    """Every threshold and due instant reached as of the result's instant."""
    as_of = to_micros(result.as_of)
    reached: dict[_Key, _Reached] = {}
    for metric in result.metrics.values():
        for cycle in metric.cycles:
            due = cycle.due_at
            if due is not None:
                due_us = to_micros(due)
                stopped = None if cycle.stopped_at is None else to_micros(cycle.stopped_at)
                if due_us <= as_of and (stopped is None or stopped > due_us):
                    key: _Key = (metric.name, cycle.index, "due", "due")
                    reached[key] = _Reached(due_us, due, cycle, None)
            for threshold in cycle.thresholds:
                if threshold.reached and threshold.at is not None:
                    key = (metric.name, cycle.index, "threshold", threshold.name)
                    declared = _declared(policy, cycle, threshold.name)
                    reached[key] = _Reached(to_micros(threshold.at), threshold.at, cycle, declared)
    return reached


def _declared(policy: Policy | PolicySet, cycle: CycleResult, name: str) -> Threshold | None:
    """The policy's declaration of a cycle's threshold (for its routing data)."""
    if isinstance(policy, Policy):
        declaring: Policy | None = policy if policy.name == cycle.policy else None
    else:
        declaring = policy.named(cycle.policy)
    config = None if declaring is None else declaring.metrics.get(cycle.metric)
    if config is not None:
        for threshold in config.thresholds:
            if threshold.name == name:
                return threshold
    return None
