"""Tests of slaclock.servicelevel: every formula by hand, intervals, bands and bad inputs."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from fractions import Fraction
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st
from pydantic import ValidationError

from slaclock.errors import ReportOptionError
from slaclock.servicelevel import (
    TREATMENTS,
    BandRule,
    Contact,
    IntervalRow,
    ServiceLevelReport,
    abandon_bands,
    bands,
    service_level,
)
from tests.strategies import contact_lists

UTC = timezone.utc
T0 = datetime(2025, 3, 4, 9, 0, tzinfo=UTC)


def _answered(offset: int, wait: float) -> Contact:
    at = T0 + timedelta(seconds=offset)
    return Contact(offered_at=at, answered_at=at + timedelta(seconds=wait))


def _abandoned(offset: int, wait: float) -> Contact:
    at = T0 + timedelta(seconds=offset)
    return Contact(offered_at=at, abandoned_at=at + timedelta(seconds=wait))


# Answered after 10, 20, 21, 40 s; abandoned after 3, 15, 60 s. Threshold 20 s, short 5 s.
# N = 4 answered, a = 2 within 20 s (10 and 20: "within" includes the threshold),
# A = 3 abandoned, b = 2 abandoned within 20 s (3, 15), s = 1 abandoned in under 5 s (3).
CONTACTS = [
    _answered(0, 10),
    _answered(60, 20),
    _answered(120, 21),
    _answered(180, 40),
    _abandoned(240, 3),
    _abandoned(300, 15),
    _abandoned(360, 60),
]


@pytest.mark.parametrize(
    ("treatment", "expected"),
    [
        ("ignored", Fraction(2, 4)),  # a / N = 2 / 4
        ("failures", Fraction(2, 7)),  # a / (N + A) = 2 / 7
        ("excluded_within_threshold", Fraction(2, 5)),  # a / (N + A - b) = 2 / (7 - 2)
        ("successes_within_threshold", Fraction(4, 7)),  # (a + b) / (N + A) = (2 + 2) / 7
        ("short_excluded", Fraction(2, 6)),  # a / (N + A - s) = 2 / (7 - 1)
        ("short_successes", Fraction(3, 7)),  # (a + s) / (N + A) = (2 + 1) / 7
    ],
)
def test_service_level_formulas(treatment: str, expected: Fraction) -> None:
    """Each abandon treatment gives its hand-computed service level."""
    report = service_level(
        CONTACTS,
        threshold=20,
        abandons=treatment,
        short_abandon=5,  # type: ignore[arg-type]
    )
    assert 1 == len(report.rows)
    assert expected == report.rows[0].service_level_fraction()
    assert float(expected) == report.rows[0].service_level


def test_counts_rate_and_speed_of_answer() -> None:
    """Counts, abandonment rate A / (N + A) = 3 / 7 and ASA (10 + 20 + 21 + 40) / 4 = 22.75 s."""
    row = service_level(CONTACTS, threshold="20s", short_abandon="5s").rows[0]
    assert (4, 2, 3, 2, 1, 7) == (
        row.answered,
        row.answered_within,
        row.abandoned,
        row.abandoned_within,
        row.short_abandoned,
        row.offered,
    )
    assert 3 / 7 == row.abandonment_rate
    assert timedelta(seconds=22.75) == row.average_speed_of_answer


def test_interval_of_offer_or_of_end() -> None:
    """A contact offered at 09:14:50 and answered at 09:15:10 is in 09:00 (offer) or 09:15 (end)."""
    contact = _answered(14 * 60 + 50, 20)
    by_offer = service_level([contact], interval="15min")
    by_end = service_level([contact], interval="15min", by_end=True)
    assert T0 == by_offer.rows[0].start
    assert T0 + timedelta(minutes=15) == by_end.rows[0].start
    assert T0 + timedelta(minutes=30) == by_end.rows[0].end


def test_half_hour_intervals_follow_local_wall_clock() -> None:
    """In Asia/Kolkata (+05:30) a 60-minute interval starts on the local hour, at :30 UTC."""
    contact = Contact(
        offered_at=datetime(2025, 3, 4, 4, 40, tzinfo=UTC),
        answered_at=datetime(2025, 3, 4, 4, 41, tzinfo=UTC),
    )
    row = service_level([contact], interval="60min", timezone="Asia/Kolkata").rows[0]
    assert datetime(2025, 3, 4, 4, 30, tzinfo=UTC) == row.start
    assert "10:00" == row.start.strftime("%H:%M")


def test_day_interval_on_a_dst_day_lasts_23_hours() -> None:
    """A New York day interval on 2025-03-09 (spring forward) runs 23 hours."""
    ny = ZoneInfo("America/New_York")
    contact = Contact(
        offered_at=datetime(2025, 3, 9, 12, tzinfo=ny),
        answered_at=datetime(2025, 3, 9, 12, 1, tzinfo=ny),
    )
    row = service_level([contact], interval="day", timezone=ny).rows[0]
    assert datetime(2025, 3, 9, tzinfo=ny) == row.start
    # Subtract in UTC: datetimes sharing a tzinfo subtract by wall clock.
    assert timedelta(hours=23) == row.end.astimezone(UTC) - row.start.astimezone(UTC)


def test_empty_intervals_in_a_range_have_no_service_level() -> None:
    """With start and end, every interval is listed; one without contacts has none."""
    report = service_level(
        [_answered(0, 5)], interval="30min", start=T0, end=T0 + timedelta(hours=2)
    )
    assert [1, 0, 0, 0] == [row.offered for row in report.rows]
    assert [1.0, None, None, None] == [row.service_level for row in report.rows]
    assert ["on_target", "no_contacts", "no_contacts", "no_contacts"] == [
        band for _, band in bands(report, target=0.8)
    ]


def _report(*levels: tuple[int, int]) -> ServiceLevelReport:
    rows = [
        IntervalRow(T0, T0, answered, within, 0, 0, 0, timedelta(0), "ignored")
        for within, answered in levels
    ]
    return ServiceLevelReport(timedelta(seconds=20), "30min", "ignored", None, False, UTC, rows)


def test_band_edges() -> None:
    """Absolute bands, target 80 %: 80 on target, 75 (5 points below) warning, 74.99 act,
    70 (10 points below) act, 69 all hands."""
    report = _report((80, 100), (75, 100), (7499, 10000), (70, 100), (69, 100))
    assert ["on_target", "warning", "act", "act", "all_hands"] == [
        band for _, band in bands(report, target=0.8)
    ]


def test_band_thresholds_are_configurable() -> None:
    """With warning=2 and act=4 points, 77 % against 80 % is 'act'."""
    assert [("act")] == [b for _, b in bands(_report((77, 100)), target=0.8, warning=2, act=4)]


def test_total_adds_up_the_intervals() -> None:
    """total() sums the intervals' counts."""
    report = service_level(CONTACTS, interval="15min", threshold=20)
    assert sum(row.offered for row in report.rows) == report.total().offered == 7


def test_answered_before_offered_is_an_error() -> None:
    """A contact answered before it was offered is refused with both instants named."""
    with pytest.raises(ValidationError, match="answered before it was offered"):
        Contact(offered_at=T0, answered_at=T0 - timedelta(seconds=1))


def test_contact_needs_exactly_one_outcome() -> None:
    """A contact both answered and abandoned (or neither) is refused."""
    with pytest.raises(ValidationError, match="exactly one of 'answered_at' and 'abandoned_at'"):
        Contact(offered_at=T0, answered_at=T0, abandoned_at=T0)
    with pytest.raises(ValidationError, match="exactly one"):
        service_level([{"offered_at": T0}])


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"abandons": "sometimes"}, "unknown treatment 'sometimes'"),
        ({"interval": "10min"}, "unknown interval '10min'"),
        ({"abandons": "short_excluded"}, "needs the cut-off"),
        ({"abandons": "short_successes"}, "needs the cut-off"),
        ({"threshold": -5}, "negative duration"),
        ({"start": T0, "end": T0}, "empty range of intervals"),
        ({"start": T0}, "give both or neither"),
    ],
)
def test_bad_options_are_clear_errors(kwargs: dict[str, object], message: str) -> None:
    """Bad options raise ValueError saying what is expected."""
    with pytest.raises(ValueError, match=message):
        service_level(CONTACTS, **kwargs)  # type: ignore[arg-type]


def test_bad_band_target() -> None:
    """A target given in percent rather than as a share is refused."""
    with pytest.raises(ValueError, match="expected a share"):
        bands(_report((1, 1)), target=80)


@given(contact_lists, st.integers(0, 120))
def test_properties_of_the_treatments(items: list[tuple[int, int, bool]], threshold: int) -> None:
    """Intervals add up to the whole; every treatment is a share; the treatments order as
    failures <= ignored-or-excluded <= successes where the formulas say so."""
    contacts = [
        (_answered if answered else _abandoned)(offset, wait) for offset, wait, answered in items
    ]
    results = {
        name: service_level(contacts, threshold=threshold, abandons=name, short_abandon=10)
        for name in TREATMENTS
    }
    base = results["failures"]
    assert len(contacts) == sum(row.offered for row in base.rows)
    for i, row in enumerate(base.rows):
        failures = row.service_level_fraction()
        assert failures is not None
        for name in TREATMENTS:
            other = results[name].rows[i].service_level_fraction()
            assert other is None or 0 <= failures <= other <= 1
        # Removing the abandons within T never beats counting them as successes:
        # (a + b) / D - a / (D - b) = b (D - a - b) / (D (D - b)) >= 0, and likewise for s.
        for removed, counted in (
            ("excluded_within_threshold", "successes_within_threshold"),
            ("short_excluded", "short_successes"),
        ):
            low = results[removed].rows[i].service_level_fraction()
            high = results[counted].rows[i].service_level_fraction()
            assert high is not None
            assert low is None or low <= high


def _worked_example() -> list[Contact]:
    """1,000 answered (860 within 20 s), 60 abandoned (20 within 20 s, 10 of them short)."""
    return [
        *(_answered(0, 10) for _ in range(860)),  # a = 860: wait 10 s <= 20 s
        *(_answered(0, 30) for _ in range(140)),  # N = 1,000
        *(_abandoned(0, 2) for _ in range(10)),  # s = 10: wait 2 s < 5 s
        *(_abandoned(0, 15) for _ in range(10)),  # b = 20: wait <= 20 s
        *(_abandoned(0, 45) for _ in range(40)),  # A = 60
    ]


@pytest.mark.parametrize(
    ("treatment", "expected", "shown"),
    [
        ("ignored", Fraction(860, 1000), "86.0%"),  # a / N = 860 / 1000
        ("failures", Fraction(860, 1060), "81.1%"),  # a / (N + A) = 860 / 1060 = 0.8113
        # a / (N + A - b) = 860 / (1060 - 20) = 860 / 1040 = 0.8269
        ("excluded_within_threshold", Fraction(860, 1040), "82.7%"),
        # (a + b) / (N + A) = (860 + 20) / 1060 = 880 / 1060 = 0.8302: the standard 83.0 %
        # (the removed 'successes' gave (860 + 60) / 1060 = 86.8 %)
        ("successes_within_threshold", Fraction(880, 1060), "83.0%"),
        ("short_excluded", Fraction(860, 1050), "81.9%"),  # a / (N + A - s) = 860 / 1050 = 0.8190
        (
            "short_successes",
            Fraction(870, 1060),
            "82.1%",
        ),  # (a + s) / (N + A) = 870 / 1060 = 0.8208
    ],
)
def test_worked_example(treatment: str, expected: Fraction, shown: str) -> None:
    """The issue's worked example under every treatment, computed by hand."""
    report = service_level(
        _worked_example(),
        threshold="20s",
        abandons=treatment,  # type: ignore[arg-type]
        short_abandon="5s",
    )
    row = report.rows[0]
    assert (1000, 860, 60, 20, 10) == (
        row.answered,
        row.answered_within,
        row.abandoned,
        row.abandoned_within,
        row.short_abandoned,
    )
    assert expected == row.service_level_fraction()
    assert shown in report.to_table()
    assert TREATMENTS[treatment] in report.to_table().splitlines()[0]


@pytest.mark.parametrize(
    ("old", "replacement"),
    [("successes", "successes_within_threshold"), ("short_abandon", "short_excluded")],
)
def test_retired_treatments_name_their_replacement(old: str, replacement: str) -> None:
    """The removed treatment names are errors naming what to use instead."""
    with pytest.raises(ReportOptionError, match=replacement):
        service_level(CONTACTS, abandons=old, short_abandon=5)  # type: ignore[arg-type]


def test_short_abandon_cut_off_is_exclusive() -> None:
    """With a 5 s cut-off an abandon after 4.999999 s is short, one after exactly 5 s is not."""
    contacts = [_answered(0, 1), _abandoned(1, 4.999999), _abandoned(2, 5)]
    row = service_level(contacts, abandons="short_excluded", short_abandon="5s").rows[0]
    assert 1 == row.short_abandoned
    assert Fraction(1, 2) == row.service_level_fraction()  # a / (N + A - s) = 1 / (3 - 1)
    row = row.replace_treatment("short_successes")
    assert Fraction(2, 3) == row.service_level_fraction()  # (a + s) / (N + A) = (1 + 1) / 3


@pytest.mark.parametrize(
    ("treatment", "expected", "band"),
    [
        ("ignored", None, "all_abandoned"),  # a / N = 0 / 0
        ("failures", Fraction(0), "all_hands"),  # a / (N + A) = 0 / 3
        ("excluded_within_threshold", None, "all_abandoned"),  # 0 / (0 + 3 - 3)
        ("successes_within_threshold", Fraction(1), "on_target"),  # (0 + 3) / 3
        ("short_excluded", None, "all_abandoned"),  # 0 / (0 + 3 - 3): all waited 5 s < 10 s
        ("short_successes", Fraction(1), "on_target"),  # (0 + 3) / 3
    ],
)
def test_all_abandoned_interval_is_not_no_contacts(
    treatment: str, expected: Fraction | None, band: str
) -> None:
    """An interval where all three callers hung up (after 5 s) is never labelled no_contacts."""
    contacts = [_abandoned(0, 5), _abandoned(1, 5), _abandoned(2, 5)]
    report = service_level(
        contacts,
        threshold=20,
        abandons=treatment,  # type: ignore[arg-type]
        short_abandon=10,
    )
    assert expected == report.rows[0].service_level_fraction()
    assert [band] == [b for _, b in bands(report, target=0.8)]
    assert band in report.to_table(0.8)
    assert ["all_hands"] == [b for _, b in abandon_bands(report)]  # 3 / 3 = 100 % abandoned


def test_relative_band_edges() -> None:
    """Relative bands, target 50 %: warning up to 5 % of 50 = 2.5 points below (47.5 %), act up
    to 10 % of 50 = 5 points below (45 %)."""
    report = _report((500, 1000), (475, 1000), (474, 1000), (450, 1000), (449, 1000))
    assert ["on_target", "warning", "act", "act", "all_hands"] == [
        band for _, band in bands(report, target=0.5, scale="relative")
    ]
    # The same figures in absolute points: 45 % is 5 points below, still a warning.
    assert ["on_target", "warning", "warning", "warning", "act"] == [
        band for _, band in bands(report, target=0.5)
    ]


def _abandon_report(*rates: tuple[int, int]) -> ServiceLevelReport:
    rows = [
        IntervalRow(T0, T0, offered - lost, 0, lost, 0, 0, timedelta(0), "failures")
        for lost, offered in rates
    ]
    return ServiceLevelReport(timedelta(seconds=20), "30min", "failures", None, False, UTC, rows)


def test_abandon_rate_band_edges() -> None:
    """Abandon rate at most 5 %: 5 % on target, 7 % (2 points above) warning, 7.01 % act,
    10 % (5 points above) act, 10.01 % all hands; nobody offered: no_contacts."""
    report = _abandon_report((5, 100), (7, 100), (701, 10000), (10, 100), (1001, 10000), (0, 0))
    assert ["on_target", "warning", "act", "act", "all_hands", "no_contacts"] == [
        band for _, band in abandon_bands(report)
    ]
    # Relative: warning up to 20 % of 5 = 1 point above (6 %), act up to 40 % = 2 points (7 %).
    relative = _abandon_report((6, 100), (601, 10000), (7, 100), (701, 10000))
    assert ["warning", "act", "act", "all_hands"] == [
        band for _, band in abandon_bands(relative, warning=20, act=40, scale="relative")
    ]


def test_tables_say_which_bands() -> None:
    """The table states the formula, the boundaries and whether bands are absolute or relative."""
    report = service_level(CONTACTS, threshold=20, abandons="failures")
    text = report.to_table(
        bands=BandRule(target=0.5, scale="relative"),
        abandon_bands=BandRule(target=0.05, warning=2, act=5, higher_is_better=False),
    )
    lines = text.splitlines()
    assert lines[0].startswith("service level = a / (N + A) (abandons=failures)")
    assert "[start, end)" in lines[0]
    assert lines[1] == (
        "band: target at least 50%; warning up to 5% of the target (2.5 points) below, act up "
        "to 10% of the target (5 points) below, all_hands beyond (relative bands)"
    )
    assert lines[2] == (
        "abandon_band: abandon rate target at most 5%; warning up to 2 points above, act up to "
        "5 points above, all_hands beyond (absolute bands)"
    )


def test_rows_are_labelled_by_what_they_cover() -> None:
    """A report from 09:10 to 10:45 starts with 09:10-09:30 and ends with 10:30-10:45; a contact
    offered at 10:45 exactly is outside the half-open range."""
    report = service_level(
        [_answered(10 * 60, 5), _answered(105 * 60, 5)],
        start=T0 + timedelta(minutes=10),
        end=T0 + timedelta(minutes=105),
    )
    assert [
        "2025-03-04 09:10-09:30",
        "2025-03-04 09:30-10:00",
        "2025-03-04 10:00-10:30",
        "2025-03-04 10:30-10:45",
    ] == [row.label for row in report.rows]
    assert T0 + timedelta(minutes=10) == report.rows[0].start
    assert [1, 0, 0, 0] == [row.offered for row in report.rows]


def test_day_rows_are_labelled_by_date() -> None:
    """A whole local day is labelled by its date; the last half hour ends at 24:00."""
    day = service_level([_answered(0, 5)], interval="day", timezone="Europe/Berlin")
    assert "2025-03-04" == day.rows[0].label
    late = Contact(
        offered_at=datetime(2025, 3, 4, 22, 45, tzinfo=UTC),
        answered_at=datetime(2025, 3, 4, 22, 46, tzinfo=UTC),
    )
    assert "2025-03-04 23:30-24:00" == service_level([late], timezone="Europe/Berlin").rows[0].label
