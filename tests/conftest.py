"""Fixtures every test folder shares, in three sections:

- process-wide state: breakers, metrics and the local state file, fresh for every test;
- environment isolation: ``aws_env``, no AWS or euca-boto variables from outside and botocore
  pointed at the test's own files (see :mod:`awsenv`);
- the test cloud: one LocalCloud per module (``cloud``, shaped by ``cloud_shape``, which a
  folder or module overrides), ``fresh_cloud``, a profile pointing at it (``aws_files``),
  installed sessions with quick bounded retries (``session``) and the wire records of a test
  (``wire``).

Plus ``refused_port`` (a port where every connection is refused, for the test's whole life) and
the collection hook that starts the longest tests first (and, with ``EUCA_TEST_SHARD``, keeps one
share of the modules).
"""

from __future__ import annotations

import compileall
import logging
import os
import socket
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import boto3
import pytest
from awsenv import PROFILE, AwsEnv

import euca_boto
from euca_boto.core import process
from euca_boto.testing import LocalCloud

# -- Test order -----------------------------------------------------------------------------------

# Tests that run for minutes, longest first. Under xdist a worker that picks one of them up near
# the end keeps the whole run waiting; at the front it runs beside everything else. Whole tests
# only: moving part of a module would set its module fixtures up twice.
LONGEST_FIRST = (
    # The retry, breaker, async and AWS CLI suites again, in the floor environment.
    "tests/aio/test_second_environment.py::test_the_async_retry_and_breaker_suites_pass_with_",
    # Ansible, Cloud Custodian and s3fs, in a pytest run of their own.
    "tests/tools/test_tool_group.py::",
)


def pytest_xdist_auto_num_workers(config: pytest.Config) -> int:
    """``-n auto``: two workers per core. Most tests spend their time waiting on sockets,
    servers and child processes (two of them run whole suites in a child pytest), so one worker
    per core leaves the cores idle for much of the run; four workers on two cores finish the
    run in about four fifths of the time of two, with the same CPU time."""
    return 2 * (os.cpu_count() or 1)


def pytest_configure(config: pytest.Config) -> None:
    """Compile the package once, in the controller, before the workers start: hundreds of tests
    start Python processes that import it (the AWS CLI with the plugin, ``euca-boto``
    commands), and where ``PYTHONDONTWRITEBYTECODE`` is set (as on many CI machines) none of
    them would write the bytecode, so each would compile the package again."""
    if not hasattr(config, "workerinput"):
        compileall.compile_dir(Path(euca_boto.__file__).parent, quiet=1)


# ``k/n``: run only the test modules of share k of n (see shares_of). CI's runs on the Pythons
# other than the README's each take one share, so that every module runs on one of them and the
# whole run stays within its time on a slow two-core host; the README's run takes them all.
SHARD_VARIABLE = "EUCA_TEST_SHARD"


def module_of(item: pytest.Item) -> str:
    return item.nodeid.split("::", 1)[0]


def shares_of(items: list[pytest.Item], shares: int) -> dict[str, int]:
    """Each test module's share: whole modules, so that a module's fixtures (servers, clouds)
    start in one run only; the largest first, each to the share with the fewest tests so far.
    The same in every process (xdist's workers collect alike)."""
    sizes: dict[str, int] = {}
    for item in items:
        module = module_of(item)
        sizes[module] = sizes.get(module, 0) + 1
    loads = [0] * shares
    assigned = {}
    for module in sorted(sizes, key=lambda name: (-sizes[name], name)):
        share = loads.index(min(loads))
        assigned[module] = share
        loads[share] += sizes[module]
    return assigned


def _shard() -> tuple[int, int] | None:
    text = os.environ.get(SHARD_VARIABLE, "")
    if not text:
        return None
    share, _, shares = text.partition("/")
    if not (share.isdigit() and shares.isdigit() and int(share) < int(shares)):
        raise pytest.UsageError(f"{SHARD_VARIABLE}={text!r}: expected k/n with 0 <= k < n, "
                                f"e.g. 0/3")
    return int(share), int(shares)


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    shard = _shard()
    if shard is not None:
        share, shares = shard
        assigned = shares_of(items, shares)
        kept, left = [], []
        for item in items:
            (kept if assigned[module_of(item)] == share else left).append(item)
        config.hook.pytest_deselected(items=left)
        items[:] = kept

    def rank(item: pytest.Item) -> int:
        return next((i for i, prefix in enumerate(LONGEST_FIRST)
                     if item.nodeid.startswith(prefix)), len(LONGEST_FIRST))

    items.sort(key=rank)  # stable: every other test keeps its place


# -- Process-wide state ---------------------------------------------------------------------------


@pytest.fixture(autouse=True)
def isolated_process() -> Iterator[None]:
    """Breakers, metrics, Redis clients, wire-log files ... are process-wide: every test
    starts and leaves with the process as it was after import."""
    process.reset()
    yield
    process.reset()


@pytest.fixture(autouse=True)
def isolated_state_file(tmp_path_factory: pytest.TempPathFactory,
                        monkeypatch: pytest.MonkeyPatch) -> None:
    """``euca_state = local`` (the AWS CLI's default) keeps state under XDG_CACHE_HOME: one
    directory per test, so no test inherits another's ejections or open breakers."""
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path_factory.mktemp("cache")))


# -- Ports ----------------------------------------------------------------------------------------


@pytest.fixture
def refused_port() -> Iterator[int]:
    """A port of 127.0.0.1 where every connection is refused at once, until the test ends.

    The socket is bound and never listens, so a connection gets a reset; and it stays bound
    (without ``SO_REUSEADDR``), so no server another test starts meanwhile can take the port.
    A port merely found free and let go may be handed to such a server while a slow test
    still counts on nothing answering there."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        yield int(sock.getsockname()[1])


# -- Environment isolation ------------------------------------------------------------------------


@pytest.fixture
def aws_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> AwsEnv:
    """No ``AWS_*`` or ``EUCA_BOTO_*`` variables; botocore reads empty ``config`` and
    ``credentials`` files in ``tmp_path`` until the test writes or points at others. A folder
    whose every test wants this says so with an autouse fixture that requests it."""
    return AwsEnv(monkeypatch, tmp_path)


# -- The test cloud -------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def cloud_shape() -> dict[str, Any]:
    """LocalCloud's arguments for the module's ``cloud``: override in a folder's conftest or a
    module, or parametrise indirectly."""
    return {"endpoints": 2, "partitions": 1}


@pytest.fixture(scope="module")
def cloud(cloud_shape: dict[str, Any]) -> Iterator[LocalCloud]:
    with LocalCloud(**cloud_shape) as started:
        yield started


@pytest.fixture
def fresh_cloud(cloud: LocalCloud) -> Iterator[LocalCloud]:
    """The module's cloud with no faults, every endpoint running and empty request logs."""
    cloud.clear()
    cloud.clear_requests()
    yield cloud
    cloud.clear()


@pytest.fixture
def aws_files(cloud: LocalCloud, aws_env: AwsEnv) -> Callable[[str], Path]:
    """Write the cloud's profile (plus ``extra`` lines inside it) and point botocore at it."""
    cloud.clear()
    cloud.clear_requests()

    def write(extra: str = "") -> Path:
        config, credentials = aws_env.write_profile(cloud, PROFILE, extra)
        aws_env.use(config, credentials)
        return config

    write()
    return write


@pytest.fixture
def session(aws_files: Callable[[str], Path]) -> Callable[..., boto3.session.Session]:
    """A euca-boto session on the cloud's profile with quick, bounded retries."""

    def make(**settings: Any) -> boto3.session.Session:
        settings.setdefault("euca_retry_base_delay", 0.001)
        settings.setdefault("euca_retry_delay", 0.01)
        return euca_boto.session(profile_name=PROFILE, **settings)

    return make


@pytest.fixture
def wire(caplog: pytest.LogCaptureFixture) -> Callable[[], list[logging.LogRecord]]:
    """The wire records emitted so far in this test."""
    caplog.set_level(logging.INFO, logger="euca_boto.wire")

    def records() -> list[logging.LogRecord]:
        return [r for r in caplog.records if r.name.startswith("euca_boto.wire.")]

    return records
