"""Checking events against a policy: what would silently change results.

:func:`check_events` looks at the events of a file (as rows with their line numbers) and lists,
line by line:

- ``kind``: an event kind that is not built in and that no condition of the policy names (a
  misspelt ``agent_reply`` changes no clock);
- ``status``: a status the policy does not know (see :class:`~slaclock.rules.Vocabulary`:
  ``on-hold`` where it pauses on ``on_hold``, ``Pending``); more may be declared with
  ``known_statuses``;
- ``priority``: a priority no metric of the ticket's policy has a target for;
- ``ignored``: ``attributes`` or a ``priority`` on an event of a kind that does not carry them
  (only ``created`` and ``attributes_changed`` change attributes, ``created`` and
  ``priority_changed`` the priority; a survey answer reads its own): the engine reads past them;
- ``before_created``: an event before the ticket's ``created`` event;
- ``no_created``: a ticket without a ``created`` event (or with more than one);
- ``invalid``: a line that cannot be read (not JSON, no ``ticket_id``, a bad instant), or (by
  :func:`check_events_file`) a ticket whose timeline is invalid (an unknown field, attributes
  that are not a mapping): every ticket ``slaclock evaluate`` would refuse.

:func:`check_events_file` reads an events file (``.jsonl`` or ``.csv``) and checks it; the
command line's ``slaclock validate POLICY --events FILE`` prints the result. The engine warns
about unknown kinds and statuses too (:class:`~slaclock.errors.TimelineWarning`).

>>> from slaclock import Policy
>>> policy = Policy(name="p", metrics={"first_response": {"targets": {"normal": "1h"}}})
>>> rows = [(1, "T-1", {"at": "2025-03-03T09:00:00Z", "kind": "created", "priority": "normal"}),
...         (2, "T-1", {"at": "2025-03-03T09:10:00Z", "kind": "agent_reply"})]
>>> for problem in check_events(policy, rows):
...     print(problem)
line 2: ticket 'T-1': event kind 'agent_reply' is not built in and no condition names it, so it changes no clock - did you mean 'agent_replied'?
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any, Literal

from slaclock._tz import to_micros
from slaclock.eventfiles import BadLine, event_rows, read_timelines
from slaclock.policy import Policy, PolicySet
from slaclock.rules import Vocabulary, policy_vocabulary

__all__ = ["EventProblem", "Problem", "check_events", "check_events_file", "read_event_rows"]

#: The kinds of problem :func:`check_events` reports.
Problem = Literal[
    "kind", "status", "priority", "ignored", "before_created", "no_created", "invalid"
]
#: The kinds whose events the engine reads ``attributes`` and ``priority`` from.
_CARRY = {
    "attributes": frozenset({"created", "attributes_changed", "satisfaction_rated"}),
    "priority": frozenset({"created", "priority_changed"}),
}


@dataclass(frozen=True)
class EventProblem:
    """One problem of an events file: the ``line`` (``None`` when the whole file is concerned),
    the ticket, the kind of ``problem``, the offending ``value`` and a ``message`` saying what
    is wrong and what to do.

    >>> print(EventProblem(3, "T-1", "status", "on-hold", "status 'on-hold' is unknown"))
    line 3: ticket 'T-1': status 'on-hold' is unknown
    """

    line: int | None
    ticket_id: str | None
    problem: Problem
    value: Any
    message: str

    def __str__(self) -> str:
        where = f"line {self.line}: " if self.line is not None else ""
        ticket = f"ticket {self.ticket_id!r}: " if self.ticket_id is not None else ""
        return f"{where}{ticket}{self.message}"


def _instant(value: Any) -> int | None:
    if not isinstance(value, str):
        return None
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    return None if parsed.tzinfo is None else to_micros(parsed)


def check_events(
    policy: Policy | PolicySet,
    rows: Iterable[tuple[int, str | None, Mapping[str, Any]] | EventProblem],
    *,
    known_statuses: Sequence[str] = (),
) -> list[EventProblem]:
    """The problems of ``rows`` — ``(line, ticket_id, event data)``, or an
    :class:`EventProblem` for a line that could not be read — under ``policy``, in line order.

    ``known_statuses`` adds statuses to those the policy knows.

    >>> from slaclock import Policy
    >>> policy = Policy(name="p", metrics={"resolution": {}})
    >>> rows = [(1, "T-1", {"at": "2025-03-03T09:00:00Z", "kind": "created"}),
    ...         (2, "T-1", {"at": "2025-03-03T09:30:00Z", "kind": "status_changed", "status": "in_progress"})]
    >>> [p.value for p in check_events(policy, rows)], check_events(policy, rows, known_statuses=["in_progress"])
    (['in_progress'], [])
    """
    vocabulary = policy_vocabulary(policy)
    vocabulary = Vocabulary(vocabulary.kinds, vocabulary.statuses | frozenset(known_statuses))
    problems: list[EventProblem] = []
    tickets: dict[str, list[tuple[int, Mapping[str, Any]]]] = {}
    for row in rows:
        if isinstance(row, EventProblem):
            problems.append(row)
            continue
        line, ticket, event = row
        if ticket is None:
            problems.append(
                EventProblem(line, None, "invalid", None, "no ticket_id - expected one per event")
            )
            continue
        tickets.setdefault(ticket, []).append((line, event))
        kind = event.get("kind")
        if isinstance(kind, str) and kind not in vocabulary.kinds:
            problems.append(
                EventProblem(line, ticket, "kind", kind, vocabulary.explain("kind", kind))
            )
        status = event.get("status")
        if isinstance(status, str) and status not in vocabulary.statuses:
            problems.append(
                EventProblem(line, ticket, "status", status, vocabulary.explain("status", status))
            )
        for field, kinds in _CARRY.items():
            if event.get(field) not in (None, {}) and isinstance(kind, str) and kind not in kinds:
                problems.append(
                    EventProblem(
                        line, ticket, "ignored", kind,
                        f"{field} on this {kind!r} event {'change' if field == 'attributes' else 'changes'} "
                        f"nothing - expected {'them' if field == 'attributes' else 'it'} on "
                        f"{' or '.join(repr(k) for k in sorted(kinds - {'satisfaction_rated'}))} "
                        "events (add one at the same instant)",
                    )
                )  # fmt: skip
        if _instant(event.get("at")) is None:
            problems.append(
                EventProblem(
                    line, ticket, "invalid", event.get("at"),
                    f"at: {event.get('at')!r} is not an instant with a UTC offset - expected e.g. "
                    "2025-03-07T16:30:00+01:00",
                )
            )  # fmt: skip
    for ticket, events in tickets.items():
        problems.extend(_ticket_problems(policy, ticket, events))
    return sorted(problems, key=lambda p: (p.line is not None, p.line or 0))


def _ticket_problems(
    policy: Policy | PolicySet, ticket: str, events: list[tuple[int, Mapping[str, Any]]]
) -> Iterator[EventProblem]:
    created = [(line, event) for line, event in events if event.get("kind") == "created"]
    if len(created) != 1:
        lines = ", ".join(str(line) for line, _ in created)
        yield EventProblem(
            events[0][0] if not created else created[1][0],
            ticket,
            "no_created",
            len(created),
            f"{len(created)} 'created' events{f' (lines {lines})' if created else ''} - expected "
            "exactly one: the ticket cannot be evaluated",
        )
    else:
        created_line, first = created[0]
        start = _instant(first.get("at"))
        for line, event in events:
            at = _instant(event.get("at"))
            if start is not None and at is not None and at < start:
                yield EventProblem(
                    line, ticket, "before_created", event.get("at"),
                    f"{event.get('kind')} at {event.get('at')} is before the ticket was created "
                    f"(line {created_line}, {first.get('at')}) - expected every event at or after "
                    "'created'",
                )  # fmt: skip
    # Priorities: the ticket's attributes as its events set them, the policy they select.
    attributes: dict[str, Any] = {}
    for line, event in events:
        kind = event.get("kind")
        if kind in ("created", "attributes_changed") and isinstance(
            event.get("attributes"), Mapping
        ):
            attributes.update(event["attributes"])
        if kind in ("created", "priority_changed") and event.get("priority") is not None:
            attributes["priority"] = event["priority"]
        if kind not in ("created", "priority_changed", "attributes_changed"):
            continue
        priority = attributes.get("priority")
        chosen = policy if isinstance(policy, Policy) else policy.select(attributes)
        if priority is None or chosen is None or not chosen.priorities:
            continue
        if priority not in chosen.priorities:
            yield EventProblem(
                line, ticket, "priority", priority,
                f"priority {priority!r} has no target in policy {chosen.name!r} - expected one "
                f"of {sorted(chosen.priorities)}: the ticket cannot be evaluated",
            )  # fmt: skip


def read_event_rows(
    path: str | Path,
) -> Iterator[tuple[int, str | None, dict[str, Any]] | EventProblem]:
    """The rows of an events file (``.csv`` by its suffix, else JSON Lines): ``(line,
    ticket_id, event data)``, or an :class:`EventProblem` for a line that cannot be read (read
    by :func:`slaclock.eventfiles.event_rows`, as ``evaluate`` reads them).

    >>> import tempfile, pathlib
    >>> path = pathlib.Path(tempfile.mkdtemp()) / "events.jsonl"
    >>> _ = path.write_text('{"ticket_id": "T-1", "at": "2025-03-07T16:30:00Z", "kind": "created"}\\nnot json\\n')
    >>> [row if isinstance(row, tuple) else row.problem for row in read_event_rows(path)]
    [(1, 'T-1', {'at': '2025-03-07T16:30:00Z', 'kind': 'created'}), 'invalid']
    """
    for row in event_rows(path):  # the lines exactly as the other commands read them
        if isinstance(row, BadLine):
            yield EventProblem(row.line, row.ticket, "invalid", None, row.reason)
        else:
            yield row


def check_events_file(
    policy: Policy | PolicySet, path: str | Path, *, known_statuses: Sequence[str] = ()
) -> list[EventProblem]:
    """The problems of the events file at ``path`` under ``policy`` (see :func:`check_events`).

    >>> import tempfile, pathlib
    >>> from slaclock import Policy
    >>> path = pathlib.Path(tempfile.mkdtemp()) / "events.jsonl"
    >>> _ = path.write_text('{"ticket_id": "T-1", "at": "2025-03-07T16:30:00Z", "kind": "note_added"}\\n')
    >>> [p.problem for p in check_events_file(Policy(name="p", metrics={"resolution": {}}), path)]
    ['no_created']
    """
    problems = check_events(policy, read_event_rows(path), known_statuses=known_statuses)
    # What makes a ticket's timeline invalid beyond its lines (an unknown field, an attribute
    # that is not a mapping, a reply's public 'maybe'): the tickets evaluate would refuse.
    listed = {
        problem.ticket_id
        for problem in problems
        if problem.problem in ("invalid", "no_created", "before_created")  # said already
    }
    for item in read_timelines(path):
        if isinstance(item, BadLine) and item.ticket not in listed and item.line is not None:
            reason = item.reason.removeprefix(f"ticket {item.ticket!r}: ")
            problems.append(EventProblem(item.line, item.ticket, "invalid", None, reason))
    return sorted(problems, key=lambda p: (p.line is not None, p.line or 0))
