"""Status bands: how far a figure is from its target, in absolute points or relative to it.

One rule rates every report's figures (service level, abandonment rate, CSAT, response rate;
NPS with :class:`NpsBandRule`): ``on_target``, then ``warning``, ``act`` and ``all_hands`` as
the figure moves further to the wrong side of the target. The definitions are in
``docs/reference/reports.md``.

>>> from fractions import Fraction
>>> BandRule(target=0.8).rate(Fraction(76, 100))  # 4 points below 80 %
'warning'
>>> NpsBandRule(target=30).rate(Fraction(18))  # 12 NPS points below 30
'all_hands'
"""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction
from numbers import Real
from typing import Literal

from slaclock.errors import ReportOptionError

__all__ = ["BandRule", "BandScale", "NpsBandRule", "Rating", "check_share"]

#: How far from the target the bands reach: ``points`` (percentage points) or ``relative``
#: (percent of the target: 5 % below a 50 % target is 2.5 points).
BandScale = Literal["points", "relative"]
#: A figure's band; a report adds a word for "no figure" (``no_contacts``, ``no_answers`` ...).
Rating = Literal["on_target", "warning", "act", "all_hands"]


def check_share(value: object, name: str) -> None:
    """A target share must be a number in (0, 1] (0.8 for 80 %); anything else (95 meaning
    95 %, NaN, text) is a :class:`~slaclock.errors.ReportOptionError` naming ``name``.

    >>> check_share(95, "goal")
    Traceback (most recent call last):
    ...
    slaclock.errors.ReportOptionError: goal: 95 - expected a share in (0, 1], e.g. 0.8 for 80%
    """
    if isinstance(value, bool) or not isinstance(value, Real) or not 0 < float(value) <= 1:
        raise ReportOptionError(
            f"{name}: {value!r} - expected a share in (0, 1], e.g. 0.8 for 80%", value=value
        )


def _band(off: Fraction, warning: Fraction, act: Fraction) -> Rating:
    """The band of a figure ``off`` points on the wrong side of the target (<= 0: on target)."""
    if off <= 0:
        return "on_target"
    if off <= warning:
        return "warning"
    if off <= act:
        return "act"
    return "all_hands"


def _exact(value: Fraction | float | int) -> Fraction:
    return value if isinstance(value, Fraction) else Fraction(str(value))


@dataclass(frozen=True)
class BandRule:
    """How a figure is rated against a target: ``on_target``, then ``warning`` up to
    ``warning`` away on the wrong side, ``act`` up to ``act`` away, ``all_hands`` beyond.

    ``scale="points"`` measures the distance in percentage points; ``scale="relative"`` in
    percent of the target (5 relative to a 50 % target is 2.5 points). ``higher_is_better``
    is ``True`` for the service level (a goal of at least the target) and ``False`` for the
    abandonment rate (a goal of at most the target). Compared exactly (no float rounding at
    the edges): a figure exactly ``warning`` away is still ``warning``.

    >>> rule = BandRule(target=0.5, warning=5, act=10, scale="relative")
    >>> rule.rate(Fraction(475, 1000)), rule.rate(Fraction(474, 1000))  # 2.5 points is 5 % of 50
    ('warning', 'act')
    >>> rule.describe()
    'target at least 50%; warning up to 5% of the target (2.5 points) below, act up to 10% of the target (5 points) below, all_hands beyond (relative bands)'
    """

    target: float = 0.8
    warning: float = 5
    act: float = 10
    scale: BandScale = "points"
    higher_is_better: bool = True

    def __post_init__(self) -> None:
        check_share(self.target, "target")
        if not 0 <= self.warning <= self.act:
            raise ReportOptionError(
                f"bands: warning={self.warning!r}, act={self.act!r} - expected 0 <= warning <= act",
                value=(self.warning, self.act),
            )
        if self.scale not in ("points", "relative"):
            raise ReportOptionError(
                f"scale: {self.scale!r} - expected 'points' or 'relative'", value=self.scale
            )

    def _points(self, amount: float) -> Fraction:
        """``amount`` (warning or act) as percentage points."""
        value = Fraction(str(amount))
        return value if self.scale == "points" else value * Fraction(str(self.target))

    def rate(self, value: Fraction | float | None, undefined: str = "no_contacts") -> str:
        """The band of a share ``value``, or ``undefined`` (the report's word for why there is
        no figure) when it is ``None``."""
        if value is None:
            return undefined
        goal = _exact(self.target) * 100
        share = _exact(value) * 100
        off = goal - share if self.higher_is_better else share - goal
        return _band(off, self._points(self.warning), self._points(self.act))

    def describe(self) -> str:
        """The rule in words, as every report prints it."""
        side = "below" if self.higher_is_better else "above"
        bound = "at least" if self.higher_is_better else "at most"

        def reach(amount: float) -> str:
            if self.scale == "points":
                return f"{amount:g} points"
            return f"{amount:g}% of the target ({float(self._points(amount)):g} points)"

        return (
            f"target {bound} {_percent(self.target)}; warning up to {reach(self.warning)} {side}, "
            f"act up to {reach(self.act)} {side}, all_hands beyond "
            f"({'absolute' if self.scale == 'points' else 'relative'} bands)"
        )


def _percent(share: float) -> str:
    return f"{float(Fraction(str(share)) * 100):g}%"


@dataclass(frozen=True)
class NpsBandRule:
    """Bands for a Net Promoter Score (-100 to 100) against a ``target`` score, in NPS points
    below it (absolute only: an NPS target may be 0 or negative, so "percent of the target"
    has no meaning). The edges belong to the milder band.

    >>> rule = NpsBandRule(target=20, warning=5, act=10)
    >>> [rule.rate(Fraction(v)) for v in (20, 15, 14, 10, 9)]
    ['on_target', 'warning', 'act', 'act', 'all_hands']
    >>> rule.describe()
    'target NPS at least 20; warning up to 5 NPS points below, act up to 10 NPS points below, all_hands beyond (absolute bands)'
    """

    target: float = 0
    warning: float = 5
    act: float = 10

    def __post_init__(self) -> None:
        if not -100 <= self.target <= 100 or isinstance(self.target, bool):
            raise ReportOptionError(
                f"target: NPS target {self.target!r} - expected a score from -100 to 100",
                value=self.target,
            )
        if not 0 <= self.warning <= self.act:
            raise ReportOptionError(
                f"bands: warning={self.warning!r}, act={self.act!r} - expected 0 <= warning <= act",
                value=(self.warning, self.act),
            )

    def rate(self, value: Fraction | float | None, undefined: str = "no_answers") -> str:
        """The band of an NPS ``value`` (``undefined`` when there is none)."""
        if value is None:
            return undefined
        off = _exact(self.target) - _exact(value)
        return _band(off, _exact(self.warning), _exact(self.act))

    def describe(self) -> str:
        """The rule in words, as every report prints it."""
        return (
            f"target NPS at least {self.target:g}; warning up to {self.warning:g} NPS points "
            f"below, act up to {self.act:g} NPS points below, all_hands beyond (absolute bands)"
        )
