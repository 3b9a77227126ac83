"""Tests of slaclock.html_report: a self-contained page, checked in headless Debian chromium
(skipped with a message when /usr/bin/chromium is absent; CI installs it)."""

from __future__ import annotations

import os
import re
import shutil
import struct
import subprocess
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest

from slaclock.bands import BandRule
from slaclock.batch import evaluate_many
from slaclock.html_report import html_report, write_html_report
from slaclock.satisfaction import satisfaction_event, surveys
from slaclock.servicelevel import service_level
from slaclock.synthetic import DEFAULT_POLICY, generate_contacts, sample_timelines

ROOT = Path(__file__).resolve().parents[1]
ARTIFACTS = ROOT / "test-artifacts"  # gitignored: screenshots kept for people to look at
CHROMIUM = Path("/usr/bin/chromium")


class _Tables(HTMLParser):
    """The text of each table's body rows, by table id."""

    def __init__(self) -> None:
        super().__init__()
        self.tables: dict[str, list[list[str]]] = {}
        self.current: str | None = None
        self.in_body = False
        self.cell: list[str] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "table":
            self.current = dict(attrs).get("id") or f"table{len(self.tables)}"
            self.tables[self.current] = []
        elif tag == "tbody":
            self.in_body = True
        elif tag == "tr" and self.in_body and self.current is not None:
            self.tables[self.current].append([])
        elif tag == "td" and self.in_body:
            self.cell = []

    def handle_endtag(self, tag: str) -> None:
        if tag == "td" and self.cell is not None and self.current is not None:
            self.tables[self.current][-1].append("".join(self.cell))
            self.cell = None
        elif tag == "tbody":
            self.in_body = False

    def handle_data(self, data: str) -> None:
        if self.cell is not None:
            self.cell.append(data)


def _tables(page: str) -> dict[str, list[list[str]]]:
    parser = _Tables()
    parser.feed(page)
    return parser.tables


@pytest.fixture(scope="module")
def chromium() -> Path:
    if not CHROMIUM.exists() and os.environ.get("SLACLOCK_REQUIRE_BROWSER"):
        pytest.fail("SLACLOCK_REQUIRE_BROWSER is set but /usr/bin/chromium is missing")
    if not CHROMIUM.exists():
        pytest.skip(
            "headless browser tests need Debian's chromium at /usr/bin/chromium "
            "(apt-get install -y chromium); skipped"
        )
    return CHROMIUM


def _browse(
    chromium: Path, page: Path, profile: Path, *action: str
) -> subprocess.CompletedProcess[str]:
    """Open ``page`` in a fresh headless chromium profile, logging console messages to stderr."""
    return subprocess.run(
        [
            str(chromium), "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
            "--no-first-run", "--disable-background-networking", "--disable-component-update",
            "--disable-sync", f"--user-data-dir={profile}", "--enable-logging=stderr", "--v=0",
            *action, page.as_uri(),
        ],
        capture_output=True,
        text=True,
        timeout=180,
        check=False,
    )  # fmt: skip


def _console(stderr: str) -> list[str]:
    return [line for line in stderr.splitlines() if ":CONSOLE" in line]


def _batch():  # type: ignore[no-untyped-def]
    return evaluate_many(DEFAULT_POLICY, sample_timelines())


def test_the_console_check_catches_errors(chromium: Path, tmp_path: Path) -> None:
    """A page with a script error shows CONSOLE lines: the check below can fail."""
    page = tmp_path / "broken.html"
    page.write_text("<!DOCTYPE html><p>x</p><script>console.error('boom'); missing();</script>")
    done = _browse(chromium, page, tmp_path / "profile", "--dump-dom")
    assert any("boom" in line for line in _console(done.stderr))


def test_page_loads_without_console_errors_and_has_the_expected_rows(
    chromium: Path, tmp_path: Path
) -> None:
    """The sample tickets' first-response attainment by priority, as the browser renders it:
    high 1 met 1 breached 50 %, normal 1 met 100 %, urgent 1 breached 0 % (as in the docs)."""
    page = write_html_report(
        tmp_path / "report.html",
        _batch(),
        by=("priority",),
        period=None,
        metric="first_response",
        goal=0.9,
    )
    done = _browse(chromium, page, tmp_path / "profile", "--dump-dom")
    assert 0 == done.returncode, done.stderr[-2000:]
    assert [] == _console(done.stderr)
    rows = _tables(done.stdout)["attainment"]
    assert [
        ["high", "first_response", "1", "1", "0", "50.0%", "all_hands"],
        ["normal", "first_response", "1", "0", "0", "100.0%", "on_target"],
        ["urgent", "first_response", "0", "1", "0", "0.0%", "all_hands"],
    ] == rows


def _png_size(path: Path) -> tuple[int, int]:
    header = path.read_bytes()[:24]
    assert b"\x89PNG\r\n\x1a\n" == header[:8]
    width, height = struct.unpack(">II", header[16:24])
    return width, height


def test_full_page_on_a_phone_screenshot(chromium: Path, tmp_path: Path) -> None:
    """The full page (plots, late and at-risk tickets, service level, satisfaction) at phone
    width: no console errors, and a screenshot kept in test-artifacts/ to look at."""
    pytest.importorskip("matplotlib")
    page = write_html_report(tmp_path / "full.html", **_full_report())
    shot = tmp_path / "phone.png"
    done = _browse(
        chromium, page, tmp_path / "profile", f"--screenshot={shot}", "--window-size=390,2600",
        "--hide-scrollbars",
    )  # fmt: skip
    assert 0 == done.returncode, done.stderr[-2000:]
    assert [] == _console(done.stderr)
    assert (390, 2600) == _png_size(shot)
    ARTIFACTS.mkdir(exist_ok=True)
    kept = ARTIFACTS / "html-report-phone.png"
    shutil.copyfile(shot, kept)
    shutil.copyfile(page, ARTIFACTS / "html-report.html")
    print(f"screenshot kept: {kept}")
    # The whole page on a desktop (figures two side by side), kept to look at too.
    wide = tmp_path / "desktop.png"
    done = _browse(
        chromium, page, tmp_path / "profile", f"--screenshot={wide}", "--window-size=1280,6400",
        "--hide-scrollbars", "--dump-dom",
    )  # fmt: skip
    assert 0 == done.returncode, done.stderr[-2000:]
    assert (1280, 6400) == _png_size(wide)
    shutil.copyfile(wide, ARTIFACTS / "html-report-desktop.png")
    nps_cells = [row[-1] for row in _tables(done.stdout)["nps"]]
    assert nps_cells and all(re.fullmatch(r"-?\d+", cell) for cell in nps_cells), nps_cells


def _full_report() -> dict[str, Any]:
    """The arguments of a page with every section: 1-5 star answers on every sample ticket and
    0-10 answers on the first three, service level of 300 synthetic calls."""
    timelines = [
        t.with_events(
            satisfaction_event(t.events[-1].at, 2 + i % 4, "stars"),
            *([satisfaction_event(t.events[-1].at, (10, 0, 6)[i], "nps")] if i < 3 else []),
        )
        for i, t in enumerate(sample_timelines())
    ]
    calls = service_level(
        generate_contacts(300, seed=1), interval="60min", abandons="failures", timezone="UTC"
    )
    return {
        "batch": evaluate_many(DEFAULT_POLICY, timelines),
        "goal": 0.9,
        "service_level": calls,
        "abandon_bands": BandRule(target=0.05, warning=2, act=5, higher_is_better=False),
        "surveys": surveys(timelines),
    }


PHONE_PX = 390 - 2 * 16  # the page's width on a 390 px phone, less main's padding


def test_figure_text_is_readable_at_phone_width() -> None:
    """Every text of every figure reads at 12 px or more when the figure is as wide as the page
    on a 390 px phone (358 px): font size / viewBox width * 358 >= 12. The 7-inch figures
    drawn before (a 504 pt viewBox, 10 pt tick and legend labels) gave 10 / 504 * 358 = 7.1 px."""
    pytest.importorskip("matplotlib")
    page = html_report(**_full_report())
    figures = re.findall(r"<svg[^>]*viewBox=\"0 0 ([\d.]+) [\d.]+\".*?</svg>", page, re.S)
    blocks = re.findall(r"<svg.*?</svg>", page, re.S)
    assert 9 == len(figures) == len(blocks)  # 2 per metric (4 metrics), 1 of service level
    smallest = []
    for width, block in zip(figures, blocks):
        sizes = [float(size) for size in re.findall(r"font-size: ([\d.]+)px", block)]
        assert len(sizes) >= 8  # title, axis labels, ticks: there is text to measure
        assert len(sizes) == block.count("<text")  # every text states its size
        smallest.append(round(min(sizes) / float(width) * PHONE_PX, 1))
    assert min(smallest) >= 12, smallest


def test_the_page_is_self_contained_and_deterministic() -> None:
    """No script, no external asset (no src, no link, no http href or url(); the SVG xmlns
    names are not fetched); same inputs, same page."""
    timelines = sample_timelines()
    calls = service_level(generate_contacts(100, seed=2), interval="60min")
    page = html_report(evaluate_many(DEFAULT_POLICY, timelines), service_level=calls)
    body = page.split("<body>")[1]
    for forbidden in ("<script", "<link", "src=", 'href="http', "url(http", "@import"):
        assert forbidden not in body
    assert "url(#" in body  # in-page references (SVG clip paths) are fine
    assert '<meta name="viewport"' in page
    again = html_report(evaluate_many(DEFAULT_POLICY, timelines), service_level=calls)
    assert page == again


def test_sections_and_meta() -> None:
    """The page names the policy version and as-of instants; each table is where expected."""
    page = html_report(_batch(), plots=False, period=None, by=())
    tables = _tables(page)
    assert {"attainment", "durations", "late", "at-risk"} <= set(tables)
    assert "sample-support 2025.1" in page or DEFAULT_POLICY.name in page
    assert "each ticket&#x27;s last event" in page
    late = tables["late"]
    assert {"breached", "overdue"} >= {row[3] for row in late}
    assert len(late) == sum(r["state"] in ("breached", "overdue") for r in _batch().records)
