"""euca-boto on aiobotocore: the same retries, breakers, wire log and caller context.

Installs the plugin on an ``AioSession``, makes 50 concurrent calls, rides out injected 503s
through the retry handler (its delays are awaited, so the event loop keeps running), and shows
the breaker opening after repeated failures. Runs against an embedded LocalCloud unless
--profile names a profile of ~/.aws/config (then without the injected faults).

Needs aiobotocore, which pins botocore to the releases it was made for, so it gets an
environment of its own (from the top of the checkout)::

    python3 -m venv .venv-aiobotocore && .venv-aiobotocore/bin/pip install -e '.[aio,cloud]'
    .venv-aiobotocore/bin/python examples/async_aiobotocore.py [--profile euca]
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import importlib.util
import logging
import sys
from collections.abc import Iterator
from typing import Any

import euca_boto
from euca_boto import aio
from euca_boto.cli import errors_reported


@contextlib.contextmanager
def cloud_profile(profile: str | None) -> Iterator[tuple[dict[str, Any], Any]]:
    if profile is not None:
        yield {"profile_name": profile}, None
        return
    from euca_boto.testing import LocalCloud

    with LocalCloud(endpoints=1, partitions=1) as cloud:
        yield {
            "region_name": cloud.region, "aws_access_key_id": cloud.access_key,
            "aws_secret_access_key": cloud.secret_key,
            "euca_endpoint_urls": cloud.endpoint(0).url,
        }, cloud


async def tour(arguments: dict[str, Any], cloud: Any) -> None:
    session = aio.session(**arguments, euca_retry_base_delay=0.05, euca_breaker_fail_max=3)
    async with session.create_client("euprop") as euprop:
        results = await asyncio.gather(*(euprop.describe_properties(Properties=["dns."])
                                         for _ in range(50)))
        print(f"50 concurrent calls: {sum(1 for r in results if r['Properties'])} answered")
        if cloud is None:
            return

        cloud.endpoint(0).fail(503, count=2)
        answer = await euprop.describe_properties(Properties=["dns."])
        print(f"after two 503s: {answer['ResponseMetadata']['EucaRetry']}")

        cloud.endpoint(0).fail(503, count=1000)
        for _ in range(4):
            try:
                await euprop.describe_properties()
            except euca_boto.CircuitOpenError as refused:
                print(f"refused without a request: {refused}")
            except Exception as error:
                print(f"failed: {type(error).__name__}")
        cloud.endpoint(0).clear()


SETUP = ("python3 -m venv .venv-aiobotocore && .venv-aiobotocore/bin/pip install -e "
         "'.[aio,cloud]', then run .venv-aiobotocore/bin/python examples/async_aiobotocore.py")


def main() -> int:
    if importlib.util.find_spec("aiobotocore") is None:
        print(f"async_aiobotocore.py: this example needs aiobotocore, which pins botocore to "
              f"the releases it was made for; give it an environment of its own: {SETUP}",
              file=sys.stderr)
        return 2
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--profile")
    args = parser.parse_args()
    logging.basicConfig(level=logging.WARNING, format="log: %(name)s: %(message)s")
    with cloud_profile(args.profile) as (arguments, cloud):
        asyncio.run(tour(arguments, cloud))
    return 0


if __name__ == "__main__":
    with errors_reported("async_aiobotocore.py"):  # errors: one line, as euca-boto says them
        sys.exit(main())
