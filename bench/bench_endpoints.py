"""Endpoint selection benchmark: failover under a dying endpoint, and the cost of selection.

1. Failover: 2,000 calls on 4 threads against LocalCloud's 3 endpoints; endpoint 0 is stopped
   when half of the calls are done. euca-boto (the 3 endpoints in ``euca_endpoint_urls``) runs
   beside plain boto3 pointed at endpoint 0, each on a fresh start of the same cloud. Reported:
   success rate, and p50/p99 latency of the calls before and after the stop.
2. Healthy calls: the median latency of euca-boto with selection among 3 endpoints against
   euca-boto with its single endpoint (the same plugin otherwise), interleaved round by round;
   the ratio of medians is the cost of selection. Plain boto3 is shown for reference.
3. Selection's own work per call (plan, URL rewrite, health bookkeeping of a successful
   attempt), through the real event handlers with a request dict and no network, in
   microseconds: the absolute cost that part 2 shows as a ratio.

Run: .venv/bin/python bench/bench_endpoints.py [--calls 2000] [--rounds 1500]
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import boto3
from botocore.config import Config

sys.path.insert(0, str(Path(__file__).resolve().parent))

from harness import compare, report  # noqa: E402

import euca_boto  # noqa: E402
from euca_boto.core.models import models_path  # noqa: E402
from euca_boto.endpoints.events import EndpointEvents  # noqa: E402
from euca_boto.endpoints.selector import selector_of  # noqa: E402
from euca_boto.testing import LocalCloud  # noqa: E402

THREADS = 4
PROFILE = "bench"
TIME_LIMIT = 120.0  # seconds per failover run, whatever happens


def plain_client(cloud: LocalCloud) -> Any:
    """Plain boto3 (no plugin) pointed at endpoint 0, with only the models path added."""
    session: Any = boto3.session.Session(
        region_name=cloud.region, aws_access_key_id=cloud.access_key,
        aws_secret_access_key=cloud.secret_key)
    session._session.get_component("data_loader").search_paths.insert(0, str(models_path()))
    return session.client("euprop", endpoint_url=cloud.service_url("euprop", 0),
                          config=Config(max_pool_connections=THREADS * 2))


def plugin_client(cloud: LocalCloud, **settings: Any) -> Any:
    session: Any = euca_boto.session(PROFILE, **settings)
    return session.client("euprop", config=Config(max_pool_connections=THREADS * 2))


def failover_run(make: Callable[[LocalCloud], Any], cloud: LocalCloud,
                 calls: int) -> dict[str, Any]:
    """``calls`` calls on THREADS threads; endpoint 0 stops when half are done."""
    cloud.clear()
    client = make(cloud)
    lock = threading.Lock()
    done = 0
    stopped_at = calls // 2
    before: list[float] = []
    after: list[float] = []
    failures = {"before": 0, "after": 0}
    deadline = time.monotonic() + TIME_LIMIT

    def work(count: int) -> None:
        nonlocal done
        for _ in range(count):
            if time.monotonic() > deadline:
                return
            with lock:
                phase_after = done >= stopped_at
            start = time.perf_counter()
            try:
                client.describe_properties(Properties=["dns.enabled"])
                ok = True
            except Exception:  # noqa: BLE001 - counted as a failed call
                ok = False
            elapsed = time.perf_counter() - start
            with lock:
                done += 1
                if ok:
                    (after if phase_after else before).append(elapsed)
                else:
                    failures["after" if phase_after else "before"] += 1
                if done == stopped_at:
                    cloud.endpoint(0).stop()

    threads = [threading.Thread(target=work, args=(calls // THREADS,)) for _ in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    cloud.clear()
    return {"before": before, "after": after, "failures": failures, "calls": done}


def pct(values: list[float], fraction: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))] * 1000


def failover_report(name: str, run: dict[str, Any]) -> str:
    ok = len(run["before"]) + len(run["after"])
    rate = 100.0 * ok / max(1, run["calls"])
    return (f"  {name:<30} {run['calls']:>6} {rate:>8.2f}% "
            f"{pct(run['before'], 0.5):>9.2f} {pct(run['before'], 0.99):>9.2f} "
            f"{pct(run['after'], 0.5):>9.2f} {pct(run['after'], 0.99):>9.2f}   "
            f"failed before/after: {run['failures']['before']}/{run['failures']['after']}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--calls", type=int, default=2000)
    parser.add_argument("--rounds", type=int, default=1500)
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as tmp, LocalCloud(endpoints=3, partitions=2) as cloud:
        config, credentials = cloud.write_aws_files(tmp, profile=PROFILE)
        urls = ", ".join(e.url for e in cloud.endpoints)
        config.write_text(config.read_text().replace(
            f"[profile {PROFILE}]\n", f"[profile {PROFILE}]\neuca_endpoint_urls = {urls}\n"))
        os.environ["AWS_CONFIG_FILE"] = str(config)
        os.environ["AWS_SHARED_CREDENTIALS_FILE"] = str(credentials)

        print(f"1. Failover: {args.calls} calls on {THREADS} threads, endpoint 0 stopped "
              f"after {args.calls // 2}")
        print(f"  {'variant':<30} {'calls':>6} {'success':>9} {'p50 ms':>9} {'p99 ms':>9} "
              f"{'p50 ms':>9} {'p99 ms':>9}")
        print(f"  {'':<30} {'':>6} {'':>9} {'(before)':>19} {'(after)':>19}")
        runs = [
            ("plain boto3, endpoint 0", plain_client),
            ("euca-boto, 3 endpoints", plugin_client),
        ]
        for name, make in runs:
            print(failover_report(name, failover_run(make, cloud, args.calls)))

        plain = plain_client(cloud)
        single = plugin_client(cloud, euca_endpoint_urls=cloud.endpoint(0).url)
        selecting = plugin_client(cloud)

        def variant(client: Any) -> Callable[[], object]:
            return lambda: client.describe_properties(Properties=["dns.enabled"])

        results = compare([
            ("euca-boto, 1 endpoint", variant(single)),
            ("euca-boto, 3 endpoints", variant(selecting)),
            ("plain boto3, 1 endpoint", variant(plain)),
        ], rounds=args.rounds)
        print()
        print(report("2. Healthy calls (ratio of medians to euca-boto with 1 endpoint)",
                     results))
        ratio = statistics.median(results[1].latencies) / statistics.median(
            results[0].latencies)
        print(f"  cost of selection: {ratio:.3f} (target <= 1.03)")
        print()
        print(f"3. Selection's own work per call: {bookkeeping():.1f} us")
    return 0


def bookkeeping(calls: int = 20000) -> float:
    """Microseconds per call spent in the endpoint handlers of a healthy call."""
    session: Any = euca_boto.session(PROFILE)
    client = session.client("euprop")  # builds the service's route
    selector = selector_of(session)
    events = EndpointEvents(selector)
    route = selector.routes["euprop"]
    model = client.meta.service_model.operation_model("DescribeProperties")
    ok: tuple[Any, dict[str, Any]] = (type("Http", (), {"status_code": 200})(), {})
    start = time.perf_counter()
    for _ in range(calls):
        context: dict[str, Any] = {}
        request = {"url": route.base + "/", "context": context}
        events.before_call(model=model, params=request, context=context)
        events.record_attempt(request_dict=request, response=ok, caught_exception=None)
        events.fail_over(request_dict=request)
        events.finish(context=context)
    return (time.perf_counter() - start) / calls * 1e6


if __name__ == "__main__":
    sys.exit(main())
