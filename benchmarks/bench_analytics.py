"""Benchmark of the analytics: a what-if target sweep and call-centre service level.

Run:  .venv/bin/python benchmarks/bench_analytics.py [--quick]

Workloads (seeded, see slaclock.synthetic):
  A1  sweep of 10 first-response targets for normal tickets over 100,000 tickets under the
      default policy: one evaluation pass (with spans), then each target from the durations.
      Shown next to what re-evaluating the tickets once per target would cost.
  A2  service level (30-minute intervals in America/New_York, abandons excluded within the
      threshold) over 1,000,000 contacts (a 100,000-contact day repeated 10 times).
Figures are medians of several repeats (the machine is small and noisy).
"""

from __future__ import annotations

import argparse
import platform
from collections.abc import Sequence
from datetime import timedelta

from timing import build_label, median_seconds

from slaclock import evaluate
from slaclock.servicelevel import service_level
from slaclock.synthetic import DEFAULT_POLICY, generate_contacts, generate_timelines
from slaclock.whatif import sweep

TARGETS = [timedelta(hours=h) for h in (1, 2, 3, 4, 5, 6, 8, 10, 12, 16)]


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="10x fewer items, fewer repeats")
    args = parser.parse_args(argv)
    tickets = 10_000 if args.quick else 100_000
    contacts = 100_000 if args.quick else 1_000_000
    repeats = 1 if args.quick else 3
    print(f"python {platform.python_version()} on {platform.machine()}")
    print(build_label())

    timelines = list(generate_timelines(tickets, seed=2025))
    sweep(timelines[:1000], "first_response", "normal", TARGETS, baseline=DEFAULT_POLICY)  # warm
    seconds = median_seconds(
        lambda: sweep(timelines, "first_response", "normal", TARGETS, baseline=DEFAULT_POLICY),
        repeats,
    )

    def evaluate_all() -> None:
        for timeline in timelines:
            evaluate(DEFAULT_POLICY, timeline)

    one_pass = median_seconds(evaluate_all, repeats)
    print(
        f"A1  sweep of {len(TARGETS)} targets over {tickets:,} tickets: {seconds:.2f} s "
        f"({seconds / tickets * 1e6:.1f} us/ticket); re-evaluating per target would take about "
        f"{one_pass * len(TARGETS):.1f} s ({one_pass / tickets * 1e6:.1f} us/ticket per target)"
    )

    day = generate_contacts(contacts // 10, seed=2025)
    many = day * 10
    seconds = median_seconds(
        lambda: service_level(
            many,
            threshold=20,
            interval="30min",
            abandons="excluded_within_threshold",
            timezone="America/New_York",
        ),
        repeats,
    )
    print(
        f"A2  service level over {len(many):,} contacts: {seconds:.2f} s "
        f"({seconds / len(many) * 1e6:.2f} us/contact)"
    )


if __name__ == "__main__":
    main()
