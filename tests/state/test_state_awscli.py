"""The AWS CLI remembers across commands, with no setting: a dead endpoint is not tried first by
the next command, and an open breaker stays open in it."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from urllib.parse import urlsplit

from state_support import describe, euca_boto_command, hits

from euca_boto.testing import LocalCloud


def two_endpoints(cloud: LocalCloud) -> str:
    return f"euca_endpoint_urls = {cloud.endpoint(0).url}, {cloud.endpoint(1).url}"


# Quick retries; ejections long enough to outlast the slowest run of a few commands.
QUICK = ("euca_retry_base_delay = 0.001", "euca_retry_delay = 0.01", "euca_eject_time = 10m")


def test_the_next_command_does_not_try_the_failed_endpoint_first(
    fresh_cloud: LocalCloud, env: Callable[..., dict[str, str]]
) -> None:
    environ = env(two_endpoints(fresh_cloud), *QUICK)
    fresh_cloud.endpoint(0).fail(503, count=100)
    first = describe(environ)
    assert first.returncode == 0, first.stderr
    assert f"endpoint {fresh_cloud.service_url('euprop', 0)} failed (HTTP 503)" in first.stderr
    assert (hits(fresh_cloud, 0), hits(fresh_cloud, 1)) == (1, 1)

    second = describe(environ)
    assert second.returncode == 0, second.stderr
    assert json.loads(second.stdout)["Properties"][0]["Name"] == "dns.enabled"
    assert "failed" not in second.stderr
    assert (hits(fresh_cloud, 0), hits(fresh_cloud, 1)) == (1, 2)


def test_euca_boto_endpoints_shows_what_the_commands_learnt(
    fresh_cloud: LocalCloud, env: Callable[..., dict[str, str]]
) -> None:
    environ = env(two_endpoints(fresh_cloud), *QUICK)
    fresh_cloud.endpoint(0).fail(503, count=100)
    assert describe(environ).returncode == 0
    shown = euca_boto_command(environ, "endpoints", "--service", "euprop")
    assert shown.returncode == 0, shown.stderr
    rows = [line.split(None, 4) for line in shown.stdout.splitlines()[3:]]
    assert [row[:2] for row in rows] == [["1", fresh_cloud.service_url("euprop", 1)],
                                         ["2", fresh_cloud.service_url("euprop", 0)]]
    assert rows[0][4] == "healthy"
    assert rows[1][4].startswith("ejected (1 failure, back in ")
    assert rows[1][4].endswith("; last: HTTP 503)")


def test_a_stopped_endpoint_is_warned_about_once(
    fresh_cloud: LocalCloud, env: Callable[..., dict[str, str]]
) -> None:
    environ = env(two_endpoints(fresh_cloud), *QUICK)
    fresh_cloud.endpoint(0).stop()
    try:
        outputs = [describe(environ) for _ in range(3)]
    finally:
        fresh_cloud.endpoint(0).start()
    assert [o.returncode for o in outputs] == [0, 0, 0]
    warnings = [o.stderr.count("failed (EndpointConnectionError") for o in outputs]
    assert warnings == [1, 0, 0]
    assert hits(fresh_cloud, 1) == 3


def test_with_memory_state_every_command_tries_the_failed_endpoint_again(
    fresh_cloud: LocalCloud, env: Callable[..., dict[str, str]]
) -> None:
    environ = env(two_endpoints(fresh_cloud), *QUICK, "euca_state = memory")
    fresh_cloud.endpoint(0).fail(503, count=100)
    outputs = [describe(environ) for _ in range(2)]
    assert [o.returncode for o in outputs] == [0, 0]
    assert all("failed (HTTP 503)" in o.stderr for o in outputs)
    assert hits(fresh_cloud, 0) == 2


def test_an_open_breaker_is_still_open_in_the_next_command(
    fresh_cloud: LocalCloud, env: Callable[..., dict[str, str]]
) -> None:
    environ = env("euca_retry_max_attempts = 1", "euca_breaker_fail_max = 2",
                  "euca_breaker_reset_timeout = 10m")
    fresh_cloud.endpoint(0).fail(503, count=100)
    failing = [describe(environ) for _ in range(2)]
    assert [o.returncode for o in failing] == [255, 255], failing[1].stderr
    # Named after the cloud's endpoint and the settings that are not the defaults.
    name = f"localcloud/euprop@{urlsplit(fresh_cloud.url).netloc}+fail_max=2+reset_timeout=600"
    assert f"breaker {name}: closed -> open (2 consecutive failures" in failing[1].stderr
    sent = hits(fresh_cloud, 0)

    refused = describe(environ)
    assert refused.returncode == 255, refused.stderr
    assert f"circuit breaker '{name}' is open since" in refused.stderr
    assert "the call was not sent" in refused.stderr
    assert "closed -> open" not in refused.stderr
    assert hits(fresh_cloud, 0) == sent  # nothing reached the cloud


def test_breakers_list_and_reset_act_on_the_commands_breakers(
    fresh_cloud: LocalCloud, env: Callable[..., dict[str, str]]
) -> None:
    environ = env("euca_retry_max_attempts = 1", "euca_breaker_fail_max = 1",
                  "euca_breaker_reset_timeout = 10m")
    fresh_cloud.endpoint(0).fail(503, count=1)
    assert describe(environ).returncode == 255
    listed = euca_boto_command(environ, "breakers", "list")
    assert listed.returncode == 0, listed.stderr
    [row] = [line.split() for line in listed.stdout.splitlines()[1:]]
    name = f"localcloud/euprop@{urlsplit(fresh_cloud.url).netloc}+fail_max=1+reset_timeout=600"
    # The consecutive mode keeps no window: no calls, no rates, one failure in a row.
    assert row[:6] == [name, "open", "0", "-", "-", "1"]

    reset = euca_boto_command(environ, "breakers", "reset", "localcloud/euprop")  # short name
    assert (reset.returncode, reset.stdout) == (0, f"breaker {name}: reset (closed)\n")
    again = describe(environ)
    assert again.returncode == 0, again.stderr
    assert hits(fresh_cloud, 0) == 2
    listed = euca_boto_command(environ, "breakers", "list")
    assert listed.stdout.splitlines()[1].split()[:6] == [name, "closed", "0", "-", "-", "0"]


def test_an_unusable_state_file_costs_one_line_and_no_command(
    fresh_cloud: LocalCloud, env: Callable[..., dict[str, str]]
) -> None:
    environ = env(two_endpoints(fresh_cloud), *QUICK)
    path = Path(environ["XDG_CACHE_HOME"]) / "euca-boto" / "state.sqlite3"
    path.mkdir(parents=True)
    fresh_cloud.endpoint(0).fail(503, count=100)
    result = describe(environ)
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["Properties"][0]["Name"] == "dns.enabled"
    lines = [line for line in result.stderr.splitlines() if "state file" in line]
    assert lines == [
        f"state file {path} cannot be used ({path} is a directory); endpoint ejections and "
        f"breaker state are kept in this process only. Delete or fix the file, or set "
        f"euca_state = memory"
    ]


def test_a_healthy_command_writes_nothing_once_its_breaker_window_is_full(
    fresh_cloud: LocalCloud, env: Callable[..., dict[str, str]]
) -> None:
    """Each command used to record its success in the state file's breaker window, for as long
    as the cloud stayed healthy: a transaction and four syncs of the disk per command. Once
    the window holds only successes, another success changes nothing there."""
    environ = env("euca_breaker_window = 3 calls")
    state = Path(environ["XDG_CACHE_HOME"]) / "euca-boto" / "state.sqlite3"
    for _ in range(3):
        assert describe(environ).returncode == 0
    before = state.read_bytes(), state.stat().st_mtime_ns
    for _ in range(2):
        assert describe(environ).returncode == 0
    assert (state.read_bytes(), state.stat().st_mtime_ns) == before
