"""Caller contexts on aiobotocore sessions get their temporary credentials from the cloud's own
STS (``/services/Tokens``), found as every other service is, with the session's current
credentials: here a profile that names nothing but ``euca_endpoint``, as the README's does, and
whose credentials come from a ``credential_process`` and rotate."""

from __future__ import annotations

import asyncio
import json
import re
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from awsenv import AwsEnv
from modes import needs_aiobotocore

import euca_boto
from euca_boto import aio
from euca_boto.testing import LocalCloud

pytestmark = needs_aiobotocore

ROLE = "arn:aws:iam::123456789012:role/operator"

CREDENTIAL_PROCESS = """\
import json, sys
from datetime import datetime, timedelta, timezone
keys = json.load(open(sys.argv[1]))
# Short-lived: whoever holds them must ask again before every use.
expires = datetime.now(timezone.utc) + timedelta(minutes=5)
print(json.dumps({"Version": 1, "AccessKeyId": keys["id"], "SecretAccessKey": keys["secret"],
                  "Expiration": expires.strftime("%Y-%m-%dT%H:%M:%SZ")}))
"""


@pytest.fixture
def rotating_profile(fresh_cloud: LocalCloud, tmp_path: Path,
                     aws_env: AwsEnv) -> Callable[[], str]:
    """A profile with only region and euca_endpoint, whose credentials come from a process;
    calling the fixture's value issues a new key pair and makes the process hand it out."""
    keys = tmp_path / "keys.json"
    script = tmp_path / "credentials.py"
    script.write_text(CREDENTIAL_PROCESS)
    aws_env.config.write_text(
        "[profile rotating]\n"
        f"region = {fresh_cloud.region}\n"
        f"euca_endpoint = {fresh_cloud.url}/\n"
        f"credential_process = {sys.executable} {script} {keys}\n"
    )

    def rotate() -> str:
        key, secret = fresh_cloud.add_credentials()
        keys.write_text(json.dumps({"id": key, "secret": secret}))
        return key

    return rotate


def _assume_role_calls(cloud: LocalCloud, count: int) -> list[Any]:
    deadline = time.monotonic() + 3
    found: list[Any] = []
    while time.monotonic() < deadline and len(found) < count:
        found = [r for r in cloud.requests() if r.action == "AssumeRole"]
        time.sleep(0.02)
    return found


def _signer(record: Any) -> str:
    match = re.search(r"Credential=([A-Z0-9]+)/", record.headers.get("Authorization", ""))
    assert match is not None, record.headers
    return match.group(1)


def test_role_contexts_call_the_clouds_sts_with_the_current_credentials(
    rotating_profile: Callable[[], str], fresh_cloud: LocalCloud
) -> None:
    first_key = rotating_profile()
    signers: list[str] = []

    async def main() -> None:
        session = aio.session("rotating", euca_retry_max_attempts=1)
        async with session.create_client("euprop") as euprop:
            for name in ("first", "second"):
                async with euca_boto.caller_context(role_arn=ROLE, session_name=name):
                    await euprop.describe_properties(Properties=["dns.enabled"])
                signers.append(_signer([r for r in fresh_cloud.requests()
                                        if r.action == "DescribeProperties"][-1]))
                if name == "first":
                    second_key.append(rotating_profile())

    second_key: list[str] = []
    asyncio.run(main())

    first, second = _assume_role_calls(fresh_cloud, 2)
    assert [first.path, second.path] == ["/services/Tokens", "/services/Tokens"]
    assert [first.params["RoleSessionName"], second.params["RoleSessionName"]] == [
        "first", "second"]
    assert [_signer(first), _signer(second)] == [first_key, second_key[0]]
    assert all(s.startswith("ASIA") for s in signers)  # the calls ran as the role


def test_the_sts_of_contexts_follows_the_sessions_settings(
    rotating_profile: Callable[[], str], fresh_cloud: LocalCloud
) -> None:
    rotating_profile()
    fresh_cloud.endpoint(0).fail(503, count=1)

    async def main() -> None:
        # Retries come from the keyword arguments of the session, not only from the profile.
        session = aio.session("rotating", euca_retry_max_attempts=2,
                              euca_retry_base_delay=0.001, euca_retry_delay=0.001)
        async with session.create_client("euprop") as euprop:
            async with euca_boto.caller_context(role_arn=ROLE, session_name="retried"):
                await euprop.describe_properties(Properties=["dns.enabled"])

    asyncio.run(main())
    assert [r.status for r in fresh_cloud.requests() if r.action == "AssumeRole"] == [503, 200]

