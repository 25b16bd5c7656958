"""Protected clients against LocalCloud: tripping, failing fast, probing, what counts."""

from __future__ import annotations

import copy
import logging
import re
import time
from urllib.parse import urlsplit

import boto3
import pytest
from botocore.client import BaseClient
from botocore.config import Config
from botocore.exceptions import ClientError

import euca_boto
from euca_boto.breakers.protected import ProtectedClient
from euca_boto.metrics import METRICS
from euca_boto.testing import LocalCloud

FAST = {"euca_retry_max_attempts": 1}


class Clock:
    def __init__(self) -> None:
        self.now = time.time()

    def __call__(self) -> float:
        return self.now


def euprop_client(profile: str, **settings: object) -> tuple[object, Clock]:
    session = euca_boto.session(profile, **{**FAST, **settings})
    client = session.client("euprop")
    clock = Clock()
    euca_boto.get_breaker(f"{profile}/euprop").clock = clock
    return client, clock


def properties_requests(cloud: LocalCloud) -> int:
    return sum(1 for r in cloud.endpoint(0).requests if r.action == "DescribeProperties")


def at(cloud: LocalCloud) -> str:
    """The host:port a breaker of the cloud's first endpoint is named after."""
    return urlsplit(cloud.url).netloc


def test_installed_session_clients_come_back_protected(cloud: LocalCloud, profile: str) -> None:
    client = euca_boto.session(profile).client("euprop")
    assert type(client) is ProtectedClient
    assert isinstance(client, BaseClient)
    assert client.meta.service_model.service_name == "euprop"
    assert client.breaker.name == f"{profile}/euprop@{at(cloud)}"
    assert [b.name for b in euca_boto.breakers()] == [f"{profile}/euprop@{at(cloud)}"]


def test_a_protected_client_passes_for_the_client(profile: str) -> None:
    client = euca_boto.session(profile).client("euprop")
    assert isinstance(client, BaseClient) and not isinstance(client, str)
    assert {"describe_properties", "get_paginator", "meta"} <= set(dir(client))
    assert client.describe_properties is client.describe_properties  # made once, kept
    client.custom_note = "kept"  # set on the client itself, read back through the proxy
    assert client.custom_note == "kept"
    del client.custom_note
    assert not hasattr(client, "custom_note")
    assert client == client and client in {client}
    with pytest.raises(NotImplementedError):
        copy.copy(client)
    with pytest.raises(AttributeError):
        client.no_such_attribute  # noqa: B018


def test_resources_of_an_installed_session_use_protected_clients(profile: str) -> None:
    resource = euca_boto.session(profile).resource("ec2")
    assert type(resource.meta.client) is ProtectedClient


def test_breaker_off_gives_the_plain_client(profile: str) -> None:
    client = euca_boto.session(profile, euca_breaker=False).client("euprop")
    assert type(client) is not ProtectedClient
    assert euca_boto.breakers() == []


def test_trips_after_fail_max_and_then_fails_fast_without_traffic(
    cloud: LocalCloud, profile: str
) -> None:
    client, _ = euprop_client(profile, euca_breaker_fail_max=3)
    cloud.endpoint(0).fail(503, count=3)
    for _ in range(3):
        with pytest.raises(ClientError) as failed:
            client.describe_properties()
        assert failed.value.response["ResponseMetadata"]["HTTPStatusCode"] == 503
    assert properties_requests(cloud) == 3

    with pytest.raises(euca_boto.CircuitOpenError) as refused:
        client.describe_properties()
    assert refused.value.breaker == f"{profile}/euprop@{at(cloud)}+fail_max=3"
    assert refused.value.operation_name == "DescribeProperties"
    assert properties_requests(cloud) == 3
    [info] = euca_boto.breakers()
    assert (info.state, info.failures) == ("open", 3)
    assert info.next_probe == pytest.approx(info.opened_at + 30)


def test_one_logical_call_is_one_observation_whatever_its_attempts(
    cloud: LocalCloud, profile: str
) -> None:
    client, _ = euprop_client(
        profile, euca_breaker_fail_max=2, euca_retry_max_attempts=3,
        euca_retry_base_delay=0, euca_retry_delay=0,
    )
    cloud.endpoint(0).fail(503, count=6)
    with pytest.raises(ClientError):
        client.describe_properties()
    assert properties_requests(cloud) == 3
    assert euca_boto.breakers()[0].failures == 1
    with pytest.raises(ClientError):
        client.describe_properties()
    assert properties_requests(cloud) == 6
    assert euca_boto.breakers()[0].state == "open"


def test_probes_after_the_reset_timeout_and_closes_on_success(
    cloud: LocalCloud, profile: str
) -> None:
    client, clock = euprop_client(profile, euca_breaker_fail_max=1, euca_breaker_reset_timeout=20)
    cloud.endpoint(0).fail(503, count=1)
    with pytest.raises(ClientError):
        client.describe_properties()
    clock.now += 19
    with pytest.raises(euca_boto.CircuitOpenError):
        client.describe_properties()
    assert properties_requests(cloud) == 1

    clock.now += 1
    assert client.describe_properties()["ResponseMetadata"]["HTTPStatusCode"] == 200
    assert properties_requests(cloud) == 2
    assert euca_boto.breakers()[0].state == "closed"


def test_a_failed_probe_reopens_the_breaker(cloud: LocalCloud, profile: str) -> None:
    client, clock = euprop_client(profile, euca_breaker_fail_max=1, euca_breaker_reset_timeout=20)
    cloud.endpoint(0).fail(503, count=2)
    with pytest.raises(ClientError):
        client.describe_properties()
    clock.now += 20
    with pytest.raises(ClientError):
        client.describe_properties()
    with pytest.raises(euca_boto.CircuitOpenError) as refused:
        client.describe_properties()
    assert refused.value.next_probe == pytest.approx(clock.now + 20)
    assert properties_requests(cloud) == 2


@pytest.mark.parametrize("status", [400, 403, 404])
def test_client_errors_never_trip(cloud: LocalCloud, profile: str, status: int) -> None:
    client, _ = euprop_client(profile, euca_breaker_fail_max=2)
    cloud.endpoint(0).fail(status, count=5)
    for _ in range(5):
        with pytest.raises(ClientError) as failed:
            client.describe_properties()
        assert failed.value.response["ResponseMetadata"]["HTTPStatusCode"] == status
    assert properties_requests(cloud) == 5
    info = euca_boto.breakers()[0]
    assert (info.state, info.failures) == ("closed", 0)


def test_a_real_bad_request_from_moto_does_not_count(profile: str) -> None:
    ec2 = euca_boto.session(profile, euca_breaker_fail_max=1, **FAST).client("ec2")
    for _ in range(3):
        with pytest.raises(ClientError, match="InvalidInstanceID"):
            ec2.describe_instances(InstanceIds=["i-00000000000000000"])
    assert euca_boto.get_breaker(f"{profile}/ec2").info().state == "closed"


def test_a_refused_connection_counts_as_a_connection_failure(
    cloud: LocalCloud, profile: str
) -> None:
    client, _ = euprop_client(profile, euca_breaker_fail_max=2)
    cloud.endpoint(0).stop()
    for _ in range(2):
        with pytest.raises(Exception, match="Could not connect"):
            client.describe_properties()
    assert euca_boto.breakers()[0].state == "open"
    assert METRICS.get("euprop", "DescribeProperties").failures == {"connection": 2}


def test_a_timeout_counts_as_a_timeout_failure(cloud: LocalCloud, profile: str) -> None:
    session = euca_boto.session(profile, euca_breaker_fail_max=1, **FAST)
    client = session.client("euprop", config=Config(read_timeout=0.2, connect_timeout=0.2))
    cloud.endpoint(0).blackhole()
    with pytest.raises(Exception, match="Read timeout"):
        client.describe_properties()
    assert euca_boto.breakers()[0].state == "open"
    assert METRICS.get("euprop", "DescribeProperties").failures == {"timeout": 1}


def test_per_operation_scope_keeps_operations_apart(cloud: LocalCloud, profile: str) -> None:
    session = euca_boto.session(
        profile, euca_breaker_fail_max=1, euca_breaker_scope="operation", **FAST
    )
    client = session.client("euprop")
    cloud.endpoint(0).fail(503)
    with pytest.raises(ClientError):
        client.describe_properties()
    with pytest.raises(euca_boto.CircuitOpenError):
        client.describe_properties()
    changed = client.modify_property_value(Name="dns.enabled", Value="true")
    assert changed["Name"] == "dns.enabled"
    assert {(b.name, b.state) for b in euca_boto.breakers()} == {
        (f"{profile}/euprop/DescribeProperties@{at(cloud)}+fail_max=1", "open"),
        (f"{profile}/euprop/ModifyPropertyValue@{at(cloud)}+fail_max=1", "closed"),
    }


def test_paginators_go_through_the_breaker(cloud: LocalCloud, profile: str) -> None:
    ec2 = euca_boto.session(profile, euca_breaker_fail_max=1, **FAST).client("ec2")
    pages = list(ec2.get_paginator("describe_instances").paginate())
    assert pages[0]["ResponseMetadata"]["HTTPStatusCode"] == 200
    assert METRICS.get("ec2", "DescribeInstances").calls == 1

    cloud.endpoint(0).fail(503)
    with pytest.raises(ClientError):
        ec2.describe_instances()
    sent = len(cloud.endpoint(0).requests)
    with pytest.raises(euca_boto.CircuitOpenError):
        list(ec2.get_paginator("describe_instances").paginate())
    assert len(cloud.endpoint(0).requests) == sent


def test_waiters_go_through_the_breaker(cloud: LocalCloud, profile: str) -> None:
    ec2 = euca_boto.session(profile, euca_breaker_fail_max=1, **FAST).client("ec2")
    cloud.endpoint(0).fail(503)
    with pytest.raises(ClientError):
        ec2.describe_instances()
    sent = len(cloud.endpoint(0).requests)
    # Refused, not an error answer for the waiter to match: it fails at once, as itself.
    with pytest.raises(euca_boto.CircuitOpenError):
        ec2.get_waiter("instance_running").wait(
            InstanceIds=["i-00000000000000000"], WaiterConfig={"Delay": 0, "MaxAttempts": 3}
        )
    assert len(cloud.endpoint(0).requests) == sent
    assert METRICS.get("ec2", "DescribeInstances").short_circuits == 1


def test_listeners_hear_every_state_change(cloud: LocalCloud, profile: str) -> None:
    heard: list[euca_boto.StateChange] = []
    euca_boto.add_breaker_listener(heard.append)
    client, clock = euprop_client(profile, euca_breaker_fail_max=1, euca_breaker_reset_timeout=5)
    cloud.endpoint(0).fail(502)
    with pytest.raises(ClientError):
        client.describe_properties()
    clock.now += 5
    client.describe_properties()
    name = f"{profile}/euprop@{at(cloud)}+fail_max=1+reset_timeout=5"
    assert [(c.breaker, c.old, c.new) for c in heard] == [
        (name, "closed", "open"),
        (name, "open", "half-open"),
        (name, "half-open", "closed"),
    ]
    assert heard[0].reason == "1 consecutive failures, the last: http-502"


def test_opening_is_logged_with_the_breaker_name(
    cloud: LocalCloud, profile: str, caplog: pytest.LogCaptureFixture
) -> None:
    client, _ = euprop_client(profile, euca_breaker_fail_max=1)
    cloud.endpoint(0).fail(504)
    with caplog.at_level(logging.WARNING, logger="euca_boto.breaker"), pytest.raises(ClientError):
        client.describe_properties()
    [record] = [r for r in caplog.records if r.name == "euca_boto.breaker"]
    assert record.getMessage().startswith(
        f"breaker {profile}/euprop@{at(cloud)}+fail_max=1: closed -> open (1 consecutive "
        "failures, the last: http-504)"
    )


def test_reset_from_python_closes_the_breaker(cloud: LocalCloud, profile: str) -> None:
    client, _ = euprop_client(profile, euca_breaker_fail_max=1)
    cloud.endpoint(0).fail(503)
    with pytest.raises(ClientError):
        client.describe_properties()
    euca_boto.get_breaker(f"{profile}/euprop").reset()
    assert client.describe_properties()["ResponseMetadata"]["HTTPStatusCode"] == 200


def test_protect_wraps_a_plain_boto3_client(cloud: LocalCloud, profile: str) -> None:
    plain = boto3.Session(profile_name=profile).client(
        "ec2", config=Config(retries={"total_max_attempts": 1})
    )
    client = euca_boto.protect(plain, profile=profile, euca_breaker_fail_max=1)
    assert isinstance(client, type(plain))
    assert client.meta is plain.meta
    assert euca_boto.protect(client) is client
    cloud.endpoint(0).fail(503)
    with pytest.raises(ClientError):
        client.describe_regions()
    name = f"{profile}/ec2@{at(cloud)}+fail_max=1"
    with pytest.raises(euca_boto.CircuitOpenError, match=f"'{re.escape(name)}' is open"):
        client.describe_regions()


def test_protect_rejects_a_bad_setting_with_what_was_expected(profile: str) -> None:
    plain = boto3.Session(profile_name=profile).client("ec2")
    with pytest.raises(euca_boto.ConfigError, match="euca_breaker_fail_max = 'many' is not valid"):
        euca_boto.protect(plain, euca_breaker_fail_max="many")
    with pytest.raises(euca_boto.ConfigError, match="'euca_breaker_failmax' is not a breaker"):
        euca_boto.protect(plain, euca_breaker_failmax=3)


def test_a_profile_block_sets_breaker_settings_per_service(
    cloud: LocalCloud, profile: str, tmp_path: object
) -> None:
    import os
    from pathlib import Path

    config = Path(os.environ["AWS_CONFIG_FILE"])
    text = config.read_text().replace(
        f"services = {profile}\n",
        f"services = {profile}\neuca_breaker_fail_max = 9\nproperties =\n"
        "    euca_breaker_fail_max = 1\n",
    )
    config.write_text(text)
    session = euca_boto.session(profile, **FAST)
    assert session.client("euprop").breaker.config.fail_max == 1
    assert session.client("ec2").breaker.config.fail_max == 9
