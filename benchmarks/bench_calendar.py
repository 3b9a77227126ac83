"""Benchmark of business-time arithmetic: slaclock against businesstimedelta, business-duration
and pandas CustomBusinessHour, on the same seeded inputs, in one run; and a check of their answers.

Run:  .venv/bin/python benchmarks/bench_calendar.py [--quick]   (peers: pip install -e '.[bench]')

Setup: America/New_York, Mon-Fri 09:00-17:00, US federal holidays 2024-2028 with observed days;
50,000 random aware starts in 2025-2026 (inside and outside hours, exactly at 09:00/17:00, on
weekends, holidays and DST weekends).
  W1 add 4 business hours          W2 add 400 business hours
  W3 elapsed, pairs <= 30 days     W4 elapsed, pairs <= 365 days
  floor: a function that only returns start + timedelta(hours=4)
Figures: median microseconds per call over several repeats. The slow peers run on a seeded
subsample of the same inputs (they take milliseconds per call).
"""

from __future__ import annotations

import argparse
import platform
import random
from collections import Counter
from collections.abc import Callable, Sequence
from datetime import date, datetime, timedelta
from datetime import time as clock
from typing import Any
from zoneinfo import ZoneInfo

import holidays as country_holidays
from timing import median_seconds

from slaclock import Calendar

NY = ZoneInfo("America/New_York")
HOLIDAYS = sorted(d for d in country_holidays.US(years=range(2024, 2029)) if 2024 <= d.year <= 2028)
CALENDAR = Calendar.weekdays("America/New_York", "09:00", "17:00", holidays=HOLIDAYS)
FOUR, FOUR_HUNDRED = timedelta(hours=4), timedelta(hours=400)
DST_WEEKENDS = [date(2025, 3, 8), date(2025, 11, 1), date(2026, 3, 7), date(2026, 10, 31)]


def starts(count: int, seed: int) -> list[datetime]:
    """Seeded aware instants in 2025-2026, mixing every kind of awkward start."""
    rng = random.Random(seed)
    first = datetime(2025, 1, 1, tzinfo=NY)
    days = (date(2027, 1, 1) - date(2025, 1, 1)).days
    out: list[datetime] = []
    for _ in range(count):
        kind = rng.random()
        day = date(2025, 1, 1) + timedelta(days=rng.randrange(days))
        if kind < 0.4:  # anywhere, to the microsecond
            out.append(first + timedelta(microseconds=rng.randrange(days * 86_400_000_000)))
            continue
        if kind < 0.55:  # exactly at opening or closing time
            out.append(datetime.combine(day, clock(rng.choice((9, 17))), tzinfo=NY))
            continue
        if kind < 0.7:  # a weekend
            day += timedelta(days=(5 - day.weekday()) % 7 + rng.randrange(2))
        elif kind < 0.8:  # a holiday
            day = rng.choice([d for d in HOLIDAYS if d.year in (2025, 2026)])
        elif kind < 0.9:  # a DST weekend
            day = rng.choice(DST_WEEKENDS) + timedelta(days=rng.randrange(2))
        out.append(datetime.combine(day, clock(rng.randrange(24), rng.randrange(60)), tzinfo=NY))
    return out


def pairs(points: Sequence[datetime], max_days: int, seed: int) -> list[tuple[datetime, datetime]]:
    rng = random.Random(seed)
    return [(s, s + timedelta(seconds=rng.randrange(max_days * 86_400))) for s in points]


def median_micros(run: Callable[[], Any], calls: int, repeats: int) -> float:
    return median_seconds(run, repeats) / calls * 1e6


# ---------------------------------------------------------------------------------------------
# The contenders: each returns {workload: function(inputs) -> list of answers} for what it can do
def slaclock_functions() -> dict[str, Callable[[Any], list[Any]]]:
    add, elapsed = CALENDAR.add, CALENDAR.elapsed
    return {
        "W1": lambda xs: [add(s, FOUR) for s in xs],
        "W2": lambda xs: [add(s, FOUR_HUNDRED) for s in xs],
        "W3": lambda ps: [elapsed(a, b) for a, b in ps],
        "W4": lambda ps: [elapsed(a, b) for a, b in ps],
    }


def floor_functions() -> dict[str, Callable[[Any], list[Any]]]:
    def floor(start: datetime) -> datetime:
        return start + timedelta(hours=4)

    return {"W1": lambda xs: [floor(s) for s in xs]}


def businesstimedelta_functions() -> dict[str, Callable[[Any], list[Any]]]:
    import businesstimedelta
    import pytz

    zone = pytz.timezone("America/New_York")
    workday = businesstimedelta.WorkDayRule(
        start_time=clock(9), end_time=clock(17), working_days=[0, 1, 2, 3, 4], tz=zone
    )
    rules = businesstimedelta.Rules(
        [workday, businesstimedelta.HolidayRule(dict.fromkeys(HOLIDAYS, ""), tz=zone)]
    )
    four = businesstimedelta.BusinessTimeDelta(rules, hours=4)
    four_hundred = businesstimedelta.BusinessTimeDelta(rules, hours=400)

    def elapsed(a: datetime, b: datetime) -> timedelta:
        delta = rules.difference(a, b)
        return timedelta(hours=delta.hours, seconds=delta.seconds)

    return {
        "W1": lambda xs: [s + four for s in xs],
        "W2": lambda xs: [s + four_hundred for s in xs],
        "W3": lambda ps: [elapsed(a, b) for a, b in ps],
        "W4": lambda ps: [elapsed(a, b) for a, b in ps],
    }


def business_duration_functions() -> dict[str, Callable[[Any], list[Any]]]:
    from business_duration import businessDuration

    table = dict.fromkeys(HOLIDAYS, "")

    def elapsed(a: datetime, b: datetime) -> timedelta:
        # business-duration works on naive local times and returns float hours.
        hours = businessDuration(
            a.replace(tzinfo=None), b.replace(tzinfo=None), clock(9), clock(17),
            weekendlist=[5, 6], holidaylist=table, unit="hour",
        )  # fmt: skip
        return timedelta(hours=hours if hours == hours else 0.0)  # NaN for some inputs

    return {
        "W3": lambda ps: [elapsed(a, b) for a, b in ps],
        "W4": lambda ps: [elapsed(a, b) for a, b in ps],
    }


def pandas_functions() -> dict[str, Callable[[Any], list[Any]]]:
    import pandas as pd
    from pandas.tseries.offsets import CustomBusinessHour

    hour = CustomBusinessHour(start="09:00", end="17:00", holidays=HOLIDAYS)
    four, four_hundred = 4 * hour, 400 * hour

    def add(start: datetime, offset: Any) -> datetime:
        # CustomBusinessHour works on naive local wall time (whole hours only).
        local = pd.Timestamp(start.replace(tzinfo=None)) + offset
        return local.to_pydatetime().replace(tzinfo=NY)

    return {
        "W1": lambda xs: [add(s, four) for s in xs],
        "W2": lambda xs: [add(s, four_hundred) for s in xs],
    }


PEERS = {
    "businesstimedelta": businesstimedelta_functions,
    "business-duration": business_duration_functions,
    "pandas CBH": pandas_functions,
}


# ---------------------------------------------------------------------------------------------
def classify_add(start: datetime, ours: datetime, theirs: datetime) -> str:
    if ours.astimezone(NY) == theirs.astimezone(NY):
        return "agree"
    if not CALENDAR.is_open(ours) and CALENDAR.next_open(ours) == theirs:
        return "next opening instead of the closing instant"
    start_day = start.astimezone(NY).date()
    if any(abs((start_day - d).days) <= 2 for d in DST_WEEKENDS):
        return "DST weekend start"
    if CALENDAR.is_open(start) is False and start.astimezone(NY).time() not in (
        clock(9),
        clock(17),
    ):
        return "start outside hours (other)"
    return "other"


def check(
    inputs: dict[str, Any], answers: dict[str, dict[str, list[Any]]]
) -> dict[str, Counter[str]]:
    found: dict[str, Counter[str]] = {}
    ours = answers["slaclock"]
    for peer, by_workload in answers.items():
        if peer in ("slaclock", "floor"):
            continue
        for workload, theirs in by_workload.items():
            counts: Counter[str] = Counter()
            for item, mine, other in zip(inputs[workload], ours[workload], theirs, strict=False):
                if workload in ("W1", "W2"):
                    counts[classify_add(item, mine, other)] += 1
                else:
                    gap = abs(mine - other)
                    counts[
                        "agree"
                        if gap < timedelta(seconds=1)
                        else f"differ ({'<1h' if gap < timedelta(hours=1) else '>=1h'})"
                    ] += 1
            found[f"{peer} {workload}"] = counts
    return found


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="business-time arithmetic benchmark")
    parser.add_argument("--quick", action="store_true", help="fewer inputs and repeats")
    args = parser.parse_args(argv)
    count = 5_000 if args.quick else 50_000
    peer_count = 300 if args.quick else 2_000
    repeats = 3 if args.quick else 7

    points = starts(count, seed=1)
    inputs = {"W1": points, "W2": points, "W3": pairs(points, 30, 2), "W4": pairs(points, 365, 3)}
    sample = {name: items[:peer_count] for name, items in inputs.items()}
    slaclock_functions()["W4"](inputs["W4"])  # compile the calendar tables once

    print(f"python {platform.python_version()}, {platform.machine()}; {count:,} inputs "
          f"(peers: {peer_count:,}); median us/call over {repeats} repeats")  # fmt: skip
    contenders: dict[str, dict[str, Callable[[Any], list[Any]]]] = {
        "slaclock": slaclock_functions(),
        "floor": floor_functions(),
    }
    for name, factory in PEERS.items():
        try:
            contenders[name] = factory()
        except ImportError as exc:
            print(f"  ({name} not installed: {exc}; pip install -e '.[bench]')")
    results: dict[str, dict[str, float]] = {}
    answers: dict[str, dict[str, list[Any]]] = {}
    for name, functions in contenders.items():
        results[name], answers[name] = {}, {}
        for workload, function in functions.items():
            data = inputs[workload] if name in ("slaclock", "floor") else sample[workload]
            runs = repeats if name in ("slaclock", "floor") else max(1, repeats // 3)
            results[name][workload] = median_micros(
                lambda f=function, d=data: f(d), len(data), runs
            )
            answers[name][workload] = function(sample[workload])

    ours = results["slaclock"]
    print(f"\n{'':20}" + "".join(f"{w:>12}" for w in ("W1", "W2", "W3", "W4")))
    for name, row in results.items():
        print(
            f"{name:20}"
            + "".join(
                f"{row[w]:12.2f}" if w in row else f"{'n/a':>12}" for w in ("W1", "W2", "W3", "W4")
            )
        )
    print("\nratio (peer / slaclock)")
    for name, row in results.items():
        if name == "slaclock":
            continue
        print(
            f"{name:20}"
            + "".join(
                f"{row[w] / ours[w]:11.1f}x" if w in row else f"{'n/a':>12}"
                for w in ("W1", "W2", "W3", "W4")
            )
        )
    print(f"\nslaclock vs floor (W1): {ours['W1'] / results['floor']['W1']:.1f}x the floor")
    print(f"slaclock W2 / W1 (400h vs 4h): {ours['W2'] / ours['W1']:.2f}")

    print("\nanswers on the shared sample (peer vs slaclock)")
    for key, counts in check(sample, answers).items():
        print(f"  {key:24} " + ", ".join(f"{kind}: {n}" for kind, n in counts.most_common()))


if __name__ == "__main__":
    main()
