"""The slaclock pytest plugin (registered through the ``pytest11`` entry point).

Fixtures:

- ``sla_policy``: the policy named by the ``slaclock_policy`` ini option (a YAML, TOML or JSON
  file, relative to the rootdir), else slaclock's embedded default policy.
- ``sla_calendar``: that policy's calendar.
- ``sla_ticket``: a factory of :class:`slaclock.testing.TicketStory` using ``sla_policy``:
  ``sla_ticket("2025-03-07T16:30:00-05:00", priority="urgent")``.
- ``sla_timezone`` / ``sla_date``: parametrized by the markers
  ``@pytest.mark.sla_timezones("America/New_York", "Europe/Berlin")`` and
  ``@pytest.mark.sla_dates("2025-03-09", "2025-11-02")``: the test runs once per value.

It also explains failed comparisons of slaclock results and of aware datetimes (shown in UTC,
with the difference), so ``assert result.first_response.due_at == expected`` explains itself.

Importing this module is cheap and has no side effects: slaclock itself is imported lazily.

A test asks for the fixtures by name; pytest passes them in. Outside pytest the same test runs
with the values the fixtures give by default (the embedded policy):

>>> from slaclock.synthetic import DEFAULT_POLICY
>>> from slaclock.testing import assert_met, ticket
>>> def test_quick_reply_is_met(sla_ticket):
...     story = sla_ticket("2025-03-03T09:00:00-05:00", priority="high").agent_replies(after="1h")
...     assert_met(story.evaluate(), "first_response")  # 1h of a 2h target
>>> test_quick_reply_is_met(lambda created_at, **options: ticket(created_at, policy=DEFAULT_POLICY, **options))
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime, timezone
from pathlib import Path
from typing import Any

import pytest

__all__ = ["sla_calendar", "sla_policy", "sla_ticket"]


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addini(
        "slaclock_policy", "policy file for the sla_policy fixture (YAML, TOML or JSON)", default=""
    )


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers", "sla_timezones(*zones): run the test once per IANA zone (fixture sla_timezone)"
    )
    config.addinivalue_line(
        "markers", "sla_dates(*dates): run the test once per ISO date (fixture sla_date)"
    )


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    for marker, fixture, convert in (
        ("sla_timezones", "sla_timezone", str),
        ("sla_dates", "sla_date", date.fromisoformat),
    ):
        found = metafunc.definition.get_closest_marker(marker)
        if found is None:
            continue
        if fixture not in metafunc.fixturenames:
            raise pytest.UsageError(
                f"@pytest.mark.{marker} on {metafunc.function.__name__}: the test must take the {fixture!r} fixture"
            )
        values = [convert(v) for v in found.args]
        metafunc.parametrize(fixture, values, ids=[str(v) for v in values])


@pytest.fixture
def sla_policy(request: pytest.FixtureRequest) -> Any:
    """The policy of the ``slaclock_policy`` ini option, else the embedded default policy.

    >>> def test_policy_names_its_version(sla_policy):
    ...     assert sla_policy.version == "2025.1"
    >>> from slaclock.synthetic import DEFAULT_POLICY
    >>> test_policy_names_its_version(DEFAULT_POLICY)  # pytest passes the fixture
    """
    configured = str(request.config.getini("slaclock_policy") or "")
    if configured:
        from slaclock.files import load_policy

        return load_policy(Path(str(request.config.rootpath)) / configured)
    from slaclock.synthetic import DEFAULT_POLICY

    return DEFAULT_POLICY


@pytest.fixture
def sla_calendar(sla_policy: Any) -> Any:
    """The calendar of ``sla_policy`` (of its first policy, for a policy set).

    >>> def test_open_monday_morning(sla_calendar):
    ...     assert sla_calendar.is_open(datetime(2025, 3, 3, 14, tzinfo=timezone.utc))  # 09:00 NY
    >>> from slaclock.synthetic import DEFAULT_POLICY
    >>> test_open_monday_morning(DEFAULT_POLICY.calendar_named(None, {}))  # pytest passes it
    """
    from slaclock.policy import PolicySet

    policy = sla_policy.policies[0] if isinstance(sla_policy, PolicySet) else sla_policy
    return policy.calendar_named(None, {})


@pytest.fixture
def sla_ticket(sla_policy: Any) -> Callable[..., Any]:
    """A factory of ticket stories under ``sla_policy``: ``sla_ticket(created_at, priority=...)``.

    >>> def test_urgent_is_measured_around_the_clock(sla_ticket):
    ...     story = sla_ticket("2025-03-08T22:00:00-05:00", priority="urgent")  # a Saturday night
    ...     assert story.evaluate().metrics["first_response"].cycles[0].due_at.hour == 23
    >>> from slaclock.testing import ticket
    >>> test_urgent_is_measured_around_the_clock(ticket)  # pytest passes the fixture
    """
    from slaclock.testing import ticket

    def make(created_at: datetime | str, **options: Any) -> Any:
        options.setdefault("policy", sla_policy)
        return ticket(created_at, **options)

    return make


# ---------------------------------------------------------------------------------------------
def _utc(value: datetime) -> str:
    return value.astimezone(timezone.utc).isoformat()


def pytest_assertrepr_compare(
    config: pytest.Config, op: str, left: object, right: object
) -> list[str] | None:
    if op != "==":
        return None
    if isinstance(left, datetime) and isinstance(right, datetime) and left.tzinfo and right.tzinfo:
        gap = left.astimezone(timezone.utc) - right.astimezone(timezone.utc)
        if not gap:
            return [
                f"{left.isoformat()} == {right.isoformat()}",
                "the same instant, but Python compares a time inside a DST fold as unequal to",
                "one in another zone (PEP 495): compare .astimezone(timezone.utc) values",
            ]
        later = "left" if gap.total_seconds() > 0 else "right"
        return [
            f"{left.isoformat()} == {right.isoformat()}",
            f"in UTC: {_utc(left)} vs {_utc(right)}",
            f"{later} is later by {abs(gap)}",
        ]
    import sys

    results = sys.modules.get("slaclock.results")
    if results is None:
        return None
    if isinstance(left, results.CycleResult) and isinstance(right, results.CycleResult):
        lines = [f"{left.metric} cycle {left.index} differs:"]
        for name in type(left).model_fields:
            a, b = getattr(left, name), getattr(right, name)
            if a != b and name != "spans":
                lines.append(f"  {name}: {a!r} != {b!r}")
        if left.spans != right.spans:
            counts = (len(left.spans), len(right.spans))
            lines.append(
                f"  spans: {counts[0]} != {counts[1]}"
                if counts[0] != counts[1]
                else f"  spans: {counts[0]} each, not the same"
            )
        if left.spans or right.spans:
            from slaclock.testing import clock_trace

            lines += ["  clock trace (left):", *clock_trace(left).splitlines()]
        return lines
    if isinstance(left, results.MetricResult) and isinstance(right, results.MetricResult):
        return [
            f"{left.name}: {len(left.cycles)} cycle(s) vs {len(right.cycles)}",
            *(f"  cycle {a.index}: {a.state} due {a.due_at} vs {b.state} due {b.due_at}"
              for a, b in zip(left.cycles, right.cycles) if a != b),
        ]  # fmt: skip
    if isinstance(left, results.TicketResult) and isinstance(right, results.TicketResult):
        lines = [f"ticket {left.ticket_id} vs {right.ticket_id}:"]
        for name in type(left).model_fields:  # the ticket's own facts, then its metrics
            a, b = getattr(left, name), getattr(right, name)
            if a != b and name != "metrics":
                lines.append(f"  {name}: {a!r} != {b!r}")
        for name in sorted(set(left.metrics) | set(right.metrics)):
            a, b = left.metrics.get(name), right.metrics.get(name)
            if a != b:
                lines.append(
                    f"  {name}: {None if a is None else a.state} vs {None if b is None else b.state}"
                )
        return lines
    return None
