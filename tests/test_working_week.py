"""``working_week``: the number of working days in a week when ``d``/``w`` mean working days.

Jira's time tracking has two settings, working hours per day (slaclock's ``working_day``) and
working days per week (``working_week``, decimals allowed). The expected values are worked by
hand, the arithmetic in the comments; the Atlassian sources are in ``docs/comparison.md`` ([J1],
[J7]) and ``tests/test_preset_jira.py``.
"""

from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st
from pydantic import ValidationError

from slaclock import Policy, Timeline, evaluate
from slaclock.cli import main
from slaclock.conventions import OPTION_NAMES, Conventions, resolve
from slaclock.durations import parse_duration, working_week_length
from slaclock.errors import ArgumentError
from slaclock.files import load_policy, policy_schema

UTC = timezone.utc
H = timedelta(hours=1)
M = timedelta(minutes=1)


def policy(targets: dict[str, Any], **options: Any) -> Policy:
    """A policy with resolution targets per priority and the given options."""
    return Policy.model_validate(
        {"name": "p", "metrics": {"resolution": {"targets": targets}}, **options}
    )


def target(value: str, **options: Any) -> timedelta:
    """The duration a resolution target written as ``value`` reads as under ``options``."""
    return policy({"normal": value}, **options).metrics["resolution"].targets["normal"].duration


# --- the default and the preset ----------------------------------------------------------------


def test_default_week_is_five_working_days() -> None:
    """Without working_week a working week is five working days, as before the option existed."""
    # 1w = 5 x 8h = 40h; the option in force stays unset.
    assert (40 * H, None) == (
        target("1w", working_day="8h"),
        policy({"normal": "1w"}, working_day="8h").conventions_in_force.working_week,
    )


def test_jira_preset_sets_five_working_days() -> None:
    """The jira preset sets Jira's time-tracking default, five working days a week."""
    # [J1] in docs/comparison.md: Atlassian, Configuring time tracking (Jira Server 9.10):
    # 'Days per week - enter a suitable value (e.g. 5)'; 'Jira's standard time tracking
    # settings ... the number of working days per week is 5' (wiki.almarise.com). 1w = 5 x 8h.
    jira = policy({"normal": "1w"}, conventions="jira")
    assert (Decimal(5), 40 * H) == (
        jira.conventions_in_force.working_week,
        jira.metrics["resolution"].targets["normal"].duration,
    )


def test_working_week_written_in_the_policy_overrides_the_preset() -> None:
    """An explicit working_week overrides the jira preset's five days."""
    # 1w = 4 x 8h (the preset's day) = 32h.
    assert 32 * H == target("1w", conventions="jira", working_week=4)


# --- hand-worked readings ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "options", "expected"),
    [
        # 5.5 x 8h = 44h
        ("1w", {"working_day": "8h", "working_week": 5.5}, 44 * H),
        # 5.5 x 7h36m = 5.5 x 456m = 2508m = 41h48m (Atlassian's REST example)
        ("1w", {"working_day": "7h36m", "working_week": 5.5}, 41 * H + 48 * M),
        # ISO 8601 weeks are working weeks too: P1W = 41h48m
        ("P1W", {"working_day": "7h36m", "working_week": 5.5}, 41 * H + 48 * M),
        # 1w 2d 3h = 41h48m + 2 x 7h36m + 3h = 41h48m + 15h12m + 3h = 60h
        ("1w 2d 3h", {"working_day": "7h36m", "working_week": 5.5}, 60 * H),
        # 0.5w = 0.5 x 5.5 x 8h = 22h
        ("0.5w", {"working_day": "8h", "working_week": 5.5}, 22 * H),
        # days do not depend on the week: 2d = 2 x 8h = 16h
        ("2d", {"working_day": "8h", "working_week": 5.5}, 16 * H),
        # the widest week: 7 days of 24h = 168h, the same as a calendar week
        ("1w", {"working_day": "24h", "working_week": 7}, 168 * H),
        # a 4.5-day week written as text: 4.5 x 8h = 36h
        ("1w", {"working_day": "8h", "working_week": "4.5"}, 36 * H),
        # the jira preset's 8h day with a 5.5-day week: 44h
        ("1w", {"conventions": "jira", "working_week": 5.5}, 44 * H),
    ],
)
def test_weeks_read_with_the_working_week(
    text: str, options: dict[str, Any], expected: timedelta
) -> None:
    """A target in weeks is working_week working days of working_day each."""
    assert expected == target(text, **options)


def test_due_instant_of_a_week_with_a_saturday_morning() -> None:
    """A 1w target under 5.5 days of 8h is due after Monday to Friday and Saturday morning."""
    # Calendar Mon-Fri 09:00-17:00 and Sat 09:00-13:00 (44h a week). 1w = 5.5 x 8h = 44h.
    # Created Mon 2025-03-03 09:00: Mon-Fri 5 x 8h = 40h, Sat 09:00 + 4h -> Sat 13:00.
    calendar = {"timezone": "UTC", "hours": {"mon-fri": "09:00-17:00", "sat": "09:00-13:00"}}
    sla = policy({"normal": "1w"}, calendar=calendar, working_day="8h", working_week=5.5)
    created = datetime(2025, 3, 3, 9, tzinfo=UTC)
    timeline = Timeline(
        ticket_id="T-1",
        attributes={"priority": "normal"},
        events=[{"at": created, "kind": "created"}],
    )
    result = evaluate(sla, timeline, as_of=created)
    assert (datetime(2025, 3, 8, 13, tzinfo=UTC), 44 * H) == (
        result.resolution.due_at,
        result.resolution.cycles[0].target,
    )


def test_working_week_length_and_parse_duration_agree() -> None:
    """The week length and a parsed '1w' are the same: 5.5 x 7h36m = 41h48m."""
    day = timedelta(hours=7, minutes=36)
    assert (41 * H + 48 * M, 41 * H + 48 * M) == (
        working_week_length(day, Decimal("5.5")),
        parse_duration("1w", working_day=day, working_week=Decimal("5.5")),
    )


def test_conventions_resolve_the_working_week() -> None:
    """The conventions in force carry the working week: the preset's, or the policy's own."""
    assert (Decimal(5), Decimal("5.5"), None) == (
        resolve("jira", {}).working_week,
        resolve("jira", {"working_week": 5.5}).working_week,
        resolve(None, {}).working_week,
    )


# --- errors ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "shown"),
    [
        (0, "working_week 0 "),
        (-1, "working_week -1 "),
        (7.5, "working_week 7.5 "),
        (8, "working_week 8 "),
        ("abc", "working_week 'abc' "),
        ("nan", "working_week 'nan' "),
        (True, "working_week True "),
        ([5], r"working_week \[5\] "),
    ],
)
def test_working_week_out_of_range_or_unreadable_is_refused(value: Any, shown: str) -> None:
    """A working week must be a number more than 0 and at most 7; the error names field and
    value."""
    with pytest.raises(ValidationError, match=shown + "- expected the number of working days"):
        policy({"normal": "1w"}, working_day="8h", working_week=value)


def test_working_week_without_a_working_day_is_refused() -> None:
    """working_week means nothing without a working day ('w' would stay 7 x 24 hours)."""
    with pytest.raises(ValidationError, match=r"working_week 5\.5 needs a working_day"):
        policy({"normal": "1w"}, working_week=5.5)


def test_working_week_under_a_preset_that_reads_days_as_24_hours_is_refused() -> None:
    """ServiceNow's days are 24 hours: a working week there has no working day to count."""
    with pytest.raises(ValidationError, match="working_week 5 needs a working_day"):
        policy({"normal": "1w"}, conventions="servicenow", working_week=5)


def test_working_week_of_no_whole_microseconds_is_refused() -> None:
    """A week that is not whole microseconds is an error, not a silent rounding."""
    # 0.1234567891 x 8h = 0.1234567891 x 28,800,000,000 us = 3,555,555,526.08 us.
    with pytest.raises(ValidationError, match=r"working_week 0\.1234567891 x working_day '8h'"):
        policy({"normal": "1w"}, working_day="8h", working_week=0.1234567891)
    with pytest.raises(ArgumentError):
        working_week_length(timedelta(hours=8), Decimal("0.1234567891"))


def test_conventions_refuse_a_working_week_without_a_working_day() -> None:
    """The Conventions model checks the same rule as the policy."""
    with pytest.raises(ValidationError, match="working_week 5 needs a working_day"):
        Conventions(working_week=5)


def test_working_day_out_of_range_is_refused_when_the_policy_is_read() -> None:
    """A working day over 24 hours fails when the policy is built, naming the field."""
    with pytest.raises(ValidationError, match="working_day '25h' - expected a length"):
        policy({"normal": "1d"}, working_day="25h")


# --- files, schema, CLI ------------------------------------------------------------------------


def test_round_trip_through_json_keeps_the_number() -> None:
    """A policy with working_week 5.5 writes it as the JSON number 5.5 and reads back equal."""
    original = policy({"normal": "1w"}, working_day="7h36m", working_week=5.5)
    text = original.model_dump_json()
    assert (5.5, original) == (json.loads(text)["working_week"], Policy.model_validate_json(text))


def test_policy_schema_describes_working_week() -> None:
    """The JSON Schema of policy files allows a number more than 0 and at most 7."""
    field = policy_schema()["$defs"]["Policy"]["properties"]["working_week"]
    assert {"type": "number", "exclusiveMinimum": 0, "maximum": 7} in field["anyOf"]


def test_policy_file_with_working_week(tmp_path: Path) -> None:
    """A YAML policy file sets working_week beside working_day: 1w = 5.5 x 7h36m = 41h48m."""
    path = tmp_path / "jira.yaml"
    path.write_text(
        "name: jira\nconventions: jira\nworking_day: 7h36m\nworking_week: 5.5\n"
        "metrics:\n  resolution: {targets: {normal: 1w}}\n",
        encoding="utf-8",
    )
    loaded = load_policy(path)
    assert 41 * H + 48 * M == loaded.metrics["resolution"].targets["normal"].duration


def test_cli_validate_names_a_bad_working_week(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """slaclock validate reports a working week of 8 days with the line, field and value."""
    path = tmp_path / "p.yaml"
    path.write_text(
        "name: p\nworking_day: 8h\nworking_week: 8\nmetrics:\n  resolution: {targets: {normal: 1w}}\n",
        encoding="utf-8",
    )
    code = main(["validate", str(path)])
    err = capsys.readouterr().err
    assert (2, True) == (code, "p.yaml:3: working_week: working_week 8 - expected" in err)


# --- properties --------------------------------------------------------------------------------

# Working weeks with up to two decimals in (0, 7], working days in whole minutes up to 24h:
# every week is then whole microseconds (k/100 x minutes x 60,000,000 us).
weeks = st.integers(min_value=1, max_value=700).map(lambda n: Decimal(n) / 100)
days = st.integers(min_value=1, max_value=24 * 60).map(lambda n: timedelta(minutes=n))


@given(n=st.integers(min_value=0, max_value=60), k=weeks, day=days)
def test_n_weeks_are_n_times_k_working_days(n: int, k: Decimal, day: timedelta) -> None:
    """Under working_week k, 'Nw' reads as 'N*k d' and as N x k x the working day."""
    # N x k x (minutes x 60,000,000 us): whole microseconds since k has at most two decimals.
    micros = Decimal(n) * k * (day // M) * 60_000_000
    expected = timedelta(microseconds=int(micros))
    assert (expected, expected) == (
        parse_duration(f"{n}w", working_day=day, working_week=k),
        parse_duration(f"{n * k}d", working_day=day, working_week=k),
    )


@given(n=st.integers(min_value=1, max_value=20), k=weeks, hours=st.integers(1, 24))
def test_policy_targets_follow_the_working_week(n: int, k: Decimal, hours: int) -> None:
    """A policy's 'Nw' target under working_day h and working_week k is N x k x h hours."""
    # N x k x h hours = N x k x h x 3600 seconds: whole seconds since k has two decimals.
    seconds = Decimal(n) * k * hours * 3600
    assert timedelta(seconds=int(seconds)) == target(
        f"{n}w", working_day=f"{hours}h", working_week=str(k)
    )


DOCS = Path(__file__).resolve().parents[1] / "docs"


@pytest.mark.parametrize("page", ["comparison.md", "semantics/engine.md", "how-to/policy-files.md"])
def test_every_convention_option_is_documented(page: str) -> None:
    """Each convention option, working_week included, is named on the pages that list them."""
    text = (DOCS / page).read_text(encoding="utf-8")
    assert [] == [name for name in OPTION_NAMES if f"`{name}`" not in text]
