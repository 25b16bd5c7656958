"""Caller context and threads: the views euca-boto runs on executors carry it into every call
(every page included); for threads euca-boto does not start, ``bind`` carries it, and boto3's
S3 transfer manager, whose threads cannot carry it, refuses to run inside a context that signs
unless told to stay on the caller's thread."""

from __future__ import annotations

import asyncio
import contextvars
import re
import uuid
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest
from awsenv import IMAGE
from boto3.s3.transfer import TransferConfig

import euca_boto
from euca_boto import aio
from euca_boto.context import CallerContextError
from euca_boto.testing import LocalCloud

ROLE = "arn:aws:iam::123456789012:role/operator"


@pytest.fixture
def pool() -> Iterator[ThreadPoolExecutor]:
    with ThreadPoolExecutor(max_workers=4, thread_name_prefix="app-pool") as executor:
        yield executor


def _delegated(cloud: LocalCloud, action: str) -> list[Any]:
    return [r.params.get("DelegateAccount") for r in cloud.endpoint(0).requests
            if r.action == action]


def _signer(record: Any) -> str:
    match = re.search(r"Credential=([A-Z0-9]+)/", record.headers.get("Authorization", ""))
    assert match is not None, record.headers
    return match.group(1)


@pytest.fixture
def ec2(session: Any) -> Any:
    """An EC2 client of a cloud with at least six reservations (two pages of five)."""
    client = session(euca_retry_max_attempts=1).client("ec2")
    have = len(client.describe_instances()["Reservations"])
    for _ in range(6 - have):
        client.run_instances(ImageId=IMAGE, MinCount=1, MaxCount=1)
    return client


def _page_signers(cloud: LocalCloud) -> list[str]:
    return [_signer(r) for r in cloud.endpoint(0).requests if r.action == "DescribeInstances"]


def test_every_page_of_a_futures_paginator_carries_the_context(
    ec2: Any, cloud: LocalCloud, pool: ThreadPoolExecutor
) -> None:
    view = euca_boto.futures(ec2, pool)
    cloud.clear_requests()
    with euca_boto.caller_context(role_arn=ROLE, session_name="pages"):
        pages = view.get_paginator("describe_instances").paginate(MaxResults=5)
        # Asked for at once: pages after the first go out from the previous page's callback,
        # on an executor thread.
        futures = [pages.next_page() for _ in range(2)]
    assert all(f.result(timeout=60) is not None for f in futures)
    signers = _page_signers(cloud)
    assert len(signers) == 2
    assert len(set(signers)) == 1 and signers[0] != cloud.access_key  # the role, every page


def test_every_page_of_an_awaitable_paginator_carries_the_context(
    ec2: Any, cloud: LocalCloud, pool: ThreadPoolExecutor
) -> None:
    view = aio.wrap(ec2, pool)
    cloud.clear_requests()

    async def main() -> int:
        async with euca_boto.caller_context(role_arn=ROLE, session_name="pages"):
            pages = view.get_paginator("describe_instances").paginate(MaxResults=5)
            return len([page async for page in pages])

    assert asyncio.run(main()) >= 2
    signers = _page_signers(cloud)
    assert len(signers) >= 2
    assert len(set(signers)) == 1 and signers[0] != cloud.access_key


def test_work_handed_to_the_applications_own_pool(
    session: Any, cloud: LocalCloud, pool: ThreadPoolExecutor
) -> None:
    iam = session().client("iam")
    cloud.clear_requests()
    acme = euca_boto.caller_context(delegate_account="acme")
    with acme:
        pool.submit(iam.list_users).result(timeout=60)  # the pool's thread: no context
        pool.submit(acme.bind(iam.list_users)).result(timeout=60)
        pool.submit(contextvars.copy_context().run, iam.list_users).result(timeout=60)
    assert _delegated(cloud, "ListUsers") == [None, "acme", "acme"]


def test_bind_works_for_coroutine_functions(session: Any, cloud: LocalCloud) -> None:
    iam = session().client("iam")
    cloud.clear_requests()

    async def list_users() -> Any:
        return await asyncio.to_thread(iam.list_users)

    asyncio.run(euca_boto.caller_context(delegate_account="acme").bind(list_users)())
    assert _delegated(cloud, "ListUsers") == ["acme"]


@pytest.fixture
def bucket(session: Any) -> str:
    name = f"transfers-{uuid.uuid4().hex[:8]}"
    session().client("s3").create_bucket(Bucket=name)
    return name


def test_s3_transfers_refuse_threads_that_would_drop_a_signing_context(
    session: Any, cloud: LocalCloud, bucket: str, tmp_path: Path
) -> None:
    s3 = session(euca_retry_max_attempts=1).client("s3")
    source = tmp_path / "payload.txt"
    source.write_bytes(b"payload")
    cloud.clear_requests()
    with euca_boto.caller_context(role_arn=ROLE, session_name="transfers"):
        with pytest.raises(CallerContextError, match="TransferConfig\\(use_threads=False\\)"):
            s3.upload_file(str(source), bucket, "threaded.txt")
        assert not [r for r in cloud.requests() if r.method == "PUT"]  # nothing was sent

        s3.upload_file(str(source), bucket, "inline.txt",
                       Config=TransferConfig(use_threads=False))
        assumed = s3.get_object(Bucket=bucket, Key="inline.txt")
    [put] = [r for r in cloud.requests() if r.method == "PUT"]
    [get] = [r for r in cloud.requests() if r.method == "GET"]
    assert put.path.endswith(f"/{bucket}/inline.txt")
    assert _signer(put) == _signer(get) != cloud.access_key  # the role's credentials
    assert assumed["Body"].read() == b"payload"


def test_s3_transfers_outside_a_context_use_threads_as_usual(
    session: Any, cloud: LocalCloud, bucket: str, tmp_path: Path
) -> None:
    s3 = session().client("s3")
    source = tmp_path / "payload.txt"
    source.write_bytes(b"payload")
    s3.upload_file(str(source), bucket, "plain.txt")
    with euca_boto.caller_context(delegate_account="acme"):  # changes nothing for S3
        s3.download_file(bucket, "plain.txt", str(tmp_path / "back.txt"))
    assert (tmp_path / "back.txt").read_bytes() == b"payload"
