"""One self-contained HTML page of an evaluated batch, for reading in a browser.

The page has the as-of instant and the policy versions, attainment by the chosen groups and
periods, attainment over time and duration plots (inline SVG, with the ``[plot]`` extra), the
breached, overdue and at-risk cycles with their due instants, and, when given, the service
level per interval with its bands and the satisfaction reports. No server, no external asset
(the CSS and the figures are inline), and it reads on a phone (tables scroll sideways, figures
take the screen's width with text of 12 px or more, legends below them). Nothing here reads the clock: the same inputs give the same page.

>>> from slaclock.batch import evaluate_many
>>> from slaclock.synthetic import DEFAULT_POLICY, sample_timelines
>>> page = html_report(evaluate_many(DEFAULT_POLICY, sample_timelines()), plots=False)
>>> page.startswith("<!DOCTYPE html>"), "<script" in page, "http" in page.split("<body>")[1]
(True, False, False)
"""

from __future__ import annotations

import importlib
import io
import textwrap
from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime, timedelta, tzinfo
from html import escape
from pathlib import Path
from typing import Any

from slaclock import __version__
from slaclock._tz import to_micros
from slaclock.bands import BandRule, check_share
from slaclock.batch import Batch
from slaclock.durations import display_duration
from slaclock.reports import Period, at_risk, attainment, check_flag, durations
from slaclock.satisfaction import Survey, csat, nps, response_rate, satisfaction_by_sla
from slaclock.servicelevel import ServiceLevelReport
from slaclock.tables import Percent, Score, Table

__all__ = ["html_report", "write_html_report"]

_CSS = """
:root { color-scheme: light; --ok: #1a7f37; --warn: #9a6700; --act: #bc4c00; --bad: #cf222e; }
* { box-sizing: border-box; }
body { font: 15px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; margin: 0;
       color: #1f2328; background: #fff; }
main { max-width: 1100px; margin: 0 auto; padding: 12px 16px 40px; }
h1 { font-size: 1.5rem; margin: 8px 0 4px; }
h2 { font-size: 1.15rem; margin: 28px 0 6px; border-bottom: 1px solid #d0d7de; padding-bottom: 4px; }
p.meta, p.note, p.caption { color: #59636e; margin: 4px 0; }
dl.meta { display: grid; grid-template-columns: max-content 1fr; gap: 2px 12px; margin: 8px 0; }
dl.meta dt { font-weight: 600; } dl.meta dd { margin: 0; }
.scroll { overflow-x: auto; -webkit-overflow-scrolling: touch; margin: 6px 0; }
table { border-collapse: collapse; font-variant-numeric: tabular-nums; min-width: 50%; }
th, td { padding: 4px 10px; border-bottom: 1px solid #d8dee4; text-align: left; white-space: nowrap; }
th { background: #f6f8fa; position: sticky; top: 0; }
td.num { text-align: right; }
td.on_target { color: var(--ok); font-weight: 600; }
td.warning { color: var(--warn); font-weight: 600; }
td.act { color: var(--act); font-weight: 600; }
td.all_hands, td.breached, td.overdue { color: var(--bad); font-weight: 600; }
.figures { display: grid; gap: 8px 24px; align-items: start;
           grid-template-columns: repeat(auto-fill, minmax(min(100%, 440px), 1fr)); }
figure { margin: 10px 0; } figure svg { width: 100%; height: auto; display: block; }
@media (max-width: 600px) { body { font-size: 14px; } th, td { padding: 3px 6px; } }
"""

_MAX_ROWS = 200

# Figures are drawn 4.8 inches wide (345.6 pt: the SVG's viewBox), 3.6 inches tall plus their
# legends and title lines, and fill their column: one column on a phone, two side by side on a
# desktop (each at least 440 px). On a 390 px phone they get the page's 358 px, so 1 pt of the
# drawing is about 1.04 px there and a 12 pt label reads at 12.4 px (a 7-inch figure gave 8 px).
_FIGURE_INCHES = (4.8, 3.6)
_FONT_PT = 13.0
_MIN_FONT_PT = 12.0
_LINE_INCHES = 0.25  # a line of 13 pt text with its spacing
_TITLE_CHARS = 34  # of a 15.6 pt title (font.size "large") on a 345.6 pt wide figure


def _cell(value: Any) -> tuple[str, bool]:
    """(text, numeric) of a table cell: shares as percentages, scores (NPS) as whole numbers,
    durations rounded to the second
    (:func:`~slaclock.durations.display_duration`), instants as ISO 8601 with their offset."""
    if value is None:
        return "-", False
    if isinstance(value, Percent):
        return f"{value * 100:.1f}%", True
    if isinstance(value, Score):
        return value.display(), True
    if isinstance(value, bool):
        return str(value), False
    if isinstance(value, float):
        return f"{value:.2f}", True
    if isinstance(value, int):
        return str(value), True
    if isinstance(value, timedelta):
        return display_duration(value), True
    if isinstance(value, datetime):
        return value.isoformat(sep=" ", timespec="seconds"), False
    return str(value), False


def _table(
    columns: Sequence[str],
    rows: Sequence[Mapping[str, Any]],
    *,
    caption: str | None = None,
    classes: Mapping[str, str] | None = None,
    id_: str | None = None,
) -> str:
    """An HTML table; ``classes`` maps a column to the row value whose text becomes the cell's
    class (a band, a state)."""
    head = "".join(f"<th>{escape(name)}</th>" for name in columns)
    body = []
    for row in rows[:_MAX_ROWS]:
        cells = []
        for name in columns:
            text, numeric = _cell(row.get(name))
            kinds = ["num"] if numeric else []
            if classes and name in classes and row.get(name) is not None:
                kinds.append(escape(str(row.get(name))))
            attribute = f' class="{" ".join(kinds)}"' if kinds else ""
            cells.append(f"<td{attribute}>{escape(text)}</td>")
        body.append(f"<tr>{''.join(cells)}</tr>")
    more = (
        f'<p class="note">{len(rows) - _MAX_ROWS} more rows not shown.</p>'
        if len(rows) > _MAX_ROWS
        else ""
    )
    ident = f' id="{escape(id_)}"' if id_ else ""
    lead = f'<p class="caption">{escape(caption)}</p>' if caption else ""
    return (
        f'{lead}<div class="scroll"><table{ident}><thead><tr>{head}</tr></thead>'
        f"<tbody>{''.join(body)}</tbody></table></div>{more}"
    )


def _from_table(table: Table, **options: Any) -> str:
    return _table(table.columns, table.rows, caption=table.caption, **options)


def _svg(figure: Any) -> str:
    """A matplotlib figure as inline SVG (text as text, no date: the same figure, the same SVG)."""
    buffer = io.StringIO()
    figure.savefig(buffer, format="svg", metadata={"Date": None})
    text = buffer.getvalue()
    text = text[text.index("<svg") :]
    start, end = text.find("<metadata>"), text.find("</metadata>")
    return text if start < 0 or end < 0 else text[:start] + text[end + len("</metadata>") :]


def _figures(draw: Iterable[tuple[str, Any]]) -> str:
    """Inline SVG figures, or a note when matplotlib (the ``[plot]`` extra) is missing."""
    try:
        matplotlib = importlib.import_module("matplotlib")
    except ImportError:
        return '<p class="note">Plots need matplotlib: pip install "slaclock[plot]".</p>'
    parts = []
    # Text as text (readable, searchable) and fixed ids: the same figure, the same SVG.
    settings = {"svg.fonttype": "none", "svg.hashsalt": "slaclock", "font.size": _FONT_PT}
    with matplotlib.rc_context(settings):
        for label, make in draw:
            try:
                figure = make()
            except ValueError as exc:  # nothing to plot for this one
                parts.append(f'<p class="note">{escape(label)}: {escape(str(exc))}</p>')
                continue
            _fit_to_phone(figure)
            parts.append(f'<figure aria-label="{escape(label)}">{_svg(figure)}</figure>')
    return f'<div class="figures">{"".join(parts)}</div>'


def _fit_to_phone(figure: Any) -> None:
    """Redraw ``figure`` at the page's figure width, every text at least ``_MIN_FONT_PT``, titles
    wrapped, and legends below the axes, one entry a line (beside the axes they would squeeze
    them on a narrow figure); the figure grows taller by what the legends and titles take."""
    width, height = _FIGURE_INCHES
    for axes in figure.axes:
        legend = axes.get_legend()
        if legend is not None:
            handles = legend.legend_handles
            labels = [text.get_text() for text in legend.get_texts()]
            title = legend.get_title().get_text() or None
            legend.remove()
            figure.legend(handles, labels, title=title, loc="outside lower center")
            height += _LINE_INCHES * (len(labels) + (title is not None) + 1)
        wrapped = textwrap.fill(axes.get_title(), _TITLE_CHARS)
        axes.set_title(wrapped)
        height += _LINE_INCHES * wrapped.count("\n")
    figure.set_size_inches(width, height)
    text_type = importlib.import_module("matplotlib.text").Text
    for text in figure.findobj(text_type):
        if text.get_fontsize() < _MIN_FONT_PT:
            text.set_fontsize(_MIN_FONT_PT)


def _as_of(batch: Batch) -> str:
    if batch.as_of is not None:
        return batch.as_of.isoformat(sep=" ", timespec="seconds")
    instants = [ticket["as_of"] for ticket in batch.tickets if ticket.get("as_of") is not None]
    if not instants:
        return "-"
    first = min(instants, key=to_micros).isoformat(sep=" ", timespec="seconds")
    last = max(instants, key=to_micros).isoformat(sep=" ", timespec="seconds")
    return f"each ticket's last event ({first} to {last})"


def _policies(batch: Batch) -> str:
    versions = sorted(
        {
            f"{record['policy']} {record['policy_version'] or ''}".strip()
            for record in batch.records
            if record.get("policy")
        }
    )
    return ", ".join(versions) or "-"


def _attainment_section(
    batch: Batch,
    by: Sequence[str],
    period: Period | None,
    metric: str | None,
    goal: float | None,
    timezone: str | tzinfo | None,
) -> str:
    report = attainment(batch, by=by, period=period, metric=metric, timezone=timezone)
    keys = (*report.by, *(("period",) if report.period else ()), "metric")
    rows = []
    for row in report.rows:
        share = row.attainment
        data: dict[str, Any] = dict(zip(keys, (*row.key, row.metric)))
        data.update(
            met=row.met,
            breached=row.breached,
            overdue=row.overdue,
            attainment=None if share is None else Percent(share),
        )
        if goal is not None:
            data["band"] = BandRule(target=goal).rate(share, "nothing_counted")
        rows.append(data)
    columns = (*keys, "met", "breached", "overdue", "attainment", *(("band",) if goal else ()))
    rule = "" if goal is None else f" Bands: {BandRule(target=goal).describe()}."
    caption = (
        "attainment = met / (met + breached + overdue); breached: stopped late; overdue: still "
        f"running past due.{rule}"
    )
    return "<h2>Attainment</h2>" + _table(
        columns, rows, caption=caption, classes={"band": "band"}, id_="attainment"
    )


def _plots_section(
    batch: Batch,
    by: Sequence[str],
    period: Period | None,
    metric: str | None,
    goal: float | None,
    timezone: str | tzinfo | None,
) -> str:
    plots = importlib.import_module("slaclock.plots")
    metrics = sorted({r["metric"] for r in batch.records if metric in (None, r["metric"])})
    chart_period: Period = period or "week"

    def over_time(name: str) -> Any:
        report = attainment(batch, by=by, period=chart_period, metric=name, timezone=timezone)
        return plots.attainment_by_period(report, goal=goal)

    def histogram(name: str) -> Any:
        return plots.duration_histogram(batch, name)

    draw: list[tuple[str, Any]] = []
    for name in metrics:
        draw.append((f"attainment per {chart_period}: {name}", lambda n=name: over_time(n)))
        draw.append((f"business time: {name}", lambda n=name: histogram(n)))
    return "<h2>Over time and durations</h2>" + _figures(draw)


def _tickets_section(batch: Batch, metric: str | None) -> str:
    late = [
        {
            "ticket_id": r["ticket_id"],
            "metric": r["metric"],
            "priority": r["priority"],
            "state": r["state"],
            "due_at": r["due_at"],
            "stopped_at": r["stopped_at"],
            "overdue_by": r["overdue_by"],
        }
        for r in batch.records
        if r["state"] in ("breached", "overdue") and metric in (None, r["metric"])
    ]
    late.sort(key=lambda row: (to_micros(row["due_at"]), row["ticket_id"], row["metric"]))
    risky = [row for row in at_risk(batch).rows if metric in (None, row["metric"])]
    return (
        "<h2>Breached and overdue</h2>"
        + _table(
            ("ticket_id", "metric", "priority", "state", "due_at", "stopped_at", "overdue_by"),
            late,
            caption=f"{len(late)} cycles past due, earliest due first; overdue_by is business "
            "time past due.",
            classes={"state": "state"},
            id_="late",
        )
        + "<h2>At risk</h2>"
        + _table(
            ("ticket_id", "metric", "priority", "state", "due_at", "remaining", "thresholds"),
            risky,
            caption=f"{len(risky)} open cycles past a warning threshold, least time left first.",
            id_="at-risk",
        )
    )


def _service_level_section(
    report: ServiceLevelReport, bands: BandRule, abandon: BandRule | None
) -> str:
    rows = []
    for row in report.rows:
        share = row.service_level_fraction()
        rate = row.abandonment_rate
        data: dict[str, Any] = {
            "interval": row.label,
            "offered": row.offered,
            "answered": row.answered,
            "within": row.answered_within,
            "abandoned": row.abandoned,
            "service_level": None if share is None else Percent(share),
            "band": bands.rate(share, row.undefined or "no_contacts"),
            "abandon_rate": None if rate is None else Percent(rate),
            "asa": row.average_speed_of_answer,
        }
        if abandon is not None:
            data["abandon_band"] = abandon.rate(row.abandonment_rate_fraction())
        rows.append(data)
    columns = (
        "interval",
        "offered",
        "answered",
        "within",
        "abandoned",
        "service_level",
        "band",
        "abandon_rate",
        *(("abandon_band",) if abandon is not None else ()),
        "asa",
    )
    caption = f"{report.describe()}. Bands: {bands.describe()}." + (
        "" if abandon is None else f" Abandon rate bands: {abandon.describe()}."
    )
    plots = importlib.import_module("slaclock.plots")
    figure = _figures(
        [("service level", lambda: plots.service_level_by_interval(report, bands=bands))]
    )
    return (
        "<h2>Service level</h2>"
        + _table(
            columns,
            rows,
            caption=caption,
            classes={"band": "band", "abandon_band": "band"},
            id_="service-level",
        )
        + figure
    )


def _satisfaction_section(
    surveys: Sequence[Survey],
    batch: Batch,
    by: Sequence[str],
    period: Period | None,
    timezone: str | tzinfo | None,
) -> str:
    grouped = [name for name in by if any(name in s.attributes for s in surveys)]
    # The page's zone, when given, for these periods too (the reports' own default is UTC).
    options: dict[str, Any] = {"by": grouped, "period": period}
    if timezone is not None:
        options["timezone"] = timezone
    parts = ["<h2>Satisfaction</h2>"]
    for title, report in (
        ("CSAT (share satisfied: 4-5 stars or good)", csat(surveys, **options)),
        ("NPS (promoters 9-10 minus detractors 0-6)", nps(surveys, **options)),
        ("Response rate (answered / offered)", response_rate(surveys, **options)),
    ):
        keys = (*report.by, *(("period",) if report.period else ()))
        columns = {
            "csat": ("answered", "satisfied", "csat"),
            "nps": ("answered", "promoters", "passives", "detractors", "nps"),
            "response_rate": ("offered", "responded", "response_rate"),
        }[report.measure]
        rows = []
        for row in report.rows:
            data: dict[str, Any] = dict(zip(keys, row.key))
            for name in columns:
                data[name] = getattr(row, name)
            value = report.value(row)
            if value is not None:
                data[report.measure] = Score(value) if report.measure == "nps" else Percent(value)
            rows.append(data)
        parts.append(f"<p><strong>{escape(title)}</strong></p>")
        if not rows:
            parts.append('<p class="note">No answers.</p>')
            continue
        parts.append(_table((*keys, *columns), rows, id_=report.measure.replace("_", "-")))
    by_sla = satisfaction_by_sla(surveys, batch)
    parts.append("<p><strong>Satisfaction of tickets whose SLA was met or breached</strong></p>")
    rows = [
        {
            "metric": row.metric,
            "sla": row.sla,
            "tickets": row.tickets,
            "csat_answers": row.csat.answered,
            "csat": None if row.csat.csat is None else Percent(row.csat.csat),
            "nps_answers": row.nps.answered,
            "nps": None if row.nps.nps is None else Score(row.nps.nps),
        }
        for row in by_sla.rows
    ]
    parts.append(
        _table(
            ("metric", "sla", "tickets", "csat_answers", "csat", "nps_answers", "nps"),
            rows,
            classes={"sla": "sla"},
            id_="satisfaction-by-sla",
        )
    )
    return "".join(parts)


def html_report(
    batch: Batch,
    *,
    title: str = "SLA report",
    by: Sequence[str] = ("priority",),
    period: Period | None = "week",
    metric: str | None = None,
    goal: float | None = None,
    timezone: str | tzinfo | None = None,
    service_level: ServiceLevelReport | None = None,
    service_bands: BandRule | None = None,
    abandon_bands: BandRule | None = None,
    surveys: Sequence[Survey] | None = None,
    plots: bool = True,
) -> str:
    """The page as a string (see the module docstring): ``by``, ``period``, ``metric`` and
    ``timezone`` as in :func:`~slaclock.reports.attainment` (the zone is used for every period on
    the page: table, chart and satisfaction); ``goal`` (a share) draws the
    target line and rates attainment with bands; ``service_level`` adds the intervals, rated
    by ``service_bands`` (default 80 % with absolute bands) and ``abandon_bands``; ``surveys``
    adds CSAT, NPS, response rate and satisfaction of met against breached SLAs; ``plots=False``
    leaves the figures out (they need the ``[plot]`` extra).

    >>> from slaclock.batch import evaluate_many
    >>> from slaclock.synthetic import DEFAULT_POLICY, sample_timelines
    >>> page = html_report(evaluate_many(DEFAULT_POLICY, sample_timelines()), goal=0.9, plots=False)
    >>> '<table id="attainment">' in page, "target at least 90%" in page
    (True, True)
    """
    if goal is not None:
        check_share(goal, "goal")
    check_flag(plots, "plots")
    sections = [
        _attainment_section(batch, by, period, metric, goal, timezone),
        "<h2>Durations</h2>" + _from_table(durations(batch, metric=metric, by=by), id_="durations"),
    ]
    if plots:
        sections.append(_plots_section(batch, by, period, metric, goal, timezone))
    sections.append(_tickets_section(batch, metric))
    if service_level is not None:
        sections.append(
            _service_level_section(
                service_level, service_bands or BandRule(target=0.8), abandon_bands
            )
        )
    if surveys is not None:
        sections.append(_satisfaction_section(surveys, batch, by, period, timezone))
    failures = (
        f'<p class="note">{len(batch.failures)} tickets could not be evaluated and are not '
        "counted.</p>"
        if batch.failures
        else ""
    )
    return (
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{escape(title)}</title><style>{_CSS}</style></head><body><main>"
        f"<h1>{escape(title)}</h1>"
        '<dl class="meta">'
        f'<dt>As of</dt><dd id="as-of">{escape(_as_of(batch))}</dd>'
        f'<dt>Policy</dt><dd id="policy">{escape(_policies(batch))}</dd>'
        f"<dt>Tickets</dt><dd>{len(batch.tickets)}</dd>"
        f"<dt>Made by</dt><dd>slaclock {escape(__version__)}</dd></dl>"
        f"{failures}{''.join(sections)}</main></body></html>\n"
    )


def write_html_report(path: str | Path, batch: Batch, **options: Any) -> Path:
    """Write :func:`html_report` to ``path`` (UTF-8) and return the path.

    >>> import tempfile
    >>> from slaclock.batch import evaluate_many
    >>> from slaclock.synthetic import DEFAULT_POLICY, sample_timelines
    >>> with tempfile.TemporaryDirectory() as folder:
    ...     page = write_html_report(Path(folder) / "report.html",
    ...                              evaluate_many(DEFAULT_POLICY, sample_timelines()), plots=False)
    ...     "<table" in page.read_text(encoding="utf-8")
    True
    """
    target = Path(path)
    target.write_text(html_report(batch, **options), encoding="utf-8")
    return target
