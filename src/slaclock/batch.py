"""Batch evaluation: many tickets -> one record per ticket x metric x cycle.

:func:`evaluate_many` evaluates an iterable of timelines lazily (one at a time) and collects the
records (see :mod:`slaclock.records`) and one row per ticket in a :class:`Batch`;
:func:`iter_records` streams the records instead. A timeline that cannot be evaluated becomes a
:class:`Failure` (or raises, if you ask). The reports in :mod:`slaclock.reports` read a batch.

>>> from slaclock.synthetic import DEFAULT_POLICY, sample_timelines
>>> batch = evaluate_many(DEFAULT_POLICY, sample_timelines())
>>> len(batch.tickets), len(batch.failures)
(5, 0)
>>> [r["metric"] for r in batch if r["ticket_id"] == "T-1001"]  # one cycle of each metric
['first_response', 'next_response', 'requester_wait', 'resolution']
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import IO, Any, Literal

from pydantic import ValidationError

from slaclock._tz import check_in_range
from slaclock.engine import evaluate
from slaclock.errors import ArgumentError, SlaclockError, UnknownEvents
from slaclock.policy import Policy, PolicySet, as_policy
from slaclock.records import (
    DURATION_FIELDS,
    cycle_record,
    record_columns,
    ticket_row,
)
from slaclock.timeline import Timeline
from slaclock.writers import write_csv, write_jsonl

__all__ = [
    "Batch",
    "Failure",
    "OnError",
    "Progress",
    "check_many",
    "evaluate_many",
    "iter_records",
]

#: ``raise``: the first bad timeline stops the batch; ``collect``: it is recorded in ``failures``.
OnError = Literal["collect", "raise"]
#: A progress callback: ``(tickets done, total or None)``.
Progress = Callable[[int, "int | None"], None]
_PROGRESS_EVERY = 1000


@dataclass(frozen=True, slots=True)
class Failure:
    """A timeline that could not be evaluated: its position in the input, its ticket id (when
    it has one) and the error message.

    >>> Failure(position=3, ticket_id="T-9", error="no created event").ticket_id
    'T-9'
    """

    position: int
    ticket_id: str | None
    error: str

    @classmethod
    def of(cls, position: int, item: object, error: Exception) -> Failure:
        """The failure of input ``item`` (a timeline, a mapping or anything else given) at
        ``position``: its ticket id when it has one, and the error's message.

        >>> Failure.of(0, {"ticket_id": 7}, ValueError("no created event")).ticket_id
        '7'
        >>> Failure.of(1, 42, ValueError("not a timeline")).ticket_id is None
        True
        """
        if isinstance(item, Timeline):
            ticket_id: object = item.ticket_id
        else:
            ticket_id = item.get("ticket_id") if isinstance(item, Mapping) else None
        return cls(position, None if ticket_id is None else str(ticket_id), str(error))


def _stream(
    policy: Policy | PolicySet,
    timelines: Iterable[Timeline | Mapping[str, Any]],
    as_of: datetime | None,
    explain: bool,
    failures: list[Failure] | None,
    progress: Progress | None,
    total: int | None,
) -> Iterator[tuple[dict[str, Any], list[dict[str, Any]]]]:
    """(ticket row, cycle records) per ticket; bad timelines go to ``failures`` or raise.
    Unknown event kinds and statuses are warned about once per value, when the stream ends
    (or is closed), naming every ticket that had them; not when it fails, so that under
    ``-W error`` the warning never replaces the error."""
    done = 0
    unknown = UnknownEvents()
    try:
        for position, item in enumerate(timelines):
            try:
                timeline = item if isinstance(item, Timeline) else Timeline.model_validate(item)
                result = evaluate(policy, timeline, as_of, explain=explain, unknown_events=unknown)
            except (SlaclockError, ValidationError, ValueError) as exc:
                if failures is None:
                    raise
                failures.append(Failure.of(position, item, exc))
            else:
                records = [
                    cycle_record(result, cycle)
                    for metric in result.metrics.values()
                    for cycle in metric.cycles
                ]
                yield ticket_row(result), records
            done += 1
            if progress is not None and done % _PROGRESS_EVERY == 0:
                progress(done, total)
        if progress is not None and done % _PROGRESS_EVERY:
            progress(done, total)
    except GeneratorExit:  # closed early: warn of what was seen (an error is left alone)
        unknown.warn()
        raise
    unknown.warn()


def check_many(timelines: object, name: str = "timelines") -> None:
    """``timelines`` must be a collection of tickets, not one ticket: a ``Timeline`` or a
    mapping would be walked field by field into a failure per field, text letter by letter.

    >>> from slaclock.synthetic import sample_timelines
    >>> check_many(sample_timelines()[0])
    Traceback (most recent call last):
    ...
    slaclock.errors.ArgumentError: timelines: one Timeline ('T-1001') - expected an iterable of timelines (wrap it: [timeline])
    """
    if isinstance(timelines, (Timeline, Mapping)):
        ticket = (
            timelines.ticket_id if isinstance(timelines, Timeline) else timelines.get("ticket_id")
        )
        raise ArgumentError(
            f"{name}: one {type(timelines).__name__} ({ticket!r}) - expected an iterable of "
            "timelines (wrap it: [timeline])",
            value=ticket,
        )
    if isinstance(timelines, (str, bytes)) or not isinstance(timelines, Iterable):
        raise ArgumentError(
            f"{name}: {timelines!r:.60} - expected an iterable of timelines", value=timelines
        )


def _checked(
    policy: Policy | PolicySet, timelines: object, as_of: datetime | None, explain: bool
) -> Policy | PolicySet:
    """The batch's own arguments, checked once, before the first ticket: a bad one is one
    error, not a failure per ticket. Returns the policy (read from data if given as data)."""
    check_many(timelines)
    if as_of is not None:
        check_in_range(as_of, "as_of")
    if not isinstance(explain, bool):
        raise ArgumentError(f"explain: {explain!r} - expected True or False", value=explain)
    return as_policy(policy)


def iter_records(
    policy: Policy | PolicySet,
    timelines: Iterable[Timeline | Mapping[str, Any]],
    as_of: datetime | None = None,
    *,
    failures: list[Failure] | None = None,
    explain: bool = False,
) -> Iterator[dict[str, Any]]:
    """Yield the records of each timeline as it is evaluated (constant memory for a stream).

    Without ``failures`` the first bad timeline raises; with a list, each bad timeline is
    appended to it as a :class:`Failure` and the stream goes on.

    >>> from slaclock.synthetic import DEFAULT_POLICY, generate_timelines
    >>> bad = []
    >>> rows = iter_records(DEFAULT_POLICY, [{"ticket_id": "X", "events": []},
    ...                                      *generate_timelines(2, seed=1)], failures=bad)
    >>> sorted({row["ticket_id"] for row in rows}), bad[0].ticket_id
    (['S-000000', 'S-000001'], 'X')
    """
    policy = _checked(policy, timelines, as_of, explain)
    return (
        record
        for _, records in _stream(policy, timelines, as_of, explain, failures, None, None)
        for record in records
    )


def _tqdm_progress(total: int | None) -> tuple[Progress, Callable[[], None]]:
    try:
        tqdm: Any = importlib.import_module("tqdm.auto").tqdm
    except ImportError as exc:  # pragma: no cover - depends on the environment
        raise ImportError(
            "progress=True needs tqdm: pip install 'slaclock[progress]' - or pass a callback"
        ) from exc
    bar = tqdm(total=total, unit="ticket")

    def update(done: int, _total: int | None) -> None:
        bar.update(done - bar.n)

    return update, bar.close


def evaluate_many(
    policy: Policy | PolicySet,
    timelines: Iterable[Timeline | Mapping[str, Any]],
    as_of: datetime | None = None,
    *,
    errors: OnError = "collect",
    progress: Progress | bool | None = None,
    explain: bool = False,
) -> Batch:
    """Evaluate every timeline (``Timeline`` objects or plain mappings, validated here) and
    collect the records in a :class:`Batch`.

    ``errors="collect"`` (default) records each timeline that fails validation or evaluation
    in ``batch.failures`` (position, ticket id, message) and goes on; ``errors="raise"`` stops
    at the first. ``progress`` is a callback ``(done, total)`` called every 1,000 tickets and
    at the end, or ``True`` for a progress bar (the ``[progress]`` extra, tqdm). ``as_of`` is
    the evaluation instant for every ticket (default: each ticket's last event).

    To stream a million tickets to a file in bounded memory, use :func:`iter_records` with
    :func:`write_jsonl` instead: a ``Batch`` keeps every record.

    >>> from slaclock.synthetic import DEFAULT_POLICY, generate_timelines
    >>> batch = evaluate_many(DEFAULT_POLICY, [*generate_timelines(3, seed=4), {"ticket_id": "bad"}])
    >>> len(batch.tickets), [(f.position, f.ticket_id) for f in batch.failures]
    (3, [(3, 'bad')])
    """
    if errors not in ("collect", "raise"):
        raise ArgumentError(f"errors: unknown option {errors!r} - expected 'collect' or 'raise'")
    policy = _checked(policy, timelines, as_of, explain)
    total = len(timelines) if isinstance(timelines, Sequence) else None
    close: Callable[[], None] | None = None
    callback: Progress | None
    if progress is True:
        callback, close = _tqdm_progress(total)
    elif progress is None or progress is False or callable(progress):
        callback = progress or None
    else:
        raise ArgumentError(
            f"progress: {progress!r} - expected a callback (done, total), True for a progress "
            "bar, or None",
            value=progress,
        )
    failures: list[Failure] = []
    tickets: list[dict[str, Any]] = []
    records: list[dict[str, Any]] = []
    try:
        for ticket, cycle_records in _stream(
            policy,
            timelines,
            as_of,
            explain,
            failures if errors == "collect" else None,
            callback,
            total,
        ):
            tickets.append(ticket)
            records.extend(cycle_records)
    finally:
        if close is not None:
            close()
    return Batch(records=records, tickets=tickets, failures=failures, as_of=as_of)


@dataclass(frozen=True)
class Batch:
    """The evaluated batch: ``records`` (one per ticket x metric x cycle), ``tickets`` (one row
    per ticket) and ``failures`` (the timelines that could not be evaluated).

    Records are plain dicts: durations are ``timedelta`` and instants aware ``datetime`` here;
    the JSON Lines and CSV forms write durations as ``<name>_seconds`` numbers and instants as
    ISO 8601 text, like :class:`~slaclock.CycleResult`'s JSON form.

    >>> from slaclock.synthetic import DEFAULT_POLICY, sample_timelines
    >>> batch = evaluate_many(DEFAULT_POLICY, sample_timelines())
    >>> [(r["ticket_id"], r["metric"], r["group"]) for r in batch][:2]
    [('T-1001', 'first_response', 'billing'), ('T-1001', 'next_response', 'billing')]
    """

    records: list[dict[str, Any]]
    tickets: list[dict[str, Any]]
    failures: list[Failure] = field(default_factory=list)
    as_of: datetime | None = None

    def __iter__(self) -> Iterator[dict[str, Any]]:
        return iter(self.records)

    def __len__(self) -> int:
        return len(self.records)

    def to_records(self) -> list[dict[str, Any]]:
        """The records (a new list of copies)."""
        return [dict(record) for record in self.records]

    def to_pandas(self) -> Any:
        """The records as a ``pandas.DataFrame`` (needs the ``[pandas]`` extra).

        Durations become ``Timedelta`` columns; ``thresholds`` holds ``{name: at}`` dicts.
        """
        try:
            pd: Any = importlib.import_module("pandas")
        except ImportError as exc:  # pragma: no cover - depends on the environment
            raise ImportError(
                "Batch.to_pandas() needs pandas: pip install 'slaclock[pandas]'"
            ) from exc
        rows = []
        for record in self.records:
            row = dict(record)
            row["thresholds"] = {t.name: t.at for t in record["thresholds"]}
            rows.append(row)
        frame = pd.DataFrame(rows, columns=record_columns(self.records) if not rows else None)
        for name in DURATION_FIELDS:
            if name in frame:
                frame[name] = pd.to_timedelta(frame[name])
        return frame

    def write_jsonl(self, path_or_file: str | Path | IO[str]) -> int:
        """Write one JSON object per record; returns the number written."""
        return write_jsonl(self.records, path_or_file)

    def write_csv(self, path_or_file: str | Path | IO[str]) -> int:
        """Write the records as CSV with a header row; returns the number written."""
        return write_csv(self.records, path_or_file, columns=record_columns(self.records))
