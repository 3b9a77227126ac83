"""Benchmark of the input limits: cost grows with what is asked, never with what is adversarial.

Run:  .venv/bin/python benchmarks/bench_limits.py [--quick]

  L1  a ticket that keeps switching policy: cost per event at 1,000, 2,000 and 4,000 switches
      (must stay flat: the catch-up replays only the events since the last switch).
  L2  peak memory of a calendar asked about 2025, then refused 9025 (must stay small: the table
      never grows past the supported range), and of the widest supported query (1970..2199).
  L3  a YAML alias bomb: time and peak memory until it is refused.
  L4  report over N tickets: peak memory at 2,000 and 8,000 tickets (the tally streams; the
      ratio shows what still grows with the tickets, e.g. the per-ticket events grouping).
Figures are medians of several repeats (the machine is small and noisy).
"""

from __future__ import annotations

import argparse
import contextlib
import io
import json
import tempfile
import tracemalloc
from collections.abc import Callable, Sequence
from datetime import datetime, timedelta, timezone
from pathlib import Path

from timing import median_seconds

from slaclock import Calendar, PolicySet, Timeline, evaluate
from slaclock.errors import OutOfRangeError
from slaclock.files import PolicyFileError, load_policy
from slaclock.synthetic import generate_timelines

UTC = timezone.utc
SWITCHING = PolicySet.model_validate(
    [
        {
            "name": "vip",
            "conditions": {"tags_any": ["vip"]},
            "metrics": {"first_response": {"targets": {"normal": "1h"}}},
        },
        {
            "name": "rest",
            "metrics": {
                "first_response": {"targets": {"normal": "2h"}},
                "agent_work": {"targets": {"normal": "16h"}},
            },
        },
    ]
)


def _switching(n: int) -> Timeline:
    t0 = datetime(2025, 1, 1, tzinfo=UTC)
    events = [{"at": t0, "kind": "created", "attributes": {"priority": "normal"}}]
    for i in range(n):
        tags = ["vip"] if i % 2 == 0 else []
        events.append(
            {
                "at": t0 + timedelta(minutes=i + 1),
                "kind": "attributes_changed",
                "attributes": {"tags": tags},
            }
        )
    return Timeline(ticket_id="T", events=events)


def _peak(run: Callable[[], object]) -> int:
    tracemalloc.start()
    try:
        run()
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fewer repeats")
    args = parser.parse_args(argv)
    repeats = 3 if args.quick else 5

    print("L1  policy switching: us/event")
    for n in (1000, 2000, 4000):
        timeline = _switching(n)
        seconds = median_seconds(lambda t=timeline: evaluate(SWITCHING, t), repeats)
        print(f"    {n:6,} switches: {seconds / n * 1e6:8.1f} us/event")

    def far() -> None:
        cal = Calendar.weekdays("Europe/Berlin", country="DE", subdiv="BE")
        cal.is_open(datetime(2025, 3, 7, 12, tzinfo=UTC))
        with contextlib.suppress(OutOfRangeError):
            cal.is_open(datetime(9025, 3, 7, 12, tzinfo=UTC))

    def widest() -> None:
        cal = Calendar.weekdays("Europe/Berlin", country="DE", subdiv="BE")
        cal.elapsed(datetime(1970, 1, 1, tzinfo=UTC), datetime(2199, 12, 31, tzinfo=UTC))

    print(f"L2  2025 then 9025 (refused): peak {_peak(far) / 1e6:.1f} MB")
    print(f"    1970..2199 weekdays with holidays: peak {_peak(widest) / 1e6:.1f} MB")

    folder = Path(tempfile.mkdtemp())
    bomb = folder / "bomb.yaml"
    rows = ['a: &a ["x","x","x","x","x","x","x","x","x"]']
    rows += [
        f"{name}: &{name} [{', '.join(['*' + prev] * 9)}]"
        for prev, name in zip("abcdefgh", "bcdefghi")
    ]
    bomb.write_text("\n".join(rows) + "\n")

    def refuse() -> None:
        with contextlib.suppress(PolicyFileError):
            load_policy(bomb)

    print(
        f"L3  alias bomb ({bomb.stat().st_size} bytes): {median_seconds(refuse, repeats) * 1e3:.1f} ms, "
        f"peak {_peak(refuse) / 1e6:.1f} MB"
    )

    from slaclock.cli import main as cli

    policy = str(Path(__file__).parent.parent / "examples" / "policies" / "b2b-saas.yaml")
    peaks = []
    for count in (2000, 8000):
        events = folder / f"events-{count}.jsonl"
        with events.open("w") as handle:
            for timeline in generate_timelines(count, seed=3):
                for event in timeline.events:
                    data = event.model_dump(mode="json", exclude_none=True)
                    if event.kind == "created":
                        data["attributes"] = {**timeline.attributes, **data.get("attributes", {})}
                    handle.write(json.dumps({"ticket_id": timeline.ticket_id, **data}) + "\n")
        peak = _peak(lambda e=events: cli(["report", policy, str(e)], io.StringIO(), io.StringIO()))
        peaks.append(peak)
        print(f"L4  report, {count:,} tickets: peak {peak / 1e6:.1f} MB")
    print(
        f"    ratio 8,000 / 2,000 tickets: {peaks[1] / peaks[0]:.2f} (4 would mean it keeps every record)"
    )


if __name__ == "__main__":
    main()
