"""Side-by-side timing of the same workload through plain boto3 and through euca-boto.

Each round runs one call of every variant in turn (the order rotates every round), so drift of
the machine affects all variants alike; the figures are medians and tail percentiles of the
per-call latency, and the ratio of each variant's median to the first variant's.
"""

from __future__ import annotations

import os
import random
import statistics
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path


@dataclass
class Result:
    name: str
    latencies: list[float] = field(default_factory=list)
    failures: int = 0

    @property
    def calls(self) -> int:
        return len(self.latencies) + self.failures

    def percentile(self, fraction: float) -> float:
        ordered = sorted(self.latencies)
        if not ordered:
            return float("nan")
        return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))]

    @property
    def median(self) -> float:
        return statistics.median(self.latencies) if self.latencies else float("nan")


def compare(
    variants: Sequence[tuple[str, Callable[[], object]]],
    rounds: int,
    warmup: int = 20,
    max_seconds: float = 120.0,
) -> list[Result]:
    """Run every variant ``rounds`` times, interleaved; stop early after ``max_seconds``."""
    for _ in range(warmup):
        for _, call in variants:
            call()
    results = [Result(name) for name, _ in variants]
    deadline = time.monotonic() + max_seconds
    for round_number in range(rounds):
        if time.monotonic() > deadline:
            break
        shift = round_number % len(variants)
        order = list(range(len(variants)))[shift:] + list(range(len(variants)))[:shift]
        for index in order:
            _, call = variants[index]
            start = time.perf_counter()
            try:
                call()
            except Exception:
                results[index].failures += 1
                continue
            results[index].latencies.append(time.perf_counter() - start)
    return results


def median_interval(values: Sequence[float], level: float = 0.95,
                    resamples: int = 4000) -> tuple[float, float]:
    """A bootstrap confidence interval of the median of ``values``: how far the median of
    this many samples moves from one run of the benchmark to the next. Resampled with a fixed
    seed, so the same samples always give the same interval."""
    draw = random.Random(0)
    medians = sorted(statistics.median(draw.choices(values, k=len(values)))
                     for _ in range(resamples))
    tail = int(resamples * (1 - level) / 2)
    return medians[tail], medians[resamples - 1 - tail]


def paired_ratio(mine: Sequence[float], theirs: Sequence[float]) -> tuple[float, str]:
    """The median of the ratios of paired samples (``mine[i] / theirs[i]``, taken next to each
    other in time, so less affected by the machine's drift than the ratio of the medians), and
    that figure with its 95 % interval as text for the report."""
    ratios = [m / t for m, t in zip(mine, theirs, strict=True)]
    ratio = statistics.median(ratios)
    low, high = median_interval(ratios)
    return ratio, f"{ratio:.3f} (95 % interval {low:.3f}-{high:.3f})"


def pin_apart(*server_pids: int) -> str:
    """Put the server processes on the last processor and this process on the others, so the
    client's threads and the servers never trade places between processors (each migration
    costs a run its caches, by chance, and widens the spread of every figure). What was done,
    as one line for the report."""
    cpus = sorted(os.sched_getaffinity(0)) if hasattr(os, "sched_setaffinity") else []
    if len(cpus) < 2:
        return "processors: not pinned (fewer than two available)"
    for pid in server_pids:
        os.sched_setaffinity(pid, {cpus[-1]})
    os.sched_setaffinity(0, set(cpus[:-1]))
    return f"processors: servers on {cpus[-1]}, client on {','.join(map(str, cpus[:-1]))}"


def throughput(call: Callable[[], object], threads: int, calls_per_thread: int) -> float:
    """Calls per second of ``threads`` threads each making ``calls_per_thread`` calls, timed
    from the moment all of them are ready."""
    barrier = threading.Barrier(threads + 1)

    def work() -> None:
        barrier.wait()
        for _ in range(calls_per_thread):
            call()

    workers = [threading.Thread(target=work) for _ in range(threads)]
    for worker in workers:
        worker.start()
    barrier.wait()
    start = time.perf_counter()
    for worker in workers:
        worker.join()
    return threads * calls_per_thread / (time.perf_counter() - start)


def report(title: str, results: Sequence[Result]) -> str:
    """A small table: calls, failures, median, p99 and the median ratio to the first variant."""
    base = results[0].median
    lines = [
        title,
        f"  {'variant':<28} {'calls':>6} {'failed':>6} {'median ms':>10} {'p99 ms':>9} "
        f"{'ratio':>7}",
    ]
    for result in results:
        lines.append(
            f"  {result.name:<28} {result.calls:>6} {result.failures:>6} "
            f"{result.median * 1000:>10.3f} {result.percentile(0.99) * 1000:>9.3f} "
            f"{result.median / base:>7.3f}"
        )
    return "\n".join(lines)


def isolated_environment(directory: str) -> None:
    """No AWS or euca-boto variables; empty AWS files: the sessions use arguments only."""
    for name in list(os.environ):
        if name.startswith(("AWS_", "EUCA_BOTO_")):
            del os.environ[name]
    for name in ("config", "credentials"):
        Path(directory, name).write_text("")
    os.environ["AWS_CONFIG_FILE"] = str(Path(directory, "config"))
    os.environ["AWS_SHARED_CREDENTIALS_FILE"] = str(Path(directory, "credentials"))
