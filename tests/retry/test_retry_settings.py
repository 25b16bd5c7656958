"""Per-client retry settings are validated like the profile's (whose bad values, for every key,
are tested in tests/foundation/test_settings.py)."""

from __future__ import annotations

from typing import Any

import boto3
import pytest
from awsenv import AwsEnv

import euca_boto
from euca_boto import ConfigError, configure_retry

BAD_VALUES = [
    ("euca_retry_status_codes", "503,abc"),
    ("euca_retry_status_codes", "600"),
    ("euca_retry_max_attempts", "0"),
    ("euca_retry_max_attempts", "many"),
    ("euca_retry_delay", "-1"),
    ("euca_retry_delay", "soon"),
    ("euca_retry_base_delay", "fast"),
    ("euca_retry_backoff", "linear"),
    ("euca_retry_after_max", "forever"),
    ("euca_retry_deadline", "0"),
    ("euca_retry_deadline", "tomorrow"),
    ("euca_retry_non_idempotent", "maybe"),
    ("euca_retry_budget", "100"),
    ("euca_retry_budget", "lots"),
    ("euca_retry_budget_percent", "-5"),
    ("euca_retry_budget_min_rate", "fast"),
]


@pytest.mark.parametrize(("key", "value"), BAD_VALUES)
def test_bad_value_for_one_client(aws_env: AwsEnv, key: str, value: str) -> None:
    client = boto3.session.Session(region_name="eucalyptus").client(
        "sts", endpoint_url="http://127.0.0.1:9/", aws_access_key_id="a",
        aws_secret_access_key="b")
    with pytest.raises(ConfigError) as raised:
        configure_retry(client, **{key: value})
    assert str(raised.value).startswith(f"configure_retry(sts client): {key} = {value!r}")


def test_unknown_retry_setting_for_one_client_suggests_the_nearest(aws_env: AwsEnv) -> None:
    client = boto3.session.Session(region_name="eucalyptus").client(
        "sts", endpoint_url="http://127.0.0.1:9/", aws_access_key_id="a",
        aws_secret_access_key="b")
    with pytest.raises(ConfigError, match="did you mean euca_retry_max_attempts"):
        configure_retry(client, euca_retry_max_attempt=3)


def test_policy_and_policy_settings_together_are_refused(aws_env: AwsEnv) -> None:
    client = boto3.session.Session(region_name="eucalyptus").client(
        "sts", endpoint_url="http://127.0.0.1:9/", aws_access_key_id="a",
        aws_secret_access_key="b")
    kwargs: dict[str, Any] = {"euca_retry_max_attempts": 3}
    with pytest.raises(ConfigError, match="pass either a policy or settings"):
        configure_retry(client, euca_boto.RetryPolicy(), **kwargs)
