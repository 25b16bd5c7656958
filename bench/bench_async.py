"""Asynchronous calls benchmark: batches of concurrent calls with and without euca-boto.

A LocalCloud endpoint, in a process of its own, answers every request after 20 ms. One batch is
200 concurrent DescribeProperties calls; the figure is the wall time of a batch, batches of the
variants interleaved round by round (bench/harness.py), with the ratio of medians to plain.

1. aiobotocore: 200 calls gathered on one event loop, through a plain ``AioSession`` and through
   one with ``euca_boto.aio.install`` (retry handler, breaker, endpoint and wire-log handlers;
   wire log off); once with aiobotocore's default pool of 10 connections (the batch waits on
   the network) and once with a pool of 200 (the batch is bound by the client's CPU, so the
   plugin's own cost per call shows in full). Needs aiobotocore (.venv-aio).
2. futures: 200 calls on a 16-thread executor, plain boto3 calls submitted to it and the same
   calls through ``euca_boto.futures`` on an installed session's client. Pools of 16.

Run: .venv-aio/bin/python bench/bench_async.py [--rounds 15] [--calls 200]
     (.venv/bin/python runs part 2 only)
"""

from __future__ import annotations

import argparse
import asyncio
import json
import subprocess
import sys
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor, wait
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import boto3
from botocore.config import Config

sys.path.insert(0, str(Path(__file__).resolve().parent))

from harness import compare, report  # noqa: E402

import euca_boto  # noqa: E402
from euca_boto import aio  # noqa: E402
from euca_boto.core.models import models_path  # noqa: E402

LATENCY = 0.02
THREADS = 16
PROPERTIES = {"Properties": ["dns.enabled"]}


# LocalCloud runs in a process of its own: in this one, its server threads would compete for
# the GIL with the client under test and blur the comparison.
_SERVER = """
import json, sys
from euca_boto.testing import LocalCloud
with LocalCloud(endpoints=1, partitions=1) as cloud:
    cloud.endpoint(0).latency(float(sys.argv[1]))
    print(json.dumps({"url": cloud.service_url("euprop"), "access_key": cloud.access_key,
                      "secret_key": cloud.secret_key, "region": cloud.region}), flush=True)
    sys.stdin.read()
"""


def start_cloud() -> tuple[subprocess.Popen[str], Any]:
    server = subprocess.Popen([sys.executable, "-c", _SERVER, str(LATENCY)],
                              stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    assert server.stdout is not None
    return server, SimpleNamespace(**json.loads(server.stdout.readline()))


def credentials(cloud: Any) -> dict[str, str]:
    return {"aws_access_key_id": cloud.access_key, "aws_secret_access_key": cloud.secret_key,
            "region_name": cloud.region}


def aiobotocore_part(cloud: Any, calls: int, rounds: int, pool: int) -> str:
    from aiobotocore.session import AioSession

    url = cloud.url
    config = Config(max_pool_connections=pool)
    loop = asyncio.new_event_loop()
    stack: list[Any] = []

    async def open_clients() -> tuple[Any, Any]:
        plain_session = AioSession()
        plain_session.get_component("data_loader").search_paths.insert(0, str(models_path()))
        keys = credentials(cloud)
        plain_session.set_credentials(keys["aws_access_key_id"], keys["aws_secret_access_key"])
        plain_ctx = plain_session.create_client("euprop", endpoint_url=url, config=config,
                                                region_name=cloud.region)
        ours_ctx = aio.session(**keys).create_client("euprop", endpoint_url=url, config=config)
        stack.extend([plain_ctx, ours_ctx])
        return await plain_ctx.__aenter__(), await ours_ctx.__aenter__()

    plain, ours = loop.run_until_complete(open_clients())

    def batch(client: Any) -> Callable[[], None]:
        async def gather() -> None:
            results = await asyncio.gather(
                *(client.describe_properties(**PROPERTIES) for _ in range(calls)))
            assert len(results) == calls

        return lambda: loop.run_until_complete(gather())

    try:
        results = compare([("aiobotocore", batch(plain)),
                           ("aiobotocore + euca-boto", batch(ours))],
                          rounds=rounds, warmup=2, max_seconds=120)
    finally:
        async def close() -> None:
            for ctx in stack:
                await ctx.__aexit__(None, None, None)

        loop.run_until_complete(close())
        loop.close()
    return report(f"aiobotocore, {calls} concurrent calls, pool of {pool}, "
                  f"{LATENCY * 1000:.0f} ms endpoint latency: wall time of a batch", results)


def futures_part(cloud: Any, calls: int, rounds: int) -> str:
    url = cloud.url
    config = Config(max_pool_connections=THREADS)
    keys = credentials(cloud)
    plain_session = boto3.session.Session(**keys)
    plain_session._session.get_component("data_loader").search_paths.insert(
        0, str(models_path()))
    plain = plain_session.client("euprop", endpoint_url=url, config=config)
    ours = euca_boto.session(**keys).client("euprop", endpoint_url=url, config=config)

    with ThreadPoolExecutor(max_workers=THREADS) as executor:
        view = euca_boto.futures(ours, executor)

        def plain_batch() -> None:
            done, _ = wait([executor.submit(plain.describe_properties, **PROPERTIES)
                            for _ in range(calls)])
            assert all(f.exception() is None for f in done)

        def ours_batch() -> None:
            done, _ = wait([view.describe_properties(**PROPERTIES) for _ in range(calls)])
            assert all(f.exception() is None for f in done)

        results = compare([(f"boto3 on {THREADS} threads", plain_batch),
                           ("euca_boto.futures", ours_batch)],
                          rounds=rounds, warmup=2, max_seconds=120)
    return report(f"{calls} calls on a {THREADS}-thread executor, {LATENCY * 1000:.0f} ms "
                  f"endpoint latency: wall time of a batch", results)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=15)
    parser.add_argument("--calls", type=int, default=200)
    args = parser.parse_args()
    try:
        import aiobotocore  # noqa: F401

        have_aiobotocore = True
    except ImportError:
        have_aiobotocore = False

    server, cloud = start_cloud()
    try:
        if have_aiobotocore:
            for pool in (10, args.calls):
                print(aiobotocore_part(cloud, args.calls, args.rounds, pool))
        else:
            print("aiobotocore is not installed here: part 1 skipped (run with .venv-aio)")
        print(futures_part(cloud, args.calls, args.rounds))
    finally:
        assert server.stdin is not None
        server.stdin.close()
        server.wait(timeout=30)


if __name__ == "__main__":
    main()
