"""A small SLA alert service: clocks kept in SQLite, events from a JSON Lines stream, alerts
printed as their instants pass.

Run:  python examples/alert_service.py [POLICY] [EVENTS] [--db FILE] [--until T]

The pattern, in four pieces (slaclock's core does no I/O; this file does all of it):

- one row per ticket: the incremental clock's state (``TicketClock.to_dict()``, JSON text), the
  instant up to which its alerts were printed (the *watermark*), and its next deadline, in an
  indexed column, so each tick reads only the tickets that have something due;
- an event: print what the clock crossed before it (``alerts(clock, watermark, event time)``),
  add it, print what it crossed at once (``crossed_at_once``: a priority raised past a due
  instant), store the new state;
- a tick of the service's clock (``advance(now)``): for each ticket whose next deadline has
  passed, print ``alerts(clock, watermark, now)`` and store the new watermark and deadline;
- time is an argument: ``advance`` is given "now", never reads the system clock, so a test
  drives the service through a day in microseconds (``tests/test_alert_service.py``).

Each crossing is printed once: the windows a ticket's alerts are asked for tile time.
"""

from __future__ import annotations

import argparse
import json
import sqlite3
import sys
from collections.abc import Callable, Iterable, Mapping
from datetime import datetime, timedelta, timezone, tzinfo
from pathlib import Path
from typing import Any

from slaclock import Alert, HistoryNeededError, Policy, PolicySet, TicketClock, alerts
from slaclock.alerts import crossed_at_once
from slaclock.files import load_policy

HERE = Path(__file__).resolve().parent
MICRO = timedelta(microseconds=1)
EPOCH = datetime(1970, 1, 1, tzinfo=timezone.utc)


def to_micros(at: datetime) -> int:
    """An instant as integer microseconds since the epoch (what the indexed columns hold)."""
    return (at - EPOCH) // MICRO


def from_micros(micros: int, tz: tzinfo | None) -> datetime:
    """The instant ``micros`` as an aware datetime in ``tz`` (UTC when ``None``)."""
    return (EPOCH + micros * MICRO).astimezone(tz or timezone.utc)


SCHEMA = """
CREATE TABLE IF NOT EXISTS clocks (
    ticket_id     TEXT PRIMARY KEY,
    state         TEXT NOT NULL,     -- TicketClock.to_dict() as JSON text
    watermark     INTEGER NOT NULL,  -- alerts printed up to here (UTC microseconds, excluded)
    next_deadline INTEGER            -- the clock's next due instant or threshold (or NULL)
);
CREATE INDEX IF NOT EXISTS clocks_by_next_deadline ON clocks (next_deadline);
"""


class AlertService:
    """Clocks in SQLite; ``apply`` takes events, ``advance`` moves the service's clock."""

    def __init__(
        self, policy: Policy | PolicySet, db: sqlite3.Connection, emit: Callable[[Alert], None]
    ) -> None:
        self.policy = policy
        self.db = db
        self.emit = emit
        db.executescript(SCHEMA)

    def _load(self, ticket_id: str) -> tuple[TicketClock, int] | None:
        row = self.db.execute(
            "SELECT state, watermark FROM clocks WHERE ticket_id = ?", (ticket_id,)
        ).fetchone()
        if row is None:
            return None
        return TicketClock.from_dict(row[0], self.policy), row[1]

    def _store(self, clock: TicketClock, watermark: int) -> None:
        deadline = clock.next_deadline(from_micros(watermark, None) - MICRO)
        self.db.execute(
            "INSERT INTO clocks (ticket_id, state, watermark, next_deadline) VALUES (?, ?, ?, ?)"
            " ON CONFLICT (ticket_id) DO UPDATE SET state = excluded.state,"
            " watermark = excluded.watermark, next_deadline = excluded.next_deadline",
            (
                clock.ticket_id,
                json.dumps(clock.to_dict()),
                watermark,
                None if deadline is None else to_micros(deadline.at),
            ),
        )

    def apply(self, line: Mapping[str, Any]) -> None:
        """One event (a JSON Lines record: ``ticket_id`` and the event's fields)."""
        event = {k: v for k, v in line.items() if k != "ticket_id"}
        ticket_id = str(line["ticket_id"])
        at = datetime.fromisoformat(str(event["at"]).replace("Z", "+00:00"))
        stored = self._load(ticket_id)
        if stored is None:
            clock, watermark = TicketClock(self.policy, ticket_id), to_micros(at)
        else:
            clock, watermark = stored
            # What the clock crossed before this event. (An event stamped before the watermark
            # arrived after alerts up to there were printed: those stand.)
            if to_micros(at) > watermark:
                for alert in alerts(clock, from_micros(watermark, at.tzinfo), at):
                    self.emit(alert)
        try:
            after = clock.add(event)
        except HistoryNeededError as exc:  # a late event: rebuild from the event store
            print(f"alert_service: {exc}", file=sys.stderr)
            return
        for alert in crossed_at_once(clock, after):
            self.emit(alert)
        self._store(after, max(watermark, to_micros(at)))

    def advance(self, now: datetime) -> None:
        """Print every alert whose instant has passed (before ``now``)."""
        due = self.db.execute(
            "SELECT ticket_id FROM clocks WHERE next_deadline < ? ORDER BY next_deadline",
            (to_micros(now),),
        ).fetchall()
        for (ticket_id,) in due:
            stored = self._load(ticket_id)
            assert stored is not None
            clock, watermark = stored
            for alert in alerts(clock, from_micros(watermark, now.tzinfo), now):
                self.emit(alert)
            self._store(clock, to_micros(now))


def run(
    policy: Policy | PolicySet,
    lines: Iterable[Mapping[str, Any]],
    until: datetime,
    db: sqlite3.Connection,
    emit: Callable[[Alert], None],
) -> None:
    """Feed ``lines`` in time order, ticking the service's clock to each event's instant first,
    then to ``until``."""
    service = AlertService(policy, db, emit)
    ordered = sorted(lines, key=lambda line: to_micros(_instant(line["at"])))
    for line in ordered:
        service.advance(_instant(line["at"]))
        service.apply(line)
        db.commit()
    service.advance(until)
    db.commit()


def _instant(text: Any) -> datetime:
    return datetime.fromisoformat(str(text).replace("Z", "+00:00"))


def _print(alert: Alert) -> None:
    routing = "" if alert.notify is None else f" -> notify {alert.notify}"
    late = (
        ""
        if alert.scheduled_at == alert.at
        else f" (crossed at once: scheduled {alert.scheduled_at.isoformat()})"
    )
    print(
        f"{alert.at.isoformat()}  {alert.ticket_id}  {alert.metric}#{alert.cycle}  "
        f"{alert.name}{late}{routing}"
    )


def main(argv: list[str] | None = None) -> None:
    """The command line: replay an events file through the service, printing alerts."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("policy", nargs="?", default=str(HERE / "policies" / "b2b-saas.yaml"))
    parser.add_argument("events", nargs="?", default=str(HERE / "events.jsonl"))
    parser.add_argument("--db", default=":memory:", help="SQLite file (default: in memory)")
    parser.add_argument("--until", default="2025-03-14T17:00:00-04:00", help="the last tick")
    args = parser.parse_args(argv)
    lines = [json.loads(text) for text in Path(args.events).read_text().splitlines() if text]
    with sqlite3.connect(args.db) as db:
        run(load_policy(args.policy), lines, _instant(args.until), db, _print)


if __name__ == "__main__":
    main()
