"""Country holidays as immutable sets of dates, read year by year on demand.

This is the only module that imports the ``holidays`` package. A calendar asks for one year at a
time, so building a calendar never materialises years nobody asked about, and each year is read
once per process (the answer depends only on the arguments).

>>> from datetime import date
>>> date(2025, 7, 4) in country_holiday_dates("US", None, 2025)
True
"""

from __future__ import annotations

from collections import Counter
from datetime import date
from functools import cache, lru_cache

import holidays as _holidays
from pydantic import ConfigDict, model_validator

from slaclock._model import ValueModel
from slaclock.errors import ArgumentError, SubdivisionWarning, warn_caller

__all__ = ["CountryHolidays", "check_country", "country_holiday_dates"]


def check_country(country: str, subdiv: str | None) -> None:
    """Raise ``ValueError`` naming the code when ``country`` or ``subdiv`` is unknown; warn
    (:class:`~slaclock.errors.SubdivisionWarning`) when no ``subdiv`` is given for a country
    whose country-wide holidays lack days most of its subdivisions keep.

    >>> check_country("US", "NY")
    >>> import warnings
    >>> with warnings.catch_warnings(record=True) as caught:
    ...     warnings.simplefilter("always")
    ...     check_country("GB", None)
    >>> print(caught[0].message)
    country_holidays: 'GB' without a subdivision leaves out holidays most of its subdivisions keep (in 2025: 2025-04-21, 2025-08-25) - set subdiv to one of ENG, NIR, SCT, WLS
    >>> check_country("XX", None)
    Traceback (most recent call last):
    ...
    slaclock.errors.ArgumentError: unknown country code: 'XX' - expected an ISO 3166-1 code supported by the holidays package, e.g. 'US', 'DE'
    """
    if country not in _holidays.list_supported_countries():
        raise ArgumentError(
            f"unknown country code: {country!r} - expected an ISO 3166-1 code supported by "
            "the holidays package, e.g. 'US', 'DE'"
        )
    if subdiv is None:
        missing = _missing_without_subdivision(country)
        if missing:
            codes = ", ".join(
                sorted(getattr(_holidays.country_holidays(country), "subdivisions", ()))
            )
            warn_caller(
                SubdivisionWarning(
                    f"country_holidays: {country!r} without a subdivision leaves out holidays "
                    f"most of its subdivisions keep (in 2025: "
                    f"{', '.join(d.isoformat() for d in missing)}) - set subdiv to one of {codes}"
                )
            )
    if subdiv is not None:
        known = _known_subdivisions(country)
        if subdiv not in known:
            raise ArgumentError(
                f"unknown subdivision of {country}: {subdiv!r} - expected one of "
                + ", ".join(sorted(known))
            )


#: The year whose holidays decide whether a country needs a subdivision (fixed: no hidden "now").
_REFERENCE_YEAR = 2025


@cache
def _missing_without_subdivision(country: str) -> tuple[date, ...]:
    """The days of the reference year that more than half of ``country``'s subdivisions keep
    but the country-wide list lacks (for GB: Easter Monday and the August bank holiday)."""
    codes = tuple(getattr(_holidays.country_holidays(country), "subdivisions", ()))
    if not codes:
        return ()
    national = set(_holidays.country_holidays(country, years=_REFERENCE_YEAR))
    counts: Counter[date] = Counter()
    for code in codes:
        counts.update(set(_holidays.country_holidays(country, subdiv=code, years=_REFERENCE_YEAR)))
    return tuple(sorted(d for d, n in counts.items() if 2 * n > len(codes) and d not in national))


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


class CountryHolidays(ValueModel):
    """Public holidays of a country (and optionally a subdivision) from the ``holidays`` package.

    Observed days are included, as the package computes them.

    >>> CountryHolidays(country="US", subdiv="NY")
    CountryHolidays(country='US', subdiv='NY')
    >>> CountryHolidays(country="Narnia")
    Traceback (most recent call last):
    ...
    pydantic_core._pydantic_core.ValidationError: 1 validation error for CountryHolidays
    ...
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    country: str
    subdiv: str | None = None

    @model_validator(mode="after")
    def _known(self) -> CountryHolidays:
        check_country(self.country, self.subdiv)
        return self
