"""``slaclock alerts``: the crossings of a window, for a cron job, as JSON Lines or a table.

>>> import io
>>> from datetime import datetime
>>> from slaclock.synthetic import DEFAULT_POLICY, sample_timelines
>>> now = datetime.fromisoformat("2025-03-11T16:30:00-04:00")
>>> out = io.StringIO()
>>> write_alerts(DEFAULT_POLICY, sample_timelines(), now, datetime.fromisoformat(
...     "2025-03-11T17:30:00-04:00"), out, format="jsonl")
1
>>> print(out.getvalue())  # doctest: +ELLIPSIS
{"ticket_id":"T-1003","metric":"next_response","cycle":0,"kind":"due","name":"due","at":"2025-03-11T17:00:00-04:00",...}
<BLANKLINE>
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterable
from datetime import datetime
from typing import IO, Literal

from slaclock._tz import to_micros
from slaclock.alerts import Alert, AlertKind, alerts
from slaclock.errors import SlaclockError
from slaclock.policy import Policy, PolicySet
from slaclock.tables import printable
from slaclock.timeline import Timeline

__all__ = ["alerts_table", "write_alerts"]


def write_alerts(
    policy: Policy | PolicySet,
    tickets: Iterable[Timeline],
    since: datetime,
    until: datetime,
    out: IO[str],
    *,
    format: Literal["jsonl", "table"] = "jsonl",
    kinds: Collection[AlertKind] = ("threshold", "due"),
    on_error: Callable[[Timeline, SlaclockError], None] | None = None,
) -> int:
    """Write the alerts of ``[since, until)`` for ``tickets`` to ``out``; returns how many.

    A ticket the policy cannot evaluate raises, or goes to ``on_error`` when given (the command
    line's ``--skip-invalid``).
    """
    found: list[Alert] = []
    for ticket in tickets:
        try:
            found.extend(alerts(ticket, since, until, policy=policy, kinds=kinds))
        except SlaclockError as exc:
            if on_error is None:
                raise
            on_error(ticket, exc)
    found.sort(key=_order)
    if format == "table":
        print(alerts_table(found), file=out)
    else:
        for alert in found:
            print(alert.model_dump_json(), file=out)
    return len(found)


def _order(alert: Alert) -> tuple[int, str]:
    # alerts() orders one ticket's; merged across tickets by instant, then ticket (stable sort).
    return (to_micros(alert.at), alert.ticket_id)


def alerts_table(found: list[Alert]) -> str:
    """A plain-text table of alerts, one row each.

    >>> alerts_table([])
    '(no alerts)'
    """
    if not found:
        return "(no alerts)"
    rows = [("at", "ticket", "metric", "#", "alert", "scheduled", "notify", "level")]
    for alert in found:
        notify = alert.notify if isinstance(alert.notify, str) else ",".join(alert.notify or ())
        rows.append(
            (
                alert.at.isoformat(),
                alert.ticket_id,
                alert.metric,
                str(alert.cycle),
                alert.name,
                "" if alert.scheduled_at == alert.at else alert.scheduled_at.isoformat(),
                notify,
                "" if alert.level is None else str(alert.level),
            )
        )
    shown = [[printable(cell) for cell in row] for row in rows]  # ids and routing from files
    widths = [max(len(row[i]) for row in shown) for i in range(len(shown[0]))]
    return "\n".join("  ".join(c.ljust(w) for c, w in zip(row, widths)).rstrip() for row in shown)
