"""Calls as futures on your own thread pool: fan out, then collect.

Asks every endpoint-facing service of the cloud for its properties page by page, and the EC2
zones, all at once on a 16-thread pool; a done callback counts the answers as they arrive.
Runs against an embedded LocalCloud unless --profile names a profile of ~/.aws/config.

    .venv/bin/python examples/async_futures.py [--profile euca]
"""

from __future__ import annotations

import argparse
import contextlib
from collections.abc import Iterator
from concurrent.futures import Future, ThreadPoolExecutor, as_completed
from typing import Any

import euca_boto
from euca_boto.cli import errors_reported


@contextlib.contextmanager
def cloud_session(profile: str | None) -> Iterator[Any]:
    if profile is not None:
        yield euca_boto.session(profile)
        return
    from euca_boto.testing import LocalCloud

    with LocalCloud(endpoints=2, partitions=1) as cloud:
        yield euca_boto.session(
            region_name=cloud.region, aws_access_key_id=cloud.access_key,
            aws_secret_access_key=cloud.secret_key,
            euca_endpoint_urls=",".join(e.url for e in cloud.endpoints),
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--profile")
    args = parser.parse_args()

    with cloud_session(args.profile) as session, ThreadPoolExecutor(max_workers=16) as pool:
        euprop = euca_boto.futures(session.client("euprop"), pool)
        ec2 = euca_boto.futures(session.client("ec2"), pool)

        arrived: list[int] = []

        def count(future: Future[Any]) -> None:
            # Runs in the pool's thread that finished the call (list.append is thread safe).
            if future.exception() is None:
                arrived.append(future.result()["ResponseMetadata"]["HTTPStatusCode"])

        prefixes = ["dns.", "cloud.", "system.", "bootstrap.", "authentication."]
        pending = {euprop.describe_properties(Properties=[p]): p for p in prefixes}
        pending[ec2.describe_availability_zones()] = "zones"
        for future in pending:
            future.add_done_callback(count)
        for future in as_completed(pending):
            what = pending[future]
            if future.exception() is not None:
                print(f"{what}: failed: {future.exception()}")
            elif what == "zones":
                zones = [z["ZoneName"] for z in future.result()["AvailabilityZones"]]
                print(f"zones: {', '.join(zones)}")
            else:
                print(f"{what}: {len(future.result()['Properties'])} properties")
        print(f"done callbacks saw {len(arrived)} answers: {sorted(set(arrived))}")


if __name__ == "__main__":
    with errors_reported("async_futures.py"):  # errors: one line, as euca-boto says them
        main()
