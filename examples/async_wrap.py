"""``await`` any boto3 client without aiobotocore: ``euca_boto.aio.wrap``.

Gathers a few calls concurrently, iterates pages with ``async for``, and shows that a call
whose caller gives up (a timeout) is never left running unobserved: the library logs how it
ended, and ``async with`` waits for it. Runs against an embedded LocalCloud unless --profile
names a profile of ~/.aws/config.

    .venv/bin/python examples/async_wrap.py [--profile euca]
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import logging
import time
from collections.abc import Iterator
from typing import Any

import euca_boto
from euca_boto import aio
from euca_boto.cli import errors_reported


@contextlib.contextmanager
def cloud_session(profile: str | None) -> Iterator[Any]:
    if profile is not None:
        yield euca_boto.session(profile)
        return
    from euca_boto.testing import LocalCloud

    with LocalCloud(endpoints=1, partitions=1) as cloud:
        yield euca_boto.session(
            region_name=cloud.region, aws_access_key_id=cloud.access_key,
            aws_secret_access_key=cloud.secret_key,
            euca_endpoint_urls=cloud.endpoint(0).url,
        )


def slow_network(**kwargs: Any) -> None:
    """Stands in for a slow answer, on any cloud: the request leaves half a second late."""
    time.sleep(0.5)


async def tour(session: Any) -> None:
    async with aio.wrap(session.client("euprop")) as euprop, \
            aio.wrap(session.client("ec2")) as ec2:
        dns, zones = await asyncio.gather(
            euprop.describe_properties(Properties=["dns."]),
            ec2.describe_availability_zones(),
        )
        print(f"{len(dns['Properties'])} dns properties; zones: "
              f"{', '.join(z['ZoneName'] for z in zones['AvailabilityZones'])}")

        pages = 0
        async for _ in ec2.get_paginator("describe_instances").paginate():
            pages += 1
        print(f"describe_instances: {pages} page(s)")

        euprop.meta.events.register("before-send.euprop", slow_network)
        left = 0
        try:
            await asyncio.wait_for(euprop.describe_properties(), timeout=0.1)
        except asyncio.TimeoutError:
            left = euprop.running
            print(f"gave up waiting; calls still running: {left}")
    # Leaving `async with` waited for the call given up on; the library logged how it ended.
    print("every call has ended" + (" (see the log line above)" if left else ""))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--profile")
    args = parser.parse_args()
    logging.basicConfig(level=logging.WARNING, format="log: %(name)s: %(message)s")
    logging.getLogger("euca_boto.aio").setLevel(logging.INFO)
    with cloud_session(args.profile) as session:
        asyncio.run(tour(session))


if __name__ == "__main__":
    with errors_reported("async_wrap.py"):  # errors: one line, as euca-boto says them
        main()
