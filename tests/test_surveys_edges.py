"""Edge cases of slaclock.surveys and the satisfaction reports: an imported final score counts
only as of its instant, like an answer event, and an unreadable instant is an error naming the
attribute."""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Any

import pytest

from slaclock import Timeline
from slaclock.errors import SlaclockError
from slaclock.satisfaction import csat, response_rate, survey_of

UTC = timezone.utc


def _imported(score: Any, rated_at: Any = None) -> Timeline:
    """A ticket created 3 March 2025 09:00 UTC whose import carried a final 2-star score."""
    attributes = {"satisfaction_score": score, "satisfaction_scale": "stars"}
    if rated_at is not None:
        attributes["satisfaction_rated_at"] = rated_at
    return Timeline(
        ticket_id="T",
        attributes=attributes,
        events=[{"at": "2025-03-03T09:00:00Z", "kind": "created"}],
    )


def test_an_imported_score_rated_after_as_of_has_not_been_given_yet() -> None:
    """Rated on 10 March, the 2-star score is not an answer as of 5 March ("the last answer at
    or before as_of"), though the survey was sent (a score implies the offer): CSAT has no
    answer to count, the response rate is 0 of 1. It used to count the 2 stars on 5 March."""
    ticket = _imported(2, "2025-03-10T00:00:00Z")
    before = datetime(2025, 3, 5, tzinfo=UTC)
    survey = survey_of(ticket, before)
    assert (True, None) == (survey.offered, survey.csat)
    assert [] == csat([ticket], as_of=before).rows
    (rate,) = response_rate([ticket], as_of=before).rows
    assert (1, 0) == (rate.offered, rate.responded)
    # At and after the rating instant the score counts: 2 stars is not satisfied (0 of 1).
    for at in (datetime(2025, 3, 10, tzinfo=UTC), None):
        (row,) = csat([ticket], as_of=at).rows
        assert (1, 0) == (row.answered, row.satisfied)


def test_an_imported_score_without_an_instant_counts_whenever_asked() -> None:
    """With no satisfaction_rated_at there is no instant to compare: the score counts at any
    as_of, as before."""
    (row,) = csat([_imported(5)], as_of=datetime(2025, 3, 4, tzinfo=UTC)).rows
    assert (1, 1) == (row.answered, row.satisfied)


@pytest.mark.parametrize("rated_at", ["yesterday", "2025-13-01T00:00:00Z", 17.5])
def test_an_unreadable_rating_instant_names_the_attribute(rated_at: Any) -> None:
    """satisfaction_rated_at that is not an instant is an error naming the attribute and value
    ('yesterday' used to raise a bare ValueError "Invalid isoformat string")."""
    with pytest.raises(SlaclockError, match=r"satisfaction_rated_at.*" + str(rated_at)):
        survey_of(_imported(2, rated_at))
