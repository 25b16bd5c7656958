"""``euca_boto.futures``: operations as futures on the application's executor, against
LocalCloud over real sockets."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any

import pytest
from awsenv import IMAGE
from botocore.exceptions import ClientError
from modes import InFlight

import euca_boto
from euca_boto import EucaBotoError
from euca_boto.futures import FutureClient
from euca_boto.testing import LocalCloud


@pytest.fixture
def executor() -> Iterator[ThreadPoolExecutor]:
    with ThreadPoolExecutor(max_workers=4, thread_name_prefix="app-pool") as pool:
        yield pool


@pytest.fixture
def session(profile: Callable[[str], str]) -> Any:
    return euca_boto.session(profile(""), euca_breaker=False, euca_retry_base_delay=0.001,
                             euca_retry_delay=0.002)


def actions(cloud: LocalCloud, name: str) -> list[Any]:
    deadline = time.monotonic() + 3
    while time.monotonic() < deadline:
        found = [r for r in cloud.endpoint(0).requests if r.action == name]
        time.sleep(0.02)
        if found == [r for r in cloud.endpoint(0).requests if r.action == name]:
            return found
    return found


def test_an_operation_returns_a_future_of_the_parsed_response(
    session: Any, executor: ThreadPoolExecutor
) -> None:
    view = euca_boto.futures(session.client("euprop"), executor)
    future = view.describe_properties(Properties=["dns.enabled"])
    assert isinstance(future, Future)
    assert future.result(timeout=30)["Properties"][0]["Name"] == "dns.enabled"


def test_calls_run_on_the_applications_executor(
    session: Any, executor: ThreadPoolExecutor, fresh_cloud: LocalCloud
) -> None:
    threads: list[str] = []
    view = euca_boto.futures(session.client("euprop"), executor)
    view.meta.events.register("before-send.euprop",
                              lambda **_: threads.append(threading.current_thread().name))
    view.describe_properties().result(timeout=30)
    assert len(threads) == 1 and threads[0].startswith("app-pool")


def test_done_callbacks_get_the_finished_future(
    session: Any, executor: ThreadPoolExecutor, fresh_cloud: LocalCloud
) -> None:
    view = euca_boto.futures(session.client("euprop"), executor)
    seen: list[Any] = []
    done = threading.Event()

    def callback(future: Future[Any]) -> None:
        seen.append(future.result()["ResponseMetadata"]["HTTPStatusCode"])
        done.set()

    view.describe_properties().add_done_callback(callback)
    assert done.wait(30)
    assert seen == [200]


def test_an_error_is_raised_by_result_as_the_plain_call_raises_it(
    session: Any, executor: ThreadPoolExecutor, fresh_cloud: LocalCloud
) -> None:
    fresh_cloud.endpoint(0).fail(400)
    future = euca_boto.futures(session.client("euprop"), executor).describe_properties()
    with pytest.raises(ClientError) as raised:
        future.result(timeout=30)
    assert raised.value.response["ResponseMetadata"]["HTTPStatusCode"] == 400


def test_many_calls_run_concurrently(
    slow_euprop: tuple[Any, InFlight], executor: ThreadPoolExecutor
) -> None:
    client, out = slow_euprop
    view = euca_boto.futures(client, executor)
    futures = [view.describe_properties() for _ in range(4)]
    assert [f.result(timeout=30)["ResponseMetadata"]["HTTPStatusCode"] for f in futures] == [
        200] * 4
    assert out.peak == 4  # four threads, four requests out at once


def test_the_caller_context_at_submission_goes_with_the_call(
    session: Any, executor: ThreadPoolExecutor, fresh_cloud: LocalCloud
) -> None:
    view = euca_boto.futures(session.client("iam", ), executor)
    with euca_boto.caller_context(delegate_account="acme"):
        inside = view.list_users()
    outside = view.list_users()
    for future in (inside, outside):
        future.exception(timeout=30)
    sent = [r.params.get("DelegateAccount") for r in actions(fresh_cloud, "ListUsers")]
    assert len(sent) == 2 and set(sent) == {"acme", None}


def test_everything_but_operations_is_the_clients_own(
    session: Any, executor: ThreadPoolExecutor
) -> None:
    client = session.client("euprop")
    view = euca_boto.futures(client, executor)
    assert isinstance(view, FutureClient)
    assert view.meta is client.meta
    assert view.exceptions is client.exceptions
    assert view.can_paginate("describe_properties") == client.can_paginate("describe_properties")
    assert view.client is client


def test_a_protected_client_keeps_its_breaker(
    profile: Callable[[str], str], executor: ThreadPoolExecutor, fresh_cloud: LocalCloud
) -> None:
    name = profile("")
    client = euca_boto.session(name, euca_retry_max_attempts=1,
                               euca_breaker_fail_max=1).client("euprop")
    view = euca_boto.futures(client, executor)
    fresh_cloud.endpoint(0).fail(503)
    assert isinstance(view.describe_properties().exception(timeout=30), ClientError)
    refused = view.describe_properties().exception(timeout=30)
    assert isinstance(refused, euca_boto.CircuitOpenError)
    assert refused.breaker == (
        f"{name}/euprop@{fresh_cloud.url.split('://')[1].rstrip('/')}+fail_max=1")


# -- paginators and waiters --------------------------------------------------------------------


def _reservations(session: Any, at_least: int) -> None:
    """Launch instances until there are ``at_least`` reservations (a page holds up to 5)."""
    ec2 = session.client("ec2")
    have = len(ec2.describe_instances()["Reservations"])
    for _ in range(at_least - have):
        ec2.run_instances(ImageId=IMAGE, MinCount=1, MaxCount=1)


def test_pages_are_futures_fetched_only_when_asked_for(
    session: Any, executor: ThreadPoolExecutor, fresh_cloud: LocalCloud
) -> None:
    _reservations(session, 6)
    view = euca_boto.futures(session.client("ec2"), executor)
    fresh_cloud.clear_requests()
    pages = view.get_paginator("describe_instances").paginate(MaxResults=5)
    first = pages.next_page()
    assert isinstance(first, Future)
    page = first.result(timeout=30)
    assert page is not None and page["ResponseMetadata"]["HTTPStatusCode"] == 200
    assert page.get("NextToken")  # there is a next page, and it was not fetched
    assert len(actions(fresh_cloud, "DescribeInstances")) == 1


def test_a_listing_ends_with_a_future_of_none(
    session: Any, executor: ThreadPoolExecutor, fresh_cloud: LocalCloud
) -> None:
    view = euca_boto.futures(session.client("ec2"), executor)
    pages = view.get_paginator("describe_instances").paginate()
    assert pages.next_page().result(timeout=30) is not None
    assert pages.next_page().result(timeout=30) is None
    assert pages.next_page().result(timeout=30) is None


def test_next_page_never_blocks_and_pages_come_in_order(
    session: Any, executor: ThreadPoolExecutor, fresh_cloud: LocalCloud
) -> None:
    _reservations(session, 6)
    fresh_cloud.endpoint(0).latency(1.0)
    view = euca_boto.futures(session.client("ec2"), executor)
    pages = view.get_paginator("describe_instances").paginate(MaxResults=5)
    futures = [pages.next_page() for _ in range(40)]
    # All handed out before the first page (1 s away) arrived: asking did not wait.
    assert not any(f.done() for f in futures)
    results = [f.result(timeout=30) for f in futures]
    real = [p for p in results if p is not None]
    assert all(p is None for p in results[len(real):])
    ids = [i["InstanceId"] for p in real for r in p["Reservations"] for i in r["Instances"]]
    assert len(ids) == len(set(ids)) >= 5
    plain = session.client("ec2").get_paginator("describe_instances").paginate(MaxResults=5)
    assert ids == [i["InstanceId"] for p in plain for r in p["Reservations"]
                   for i in r["Instances"]]


def test_iterating_gives_the_pages(
    session: Any, executor: ThreadPoolExecutor, fresh_cloud: LocalCloud
) -> None:
    _reservations(session, 6)
    view = euca_boto.futures(session.client("ec2"), executor)
    pages = list(view.get_paginator("describe_instances").paginate(MaxResults=5))
    plain = list(session.client("ec2").get_paginator("describe_instances").paginate(
        MaxResults=5))
    assert len(pages) == len(plain) >= 2
    assert [p["Reservations"] for p in pages] == [p["Reservations"] for p in plain]


def test_a_waiter_returns_a_future(
    session: Any, executor: ThreadPoolExecutor, fresh_cloud: LocalCloud
) -> None:
    ec2 = session.client("ec2")
    instance = ec2.run_instances(ImageId=IMAGE, MinCount=1, MaxCount=1)["Instances"][0]
    view = euca_boto.futures(ec2, executor)
    waited = view.get_waiter("instance_running").wait(
        InstanceIds=[instance["InstanceId"]], WaiterConfig={"Delay": 0.01, "MaxAttempts": 5})
    assert isinstance(waited, Future)
    assert waited.result(timeout=30) is None
    assert actions(fresh_cloud, "DescribeInstances")


# -- bad arguments -----------------------------------------------------------------------------


def test_an_executor_that_is_not_one_is_refused(session: Any) -> None:
    with pytest.raises(EucaBotoError, match="executor must be a concurrent.futures.Executor"):
        euca_boto.futures(session.client("euprop"), 16)  # type: ignore[arg-type]


def test_something_that_is_not_a_client_is_refused(executor: ThreadPoolExecutor) -> None:
    with pytest.raises(EucaBotoError, match="client must be a boto3/botocore client, not str"):
        euca_boto.futures("euprop", executor)
