"""Zendesk importer: the Ticket Audits fixture, event by event.

Fixture shapes: https://developer.zendesk.com/api-reference/ticketing/tickets/ticket_audits/ and
https://developer.zendesk.com/documentation/ticketing/reference-guides/ticket-audit-events-reference
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from slaclock.importers import ImportOptions, UnmappedValueError, UnmappedValuesWarning, zendesk

FIXTURE = Path(__file__).parent / "fixtures" / "importers" / "zendesk.json"


def _export() -> Any:
    return json.loads(FIXTURE.read_text(encoding="utf-8"))


def _events(export: Any, options: ImportOptions | None = None) -> list[dict[str, Any]]:
    (timeline,) = zendesk.to_timelines(export, options)
    return [e.model_dump(mode="json", exclude_none=True) for e in timeline.events]


def test_ticket_events_by_hand() -> None:
    """Each audit event becomes the event a reader of the audit log would expect."""
    expected = [
        # audit 1001: the creation (its comment is the ticket's description)
        {"at": "2025-03-03T09:00:00Z", "kind": "created", "id": "audit/1001", "status": "new",
         "priority": "normal", "author": "900"},
        # audit 1002: a trigger's notification: nothing for the clocks
        # audit 1003: the agent's first public reply, and new -> open
        {"at": "2025-03-03T09:30:00Z", "kind": "agent_replied", "id": "10031", "public": True,
         "author": "501"},
        {"at": "2025-03-03T09:30:00Z", "kind": "status_changed", "id": "10032", "status": "open",
         "author": "501"},
        # audit 1004: a private comment is an internal note, not a reply
        {"at": "2025-03-03T09:45:00Z", "kind": "note_added", "id": "10041", "public": False,
         "author": "501"},
        {"at": "2025-03-03T10:00:00Z", "kind": "status_changed", "id": "10051",
         "status": "pending", "author": "501"},
        # audit 1006: the requester answers by email; Zendesk reopens pending -> open
        {"at": "2025-03-03T11:00:00Z", "kind": "customer_replied", "id": "10061",
         "author": "900"},
        {"at": "2025-03-03T11:00:00Z", "kind": "status_changed", "id": "10062", "status": "open",
         "author": "900"},
        # audit 1007: a trigger posts a public comment in the agent's name: not an agent reply
        {"at": "2025-03-03T11:15:00Z", "kind": "note_added", "id": "10071", "public": True,
         "author": "501"},
        # audit 1008: priority normal -> high (the tags change is not kept by default)
        {"at": "2025-03-03T12:00:00Z", "kind": "priority_changed", "id": "10081",
         "priority": "high", "author": "501"},
        {"at": "2025-03-03T13:00:00Z", "kind": "agent_replied", "id": "10091", "public": True,
         "author": "501"},
        {"at": "2025-03-03T13:00:00Z", "kind": "solved", "id": "10092", "author": "501"},
        # audit 1010: the requester answers a solved ticket: solved -> open is a reopen
        {"at": "2025-03-03T14:00:00Z", "kind": "customer_replied", "id": "10101",
         "author": "900"},
        {"at": "2025-03-03T14:00:00Z", "kind": "reopened", "id": "10102", "author": "900"},
    ]  # fmt: skip
    assert expected == _events(_export())


def test_ticket_id_and_kept_attributes() -> None:
    """The ticket keeps Zendesk's id and, by default, its group as 'group'."""
    (timeline,) = zendesk.to_timelines(_export())
    assert ("4701", {"group": 360001}) == (timeline.ticket_id, timeline.attributes)


def test_attributes_asked_for_are_kept_with_their_changes() -> None:
    """A field the user asks for is kept at creation and on each change."""
    options = ImportOptions(attributes={"group_id": "group", "tags": "tags"})
    (timeline,) = zendesk.to_timelines(_export(), options)
    changes = [(e.id, e.attributes) for e in timeline.events if e.kind == "attributes_changed"]
    assert [("10082", {"tags": ["billing"]})] == changes


def test_status_override() -> None:
    """A status table entry given by the user replaces the default (hold -> pending here)."""
    export = _export()
    export["audits"]["audits"][4]["events"][0]["value"] = "hold"
    events = _events(export, ImportOptions(statuses={"hold": "pending"}))
    assert "pending" == events[4]["status"]
    assert "on_hold" == _events(export)[4]["status"]  # the default table


def test_unknown_status_and_author_are_reported() -> None:
    """An unknown status is kept as is and a comment by an unknown user is a note; both are
    listed in one warning."""
    export = _export()
    export["audits"]["audits"][4]["events"][0]["value"] = "waiting_on_vendor"
    export["audits"]["users"] = [u for u in export["audits"]["users"] if u["id"] != 501]
    with pytest.warns(UnmappedValuesWarning) as caught:
        events = _events(export)
    assert "waiting_on_vendor" == events[4]["status"]
    assert "note_added" == events[1]["kind"]
    unmapped = caught[0].message.unmapped  # type: ignore[union-attr]
    assert [("author", "501"), ("status", "waiting_on_vendor")] == sorted(
        (u.what, u.value) for u in unmapped
    )


def test_strict_mode_raises() -> None:
    """strict=True turns the report into an error naming the value."""
    export = _export()
    export["audits"]["audits"][7]["events"][0]["value"] = "p1"
    with pytest.raises(UnmappedValueError, match="priority 'p1' \\(tickets 4701\\)"):
        zendesk.to_timelines(export, ImportOptions(strict=True))


def test_custom_field_kept_by_its_id() -> None:
    """A custom field, named by its id in Create and Change events, is kept when asked for."""
    export = _export()
    audits = export["audits"]["audits"]
    audits[0]["events"].append({"id": 10017, "type": "Create", "field_name": "360012345678",
                                "value": "billing"})  # fmt: skip
    audits[7]["events"].append({"id": 10083, "type": "Change", "field_name": "360012345678",
                                "value": "invoices", "previous_value": "billing"})  # fmt: skip
    options = ImportOptions(attributes={"360012345678": "product"})
    (timeline,) = zendesk.to_timelines(export, options)
    changes = [(e.id, e.attributes) for e in timeline.events if e.kind == "attributes_changed"]
    assert ({"product": "billing"}, [("10083", {"product": "invoices"})]) == (
        timeline.attributes,
        changes,
    )
