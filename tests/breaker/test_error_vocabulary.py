"""The error vocabulary: a refused call is a ``CircuitOpenError``, a ``BotoCoreError`` and a
``EucaBotoError`` but never a ``ClientError`` (it has no HTTP status), the same whether the call
is plain, a future, awaited or made by the AWS CLI."""

from __future__ import annotations

import asyncio
import os
import re
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from botocore.exceptions import BotoCoreError, ClientError
from redis_servers import RedisServer

import euca_boto
from euca_boto.testing import LocalCloud

FAST = {"euca_retry_max_attempts": 1, "euca_breaker_fail_max": 1}
AWS = str(Path(sys.executable).with_name("aws"))


def open_breaker(cloud: LocalCloud, client: object) -> None:
    cloud.endpoint(0).fail(503)
    with pytest.raises(ClientError):
        client.describe_properties()  # type: ignore[attr-defined]


def check(refused: BaseException, profile: str) -> None:
    assert isinstance(refused, euca_boto.CircuitOpenError)
    assert isinstance(refused, BotoCoreError) and isinstance(refused, euca_boto.EucaBotoError)
    assert not isinstance(refused, ClientError)
    assert not hasattr(refused, "response")  # nothing to read an HTTPStatusCode from
    # Named <profile>/<service>@<host:port> plus the settings that are not the defaults.
    assert refused.code == "CircuitOpen"
    assert re.fullmatch(rf"{re.escape(profile)}/euprop@127\.0\.0\.1:\d+\+fail_max=1",
                        refused.breaker)


def test_a_plain_call_is_refused_with_a_botocore_error(cloud: LocalCloud, profile: str) -> None:
    client = euca_boto.session(profile, **FAST).client("euprop")
    open_breaker(cloud, client)
    try:
        client.describe_properties()
    except (ClientError, BotoCoreError) as caught:  # the usual boto3 clause catches it
        check(caught, profile)
    else:
        pytest.fail("the call was not refused")


def test_a_future_is_refused_with_the_same_error(cloud: LocalCloud, profile: str) -> None:
    client = euca_boto.session(profile, **FAST).client("euprop")
    open_breaker(cloud, client)
    with ThreadPoolExecutor(1) as pool:
        refused = euca_boto.futures(client, pool).describe_properties().exception(timeout=30)
    assert refused is not None
    check(refused, profile)


def test_an_awaited_call_is_refused_with_the_same_error(cloud: LocalCloud,
                                                       profile: str) -> None:
    client = euca_boto.session(profile, **FAST).client("euprop")
    open_breaker(cloud, client)

    async def main() -> BaseException:
        async with euca_boto.aio.wrap(client) as view:
            try:
                await view.describe_properties()
            except BotoCoreError as error:
                return error
        raise AssertionError("the call was not refused")

    check(asyncio.run(main()), profile)


def test_the_cli_reports_a_refused_call_in_one_line(cloud: LocalCloud, profile: str,
                                                     private_redis: RedisServer) -> None:
    # A Redis of this test alone: another test session's cleanup cannot reset the breaker.
    redis_url = private_redis.url
    config = Path(os.environ["AWS_CONFIG_FILE"])
    text = config.read_text().replace(
        f"[profile {profile}]\n", f"[profile {profile}]\neuca_breaker_storage = {redis_url}\n")
    config.write_text(text + "\n[plugins]\neuca = euca_boto.awscli_plugin\n")
    euca_boto.session(profile).client("euprop")  # registers the shared breaker
    euca_boto.get_breaker(f"{profile}/euprop").force_open()
    result = subprocess.run([AWS, "--profile", profile, "euprop", "describe-properties"],
                            capture_output=True, text=True, timeout=120,
                            env={**os.environ, "AWS_PAGER": ""})
    assert result.returncode == 255
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and "Traceback" not in result.stderr
    assert re.match(rf"circuit breaker '{re.escape(profile)}/euprop@[^']+' is forced-open",
                    lines[0])
    assert not any(r.action == "DescribeProperties" for r in cloud.endpoint(0).requests)


def test_euca_boto_commands_report_a_failed_call_in_one_line(cloud: LocalCloud, profile: str,
                                                             private_redis: RedisServer) -> None:
    redis_url = private_redis.url
    config = Path(os.environ["AWS_CONFIG_FILE"])
    config.write_text(config.read_text().replace(
        f"[profile {profile}]\n", f"[profile {profile}]\neuca_breaker_storage = {redis_url}\n"))
    euca_boto.session(profile).client("euserv")
    euca_boto.get_breaker(f"{profile}/euserv").force_open()
    result = subprocess.run([sys.executable, "-m", "euca_boto.cli", "admin", "status",
                             "--profile", profile], capture_output=True, text=True, timeout=60)
    assert result.returncode == 1
    assert result.stderr.splitlines() == [result.stderr.strip()]
    assert re.match(rf"euca-boto: circuit breaker '{re.escape(profile)}/euserv@[^']+' is "
                    "forced-open", result.stderr)


def test_no_endpoint_found_is_a_botocore_error_too(cloud: LocalCloud, profile: str) -> None:
    session = euca_boto.session(profile, euca_topology="dns", euca_dns_domain="cloud.example",
                                euca_dns_resolver="127.0.0.1:9", euca_dns_timeout=0.2)
    try:
        session.client("euprop").describe_properties()
    except (ClientError, BotoCoreError) as caught:
        assert isinstance(caught, euca_boto.EndpointError)
        assert isinstance(caught, euca_boto.EucaBotoError)
        assert "did not answer; check euca_dns_resolver" in str(caught)
    else:
        pytest.fail("the call found an endpoint")


def test_a_caller_context_that_cannot_apply_is_a_botocore_error_too(cloud: LocalCloud,
                                                                    profile: str) -> None:
    ec2 = euca_boto.session(profile).client("ec2")
    with pytest.raises((ClientError, BotoCoreError)) as raised, \
            euca_boto.caller_context(delegate_account="acme", strict=True):
        ec2.describe_availability_zones()
    assert isinstance(raised.value, euca_boto.CallerContextError)
    assert "has no DelegateAccount parameter" in str(raised.value)
