"""A state file that cannot be used is reported once, on the ``euca_boto`` logger, and left
alone: calls go on with state in memory, and none of them fails because of the file."""

from __future__ import annotations

import logging
import os
import subprocess
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from botocore.exceptions import ClientError
from state_support import PROFILE, hits

import euca_boto
from euca_boto.core.localstate import Ejection, StateFile
from euca_boto.testing import LocalCloud

GARBAGE = b"this is not a database\x00\xff" * 200


def endpoints(cloud: LocalCloud) -> str:
    return f"{cloud.endpoint(0).url},{cloud.endpoint(1).url}"


@pytest.fixture
def calls(fresh_cloud: LocalCloud, env: Callable[..., dict[str, str]],
          caplog: pytest.LogCaptureFixture) -> Callable[..., list[str]]:
    """Three calls with endpoint 0 failing, through a session with ``settings``; what each
    returned."""
    env()
    caplog.set_level(logging.WARNING, logger="euca_boto")

    def make(**settings: object) -> list[str]:
        session = euca_boto.session(
            PROFILE, euca_endpoint_urls=endpoints(fresh_cloud), euca_eject_time=120,
            euca_retry_base_delay=0.001, euca_retry_delay=0.01, **settings)
        client = session.client("euprop")
        fresh_cloud.endpoint(0).fail(503, count=100)
        return [client.describe_properties(Properties=["dns.enabled"])["Properties"][0]["Name"]
                for _ in range(3)]

    return make


def state_lines(caplog: pytest.LogCaptureFixture) -> list[str]:
    return [r.getMessage() for r in caplog.records if r.name == "euca_boto.state"]


def test_a_file_of_garbage_is_reported_once_and_left_as_it_is(
    tmp_path: Path, fresh_cloud: LocalCloud, calls: Callable[..., list[str]],
    caplog: pytest.LogCaptureFixture,
) -> None:
    path = tmp_path / "state.sqlite3"
    path.write_bytes(GARBAGE)
    assert calls(euca_state=str(path)) == ["dns.enabled"] * 3
    assert state_lines(caplog) == [
        f"state file {path} cannot be used (file is not a database); endpoint ejections and "
        f"breaker state are kept in this process only. Delete or fix the file, or set "
        f"euca_state = memory"
    ]
    assert hits(fresh_cloud, 0) == 1  # the ejection still holds, in memory
    assert path.read_bytes() == GARBAGE


def test_a_directory_where_the_file_should_be_is_reported_once(
    fresh_cloud: LocalCloud, calls: Callable[..., list[str]], caplog: pytest.LogCaptureFixture
) -> None:
    path = Path(os.environ["XDG_CACHE_HOME"]) / "euca-boto" / "state.sqlite3"
    path.mkdir(parents=True)
    assert calls(euca_state="local") == ["dns.enabled"] * 3
    [line] = state_lines(caplog)
    assert line.startswith(f"state file {path} cannot be used ({path} is a directory); ")
    assert hits(fresh_cloud, 0) == 1


@pytest.fixture
def read_only_directory(tmp_path: Path) -> Iterator[Path]:
    directory = tmp_path / "read-only"
    directory.mkdir()
    if os.geteuid() == 0:
        # Permissions do not stop root; an immutable directory does, where the file system
        # has the attribute. Elsewhere sysfs is a directory nobody can create files in.
        immutable = subprocess.run(["chattr", "+i", str(directory)], capture_output=True)
        if immutable.returncode != 0:
            yield Path("/sys/kernel")
            return
        yield directory
        subprocess.run(["chattr", "-i", str(directory)], check=True)
    else:
        directory.chmod(0o555)
        yield directory
        directory.chmod(0o755)


def test_a_read_only_directory_is_reported_once(
    read_only_directory: Path, fresh_cloud: LocalCloud, calls: Callable[..., list[str]],
    caplog: pytest.LogCaptureFixture,
) -> None:
    path = read_only_directory / "state.sqlite3"
    assert calls(euca_state=str(path)) == ["dns.enabled"] * 3
    [line] = state_lines(caplog)
    assert line.startswith(f"state file {path} cannot be used (cannot open {path}: ")
    assert not path.exists()


def test_a_breaker_opens_and_refuses_in_memory_when_the_file_cannot_be_used(
    tmp_path: Path, fresh_cloud: LocalCloud, env: Callable[..., dict[str, str]],
    caplog: pytest.LogCaptureFixture,
) -> None:
    env()
    path = tmp_path / "state.sqlite3"
    path.write_bytes(GARBAGE)
    caplog.set_level(logging.WARNING, logger="euca_boto")
    session = euca_boto.session(PROFILE, euca_state=str(path), euca_retry_max_attempts=1,
                                euca_breaker_fail_max=2)
    client = session.client("euprop")
    fresh_cloud.endpoint(0).fail(503, count=2)
    for _ in range(2):
        with pytest.raises(ClientError):
            client.describe_properties()
    with pytest.raises(euca_boto.CircuitOpenError):
        client.describe_properties()
    [info] = euca_boto.breakers()
    assert (info.state, info.storage) == ("open", f"memory (state file {path} cannot be used)")
    assert len(state_lines(caplog)) == 1
    assert hits(fresh_cloud, 0) == 2


def test_endpoints_not_heard_of_for_a_day_are_forgotten(tmp_path: Path) -> None:
    file = StateFile(tmp_path / "state.sqlite3")
    now = time.time()
    two_days = 2 * 24 * 3600.0
    file.save_ejection(Ejection("http://gone.test/", 3, now - two_days + 20, now - two_days,
                                "HTTP 503", now - two_days))
    file.save_ejection(Ejection("http://still-out.test/", 9, now + 300, now - two_days,
                                "HTTP 503", now - two_days))
    file.save_ejection(Ejection("http://fresh.test/", 1, now + 5, now, "HTTP 503", now))
    assert sorted(file.ejections() or {}) == ["http://fresh.test/", "http://still-out.test/"]
    file.close()


def test_a_file_from_before_breaker_windows_is_upgraded_in_place(tmp_path: Path) -> None:
    import sqlite3

    from euca_boto.breakers.storage import STATE_FILE_PREFIX, storage_for
    from euca_boto.breakers.window import WindowSpec

    path = tmp_path / "older.sqlite3"
    with sqlite3.connect(path) as db:  # the breakers table as the first version made it
        db.execute("CREATE TABLE breakers (name TEXT PRIMARY KEY, state TEXT NOT NULL, "
                   "failures INTEGER NOT NULL, successes INTEGER NOT NULL, opened_at REAL, "
                   "probes INTEGER NOT NULL, probe_at REAL NOT NULL, next_probe REAL)")
        db.execute("INSERT INTO breakers VALUES ('old/euprop', 'closed', 2, 0, NULL, 0, 0, NULL)")
    db.close()
    storage = storage_for(STATE_FILE_PREFIX + str(path), "old/euprop")
    assert storage.read().failures == 2  # what the older version counted is kept
    after = storage.record("f", 1.0e9, WindowSpec("count", 100))
    assert after.failures == 3 and after.window is not None
    assert after.window.tally(1.0e9).calls == 1
    assert "cannot be used" not in storage.description
