"""Sample data: the embedded default policy, a handful of sample tickets, and a seeded generator
of realistic synthetic helpdesk timelines (for demos, notebooks, tests and benchmarks).

Everything here is deterministic: the same seed gives the same tickets.

>>> tickets = list(generate_timelines(3, seed=7))
>>> [t.ticket_id for t in tickets]
['S-000000', 'S-000001', 'S-000002']
>>> [t.ticket_id for t in generate_timelines(3, seed=7)] == [t.ticket_id for t in tickets]
True
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from datetime import date, datetime, timedelta, timezone
from typing import Any
from zoneinfo import ZoneInfo

from slaclock.policy import Policy
from slaclock.servicelevel import Contact
from slaclock.timeline import Timeline

__all__ = [
    "DEFAULT_POLICY",
    "DEFAULT_POLICY_DATA",
    "generate_contacts",
    "generate_timelines",
    "sample_timelines",
]

#: The default policy as plain data: a B2B desk in New York, Mon-Fri 09:00-17:00 with US
#: holidays; urgent tickets are measured around the clock.
DEFAULT_POLICY_DATA: dict[str, Any] = {
    "name": "b2b-support",
    "version": "2025.1",
    "description": "Four priorities; urgent around the clock, the rest on business hours.",
    "calendar": {
        "timezone": "America/New_York",
        "hours": {"mon-fri": [["09:00", "17:00"]]},
        "country_holidays": {"country": "US"},
    },
    "metrics": {
        "first_response": {
            "targets": {
                "urgent": {"duration": "1h", "calendar": "24x7"},
                "high": "2h",
                "normal": "8h",
                "low": "16h",
            },
            "thresholds": [{"name": "warning", "at_percent": 75}],
        },
        "next_response": {
            "targets": {
                "urgent": {"duration": "2h", "calendar": "24x7"},
                "high": "4h",
                "normal": "8h",
                "low": "16h",
            }
        },
        "requester_wait": {
            "targets": {
                "urgent": {"duration": "8h", "calendar": "24x7"},
                "high": "2 business days",
                "normal": "40h",
                "low": "80h",
            },
            "thresholds": [
                {"name": "warning", "before_due": "2h"},
                {"name": "escalation", "after_due": "4h"},
            ],
        },
        "resolution": {
            "targets": {
                "urgent": {"duration": "24h", "calendar": "24x7"},
                "high": "24h",
                "normal": "80h",
                "low": "160h",
            },
        },
    },
}

#: The default policy (see :data:`DEFAULT_POLICY_DATA`).
DEFAULT_POLICY = Policy.model_validate(DEFAULT_POLICY_DATA)

_NY = ZoneInfo("America/New_York")


def _at(text: str) -> str:
    return datetime.fromisoformat(text).replace(tzinfo=_NY).isoformat()


def sample_timelines() -> list[Timeline]:
    """Five hand-written tickets that show the main behaviours under :data:`DEFAULT_POLICY`.

    >>> [t.ticket_id for t in sample_timelines()]
    ['T-1001', 'T-1002', 'T-1003', 'T-1004', 'T-1005']
    """
    raw: list[dict[str, Any]] = [
        {  # answered in time, solved on Monday
            "ticket_id": "T-1001",
            "attributes": {"priority": "normal", "group": "billing", "channel": "email"},
            "events": [
                ("2025-03-07 16:30", "created"),
                ("2025-03-07 16:50", "agent_replied"),
                ("2025-03-07 16:51", "status_changed", {"status": "pending"}),
                ("2025-03-10 10:00", "customer_replied"),
                ("2025-03-10 10:00", "status_changed", {"status": "open"}),
                ("2025-03-10 11:15", "agent_replied"),
                ("2025-03-10 11:20", "solved"),
            ],
        },
        {  # an urgent outage on a Saturday night: 24x7 targets
            "ticket_id": "T-1002",
            "attributes": {"priority": "urgent", "group": "platform", "channel": "phone"},
            "events": [
                ("2025-03-08 22:10", "created"),
                ("2025-03-08 23:30", "agent_replied"),
                ("2025-03-09 04:00", "solved"),
            ],
        },
        {  # first reply breached, escalated to high mid-way
            "ticket_id": "T-1003",
            "attributes": {"priority": "low", "group": "billing", "channel": "web"},
            "events": [
                ("2025-03-10 09:05", "created"),
                ("2025-03-11 11:00", "priority_changed", {"priority": "high"}),
                ("2025-03-11 12:30", "agent_replied"),
                ("2025-03-11 13:00", "customer_replied"),
            ],
        },
        {  # solved, then reopened by the customer
            "ticket_id": "T-1004",
            "attributes": {"priority": "high", "group": "platform", "channel": "email"},
            "events": [
                ("2025-03-12 10:00", "created"),
                ("2025-03-12 10:40", "agent_replied"),
                ("2025-03-12 15:00", "solved"),
                ("2025-03-13 09:30", "reopened"),
                ("2025-03-13 09:30", "customer_replied"),
                ("2025-03-13 11:00", "agent_replied"),
                ("2025-03-13 11:05", "solved"),
            ],
        },
        {  # still waiting for a first reply
            "ticket_id": "T-1005",
            "attributes": {"priority": "normal", "group": "sales", "channel": "chat"},
            "events": [("2025-03-13 15:00", "created")],
        },
    ]
    timelines = []
    for ticket in raw:
        events = []
        for item in ticket["events"]:
            at, kind, *extra = item
            events.append({"at": _at(at), "kind": kind, **(extra[0] if extra else {})})
        timelines.append(Timeline.model_validate({**ticket, "events": events}))
    return timelines


# ----------------------------------------------------------------------------------------------
# The generator
_PRIORITIES = (("urgent", 0.05), ("high", 0.2), ("normal", 0.55), ("low", 0.2))
_GROUPS = ("billing", "platform", "sales", "onboarding")
_CHANNELS = (("email", 0.5), ("web", 0.3), ("chat", 0.15), ("phone", 0.05))
# Relative arrival rate per weekday (Mon..Sun) and per local hour: a weekly rhythm.
_DAY_WEIGHT = (1.25, 1.15, 1.1, 1.05, 0.95, 0.3, 0.2)
_HOUR_WEIGHT = tuple(0.15 if h < 7 or h >= 20 else (1.0 if 9 <= h < 17 else 0.5) for h in range(24))


def _choose(rng: random.Random, weighted: tuple[tuple[str, float], ...]) -> str:
    return rng.choices([name for name, _ in weighted], [w for _, w in weighted])[0]


def _arrival(rng: random.Random, start: datetime, days: int) -> datetime:
    """A random arrival in [start, start + days), following the weekly rhythm (rejection sampling)."""
    while True:
        offset = rng.random() * days * 86_400
        at = (start.astimezone(timezone.utc) + timedelta(seconds=int(offset))).astimezone(_NY)
        local = at
        weight = _DAY_WEIGHT[local.weekday()] * _HOUR_WEIGHT[local.hour]
        if rng.random() * 1.25 < weight:
            return at


def generate_timelines(
    count: int,
    *,
    seed: int = 0,
    start: datetime | None = None,
    days: int = 30,
    exchanges: int = 3,
) -> Iterator[Timeline]:
    """Yield ``count`` synthetic tickets (lazily, in arrival order within each ticket).

    Each ticket is created at a random instant in ``[start, start + days)`` following a weekly
    rhythm, then goes through ``exchanges`` rounds of agent reply / customer reply (with pending
    periods), sometimes a priority change, a solve, and sometimes a reopen and a second solve.
    ``exchanges=3`` gives about 10 events per ticket; each extra exchange adds about three.

    >>> ticket = next(generate_timelines(1, seed=1))
    >>> ticket.events[0].kind, ticket.attributes["priority"] in ("urgent", "high", "normal", "low")
    ('created', True)
    """
    rng = random.Random(seed)
    if start is None:
        start = datetime(2025, 3, 3, tzinfo=_NY)
    for number in range(count):
        created = _arrival(rng, start, days)
        priority = _choose(rng, _PRIORITIES)
        attributes = {
            "priority": priority,
            "group": rng.choice(_GROUPS),
            "channel": _choose(rng, _CHANNELS),
            "tier": rng.choice(("standard", "standard", "gold")),
        }
        pace = {"urgent": 0.3, "high": 1.0, "normal": 3.0, "low": 6.0}[priority]
        events: list[dict[str, Any]] = [{"at": created, "kind": "created"}]
        t = created
        step = 0

        def later(hours: float) -> datetime:
            nonlocal t, step
            step += 1
            # Arithmetic in UTC: aware + timedelta in a ZoneInfo zone moves the wall clock.
            utc = t.astimezone(timezone.utc)
            seconds = max(60, int(rng.expovariate(1 / (hours * 3600))))
            t = (utc + timedelta(seconds=seconds)).astimezone(_NY)
            return t

        for exchange in range(exchanges):
            events.append({"at": later(pace), "kind": "agent_replied", "id": f"e{step}"})
            if exchange == 1 and rng.random() < 0.15:
                new = rng.choice(("urgent", "high", "normal"))
                events.append({"at": later(0.5), "kind": "priority_changed", "priority": new})
                pace = {"urgent": 0.3, "high": 1.0, "normal": 3.0}[new]
            if exchange < exchanges - 1 or rng.random() < 0.5:
                events.append({"at": later(0.05), "kind": "status_changed", "status": "pending"})
                events.append({"at": later(8), "kind": "customer_replied", "id": f"e{step}"})
                events.append({"at": t, "kind": "status_changed", "status": "open"})
        events.append({"at": later(pace), "kind": "solved"})
        if rng.random() < 0.08:
            events.append({"at": later(24), "kind": "reopened"})
            events.append({"at": later(pace), "kind": "agent_replied", "id": f"e{step}"})
            events.append({"at": later(1), "kind": "solved"})
        yield Timeline.model_validate(
            {"ticket_id": f"S-{number:06d}", "attributes": attributes, "events": events}
        )


# ----------------------------------------------------------------------------------------------
# A contact-centre day
# Relative offered load per local hour (08:00-20:00): a morning peak and a smaller one after lunch.
_CALL_HOURS = (8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19)
_CALL_WEIGHT = (0.6, 1.0, 1.2, 1.1, 0.8, 0.9, 1.0, 0.9, 0.7, 0.5, 0.3, 0.2)


def generate_contacts(
    count: int, *, seed: int = 0, day: date | None = None, zone: str = "America/New_York"
) -> list[Contact]:
    """``count`` synthetic contacts offered during one contact-centre day (08:00-20:00 in
    ``zone``),
    in offered order. Busy hours make callers wait longer; a caller whose patience (about a
    minute and a half on average) runs out before an agent answers abandons.

    >>> contacts = generate_contacts(500, seed=1, day=date(2025, 3, 4))
    >>> len(contacts), contacts[0].offered_at.date().isoformat()
    (500, '2025-03-04')
    >>> 0 < sum(c.abandoned_at is not None for c in contacts) < 100
    True
    """
    rng = random.Random(seed)
    local = ZoneInfo(zone)
    if day is None:
        day = date(2025, 3, 4)
    opened = datetime(day.year, day.month, day.day, _CALL_HOURS[0], tzinfo=local)
    opened_utc = opened.astimezone(timezone.utc)
    offsets: list[float] = []
    for _ in range(count):
        hour = rng.choices(range(len(_CALL_HOURS)), _CALL_WEIGHT)[0]
        offsets.append(hour * 3600 + rng.random() * 3600)
    offsets.sort()
    contacts = []
    for offset in offsets:
        load = _CALL_WEIGHT[int(offset // 3600)]
        offered = opened_utc + timedelta(seconds=round(offset, 3))
        wait = timedelta(seconds=round(rng.expovariate(1 / (12 * load * load)), 3))
        patience = timedelta(seconds=round(rng.expovariate(1 / 100), 3))
        outcome = (
            {"answered_at": (offered + wait).astimezone(local)}
            if wait <= patience
            else {"abandoned_at": (offered + patience).astimezone(local)}
        )
        contacts.append(Contact(offered_at=offered.astimezone(local), **outcome))
    return contacts
