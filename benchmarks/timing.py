"""The timing helper the benchmarks share (the median of several timed runs) and the label of
the build they measure.

The machine is small and noisy, so every figure is a median; garbage is collected before each
run so one run's garbage does not bill the next.
"""

from __future__ import annotations

import gc
import statistics
import time
from collections.abc import Callable

from slaclock import compiled_modules


def median_seconds(run: Callable[[], object], repeats: int) -> float:
    """The median wall time of ``repeats`` calls of ``run``, in seconds."""
    times = []
    for _ in range(repeats):
        gc.collect()
        began = time.perf_counter()
        run()
        times.append(time.perf_counter() - began)
    return statistics.median(times)


def build_label() -> str:
    """Which slaclock build runs: pure Python, or compiled with the modules mypyc compiled."""
    modules = compiled_modules()
    if not modules:
        return "slaclock build: pure Python"
    names = ", ".join(m.removeprefix("slaclock.") for m in modules)
    return f"slaclock build: compiled ({len(modules)} modules: {names})"
