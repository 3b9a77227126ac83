"""Tests of ``slaclock report`` with --satisfaction, --contacts and --html
(slaclock.commands.report)."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest

from slaclock.cli import main

EXAMPLES = Path(__file__).resolve().parents[1] / "examples"
POLICY = str(EXAMPLES / "policies" / "b2b-saas.yaml")

# T-1001 (normal, first response met) rates 5 stars; T-1002 (urgent, first response breached)
# rates 4 stars (satisfied) and later changes to 1, and answers NPS 6 (a detractor).
ANSWERS = [
    {"ticket_id": "T-1001", "at": "2025-03-12T10:00:00-04:00", "kind": "satisfaction_rated",
     "attributes": {"score": 5, "scale": "stars"}},
    {"ticket_id": "T-1002", "at": "2025-03-12T10:00:00-04:00", "kind": "satisfaction_rated",
     "attributes": {"score": 4, "scale": "stars"}},
    {"ticket_id": "T-1002", "at": "2025-03-12T11:00:00-04:00", "kind": "satisfaction_rated",
     "attributes": {"score": 1, "scale": "stars"}},
    {"ticket_id": "T-1002", "at": "2025-03-12T10:05:00-04:00", "kind": "satisfaction_rated",
     "attributes": {"score": 6, "scale": "nps"}},
]  # fmt: skip


def run(*argv: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    status = main(list(argv), out=out, err=err)
    return status, out.getvalue(), err.getvalue()


@pytest.fixture
def events(tmp_path: Path) -> str:
    path = tmp_path / "events.jsonl"
    lines = (EXAMPLES / "events.jsonl").read_text().splitlines()
    path.write_text("\n".join([*lines, *(json.dumps(a) for a in ANSWERS)]) + "\n")
    return str(path)


def _section(out: str, title: str) -> list[list[str]]:
    """The rows (split on blanks) of the table printed under ``title``."""
    block = out.split(f"\n{title}\n")[1].split("\n\n")[0]
    return [line.split() for line in block.splitlines()]


def test_satisfaction_tables(events: str) -> None:
    """CSAT by priority: normal 1/1, urgent 0/1 (the changed answer 1 counts); NPS urgent
    -100 (a whole number, was -100.00); met vs breached first response: CSAT 100 % against 0 %."""
    status, out, err = run("report", POLICY, events, "--satisfaction", "--metric", "first_response")
    assert 0 == status, err
    assert [["priority", "answered", "satisfied", "csat"], ["normal", "1", "1", "100.0%"],
            ["urgent", "1", "0", "0.0%"]] == _section(out, "CSAT")  # fmt: skip
    assert ["urgent", "1", "0", "0", "1", "-100"] == _section(out, "NPS")[1]
    by_sla = _section(out, "satisfaction of tickets whose SLA was met or breached")
    assert ["first_response", "met", "2", "1", "100.0%", "0", "-"] == by_sla[1]
    assert ["first_response", "breached", "2", "1", "0.0%", "1", "-100"] == by_sla[2]


def _contacts(tmp_path: Path, suffix: str) -> str:
    # 09:00-09:30: answered in 10 s, answered in 30 s, abandoned after 5 s (within 20 s)
    rows = [
        ("2025-03-04T09:00:00Z", "2025-03-04T09:00:10Z", ""),
        ("2025-03-04T09:10:00Z", "2025-03-04T09:10:30Z", ""),
        ("2025-03-04T09:20:00Z", "", "2025-03-04T09:20:05Z"),
    ]
    path = tmp_path / f"contacts{suffix}"
    if suffix == ".csv":
        lines = ["offered_at,answered_at,abandoned_at", *(",".join(row) for row in rows)]
    else:
        names = ("offered_at", "answered_at", "abandoned_at")
        lines = [json.dumps({k: v for k, v in zip(names, row) if v}) for row in rows]
    path.write_text("\n".join(lines) + "\n")
    return str(path)


@pytest.mark.parametrize("suffix", [".csv", ".jsonl"])
def test_service_level_from_a_contacts_file(events: str, tmp_path: Path, suffix: str) -> None:
    """(a + b) / (N + A) = (1 + 1) / 3 = 66.7 %: 13.3 points below 80 %, all_hands; abandon
    rate 1 / 3 = 33.3 %, all_hands against at most 5 %."""
    status, out, err = run(
        "report", POLICY, events, "--contacts", _contacts(tmp_path, suffix),
        "--abandons", "successes_within_threshold",
    )  # fmt: skip
    assert 0 == status, err
    rows = _section(out, "service level")
    assert "(absolute bands)" in " ".join(rows[1])
    assert ["2025-03-04", "09:00-09:30", "3", "2", "1", "1", "66.7%", "33.3%", "20s",
            "all_hands", "all_hands"] == rows[-1]  # fmt: skip


def test_bad_contact_is_a_clear_error(events: str, tmp_path: Path) -> None:
    """A contact with neither outcome names the file and line; exit 2."""
    path = tmp_path / "bad.jsonl"
    path.write_text('{"offered_at": "2025-03-04T09:00:00Z"}\n')
    status, _, err = run("report", POLICY, events, "--contacts", str(path))
    assert 2 == status
    assert f"{path}:1:" in err and "exactly one of 'answered_at' and 'abandoned_at'" in err


def test_html_page(events: str, tmp_path: Path) -> None:
    """--html writes one page with the attainment table, the satisfaction and the intervals."""
    page = tmp_path / "report.html"
    status, out, err = run(
        "report", POLICY, events, "--satisfaction", "--goal", "0.9",
        "--contacts", _contacts(tmp_path, ".csv"), "--html", str(page),
    )  # fmt: skip
    assert 0 == status, err
    assert f"wrote {page}" in out
    text = page.read_text(encoding="utf-8")
    for marker in ('id="attainment"', 'id="service-level"', 'id="satisfaction-by-sla"',
                   "b2b-saas"):  # fmt: skip
        assert marker in text
