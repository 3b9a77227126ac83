"""The shared importer rules, as properties: whatever order a source's statuses come in, the
events say the status the table maps the last one to; an unmapped value is never dropped."""

from __future__ import annotations

import warnings

from hypothesis import given
from hypothesis import strategies as st

from slaclock.importers import zendesk
from slaclock.importers.common import TicketBuilder, UnmappedReport, UnmappedValuesWarning
from slaclock.timeline import STATUS_OF_KIND

ZENDESK_STATUSES = sorted(zendesk.STATUSES)


def _status_after(events: list[dict[str, object]]) -> str:
    """The status the engine's rule gives after the events: an event's own status, or the one
    its kind implies (solved, reopened -> open, closed)."""
    status = "new"
    for event in events:
        new = event.get("status") or STATUS_OF_KIND.get(str(event["kind"]))
        if new is not None:
            status = str(new)
    return status


@given(st.lists(st.sampled_from(ZENDESK_STATUSES), max_size=12))
def test_events_track_the_mapped_status(statuses: list[str]) -> None:
    """After each source status change, the events imply the mapped status of that change."""
    report = UnmappedReport("zendesk", strict=True)
    builder = TicketBuilder("T", zendesk.STATUSES, zendesk.PRIORITIES, report)
    builder.created("2025-01-01T00:00:00Z", status="new", priority=None, attributes={}, id="c")
    for minute, status in enumerate(statuses, start=1):
        builder.status(f"2025-01-01T00:{minute:02d}:00Z", status, id=f"s{minute}", author=None)
        events = [e.model_dump(mode="json", exclude_none=True) for e in builder.timeline().events]
        assert zendesk.STATUSES[status] == _status_after(events)


@given(st.lists(st.text(min_size=1, max_size=8), min_size=1, max_size=5))
def test_unmapped_statuses_are_kept_and_all_reported(raw: list[str]) -> None:
    """Unknown statuses are kept as written and every one is listed in the single warning."""
    unknown = [f"x-{value}" for value in raw]  # never a table key
    report = UnmappedReport("zendesk", strict=False)
    builder = TicketBuilder("T", zendesk.STATUSES, zendesk.PRIORITIES, report)
    builder.created("2025-01-01T00:00:00Z", status="new", priority=None, attributes={}, id="c")
    for minute, status in enumerate(unknown, start=1):
        builder.status(f"2025-01-01T00:{minute:02d}:00Z", status, id=f"s{minute}", author=None)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        report.finish()
    (warning,) = [w.message for w in caught]
    assert isinstance(warning, UnmappedValuesWarning)
    assert sorted(set(unknown)) == sorted(u.value for u in warning.unmapped)
    kept = [e.status for e in builder.timeline().events if e.kind == "status_changed"]
    deduplicated = [s for i, s in enumerate(unknown) if i == 0 or s != unknown[i - 1]]
    assert deduplicated == kept


def test_a_timeline_level_refusal_names_the_ticket_and_the_offending_value() -> None:
    """A refusal of the whole timeline (here an event before 'created', which pydantic reports
    at no field) is an ExportFormatError with the timeline's own message, no dangling ': ',
    and the offending event as its value, not the whole ticket."""
    from slaclock.importers.common import ExportFormatError

    report = UnmappedReport("zendesk", strict=False)
    builder = TicketBuilder("43", {"solved": "solved"}, {}, report)
    builder.created("2025-03-07T10:00:00Z", status=None, priority=None, attributes={}, id="1")
    builder.status("2025-03-07T09:00:00Z", "solved", id="2", author=None)
    try:
        builder.timeline()
    except ExportFormatError as exc:
        error = exc
    else:
        raise AssertionError("an event before 'created' was accepted")
    assert (
        "zendesk: ticket 43: event '2' (solved at 2025-03-07T09:00:00Z) is before the ticket was "
        "created at 2025-03-07T10:00:00Z - expected every event at or after 'created'"
    ) == str(error)
    assert ("solved", "2") == (error.value.kind, error.value.id)
