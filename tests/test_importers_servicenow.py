"""ServiceNow importer: the incident + sys_audit + sys_journal_field fixture, event by event.

Fixture shapes: https://www.servicenow.com/docs/r/australia/platform-security/c_UnderstandingTheSysAuditTable.html
and https://servicenow-prod.fluidtopics.net/r/yokohama/platform-administration/ai-platform-administration/c_JournalFields.html
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from slaclock.importers import ExportFormatError, UnmappedValuesWarning, servicenow

FIXTURE = Path(__file__).parent / "fixtures" / "importers" / "servicenow.json"


def _export() -> Any:
    return json.loads(FIXTURE.read_text(encoding="utf-8"))


def _events(export: Any) -> list[dict[str, Any]]:
    (timeline,) = servicenow.to_timelines(export)
    return [e.model_dump(mode="json", exclude_none=True) for e in timeline.events]


def test_incident_events_by_hand() -> None:
    """Audit rows and journal entries become events; the Table API's times are UTC."""
    expected = [
        # the insert's audit rows (empty oldvalue): state 1 New, priority 3 Moderate
        {"at": "2025-03-03T09:00:00Z", "kind": "created",
         "id": "9d385017c611228701d22104cc95c371", "status": "new", "priority": "normal",
         "author": "carla.customer"},
        # Additional comments by someone other than the caller: the agent's public reply
        {"at": "2025-03-03T09:30:00Z", "kind": "agent_replied", "id": "j1", "public": True,
         "author": "alex.agent"},
        {"at": "2025-03-03T09:30:00Z", "kind": "status_changed", "id": "a2", "status": "open",
         "author": "alex.agent"},
        # work notes are internal
        {"at": "2025-03-03T09:45:00Z", "kind": "note_added", "id": "j2", "public": False,
         "author": "alex.agent"},
        # 3 On Hold
        {"at": "2025-03-03T10:00:00Z", "kind": "status_changed", "id": "a3", "status": "on_hold",
         "author": "alex.agent"},
        {"at": "2025-03-03T11:00:00Z", "kind": "customer_replied", "id": "j3",
         "author": "carla.customer"},
        {"at": "2025-03-03T11:05:00Z", "kind": "status_changed", "id": "a4", "status": "open",
         "author": "alex.agent"},
        # a comment written by the system user is not an agent reply
        {"at": "2025-03-03T11:15:00Z", "kind": "note_added", "id": "j4", "public": True,
         "author": "system"},
        {"at": "2025-03-03T12:00:00Z", "kind": "priority_changed", "id": "a5", "priority": "high",
         "author": "alex.agent"},
        {"at": "2025-03-03T13:00:00Z", "kind": "agent_replied", "id": "j5", "public": True,
         "author": "alex.agent"},
        # 6 Resolved
        {"at": "2025-03-03T13:00:00Z", "kind": "solved", "id": "a6", "author": "alex.agent"},
        # the audit row a8 of the journal field is not a second comment (comments come from
        # sys_journal_field)
        {"at": "2025-03-03T14:00:00Z", "kind": "customer_replied", "id": "j6",
         "author": "carla.customer"},
        {"at": "2025-03-03T14:00:00Z", "kind": "reopened", "id": "a7", "author": "carla.customer"},
    ]  # fmt: skip
    assert expected == _events(_export())


def test_ticket_id_is_the_number_and_group_is_kept() -> None:
    """The incident's number is the ticket id; its assignment group is kept as 'group'."""
    (timeline,) = servicenow.to_timelines(_export())
    expected = ("INC0010042", {"group": "8a5055c9c61122780043563ef53438e3"})
    assert expected == (timeline.ticket_id, timeline.attributes)


def test_without_users_comments_cannot_be_classified() -> None:
    """Without sys_user rows the caller is unknown: comments are notes, and reported."""
    export = _export()
    del export["sys_user"]
    with pytest.warns(UnmappedValuesWarning, match="author 'alex.agent'"):
        events = _events(export)
    assert "note_added" == events[1]["kind"]


def test_bad_timestamp_names_the_row() -> None:
    """A malformed timestamp is an error naming the incident and the table."""
    export = _export()
    export["sys_journal_field"]["result"][0]["sys_created_on"] = "yesterday"
    with pytest.raises(ExportFormatError, match="INC0010042: sys_journal_field: not a timestamp"):
        servicenow.to_timelines(export)
