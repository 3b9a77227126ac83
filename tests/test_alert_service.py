"""Tests of the example alert service (examples/alert_service.py), driven by an explicit clock."""

from __future__ import annotations

import importlib.util
import io
import json
import random
import sqlite3
from collections.abc import Callable
from contextlib import redirect_stderr
from datetime import datetime, timedelta
from pathlib import Path
from types import ModuleType
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from slaclock import Alert, alerts
from slaclock.files import load_policy, read_timelines
from slaclock.synthetic import generate_timelines
from slaclock.timeline import Timeline
from tests.test_alerts import POLICIES

ROOT = Path(__file__).resolve().parents[1]


def _service() -> ModuleType:
    spec = importlib.util.spec_from_file_location(
        "alert_service", ROOT / "examples" / "alert_service.py"
    )
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


service = _service()


def _order(alert: Alert) -> tuple[Any, ...]:
    return (
        alert.at.timestamp(),
        alert.ticket_id,
        alert.metric,
        alert.cycle,
        alert.scheduled_at.timestamp(),
        alert.kind,
        alert.name,
    )


def _collect() -> tuple[list[Alert], Callable[[Alert], None]]:
    seen: list[Alert] = []
    return seen, seen.append


def test_the_service_prints_what_the_batch_alerts_say() -> None:
    """On the example events (fed in time order, ticking to each event), the service prints
    exactly the alerts that alerts() finds for the whole file, each once."""
    policy = load_policy(ROOT / "examples" / "policies" / "b2b-saas.yaml")
    lines = [
        json.loads(t) for t in (ROOT / "examples" / "events.jsonl").read_text().splitlines() if t
    ]
    until = datetime.fromisoformat("2025-03-14T17:00:00-04:00")
    seen, emit = _collect()
    service.run(policy, lines, until, sqlite3.connect(":memory:"), emit)
    tickets = [
        t for t in read_timelines(ROOT / "examples" / "events.jsonl") if isinstance(t, Timeline)
    ]
    start = min(t.events[0].at for t in tickets)
    expected = alerts(tickets, start, until, policy=policy)
    assert sorted(expected, key=_order) == sorted(seen, key=_order)
    assert 9 == len(seen)  # as `slaclock alerts` lists them for the same window


def test_the_next_deadline_column_is_indexed() -> None:
    """The tick's query reads the index, not the whole table."""
    db = sqlite3.connect(":memory:")
    service.AlertService(POLICIES, db, print)
    plan = db.execute(
        "EXPLAIN QUERY PLAN SELECT ticket_id FROM clocks WHERE next_deadline < ? ORDER BY next_deadline",
        (0,),
    ).fetchall()
    assert "clocks_by_next_deadline" in " ".join(str(row) for row in plan)


def test_a_late_event_is_reported_and_changes_nothing() -> None:
    """An event earlier than the clock's last one needs history: a message, the row unchanged."""
    db = sqlite3.connect(":memory:")
    svc = service.AlertService(POLICIES, db, print)
    svc.apply(
        {"ticket_id": "T-1", "at": "2025-03-03T10:00:00Z", "kind": "created", "priority": "high"}
    )
    svc.apply({"ticket_id": "T-1", "at": "2025-03-03T10:30:00Z", "kind": "note_added"})
    before = db.execute("SELECT state, watermark FROM clocks").fetchall()
    err = io.StringIO()
    with redirect_stderr(err):
        svc.apply({"ticket_id": "T-1", "at": "2025-03-03T10:10:00Z", "kind": "agent_replied"})
    assert "is earlier than the clock's last event" in err.getvalue()
    assert before == db.execute("SELECT state, watermark FROM clocks").fetchall()


@settings(max_examples=15)
@given(
    seed=st.integers(0, 10_000),
    ticks=st.lists(st.integers(0, 21 * 24 * 60), max_size=15),
    restart=st.integers(0, 60),
)
def test_interleaved_tickets_with_ticks_and_a_restart(
    tmp_path_factory: Any, seed: int, ticks: list[int], restart: int
) -> None:
    """Three random tickets' events interleaved in time, the service's clock ticking at random
    minutes, and the service restarted (a new connection to its SQLite file) part-way: it prints
    exactly the batch alerts of the three tickets, each once."""
    tickets = list(generate_timelines(3, seed=seed, days=3))
    rng = random.Random(seed)
    lines: list[dict[str, Any]] = []
    for ticket in tickets:
        for event in ticket.events:
            line = {
                "ticket_id": ticket.ticket_id,
                **event.model_dump(mode="json", exclude_none=True),
            }
            if event.kind == "created":
                line["attributes"] = {
                    **ticket.attributes,
                    "group": rng.choice(("billing", "sales")),
                }
            lines.append(line)
    start = min(t.events[0].at for t in tickets)
    until = start + timedelta(days=21)
    moments = sorted(
        [(datetime.fromisoformat(line["at"]), 0, line) for line in lines]
        + [(start + timedelta(minutes=m), 1, None) for m in ticks],
        key=lambda m: (m[0].timestamp(), m[1]),
    )
    path = tmp_path_factory.mktemp("svc") / "clocks.sqlite"
    seen, emit = _collect()
    db = sqlite3.connect(path)
    svc = service.AlertService(POLICIES, db, emit)
    for number, (at, _, line) in enumerate(moments):
        if number == restart:  # the service restarts: only the database survives
            db.close()
            db = sqlite3.connect(path)
            svc = service.AlertService(POLICIES, db, emit)
        svc.advance(at)
        if line is not None:
            svc.apply(line)
        db.commit()
    svc.advance(until)
    db.close()
    timelines = [
        Timeline(
            ticket_id=t.ticket_id,
            events=[
                {k: v for k, v in line.items() if k != "ticket_id"}
                for line in lines
                if line["ticket_id"] == t.ticket_id
            ],
        )
        for t in tickets
    ]
    expected = alerts(timelines, start, until, policy=POLICIES)
    assert sorted(expected, key=_order) == sorted(seen, key=_order)
