"""Customer satisfaction (CSAT), Net Promoter Score (NPS) and survey response rate, by any
ticket attribute and period, and satisfaction of tickets whose SLA was met against breached.

The answers come from the tickets' timelines (:mod:`slaclock.surveys`: ``satisfaction_rated``
events, the last answer counting). Definitions: ``docs/reference/reports.md``.

>>> from slaclock import Timeline
>>> ticket = Timeline(ticket_id="T-1", events=[
...     {"at": "2025-03-03T09:00Z", "kind": "created"},
...     satisfaction_event("2025-03-04T11:00Z", 2, "stars"),
...     satisfaction_event("2025-03-05T08:00Z", 5, "stars")])
>>> print(csat([ticket]).to_table())  # changed from 2 to 5 stars: the last answer counts
answered  satisfied    csat
       1          1  100.0%
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, tzinfo
from fractions import Fraction
from typing import Any, Literal

from slaclock._tz import zone_of
from slaclock.bands import BandRule, NpsBandRule
from slaclock.batch import Batch
from slaclock.errors import ReportOptionError
from slaclock.reports import Period, check_flag, period_of
from slaclock.surveys import (
    OFFERED,
    RATED,
    Answer,
    Scale,
    Survey,
    satisfaction_event,
    survey_of,
    surveys,
)
from slaclock.tables import Percent, Score, Table, group_sort_key
from slaclock.timeline import Timeline

__all__ = [
    "OFFERED",
    "RATED",
    "Answer",
    "Scale",
    "SatisfactionReport",
    "SatisfactionRow",
    "SlaRow",
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

Measure = Literal["csat", "nps", "response_rate"]
#: Which instant places a survey in a period.
Anchor = Literal["created_at", "answered_at"]


@dataclass(frozen=True, slots=True)
class SatisfactionRow:
    """One group's survey counts: ``offered`` (surveys sent), ``responded`` (tickets with any
    answer), ``answered`` (answers to the report's survey), ``satisfied`` (CSAT), and the NPS
    ``promoters``, ``passives`` and ``detractors``.

    >>> row = SatisfactionRow(("billing",), offered=10, responded=4, answered=4, satisfied=3,
    ...                       promoters=2, passives=1, detractors=1)
    >>> row.csat, row.nps, row.response_rate  # 3 / 4; 100 * (2 - 1) / 4; 4 / 10
    (0.75, 25.0, 0.4)
    """

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
    """CSAT, NPS or response rate per group (``by`` attributes, then the period).

    >>> row = SatisfactionRow(("billing",), 4, 4, 4, 3, 0, 0, 0)
    >>> report = SatisfactionReport("csat", ("group",), None, 4, [row])
    >>> print(report.to_table(BandRule(target=0.8)))  # 75 %: 5 points below 80 %
    band: target at least 80%; warning up to 5 points below, act up to 10 points below, all_hands beyond (absolute bands)
    group    answered  satisfied   csat  band
    billing         4          3  75.0%  warning
    """

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
                data["nps"] = Score(value)
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
    zone = zone_of(timezone)
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
    """CSAT and NPS of the tickets whose ``metric`` was ``sla`` (``met`` or ``breached``).

    >>> answers = SatisfactionRow((), 2, 2, 2, 1, 0, 0, 0)
    >>> SlaRow("first_response", "breached", 2, answers, answers).csat.csat
    0.5
    """

    metric: str
    sla: Literal["met", "breached"]
    tickets: int
    csat: SatisfactionRow
    nps: SatisfactionRow


@dataclass(frozen=True)
class SlaSatisfactionReport:
    """Per metric, CSAT and NPS of tickets whose SLA was met against those breached.

    >>> none = SatisfactionRow((), 0, 0, 0, 0, 0, 0, 0)
    >>> happy = SatisfactionRow((), 1, 1, 1, 1, 0, 0, 0)
    >>> print(SlaSatisfactionReport(4, [SlaRow("resolution", "met", 1, happy, none)]))
    metric      sla  tickets  csat_answers    csat  nps_answers  nps
    resolution  met        1             1  100.0%            0  -
    """

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
                    "nps": None if score is None else Score(score),
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
    check_flag(overdue, "overdue")
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
