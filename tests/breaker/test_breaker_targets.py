"""A breaker protects one service of one cloud with one set of settings: two clouds reached
under one profile name have a breaker each, and a client with other breaker settings gets a
breaker of its own instead of rewriting the settings of the one the others share."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from botocore.exceptions import ClientError

import euca_boto
from euca_boto import ConfigError
from euca_boto.cli import main
from euca_boto.testing import LocalCloud

FAST = {"euca_retry_max_attempts": 1, "euca_breaker_fail_max": 1}


@pytest.fixture(scope="module")
def other_cloud() -> Iterator[LocalCloud]:
    with LocalCloud(endpoints=1, partitions=1, aws=False) as started:
        yield started


def _host(cloud: LocalCloud) -> str:
    return cloud.url.split("://", 1)[1].rstrip("/")


def _session_of(cloud: LocalCloud, directory: Path, profile: str,
                monkeypatch: pytest.MonkeyPatch) -> object:
    """A session of ``profile`` as written for ``cloud`` in its own AWS files."""
    config, credentials = cloud.write_aws_files(directory, profile=profile)
    monkeypatch.setenv("AWS_CONFIG_FILE", str(config))
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(credentials))
    return euca_boto.session(profile, **FAST)


def test_two_clouds_under_one_profile_name_have_a_breaker_each(
    cloud: LocalCloud, other_cloud: LocalCloud, profile: str, tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    first: object = _session_of(cloud, tmp_path / "first", "ops", monkeypatch)
    second: object = _session_of(other_cloud, tmp_path / "second", "ops", monkeypatch)
    failing = first.client("euprop")  # type: ignore[attr-defined]
    healthy = second.client("euprop")  # type: ignore[attr-defined]
    cloud.endpoint(0).fail(503, count=1)
    with pytest.raises(ClientError):
        failing.describe_properties()  # opens the first cloud's breaker (fail_max 1)
    with pytest.raises(euca_boto.CircuitOpenError):
        failing.describe_properties()

    answer = healthy.describe_properties(Properties=["dns.enabled"])
    assert answer["ResponseMetadata"]["HTTPStatusCode"] == 200
    assert {(b.name, b.state) for b in euca_boto.breakers()} == {
        (f"ops/euprop@{_host(cloud)}+fail_max=1", "open"),
        (f"ops/euprop@{_host(other_cloud)}+fail_max=1", "closed"),
    }


def test_a_client_with_other_breaker_settings_gets_a_breaker_of_its_own(
    cloud: LocalCloud, profile: str
) -> None:
    touchy = euca_boto.session(profile, **FAST).client("euprop")
    patient = euca_boto.session(profile, euca_retry_max_attempts=1).client("euprop")
    assert touchy.breaker.name == f"{profile}/euprop@{_host(cloud)}+fail_max=1"
    assert patient.breaker.name == f"{profile}/euprop@{_host(cloud)}"  # the defaults
    cloud.endpoint(0).fail(503, count=1)
    with pytest.raises(ClientError):
        touchy.describe_properties()
    # One failure opened the breaker that asked for it, and only that one.
    assert (touchy.breaker.info().state, patient.breaker.info().state) == ("open", "closed")
    assert touchy.breaker.config.fail_max == 1 and patient.breaker.config.fail_max is None
    assert patient.describe_properties()["ResponseMetadata"]["HTTPStatusCode"] == 200


def test_the_name_shows_every_breaker_setting_that_is_not_the_default(
    cloud: LocalCloud, profile: str
) -> None:
    client = euca_boto.session(
        profile, euca_breaker_reset_timeout=2.5, euca_breaker_half_open_max_calls=3,
        euca_retry_status_codes="500,503", euca_breaker_window="60s",
        euca_breaker_failure_rate=25,
    ).client("euprop")
    assert client.breaker.name == (
        f"{profile}/euprop@{_host(cloud)}+failure_rate=25+window=60s+reset_timeout=2.5"
        "+half_open_max_calls=3+failure_statuses=500,503")


def test_clients_with_the_same_settings_share_one_breaker(profile: str) -> None:
    one = euca_boto.session(profile, **FAST).client("euprop")
    two = euca_boto.session(profile, **FAST).client("euprop")
    assert one.breaker is two.breaker


def test_a_named_breaker_asked_for_with_other_settings_is_refused() -> None:
    euca_boto.breaker("inventory", fail_max=2)(lambda: None)
    with pytest.raises(ConfigError, match="'inventory' exists already .*fail_max 2 \\(asked: 3\\)"):
        euca_boto.breaker("inventory", fail_max=3)(lambda: None)


def test_get_breaker_takes_the_short_name_while_it_names_one_breaker(
    cloud: LocalCloud, other_cloud: LocalCloud, profile: str, tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    first: object = _session_of(cloud, tmp_path / "first", "ops", monkeypatch)
    first.client("euprop")  # type: ignore[attr-defined]
    full = f"ops/euprop@{_host(cloud)}+fail_max=1"
    assert euca_boto.get_breaker("ops/euprop").name == full

    second: object = _session_of(other_cloud, tmp_path / "second", "ops", monkeypatch)
    second.client("euprop")  # type: ignore[attr-defined]
    with pytest.raises(KeyError, match="'ops/euprop' names 2 circuit breakers, one per cloud"):
        euca_boto.get_breaker("ops/euprop")
    assert euca_boto.get_breaker(full).name == full


def test_the_cli_resets_a_fleet_breaker_by_its_short_name(
    profile: str, redis_url: str, fleet_redis: object, cloud: LocalCloud,
    capsys: pytest.CaptureFixture[str],
) -> None:
    client = euca_boto.session(profile, euca_breaker_storage=redis_url, **FAST).client("euprop")
    client.breaker.force_open()
    assert main(["breakers", "--storage", redis_url, "reset", f"{profile}/euprop"]) == 0
    assert capsys.readouterr().out == (
        f"breaker {profile}/euprop@{_host(cloud)}+fail_max=1: reset (closed)\n")
    assert client.breaker.info().state == "closed"


def test_a_breaker_name_never_shows_a_password_of_the_endpoint(profile: str) -> None:
    client = euca_boto.session(profile).client(
        "euprop", endpoint_url="http://user:secret@127.0.0.1:9/services/Properties")
    assert client.breaker.name == f"{profile}/euprop@127.0.0.1:9"
    assert "secret" not in repr(client)

