"""The slaclock error and warning tree.

Every error slaclock raises on purpose derives from :class:`SlaclockError` and also from the
fitting built-in exception, so ``except ValueError`` keeps working. Each carries the offending
value and says *what is wrong: value - what is expected*.

Model validation errors are pydantic's ``ValidationError`` (itself a ``ValueError``); their
messages name the field and the value.

>>> from slaclock.errors import NaiveDatetimeError, SlaclockError
>>> issubclass(NaiveDatetimeError, SlaclockError) and issubclass(NaiveDatetimeError, ValueError)
True
"""

from __future__ import annotations

import math
import sys
import warnings
from collections.abc import Mapping, Sequence
from typing import Any

__all__ = [
    "ArgumentError",
    "warn_caller",
    "CalendarNeverOpenError",
    "ClockStateError",
    "DayTargetWarning",
    "DurationSyntaxError",
    "NaiveDatetimeError",
    "OutOfRangeError",
    "PolicyError",
    "PolicyFileError",
    "ReportOptionError",
    "SlaclockError",
    "SlaclockWarning",
    "SubdivisionWarning",
    "TimelineError",
    "TimelineWarning",
    "UnknownEvents",
    "value_text",
]


class SlaclockError(Exception):
    """Base class of every error slaclock raises on purpose.

    ``value`` is the offending input (or ``None`` when there is none).

    >>> try:
    ...     raise SlaclockError("something is off: 42 - expected a string", value=42)
    ... except SlaclockError as exc:
    ...     exc.value
    42
    """

    def __init__(self, message: str, *, value: Any = None) -> None:
        super().__init__(message)
        self.value = value


class NaiveDatetimeError(SlaclockError, ValueError):
    """A naive datetime (no tzinfo) reached an API that needs an exact instant.

    >>> from datetime import datetime
    >>> from slaclock import ALWAYS_OPEN
    >>> ALWAYS_OPEN.is_open(datetime(2025, 1, 1))
    Traceback (most recent call last):
    ...
    slaclock.errors.NaiveDatetimeError: t is a naive datetime: 2025-01-01T00:00:00 - expected an aware datetime, e.g. datetime(..., tzinfo=ZoneInfo("Europe/Berlin"))
    """


class DurationSyntaxError(SlaclockError, ValueError):
    """A duration string could not be read.

    >>> from slaclock.durations import parse_duration
    >>> parse_duration("4 hourz")
    Traceback (most recent call last):
    ...
    slaclock.errors.DurationSyntaxError: unreadable duration: '4 hourz' - expected e.g. '4h', '30m', '1h30m', '90s' or ISO 8601 'PT4H'
    """


class CalendarNeverOpenError(SlaclockError, ValueError):
    """Business time cannot be added because the calendar has no (more) open time.

    >>> from datetime import datetime, timedelta, timezone
    >>> from slaclock import Calendar
    >>> Calendar(timezone="UTC", hours={}).add(datetime(2025, 1, 1, tzinfo=timezone.utc), timedelta(hours=1))
    Traceback (most recent call last):
    ...
    slaclock.errors.CalendarNeverOpenError: calendar is never open: hours={} and no override opens a day - cannot add 1:00:00 of business time
    """


class OutOfRangeError(SlaclockError, OverflowError, ValueError):
    """An instant, a duration or a result lies outside what slaclock supports.

    Supported instants run from 1970-01-01T00:00:00Z up to (not including)
    2200-01-01T00:00:00Z; durations are at most that long (84,006 days). The full list of input
    limits is in ``docs/reference/limits.md``. Also a ``ValueError``, so a model field out of
    range is reported by pydantic's ``ValidationError`` like any other invalid value.

    >>> from datetime import datetime, timezone
    >>> from slaclock import ALWAYS_OPEN
    >>> ALWAYS_OPEN.is_open(datetime(9990, 1, 1, tzinfo=timezone.utc))
    Traceback (most recent call last):
    ...
    slaclock.errors.OutOfRangeError: instant out of range: 9990-01-01T00:00:00+00:00 - expected an instant from 1970-01-01T00:00:00Z up to 2200-01-01T00:00:00Z
    >>> issubclass(OutOfRangeError, OverflowError) and issubclass(OutOfRangeError, ValueError)
    True
    """


class TimelineError(SlaclockError, ValueError):
    """A ticket timeline is malformed (an event before ``created``, a conflicting event id, ...).

    Raised directly by :class:`~slaclock.TicketClock` and :mod:`slaclock.testing`. When a
    :class:`~slaclock.Timeline` is validated, pydantic wraps it: the caller gets a
    ``ValidationError`` (also a ``ValueError``) carrying the same message, so catch
    ``ValueError`` to handle both.

    >>> from slaclock import Timeline
    >>> try:
    ...     Timeline(ticket_id="T", events=[{"at": "2025-01-01T09:00Z", "kind": "note_added"}])
    ... except ValueError as exc:
    ...     print(type(exc).__name__, "-", exc.errors()[0]["msg"])
    ValidationError - Value error, ticket 'T' has 0 'created' events - expected exactly one
    """


class ArgumentError(SlaclockError, ValueError, TypeError):
    """A function's argument is invalid: an unknown option, a value out of its range, or a value
    of the wrong type. Also a ``ValueError`` and a ``TypeError``, so ``except`` clauses written
    for either keep working.

    >>> from slaclock.reports import period_of
    >>> from datetime import datetime, timezone
    >>> period_of(datetime(2025, 1, 1, tzinfo=timezone.utc), "fortnight")
    Traceback (most recent call last):
    ...
    slaclock.errors.ArgumentError: period: unknown period 'fortnight' - expected 'day', 'week' or 'month'
    """


class PolicyFileError(SlaclockError, ValueError):
    """A policy, calendar or events file cannot be read or is invalid; ``problems`` lists every error as
    ``FILE[:LINE]: path.inside.file: what is wrong``.

    >>> error = PolicyFileError(["p.yaml:4: metrics.resolution: unknown key 'taregts'",
    ...                          "p.yaml:9: name: Field required"])
    >>> error.problems[1], isinstance(error, ValueError)
    ('p.yaml:9: name: Field required', True)
    """

    def __init__(self, problems: Sequence[str], *, value: Any = None) -> None:
        super().__init__("\n".join(problems), value=value)
        self.problems = list(problems)


class PolicyError(SlaclockError, ValueError):
    """A policy cannot be applied to a ticket (no target for its priority, an unknown calendar, ...).

    >>> issubclass(PolicyError, ValueError)
    True
    """


class ReportOptionError(ArgumentError):
    """A report was asked for with an option it does not know (a treatment, a band scale, a
    priority no record has, ...); the message names the valid choices. An
    :class:`ArgumentError` (so also a ``ValueError`` and a ``TypeError``).

    >>> issubclass(ReportOptionError, ArgumentError), issubclass(ReportOptionError, ValueError)
    (True, True)
    """


class ClockStateError(SlaclockError, ValueError):
    """Stored clock state that cannot be loaded: not clock state, another format version, built
    with another policy (or policy version), a different clock kind, or tampered or truncated.

    >>> from slaclock import TicketClock
    >>> from slaclock.synthetic import DEFAULT_POLICY
    >>> TicketClock.from_dict({"format": "slaclock.clock"}, DEFAULT_POLICY)
    Traceback (most recent call last):
    ...
    slaclock.errors.ClockStateError: clock state: 'format_version' is missing - expected state written by to_dict() (truncated?)
    """


class SlaclockWarning(UserWarning):
    """Base class of every warning slaclock emits; ``warnings.simplefilter("error", SlaclockWarning)``
    turns them all into errors.

    >>> issubclass(SlaclockWarning, UserWarning)
    True
    """


class SubdivisionWarning(SlaclockWarning):
    """Country holidays without a subdivision, for a country whose subdivisions keep holidays
    the country-wide list lacks (``country: GB`` alone misses Easter Monday in England).

    >>> issubclass(SubdivisionWarning, SlaclockWarning)
    True
    """


class DayTargetWarning(SlaclockWarning):
    """A target counts in days (``"2d"``) on a business-hours calendar, where ``d`` means 24 hours
    of business time (three 8-hour days), not a working day. Write ``"2 business days"``, or set
    the policy's ``working_day`` (e.g. ``8h``) to read ``d`` as a working day.

    >>> issubclass(DayTargetWarning, SlaclockWarning)
    True
    """


class TimelineWarning(SlaclockWarning):
    """A ticket has events the policy does not know: a kind no condition names and that is not
    built in (``agent_reply``), or a status that is none of the policy's (``on-hold`` where the
    policy pauses on ``on_hold``). Such events change no clock, silently; the engine warns once
    per ticket and kind of problem. ``problem`` is ``"kind"`` or ``"status"``, ``values`` the
    unknown values, ``reasons`` what is wrong with each, ``ticket_id`` the ticket.

    A batch of many tickets (:func:`~slaclock.frame.evaluate_frame`,
    :func:`~slaclock.analytics.evaluate_many`, ``compare``, ``sweep``, ``alerts``; see
    :class:`UnknownEvents`) warns once per unknown value instead, naming every ticket that has
    it in ``tickets`` (``ticket_id`` is the first): a misspelt status in a million tickets is
    one warning, not a million.

    >>> warning = TimelineWarning("T-1", "status", {"on-hold": "did you mean 'on_hold'?"})
    >>> warning.problem, warning.values, str(warning), warning.tickets
    ('status', ('on-hold',), "ticket 'T-1': did you mean 'on_hold'?", ('T-1',))
    >>> str(TimelineWarning("T-1", "status", {"on-hold": "did you mean 'on_hold'?"},
    ...                     tickets=["T-1", "T-2", "T-3", "T-4"]))
    "4 tickets ('T-1', 'T-2', 'T-3', ...): did you mean 'on_hold'?"
    """

    def __init__(
        self,
        ticket_id: str,
        problem: str,
        reasons: Mapping[str, str],
        tickets: Sequence[str] = (),
    ) -> None:
        self.tickets = tuple(tickets) or (ticket_id,)
        count = len(self.tickets)
        if count == 1:
            who = f"ticket {ticket_id!r}"
        else:
            shown = ", ".join(repr(t) for t in self.tickets[:3])
            who = f"{count} tickets ({shown}{', ...' if count > 3 else ''})"
        super().__init__(f"{who}: " + "; ".join(reasons.values()))
        self.ticket_id = ticket_id
        self.problem = problem
        self.values = tuple(reasons)
        self.reasons = tuple(reasons.values())


class UnknownEvents:
    """The unknown event kinds and statuses met over a batch of tickets, warned about once per
    value (:meth:`warn`) instead of once per ticket: a misspelt status in a million tickets is
    one :class:`TimelineWarning` naming them all (``tickets``, in the order first met), not a
    million. Give one to :func:`slaclock.evaluate` (``unknown_events=``) in a loop of your own;
    the batch functions (``evaluate_many``, ``evaluate_frame``, ``compare``, the sweeps, the
    alerts) use one per call.

    >>> import warnings
    >>> seen = UnknownEvents()
    >>> for ticket in ("T-1", "T-2", "T-2"):  # T-2 evaluated twice (e.g. under two variants)
    ...     seen.note(ticket, {"status": {"on-hold": "did you mean 'on_hold'?"}})
    >>> with warnings.catch_warnings(record=True) as caught:
    ...     warnings.simplefilter("always")
    ...     seen.warn()
    >>> [(str(w.message), w.message.tickets) for w in caught]
    [("2 tickets ('T-1', 'T-2'): did you mean 'on_hold'?", ('T-1', 'T-2'))]
    """

    __slots__ = ("_tickets",)

    def __init__(self) -> None:
        # (problem, unknown value, what is wrong with it) -> the tickets that have it, in order
        # (a dict as an ordered set: a ticket evaluated again is named once).
        self._tickets: dict[tuple[str, str, str], dict[str, None]] = {}

    def __bool__(self) -> bool:
        return bool(self._tickets)

    def note(self, ticket_id: str, unknown: Mapping[str, Mapping[str, str]]) -> None:
        """Record a ticket's unknown values: ``problem`` (``"kind"`` or ``"status"``) -> value
        -> what is wrong with it (as a replay reports them).

        >>> seen = UnknownEvents()
        >>> seen.note("T-1", {"kind": {"agent_reply": "did you mean 'agent_replied'?"}})
        >>> bool(seen)
        True
        """
        for problem, reasons in unknown.items():
            for value, reason in reasons.items():
                self._tickets.setdefault((problem, value, reason), {})[ticket_id] = None

    def warn(self) -> None:
        """One :class:`TimelineWarning` per unknown value noted so far, at the user's line
        (:func:`warn_caller`); then forget them, so a second call warns only of new ones.

        >>> UnknownEvents().warn()  # nothing noted: no warning
        """
        noted, self._tickets = self._tickets, {}
        for (problem, value, reason), tickets in noted.items():
            names = list(tickets)
            warn_caller(TimelineWarning(names[0], problem, {value: reason}, names))


def value_text(value: object) -> str:
    """``repr(value)`` for an error message, except for an integer too long for Python to write
    out (over 4,300 digits raises ``ValueError``): its sign and size instead.

    >>> value_text(90), value_text(-(10**5000))
    ('90', 'a negative integer of about 5001 digits')
    """
    if isinstance(value, int) and value.bit_length() > 3000:  # about 900 digits
        digits = int(value.bit_length() * math.log10(2)) + 1
        return f"{'a negative' if value < 0 else 'an'} integer of about {digits} digits"
    return repr(value)


def warn_caller(warning: Warning) -> None:
    """Issue ``warning`` attributed to the first caller outside slaclock and pydantic (the line
    of user code that called into the library, e.g. ``Policy.model_validate(...)``), however
    deep inside slaclock, or inside a validator pydantic calls, it is raised. Counting frames
    with a fixed ``stacklevel`` would point elsewhere in the compiled build, whose compiled
    modules have no Python frames.

    >>> import warnings
    >>> with warnings.catch_warnings(record=True) as caught:
    ...     warnings.simplefilter("always")
    ...     warn_caller(SlaclockWarning("careful"))
    >>> str(caught[0].message), "/slaclock/" in caught[0].filename  # somewhere outside slaclock
    ('careful', False)
    """
    frame = sys._getframe(1)
    level = 2  # warnings.warn's 1 is this function; 2 its caller
    while frame.f_back is not None and frame.f_globals.get("__name__", "").startswith(_INSIDE):
        frame = frame.f_back
        level += 1
    warnings.warn(warning, stacklevel=level)


_INSIDE = ("slaclock.", "pydantic.")  # the packages a warning is never attributed to
