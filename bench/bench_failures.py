"""Failures that must not spread: one endpoint dead for good, and every endpoint dead.

1. One dead endpoint among three: ``--calls`` sequential calls through an installed session
   (defaults: breaker on, ejection from 5 s doubling to 300 s) while LocalCloud's endpoint 1
   loses every request it gets (it resets the connection). Reported: the share of calls that
   succeeded (the goal: all), how often the dead endpoint was tried (its request log) and how
   often its ejection schedule allows in the time the calls took.
2. Every endpoint dead (stopped): the calls until the breaker opens (the goal: its minimum of 20
   calls, all failed), the cost of a call it refuses (no network, in microseconds), and, once the
   endpoints are back, how many calls after the reset timeout it takes to close (the goal: one,
   the probe). A 2 s reset timeout keeps the run short.

Run: .venv/bin/python bench/bench_failures.py [--calls 10000] [--rejections 20000]
"""

from __future__ import annotations

import argparse
import logging
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from botocore.exceptions import BotoCoreError, ClientError

sys.path.insert(0, str(Path(__file__).resolve().parent))

from harness import isolated_environment  # noqa: E402

import euca_boto  # noqa: E402
from euca_boto.testing import LocalCloud  # noqa: E402

READ = {"Properties": ["dns.enabled"]}
RESET_TIMEOUT = 2.0


def client_of(cloud: LocalCloud, **settings: Any) -> Any:
    session = euca_boto.session(
        region_name=cloud.region, aws_access_key_id=cloud.access_key,
        aws_secret_access_key=cloud.secret_key,
        euca_endpoint_urls=",".join(e.url for e in cloud.endpoints), **settings)
    return session.client("euprop")


def outcome(client: Any) -> str:
    try:
        client.describe_properties(**READ)
    except euca_boto.CircuitOpenError:
        return "refused"
    except (ClientError, BotoCoreError):
        return "failed"
    return "ok"


def tries_allowed(seconds: float, base: float = 5.0, cap: float = 300.0) -> int:
    """How often the ejection schedule lets an endpoint that always fails be tried."""
    tries, elapsed, period = 1, 0.0, base
    while elapsed + period <= seconds:
        tries, elapsed, period = tries + 1, elapsed + period, min(2 * period, cap)
    return tries


def one_dead(calls: int) -> None:
    with LocalCloud(endpoints=3, partitions=1) as cloud:
        client = client_of(cloud)
        cloud.endpoint(1).reset(count=10**9)
        start = time.monotonic()
        results = [outcome(client) for _ in range(calls)]
        elapsed = time.monotonic() - start
        cloud.wait_idle(5)
        tried = len(cloud.endpoint(1).requests)
    ok = results.count("ok")
    print(f"1. One endpoint dead among three, {calls} calls in {elapsed:.1f} s")
    print(f"  succeeded {100.0 * ok / calls:.2f} % ({calls - ok} failed); the dead endpoint "
          f"was tried {tried} times, its ejection schedule allows {tries_allowed(elapsed)}")


def all_dead(rejections: int) -> None:
    with LocalCloud(endpoints=3, partitions=1) as cloud:
        client = client_of(cloud, euca_breaker_reset_timeout=RESET_TIMEOUT,
                           euca_retry_base_delay=0.01, euca_retry_delay=0.05)
        outcome(client)  # connections and model caches warm
        for endpoint in cloud.endpoints:
            endpoint.stop()
        opened_after = 0
        while outcome(client) != "refused" and opened_after < 1000:
            opened_after += 1
        opened_at = time.monotonic()
        start = time.perf_counter()
        refused = sum(outcome(client) == "refused" for _ in range(rejections))
        cost = (time.perf_counter() - start) / rejections
        for endpoint in cloud.endpoints:
            endpoint.start()
        time.sleep(max(0.0, opened_at + RESET_TIMEOUT - time.monotonic()))
        to_close = 1
        while outcome(client) != "ok" and to_close < 1000:
            to_close += 1
    print(f"\n2. Every endpoint dead: the breaker opened after {opened_after} failed calls; "
          f"it refused {refused} of {rejections} calls at {cost * 1e6:.1f} us each (no network)")
    print(f"  back up: {to_close} call(s) after the {RESET_TIMEOUT:g} s reset timeout closed it")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--calls", type=int, default=10000)
    parser.add_argument("--rejections", type=int, default=20000)
    args = parser.parse_args()
    logging.getLogger("euca_boto").setLevel(logging.ERROR)  # every failure is a warning
    with tempfile.TemporaryDirectory() as home:
        isolated_environment(home)
        one_dead(args.calls)
        all_dead(args.rejections)
    return 0


if __name__ == "__main__":
    sys.exit(main())
