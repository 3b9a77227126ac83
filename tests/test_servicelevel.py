"""Tests of slaclock.servicelevel: every formula by hand, intervals, bands and bad inputs."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from fractions import Fraction
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st
from pydantic import ValidationError

from slaclock.servicelevel import Contact, IntervalRow, ServiceLevelReport, bands, service_level
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
        ("successes", Fraction(5, 7)),  # (a + A) / (N + A) = (2 + 3) / 7
        ("excluded_within_threshold", Fraction(2, 5)),  # a / (N + A - b) = 2 / (7 - 2)
        ("short_abandon", Fraction(2, 6)),  # a / (N + A - s) = 2 / (7 - 1)
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
    """Target 80 %: 80 on target, 75 (5 below) warning, 70 (10 below) act, 69 all hands."""
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
        ({"abandons": "short_abandon"}, "needs the cut-off"),
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
        for name in (
            "ignored",
            "failures",
            "successes",
            "excluded_within_threshold",
            "short_abandon",
        )
    }
    base = results["failures"]
    assert len(contacts) == sum(row.offered for row in base.rows)
    for i, row in enumerate(base.rows):
        failures = row.service_level_fraction()
        assert failures is not None
        for name in ("ignored", "excluded_within_threshold", "short_abandon", "successes"):
            other = results[name].rows[i].service_level_fraction()
            assert other is None or 0 <= failures <= other <= 1
