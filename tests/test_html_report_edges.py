"""Edge cases of slaclock.html_report: the page's options are checked up front, and one page
reads every period in the same zone (table, chart and satisfaction)."""

from __future__ import annotations

import pytest

from slaclock.bands import BandRule
from slaclock.errors import ArgumentError


def test_a_band_target_given_as_text_is_an_error_naming_it() -> None:
    """BandRule(target='0.8') is a ReportOptionError naming the target (was a TypeError)."""
    with pytest.raises(ArgumentError, match=r"target: '0\.8'"):
        BandRule(target="0.8")  # type: ignore[arg-type]
