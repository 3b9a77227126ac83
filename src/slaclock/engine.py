"""The clock engine: one ticket's timeline + a policy -> every metric's cycles, as of an instant.

:func:`evaluate` is a pure function moving data one way, one module per step:

1. :mod:`slaclock.rules` compiles the policy's metric conditions into rules (once per policy).
2. :mod:`slaclock.replay` replays the events in order, keeping the ticket's status, attributes
   and policy, and records each metric's cycles as *transitions* (the instants from which the
   clock counted or was paused), with the events that shaped them.
3. :mod:`slaclock.measure` measures each cycle on its calendar: elapsed and paused business
   time, the due instant, thresholds, state.

:mod:`slaclock.ticket_results` then puts the measured cycles and the ticket's facts together
into immutable :mod:`slaclock.results` values. No I/O, no system clock: the evaluation instant
is an argument. This module checks the arguments and stays pure Python in the compiled build
(see the how-to "The compiled build"), so a bad argument gets the same error in both builds.

>>> from slaclock import Policy, Timeline
>>> policy = Policy.model_validate({"name": "support",
...     "calendar": {"timezone": "Europe/Berlin", "hours": {"mon-fri": [["09:00", "17:00"]]}},
...     "metrics": {"first_response": {"targets": {"high": "4h"}}}})
>>> ticket = Timeline.model_validate({"ticket_id": "T-1", "attributes": {"priority": "high"},
...     "events": [{"at": "2025-03-07T16:30:00+01:00", "kind": "created"},
...                {"at": "2025-03-10T10:00:00+01:00", "kind": "agent_replied"}]})
>>> fr = evaluate(policy, ticket).first_response
>>> fr.state, fr.due_at.isoformat()  # 30 min on Friday + 3h30 on Monday
('met', '2025-03-10T12:30:00+01:00')
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from slaclock._tz import check_in_range, to_micros
from slaclock.errors import (
    ArgumentError,
    SlaclockError,
    TimelineWarning,
    UnknownEvents,
    warn_caller,
)
from slaclock.measure import DisplayInstants, Measuring, display_zone
from slaclock.policy import Policy, PolicySet, as_policy
from slaclock.replay import TicketReplay
from slaclock.results import TicketResult
from slaclock.ticket_results import ticket_result
from slaclock.timeline import Timeline

__all__ = ["evaluate"]


def evaluate(
    policy: Policy | PolicySet | Mapping[str, Any],
    timeline: Timeline | Mapping[str, Any],
    as_of: datetime | None = None,
    *,
    explain: bool = False,
    unknown_events: UnknownEvents | None = None,
) -> TicketResult:
    """Evaluate every metric of ``timeline`` under ``policy`` (or the first matching policy of a
    :class:`PolicySet`) as of ``as_of`` (default: the last event's instant).

    ``policy`` and ``timeline`` may also be given as plain data (validated first; a mapping with
    a ``policies`` key is a policy set). Events after ``as_of`` are left out and counted in
    ``ignored_events``. With
    ``explain=True`` each cycle also lists the spans (counted, paused, closed) that made its
    elapsed time. Instants in the result are expressed in the time zone of the ticket's policy
    calendar (for a 24x7 policy: in the tzinfo of the ``created`` event).

    An event kind or status the policy does not know changes no clock and is warned about
    (:class:`~slaclock.errors.TimelineWarning`, once per ticket); a loop over many tickets can
    pass one :class:`~slaclock.errors.UnknownEvents` as ``unknown_events`` to note them there
    instead and warn once per value at the end (``unknown_events.warn()``).

    >>> from slaclock import Policy, Timeline
    >>> policy = Policy(name="24x7", metrics={"resolution": {"targets": {"normal": "8h"}}})
    >>> ticket = Timeline.model_validate({"ticket_id": "T-2", "attributes": {"priority": "normal"},
    ...     "events": [{"at": "2025-01-01T09:00:00Z", "kind": "created"}]})
    >>> result = evaluate(policy, ticket, as_of=datetime.fromisoformat("2025-01-01T19:00:00+00:00"))
    >>> result.resolution.state, result.resolution.remaining
    ('overdue', datetime.timedelta(days=-1, seconds=79200))
    """
    if not isinstance(explain, bool):  # checked here: the steps are compiled in one build
        raise ArgumentError(f"explain: {explain!r} - expected True or False", value=explain)
    if unknown_events is not None and not isinstance(unknown_events, UnknownEvents):
        raise ArgumentError(
            f"unknown_events: {unknown_events!r} - expected an UnknownEvents or None",
            value=unknown_events,
        )
    if not isinstance(policy, (Policy, PolicySet)):
        policy = as_policy(policy)
    if not isinstance(timeline, Timeline):
        timeline = Timeline.model_validate(timeline)
    instants = timeline.instants
    if as_of is None:
        as_of = timeline.events[-1].at
        as_of_micros = instants[-1]
    else:
        as_of_micros = to_micros(check_in_range(as_of, "as_of"))
    try:
        # Steps 1 and 2: the rules (compiled once per policy) and the replay of the events.
        replay = TicketReplay(policy, timeline.attributes)
        ignored = replay.replay_events(timeline.events, instants, as_of_micros)
        # Step 3: every cycle measured on its calendar, shown in the ticket's display zone.
        created_zone = timeline.events[0].at.tzinfo
        assert created_zone is not None  # events are validated aware
        shown = DisplayInstants(display_zone(replay.policy, replay.attributes, created_zone))
        measuring = Measuring(as_of_micros, shown, explain)
        result = ticket_result(timeline.ticket_id, replay, measuring, as_of, instants[0], ignored)
    except SlaclockError as exc:  # name the ticket: in a batch, the message is all one sees
        exc.args = (f"ticket {timeline.ticket_id!r}: {exc}", *exc.args[1:])
        raise
    if replay.unknown:
        if unknown_events is None:
            _warn_unknown(timeline.ticket_id, replay)
        else:
            unknown_events.note(timeline.ticket_id, replay.unknown)
    return result


def _warn_unknown(ticket_id: str, replay: TicketReplay) -> None:
    """One :class:`~slaclock.errors.TimelineWarning` per kind of problem the replay met, at the
    user's line (:func:`~slaclock.errors.warn_caller`)."""
    for problem, reasons in replay.unknown.items():
        warn_caller(TimelineWarning(ticket_id, problem, reasons))
