"""The pytest plugin, run inside pytester: fixtures, the ini option, the markers, assert reprs."""

from __future__ import annotations

import pytest

pytest_plugins = ["pytester"]


def test_fixtures_use_the_default_policy(pytester: pytest.Pytester) -> None:
    """Without configuration sla_policy is the embedded default policy."""
    pytester.makepyfile(
        """
        def test_it(sla_policy, sla_calendar, sla_ticket):
            assert sla_policy.name == "b2b-support"
            assert sla_calendar.timezone == "America/New_York"
            story = sla_ticket("2025-03-07T16:30:00-05:00", priority="high").agent_replies(after="10m")
            assert story.evaluate().first_response.state == "met"
        """
    )
    pytester.runpytest("-p", "no:cacheprovider").assert_outcomes(passed=1)


def test_ini_option_loads_a_policy_file(pytester: pytest.Pytester) -> None:
    """slaclock_policy in the ini file names the policy the fixtures use."""
    pytester.makefile(
        ".json",
        policy='{"name": "from-file", "metrics": {"resolution": {"targets": {"normal": "1h"}}}}',
    )
    pytester.makeini("[pytest]\nslaclock_policy = policy.json\n")
    pytester.makepyfile("def test_it(sla_policy):\n    assert sla_policy.name == 'from-file'\n")
    pytester.runpytest("-p", "no:cacheprovider").assert_outcomes(passed=1)


def test_markers_parametrize_zones_and_dates(pytester: pytest.Pytester) -> None:
    """sla_timezones and sla_dates run the test once per value."""
    pytester.makepyfile(
        """
        import pytest

        @pytest.mark.sla_timezones("America/New_York", "Europe/Berlin", "Asia/Kathmandu")
        @pytest.mark.sla_dates("2025-03-09", "2025-11-02")
        def test_it(sla_timezone, sla_date):
            assert sla_date.year == 2025 and "/" in sla_timezone
        """
    )
    result = pytester.runpytest("-p", "no:cacheprovider", "-v")
    result.assert_outcomes(passed=6)
    result.stdout.fnmatch_lines(["*test_it?America/New_York-2025-03-09? PASSED*"])


def test_marker_without_its_fixture_is_a_usage_error(pytester: pytest.Pytester) -> None:
    """A test marked sla_timezones must take sla_timezone."""
    pytester.makepyfile(
        """
        import pytest

        @pytest.mark.sla_timezones("UTC")
        def test_it():
            pass
        """
    )
    result = pytester.runpytest("-p", "no:cacheprovider")
    assert "must take the 'sla_timezone' fixture" in result.stdout.str() + result.stderr.str()
    assert 0 != result.ret


def test_failed_datetime_comparison_explains_itself(pytester: pytest.Pytester) -> None:
    """assert due_at == x shows both instants in UTC and which is later by how much."""
    pytester.makepyfile(
        """
        from datetime import datetime, timezone

        def test_it(sla_ticket):
            result = sla_ticket("2025-03-07T16:30:00-05:00", priority="high").evaluate()
            assert result.first_response.due_at == datetime(2025, 3, 10, 14, 0, tzinfo=timezone.utc)
        """
    )
    result = pytester.runpytest("-p", "no:cacheprovider")
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(
        [
            "*in UTC: 2025-03-10T14:30:00+00:00 vs 2025-03-10T14:00:00+00:00*",
            "*left is later by 0:30:00*",
        ]
    )


def test_failed_cycle_comparison_lists_the_fields(pytester: pytest.Pytester) -> None:
    """Comparing two cycles lists the fields that differ."""
    pytester.makepyfile(
        """
        def test_it(sla_ticket):
            story = sla_ticket("2025-03-07T16:30:00-05:00", priority="high")
            early = story.agent_replies(after="10m").evaluate().first_response.cycles[0]
            late = story.agent_replies(after="5h").evaluate().first_response.cycles[0]
            assert early == late
        """
    )
    result = pytester.runpytest("-p", "no:cacheprovider")
    result.stdout.fnmatch_lines(
        [
            "*first_response cycle 0 differs:*",
            "*elapsed: datetime.timedelta(seconds=600) != datetime.timedelta(seconds=1800)*",
        ]
    )
