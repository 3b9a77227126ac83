"""An obviously-correct reference model of the engine, for checking the fast code.

It walks a ticket's life one quarter hour at a time: at each step it applies the events of that
instant, then tags the quarter hour for each metric as *counting*, *paused* or *gap* (the cycle
was stopped and may be reopened later). Elapsed and paused business time are counts of tagged
quarter hours in which the calendar is open; the due instant and the thresholds are found by
counting on, quarter hour by quarter hour. No intervals, prefix sums or binary searches: every
instant, event and opening hour lies on the quarter-hour grid, so counting is exact.

It covers the built-in ``first_response``, ``resolution`` and ``requester_wait`` metrics under one
policy with ``reopen: continue`` and ``priority_change: recompute``; with ``next_open=True`` the
convention ``due_at_closing: next_open`` (a due instant in a closed quarter hour moves on to the
next open one), and a paused cycle's projected due instant (counting on from ``as_of``).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, timezone

from slaclock import Calendar, Policy, TicketResult, Timeline
from slaclock._tz import to_micros
from tests.calendar_model import intervals

STEP = 15 * 60 * 1_000_000  # a quarter hour, in microseconds
UTC = timezone.utc

MODEL_POLICY = Policy.model_validate(
    {
        "name": "model",
        "calendar": {
            "timezone": "Europe/Berlin",
            "hours": {"mon-fri": [["09:00", "12:30"], ["13:15", "17:00"]]},
            "holidays": ["2025-04-18", "2025-04-21"],
        },
        "metrics": {
            "first_response": {
                "targets": {
                    "urgent": {"duration": "1h", "calendar": "24x7"},
                    "high": "2h",
                    "normal": "6h30m",
                },
                "thresholds": [{"name": "half", "at_percent": 50}],
            },
            "resolution": {
                "targets": {
                    "urgent": {"duration": "8h", "calendar": "24x7"},
                    "high": "16h",
                    "normal": "30h",
                }
            },
            "requester_wait": {
                "targets": {
                    "urgent": {"duration": "6h", "calendar": "24x7"},
                    "high": "9h",
                    "normal": "20h",
                },
                "thresholds": [{"name": "soon", "before_due": "1h"}],
            },
        },
    }
)
METRICS = ("first_response", "resolution", "requester_wait")
_PAUSE = {"first_response": (), "resolution": (), "requester_wait": ("pending",)}
_STATUS_OF_KIND = {"solved": "solved", "reopened": "open", "closed": "closed"}


@dataclass
class ModelCycle:
    """What the model says about a metric's one cycle (instants in UTC microseconds)."""

    state: str
    start: int
    end: int | None
    due: int | None
    elapsed: int
    paused: int
    target: int
    thresholds: list[tuple[str, int | None, bool]]
    projected: int | None = None


@dataclass
class _Track:
    start: int | None = None
    end: int | None = None
    open: bool = False
    cancelled: bool = False
    priority: str = ""
    tags: dict[int, str] = field(default_factory=dict)  # step -> count | pause | gap


class OpenSteps:
    """Which quarter hours the policy's business calendar is open in (from the calendar model)."""

    def __init__(self, calendar: Calendar, first: date, last: date) -> None:
        self.open: set[int] = set()
        for a, b in intervals(calendar, first, last):
            self.open.update(range(to_micros(a) // STEP, to_micros(b) // STEP))

    def __call__(self, step: int, around_the_clock: bool) -> bool:
        return around_the_clock or step in self.open


def evaluate_model(
    timeline: Timeline, as_of: datetime, next_open: bool = False
) -> dict[str, ModelCycle | None]:
    """Each metric's cycle as of ``as_of`` (``None`` before it starts)."""
    events = [(to_micros(e.at) // STEP, e) for e in timeline.events]
    assert all(to_micros(e.at) % STEP == 0 for e in timeline.events), "events on the grid"
    last = to_micros(as_of) // STEP
    first_day = timeline.events[0].at.astimezone(UTC).date() - timedelta(days=2)
    is_open = OpenSteps(MODEL_POLICY.calendar, first_day, first_day + timedelta(days=120))  # type: ignore[arg-type]
    tracks = {name: _Track() for name in METRICS}
    status, priority = "new", str(timeline.attributes["priority"])
    position = 0
    # Events at as_of itself still apply (the engine keeps events at or before as_of), but the
    # quarter hour from as_of on is not tagged: it has not happened.
    for step in range(events[0][0], last + 1):
        while position < len(events) and events[position][0] == step:
            event = events[position][1]
            position += 1
            previous = status
            status = event.status or _STATUS_OF_KIND.get(event.kind, status)
            moved_into = status if (event.kind == "created" or status != previous) else None
            if event.kind == "priority_changed":
                priority = str(event.priority)
            public = event.public is not False
            for name, track in tracks.items():
                _apply(name, track, event.kind, public, moved_into, step, priority)
        if step == last:
            break
        for name, track in tracks.items():
            if track.start is not None:
                pause = status in _PAUSE[name]
                track.tags[step] = ("pause" if pause else "count") if track.open else "gap"
    return {
        name: _summarise(name, track, last, status, is_open, next_open)
        if track.start is not None
        else None
        for name, track in tracks.items()
    }


def _apply(
    name: str,
    track: _Track,
    kind: str,
    public: bool,
    moved_into: str | None,
    step: int,
    priority: str,
) -> None:
    solved = moved_into in ("solved", "closed")
    if track.open:
        track.priority = priority  # recompute: the cycle follows the ticket's priority
        if name == "first_response" and kind == "agent_replied" and public:
            track.open, track.end = False, step
        elif solved:
            track.open, track.end = False, step
            track.cancelled = name == "first_response"
    elif track.start is None and kind == "created":
        track.start, track.open, track.priority = step, True, priority
    elif name != "first_response" and kind == "reopened" and track.start is not None:
        track.open, track.end, track.priority = True, None, priority  # reopen: continue


def _summarise(
    name: str, track: _Track, last: int, status: str, is_open: OpenSteps, next_open: bool = False
) -> ModelCycle:
    assert track.start is not None
    target = MODEL_POLICY.metrics[name].targets[track.priority]
    around_the_clock = target.calendar == "24x7"
    assert target.duration is not None
    target_steps = int(target.duration / timedelta(minutes=15))
    end = track.end if not track.open else last
    lifetime = range(track.start, end)
    counted = [s for s in lifetime if track.tags[s] == "count" and is_open(s, around_the_clock)]
    paused = [
        s for s in lifetime if track.tags[s] in ("pause", "gap") and is_open(s, around_the_clock)
    ]
    running = track.open and status not in _PAUSE[name]

    def reach(amount: int, project: bool) -> int | None:
        """The instant the counted time reaches ``amount`` steps, projected if asked."""
        if amount == 0:
            return track.start
        if len(counted) >= amount:
            return counted[amount - 1] + 1
        if not project:
            return None
        have, step = len(counted), end
        while True:
            if is_open(step, around_the_clock):
                have += 1
                if have == amount:
                    return step + 1
            step += 1

    def moved(step: int | None) -> int | None:
        """``due_at_closing: next_open``: from a closed quarter hour on to the next open one."""
        if step is None or not next_open:
            return step
        while not is_open(step, around_the_clock):
            step += 1
        return step

    due = moved(reach(target_steps, running or (not track.open and not track.cancelled)))
    projected = None
    if due is None and track.open and not track.cancelled and target_steps > len(counted):
        have, step = len(counted), last  # as if the clock resumed at as_of
        while have < target_steps:
            if is_open(step, around_the_clock):
                have += 1
            step += 1
        projected = moved(step)
    if track.cancelled:
        state = "cancelled"
    elif not track.open:
        state = "met" if due is not None and end <= due else "breached"
    elif due is not None and last > due:
        state = "overdue"
    else:
        state = "running" if running else "paused"
    thresholds = []
    for threshold in MODEL_POLICY.metrics[name].thresholds:
        if threshold.at_percent is not None:
            position = target_steps * int(threshold.at_percent) // 100
        else:
            assert threshold.before_due is not None
            position = max(0, target_steps - int(threshold.before_due / timedelta(minutes=15)))
        at = reach(position, running and not track.cancelled)
        thresholds.append((threshold.name, at, at is not None and at <= last))
    return ModelCycle(
        state=state,
        start=track.start,
        end=None if track.open else end,
        due=due,
        elapsed=len(counted),
        paused=len(paused),
        target=target_steps,
        thresholds=thresholds,
        projected=projected,
    )


def model_summary(model: dict[str, ModelCycle | None]) -> dict[str, tuple[object, ...] | None]:
    """Per metric, what the model says, in the units of :func:`result_summary` (UTC
    microseconds for instants, quarter hours for durations)."""
    return {
        name: None
        if m is None
        else (
            m.state,
            m.start * STEP,
            None if m.end is None else m.end * STEP,
            None if m.due is None else m.due * STEP,
            m.elapsed,
            m.paused,
            m.target - m.elapsed,
            [(n, None if a is None else a * STEP, r) for n, a, r in m.thresholds],
        )
        for name, m in model.items()
    }


def result_summary(result: TicketResult) -> dict[str, tuple[object, ...] | None]:
    """Per metric, the engine's one cycle (``None`` before it starts) in the model's units."""

    def micros(value: datetime | None) -> int | None:
        return None if value is None else to_micros(value)

    def steps(value: timedelta) -> int:
        assert value % timedelta(microseconds=STEP) == timedelta(0), value
        return value // timedelta(microseconds=STEP)

    summary: dict[str, tuple[object, ...] | None] = {}
    for name in METRICS:
        cycles = result.metrics[name].cycles
        assert len(cycles) <= 1, name
        if not cycles:
            summary[name] = None
            continue
        cycle = cycles[0]
        summary[name] = (
            cycle.state,
            to_micros(cycle.started_at),
            micros(cycle.stopped_at),
            micros(cycle.due_at),
            steps(cycle.elapsed),
            steps(cycle.paused),
            None if cycle.remaining is None else steps(cycle.remaining),
            [(t.name, micros(t.at), t.reached) for t in cycle.thresholds],
        )
    return summary
