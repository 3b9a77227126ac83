"""Quickstart: a calendar, a policy and one ticket, evaluated as of an instant.

Run: .venv/bin/python examples/quickstart.py
"""

from datetime import datetime
from zoneinfo import ZoneInfo

from slaclock import Calendar, Policy, Timeline, evaluate

berlin = ZoneInfo("Europe/Berlin")
calendar = Calendar.weekdays("Europe/Berlin", "09:00", "17:00", country="DE", subdiv="BE")
policy = Policy(
    name="support",
    calendar=calendar,
    metrics={
        "first_response": {"targets": {"urgent": "1h", "normal": "4h"}},
        "resolution": {"targets": {"urgent": "8h", "normal": "2 business days"}},
    },
)
ticket = Timeline.model_validate(
    {
        "ticket_id": "T-1",
        "attributes": {"priority": "normal"},
        "events": [
            {"at": "2025-03-07T16:30:00+01:00", "kind": "created"},
            {"at": "2025-03-07T16:50:00+01:00", "kind": "agent_replied"},
            {"at": "2025-03-07T16:51:00+01:00", "kind": "status_changed", "status": "pending"},
        ],
    }
)

if __name__ == "__main__":
    print("Friday 16:30 + 4 business hours =", calendar.add(datetime(2025, 3, 7, 16, 30, tzinfo=berlin), "4h"))
    print(evaluate(policy, ticket, as_of=datetime(2025, 3, 10, 12, 0, tzinfo=berlin)))
