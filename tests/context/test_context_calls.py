"""Caller context through LocalCloud and moto: DelegateAccount on the wire only where the model
has it, role credentials used per call, impersonation tokens, nesting, threads and tasks."""

from __future__ import annotations

import asyncio
import contextvars
import logging
import re
import threading
from collections.abc import Callable
from typing import Any

import pytest

import euca_boto
from euca_boto.context import CallerContextError, IdentityBroker, current
from euca_boto.install import botocore_session_of, plugin_of
from euca_boto.testing import LocalCloud

Records = Callable[[], list[logging.LogRecord]]
ROLE = "arn:aws:iam::123456789012:role/operator"


def _last(cloud: LocalCloud, action: str) -> Any:
    return [r for r in cloud.endpoint(0).requests if r.action == action][-1]


def _signer(record: Any) -> str:
    match = re.search(r"Credential=([A-Z0-9]+)/", record.headers.get("Authorization", ""))
    assert match is not None, record.headers
    return match.group(1)


# DelegateAccount -----------------------------------------------------------------------------


def test_delegate_account_goes_on_operations_that_model_it(session: Any,
                                                           cloud: LocalCloud) -> None:
    iam = session().client("iam")
    with euca_boto.caller_context(delegate_account="acme"):
        iam.list_users()

    assert _last(cloud, "ListUsers").params["DelegateAccount"] == "acme"


def test_operations_without_it_are_left_alone(session: Any, cloud: LocalCloud) -> None:
    made = session()
    with euca_boto.caller_context(delegate_account="acme"):
        made.client("ec2").describe_availability_zones()
        made.client("sts").get_caller_identity()

    assert "DelegateAccount" not in _last(cloud, "DescribeAvailabilityZones").params
    assert "DelegateAccount" not in _last(cloud, "GetCallerIdentity").params


def test_strict_mode_refuses_an_operation_without_it(session: Any, cloud: LocalCloud) -> None:
    ec2 = session().client("ec2")
    cloud.clear_requests()

    with euca_boto.caller_context(delegate_account="acme", strict=True):
        with pytest.raises(CallerContextError) as caught:
            ec2.describe_availability_zones()

    assert "ec2.DescribeAvailabilityZones has no DelegateAccount parameter" in str(caught.value)
    assert "'acme'" in str(caught.value)
    assert cloud.endpoint(0).requests == []


def test_an_explicit_parameter_wins(session: Any, cloud: LocalCloud) -> None:
    iam = session().client("iam")
    with euca_boto.caller_context(delegate_account="acme"):
        iam.list_users(DelegateAccount="globex")

    assert _last(cloud, "ListUsers").params["DelegateAccount"] == "globex"


def test_contexts_nest_and_leaving_restores_the_outer(session: Any, cloud: LocalCloud) -> None:
    iam = session().client("iam")
    seen = []
    with euca_boto.caller_context(delegate_account="acme"):
        with euca_boto.caller_context(delegate_account="globex"):
            iam.list_users()
            seen.append(_last(cloud, "ListUsers").params.get("DelegateAccount"))
        iam.list_users()
        seen.append(_last(cloud, "ListUsers").params.get("DelegateAccount"))
    iam.list_users()
    seen.append(_last(cloud, "ListUsers").params.get("DelegateAccount"))

    assert seen == ["globex", "acme", None]


def test_async_tasks_and_context_aware_threads_carry_the_context(session: Any,
                                                                 cloud: LocalCloud) -> None:
    iam = session().client("iam")

    async def main() -> None:
        async with euca_boto.caller_context(delegate_account="acme"):
            await asyncio.gather(asyncio.to_thread(iam.list_users),
                                 asyncio.to_thread(iam.list_groups))

    asyncio.run(main())

    assert _last(cloud, "ListUsers").params["DelegateAccount"] == "acme"
    assert _last(cloud, "ListGroups").params["DelegateAccount"] == "acme"


def test_a_thread_started_without_copying_the_context_does_not_carry_it(
    session: Any, cloud: LocalCloud
) -> None:
    iam = session().client("iam")
    with euca_boto.caller_context(delegate_account="acme"):
        plain = threading.Thread(target=iam.list_users)
        plain.start()
        plain.join(timeout=30)
        copied = threading.Thread(target=contextvars.copy_context().run, args=(iam.list_groups,))
        copied.start()
        copied.join(timeout=30)

    assert "DelegateAccount" not in _last(cloud, "ListUsers").params
    assert _last(cloud, "ListGroups").params["DelegateAccount"] == "acme"


# Roles ---------------------------------------------------------------------------------------


def test_calls_in_a_role_context_are_signed_with_the_role_credentials(
    session: Any, cloud: LocalCloud
) -> None:
    made = session(euca_retry_max_attempts=1)
    ec2 = made.client("ec2")
    context = euca_boto.caller_context(role_arn=ROLE, session_name="nightly")
    with context:
        zones = ec2.describe_availability_zones()["AvailabilityZones"]
    assert zones

    plugin = plugin_of(made)
    assert plugin is not None
    assumed = plugin.caller_context.broker.cache.get(context)  # cached: no new call
    assume = _last(cloud, "AssumeRole")
    assert assume.params["RoleArn"] == ROLE
    assert assume.params["RoleSessionName"] == "nightly"
    assert _signer(assume) == cloud.access_key
    call = _last(cloud, "DescribeAvailabilityZones")
    assert _signer(call) == assumed.access_key
    assert assumed.access_key.startswith("ASIA")
    assert call.headers["X-Amz-Security-Token"] == assumed.token


def test_role_credentials_are_cached_across_calls_and_clients(session: Any,
                                                              cloud: LocalCloud) -> None:
    made = session(euca_retry_max_attempts=1)
    calls = [made.client("ec2").describe_availability_zones,
             made.client("ec2").describe_availability_zones, made.client("iam").list_users]
    with euca_boto.caller_context(role_arn=ROLE, session_name="cached"):
        for call in calls:
            assert call()["ResponseMetadata"]["HTTPStatusCode"] == 200

    assumes = [r for r in cloud.endpoint(0).requests
               if r.action == "AssumeRole" and r.params["RoleSessionName"] == "cached"]
    assert len(assumes) == 1


def test_role_credentials_are_fetched_again_before_they_expire(session: Any,
                                                               cloud: LocalCloud) -> None:
    now = [1_000_000.0]
    broker = IdentityBroker(botocore_session_of(session()), clock=lambda: now[0])
    context = euca_boto.caller_context(role_arn=ROLE, session_name="refresh")

    first = broker.credentials(context)
    expiry = broker.cache.get(context).expiration
    now[0] = expiry - 600  # more than the margin before expiry: still cached
    same = broker.credentials(context)
    now[0] = expiry - 60  # inside the margin: fetched again
    fresh = broker.credentials(context)

    assumes = [r for r in cloud.endpoint(0).requests
               if r.action == "AssumeRole" and r.params["RoleSessionName"] == "refresh"]
    assert len(assumes) == 2
    assert same.access_key == first.access_key
    assert fresh.access_key != first.access_key


def test_the_wire_log_shows_the_effective_identity_not_the_credentials(
    session: Any, wire: Records
) -> None:
    iam = session(euca_wire_log="iam", euca_retry_max_attempts=1).client("iam")
    with euca_boto.caller_context(role_arn=ROLE, session_name="audit"):
        iam.list_users()
    with euca_boto.caller_context(delegate_account="acme"):
        iam.list_users()

    identities = [r.euca_identity for r in wire()]  # type: ignore[attr-defined]
    assert identities == [f"role {ROLE} (session audit)", "delegate account acme"]
    assert wire()[0].getMessage().startswith(
        f"iam ListUsers attempt 1 as role {ROLE} (session audit)")


# Impersonation -------------------------------------------------------------------------------


def test_impersonation_asks_sts_for_a_token_as_the_reference_says(session: Any,
                                                                  cloud: LocalCloud) -> None:
    ec2 = session(euca_retry_max_attempts=1).client("ec2")

    with euca_boto.caller_context(impersonate_user="alice", account="acme"):
        with pytest.raises(CallerContextError) as caught:
            ec2.describe_availability_zones()
    # acme has no user alice: the failure names who and what.
    assert "act as user alice of account acme (impersonated)" in str(caught.value)
    assert "GetImpersonationToken failed" in str(caught.value)

    request = _last(cloud, "GetImpersonationToken")
    assert request.params == {"Action": "GetImpersonationToken", "Version": "2011-06-15",
                              "AccountAlias": "acme", "UserName": "alice"}
    assert _signer(request) == cloud.access_key


def test_impersonation_by_user_id_sends_user_id(session: Any, cloud: LocalCloud) -> None:
    ec2 = session(euca_retry_max_attempts=1).client("ec2")

    with euca_boto.caller_context(impersonate_user="AIDAALICE"):
        with pytest.raises(CallerContextError, match="GetImpersonationToken failed"):
            ec2.describe_availability_zones()  # no user has that id

    assert _last(cloud, "GetImpersonationToken").params["UserId"] == "AIDAALICE"


def test_calls_are_signed_with_the_impersonation_token(session: Any, cloud: LocalCloud) -> None:
    cloud.add_credentials(account="acme")
    ec2 = session(euca_retry_max_attempts=1).client("ec2")
    with euca_boto.caller_context(impersonate_user="admin", account="acme"):
        ec2.describe_availability_zones()

    assert _signer(_last(cloud, "DescribeAvailabilityZones")) != cloud.access_key


# Arguments -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({}, "needs delegate_account, role_arn or impersonate_user"),
        ({"role_arn": ROLE, "impersonate_user": "alice"}, "choose one"),
        ({"delegate_account": ""}, "delegate_account=''"),
        ({"delegate_account": "acme", "session_name": "x"}, "only apply with role_arn"),
        ({"delegate_account": "acme", "account": "acme"}, "use delegate_account"),
        ({"role_arn": ROLE, "duration_seconds": 60}, ">= 900"),
    ],
)
def test_bad_arguments_are_refused_at_once(kwargs: dict[str, Any], message: str) -> None:
    with pytest.raises(CallerContextError, match=re.escape(message)):
        euca_boto.caller_context(**kwargs)


def test_no_context_outside_a_block() -> None:
    with euca_boto.caller_context(delegate_account="acme") as context:
        assert current() is context
    assert current() is None
