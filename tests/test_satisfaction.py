"""Tests of slaclock.satisfaction: CSAT, NPS and response rate by hand, answers that change,
tickets without an answer, grouping, bands and satisfaction of met against breached SLAs."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from fractions import Fraction
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from slaclock import Timeline
from slaclock.bands import BandRule, NpsBandRule
from slaclock.errors import ReportOptionError
from slaclock.satisfaction import (
    Answer,
    SatisfactionRow,
    Survey,
    csat,
    nps,
    response_rate,
    satisfaction_by_sla,
    satisfaction_event,
    survey_of,
    surveys,
)
from slaclock.tables import Score
from tests.strategies import survey_answers

UTC = timezone.utc
T0 = datetime(2025, 3, 3, 9, tzinfo=UTC)  # a Monday


def _ticket(
    ticket_id: str,
    *events: tuple[int, str, dict[str, Any] | None],
    attributes: dict[str, Any] | None = None,
    day: int = 0,
) -> Timeline:
    """A ticket created ``day`` days after T0 with events ``(minutes after creation, kind, attrs)``."""
    created = T0 + timedelta(days=day)
    return Timeline.model_validate(
        {
            "ticket_id": ticket_id,
            "attributes": attributes or {},
            "events": [
                {"at": created, "kind": "created"},
                *(
                    {
                        "at": created + timedelta(minutes=m),
                        "kind": kind,
                        **({"attributes": a} if a else {}),
                    }
                    for m, kind, a in events
                ),
            ],
        }
    )


def _rated(minute: int, score: int | str, scale: str) -> tuple[int, str, dict[str, Any]]:
    return (minute, "satisfaction_rated", {"score": score, "scale": scale})


def _stars(*scores: int) -> list[Timeline]:
    return [_ticket(f"S{i}", _rated(60, s, "stars")) for i, s in enumerate(scores)]


@pytest.mark.parametrize(
    ("satisfied_from", "expected"),
    [
        (4, Fraction(3, 6)),  # 5, 4, 4 satisfied (the two 4s are ties at the cut-off): 3 / 6
        (5, Fraction(1, 6)),  # only the 5: 1 / 6
        (3, Fraction(4, 6)),  # 5, 4, 4, 3: 4 / 6
        (1, Fraction(6, 6)),  # every answer
    ],
)
def test_csat_stars_with_ties_at_the_cut_off(satisfied_from: int, expected: Fraction) -> None:
    """CSAT over 5, 4, 4, 3, 2, 1 stars: a score equal to the cut-off is satisfied."""
    row = csat(_stars(5, 4, 4, 3, 2, 1), satisfied_from=satisfied_from).rows[0]
    assert 6 == row.answered
    assert expected == row.csat_fraction()


def test_csat_good_bad_as_zendesk_records_it() -> None:
    """good, good_with_comment, bad, bad_with_comment: 2 / 4 satisfied (Zendesk's score values,
    https://developer.zendesk.com/api-reference/ticketing/ticket-management/satisfaction_ratings/)."""
    tickets = [
        _ticket(f"G{i}", _rated(30, score, "good_bad"))
        for i, score in enumerate(("good", "good_with_comment", "bad", "bad_with_comment"))
    ]
    row = csat(tickets).rows[0]
    assert (4, 2) == (row.answered, row.satisfied)
    assert 0.5 == row.csat


@pytest.mark.parametrize(
    ("scores", "expected"),
    [
        # promoters 10, 9; passives 8, 7; detractors 6 (the edge), 0: 100 * (2 - 2) / 6 = 0
        ((10, 9, 8, 7, 6, 0), Fraction(0)),
        # 30 % promoters and 20 % detractors give +10, as in
        # https://annualreport2018.dela.nl/begrippenlijst/net-promotor-score
        ((9, 9, 10, 7, 7, 8, 8, 7, 3, 6), Fraction(10)),
        ((9, 10), Fraction(100)),  # all promoters
        ((6, 0, 5), Fraction(-100)),  # all detractors
        ((9, 8, 7), Fraction(100, 3)),  # 100 * (1 - 0) / 3 = 33.3
    ],
)
def test_nps_by_hand(scores: tuple[int, ...], expected: Fraction) -> None:
    """NPS = 100 * (promoters 9-10 - detractors 0-6) / answers, from -100 to 100."""
    tickets = [_ticket(f"N{i}", _rated(10, s, "nps")) for i, s in enumerate(scores)]
    row = nps(tickets).rows[0]
    assert expected == row.nps_fraction()
    assert len(scores) == row.promoters + row.passives + row.detractors


def test_nps_shows_as_a_whole_number_in_tables() -> None:
    """Text tables show NPS rounded to a whole number (halves away from zero), the rows keep it
    exactly. By team: all detractors (6, 0, 5) 100 * (0 - 3) / 3 = -100 (was "-100.00");
    one promoter of three (9, 8, 7) 100 / 3 = 33.33 -> 33; eight answers, 3 promoters and 2
    detractors (9, 9, 10, 7, 8, 8, 6, 0) 100 * (3 - 2) / 8 = 12.5 -> 13; two promoters and
    three detractors of eight (9, 10, 7, 7, 8, 0, 1, 2) 100 * (2 - 3) / 8 = -12.5 -> -13."""
    teams = {
        "a": (6, 0, 5),
        "b": (9, 8, 7),
        "c": (9, 9, 10, 7, 8, 8, 6, 0),
        "d": (9, 10, 7, 7, 8, 0, 1, 2),
    }
    tickets = [
        _ticket(f"{team}{i}", _rated(10, s, "nps"), attributes={"team": team})
        for team, scores in teams.items()
        for i, s in enumerate(scores)
    ]
    report = nps(tickets, by=("team",))
    table = report.to_table().splitlines()
    assert "team  answered  promoters  passives  detractors   nps" == table[0]
    assert ["-100", "33", "13", "-13"] == [line.split()[-1] for line in table[1:]]
    exact = [row.nps_fraction() for row in report.rows]
    assert [Fraction(-100), Fraction(100, 3), Fraction(25, 2), Fraction(-25, 2)] == exact
    # satisfaction of met against breached SLAs: NPS 100 * (1 - 2) / 3 = -33.3 -> -33
    answers = [_survey("A", None, 10), _survey("B", None, 0), _survey("C", None, 3)]
    records = [{"ticket_id": t, "metric": "resolution", "state": "met"} for t in "ABC"]
    by_sla = satisfaction_by_sla(answers, records).to_table().splitlines()
    assert ["resolution", "met", "3", "0", "-", "3", "-33"] == by_sla[1].split()


def test_score_rounds_halves_away_from_zero_and_never_shows_minus_zero() -> None:
    """Score.display: 12.5 -> 13, -12.5 -> -13, 0.5 -> 1, 2.49 -> 2, -0.4 -> 0 (not "-0")."""
    values = (12.5, -12.5, 0.5, 2.49, -0.4, -0.0, -100.0)
    assert ["13", "-13", "1", "2", "0", "0", "-100"] == [Score(v).display() for v in values]


def test_changed_answer_the_last_counts() -> None:
    """An answer of 2 stars changed to 5 the next day counts as 5; as of before the change, 2."""
    ticket = _ticket("C", _rated(60, 2, "stars"), _rated(24 * 60, 5, "stars"))
    assert 5 == survey_of(ticket).csat.score  # type: ignore[union-attr]
    assert 2 == survey_of(ticket, T0 + timedelta(hours=2)).csat.score  # type: ignore[union-attr]
    assert survey_of(ticket, T0 + timedelta(minutes=59)).csat is None  # not answered yet
    # as of the instant of the change, it is known
    assert 5 == survey_of(ticket, T0 + timedelta(days=1)).csat.score  # type: ignore[union-attr]
    assert Fraction(1) == csat([ticket]).rows[0].csat_fraction()
    assert Fraction(0) == csat([ticket], as_of=T0 + timedelta(hours=2)).rows[0].csat_fraction()


def test_two_answers_at_one_instant_the_one_listed_last_counts() -> None:
    """Answers at the same instant keep their order: the later in the input counts."""
    ticket = _ticket("D", _rated(60, "bad", "good_bad"), _rated(60, "good", "good_bad"))
    assert "good" == survey_of(ticket).csat.score  # type: ignore[union-attr]


def test_answer_instants_are_compared_exactly_across_zones() -> None:
    """A 2-star answer at 10:30+01:00 (09:30Z) is before a 5-star one at 09:45Z: 5 counts."""
    plus_one = timezone(timedelta(hours=1))
    ticket = Timeline.model_validate(
        {
            "ticket_id": "Z",
            "events": [
                {"at": T0, "kind": "created"},
                satisfaction_event(datetime(2025, 3, 3, 9, 45, tzinfo=UTC), 5, "stars"),
                satisfaction_event(datetime(2025, 3, 3, 10, 30, tzinfo=plus_one), 2, "stars"),
            ],
        }
    )
    assert 5 == survey_of(ticket).csat.score  # type: ignore[union-attr]


def test_csat_and_nps_are_separate_surveys() -> None:
    """A ticket with a 4-star CSAT answer and a later NPS 3 keeps both."""
    survey = survey_of(_ticket("B", _rated(5, 4, "stars"), _rated(10, 3, "nps")))
    assert (4, 3) == (survey.csat.score, survey.nps.score)  # type: ignore[union-attr]


def test_tickets_without_an_answer_are_not_counted() -> None:
    """Two answered tickets and one without: CSAT 1 / 2; NPS has no answers, so no rows (not a
    group of zeros); a row without answers rates as no_answers."""
    tickets = [*_stars(5, 1), _ticket("none")]
    row = csat(tickets).rows[0]
    assert (2, 1) == (row.answered, row.satisfied)
    assert [] == nps(tickets).rows
    empty = SatisfactionRow((), 1, 0, 0, 0, 0, 0, 0)
    assert (None, None) == (empty.nps, empty.csat)
    assert "no_answers" == nps(tickets).rate(empty, NpsBandRule(target=0))


def test_imported_final_score() -> None:
    """A ticket attribute carries the final score; an answer event wins over it."""
    imported = _ticket(
        "I",
        attributes={
            "satisfaction_score": 9,
            "satisfaction_scale": "nps",
            "satisfaction_rated_at": "2025-03-04T10:00:00Z",
        },
    )
    survey = survey_of(imported)
    assert (9, datetime(2025, 3, 4, 10, tzinfo=UTC), True) == (
        survey.nps.score,  # type: ignore[union-attr]
        survey.nps.at,  # type: ignore[union-attr]
        survey.offered,
    )
    both = _ticket(
        "J",
        _rated(30, 2, "nps"),
        attributes={"satisfaction_score": 9, "satisfaction_scale": "nps"},
    )
    assert 2 == survey_of(both).nps.score  # type: ignore[union-attr]


def test_response_rate_by_hand() -> None:
    """Offered: A (offer + answer), B (offer only), D (answer only), E (Zendesk 'offered');
    not offered: C (nothing), F ('unoffered'). Responded: A, D. Rate 2 / 4."""
    tickets = [
        _ticket("A", (0, "satisfaction_offered", None), _rated(60, "good", "good_bad")),
        _ticket("B", (0, "satisfaction_offered", None)),
        _ticket("C"),
        _ticket("D", _rated(60, 7, "nps")),
        _ticket("E", attributes={"satisfaction_score": "offered"}),
        _ticket("F", attributes={"satisfaction_score": "unoffered"}),
    ]
    row = response_rate(tickets).rows[0]
    assert (4, 2) == (row.offered, row.responded)
    assert Fraction(1, 2) == row.response_rate_fraction()
    assert "50.0%" in response_rate(tickets).to_table()


def test_by_attribute_and_period() -> None:
    """CSAT by group and ISO week of creation: billing W10 1/2, billing W11 1/1, sales W10 0/1."""
    tickets = [
        _ticket("1", _rated(5, 5, "stars"), attributes={"group": "billing"}),
        _ticket("2", _rated(5, 2, "stars"), attributes={"group": "billing"}, day=1),
        _ticket("3", _rated(5, 4, "stars"), attributes={"group": "billing"}, day=7),
        _ticket("4", _rated(5, 3, "stars"), attributes={"group": "sales"}),
    ]
    report = csat(tickets, by=["group"], period="week")
    assert [
        (("billing", "2025-W10"), Fraction(1, 2)),
        (("billing", "2025-W11"), Fraction(1)),
        (("sales", "2025-W10"), Fraction(0)),
    ] == [(row.key, row.csat_fraction()) for row in report.rows]
    assert sum(row.answered for row in report.rows) == csat(tickets).rows[0].answered == 4


def test_period_of_the_answer() -> None:
    """With anchor='answered_at' a ticket created Sunday 2025-03-09 and rated Monday is in W11."""
    ticket = _ticket("W", _rated(24 * 60, 5, "stars"), day=6)
    assert [("2025-W10",)] == [row.key for row in csat([ticket], period="week").rows]
    assert [("2025-W11",)] == [
        row.key for row in csat([ticket], period="week", anchor="answered_at").rows
    ]


def test_bands_for_csat_and_nps() -> None:
    """CSAT 50 % against 60 %: 10 points below is 'act' (absolute), 'all_hands' relative
    (act reaches 10 % x 60 = 6 points). NPS 0 against 5: 5 below is 'warning'."""
    report = csat(_stars(5, 4, 2, 1))
    row = report.rows[0]
    assert "act" == report.rate(row, BandRule(target=0.6))
    assert "all_hands" == report.rate(row, BandRule(target=0.6, scale="relative"))
    assert "(absolute bands)" in report.to_table(BandRule(target=0.6)).splitlines()[0]
    scores = nps([_ticket(f"n{i}", _rated(5, s, "nps")) for i, s in enumerate((9, 0))])
    assert "warning" == scores.rate(scores.rows[0], NpsBandRule(target=5))
    assert "act" == scores.rate(scores.rows[0], NpsBandRule(target=5.01))


def test_wrong_band_rule_for_the_measure() -> None:
    """An NPS report rated with a share rule (or CSAT with an NPS rule) is an error."""
    with pytest.raises(ReportOptionError, match="expected NpsBandRule"):
        nps(_stars(5)).to_table(BandRule(target=0.5))
    with pytest.raises(ReportOptionError, match="expected BandRule"):
        csat(_stars(5)).to_table(NpsBandRule(target=10))


def _survey(ticket_id: str, stars: int | None, score: int | None) -> Survey:
    return Survey(
        ticket_id,
        T0,
        {},
        True,
        None if stars is None else Answer.of("stars", stars),
        None if score is None else Answer.of("nps", score),
    )


def test_satisfaction_of_met_against_breached() -> None:
    """first_response: A met (5 stars, NPS 10), B met (4, NPS 7), C breached in its second
    cycle (2, NPS 3), D overdue (1, no NPS), E open (not counted), F met but no answer.
    Met: CSAT 2 / 2, NPS 100 * (1 - 0) / 2 = 50; breached: CSAT 0 / 2, NPS 100 * (0 - 1) / 1."""
    answers = [
        _survey("A", 5, 10),
        _survey("B", 4, 7),
        _survey("C", 2, 3),
        _survey("D", 1, None),
        _survey("E", 5, 10),
        _survey("F", None, None),
    ]
    states = [("A", "met"), ("B", "met"), ("C", "met"), ("C", "breached")]
    states += [("D", "overdue"), ("E", "running"), ("F", "met")]
    records = [{"ticket_id": t, "metric": "first_response", "state": s} for t, s in states]
    report = satisfaction_by_sla(answers, records)
    met, breached = report.rows
    assert ("met", 3, 2, Fraction(1), 2, Fraction(50)) == (
        met.sla,
        met.tickets,
        met.csat.answered,
        met.csat.csat_fraction(),
        met.nps.answered,
        met.nps.nps_fraction(),
    )
    assert ("breached", 2, 2, Fraction(0), 1, Fraction(-100)) == (
        breached.sla,
        breached.tickets,
        breached.csat.answered,
        breached.csat.csat_fraction(),
        breached.nps.answered,
        breached.nps.nps_fraction(),
    )
    # overdue=False: D is still running, so not counted
    assert 1 == satisfaction_by_sla(answers, records, overdue=False).rows[1].tickets


def test_satisfaction_by_sla_from_evaluated_tickets() -> None:
    """End to end: the sample tickets evaluated, with a 5-star answer on every ticket whose
    first response was met and a 1-star answer on every breached one."""
    from slaclock.analytics import evaluate_many
    from slaclock.synthetic import DEFAULT_POLICY, sample_timelines

    timelines = sample_timelines()
    batch = evaluate_many(DEFAULT_POLICY, timelines)
    state = {r["ticket_id"]: r["state"] for r in batch.records if r["metric"] == "first_response"}
    rated = [
        t.with_events(
            satisfaction_event(t.events[-1].at, 5 if state[t.ticket_id] == "met" else 1, "stars")
        )
        for t in timelines
        if state[t.ticket_id] in ("met", "breached")
    ]
    rows = satisfaction_by_sla(surveys(rated), batch, metric="first_response").rows
    assert [("met", Fraction(1)), ("breached", Fraction(0))] == [
        (row.sla, row.csat.csat_fraction()) for row in rows
    ]
    assert len(rated) == sum(row.tickets for row in rows)


@pytest.mark.parametrize(
    ("scale", "score", "message"),
    [
        ("stars", 0, "expected a whole number from 1 to 5"),
        ("stars", 4.5, "expected a whole number from 1 to 5"),
        ("nps", 11, "expected a whole number from 0 to 10"),
        ("good_bad", "meh", "expected 'good' or 'bad'"),
        ("likert", 3, "unknown survey scale 'likert'"),
    ],
)
def test_bad_answers_are_clear_errors(scale: str, score: object, message: str) -> None:
    """A score off its scale, or an unknown scale, names the value and what is expected."""
    with pytest.raises(ReportOptionError, match=message):
        survey_of(_ticket("X", _rated(5, score, scale)))  # type: ignore[arg-type]


def test_bad_report_options() -> None:
    """An unknown attribute, a cut-off off the star scale and a score without scale are errors."""
    with pytest.raises(ReportOptionError, match="unknown attribute 'grup'"):
        csat([_ticket("1", _rated(5, 5, "stars"), attributes={"group": "a"})], by=["grup"])
    with pytest.raises(ReportOptionError, match="satisfied_from"):
        csat(_stars(5), satisfied_from=6)
    with pytest.raises(ReportOptionError, match="without satisfaction_scale"):
        survey_of(_ticket("1", attributes={"satisfaction_score": 4}))
    with pytest.raises(ReportOptionError, match="expected one of"):
        satisfaction_by_sla(
            [], [{"ticket_id": "1", "metric": "resolution", "state": "met"}], metric="rez"
        )
    with pytest.raises(ReportOptionError, match=r"expected \{'score'"):
        survey_of(_ticket("1", (5, "satisfaction_rated", {"stars": 4})))


def test_with_a_batch_surveys_group_by_the_attributes_in_force() -> None:
    """A ticket moved from group billing to tech before it was rated: without a batch it groups
    under the group it was created with, with the batch under the engine's attributes in force
    (as attainment does)."""
    from slaclock.batch import evaluate_many
    from slaclock.synthetic import DEFAULT_POLICY

    moved = _ticket(
        "M",
        (30, "attributes_changed", {"group": "tech"}),
        _rated(60, 5, "stars"),
        attributes={"group": "billing", "priority": "normal"},
    )
    assert [("billing",)] == [row.key for row in csat([moved], by=["group"]).rows]
    batch = evaluate_many(DEFAULT_POLICY, [moved])
    in_force = surveys([moved], batch=batch)
    assert [("tech",)] == [row.key for row in csat(in_force, by=["group"]).rows]


@given(survey_answers, st.integers(1, 5))
def test_properties_of_csat_and_nps(answers: list[tuple[str, tuple[str, Any]]], cut: int) -> None:
    """Groups add up to the whole; NPS is within -100..100 and equals a plain recount; CSAT
    never rises as the satisfied cut-off rises."""
    items = [
        Survey(
            str(i),
            T0,
            {"group": group},
            True,
            None if scale == "nps" else Answer.of(scale, score),
            Answer.of(scale, score) if scale == "nps" else None,
        )
        for i, (group, (scale, score)) in enumerate(answers)
    ]
    grouped = csat(items, by=["group"], satisfied_from=cut)
    whole = csat(items, satisfied_from=cut).rows
    assert sum(r.answered for r in grouped.rows) == (whole[0].answered if whole else 0)
    scores = [score for _, (scale, score) in answers if scale == "nps"]
    rows = nps(items).rows
    if scores:
        promoters = sum(s >= 9 for s in scores)
        detractors = sum(s <= 6 for s in scores)
        assert Fraction(100 * (promoters - detractors), len(scores)) == rows[0].nps_fraction()
        assert -100 <= rows[0].nps_fraction() <= 100  # type: ignore[operator]
    else:
        assert [] == rows
    if whole and cut < 5:
        higher = csat(items, satisfied_from=cut + 1).rows[0].csat_fraction()
        assert higher is not None and higher <= whole[0].csat_fraction()  # type: ignore[operator]
