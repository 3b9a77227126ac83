"""Survey answers on a ticket's timeline: what one ticket's CSAT and NPS surveys say.

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
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any, Literal

from slaclock._tz import check_in_range, to_micros
from slaclock.errors import ReportOptionError
from slaclock.timeline import Event, Timeline

if TYPE_CHECKING:
    from slaclock.batch import Batch

__all__ = [
    "OFFERED",
    "RATED",
    "Answer",
    "Scale",
    "Survey",
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
            check_in_range(at, "at")
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
    the last ``csat`` and ``nps`` answers (``None`` when not answered). ``attributes`` are what
    reports group it by (see :func:`surveys`).

    >>> from datetime import datetime, timezone
    >>> at = datetime(2025, 3, 3, 9, tzinfo=timezone.utc)
    >>> Survey("T-1", at, {"group": "billing"}, True, None, Answer.of("nps", 7)).answered
    True
    """

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


def _created_attributes(timeline: Timeline) -> dict[str, Any]:
    """The ticket's attributes when it was created (used without a batch; see :func:`surveys`)."""
    created = timeline.events[0]
    attributes = dict(timeline.attributes)
    if created.attributes:
        attributes.update(created.attributes)
    if created.priority is not None:
        attributes["priority"] = created.priority
    return attributes


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
    return True, Answer.of(str(scale), score, _rated_at(attributes.get("satisfaction_rated_at")))


def _rated_at(value: Any) -> datetime | None:
    """The ``satisfaction_rated_at`` attribute as an aware instant (``None`` when absent)."""
    at = value
    if isinstance(value, str):
        try:
            at = datetime.fromisoformat(value.replace("Z", "+00:00"))
        except ValueError:
            at = None
    if value is not None and not isinstance(at, datetime):
        raise ReportOptionError(
            f"satisfaction_rated_at: {value!r} - expected an ISO 8601 instant such as "
            "'2025-03-10T09:00:00Z'",
            value=value,
        )
    return None if at is None else check_in_range(at, "satisfaction_rated_at")


def survey_of(
    timeline: Timeline,
    as_of: datetime | None = None,
    attributes: Mapping[str, Any] | None = None,
) -> Survey:
    """The ticket's survey as of ``as_of`` (default: every event): a pure function of the
    timeline's events, compared by instant (integer microseconds, never wall clock).
    ``attributes`` are what reports group by (default: the ticket's attributes when it was
    created; :func:`surveys` passes the engine's attributes in force when given a batch).

    >>> from slaclock import Timeline
    >>> t = Timeline(ticket_id="T-2", attributes={"satisfaction_score": 9, "satisfaction_scale": "nps"},
    ...              events=[{"at": "2025-03-03T09:00Z", "kind": "created"}])
    >>> survey_of(t).nps.category
    'promoter'
    """
    limit = None if as_of is None else to_micros(check_in_range(as_of, "as_of"))
    created = _created_attributes(timeline)
    offered, imported = _imported(created)
    last: dict[str, Answer] = {}
    # An imported score rated after as_of has not been given yet (the survey was sent).
    if imported is not None and (
        limit is None or imported.at is None or to_micros(imported.at) <= limit
    ):
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
        created if attributes is None else dict(attributes),
        offered or bool(last),  # an answer means a survey was offered
        last.get("csat"),
        last.get("nps"),
    )


def surveys(
    timelines: Iterable[Timeline | Mapping[str, Any]],
    as_of: datetime | None = None,
    *,
    batch: Batch | None = None,
) -> list[Survey]:
    """:func:`survey_of` for every timeline (dicts are validated as :class:`Timeline`). With
    the ``batch`` these tickets were evaluated in, each survey's ``attributes`` are the
    ticket's row of the batch (its attributes in force at the evaluation instant, as the engine
    found them, and its status), so satisfaction groups exactly like attainment; without one,
    the attributes the ticket was created with.

    >>> from slaclock.batch import evaluate_many
    >>> from slaclock.synthetic import DEFAULT_POLICY, sample_timelines
    >>> tickets = sample_timelines()
    >>> surveys(tickets, batch=evaluate_many(DEFAULT_POLICY, tickets))[0].attributes["status"]
    'solved'
    """
    rows = {} if batch is None else {row["ticket_id"]: row for row in batch.tickets}
    found = []
    for item in timelines:
        timeline = item if isinstance(item, Timeline) else Timeline.model_validate(item)
        found.append(survey_of(timeline, as_of, rows.get(timeline.ticket_id)))
    return found
