"""Benchmark of slaclock at scale: engine, command line, columnar path, Spark, Dask, bulk calendar.

Run:  .venv/bin/python benchmarks/bench_scale.py [--tickets N] [--quick] [--skip-distributed]

Everything comes from the seeded generator (slaclock.synthetic.generate_timelines), and every
ratio is measured in the same run. Sections:
  S1  engine on prepared timelines (the E1 workload of bench_engine.py: 10-event tickets,
      the default policy): tickets per second.
  S2  command line end to end (a subprocess, interpreter start included) on a 20,000-ticket
      events file: JSON Lines in and out; Parquet in and out.
  S3  columnar path (evaluate_frame on a pyarrow table) vs evaluate_many on the same tickets.
  S4  Spark (local[2]) and Dask (LocalCluster, 2 worker processes) vs one process on --tickets
      tickets (default 1,000,000) read from Parquet; peak memory (RSS) per worker process.
  S5  bulk calendar (Calendar.add_many over numpy arrays) vs numpy's busday_offset on whole-day
      work, and vs a Python loop of Calendar.add.
Figures are medians of several repeats (the machine is small, shared and noisy).
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import platform
import resource
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

from timing import build_label, median_seconds

import slaclock
from slaclock import Calendar, Timeline, evaluate, evaluate_frame
from slaclock.analytics import evaluate_many
from slaclock.synthetic import DEFAULT_POLICY, DEFAULT_POLICY_DATA, generate_timelines

ATTRIBUTES = ("group", "channel", "tier")
COLUMNS = ("ticket_id", "at", "kind", "id", "status", "priority", "public", *ATTRIBUTES)


def interleaved_medians(runs: dict[str, Callable[[], object]], repeats: int) -> dict[str, float]:
    """The median wall time of each run, the runs taking turns (A B C A B C ...), so a change
    in the machine's load between them biases the ratios less than back-to-back medians."""
    times: dict[str, list[float]] = {name: [] for name in runs}
    for _ in range(repeats):
        for name, run in runs.items():
            gc.collect()
            began = time.perf_counter()
            run()
            times[name].append(time.perf_counter() - began)
    return {name: statistics.median(values) for name, values in times.items()}


# ----------------------------------------------------------------------------------------------
# Data: timelines -> event rows (one per event; the created row carries the attributes)
def event_rows(timelines: Iterable[Timeline]) -> Iterator[dict[str, Any]]:
    for timeline in timelines:
        for event in timeline.events:
            row: dict[str, Any] = {
                "ticket_id": timeline.ticket_id,
                "at": event.at.isoformat(),
                "kind": event.kind,
            }
            for name in ("id", "status", "priority", "public"):
                value = getattr(event, name)
                if value is not None:
                    row[name] = value
            if event.kind == "created":
                row["priority"] = timeline.attributes["priority"]
                for name in ATTRIBUTES:
                    row[name] = timeline.attributes[name]
            yield row


def arrow_table(rows: list[dict[str, Any]]) -> Any:
    import pyarrow as pa

    types = {"public": pa.bool_()}
    return pa.table(
        {c: pa.array([r.get(c) for r in rows], types.get(c, pa.string())) for c in COLUMNS}
    )


def write_jsonl(rows: Iterable[dict[str, Any]], path: Path) -> None:
    with path.open("w", encoding="utf-8") as out:
        for row in rows:
            data = {k: v for k, v in row.items() if k not in ATTRIBUTES}
            if row["kind"] == "created":
                data["attributes"] = {k: row[k] for k in ATTRIBUTES}
            out.write(json.dumps(data) + "\n")


def write_parquet_chunks(count: int, seed: int, path: Path, chunk: int = 50_000) -> int:
    """``count`` tickets written as Parquet in row groups of whole tickets; returns the events."""
    import pyarrow.parquet as pq

    writer = None
    events = 0
    generated = generate_timelines(count, seed=seed)
    done = 0
    while done < count:
        size = min(chunk, count - done)
        rows = list(event_rows(next(generated) for _ in range(size)))
        table = arrow_table(rows)
        if writer is None:
            writer = pq.ParquetWriter(path, table.schema)
        writer.write_table(table)
        events += len(rows)
        done += size
    assert writer is not None
    writer.close()
    return events


# ----------------------------------------------------------------------------------------------
# Peak memory of child processes (Spark's Python workers, Dask's workers), sampled
class ChildMemory:
    """Samples the RSS of every descendant process while running; ``peaks`` per process."""

    def __init__(self, interval: float = 0.2) -> None:
        self.interval = interval
        self.peaks: dict[int, tuple[str, int]] = {}
        self.cpu: dict[int, float] = {}  # CPU seconds (user + system) each process had used
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        import psutil

        me = psutil.Process()
        while not self._stop.is_set():
            for child in me.children(recursive=True):
                try:
                    rss = child.memory_info().rss
                    name = " ".join(child.cmdline())
                    times = child.cpu_times()
                    self.cpu[child.pid] = times.user + times.system
                except psutil.Error:
                    continue
                if rss > self.peaks.get(child.pid, ("", 0))[1]:
                    self.peaks[child.pid] = (name, rss)
            self._stop.wait(self.interval)

    def __enter__(self) -> ChildMemory:
        self._thread.start()
        return self

    def __exit__(self, *_: object) -> None:
        self._stop.set()
        self._thread.join()

    def cpu_seconds(self, marker: str) -> float:
        """CPU seconds used by the descendant processes whose command line contains ``marker``."""
        return sum(
            self.cpu.get(pid, 0.0) for pid, (name, _) in self.peaks.items() if marker in name
        )

    def python_workers(self, marker: str) -> list[int]:
        """Peak RSS (MiB) of the descendant processes whose command line contains ``marker``."""
        return sorted(
            (rss // 2**20 for name, rss in self.peaks.values() if marker in name), reverse=True
        )


# ----------------------------------------------------------------------------------------------
def s1_engine(tickets: int, repeats: int) -> None:
    timelines = list(generate_timelines(tickets, seed=2025))
    for timeline in timelines[:1000]:  # warm the calendar tables
        evaluate(DEFAULT_POLICY, timeline)

    def run() -> None:
        for timeline in timelines:
            evaluate(DEFAULT_POLICY, timeline)

    seconds = median_seconds(run, repeats)
    print(f"S1  engine, {tickets:,} prepared timelines: {tickets / seconds:,.0f} tickets/s")


def s2_cli(workdir: Path, repeats: int) -> None:
    tickets = 20_000
    rows = list(event_rows(generate_timelines(tickets, seed=2025)))
    policy = workdir / "policy.json"
    policy.write_text(json.dumps(DEFAULT_POLICY_DATA))
    jsonl = workdir / "events.jsonl"
    write_jsonl(rows, jsonl)
    parquet = workdir / "events.parquet"
    import pyarrow.parquet as pq

    pq.write_table(arrow_table(rows), parquet)
    # The subprocess imports the slaclock this benchmark imported (pure sources or a build).
    env = {**os.environ, "PYTHONPATH": str(Path(slaclock.__file__).parent.parent)}

    def cli(*argv: str) -> Callable[[], None]:
        command = [sys.executable, "-m", "slaclock.cli", "evaluate", str(policy), *argv]
        return lambda: subprocess.run(command, check=True, env=env)

    startup = median_seconds(
        lambda: subprocess.run([sys.executable, "-c", "import slaclock.cli"], check=True, env=env),
        repeats,
    )
    print(f"S2  command line, {tickets:,} tickets ({len(rows):,} events); interpreter start "
          f"and imports {startup:.2f} s included")  # fmt: skip
    for label, argv in (
        ("JSON Lines in and out", (str(jsonl), "--format", "jsonl", "--output", str(workdir / "out.jsonl"))),
        ("Parquet in and out   ", (str(parquet), "--output", str(workdir / "out.parquet"))),
        ("Parquet in, CSV out  ", (str(parquet), "--output", str(workdir / "out.csv"))),
    ):  # fmt: skip
        seconds = median_seconds(cli(*argv), repeats)
        print(f"    {label}: {seconds:6.2f} s  {tickets / seconds:9,.0f} tickets/s")


def s3_columnar(tickets: int, repeats: int) -> None:
    timelines = list(generate_timelines(tickets, seed=2025))
    rows = list(event_rows(timelines))
    table = arrow_table(rows)
    data = [t.model_dump() for t in timelines]
    evaluate_frame(DEFAULT_POLICY, table.slice(0, 5000))  # warm the calendar tables
    pandas_in = table.to_pandas()
    medians = interleaved_medians(
        {
            "many": lambda: evaluate_many(DEFAULT_POLICY, timelines),
            "many_data": lambda: evaluate_many(DEFAULT_POLICY, data),
            "frame": lambda: evaluate_frame(DEFAULT_POLICY, table),
            "frame_pandas": lambda: evaluate_frame(DEFAULT_POLICY, pandas_in),
        },
        repeats,
    )
    many, many_data = medians["many"], medians["many_data"]
    frame, frame_pandas = medians["frame"], medians["frame_pandas"]
    print(f"S3  columnar vs evaluate_many, {tickets:,} tickets ({len(rows):,} events)")
    print(f"    evaluate_many (Timeline objects) {tickets / many:9,.0f} tickets/s")
    print(f"    evaluate_many (plain dicts)      {tickets / many_data:9,.0f} tickets/s")
    print(f"    evaluate_frame (pyarrow)         {tickets / frame:9,.0f} tickets/s  "
          f"x{many / frame:.2f} vs Timelines, x{many_data / frame:.2f} vs dicts")  # fmt: skip
    print(f"    evaluate_frame (pandas)          {tickets / frame_pandas:9,.0f} tickets/s")


def s4_distributed(tickets: int, workdir: Path, spark: bool, dask: bool) -> None:
    import pyarrow.parquet as pq

    path = workdir / f"events-{tickets}.parquet"
    began = time.perf_counter()
    events = write_parquet_chunks(tickets, 2025, path)
    print(f"S4  distributed, {tickets:,} tickets ({events:,} events) in Parquet "
          f"(generated in {time.perf_counter() - began:.0f} s)")  # fmt: skip

    def one_process() -> int:
        count = 0
        parquet = pq.ParquetFile(path)
        for group in range(parquet.num_row_groups):
            count += evaluate_frame(DEFAULT_POLICY, parquet.read_row_group(group)).num_rows
        return count

    began, cpu = time.perf_counter(), time.process_time()
    rows = one_process()
    single = time.perf_counter() - began
    single_cpu = time.process_time() - cpu
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024
    print(f"    one process (row group by row group): {single:7.1f} s "
          f"{tickets / single:9,.0f} tickets/s, {rows:,} rows, {single_cpu:.1f} CPU s, "
          f"peak RSS of this process {peak} MiB")  # fmt: skip
    if dask:
        import dask.dataframe as dd
        import distributed

        from slaclock.dask import evaluate as dask_evaluate

        with (
            distributed.LocalCluster(
                n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None,
                memory_limit="6GiB",
            ) as cluster,
            distributed.Client(cluster),
            ChildMemory() as memory,
        ):  # fmt: skip
            began = time.perf_counter()
            events_ddf = dd.read_parquet(path, split_row_groups=True)
            result = dask_evaluate(events_ddf, DEFAULT_POLICY, partitioned_by_ticket=True)
            count = len(result)
            seconds = time.perf_counter() - began
        workers = memory.python_workers("spawn_main")
        cpu_used = memory.cpu_seconds("spawn_main")
        print(f"    Dask, 2 worker processes:            {seconds:7.1f} s "
              f"{tickets / seconds:9,.0f} tickets/s, {count:,} rows, x{single / seconds:.2f} "
              f"vs one process; workers' CPU {cpu_used:.1f} s (x{cpu_used / single_cpu:.2f} of "
              f"one process); peak RSS per process (MiB): {workers[:4]}")  # fmt: skip
    if spark:
        from pyspark.sql import SparkSession

        from slaclock.spark import evaluate as spark_evaluate

        os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
        session = (
            SparkSession.builder.master("local[2]")
            .config("spark.sql.session.timeZone", "UTC")
            .config("spark.ui.enabled", "false")
            .config("spark.driver.memory", "4g")
            .config("spark.sql.shuffle.partitions", "8")
            .getOrCreate()
        )
        try:
            with ChildMemory() as memory:
                began = time.perf_counter()
                df = session.read.parquet(str(path))
                out = spark_evaluate(df, DEFAULT_POLICY)
                out.write.format("noop").mode("overwrite").save()
                seconds = time.perf_counter() - began
            count = rows
            workers = memory.python_workers("pyspark.daemon")
            jvm = memory.python_workers("org.apache.spark")
            cpu_used = memory.cpu_seconds("pyspark.daemon")
            jvm_cpu = memory.cpu_seconds("org.apache.spark")
            print(f"    Spark local[2]:                      {seconds:7.1f} s "
                  f"{tickets / seconds:9,.0f} tickets/s, x{single / seconds:.2f} vs one process; "
                  f"Python workers' CPU {cpu_used:.1f} s (x{cpu_used / single_cpu:.2f} of one "
                  f"process), JVM CPU {jvm_cpu:.1f} s; peak RSS of Python workers (MiB): "
                  f"{workers[:4]}, JVM: {jvm[:1]}")  # fmt: skip
            del count
        finally:
            session.stop()


def s5_bulk(count: int, repeats: int) -> None:
    import holidays as country_holidays
    import numpy as np

    # Whole-day work: open 00:00-24:00 Monday to Friday in UTC, US holidays; + N business days.
    calendar = Calendar.model_validate(
        {"timezone": "UTC", "hours": {"mon-fri": [["00:00", "24:00"]]},
         "country_holidays": {"country": "US"}}
    )  # fmt: skip
    rng = np.random.default_rng(5)
    days = rng.integers(0, 3 * 365, count)
    start = np.datetime64("2024-01-01", "D")
    dates = start + days
    offsets = rng.integers(1, 20, count)
    holidays = np.array(
        sorted(d for y in range(2023, 2029) for d in country_holidays.US(years=y)),
        "datetime64[D]",
    )
    # numpy: roll a start that is not a business day to the next one, then offset.
    numpy_seconds = median_seconds(
        lambda: np.busday_offset(dates, offsets, roll="forward", holidays=holidays), repeats
    )
    instants = dates.astype("datetime64[us]")
    durations = (offsets * 86_400_000_000).astype("timedelta64[us]")
    calendar.add_many(instants[:1000], durations[:1000])  # build the table
    bulk_seconds = median_seconds(lambda: calendar.add_many(instants, durations), repeats)
    result = calendar.add_many(instants, durations)
    # The same days: from the midnight that opens business day D, N whole days of open time
    # are used up at the close (24:00) of the (N-1)-th business day after D, which is
    # busday_offset(D, N - 1); compare for starts on business days.
    on_business_day = np.is_busday(dates, holidays=holidays)
    last_day = (result - np.timedelta64(1, "us")).astype("datetime64[D]")
    check = np.busday_offset(dates, offsets - 1, roll="forward", holidays=holidays)
    same = (last_day[on_business_day] == check[on_business_day]).all()
    loop_count = min(count, 100_000)
    starts = [
        datetime(2024, 1, 1, tzinfo=timezone.utc) + timedelta(days=int(d))
        for d in days[:loop_count]
    ]
    amounts = [timedelta(days=int(n)) for n in offsets[:loop_count]]

    def loop() -> None:
        add = calendar.add
        for s, d in zip(starts, amounts):
            add(s, d)

    loop_seconds = median_seconds(loop, repeats) * count / loop_count
    per = 1e9 / count
    print(f"S5  bulk calendar, {count:,} instants + N business days (whole days, US holidays)")
    print(f"    numpy busday_offset       {numpy_seconds * per:8.1f} ns/item")
    print(f"    Calendar.add_many (numpy) {bulk_seconds * per:8.1f} ns/item  "
          f"x{bulk_seconds / numpy_seconds:.2f} of busday_offset; same dates: {bool(same)}")  # fmt: skip
    print(f"    Calendar.add in a loop    {loop_seconds * per:8.1f} ns/item  "
          f"add_many is x{loop_seconds / bulk_seconds:.1f} faster")  # fmt: skip


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tickets", type=int, default=1_000_000, help="tickets for S4")
    parser.add_argument("--quick", action="store_true", help="fewer tickets and repeats")
    parser.add_argument("--skip-distributed", action="store_true", help="no S4")
    parser.add_argument("--only", help="comma-separated sections to run, e.g. S1,S3")
    args = parser.parse_args(argv)
    repeats = 3 if args.quick else 5
    only = {s.strip().upper() for s in args.only.split(",")} if args.only else None

    def wanted(section: str) -> bool:
        return only is None or section in only

    print(f"python {platform.python_version()} on {platform.machine()}, {os.cpu_count()} cores")
    print(build_label())
    with tempfile.TemporaryDirectory(prefix="slaclock-bench-") as folder:
        workdir = Path(folder)
        if wanted("S1"):
            s1_engine(10_000 if args.quick else 100_000, repeats)
        if wanted("S2"):
            s2_cli(workdir, 1 if args.quick else 3)
        if wanted("S3"):
            s3_columnar(5_000 if args.quick else 20_000, repeats)
        if wanted("S4") and not args.skip_distributed:
            s4_distributed(args.tickets, workdir, spark=True, dask=True)
        if wanted("S5"):
            s5_bulk(100_000 if args.quick else 1_000_000, repeats)


if __name__ == "__main__":
    main()
