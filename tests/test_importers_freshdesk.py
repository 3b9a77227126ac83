"""Freshdesk importer: the ticket + conversations + activities fixture, event by event.

Fixture shapes: https://developers.freshdesk.com/api/#list_all_ticket_notes (conversations:
incoming, private) and https://developers.freshdesk.com/api/#tickets (status/priority codes).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from slaclock.importers import freshdesk

FIXTURE = Path(__file__).parent / "fixtures" / "importers" / "freshdesk.json"


def _export() -> Any:
    return json.loads(FIXTURE.read_text(encoding="utf-8"))


def _events(export: Any) -> list[dict[str, Any]]:
    (timeline,) = freshdesk.to_timelines(export)
    return [e.model_dump(mode="json", exclude_none=True) for e in timeline.events]


def test_ticket_events_by_hand() -> None:
    """Conversations by incoming/private, activities by status/priority/group."""
    expected = [
        # the new_ticket activity: Open, Medium -> normal, group Billing
        {"at": "2025-03-03T09:00:00Z", "kind": "created", "id": "ticket/512", "status": "open",
         "priority": "normal", "author": "8001"},
        {"at": "2025-03-03T09:30:00Z", "kind": "agent_replied", "id": "conversation/70001",
         "public": True, "author": "6001"},
        # a private note
        {"at": "2025-03-03T09:45:00Z", "kind": "note_added", "id": "conversation/70002",
         "public": False, "author": "6001"},
        {"at": "2025-03-03T10:00:00Z", "kind": "status_changed", "id": "activity/2/status",
         "status": "pending", "author": "6001"},
        # incoming: the requester's reply
        {"at": "2025-03-03T11:00:00Z", "kind": "customer_replied", "id": "conversation/70003",
         "author": "8001"},
        {"at": "2025-03-03T11:00:00Z", "kind": "status_changed", "id": "activity/3/status",
         "status": "open", "author": "8001"},
        {"at": "2025-03-03T12:00:00Z", "kind": "priority_changed", "id": "activity/4/priority",
         "priority": "high", "author": "6001"},
        {"at": "2025-03-03T12:00:00Z", "kind": "attributes_changed",
         "id": "activity/4/attributes", "attributes": {"group": "Billing L2"}, "author": "6001"},
        {"at": "2025-03-03T13:00:00Z", "kind": "agent_replied", "id": "conversation/70004",
         "public": True, "author": "6001"},
        {"at": "2025-03-03T13:00:00Z", "kind": "solved", "id": "activity/5/status",
         "author": "6001"},
        {"at": "2025-03-03T14:00:00Z", "kind": "customer_replied", "id": "conversation/70005",
         "author": "8001"},
        {"at": "2025-03-03T14:00:00Z", "kind": "reopened", "id": "activity/6/status",
         "author": "8001"},
    ]  # fmt: skip
    assert expected == _events(_export())


def test_without_activities_codes_of_the_record_are_read() -> None:
    """Without activities: created open with the record's priority code (3 -> high)."""
    export = _export()
    del export["activities"]
    events = _events(export)
    assert ("open", "high") == (events[0]["status"], events[0]["priority"])
    assert {"created", "agent_replied", "note_added", "customer_replied"} == {
        e["kind"] for e in events
    }
