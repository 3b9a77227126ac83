"""The README's Python example runs and prints what its comments say."""

from __future__ import annotations

import contextlib
import io
import re
from pathlib import Path

README = Path(__file__).resolve().parents[1] / "README.md"


def test_readme_example_prints_what_its_comments_promise() -> None:
    """Each print() in the README example prints the instant its comment names."""
    code = re.search(r"```python\n(.*?)```", README.read_text(), re.DOTALL)
    assert code is not None
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        exec(compile(code.group(1), str(README), "exec"), {})
    # First print: Friday 16:30 + 4 business hours = 30 min Friday + 3h30 Monday -> 12:30 EDT.
    assert ["2025-03-10 12:30:00-04:00", "2025-03-10 12:30:00-04:00"] == out.getvalue().split("\n")[
        :2
    ]


def test_readme_reporting_example_runs() -> None:
    """The README's reporting example prints an attainment table and a recommended target."""
    blocks = re.findall(r"```python\n(.*?)```", README.read_text(), re.DOTALL)
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        exec(compile(blocks[1], str(README), "exec"), {})
    lines = out.getvalue().splitlines()
    assert lines[0].split() == ["priority", "metric", "met", "breached", "overdue", "attainment"]
    assert lines[-1].startswith("2:")  # a duration of about two and a half hours
