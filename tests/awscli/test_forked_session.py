"""A program that builds its session from the AWS CLI's botocore fork by its full name.

``import awscli.botocore.session`` gives a second session class, not a subclass of
``botocore.session.Session``; installing on it must work as on any botocore session.
"""

from __future__ import annotations

import pytest
from awsenv import AwsEnv, lines

import euca_boto
from euca_boto.testing import LocalCloud

forked = pytest.importorskip(
    "awscli.botocore.session", reason="this AWS CLI runs on plain botocore (before 1.46)")


def test_install_on_a_session_of_the_cli_fork_retries_and_answers(
    cloud: LocalCloud, aws_env: AwsEnv
) -> None:
    aws_env.use(*aws_env.write_profile(
        cloud, "forked", lines("euca_retry_base_delay = 0.01", "euca_retry_delay = 0.02")))
    session = forked.Session(profile="forked")
    assert euca_boto.install(session) is session
    euprop = session.create_client("euprop")
    cloud.clear_requests()
    cloud.endpoint(0).fail(503, count=2)
    answer = euprop.describe_properties(Properties=["dns.enabled"])
    assert [p["Name"] for p in answer["Properties"]] == ["dns.enabled"]
    assert answer["ResponseMetadata"]["RetryAttempts"] == 2
    assert [r.status for r in cloud.requests()] == [503, 503, 200]
    port = cloud.endpoint(0).url.rsplit(":", 1)[1].rstrip("/")
    assert euprop.breaker.name == f"forked/euprop@127.0.0.1:{port}"
