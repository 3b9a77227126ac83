"""Calendar.add_many / elapsed_many at the edges: every input add / elapsed accepts gives their
answers, and everything else is an error naming the argument (never AttributeError/TypeError
from inside, never a silently wrong duration)."""

from __future__ import annotations

from datetime import datetime, timezone
from zoneinfo import ZoneInfo

import numpy as np
import pandas as pd
import pytest

from slaclock import ArgumentError, Calendar

NY = ZoneInfo("America/New_York")
BERLIN = ZoneInfo("Europe/Berlin")
CAL = Calendar.weekdays("America/New_York")  # Mon-Fri 09:00-17:00 New York
FRIDAY_4PM = datetime(2025, 3, 7, 16, tzinfo=NY)  # 21:00Z


@pytest.mark.parametrize("unit", ["M", "Y"])
def test_months_and_years_are_no_durations(unit: str) -> None:
    """timedelta64[M] / [Y] have no fixed length (numpy would make a month 30.44 days and add
    that much business time); they are refused, naming the unit."""
    with pytest.raises(
        ArgumentError, match=rf"durations: timedelta64\[{unit}\] .* no fixed length"
    ):
        CAL.add_many(
            np.array(["2025-03-07T21:00"], "datetime64[us]"), np.array([1], f"timedelta64[{unit}]")
        )


@pytest.mark.parametrize("unit", ["W", "D", "h", "m", "s", "ms", "us", "ns"])
def test_timedelta64_of_any_fixed_unit(unit: str) -> None:
    """Durations of any fixed unit give what add gives for the same timedelta."""
    amount = np.array([3], f"timedelta64[{unit}]")
    expected = CAL.add(FRIDAY_4PM, pd.Timedelta(amount[0]).to_pytimedelta())
    utc = np.array(["2025-03-07T21:00"], "datetime64[us]")
    assert expected.astimezone(timezone.utc).replace(tzinfo=None) == CAL.add_many(utc, amount)[
        0
    ].astype(datetime)
