"""The command line at its edges, as an adversarial user meets it: files that are missing,
empty, of the wrong shape or the wrong encoding, and arguments that point at the wrong place.
Each test is a bug found by trying; every answer is a message naming the file and the value
and exit status 2 (1 with --skip-invalid), never a traceback or a silently changed result."""

from __future__ import annotations

import io
import shutil
from pathlib import Path

from slaclock.cli import main

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = ROOT / "examples"
POLICY = EXAMPLES / "policies" / "b2b-saas.yaml"
EVENTS = EXAMPLES / "events.jsonl"


def run(*argv: str | Path) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    status = main([str(arg) for arg in argv], out=out, err=err)
    return status, out.getvalue(), err.getvalue()


def test_output_naming_the_events_file_is_refused_before_it_is_emptied(tmp_path: Path) -> None:
    """--output EVENTS would truncate the events before reading them and exit 0: refused."""
    events = tmp_path / "events.jsonl"
    shutil.copy(EVENTS, events)
    before = events.read_bytes()
    status, _, err = run("evaluate", POLICY, events, "--output", tmp_path / "." / "events.jsonl")
    assert 2 == status
    assert "--output" in err and "is the events file" in err
    assert before == events.read_bytes()


def test_output_naming_the_policy_file_is_refused(tmp_path: Path) -> None:
    """--output POLICY would overwrite the policy with results: refused, the policy kept."""
    policy = tmp_path / "policy.yaml"
    shutil.copy(POLICY, policy)
    status, _, err = run("evaluate", policy, EVENTS, "--output", policy)
    assert 2 == status
    assert "is the policy file" in err
    assert POLICY.read_bytes() == policy.read_bytes()
