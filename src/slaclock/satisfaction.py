"""Customer satisfaction (CSAT), Net Promoter Score (NPS) and survey response rate.

A survey answer is an event on the ticket's timeline, kind ``satisfaction_rated``, whose
``attributes`` carry the ``score`` and its ``scale``:

- ``stars``: 1 to 5 (satisfied: ``satisfied_from`` and above, 4 by default: 4 or 5 stars);
- ``good_bad``: ``good`` or ``bad`` as Zendesk records it (``good_with_comment`` and
  ``bad_with_comment`` are read as ``good`` and ``bad``); satisfied: ``good``;
- ``nps``: 0 to 10 (promoters 9-10, passives 7-8, detractors 0-6).

A ``satisfaction_offered`` event records that a survey was sent. An answer may change later:
the **last answer counts** (the latest instant; at one instant, the one listed last), per
survey: CSAT (``stars`` or ``good_bad``) and NPS (``nps``) are separate surveys. Answers after
``as_of`` are not known yet. Imports that only have the final score put it in the ticket
attributes ``satisfaction_score`` and ``satisfaction_scale`` (optionally
``satisfaction_rated_at``); an answer event, when there is one, wins over them. The Zendesk
values ``offered`` and ``unoffered`` in ``satisfaction_score`` mean "survey sent, no answer"
and "no survey".

>>> from slaclock import Timeline
>>> ticket = Timeline(ticket_id="T-1", events=[
...     {"at": "2025-03-03T09:00Z", "kind": "created"},
...     {"at": "2025-03-04T10:00Z", "kind": "satisfaction_offered"},
...     {"at": "2025-03-04T11:00Z", "kind": "satisfaction_rated", "attributes": {"score": 2, "scale": "stars"}},
...     {"at": "2025-03-05T08:00Z", "kind": "satisfaction_rated", "attributes": {"score": 5, "scale": "stars"}}])
>>> survey = survey_of(ticket)
>>> survey.csat.score, survey.offered  # changed from 2 to 5 stars: the last answer counts
(5, True)
>>> print(csat([survey]).to_table())
answered  satisfied    csat
       1          1  100.0%
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, tzinfo
from fractions import Fraction
from typing import Any, Literal

from slaclock._tz import check_aware, load_zone, to_micros
from slaclock.bands import BandRule, NpsBandRule
from slaclock.batch import Batch
from slaclock.errors import ReportOptionError
from slaclock.records import ticket_attributes
from slaclock.reports import Period, period_of
from slaclock.tables import Percent, Table, group_sort_key
from slaclock.timeline import Event, Timeline

__all__ = [
    "OFFERED",
    "RATED",
    "Answer",
    "Scale",
    "SatisfactionReport",
    "SatisfactionRow",
    "SlaSatisfactionReport",
    "Survey",
    "csat",
    "nps",
    "response_rate",
    "satisfaction_by_sla",
    "satisfaction_event",
    "survey_of",
    "surveys",
]

#: The event kind of a survey answer.
RATED = "satisfaction_rated"
#: The event kind of a survey being sent.
OFFERED = "satisfaction_offered"
#: Survey scales: 1-5 stars, Zendesk's good/bad, 0-10 NPS.
Scale = Literal["stars", "good_bad", "nps"]
#: What a report measures.
Measure = Literal["csat", "nps", "response_rate"]
#: Which instant places a survey in a period.
Anchor = Literal["created_at", "answered_at"]

_SCALES = ("stars", "good_bad", "nps")
_GOOD_BAD = {"good": "good", "bad": "bad", "good_with_comment": "good", "bad_with_comment": "bad"}
_NO_ANSWER = {"offered": True, "unoffered": False}


@dataclass(frozen=True, slots=True)
class Answer:
    """One survey answer: its ``scale``, its ``score`` (an int, or ``good``/``bad``) and the
    instant it was given (``None`` for a score imported without one).

    >>> Answer.of("nps", 9).category
    'promoter'
    >>> Answer.of("stars", 6)
    Traceback (most recent call last):
    ...
    slaclock.errors.ReportOptionError: score: 6 on scale 'stars' - expected a whole number from 1 to 5
    """

    scale: Scale
    score: int | str
    at: datetime | None = None

    @classmethod
    def of(cls, scale: str, score: Any, at: datetime | None = None) -> Answer:
        """A validated answer (``good_with_comment`` is read as ``good``)."""
        if scale not in _SCALES:
            raise ReportOptionError(
                f"scale: unknown survey scale {scale!r} - expected one of {list(_SCALES)}",
                value=scale,
            )
        if at is not None:
            check_aware(at, "at")
        if scale == "good_bad":
            text = str(score).strip().lower().replace(" ", "_")
            if text not in _GOOD_BAD:
                raise ReportOptionError(
                    f"score: {score!r} on scale 'good_bad' - expected 'good' or 'bad'", value=score
                )
            return cls("good_bad", _GOOD_BAD[text], at)
        top, bottom = (5, 1) if scale == "stars" else (10, 0)
        number = _whole(score)
        if number is None or not bottom <= number <= top:
            raise ReportOptionError(
                f"score: {score!r} on scale {scale!r} - expected a whole number from {bottom} "
                f"to {top}",
                value=score,
            )
        return cls(scale, number, at)  # type: ignore[arg-type]

    @classmethod
    def from_event(cls, event: Event) -> Answer:
        """The answer a ``satisfaction_rated`` event carries in its ``attributes``."""
        values = event.attributes or {}
        if "score" not in values or "scale" not in values:
            raise ReportOptionError(
                f"{RATED} event at {event.at.isoformat()} has attributes {values!r} - expected "
                "{'score': ..., 'scale': 'stars' | 'good_bad' | 'nps'}",
                value=values,
            )
        return cls.of(values["scale"], values["score"], event.at)

    def satisfied(self, satisfied_from: int = 4) -> bool:
        """Whether a CSAT answer counts as satisfied: ``good``, or ``satisfied_from`` stars or
        more (a tie at the cut-off is satisfied)."""
        if self.scale == "good_bad":
            return self.score == "good"
        return isinstance(self.score, int) and self.score >= satisfied_from

    @property
    def category(self) -> Literal["promoter", "passive", "detractor"]:
        """An NPS answer's group: promoter (9-10), passive (7-8) or detractor (0-6)."""
        assert isinstance(self.score, int)
        if self.score >= 9:
            return "promoter"
        return "passive" if self.score >= 7 else "detractor"


def _whole(value: Any) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, str) and value.strip().isdigit():
        return int(value.strip())
    return None


def satisfaction_event(at: datetime | str, score: int | str, scale: Scale) -> Event:
    """A ``satisfaction_rated`` event (the score is checked against its scale).

    >>> satisfaction_event("2025-03-04T11:00Z", "good", "good_bad").attributes
    {'score': 'good', 'scale': 'good_bad'}
    """
    event = Event.model_validate(
        {"at": at, "kind": RATED, "attributes": {"score": score, "scale": scale}}
    )
    Answer.from_event(event)
    return event


@dataclass(frozen=True, slots=True)
class Survey:
    """What one ticket's surveys say as of an instant: whether a survey was ``offered`` and
    the last ``csat`` and ``nps`` answers (``None`` when not answered). ``attributes`` are the
    ticket's attributes when it was created (as in attainment records)."""

    ticket_id: str
    created_at: datetime
    attributes: Mapping[str, Any]
    offered: bool
    csat: Answer | None
    nps: Answer | None

    @property
    def answered(self) -> bool:
        """Whether any survey was answered."""
        return self.csat is not None or self.nps is not None


def _imported(attributes: Mapping[str, Any]) -> tuple[bool, Answer | None]:
    """(offered, answer) from the ``satisfaction_*`` ticket attributes."""
    score = attributes.get("satisfaction_score")
    if score is None:
        return False, None
    if isinstance(score, str) and score.strip().lower() in _NO_ANSWER:
        return _NO_ANSWER[score.strip().lower()], None
    scale = attributes.get("satisfaction_scale")
    if scale is None:
        raise ReportOptionError(
            f"satisfaction_score {score!r} without satisfaction_scale - expected the scale too: "
            "'stars', 'good_bad' or 'nps'",
            value=score,
        )
    at = attributes.get("satisfaction_rated_at")
    if isinstance(at, str):
        at = datetime.fromisoformat(at.replace("Z", "+00:00"))
    return True, Answer.of(str(scale), score, at)


def survey_of(timeline: Timeline, as_of: datetime | None = None) -> Survey:
    """The ticket's survey as of ``as_of`` (default: every event): a pure function of the
    timeline's events, compared by instant (integer microseconds, never wall clock).

    >>> from slaclock import Timeline
    >>> t = Timeline(ticket_id="T-2", attributes={"satisfaction_score": 9, "satisfaction_scale": "nps"},
    ...              events=[{"at": "2025-03-03T09:00Z", "kind": "created"}])
    >>> survey_of(t).nps.category
    'promoter'
    """
    limit = None if as_of is None else to_micros(check_aware(as_of, "as_of"))
    attributes = ticket_attributes(timeline)
    offered, imported = _imported(attributes)
    last: dict[str, Answer] = {}
    if imported is not None:
        last["nps" if imported.scale == "nps" else "csat"] = imported
    from_events: dict[str, Answer] = {}
    for event in timeline.events:  # in instant order, stable at one instant
        if limit is not None and to_micros(event.at) > limit:
            break
        if event.kind == OFFERED:
            offered = True
        elif event.kind == RATED:
            answer = Answer.from_event(event)
            from_events["nps" if answer.scale == "nps" else "csat"] = answer
    last.update(from_events)  # an answer event wins over an imported final score
    return Survey(
        timeline.ticket_id,
        timeline.created_at,
        attributes,
        offered or bool(last),  # an answer means a survey was offered
        last.get("csat"),
        last.get("nps"),
    )


def surveys(
    timelines: Iterable[Timeline | Mapping[str, Any]], as_of: datetime | None = None
) -> list[Survey]:
    """:func:`survey_of` for every timeline (dicts are validated as :class:`Timeline`)."""
    return [
        survey_of(t if isinstance(t, Timeline) else Timeline.model_validate(t), as_of)
        for t in timelines
    ]


@dataclass(frozen=True, slots=True)
class SatisfactionRow:
    """One group's survey counts: ``offered`` (surveys sent), ``responded`` (tickets with any
    answer), ``answered`` (answers to the report's survey), ``satisfied`` (CSAT), and the NPS
    ``promoters``, ``passives`` and ``detractors``."""

    key: tuple[Any, ...]
    offered: int
    responded: int
    answered: int
    satisfied: int
    promoters: int
    passives: int
    detractors: int

    def csat_fraction(self) -> Fraction | None:
        """``satisfied / answered`` exactly (``None`` with no answers)."""
        return None if self.answered == 0 else Fraction(self.satisfied, self.answered)

    def nps_fraction(self) -> Fraction | None:
        """``100 * (promoters - detractors) / answered`` exactly (``None`` with no answers)."""
        if self.answered == 0:
            return None
        return Fraction(100 * (self.promoters - self.detractors), self.answered)

    def response_rate_fraction(self) -> Fraction | None:
        """``responded / offered`` exactly (``None`` when no survey was sent)."""
        return None if self.offered == 0 else Fraction(self.responded, self.offered)

    @property
    def csat(self) -> float | None:
        """CSAT as a share in [0, 1]."""
        value = self.csat_fraction()
        return None if value is None else float(value)

    @property
    def nps(self) -> float | None:
        """NPS from -100 to 100."""
        value = self.nps_fraction()
        return None if value is None else float(value)

    @property
    def response_rate(self) -> float | None:
        """Response rate as a share in [0, 1]."""
        value = self.response_rate_fraction()
        return None if value is None else float(value)


_COLUMNS: Mapping[str, tuple[str, ...]] = {
    "csat": ("answered", "satisfied", "csat"),
    "nps": ("answered", "promoters", "passives", "detractors", "nps"),
    "response_rate": ("offered", "responded", "response_rate"),
}


@dataclass(frozen=True)
class SatisfactionReport:
    """CSAT, NPS or response rate per group (``by`` attributes, then the period)."""

    measure: Measure
    by: tuple[str, ...]
    period: Period | None
    satisfied_from: int
    rows: list[SatisfactionRow]

    def value(self, row: SatisfactionRow) -> Fraction | None:
        """The report's figure for ``row`` (exact)."""
        if self.measure == "csat":
            return row.csat_fraction()
        if self.measure == "nps":
            return row.nps_fraction()
        return row.response_rate_fraction()

    def rate(self, row: SatisfactionRow, bands: BandRule | NpsBandRule) -> str:
        """The band of ``row`` (``no_answers`` / ``no_surveys`` when it has no figure)."""
        empty = "no_surveys" if self.measure == "response_rate" else "no_answers"
        return bands.rate(self.value(row), empty)

    def to_table(self, bands: BandRule | NpsBandRule | None = None) -> str:
        """A plain-text table; with ``bands`` a band column and a line stating the rule."""
        if bands is not None and isinstance(bands, NpsBandRule) != (self.measure == "nps"):
            raise ReportOptionError(
                f"bands: {type(bands).__name__} for a {self.measure} report - expected "
                f"{'NpsBandRule' if self.measure == 'nps' else 'BandRule'}",
                value=bands,
            )
        keys = (*self.by, *(("period",) if self.period else ()))
        columns = (*keys, *_COLUMNS[self.measure], *(("band",) if bands else ()))
        rows = []
        for row in self.rows:
            data: dict[str, Any] = dict(zip(keys, row.key))
            for name in _COLUMNS[self.measure]:
                data[name] = getattr(row, name)
            value = self.value(row)
            if self.measure != "nps" and value is not None:
                data[self.measure] = Percent(value)
            elif value is not None:
                data["nps"] = round(float(value), 1)
            if bands is not None:
                data["band"] = self.rate(row, bands)
            rows.append(data)
        lines = [] if bands is None else [f"band: {bands.describe()}"]
        return "\n".join([*lines, Table(columns, rows).to_table()])

    def __str__(self) -> str:
        return self.to_table()


def _tally(
    items: Iterable[Survey | Timeline],
    measure: Measure,
    by: Sequence[str],
    period: Period | None,
    anchor: Anchor,
    timezone: str | tzinfo,
    satisfied_from: int,
    as_of: datetime | None,
) -> SatisfactionReport:
    if satisfied_from not in range(1, 6):
        raise ReportOptionError(
            f"satisfied_from: {satisfied_from!r} - expected a star count from 1 to 5",
            value=satisfied_from,
        )
    if anchor not in ("created_at", "answered_at"):
        raise ReportOptionError(
            f"anchor: {anchor!r} - expected 'created_at' or 'answered_at'", value=anchor
        )
    if period is not None and period not in ("day", "week", "month"):
        raise ReportOptionError(
            f"period: unknown period {period!r} - expected 'day', 'week' or 'month'", value=period
        )
    zone = load_zone(timezone) if isinstance(timezone, str) else timezone
    chosen = [s if isinstance(s, Survey) else survey_of(s, as_of) for s in items]
    for name in by:
        if chosen and not any(name in s.attributes for s in chosen):
            known = sorted({key for s in chosen[:1000] for key in s.attributes})
            raise ReportOptionError(
                f"by: unknown attribute {name!r} - expected a ticket attribute: {', '.join(known)}",
                value=name,
            )
    groups: dict[tuple[Any, ...], list[int]] = {}
    for survey in chosen:
        answer = survey.nps if measure == "nps" else survey.csat
        # A ticket without this survey's answer (or, for the response rate, never asked) is
        # not in the report at all: no group of zeros for it.
        if (answer is None) if measure != "response_rate" else not survey.offered:
            continue
        key: tuple[Any, ...] = tuple(survey.attributes.get(name) for name in by)
        if period is not None:
            if anchor == "created_at":
                at: datetime | None = survey.created_at
            else:
                answered = answer if measure != "response_rate" else (survey.csat or survey.nps)
                at = None if answered is None else answered.at
            key = (*key, None if at is None else period_of(at, period, zone))
        # offered, responded, answered, satisfied, promoters, passives, detractors
        counts = groups.setdefault(key, [0] * 7)
        counts[0] += survey.offered
        counts[1] += survey.answered
        if answer is None:
            continue
        counts[2] += 1
        if measure == "nps":
            counts[4 + ("promoter", "passive", "detractor").index(answer.category)] += 1
        elif answer.satisfied(satisfied_from):
            counts[3] += 1
    rows = [SatisfactionRow(key, *counts) for key, counts in groups.items()]
    rows.sort(key=lambda row: group_sort_key(row.key))
    return SatisfactionReport(measure, tuple(by), period, satisfied_from, rows)


def csat(
    items: Iterable[Survey | Timeline],
    *,
    by: Sequence[str] = (),
    period: Period | None = None,
    anchor: Anchor = "created_at",
    timezone: str | tzinfo = "UTC",
    satisfied_from: int = 4,
    as_of: datetime | None = None,
) -> SatisfactionReport:
    """CSAT: the share of CSAT answers that are satisfied (``good``, or ``satisfied_from``
    stars or more: 4 and 5 of 5 by default), per group of ticket attributes ``by`` and
    ``period`` (``day``, ``week`` or ``month`` of the ticket's creation, or of the answer with
    ``anchor="answered_at"``, in ``timezone``). Tickets without a CSAT answer are not counted.

    >>> from datetime import datetime, timezone
    >>> at = datetime(2025, 3, 3, 9, tzinfo=timezone.utc)
    >>> answers = [Survey(str(i), at, {}, True, Answer.of("stars", s), None) for i, s in enumerate((5, 4, 3, 1))]
    >>> csat(answers).rows[0].csat, csat(answers, satisfied_from=3).rows[0].csat  # 2/4, 3/4
    (0.5, 0.75)
    """
    return _tally(items, "csat", by, period, anchor, timezone, satisfied_from, as_of)


def nps(
    items: Iterable[Survey | Timeline],
    *,
    by: Sequence[str] = (),
    period: Period | None = None,
    anchor: Anchor = "created_at",
    timezone: str | tzinfo = "UTC",
    as_of: datetime | None = None,
) -> SatisfactionReport:
    """Net Promoter Score: ``100 * (promoters - detractors) / answers`` from -100 to 100,
    promoters answering 9 or 10, detractors 0 to 6 (grouping as in :func:`csat`).

    >>> from datetime import datetime, timezone
    >>> at = datetime(2025, 3, 3, 9, tzinfo=timezone.utc)
    >>> answers = [Survey(str(i), at, {}, True, None, Answer.of("nps", s)) for i, s in enumerate((10, 9, 8, 6))]
    >>> nps(answers).rows[0].nps  # 100 * (2 - 1) / 4
    25.0
    """
    return _tally(items, "nps", by, period, anchor, timezone, 4, as_of)


def response_rate(
    items: Iterable[Survey | Timeline],
    *,
    by: Sequence[str] = (),
    period: Period | None = None,
    anchor: Anchor = "created_at",
    timezone: str | tzinfo = "UTC",
    as_of: datetime | None = None,
) -> SatisfactionReport:
    """Response rate: tickets with any survey answer / tickets offered a survey (a
    ``satisfaction_offered`` event, Zendesk's ``offered`` score, or an answer), grouped as in
    :func:`csat`; with ``anchor="answered_at"`` unanswered surveys fall in the ``-`` period.

    >>> from datetime import datetime, timezone
    >>> at = datetime(2025, 3, 3, 9, tzinfo=timezone.utc)
    >>> sent = [Survey("1", at, {}, True, Answer.of("good_bad", "bad"), None),
    ...         Survey("2", at, {}, True, None, None), Survey("3", at, {}, False, None, None)]
    >>> response_rate(sent).rows[0].response_rate  # 1 answered / 2 offered
    0.5
    """
    return _tally(items, "response_rate", by, period, anchor, timezone, 4, as_of)


# ----------------------------------------------------------------------------------------------
# Satisfaction of tickets whose SLA was met or breached
@dataclass(frozen=True, slots=True)
class SlaRow:
    """CSAT and NPS of the tickets whose ``metric`` was ``sla`` (``met`` or ``breached``)."""

    metric: str
    sla: Literal["met", "breached"]
    tickets: int
    csat: SatisfactionRow
    nps: SatisfactionRow


@dataclass(frozen=True)
class SlaSatisfactionReport:
    """Per metric, CSAT and NPS of tickets whose SLA was met against those breached."""

    satisfied_from: int
    rows: list[SlaRow]

    def to_table(self) -> str:
        """A plain-text table: metric, sla, tickets, CSAT answers and CSAT, NPS answers and NPS."""
        rows = []
        for row in self.rows:
            share = row.csat.csat_fraction()
            score = row.nps.nps_fraction()
            rows.append(
                {
                    "metric": row.metric,
                    "sla": row.sla,
                    "tickets": row.tickets,
                    "csat_answers": row.csat.answered,
                    "csat": None if share is None else Percent(share),
                    "nps_answers": row.nps.answered,
                    "nps": None if score is None else round(float(score), 1),
                }
            )
        columns = ("metric", "sla", "tickets", "csat_answers", "csat", "nps_answers", "nps")
        return Table(columns, rows).to_table()

    def __str__(self) -> str:
        return self.to_table()


def satisfaction_by_sla(
    items: Iterable[Survey | Timeline],
    batch: Batch | Iterable[Mapping[str, Any]],
    *,
    metric: str | None = None,
    overdue: bool = True,
    satisfied_from: int = 4,
    as_of: datetime | None = None,
) -> SlaSatisfactionReport:
    """CSAT and NPS of the tickets whose SLA was met against those whose SLA was breached, per
    metric (does breaching first response cost satisfaction?). A ticket's SLA for a metric is
    ``breached`` when any of its cycles of that metric is ``breached`` (or ``overdue``, unless
    ``overdue=False``), ``met`` when at least one is ``met`` and none breached; other tickets
    (open, cancelled, no target) are left out of that metric. ``batch`` is the
    :func:`~slaclock.analytics.evaluate_many` result (or its records) for the same tickets.

    >>> from datetime import datetime, timezone
    >>> at = datetime(2025, 3, 3, 9, tzinfo=timezone.utc)
    >>> answers = [Survey("A", at, {}, True, Answer.of("stars", 5), None),
    ...            Survey("B", at, {}, True, Answer.of("stars", 2), None)]
    >>> records = [{"ticket_id": "A", "metric": "first_response", "state": "met"},
    ...            {"ticket_id": "B", "metric": "first_response", "state": "breached"}]
    >>> print(satisfaction_by_sla(answers, records).to_table())
    metric          sla       tickets  csat_answers    csat  nps_answers  nps
    first_response  met             1             1  100.0%            0  -
    first_response  breached        1             1    0.0%            0  -
    """
    records = batch.records if isinstance(batch, Batch) else list(batch)
    known = {record["metric"] for record in records}
    if metric is not None and metric not in known:
        raise ReportOptionError(
            f"metric: unknown metric {metric!r} - expected one of {sorted(known)}", value=metric
        )
    outcome: dict[tuple[str, str], str] = {}
    for record in records:
        name = record["metric"]
        if metric is not None and name != metric:
            continue
        state = record["state"]
        key = (name, record["ticket_id"])
        if state == "breached" or (state == "overdue" and overdue):
            outcome[key] = "breached"
        elif state == "met":
            outcome.setdefault(key, "met")
    by_ticket = {
        s.ticket_id: s
        for s in (item if isinstance(item, Survey) else survey_of(item, as_of) for item in items)
    }
    rows = []
    for name in sorted({name for name, _ in outcome}):
        for sla in ("met", "breached"):
            chosen = [
                by_ticket[ticket]
                for (m, ticket), result in outcome.items()
                if m == name and result == sla and ticket in by_ticket
            ]
            satisfied = csat(chosen, satisfied_from=satisfied_from).rows
            scored = nps(chosen).rows
            empty = SatisfactionRow((), 0, 0, 0, 0, 0, 0, 0)
            rows.append(
                SlaRow(
                    name,
                    sla,
                    len(chosen),
                    satisfied[0] if satisfied else empty,
                    scored[0] if scored else empty,
                )
            )
    return SlaSatisfactionReport(satisfied_from, rows)
