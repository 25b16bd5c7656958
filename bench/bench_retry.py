"""Retry benchmark: plain boto3 and euca-boto side by side against LocalCloud on 127.0.0.1.

1. A failing server: every response is a 503 (no Retry-After) with probability 20%,
   independently. Before each call a seeded generator draws how many responses in a row fail,
   and both clients get the same draw (paired), so the two columns differ only in their retry
   handling. Success rate, median and p99 latency of every call, and the 503 share seen on
   the wire.
2. A healthy server: median per-call latency of plain boto3, of an installed session (the whole
   plugin) and of a plain client with only the retry handler, interleaved round by round.
3. The client-side cost alone: the same three clients, with every response produced in-process
   by a ``before-send`` handler, so no socket or server noise hides a few microseconds.

Run: .venv/bin/python bench/bench_retry.py [--calls 1000] [--rounds 1500] [--seed 7]
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import boto3
from botocore.awsrequest import AWSResponse
from botocore.exceptions import ClientError

sys.path.insert(0, str(Path(__file__).resolve().parent))

from harness import compare, report  # noqa: E402

import euca_boto  # noqa: E402
from euca_boto.testing import LocalCloud  # noqa: E402

FAULT_RATE = 0.2
# Like-for-like with botocore's standard mode, whose backoff for a non-throttling 503 draws
# from 0 to 50 ms * 2**(attempt-1).
PLUGIN_SETTINGS = {"euca_retry_base_delay": 0.05, "euca_retry_delay": 1.0}


def failures_before_success(rng: random.Random, limit: int = 20) -> int:
    """How many responses in a row are 503s when each one is, independently, with 20%."""
    count = 0
    while count < limit and rng.random() < FAULT_RATE:
        count += 1
    return count


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))]


def failing_server(cloud: LocalCloud, clients: dict[str, Any], calls: int, seed: int) -> str:
    rng = random.Random(seed)
    endpoint = cloud.endpoint(0)
    latencies: dict[str, list[float]] = {name: [] for name in clients}
    successes = dict.fromkeys(clients, 0)
    wire = {name: [0, 0] for name in clients}  # responses, 503s
    names = list(clients)
    for call in range(calls):
        streak = failures_before_success(rng)
        # Alternate which client goes first, so neither always follows the other.
        for name in names if call % 2 else names[::-1]:
            client = clients[name]
            endpoint.clear()
            endpoint.clear_requests()
            if streak:
                endpoint.fail(503, count=streak)
            start = time.perf_counter()
            try:
                client.get_caller_identity()
                successes[name] += 1
            except ClientError:
                pass
            latencies[name].append(time.perf_counter() - start)
            # The record of the last response may land just after the client has it.
            time.sleep(0.0005)
            statuses = [r.status for r in endpoint.requests]
            wire[name][0] += len(statuses)
            wire[name][1] += statuses.count(503)
    endpoint.clear()
    lines = [
        f"1. failing server: {calls} calls of sts GetCallerIdentity per client, each response "
        f"a 503 with p={FAULT_RATE} (paired draws, seed {seed})",
        "   plugin settings: " + ", ".join(f"{k}={v}" for k, v in PLUGIN_SETTINGS.items())
        + ", euca_breaker=false (other settings default: 6 attempts); plain boto3: defaults "
        "(standard mode: 3 attempts, 0-50 ms * 2**n backoff)",
        f"   {'client':<26} {'success':>9} {'median ms':>10} {'p99 ms':>9} {'max ms':>9} "
        f"{'requests':>9} {'503 share':>10}",
    ]
    for name in clients:
        values = latencies[name]
        total, failed = wire[name]
        lines.append(
            f"   {name:<26} {successes[name] / calls:>9.2%} "
            f"{statistics.median(values) * 1000:>10.2f} {percentile(values, 0.99) * 1000:>9.2f} "
            f"{max(values) * 1000:>9.2f} {total:>9} {failed / total:>10.2%}"
        )
    return "\n".join(lines)


def healthy_server(variants: list[tuple[str, Callable[[], object]]], rounds: int) -> str:
    results = compare(variants, rounds=rounds, warmup=100, max_seconds=90.0)
    return report(
        f"2. healthy server: sts GetCallerIdentity, {rounds} interleaved rounds "
        f"(ratio = median / plain boto3 median; target <= 1.03)",
        results,
    )


class _CannedBody:
    def stream(self, **kwargs: Any) -> Any:
        yield CANNED_BODY


CANNED_BODY = (
    b'<GetCallerIdentityResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/">'
    b"<GetCallerIdentityResult><Arn>arn:aws:iam::000000000000:user/bench</Arn>"
    b"<UserId>AIDABENCH</UserId><Account>000000000000</Account></GetCallerIdentityResult>"
    b"<ResponseMetadata><RequestId>bench</RequestId></ResponseMetadata>"
    b"</GetCallerIdentityResponse>"
)


def answer_in_process(request: Any, **kwargs: Any) -> AWSResponse:
    """A before-send handler: botocore takes this as the server's answer, sends nothing."""
    return AWSResponse(request.url, 200, {"Content-Type": "text/xml"}, _CannedBody())


def client_side_cost(variants: list[tuple[str, Any]], rounds: int) -> str:
    for _, client in variants:
        client.meta.events.register("before-send.sts", answer_in_process)
    results = compare([(name, client.get_caller_identity) for name, client in variants],
                      rounds=rounds, warmup=200, max_seconds=60.0)
    return report(
        f"3. client-side cost: the same call answered in-process at before-send (no network, "
        f"no server), {rounds} interleaved rounds",
        results,
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--calls", type=int, default=1000)
    parser.add_argument("--rounds", type=int, default=1500)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as empty, LocalCloud(endpoints=1, partitions=1) as cloud:
        # Neither client may pick up the user's AWS files or euca-boto variables.
        os.environ["AWS_CONFIG_FILE"] = os.environ["AWS_SHARED_CREDENTIALS_FILE"] = (
            str(Path(empty) / "none"))
        for name in [n for n in os.environ if n.startswith("EUCA_BOTO_")] + ["AWS_RETRY_MODE",
                                                                          "AWS_MAX_ATTEMPTS"]:
            os.environ.pop(name, None)
        keys = {"region_name": cloud.region, "aws_access_key_id": cloud.access_key,
                "aws_secret_access_key": cloud.secret_key}
        url = cloud.service_url("sts")

        def plain_client() -> Any:
            return boto3.session.Session(**keys).client("sts", endpoint_url=url)

        plain = plain_client()
        # The circuit breaker would rightly refuse calls during a long outage; this run
        # measures retries alone.
        plugin = euca_boto.session(**keys, **PLUGIN_SETTINGS, euca_breaker=False).client(
            "sts", endpoint_url=url)
        started = time.monotonic()
        print(failing_server(cloud, {"plain boto3": plain, "euca-boto": plugin},
                             args.calls, args.seed))
        print(f"   ({time.monotonic() - started:.1f} s)")

        healthy_plugin = euca_boto.session(**keys).client("sts", endpoint_url=url)
        retry_only = plain_client()
        euca_boto.configure_retry(retry_only)
        cloud.endpoint(0).clear_requests()
        started = time.monotonic()
        print(healthy_server([
            ("plain boto3", plain.get_caller_identity),
            ("euca-boto installed session", healthy_plugin.get_caller_identity),
            ("plain + configure_retry", retry_only.get_caller_identity),
        ], args.rounds))
        print(f"   ({time.monotonic() - started:.1f} s)")

        started = time.monotonic()
        offline_retry_only = plain_client()
        euca_boto.configure_retry(offline_retry_only)
        print(client_side_cost([
            ("plain boto3", plain_client()),
            ("euca-boto installed session", euca_boto.session(**keys).client(
                "sts", endpoint_url=url)),
            ("plain + configure_retry", offline_retry_only),
        ], args.rounds * 2))
        print(f"   ({time.monotonic() - started:.1f} s)")


if __name__ == "__main__":
    main()
