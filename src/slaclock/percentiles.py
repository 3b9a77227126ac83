"""Percentiles of durations, by a named method: nearest rank (an observed value) or the
interpolating definitions of numpy and pandas.

>>> from datetime import timedelta
>>> minutes = [timedelta(minutes=m) for m in (10, 20, 30, 40)]
>>> percentile(minutes, 0.5), percentile(minutes, 0.5, "linear")  # pandas' median is the second
(datetime.timedelta(seconds=1200), datetime.timedelta(seconds=1500))
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from datetime import timedelta
from fractions import Fraction
from itertools import pairwise
from numbers import Real
from typing import Literal

from slaclock.errors import ArgumentError, ReportOptionError

__all__ = ["PERCENTILE_METHODS", "PercentileMethod", "percentile"]

#: How a percentile is read from sorted values (see :func:`percentile`).
PercentileMethod = Literal["nearest_rank", "linear", "lower", "higher", "midpoint"]
#: Each percentile method in words, as table headers name it.
PERCENTILE_METHODS: Mapping[str, str] = {
    "nearest_rank": "nearest rank (an observed value: the ceil(p*n)-th smallest)",
    "linear": "linear interpolation (numpy/pandas default)",
    "lower": "lower (numpy method='lower')",
    "higher": "higher (numpy method='higher')",
    "midpoint": "midpoint (numpy method='midpoint')",
}


def percentile(
    values: Sequence[timedelta], share: float, method: PercentileMethod = "nearest_rank"
) -> timedelta:
    """The ``share`` percentile (a number from 0 to 1) of sorted ``values`` by ``method``:

    - ``nearest_rank`` (default): the smallest value with at least ``share`` of the values at
      or below it, ``values[ceil(share * n) - 1]``: always an observed value; the median of an
      even count is the lower middle value.
    - ``linear`` (numpy's and pandas' default): at position ``h = (n - 1) * share`` between
      ``values[floor(h)]`` and ``values[ceil(h)]``, interpolated linearly and rounded to the
      microsecond (halves up); the median of an even count is the mean of the middle two.
    - ``lower``, ``higher``, ``midpoint``: ``values[floor(h)]``, ``values[ceil(h)]``, or their
      mean, as numpy's methods of those names.

    >>> minutes = [timedelta(minutes=m) for m in (1, 2, 3, 4)]
    >>> percentile(minutes, 0.5), percentile(minutes, 0.5, "linear")
    (datetime.timedelta(seconds=120), datetime.timedelta(seconds=150))
    >>> percentile(minutes, 0.9, "linear")  # h = 3 * 0.9 = 2.7: 3m + 0.7 * 1m
    datetime.timedelta(seconds=222)
    """
    if not values:
        raise ArgumentError("percentile of no values - expected at least one value")
    if isinstance(share, bool) or not isinstance(share, Real) or not 0 <= share <= 1:
        raise ArgumentError(
            f"share: {share!r} - expected a number from 0 to 1 (0.9 for the 90th percentile)",
            value=share,
        )
    if any(later < earlier for earlier, later in pairwise(values)):
        raise ArgumentError(
            "values: not sorted - expected values in ascending order (sorted(values))"
        )
    if method not in PERCENTILE_METHODS:
        raise ReportOptionError(
            f"method: unknown percentile method {method!r} - expected one of "
            f"{list(PERCENTILE_METHODS)}",
            value=method,
        )
    n = len(values)
    if method == "nearest_rank":
        rank = max(1, math.ceil(round(share * n, 9)))
        return values[min(rank, n) - 1]
    h = (n - 1) * Fraction(str(share))
    low, high = values[math.floor(h)], values[math.ceil(h)]
    if method == "lower":
        return low
    if method == "higher":
        return high
    weight = Fraction(1, 2) if method == "midpoint" else h - math.floor(h)
    micros = low // _US + weight * ((high - low) // _US)
    return timedelta(microseconds=math.floor(micros + Fraction(1, 2)))


_US = timedelta(microseconds=1)
