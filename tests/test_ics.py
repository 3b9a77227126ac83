"""iCalendar holidays and closures: reading recurring rules and time-zone-aware partial-day
closures, referencing .ics files from policy files, and exporting a year's closures."""

from __future__ import annotations

import io
from datetime import date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from slaclock import Calendar
from slaclock.cli import main
from slaclock.files import PolicyFileError, load_calendar, load_policy
from slaclock.ics import IcsError, closures_from_ics, closures_to_ics, read_ics

FIXTURES = Path(__file__).parent / "fixtures" / "ics"
BERLIN = Calendar(timezone="Europe/Berlin", hours={"mon-fri": "09:00-17:00"})


def test_all_day_events_and_yearly_rules() -> None:
    """RRULE:FREQ=YEARLY repeats New Year; UNTIL and EXDATE bound Founders day; DTEND is
    exclusive (24 and 25 December, not 26)."""
    closures = read_ics(FIXTURES / "holidays.ics", BERLIN, years=(2023, 2026))
    expected = (
        date(2023, 1, 1), date(2023, 9, 15),
        date(2024, 1, 1),  # 2024-09-15 is an EXDATE
        date(2025, 1, 1), date(2025, 9, 15),  # UNTIL=20250915 includes it
        date(2025, 12, 24), date(2025, 12, 25),
        date(2026, 1, 1),
    )  # fmt: skip
    assert expected == closures.holidays
    assert {} == closures.overrides


def test_partial_day_closures_across_dst_changes() -> None:
    """Timed closures are converted into the calendar's zone, instant by instant.

    All-hands 10:00-11:00 New York, weekly from Fri 7 March 2025:
      7 March: EST (UTC-5) -> 15:00-16:00 UTC -> 16:00-17:00 Berlin (CET, UTC+1): open 09-16.
      14 March: the US moved to EDT on 9 March (UTC-4), Europe not yet -> 14:00-15:00 UTC ->
        15:00-16:00 Berlin: open 09-15 and 16-17.
    Maintenance 15:00-16:00 UTC, weekly from Fri 28 March 2025:
      28 March: CET -> 16:00-17:00 Berlin: open 09-16.
      4 April: Europe moved to CEST on 30 March (UTC+2) -> 17:00-18:00 Berlin, after closing:
        no override.
    """
    closures = read_ics(FIXTURES / "closures.ics", BERLIN, years=(2025, 2025))
    assert {
        date(2025, 3, 7): (("09:00", "16:00"),),
        date(2025, 3, 14): (("09:00", "15:00"), ("16:00", "17:00")),
        date(2025, 3, 28): (("09:00", "16:00"),),
    } == closures.overrides
    assert () == closures.holidays


def test_policy_file_references_ics_files_relative_to_itself() -> None:
    """A calendar's ics: entries are read relative to the policy file; business time follows."""
    policy = load_policy(FIXTURES / "policy.yaml")
    calendar = policy.calendar
    assert isinstance(calendar, Calendar)
    assert date(2025, 12, 24) in calendar.holidays
    # Fri 14 March 2025, 09:00-17:00 Berlin minus the 15:00-16:00 all-hands: 7h.
    berlin = ZoneInfo("Europe/Berlin")
    day = datetime(2025, 3, 14, tzinfo=berlin)
    assert timedelta(hours=7) == calendar.elapsed(day, day + timedelta(days=1))
    # Wed 24 December 2025 is closed all day.
    christmas = datetime(2025, 12, 24, tzinfo=berlin)
    assert timedelta(0) == calendar.elapsed(christmas, christmas + timedelta(days=1))


def test_calendar_file_with_ics(tmp_path: Path) -> None:
    """A calendar file (slaclock due/elapsed) may name .ics files too."""
    (tmp_path / "cal.json").write_text(
        '{"timezone": "Europe/Berlin", "hours": {"mon-fri": "09:00-17:00"}, '
        f'"ics": {{"path": "{FIXTURES / "holidays.ics"}", "years": [2025, 2025]}}}}',
        encoding="utf-8",
    )
    calendar = load_calendar(tmp_path / "cal.json")
    assert (date(2025, 1, 1), date(2025, 9, 15), date(2025, 12, 24), date(2025, 12, 25)) == (
        calendar.holidays
    )


def test_missing_ics_file_is_a_policy_file_error(tmp_path: Path) -> None:
    """A missing .ics file names the policy file and the .ics path; the CLI exits 2."""
    policy = tmp_path / "policy.yaml"
    policy.write_text(
        "name: p\ncalendar: {timezone: UTC, ics: [nope.ics]}\nmetrics: {resolution: {}}\n",
        encoding="utf-8",
    )
    with pytest.raises(PolicyFileError, match=r"policy.yaml: .*nope.ics: cannot read"):
        load_policy(policy)
    err = io.StringIO()
    assert 2 == main(["validate", str(policy)], out=io.StringIO(), err=err)
    assert "nope.ics: cannot read" in err.getvalue()


def test_unreadable_ics_text() -> None:
    """Text that is not iCalendar is an IcsError naming the source."""
    with pytest.raises(IcsError, match=r"team\.ics: not a readable iCalendar file"):
        closures_from_ics("hello", BERLIN, source="team.ics")


def test_overnight_span_split_at_midnight_is_refused() -> None:
    """A closure leaving only the after-midnight part of an overnight span cannot be an
    override of the day it started on."""
    night = Calendar(timezone="UTC", hours={"mon": "22:00-02:00"})
    ics = (
        "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//t//EN\r\nBEGIN:VEVENT\r\nUID:x\r\n"
        "DTSTAMP:20250101T000000Z\r\nDTSTART:20250303T220000Z\r\nDTEND:20250304T000000Z\r\n"
        "END:VEVENT\r\nEND:VCALENDAR\r\n"
    )
    with pytest.raises(IcsError, match="cuts an overnight opening span at midnight"):
        closures_from_ics(ics, night, years=(2025, 2025))


def test_export_round_trip() -> None:
    """A year's closures exported to .ics read back as the same holidays and overrides."""
    calendar = BERLIN.model_copy(
        update={
            "holidays": ["2025-01-01", "2025-03-08", "2026-01-01"],  # 8 March is a Saturday
            "country_holidays": {"country": "DE", "subdiv": "BE"},
            "overrides": {"2025-12-24": [["09:00", "13:00"]], "2025-12-31": []},
        }
    )
    text = closures_to_ics(calendar, 2025)
    back = closures_from_ics(text, BERLIN, years=(2025, 2025))
    # Berlin's public holidays of 2025 on weekdays (8 May 2025 was a one-off in Berlin), plus
    # New Year's Eve closed by override; 8 March (Women's Day, a Saturday in 2025, closed
    # anyway) and 2026 are not closures of 2025.
    assert (
        date(2025, 1, 1), date(2025, 4, 18), date(2025, 4, 21), date(2025, 5, 1),
        date(2025, 5, 8), date(2025, 5, 29), date(2025, 6, 9), date(2025, 10, 3), date(2025, 12, 25),
        date(2025, 12, 26), date(2025, 12, 31),
    ) == back.holidays  # fmt: skip
    assert {date(2025, 12, 24): (("09:00", "13:00"),)} == back.overrides
    assert text == closures_to_ics(calendar, 2025)  # deterministic


@given(
    st.sets(st.dates(date(2025, 1, 1), date(2025, 12, 31)), max_size=8),
    st.dictionaries(
        st.dates(date(2025, 1, 1), date(2025, 12, 31)),
        st.tuples(st.integers(9, 12), st.integers(13, 16)),
        max_size=5,
    ),
)
def test_export_then_read_gives_the_closures_back(
    holidays: set[date], shortened: dict[date, tuple[int, int]]
) -> None:
    """Any weekday holidays and shortened weekdays of a year survive export and reading back."""
    holidays = {d for d in holidays if d.weekday() < 5}
    overrides = {
        d: [[f"{a:02d}:00", f"{b:02d}:00"]]
        for d, (a, b) in shortened.items()
        if d.weekday() < 5 and d not in holidays
    }
    calendar = BERLIN.model_copy(update={"holidays": sorted(holidays), "overrides": overrides})
    back = closures_from_ics(closures_to_ics(calendar, 2025), BERLIN, years=(2025, 2025))
    assert tuple(sorted(holidays)) == back.holidays
    expected = {
        d: tuple(tuple(span) for span in spans)
        for d, spans in overrides.items()
        if spans != [["09:00", "17:00"]]
    }
    assert expected == back.overrides


def test_duration_and_date_end_of_a_timed_event() -> None:
    """A timed event may give DURATION instead of DTEND (RFC 5545); 2 hours from 15:00 UTC on
    Monday 3 November 2025 (CET, UTC+1) close 16:00-17:00 Berlin (the rest is after closing)."""
    ics = (
        "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//t//EN\r\nBEGIN:VEVENT\r\nUID:d\r\n"
        "DTSTAMP:20250101T000000Z\r\nDTSTART:20251103T150000Z\r\nDURATION:PT2H\r\n"
        "END:VEVENT\r\nEND:VCALENDAR\r\n"
    )
    closures = closures_from_ics(ics, BERLIN, years=(2025, 2025))
    assert {date(2025, 11, 3): (("09:00", "16:00"),)} == closures.overrides


@given(st.integers(0, 40), st.text(max_size=30))
def test_damaged_ics_files_fail_clearly(line: int, text: str) -> None:
    """A line of the file replaced by anything: closures, or an IcsError naming the source."""
    lines = (FIXTURES / "closures.ics").read_text(encoding="utf-8").splitlines()
    lines[line % len(lines)] = text
    try:
        closures_from_ics("\r\n".join(lines), BERLIN, years=(2025, 2025), source="x.ics")
    except IcsError as exc:
        assert str(exc).startswith("x.ics") or "overnight" in str(exc)


# ---------------------------------------------------------------------------------------------
# Edges: files that used to hang or be misread
BERLIN = Calendar.weekdays("Europe/Berlin")  # Mon-Fri 09:00-17:00


def one_event(body: str) -> str:
    return (
        "BEGIN:VCALENDAR\nVERSION:2.0\nPRODID:-//t//EN\nBEGIN:VEVENT\nUID:closure-1\n"
        f"DTSTAMP:20240101T000000Z\n{body}END:VEVENT\nEND:VCALENDAR\n"
    )


def test_a_rule_repeating_every_second_is_refused_at_the_cap(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """FREQ=SECONDLY over a year is 31 million occurrences: expanding them all took minutes
    and the memory of the machine. Occurrences are read lazily, in order, up to the cap
    (lowered here to keep the test fast; it is 100,000)."""
    monkeypatch.setattr("slaclock.ics.MAX_OCCURRENCES", 50)
    text = one_event("DTSTART:20250102T100000Z\nRRULE:FREQ=SECONDLY\n")
    with pytest.raises(IcsError, match=r"more than 50 occurrences in the years 2025-2025 "
                       r"\(event 'closure-1' among them\)"):  # fmt: skip
        closures_from_ics(text, BERLIN, years=(2025, 2025))
    # Below the cap a rule is expanded as before: 40 daily closures of 2025-01-02 on.
    daily = one_event("DTSTART;VALUE=DATE:20250102\nRRULE:FREQ=DAILY;COUNT=40\n")
    holidays = closures_from_ics(daily, BERLIN, years=(2025, 2025)).holidays
    assert (40, date(2025, 2, 10)) == (len(holidays), holidays[-1])  # Jan 2 + 39 days


def test_expansion_stops_after_the_last_year_asked_for() -> None:
    """A yearly rule with no end, asked for 2025-2026: two closures, the rest never expanded."""
    text = one_event("DTSTART;VALUE=DATE:20200101\nRRULE:FREQ=YEARLY\n")
    closures = closures_from_ics(text, BERLIN, years=(2025, 2026))
    assert (date(2025, 1, 1), date(2026, 1, 1)) == closures.holidays


@pytest.mark.parametrize(
    "years", [(2026, 2025), (1900, 2025), (2025, 2500), (2025,), ("2025", 2026)]
)
def test_years_outside_the_supported_range_or_reversed_are_refused(years: object) -> None:
    text = one_event("DTSTART;VALUE=DATE:20250101\n")
    with pytest.raises(IcsError, match=r"years .* - expected \(first, last\) with 1970 <= first"):
        closures_from_ics(text, BERLIN, years=years)  # type: ignore[arg-type]


def test_an_end_before_the_start_is_refused_naming_the_event() -> None:
    """Read as a closure it used to shorten the day from the wrong side (09:00-10:00 closed)."""
    text = one_event("DTSTART:20250102T100000\nDTEND:20250102T090000\n")
    with pytest.raises(IcsError, match=r"event 'closure-1': DTEND 2025-01-02T09:00:00 is before "
                       r"DTSTART 2025-01-02T10:00:00"):  # fmt: skip
        closures_from_ics(text, BERLIN, years=(2025, 2025))


def test_an_unknown_time_zone_is_refused_not_read_as_local_time() -> None:
    """'Mars/Olympus' is no zone: the instants were silently read in the calendar's zone."""
    text = one_event(
        "DTSTART;TZID=Mars/Olympus:20250102T100000\nDTEND;TZID=Mars/Olympus:20250102T110000\n"
    )
    with pytest.raises(IcsError, match=r"event 'closure-1': DTSTART has an unknown time zone "
                       r"'Mars/Olympus'"):  # fmt: skip
        closures_from_ics(text, BERLIN, years=(2025, 2025))


def test_a_zero_length_closure_changes_nothing() -> None:
    """A timed event with no end lasts no time (RFC 5545): no override (it used to split the
    day's span in two at its instant, 09:00-11:00 and 11:00-17:00)."""
    text = one_event("DTSTART:20250102T100000Z\n")  # 11:00 in Berlin
    assert {} == dict(closures_from_ics(text, BERLIN, years=(2025, 2025)).overrides)


def test_an_event_without_a_start_names_the_property() -> None:
    with pytest.raises(IcsError, match="a component has no DTSTART property"):
        closures_from_ics(one_event("SUMMARY:no start\n"), BERLIN, years=(2025, 2025))
