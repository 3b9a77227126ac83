"""Benchmark of the streaming clocks: per-event cost of `add`, and stored state size.

Run:  .venv/bin/python benchmarks/bench_clock.py [--quick]

Workloads (seeded, see slaclock.synthetic.generate_timelines, default policy):
  C1  per-event cost of the incremental `TicketClock.add` on tickets of about 10, 100 and
      1,000 events (target: 1,000 within 2x of 10), against `evaluate`'s per-event cost on the
      same timelines (target: at most 2x), and the full-history clock's `add` for scale.
  C2  stored state size (JSON text of `to_dict()`) for 10, 100 and 1,000 events: synthetic
      tickets (replies open a cycle of next_response each) and a ticket of status changes that
      pause nothing (one cycle per metric).
Events are given to `add` as validated `Event` values (as a service would after parsing).
Figures are medians of several repeats (the machine is small and noisy).
"""

from __future__ import annotations

import argparse
import json
import platform
from collections.abc import Callable, Sequence
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from timing import build_label, median_seconds

from slaclock import FullHistoryClock, TicketClock, Timeline, evaluate
from slaclock.synthetic import DEFAULT_POLICY, generate_timelines


def _feed(
    kind: type[TicketClock] | type[FullHistoryClock], timelines: Sequence[Timeline]
) -> Callable[[], None]:
    def run() -> None:
        for timeline in timelines:
            clock = kind(DEFAULT_POLICY, timeline.ticket_id, timeline.attributes)
            for event in timeline.events:
                clock = clock.add(event)  # type: ignore[assignment]

    return run


def _evaluate(timelines: Sequence[Timeline]) -> Callable[[], None]:
    def run() -> None:
        for timeline in timelines:
            evaluate(DEFAULT_POLICY, timeline)

    return run


def _status_ticket(count: int) -> Timeline:
    """A ticket of ``count`` events: created, then status changes that pause nothing."""
    start = datetime(2025, 3, 3, 9, tzinfo=ZoneInfo("America/New_York"))
    events = [{"at": start, "kind": "created"}] + [
        {"at": start + timedelta(minutes=i), "kind": "status_changed",
         "status": ("in_progress", "open")[i % 2]}
        for i in range(1, count)
    ]  # fmt: skip
    return Timeline(ticket_id="S-1", attributes={"priority": "normal"}, events=events)


def _state_size(kind: type[TicketClock] | type[FullHistoryClock], timeline: Timeline) -> int:
    clock = kind(DEFAULT_POLICY, timeline.ticket_id, timeline.attributes, timeline.events)
    return len(json.dumps(clock.to_dict()))


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fewer tickets and repeats")
    args = parser.parse_args(argv)
    repeats = 3 if args.quick else 5
    scale = 10 if args.quick else 1
    print(
        f"python {platform.python_version()} on {platform.machine()}, {platform.processor() or ''}"
    )
    print(build_label())

    print("C1  per-event cost (us/event)")
    print(
        f"    {'events/ticket':>14} {'add':>8} {'evaluate':>9} {'add/eval':>9} "
        f"{'full-history add':>17}"
    )
    first_add = None
    for exchanges, count in ((3, 1000 // scale), (33, 100 // scale), (333, 10 // scale)):
        batch = list(generate_timelines(count, seed=7, exchanges=exchanges, days=30))
        events = sum(len(t.events) for t in batch)
        _feed(TicketClock, batch[:5])()  # warm the calendar tables and the rules
        add = median_seconds(_feed(TicketClock, batch), repeats) / events * 1e6
        batch_eval = median_seconds(_evaluate(batch), repeats) / events * 1e6
        # The full-history clock replays everything on each add: O(n) per event.
        few = batch[: max(1, 100 // (exchanges * 3))]
        few_events = sum(len(t.events) for t in few)
        full = median_seconds(_feed(FullHistoryClock, few), 1) / few_events * 1e6
        first_add = first_add or add
        print(
            f"    {events / count:14.0f} {add:8.2f} {batch_eval:9.2f} {add / batch_eval:9.2f} "
            f"{full:17.1f}"
        )
    print(f"    (add at ~1,000 events / add at ~10 events: {add / first_add:.2f})")

    print("C2  stored state size (bytes of JSON text)")
    print(f"    {'events':>7} {'incremental':>12} {'full-history':>13} {'status-only incr.':>18}")
    for exchanges, target in ((3, 10), (33, 100), (333, 1000)):
        timeline = next(generate_timelines(1, seed=11, exchanges=exchanges))
        status = _status_ticket(target)
        print(
            f"    {len(timeline.events):7d} {_state_size(TicketClock, timeline):12,d} "
            f"{_state_size(FullHistoryClock, timeline):13,d} "
            f"{_state_size(TicketClock, status):18,d} ({len(status.events)} events)"
        )


if __name__ == "__main__":
    main()
