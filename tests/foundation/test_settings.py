"""Settings: precedence (default < file < service block < environment < argument) and errors."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import botocore.session
import pytest

import euca_boto
from euca_boto.core.settings import SETTINGS, load

PROFILE = """
[profile euca]
region = eucalyptus
euca_retry_max_attempts = 4
euca_retry_delay = 500ms
properties =
    euca_retry_max_attempts = 3
euprop =
    euca_retry_delay = 2m
s3 =
    addressing_style = path
"""


def settings_of(profile: str | None = None, **overrides: object):  # type: ignore[no-untyped-def]
    return load(botocore.session.Session(profile=profile), overrides)


def test_defaults_apply_without_any_configuration() -> None:
    view = settings_of().for_service("ec2")
    assert view["euca_retry_max_attempts"] == 6
    assert view["euca_retry_status_codes"] == frozenset({408, 413, 429, 500, 502, 503, 504})
    assert view["euca_retry_deadline"] == 90.0
    assert view.source("euca_retry_max_attempts") == "default"


def test_profile_value_is_typed_and_reports_its_source(aws_config: Callable[[str], Path]) -> None:
    aws_config(PROFILE)
    view = settings_of("euca").for_service("ec2")
    assert view["euca_retry_max_attempts"] == 4
    assert view["euca_retry_delay"] == 0.5
    assert view.source("euca_retry_delay") == "file (profile euca)"


def test_service_block_overrides_profile_under_its_dns_label(
    aws_config: Callable[[str], Path],
) -> None:
    aws_config(PROFILE)
    view = settings_of("euca").for_service("euprop")
    assert view["euca_retry_max_attempts"] == 3
    assert view.source("euca_retry_max_attempts") == (
        "file (profile euca, service block properties)"
    )


def test_block_under_client_name_wins_over_dns_label(aws_config: Callable[[str], Path]) -> None:
    aws_config(PROFILE)
    settings = settings_of("euca")
    assert settings.for_service("euprop")["euca_retry_delay"] == 120.0
    # The same blocks apply when the service is named by its DNS label.
    assert settings.for_service("properties")["euca_retry_delay"] == 120.0
    assert settings.for_service("ec2")["euca_retry_delay"] == 0.5


def test_aws_profile_environment_variable_selects_the_profile(
    aws_config: Callable[[str], Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    aws_config(PROFILE)
    monkeypatch.setenv("AWS_PROFILE", "euca")
    assert settings_of().profile == "euca"
    assert settings_of().for_service(None)["euca_retry_max_attempts"] == 4


def test_environment_overrides_file_and_service_block(
    aws_config: Callable[[str], Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    aws_config(PROFILE)
    monkeypatch.setenv("EUCA_BOTO_RETRY_MAX_ATTEMPTS", "9")
    view = settings_of("euca").for_service("euprop")
    assert view["euca_retry_max_attempts"] == 9
    assert view.source("euca_retry_max_attempts") == (
        "environment (EUCA_BOTO_RETRY_MAX_ATTEMPTS)"
    )


def test_argument_overrides_everything(
    aws_config: Callable[[str], Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    aws_config(PROFILE)
    monkeypatch.setenv("EUCA_BOTO_RETRY_MAX_ATTEMPTS", "9")
    view = settings_of("euca", euca_retry_max_attempts=2).for_service("euprop")
    assert view["euca_retry_max_attempts"] == 2
    assert view.source("euca_retry_max_attempts") == "argument"


@pytest.mark.parametrize(
    ("key", "text", "expected"),
    [
        ("euca_retry_status_codes", "500, 503", frozenset({500, 503})),
        ("euca_retry_non_idempotent", "yes", True),
        ("euca_retry_non_idempotent", "False", False),
        ("euca_retry_delay", "1.5", 1.5),
        ("euca_retry_delay", "2m", 120.0),
        ("euca_retry_deadline", "none", None),
        ("euca_retry_deadline", "30s", 30.0),
        ("euca_retry_backoff", "FIXED", "fixed"),
        ("euca_endpoint", "https://ufs.example.com:8773/", "https://ufs.example.com:8773/"),
        ("euca_wire_log", "Properties, ec2", frozenset({"properties", "ec2"})),
        ("euca_wire_log", "all", frozenset({"all"})),
        ("euca_redact_botocore_logs", "Auto", "auto"),
        ("euca_redact_botocore_logs", "off", False),
    ],
)
def test_values_are_parsed_to_their_types(
    aws_config: Callable[[str], Path], key: str, text: str, expected: object
) -> None:
    aws_config(f"[default]\n{key} = {text}\n")
    assert settings_of().for_service(None)[key] == expected


# At least one bad value for every key (a test checks that none is missing): the validation
# mechanism is shared, so this one table stands for every feature's settings.
BAD_VALUES = [
    ("euca_endpoint", "ftp://host/", "an http:// or https:// URL"),
    ("euca_endpoint", "http://host:port/", "an http:// or https:// URL"),
    ("euca_endpoint_urls", "http://a:8773/, gopher://b/", "comma-separated http:// or https://"),
    ("euca_topology", "carrier-pigeon", "one of static, dns, describe-services"),
    ("euca_dns_domain", "cloud example.com", "a DNS domain such as cloud.example.com"),
    ("euca_dns_resolver", "127.0.0.1:99999", "host:port such as 127.0.0.1:53"),
    ("euca_dns_timeout", "0", "at least 0.001 s"),
    ("euca_zone", "PARTI 00", "a zone or partition name"),
    ("euca_topology_refresh", "often", "a duration such as 10"),
    ("euca_eject_time", "-5", "a duration such as 10"),
    ("euca_eject_max_time", "forever", "a duration such as 10"),
    ("euca_retry_status_codes", "500,abc", "a comma-separated list of HTTP status codes"),
    ("euca_retry_status_codes", "700", "a comma-separated list of HTTP status codes"),
    ("euca_retry_max_attempts", "many", "an integer from 1 to 100"),
    ("euca_retry_max_attempts", "0", "an integer from 1 to 100"),
    ("euca_retry_delay", "soon", "a duration such as 10, 2.5, 500ms, 2m or 1h"),
    ("euca_retry_delay", "-1", "a duration"),
    ("euca_retry_base_delay", "fast", "a duration"),
    ("euca_retry_backoff", "linear", "one of exponential, fixed"),
    ("euca_retry_after_max", "forever", "a duration"),
    ("euca_retry_deadline", "0", "a duration"),
    ("euca_retry_deadline", "tomorrow", "or none"),
    ("euca_retry_non_idempotent", "maybe", "true or false"),
    ("euca_retry_budget", "100", "euca_retry_budget_percent and euca_retry_budget_min_rate do"),
    ("euca_retry_budget_percent", "1001", "an integer from 0 to 1000"),
    ("euca_retry_budget_min_rate", "-1", "a number >= 0"),
    ("euca_retry_budget_min_rate", "nan", "a number >= 0"),
    ("euca_breaker", "sometimes", "true or false"),
    ("euca_progress", "loud", "true or false"),
    ("euca_breaker_scope", "endpoint", "one of service, operation"),
    ("euca_breaker_fail_max", "0", "an integer >= 1, or none"),
    ("euca_breaker_failure_rate", "150", "a percentage above 0 and at most 100"),
    ("euca_breaker_failure_rate", "0", "a percentage above 0 and at most 100"),
    ("euca_breaker_window", "100", "a number of calls such as 100 calls, or a duration"),
    ("euca_breaker_window", "0 calls", "1 to 10000 calls, 1 s to 1 day"),
    ("euca_breaker_window", "2d", "a number of calls such as 100 calls"),
    ("euca_breaker_minimum_calls", "0", "an integer >= 1"),
    ("euca_breaker_slow_call_rate", "lots", "a percentage above 0 and at most 100"),
    ("euca_breaker_slow_call_duration", "0", "at least 0.001 s"),
    ("euca_breaker_reset_timeout", "soon", "a duration such as 10"),
    ("euca_breaker_success_threshold", "none", "an integer >= 1"),
    ("euca_breaker_half_open_max_calls", "0", "an integer >= 1"),
    ("euca_breaker_storage", "http://127.0.0.1:6379", "memory, or a Redis URL"),
    ("euca_state", "redis://127.0.0.1:6379/0", "memory, local, or the path of a state file"),
    ("euca_state", "/", "memory, local, or the path of a state file"),
    ("euca_wire_log", "properties, ec3", "a comma-separated list of known services"),
    ("euca_wire_log", "ec2, all", "all, none, or a comma-separated list"),
    ("euca_wire_log", "ec2;iam", "all, none, or a comma-separated list"),
    ("euca_wire_log_max_body", "-1", "an integer >= 0"),
    ("euca_redact_botocore_logs", "sometimes", "true, false or auto"),
    ("euca_wire_log_file", "/no/such/directory/wire.log", "a file path in an existing"),
    ("euca_connect_timeout", "0", "at least 0.001 s"),
    ("euca_read_timeout", "soon", "a duration such as 10"),
    ("euca_max_pool_connections", "0", "an integer from 1 to 10000"),
    ("euca_verify", "/no/such/ca.pem", "the path of an existing CA bundle file"),
    ("euca_region", "us east", "a region name"),
    ("euca_tracker_interval", "0", "at least 0.001 s"),
    ("euca_tracker_retention", "0.5", "at least 1 s"),
    ("euca_tracker_suspend_after", "0", "an integer from 1 to 1000000"),
    ("euca_tracker_hook_allow", "10.0.0.0/33", "comma-separated networks or host names"),
]


def test_every_key_has_a_bad_value_in_the_table() -> None:
    assert {s.key for s in SETTINGS} == {key for key, _, _ in BAD_VALUES}


@pytest.mark.parametrize(("key", "text", "expected"), BAD_VALUES)
def test_bad_value_in_profile_names_profile_key_value_and_expectation(
    aws_config: Callable[[str], Path], key: str, text: str, expected: str
) -> None:
    aws_config(f"[profile euca]\n{key} = {text}\n")
    with pytest.raises(euca_boto.ConfigError) as error:
        settings_of("euca")
    message = str(error.value)
    assert message.startswith(f"profile 'euca': {key} = {text!r} is not valid; expected ")
    assert expected in message


@pytest.mark.parametrize(
    ("config", "message"),
    [
        pytest.param(
            "[profile euca]\nproperties =\n    euca_retry_delay = forever\n",
            "profile 'euca', service block 'properties': euca_retry_delay = 'forever' is not "
            "valid; expected a duration such as 10, 2.5, 500ms, 2m or 1h",
            id="bad-value-in-service-block-names-the-block",
        ),
        pytest.param(
            "[profile euca]\neuca_retry_max_attempt = 3\n",
            "profile 'euca': unknown setting 'euca_retry_max_attempt'; "
            "did you mean euca_retry_max_attempts?",
            id="unknown-key-in-profile-suggests-the-nearest",
        ),
        pytest.param(
            "[profile euca]\npropertie =\n    euca_retry_max_attempts = 3\n",
            "profile 'euca', service block 'propertie': no service is named 'propertie', so its "
            "euca_ settings would apply to nothing; did you mean properties?",
            id="misspelt-service-block-names-the-nearest-service",
        ),
    ],
)
def test_profile_errors_name_the_place_and_the_fix(
    aws_config: Callable[[str], Path], config: str, message: str
) -> None:
    aws_config(config)
    with pytest.raises(euca_boto.ConfigError) as error:
        settings_of("euca")
    assert str(error.value) == message


def test_bad_environment_value_names_the_variable(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("EUCA_BOTO_RETRY_BACKOFF", "linear")
    with pytest.raises(euca_boto.ConfigError) as error:
        settings_of()
    assert str(error.value) == (
        "environment variable EUCA_BOTO_RETRY_BACKOFF (profile 'default'): "
        "euca_retry_backoff = 'linear' is not valid; expected one of exponential, fixed"
    )


@pytest.mark.parametrize(("key", "text", "expected"), BAD_VALUES)
def test_bad_value_as_argument_names_key_value_and_expectation(
    key: str, text: str, expected: str
) -> None:
    with pytest.raises(euca_boto.ConfigError) as error:
        euca_boto.session(**{key: text})
    message = str(error.value)
    assert message.startswith(
        f"argument (profile 'default'): {key} = {text!r} is not valid; expected ")
    assert expected in message


def test_bad_argument_is_reported_as_argument() -> None:
    with pytest.raises(euca_boto.ConfigError, match=r"^argument \(profile 'default'\): "
                       r"euca_retry_max_attempts = 'x' is not valid"):
        settings_of(euca_retry_max_attempts="x")


def test_unknown_key_in_service_block_is_an_error(aws_config: Callable[[str], Path]) -> None:
    aws_config("[profile euca]\nec2 =\n    euca_retry_dealy = 3\n")
    with pytest.raises(euca_boto.ConfigError, match="service block 'ec2': unknown setting "
                       "'euca_retry_dealy'; did you mean euca_retry_delay"):
        settings_of("euca")


def test_unknown_environment_variable_suggests_the_nearest(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("EUCA_BOTO_RETRY_DELAYS", "3")
    with pytest.raises(euca_boto.ConfigError, match="EUCA_BOTO_RETRY_DELAYS .*unknown .*"
                       "did you mean EUCA_BOTO_RETRY_DELAY"):
        settings_of()


def test_unknown_argument_suggests_the_nearest() -> None:
    with pytest.raises(euca_boto.ConfigError, match="did you mean euca_retry_backoff"):
        settings_of(euca_retry_backof="fixed")


def test_profile_wide_key_cannot_be_set_per_service(aws_config: Callable[[str], Path]) -> None:
    aws_config("[profile euca]\nec2 =\n    euca_endpoint = http://a/\n")
    with pytest.raises(euca_boto.ConfigError, match="euca_endpoint applies to the whole "
                       "profile and cannot be set per service"):
        settings_of("euca")


def test_missing_profile_is_a_config_error() -> None:
    with pytest.raises(euca_boto.ConfigError, match="profile 'nope' was not found"):
        settings_of("nope")


def test_non_euca_keys_and_blocks_are_left_to_botocore(aws_config: Callable[[str], Path]) -> None:
    aws_config(PROFILE + "output = json\ncli_pager =\n")
    settings = settings_of("euca")
    assert settings.service_blocks == ["euprop", "properties"]


def test_every_key_has_documentation_and_a_parsable_default() -> None:
    for setting in SETTINGS:
        assert setting.key.startswith("euca_")
        assert setting.doc.strip()
        assert setting.kind.expected


def test_unknown_service_block_without_a_near_name_is_an_error(
    aws_config: Callable[[str], Path],
) -> None:
    aws_config("[profile euca]\nzzzq =\n    euca_retry_delay = 3\n")
    with pytest.raises(euca_boto.ConfigError, match="service block 'zzzq': no service is named "
                       "'zzzq'.*; see `euca-boto config --reference`"):
        settings_of("euca")


def test_blocks_of_any_botocore_service_may_hold_euca_keys(
    aws_config: Callable[[str], Path],
) -> None:
    aws_config("[profile euca]\ncloudformation =\n    euca_retry_delay = 3\n"
               "autoscaling =\n    euca_retry_delay = 4\n"
               "auto-scaling =\n    euca_retry_delay = 5\n"
               "s3tuff =\n    addressing_style = path\n")
    settings = settings_of("euca")
    assert settings.service_blocks == ["auto-scaling", "autoscaling", "cloudformation"]
    assert settings.for_service("cloudformation")["euca_retry_delay"] == 3.0
