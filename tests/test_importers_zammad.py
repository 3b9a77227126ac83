"""Zammad importer: the ticket + articles + history fixture, event by event.

Fixture shapes: https://docs.zammad.org/en/latest/api/ticket/articles.html and
https://docs.zammad.org/en/latest/api/ticket/index.html
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from slaclock.importers import UnmappedValuesWarning, zammad

FIXTURE = Path(__file__).parent / "fixtures" / "importers" / "zammad.json"


def _export() -> Any:
    return json.loads(FIXTURE.read_text(encoding="utf-8"))


def _events(export: Any) -> list[dict[str, Any]]:
    (timeline,) = zammad.to_timelines(export)
    return [e.model_dump(mode="json", exclude_none=True) for e in timeline.events]


def test_ticket_events_by_hand() -> None:
    """Articles by sender and type, history by attribute, in time order."""
    expected = [
        # created 'new' (the first state entry's value_from), '2 normal' -> normal; article 701
        # at the creation instant is the ticket's first message
        {"at": "2025-03-03T08:00:00Z", "kind": "created", "id": "ticket/77", "status": "new",
         "priority": "normal", "author": "12"},
        # the System sender's auto-reply is not an agent reply
        {"at": "2025-03-03T08:00:02Z", "kind": "note_added", "id": "article/702", "public": True,
         "author": "1"},
        {"at": "2025-03-03T08:30:00Z", "kind": "agent_replied", "id": "article/703",
         "public": True, "author": "4"},
        {"at": "2025-03-03T08:30:00Z", "kind": "status_changed", "id": "history/9002",
         "status": "open", "author": "4"},
        {"at": "2025-03-03T08:45:00Z", "kind": "note_added", "id": "article/704", "public": False,
         "author": "4"},
        # pending reminder -> pending
        {"at": "2025-03-03T09:00:00Z", "kind": "status_changed", "id": "history/9003",
         "status": "pending", "author": "4"},
        {"at": "2025-03-03T10:00:00Z", "kind": "customer_replied", "id": "article/705",
         "author": "12"},
        {"at": "2025-03-03T10:00:00Z", "kind": "status_changed", "id": "history/9004",
         "status": "open", "author": "12"},
        # an agent's public article of type note is not a communication in Zammad
        {"at": "2025-03-03T10:30:00Z", "kind": "note_added", "id": "article/706", "public": True,
         "author": "4"},
        {"at": "2025-03-03T11:00:00Z", "kind": "priority_changed", "id": "history/9005",
         "priority": "high", "author": "4"},
        {"at": "2025-03-03T11:00:00Z", "kind": "attributes_changed", "id": "history/9006",
         "attributes": {"group": "Billing"}, "author": "4"},
        {"at": "2025-03-03T12:00:00Z", "kind": "agent_replied", "id": "article/707",
         "public": True, "author": "4"},
        # Zammad's closed is slaclock's solved (a follow-up reopens it)
        {"at": "2025-03-03T12:00:00Z", "kind": "solved", "id": "history/9007", "author": "4"},
        {"at": "2025-03-03T13:00:00Z", "kind": "customer_replied", "id": "article/708",
         "author": "12"},
        {"at": "2025-03-03T13:00:00Z", "kind": "reopened", "id": "history/9008", "author": "12"},
    ]  # fmt: skip
    assert expected == _events(_export())


def test_group_at_creation_is_the_first_value_from() -> None:
    """The group kept at creation is the one before the first change (Users), not today's."""
    (timeline,) = zammad.to_timelines(_export())
    assert ("31077", {"group": "Users"}) == (timeline.ticket_id, timeline.attributes)


def test_unknown_sender_is_reported() -> None:
    """An article whose sender is not Customer/Agent/System is a note, and reported."""
    export = _export()
    export["articles"][2]["sender"] = "Robot"
    with pytest.warns(UnmappedValuesWarning, match="author 'Robot'"):
        events = _events(export)
    assert "note_added" == events[2]["kind"]


def test_database_column_names_are_read_too() -> None:
    """History rows exported from the database name the fields history_type/object/attribute."""
    export = _export()
    for entry in export["history"]["history"]:
        for name in ("type", "object", "attribute"):
            if name in entry:
                entry[f"history_{name}"] = entry.pop(name)
    assert _events(_export()) == _events(export)
