"""The documentation cannot drift from the code: every `>>>` example in docs/ runs, and the site
builds in strict mode."""

from __future__ import annotations

import doctest
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PAGES = sorted((ROOT / "docs").rglob("*.md"))


@pytest.mark.parametrize("page", PAGES, ids=[str(p.relative_to(ROOT / "docs")) for p in PAGES])
def test_examples_in_page_run(page: Path) -> None:
    """Each `>>>` example in the page gives the output the page shows."""
    failures, _ = doctest.testfile(
        str(page),
        module_relative=False,
        optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE,
        raise_on_error=False,
        verbose=False,
    )
    assert 0 == failures, f"{failures} example(s) in {page.name} do not give the output shown"


@pytest.mark.skipif(
    shutil.which("mkdocs") is None and not (Path(sys.executable).parent / "mkdocs").exists(),
    reason="mkdocs is not installed",
)
def test_site_builds_strictly(tmp_path: Path) -> None:
    """mkdocs build --strict succeeds (broken links, missing pages and bad references fail it;
    not --quiet, which hides the warnings --strict counts)."""
    mkdocs = Path(sys.executable).parent / "mkdocs"
    done = subprocess.run(
        [str(mkdocs) if mkdocs.exists() else "mkdocs", "build", "--strict", "--site-dir", str(tmp_path)],
        cwd=ROOT, capture_output=True, text=True, env={"NO_MKDOCS_2_WARNING": "1", "PATH": "/usr/bin:/bin"},
    )  # fmt: skip
    assert 0 == done.returncode, done.stderr
