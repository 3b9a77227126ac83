"""Shared by the columnar, Spark and Dask tests: random event rows, the timelines the object path
reads from the same rows, and the object path's records in the columnar form."""

from __future__ import annotations

import json
import random
from collections.abc import Iterable, Mapping
from datetime import datetime, timedelta, timezone
from typing import Any
from zoneinfo import ZoneInfo

from slaclock import Timeline
from slaclock.analytics import evaluate_many
from slaclock.policy import Policy, PolicySet

# Zones the `at` strings are written in, and weeks around DST changes (Europe 2025-03-30 and
# 2025-10-26, US 2025-03-09 and 2025-11-02, Lord Howe's half-hour shift on 2025-04-06).
ZONES = ("UTC", "Europe/Berlin", "America/New_York", "Australia/Lord_Howe", "Asia/Kolkata")
STARTS = (
    datetime(2025, 3, 6, tzinfo=timezone.utc),
    datetime(2025, 3, 27, tzinfo=timezone.utc),
    datetime(2025, 4, 3, tzinfo=timezone.utc),
    datetime(2025, 10, 23, tzinfo=timezone.utc),
    datetime(2025, 10, 30, tzinfo=timezone.utc),
    datetime(2025, 12, 22, tzinfo=timezone.utc),
)
PRIORITIES = ("urgent", "high", "normal", "low")
KINDS = (
    "agent_replied",
    "customer_replied",
    "status_changed",
    "priority_changed",
    "note_added",
    "attributes_changed",
    "solved",
    "reopened",
    "closed",
)


def random_rows(seed: int, tickets: int, max_events: int = 12) -> list[dict[str, Any]]:
    """Event rows of ``tickets`` random tickets, shuffled (a ticket's rows are not contiguous)."""
    rng = random.Random(seed)
    rows: list[dict[str, Any]] = []
    for number in range(tickets):
        ticket = f"R-{seed}-{number}"
        zone = ZoneInfo(rng.choice(ZONES))
        t = rng.choice(STARTS) + timedelta(minutes=rng.randrange(0, 7 * 24 * 60))

        def at(value: datetime, zone: ZoneInfo = zone) -> str:
            return value.astimezone(zone).isoformat()

        rows.append(
            {
                "ticket_id": ticket,
                "at": at(t),
                "kind": "created",
                "priority": rng.choice(PRIORITIES),
                "group": rng.choice(("billing", "tech", None)),
                "region": rng.choice(("emea", "amer", "apac-night")),
            }
        )
        for _ in range(rng.randrange(0, max_events)):
            # Some events share an instant with the previous one (stable order matters).
            t += timedelta(minutes=rng.choice((0, 1, 7, 45, 240, 900, 3000)))
            kind = rng.choice(KINDS)
            row: dict[str, Any] = {"ticket_id": ticket, "at": at(t), "kind": kind}
            if kind == "status_changed":
                row["status"] = rng.choice(("pending", "open", "on_hold", "solved"))
            elif kind == "priority_changed":
                row["priority"] = rng.choice(PRIORITIES)
            elif kind == "attributes_changed":
                row["group"] = rng.choice(("billing", "tech"))
            elif kind in ("agent_replied", "customer_replied") and rng.random() < 0.2:
                row["public"] = False
            rows.append(row)
    rng.shuffle(rows)
    return rows


ATTRIBUTES = ("group", "region")


def timelines_of(rows: Iterable[Mapping[str, Any]]) -> list[Timeline]:
    """The timelines the object path reads from the same rows (as the CLI reads a CSV file:
    the created row's attribute columns are the ticket's attributes), in order of first
    appearance."""
    grouped: dict[str, list[Mapping[str, Any]]] = {}
    for row in rows:
        grouped.setdefault(row["ticket_id"], []).append(row)
    timelines = []
    for ticket, events in grouped.items():
        attributes: dict[str, Any] = {}
        data = []
        for row in events:
            event = {
                k: v
                for k, v in row.items()
                if k not in ("ticket_id", *ATTRIBUTES) and v is not None
            }
            changed = {k: row[k] for k in ATTRIBUTES if row.get(k) is not None}
            if row["kind"] == "created":
                attributes = changed
            elif row["kind"] == "attributes_changed":
                event["attributes"] = changed
            data.append(event)
        timelines.append(
            Timeline.model_validate({"ticket_id": ticket, "attributes": attributes, "events": data})
        )
    return timelines


def _utc(value: datetime | None) -> datetime | None:
    return None if value is None else value.astimezone(timezone.utc)


def expected_rows(
    policy: Policy | PolicySet, timelines: list[Timeline], as_of: datetime | None = None
) -> list[dict[str, Any]]:
    """The object path's records (:func:`evaluate_many`), in the columnar form: instants in UTC,
    durations in seconds, thresholds as JSON text, events as a list."""
    batch = evaluate_many(policy, timelines, as_of, errors="raise")
    rows = []
    for record in batch.records:
        row: dict[str, Any] = {}
        for key, value in record.items():
            if key in ("target", "elapsed", "paused", "remaining", "overdue_by"):
                row[f"{key}_seconds"] = None if value is None else value.total_seconds()
            elif isinstance(value, datetime):
                row[key] = _utc(value)
            elif key == "thresholds":
                row[key] = json.dumps(
                    [
                        {
                            "name": t.name,
                            "at": None
                            if t.at is None
                            else _utc(t.at).isoformat().replace("+00:00", "Z"),  # type: ignore[union-attr]
                            "reached": t.reached,
                        }
                        for t in value
                    ]
                )
            elif key == "events":
                row[key] = list(value)
            elif key != "spans":
                row[key] = value
        rows.append(row)
    return rows


def comparable(rows: Iterable[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """Rows with pandas/arrow values made plain (timestamps -> UTC datetimes, NaN -> None),
    without columns that are empty in every row of the object path (an attribute no record has)."""
    out = []
    for row in rows:
        plain: dict[str, Any] = {}
        for key, value in row.items():
            if type(value).__name__ == "NaTType":  # pandas' missing timestamp
                value = None
            if hasattr(value, "to_pydatetime"):
                value = value.to_pydatetime()
            if hasattr(value, "tolist"):
                value = value.tolist()
            if isinstance(value, float) and value != value:
                value = None
            if isinstance(value, datetime):
                value = value.astimezone(timezone.utc)
            if value is not None:
                plain[key] = value
        out.append(plain)
    return out
