"""Country holidays as immutable sets of dates, read year by year on demand.

This is the only module that imports the ``holidays`` package. A calendar asks for one year at a
time, so building a calendar never materialises years nobody asked about, and each year is read
once per process (the answer depends only on the arguments).

>>> from datetime import date
>>> date(2025, 7, 4) in country_holiday_dates("US", None, 2025)
True
"""

from __future__ import annotations

from datetime import date
from functools import cache, lru_cache

import holidays as _holidays

__all__ = ["check_country", "country_holiday_dates"]


def check_country(country: str, subdiv: str | None) -> None:
    """Raise ``ValueError`` naming the code when ``country`` or ``subdiv`` is unknown.

    >>> check_country("US", "NY")
    >>> check_country("XX", None)
    Traceback (most recent call last):
    ...
    ValueError: unknown country code: 'XX' - expected an ISO 3166-1 code supported by the holidays package, e.g. 'US', 'DE'
    """
    if country not in _holidays.list_supported_countries():
        raise ValueError(
            f"unknown country code: {country!r} - expected an ISO 3166-1 code supported by "
            "the holidays package, e.g. 'US', 'DE'"
        )
    if subdiv is not None:
        known = _known_subdivisions(country)
        if subdiv not in known:
            raise ValueError(
                f"unknown subdivision of {country}: {subdiv!r} - expected one of "
                + ", ".join(sorted(known))
            )


@cache
def _known_subdivisions(country: str) -> frozenset[str]:
    cls = _holidays.country_holidays(country).__class__
    codes = set(getattr(cls, "subdivisions", ()))
    codes.update(getattr(cls, "subdivisions_aliases", {}) or {})
    return frozenset(codes)


@lru_cache(maxsize=4096)
def country_holiday_dates(country: str, subdiv: str | None, year: int) -> frozenset[date]:
    """The holidays (observed days included) of ``country``/``subdiv`` in ``year``.

    >>> sorted(d for d in country_holiday_dates("US", None, 2021) if d.month == 12)
    [datetime.date(2021, 12, 24), datetime.date(2021, 12, 25), datetime.date(2021, 12, 31)]
    """
    if not 1 <= year <= 9999:
        return frozenset()
    table = _holidays.country_holidays(country, subdiv=subdiv, years=year)
    return frozenset(day for day in table if day.year == year)
