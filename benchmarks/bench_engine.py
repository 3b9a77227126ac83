"""Benchmark of the SLA engine: tickets per second, and how the cost grows with events per ticket.

Run:  .venv/bin/python benchmarks/bench_engine.py [--quick]

Workloads (seeded, see slaclock.synthetic.generate_timelines):
  E1  100,000 tickets of about 10 events each under the four-metric default policy
      (business-hours calendar with US holidays; urgent targets 24x7) - tickets per second on one core.
  E2  cost per ticket at about 10, 100 and 1,000 events per ticket (must grow linearly:
      the per-event cost stays flat).
Figures are medians of several repeats (the machine is small and noisy).
"""

from __future__ import annotations

import argparse
import platform
from collections.abc import Callable, Sequence

from timing import build_label, median_seconds

from slaclock import Timeline, evaluate
from slaclock.synthetic import DEFAULT_POLICY, generate_timelines


def _evaluate_all(timelines: Sequence[Timeline]) -> Callable[[], None]:
    def run() -> None:
        for timeline in timelines:
            evaluate(DEFAULT_POLICY, timeline)

    return run


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="10x fewer tickets, fewer repeats")
    args = parser.parse_args(argv)
    tickets = 10_000 if args.quick else 100_000
    repeats = 3 if args.quick else 5

    print(
        f"python {platform.python_version()} on {platform.machine()}, {platform.processor() or ''}"
    )
    print(build_label())
    timelines = list(generate_timelines(tickets, seed=2025))
    events = sum(len(t.events) for t in timelines) / len(timelines)
    _evaluate_all(timelines[:1000])()  # warm the calendar tables
    seconds = median_seconds(_evaluate_all(timelines), repeats)
    print(
        f"E1  {tickets:,} tickets, {events:.1f} events/ticket: "
        f"{tickets / seconds:,.0f} tickets/s ({seconds / tickets * 1e6:.1f} us/ticket)"
    )

    print("E2  growth with events per ticket")
    print(f"    {'events/ticket':>14} {'us/ticket':>11} {'us/event':>10}")
    for exchanges, count in ((3, 2000), (33, 200), (333, 20)):
        batch = list(generate_timelines(count, seed=7, exchanges=exchanges, days=30))
        per_ticket = sum(len(t.events) for t in batch) / len(batch)
        seconds = median_seconds(_evaluate_all(batch), repeats)
        micros = seconds / count * 1e6
        print(f"    {per_ticket:14.0f} {micros:11.1f} {micros / per_ticket:10.2f}")


if __name__ == "__main__":
    main()
