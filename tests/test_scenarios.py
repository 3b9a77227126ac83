"""The project's own SLA contract, kept as data in tests/scenarios/ (see docs/how-to/testing.md)."""

from __future__ import annotations

from pathlib import Path

import pytest

from slaclock.testing import check_scenario, scenarios

FOLDER = Path(__file__).parent / "scenarios"


@pytest.mark.parametrize("scenario", scenarios(FOLDER))
def test_scenario(scenario: Path) -> None:
    """Every expectation of the scenario file holds."""
    check_scenario(scenario)


def test_there_are_scenarios() -> None:
    """The folder is not empty (a parametrisation over nothing would pass silently)."""
    assert len(scenarios(FOLDER)) >= 8
