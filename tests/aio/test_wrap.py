"""``euca_boto.aio.wrap``: awaitable operations of plain clients, run in an executor, and what
happens to a call whose await is cancelled; against LocalCloud over real sockets."""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest
from awsenv import IMAGE
from botocore.exceptions import ClientError
from modes import InFlight

import euca_boto
from euca_boto import EucaBotoError, aio
from euca_boto.testing import LocalCloud


@pytest.fixture
def session(profile: Callable[[str], str]) -> Any:
    return euca_boto.session(profile(""), euca_breaker=False, euca_retry_max_attempts=1)


@pytest.fixture
def executor() -> Iterator[ThreadPoolExecutor]:
    with ThreadPoolExecutor(max_workers=4) as pool:
        yield pool


@pytest.fixture
def aio_log(caplog: pytest.LogCaptureFixture) -> pytest.LogCaptureFixture:
    """caplog holding euca_boto.aio's INFO records: the reports of calls whose callers left."""
    caplog.set_level(logging.INFO, logger="euca_boto.aio")
    return caplog


def requests(cloud: LocalCloud, action: str, at_least: int = 0) -> int:
    deadline = time.monotonic() + 3
    count = -1
    while time.monotonic() < deadline:
        again = sum(1 for r in cloud.endpoint(0).requests if r.action == action)
        if again >= at_least and again == count:
            return again
        count = again
        time.sleep(0.02)
    return count


def _hold_the_loop_until_answered(cloud: LocalCloud) -> None:
    """Block the running event loop (on purpose) until the cloud has answered a request and the
    client has had time to read the answer, so the call ends before the loop can see it."""
    deadline = time.monotonic() + 5
    while not cloud.endpoint(0).requests and time.monotonic() < deadline:
        time.sleep(0.01)
    time.sleep(0.1)


def test_an_operation_is_awaited_for_the_parsed_response(session: Any) -> None:
    async def main() -> Any:
        view = aio.wrap(session.client("euprop"))
        return await view.describe_properties(Properties=["dns.enabled"])

    assert asyncio.run(main())["Properties"][0]["Name"] == "dns.enabled"


def test_errors_are_raised_at_the_await(session: Any, fresh_cloud: LocalCloud) -> None:
    fresh_cloud.endpoint(0).fail(400)

    async def main() -> None:
        await aio.wrap(session.client("euprop")).describe_properties()

    with pytest.raises(ClientError) as raised:
        asyncio.run(main())
    assert raised.value.response["ResponseMetadata"]["HTTPStatusCode"] == 400


def test_calls_overlap_and_leave_the_loop_free(
    slow_euprop: tuple[Any, InFlight], executor: ThreadPoolExecutor
) -> None:
    client, out = slow_euprop
    ticks_while_out = 0

    async def ticker() -> None:
        nonlocal ticks_while_out
        while True:
            await asyncio.sleep(0.01)
            ticks_while_out += out.now > 0

    async def main() -> list[Any]:
        view = aio.wrap(client, executor)
        ticking = asyncio.create_task(ticker())
        try:
            return await asyncio.gather(*(view.describe_properties() for _ in range(4)))
        finally:
            ticking.cancel()

    results = asyncio.run(main())
    assert [r["ResponseMetadata"]["HTTPStatusCode"] for r in results] == [200] * 4
    assert out.peak == 4  # all four were out at once
    assert ticks_while_out > 0  # the loop ran another task while requests were out


def test_a_cancelled_call_that_had_not_started_is_never_sent(
    session: Any, fresh_cloud: LocalCloud
) -> None:
    fresh_cloud.endpoint(0).latency(1.0)  # far beyond the waits below, even on a busy machine

    async def main() -> None:
        with ThreadPoolExecutor(max_workers=1) as one:
            view = aio.wrap(session.client("euprop"), one)
            first = asyncio.create_task(view.describe_properties())
            await asyncio.sleep(0.05)  # the only thread is busy with the first call
            with pytest.raises(asyncio.TimeoutError):
                await asyncio.wait_for(view.describe_properties(Properties=["x"]), 0.05)
            await first
            await view.aclose()

    asyncio.run(main())
    assert requests(fresh_cloud, "DescribeProperties", at_least=1) == 1


def test_a_cancelled_running_call_is_seen_to_its_end(
    session: Any, executor: ThreadPoolExecutor, fresh_cloud: LocalCloud,
    aio_log: pytest.LogCaptureFixture,
) -> None:
    fresh_cloud.endpoint(0).latency(1.0)  # far beyond the wait below, even on a busy machine
    seen: dict[str, Any] = {}

    async def main() -> None:
        view = aio.wrap(session.client("euprop"), executor)
        task = asyncio.create_task(view.describe_properties())
        await asyncio.sleep(0.1)
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task
        # LocalCloud logs a request once it has answered it: none yet, the call is still out.
        seen["answered_at_cancel"] = len(fresh_cloud.endpoint(0).requests)
        seen["running"] = view.running
        seen["logged_before_close"] = "caller stopped waiting" in aio_log.text
        await view.aclose()
        seen["running_after_close"] = view.running

    asyncio.run(main())
    assert seen["answered_at_cancel"] == 0  # the caller was not held until the response
    assert (seen["running"], seen["logged_before_close"]) == (1, False)
    assert seen["running_after_close"] == 0
    assert ("euprop DescribeProperties: ran to its end after its caller stopped waiting "
            "(cancelled); the response was dropped") in aio_log.text
    assert requests(fresh_cloud, "DescribeProperties", at_least=1) == 1


def _assert_one_failure_reported(aio_log: pytest.LogCaptureFixture) -> None:
    """euca_boto.aio logged one warning: the failure of a call whose caller had left."""
    [record] = [r for r in aio_log.records if r.name == "euca_boto.aio"]
    assert record.levelno == logging.WARNING
    assert record.getMessage().startswith(
        "euprop DescribeProperties: failed after its caller stopped waiting (cancelled): "
        "ClientError: An error occurred")


def test_a_cancelled_call_that_fails_later_is_logged_with_its_error(
    session: Any, executor: ThreadPoolExecutor, fresh_cloud: LocalCloud,
    aio_log: pytest.LogCaptureFixture,
) -> None:
    fresh_cloud.endpoint(0).latency(0.3)
    fresh_cloud.endpoint(0).fail(403)

    async def main() -> None:
        async with aio.wrap(session.client("euprop"), executor) as view:
            with pytest.raises(asyncio.TimeoutError):
                await asyncio.wait_for(view.describe_properties(), 0.1)

    asyncio.run(main())
    _assert_one_failure_reported(aio_log)


def test_a_call_that_ended_just_before_its_caller_left_is_still_logged(
    session: Any, executor: ThreadPoolExecutor, fresh_cloud: LocalCloud,
    aio_log: pytest.LogCaptureFixture,
) -> None:
    # The call fails while the event loop is busy, and its caller is cancelled before the loop
    # gets to hand it the failure: the caller sees CancelledError, so the failure goes to the log.
    fresh_cloud.endpoint(0).fail(403)

    async def main() -> None:
        async with aio.wrap(session.client("euprop"), executor) as view:
            task = asyncio.create_task(view.describe_properties())
            await asyncio.sleep(0)  # the call is handed to the executor
            _hold_the_loop_until_answered(fresh_cloud)
            task.cancel()
            with pytest.raises(asyncio.CancelledError):
                await task

    asyncio.run(main())
    _assert_one_failure_reported(aio_log)


# -- paginators and waiters --------------------------------------------------------------------


def _reservations(session: Any, at_least: int) -> None:
    ec2 = session.client("ec2")
    have = len(ec2.describe_instances()["Reservations"])
    for _ in range(at_least - have):
        ec2.run_instances(ImageId=IMAGE, MinCount=1, MaxCount=1)


def _listing(session: Any, cloud: LocalCloud) -> list[Any]:
    """The pages of a listing of several pages, fetched plainly; the cloud's request log then
    cleared."""
    _reservations(session, 7)
    plain = list(session.client("ec2").get_paginator("describe_instances").paginate(
        MaxResults=5))
    cloud.clear_requests()
    return plain


def _ids(pages: list[Any]) -> list[str]:
    return [i["InstanceId"] for p in pages for r in p["Reservations"] for i in r["Instances"]]


def test_pages_come_with_async_for(session: Any, fresh_cloud: LocalCloud) -> None:
    plain = _listing(session, fresh_cloud)

    async def main() -> list[Any]:
        view = aio.wrap(session.client("ec2"))
        return [p async for p in view.get_paginator("describe_instances").paginate(
            MaxResults=5)]

    pages = asyncio.run(main())
    assert len(pages) == len(plain) >= 2
    assert _ids(pages) == _ids(plain)
    assert requests(fresh_cloud, "DescribeInstances", at_least=len(plain)) == len(plain)


def test_a_page_whose_await_was_cancelled_is_not_lost(
    session: Any, fresh_cloud: LocalCloud, aio_log: pytest.LogCaptureFixture,
) -> None:
    plain = _listing(session, fresh_cloud)
    fresh_cloud.endpoint(0).latency(1.0)  # far beyond the wait below, even on a busy machine

    async def main() -> list[Any]:
        view = aio.wrap(session.client("ec2"))
        pages = view.get_paginator("describe_instances").paginate(MaxResults=5)
        with pytest.raises(asyncio.TimeoutError):
            await asyncio.wait_for(pages.__anext__(), 0.1)
        return [p async for p in pages]

    pages = asyncio.run(main())
    assert _ids(pages) == _ids(plain)
    assert requests(fresh_cloud, "DescribeInstances", at_least=len(plain)) == len(plain)
    assert "dropped" not in aio_log.text  # the page was kept for the next request


def test_a_page_that_arrived_just_before_its_await_was_cancelled_is_not_lost(
    session: Any, fresh_cloud: LocalCloud, aio_log: pytest.LogCaptureFixture,
) -> None:
    plain = _listing(session, fresh_cloud)

    async def main() -> list[Any]:
        view = aio.wrap(session.client("ec2"))
        pages = view.get_paginator("describe_instances").paginate(MaxResults=5)
        task = asyncio.create_task(pages.__anext__())
        await asyncio.sleep(0)  # the first page is asked for
        _hold_the_loop_until_answered(fresh_cloud)
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task
        return [p async for p in pages]

    pages = asyncio.run(main())
    assert _ids(pages) == _ids(plain)
    assert requests(fresh_cloud, "DescribeInstances", at_least=len(plain)) == len(plain)
    assert "dropped" not in aio_log.text  # the page was kept for the next request, not dropped


def test_a_waiter_is_awaited(session: Any, fresh_cloud: LocalCloud) -> None:
    ec2 = session.client("ec2")
    instance = ec2.run_instances(ImageId=IMAGE, MinCount=1, MaxCount=1)["Instances"][0]

    async def main() -> None:
        await aio.wrap(ec2).get_waiter("instance_running").wait(
            InstanceIds=[instance["InstanceId"]], WaiterConfig={"Delay": 0.01, "MaxAttempts": 5})

    asyncio.run(main())
    assert requests(fresh_cloud, "DescribeInstances", at_least=1) >= 1


# -- bad arguments -----------------------------------------------------------------------------


def test_something_that_is_not_a_client_is_refused() -> None:
    with pytest.raises(EucaBotoError, match="client must be a boto3/botocore client, not dict"):
        aio.wrap({})


def test_an_executor_that_is_not_one_is_refused(session: Any) -> None:
    with pytest.raises(EucaBotoError, match="executor must be a concurrent.futures.Executor"):
        aio.wrap(session.client("euprop"), executor=4)  # type: ignore[arg-type]
