"""Jira Service Management importer: the issue fixture (expand=changelog), event by event.

Fixture shapes: https://developer.atlassian.com/cloud/jira/platform/rest/v2/api-group-issues/
and the comment's jsdPublic: https://developer.atlassian.com/cloud/jira/platform/rest/v2/api-group-issue-comments/
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from slaclock.importers import ImportOptions, UnmappedValuesWarning, jira

FIXTURE = Path(__file__).parent / "fixtures" / "importers" / "jira.json"


def _export() -> Any:
    return json.loads(FIXTURE.read_text(encoding="utf-8"))


def _events(export: Any, options: ImportOptions | None = None) -> list[dict[str, Any]]:
    (timeline,) = jira.to_timelines(export, options)
    return [e.model_dump(mode="json", exclude_none=True) for e in timeline.events]


def test_issue_events_by_hand() -> None:
    """Changelog items and comments become events, in time order (comments first at a tie)."""
    expected = [
        # created 'Waiting for support' (the first status item's fromString) -> open;
        # priority 'Medium' (the first priority item's fromString) -> normal
        {"at": "2025-03-03T10:00:00+01:00", "kind": "created", "id": "SD-42/created",
         "status": "open", "priority": "normal", "author": "qm:cust-1"},
        {"at": "2025-03-03T10:30:00+01:00", "kind": "agent_replied", "id": "comment/20001",
         "public": True, "author": "5b10-agent"},
        # jsdPublic false: an internal comment
        {"at": "2025-03-03T10:45:00+01:00", "kind": "note_added", "id": "comment/20002",
         "public": False, "author": "5b10-agent"},
        # Waiting for support -> Waiting for customer
        {"at": "2025-03-03T11:00:00+01:00", "kind": "status_changed", "id": "history/30001/0",
         "status": "pending", "author": "5b10-agent"},
        {"at": "2025-03-03T12:00:00+01:00", "kind": "customer_replied", "id": "comment/20003",
         "author": "qm:cust-1"},
        # the automation moves it back to Waiting for support
        {"at": "2025-03-03T12:00:00+01:00", "kind": "status_changed", "id": "history/30002/0",
         "status": "open", "author": "557058:automation"},
        # an 'app' account's public comment is not an agent reply
        {"at": "2025-03-03T12:15:00+01:00", "kind": "note_added", "id": "comment/20004",
         "public": True, "author": "557058:automation"},
        {"at": "2025-03-03T13:00:00+01:00", "kind": "priority_changed", "id": "history/30003/0",
         "priority": "high", "author": "5b10-agent"},
        {"at": "2025-03-03T14:00:00+01:00", "kind": "agent_replied", "id": "comment/20005",
         "public": True, "author": "5b10-agent"},
        # item 0 is the resolution field (not kept), item 1 the status
        {"at": "2025-03-03T14:00:00+01:00", "kind": "solved", "id": "history/30004/1",
         "author": "5b10-agent"},
        # public by the sd.public.comment property ({"internal": false})
        {"at": "2025-03-03T15:00:00+01:00", "kind": "customer_replied", "id": "comment/20006",
         "author": "qm:cust-1"},
        {"at": "2025-03-03T15:00:00+01:00", "kind": "reopened", "id": "history/30005/1",
         "author": "557058:automation"},
    ]  # fmt: skip
    assert expected == _events(_export())


def test_statuses_mapping_to_the_same_status_make_no_event() -> None:
    """Waiting for support -> In Progress is open -> open: no event."""
    export = _export()
    export["changelog"]["histories"][1]["items"][0]["toString"] = "In Progress"
    kinds = [(e["id"], e.get("status")) for e in _events(export)]
    assert ("history/30002/0", "open") in kinds
    export["changelog"]["histories"][0]["items"][0]["toString"] = "Escalated"
    export["changelog"]["histories"][1]["items"][0]["fromString"] = "Escalated"
    assert "history/30001/0" not in [e["id"] for e in _events(export)]


def test_components_kept_when_asked() -> None:
    """An attribute asked for is read from the issue's fields (a name, or a list of names)."""
    (timeline,) = jira.to_timelines(_export(), ImportOptions(attributes={"summary": "summary"}))
    assert {"summary": "Invoices page blank"} == timeline.attributes


def test_server_author_without_account_type_is_reported() -> None:
    """Jira Server has no accountType: a non-reporter author cannot be classified."""
    export = _export()
    for comment in export["fields"]["comment"]["comments"]:
        comment["author"].pop("accountType")
    with pytest.warns(UnmappedValuesWarning, match="author '5b10-agent'"):
        events = _events(export)
    # the reporter's comments are still the customer's
    assert "customer_replied" == events[4]["kind"]
