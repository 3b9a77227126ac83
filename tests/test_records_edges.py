"""Edge cases of slaclock.records: no attribute is lost when its name is taken by a field or by
the renamed form of another attribute."""

from __future__ import annotations

from slaclock import evaluate
from slaclock.records import cycle_record, ticket_row
from slaclock.synthetic import DEFAULT_POLICY

# Attributes named like record fields (state, priority) beside attributes that already carry the
# names those would be renamed to (attribute_state, attribute_priority).
TICKET = {
    "ticket_id": "X",
    "attributes": {
        "priority": "normal",
        "state": "NY",
        "attribute_state": "mine",
        "attribute_priority": "user-value",
    },
    "events": [{"at": "2025-03-03T15:00:00Z", "kind": "created"}],
}


def test_a_renamed_attribute_never_overwrites_another() -> None:
    """'state' (a field) becomes attribute_state, which the ticket already has, so it is
    prefixed again: every attribute value is in the record (the user's 'attribute_state' and
    'attribute_priority' used to be overwritten by the renamed 'state' and 'priority')."""
    result = evaluate(DEFAULT_POLICY, TICKET)
    record = cycle_record(result, result.metrics["first_response"].cycles[0])
    assert ("running", "normal") == (record["state"], record["priority"])
    assert "mine" == record["attribute_state"]
    assert "user-value" == record["attribute_priority"]
    assert "NY" == record["attribute_attribute_state"]
    assert "normal" == record["attribute_attribute_priority"]
    row = ticket_row(result)
    assert ("normal", "user-value") == (row["priority"], row["attribute_priority"])
    assert ("NY", "mine") == (row["state"], row["attribute_state"])
