"""The local state file keeps what it knows private and trusts nothing it finds.

Each test is an attack on the file or the place it lives in, made before the user's process
starts: a file anyone may read or write, a planted link, a file or directory someone else owns,
credentials of the endpoint URLs written to disk. The user's calls go on in every case; what is
checked is what reaches the disk and the one warning that says why the file was not used.
"""

from __future__ import annotations

import logging
import os
import stat
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from euca_boto.core.localstate import StateFile
from euca_boto.testing import LocalCloud

USER = "stateuser"
PASSWORD = "St4te-Passw0rd-kept-out"
NOBODY = 65534  # a uid that is not this user's


@pytest.fixture(autouse=True)
def usual_umask() -> Iterator[None]:
    """The umask most users have (022): files are created readable by all unless asked."""
    old = os.umask(0o022)
    yield
    os.umask(old)


def hits(cloud: LocalCloud, i: int) -> int:
    return sum(1 for r in cloud.endpoint(i).requests if r.action == "DescribeProperties")


@pytest.fixture
def calls(fresh_cloud: LocalCloud, session: Callable[..., object],
          caplog: pytest.LogCaptureFixture) -> Callable[..., list[str]]:
    """Three calls over both endpoints with endpoint 0 failing (so an ejection is stored),
    through a session with ``settings``."""
    caplog.set_level(logging.WARNING, logger="euca_boto")

    def make(userinfo: str = "", **settings: object) -> list[str]:
        urls = ",".join(fresh_cloud.endpoint(i).url.replace("http://", f"http://{userinfo}")
                        for i in range(2))
        made = session(euca_endpoint_urls=urls, euca_eject_time=120, **settings)
        client = made.client("euprop")  # type: ignore[attr-defined]
        fresh_cloud.endpoint(0).fail(503, count=100)
        return [client.describe_properties(Properties=["dns.enabled"])["Properties"][0]["Name"]
                for _ in range(3)]

    return make


def state_warnings(caplog: pytest.LogCaptureFixture) -> list[str]:
    return [r.getMessage() for r in caplog.records
            if r.name == "euca_boto.state" and r.levelno >= logging.WARNING]


def default_directory() -> Path:
    return Path(os.environ["XDG_CACHE_HOME"]) / "euca-boto"


def mode(path: Path) -> int:
    return stat.S_IMODE(os.lstat(path).st_mode)


def test_the_file_and_its_directory_are_created_private(
    calls: Callable[..., list[str]], caplog: pytest.LogCaptureFixture
) -> None:
    assert calls(euca_state="local") == ["dns.enabled"] * 3

    directory = default_directory()
    files = sorted(directory.iterdir())
    assert directory / "state.sqlite3" in files
    assert mode(directory) == 0o700
    assert {p.name: oct(mode(p)) for p in files} == {p.name: oct(0o600) for p in files}
    assert state_warnings(caplog) == []


@pytest.mark.parametrize("planted", [
    "file writable by all", "file writable by its group", "file owned by another user",
    "directory writable by all", "directory owned by another user",
])
def test_a_planted_file_or_directory_is_refused_with_one_warning(
    planted: str, tmp_path: Path, fresh_cloud: LocalCloud, calls: Callable[..., list[str]],
    caplog: pytest.LogCaptureFixture,
) -> None:
    directory = tmp_path / "shared"
    directory.mkdir(mode=0o700)
    path = directory / "state.sqlite3"
    if planted.startswith("file"):
        path.write_bytes(b"")  # SQLite takes an empty file for a new database
        path.chmod({"file writable by all": 0o666,
                    "file writable by its group": 0o620}.get(planted, 0o600))
        if planted == "file owned by another user":
            os.chown(path, NOBODY, NOBODY)
    elif planted == "directory writable by all":
        directory.chmod(0o777)
    else:
        os.chown(directory, NOBODY, NOBODY)
    before = sorted(p.name for p in directory.iterdir())

    assert calls(euca_state=str(path)) == ["dns.enabled"] * 3

    [warning] = state_warnings(caplog)
    refused = path if planted.startswith("file") else directory
    reason = "owned by uid 65534" if "another user" in planted else "writable by"
    assert warning.startswith(f"state file {path} cannot be used ({refused} is ")
    assert reason in warning
    assert sorted(p.name for p in directory.iterdir()) == before  # nothing written there
    if path.exists():
        assert path.read_bytes() == b""
    assert hits(fresh_cloud, 0) == 1  # the ejection holds all the same, in memory


def test_a_symlinked_file_is_not_followed(
    tmp_path: Path, fresh_cloud: LocalCloud, calls: Callable[..., list[str]],
    caplog: pytest.LogCaptureFixture,
) -> None:
    directory = default_directory()
    directory.mkdir(mode=0o700, parents=True)
    target = tmp_path / "elsewhere" / "victim.sqlite3"
    target.parent.mkdir()
    (directory / "state.sqlite3").symlink_to(target)

    assert calls(euca_state="local") == ["dns.enabled"] * 3

    [warning] = state_warnings(caplog)
    assert "is a symbolic link" in warning
    assert list(target.parent.iterdir()) == []
    assert hits(fresh_cloud, 0) == 1


def test_a_symlinked_directory_is_not_followed(
    tmp_path: Path, fresh_cloud: LocalCloud, calls: Callable[..., list[str]],
    caplog: pytest.LogCaptureFixture,
) -> None:
    target = tmp_path / "elsewhere"
    target.mkdir(mode=0o700)
    directory = default_directory()
    directory.parent.mkdir(parents=True, exist_ok=True)
    directory.symlink_to(target, target_is_directory=True)

    assert calls(euca_state="local") == ["dns.enabled"] * 3

    [warning] = state_warnings(caplog)
    assert f"({directory} is a symbolic link" in warning
    assert list(target.iterdir()) == []
    assert hits(fresh_cloud, 0) == 1


def test_credentials_in_endpoint_urls_are_not_stored_and_ejections_still_shared(
    tmp_path: Path, fresh_cloud: LocalCloud, calls: Callable[..., list[str]],
    caplog: pytest.LogCaptureFixture,
) -> None:
    path = tmp_path / "state" / "state.sqlite3"
    userinfo = f"{USER}:{PASSWORD}@"

    assert calls(userinfo, euca_state=str(path)) == ["dns.enabled"] * 3
    written = b"".join(p.read_bytes() for p in path.parent.iterdir())
    assert PASSWORD.encode() not in written
    assert USER.encode() not in written
    stored = StateFile(path).ejections()  # the ejection was written, without them
    assert stored is not None and [e.failures for e in stored.values()] == [1]
    # Another session (as another process would) still leaves the ejected endpoint out.
    assert calls(userinfo, euca_state=str(path)) == ["dns.enabled"] * 3
    assert hits(fresh_cloud, 0) == 1
    assert state_warnings(caplog) == []
    assert PASSWORD not in caplog.text  # nor in the lines saying the endpoint was left out
