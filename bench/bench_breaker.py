"""Circuit breaker benchmark: the same calls with and without a breaker, side by side.

1. Throughput: 8 threads share one client against a LocalCloud endpoint that answers after
   50 ms. Calls per second with no breaker, through euca-boto's breaker, and through
   pybreaker's ``CircuitBreaker.call()`` (which holds its lock across the call), each as a
   ratio to no breaker.
2. Rejection: the cost of one call refused by an open breaker (no network), in microseconds.
3. Healthy calls: median latency with no breaker and through the breaker, interleaved round by
   round on a fast endpoint, and the ratio of medians.
4. The breaker's own bookkeeping per call (admit, settle, metrics) around a function that does
   nothing, in microseconds: the absolute cost that part 3 shows as a ratio; with the default
   failure-rate window (every call recorded in it) and in the consecutive-failure mode.

The client without a breaker comes from an installed session with ``euca_breaker = false``, and
the breaker variant is that same client protected, so the figures isolate the breaker.

Run: .venv/bin/python bench/bench_breaker.py [--calls-per-thread 40] [--rounds 600]
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pybreaker

sys.path.insert(0, str(Path(__file__).resolve().parent))

from harness import compare, report  # noqa: E402
from harness import throughput as threaded_throughput  # noqa: E402

import euca_boto  # noqa: E402
from euca_boto.testing import LocalCloud  # noqa: E402

THREADS = 8
LATENCY = 0.05


def throughput(call: Callable[[], Any], calls_per_thread: int) -> float:
    """Calls per second of ``THREADS`` threads each making ``calls_per_thread`` calls."""
    return threaded_throughput(call, THREADS, calls_per_thread)


def rejection_cost(call: Callable[[], Any], calls: int) -> float:
    """Mean seconds per call of ``call``, which must raise ``CircuitOpenError``."""
    start = time.perf_counter()
    for _ in range(calls):
        try:
            call()
        except euca_boto.CircuitOpenError:
            pass
        else:
            raise AssertionError("the breaker let a call through")
    return (time.perf_counter() - start) / calls


def bookkeeping_cost(calls: int, fail_max: int | None = None) -> float:
    """Mean seconds the breaker adds to one call of a function that does nothing: with its
    window (the default), or counting consecutive failures (``fail_max``)."""
    from euca_boto.breakers.breaker import Breaker, BreakerConfig
    from euca_boto.breakers.guard import guarded_call
    from euca_boto.metrics import Metrics

    def nothing() -> None:
        return None

    guard = Breaker("bench/bookkeeping", BreakerConfig(fail_max=fail_max))
    metrics = Metrics()
    start = time.perf_counter()
    for _ in range(calls):
        nothing()
    bare = time.perf_counter() - start
    start = time.perf_counter()
    for _ in range(calls):
        guarded_call(guard, "bench", "Nothing", nothing, (), {}, metrics)
    return (time.perf_counter() - start - bare) / calls


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--calls-per-thread", type=int, default=40)
    parser.add_argument("--rounds", type=int, default=600)
    parser.add_argument("--rejections", type=int, default=20000)
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as tmp, LocalCloud(endpoints=2, partitions=1) as cloud:
        config, credentials = cloud.write_aws_files(tmp, profile="bench")
        os.environ["AWS_CONFIG_FILE"] = str(config)
        os.environ["AWS_SHARED_CREDENTIALS_FILE"] = str(credentials)
        session = euca_boto.session("bench", euca_breaker=False)
        plain = session.client("euprop")
        protected = euca_boto.protect(plain, profile="bench")
        slow_pybreaker = pybreaker.CircuitBreaker(fail_max=5, reset_timeout=30)

        def no_breaker() -> Any:
            return plain.describe_properties(Properties=["dns.enabled"])

        def breaker() -> Any:
            return protected.describe_properties(Properties=["dns.enabled"])

        def pybreaker_call() -> Any:
            return slow_pybreaker.call(no_breaker)

        for call in (no_breaker, breaker, pybreaker_call):
            call()  # connections and model caches warm

        cloud.endpoint(0).latency(LATENCY)
        base = throughput(no_breaker, args.calls_per_thread)
        ours = throughput(breaker, args.calls_per_thread)
        # pybreaker serialises the threads, so fewer calls keep its run as short as the others.
        theirs = throughput(pybreaker_call, max(1, args.calls_per_thread // THREADS))
        print(f"1. Throughput, {THREADS} threads, one breaker, {LATENCY * 1000:.0f} ms server")
        print(f"  {'variant':<28} {'calls/s':>8} {'ratio':>7}")
        for name, rate in (("no breaker", base), ("euca-boto breaker", ours),
                           ("pybreaker call()", theirs)):
            print(f"  {name:<28} {rate:>8.1f} {rate / base:>7.3f}")
        cloud.endpoint(0).clear()

        protected.breaker.force_open()
        cost = rejection_cost(breaker, args.rejections)
        protected.breaker.reset()
        print(f"\n2. Rejection by an open breaker: {cost * 1e6:.1f} us per call "
              f"({args.rejections} calls, no network)")

        results = compare([("no breaker", no_breaker), ("euca-boto breaker", breaker)],
                          rounds=args.rounds)
        print()
        print(report("3. Healthy calls, fast server (ratio of medians)", results))
    window, consecutive = bookkeeping_cost(args.rejections), bookkeeping_cost(args.rejections, 5)
    print(f"\n4. Breaker bookkeeping per call: {window * 1e6:.1f} us with its window of calls, "
          f"{consecutive * 1e6:.1f} us counting consecutive failures")
    return 0


if __name__ == "__main__":
    sys.exit(main())
