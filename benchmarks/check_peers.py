"""Where businesstimedelta, business-duration and pandas CustomBusinessHour disagree with slaclock.

Run:  .venv/bin/python benchmarks/check_peers.py [--quick]

Part 1 replays the benchmark's seeded inputs (benchmarks/bench_calendar.py: New York, Mon-Fri
09:00-17:00, US holidays) on a subsample and counts the answers by kind of disagreement.
Part 2 probes DST nights with an overnight calendar (daily 22:00-06:00), which a 9-to-5 week never
reaches because US clocks change at 02:00. Instants are compared as instants (UTC microseconds):
``==`` between zones is always False inside a DST fold (PEP 495), which would hide the real answer.
"""

from __future__ import annotations

import argparse
import sys
from collections import Counter
from datetime import datetime, timedelta
from datetime import time as clock
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

sys.path.insert(0, str(Path(__file__).parent))
import bench_calendar as bench

from slaclock import Calendar
from slaclock._tz import to_micros

NY = ZoneInfo("America/New_York")
SECOND = timedelta(seconds=1)


def add_kind(ours: datetime, theirs: datetime) -> str:
    """The kind of disagreement between two answers of ``add``."""
    if to_micros(ours) == to_micros(theirs):
        return "agree"
    cal = bench.CALENDAR
    if not cal.is_open(ours) and to_micros(cal.next_open(ours)) == to_micros(theirs):
        return "used up at closing: next opening returned instead of the closing instant"
    if abs(to_micros(ours) - to_micros(theirs)) < 1_000_000:
        return "sub-second difference"
    return "other"


def elapsed_kind(ours: timedelta, theirs: timedelta) -> str:
    """The kind of disagreement between two answers of ``elapsed``."""
    if ours == theirs:
        return "agree"
    if abs(theirs - ours) < SECOND:
        return "sub-second: microseconds ignored, or float hours rounded (ours exact)"
    return f"differs by {theirs - ours}"


def replay(count: int) -> None:
    points = bench.starts(50_000, seed=1)[:count]
    inputs: dict[str, Any] = {
        "W1": points,
        "W2": points,
        "W3": bench.pairs(points, 30, 2),
        "W4": bench.pairs(points, 365, 3),
    }
    ours = {w: f(inputs[w]) for w, f in bench.slaclock_functions().items()}
    print(f"1. benchmark inputs, first {count:,} (businesstimedelta W4: first {count // 5:,})")
    for peer, factory in bench.PEERS.items():
        for workload, function in factory().items():
            data = inputs[workload]
            if peer == "businesstimedelta" and workload == "W4":
                data = data[: count // 5]  # about 8 ms a call
            kind = add_kind if workload in ("W1", "W2") else elapsed_kind
            counts = Counter(kind(a, b) for a, b in zip(ours[workload], function(data)))
            text = "; ".join(f"{k}: {n}" for k, n in counts.most_common())
            print(f"   {peer:18} {workload}  {text}")


def dst_nights() -> None:
    import businesstimedelta as btd
    import pandas as pd
    import pytz
    from business_duration import businessDuration
    from pandas.tseries.offsets import CustomBusinessHour

    cal = Calendar(timezone="America/New_York", hours={"daily": "22:00-06:00"})
    zone = pytz.timezone("America/New_York")
    rule = btd.Rules(
        [
            btd.WorkDayRule(
                start_time=clock(22), end_time=clock(6), working_days=list(range(7)), tz=zone
            )
        ]
    )
    cbh = CustomBusinessHour(start="22:00", end="06:00", weekmask="Mon Tue Wed Thu Fri Sat Sun")
    print("\n2. DST nights, daily 22:00-06:00, start 21:00 the evening before the change")
    for night in (datetime(2025, 3, 8, 21, tzinfo=NY), datetime(2025, 11, 1, 21, tzinfo=NY)):
        end = night + timedelta(hours=12)
        delta = rule.difference(night, end)
        hours = businessDuration(
            night.replace(tzinfo=None), end.replace(tzinfo=None), clock(22), clock(6),
            weekendlist=[], unit="hour",
        )  # fmt: skip
        print(
            f"   {night.date()} elapsed 21:00-09:00: slaclock {cal.elapsed(night, end)}, "
            f"businesstimedelta {timedelta(hours=delta.hours, seconds=delta.seconds)}, "
            f"business-duration {hours:g}h (wall clock), pandas n/a"
        )
        for h in (6, 8):
            ours = cal.add(night, timedelta(hours=h))
            theirs_btd = night + btd.BusinessTimeDelta(rule, hours=h)
            local = pd.Timestamp(night.replace(tzinfo=None)) + h * cbh
            theirs_pd = local.to_pydatetime().replace(tzinfo=NY)
            print(
                f"     add {h}h: slaclock {ours.isoformat()}; businesstimedelta "
                f"{theirs_btd.isoformat()} ({add_kind(ours, theirs_btd)}); pandas "
                f"{theirs_pd.isoformat()} "
                f"({'agree' if to_micros(ours) == to_micros(theirs_pd) else 'differs'})"
            )


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="300 inputs instead of 2,000")
    args = parser.parse_args(argv)
    replay(300 if args.quick else 2_000)
    dst_nights()


if __name__ == "__main__":
    main()
