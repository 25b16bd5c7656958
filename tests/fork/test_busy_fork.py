"""Fork children of a process whose threads are calling at that moment, with every per-call
write euca-boto makes switched on (the wire log to its file, the state file): each child calls
at once and finishes.

A fork copies the process at an arbitrary instant: a thread of the parent may be half way
through writing the wire-log file, holding that file's buffer, which then stays held in the
child (whose copy of that thread does not exist); the child's own wire record would wait on it
forever. So the children here are made while two threads call without pause, many times over,
and each must call within a bounded time. And the handlers, held across the fork, are taken in
the order logging itself takes them, so a thread reconfiguring logging meanwhile goes on.
"""

from __future__ import annotations

import logging
import os
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from awsenv import PROFILE, AwsEnv, lines
from forking import in_fork_child, rounds

import euca_boto
from euca_boto.testing import LocalCloud

FORKS = rounds(150)
WITHIN_SECONDS = 90  # the whole loop, bounded; a child normally answers in milliseconds


def forks_while_threads_call(session: Any, threads: int = 2) -> list[int]:
    """Fork up to FORKS children (within WITHIN_SECONDS) while ``threads`` threads call
    through one client of ``session``; each child calls once. What each child's call
    answered."""
    euprop = session.client("euprop")
    euprop.describe_properties(Properties=["dns.enabled"])
    stop = threading.Event()
    calls = [0] * threads

    def keep_calling(index: int) -> None:
        for _ in range(200_000):  # bounded; stopped much earlier
            if stop.is_set():
                return
            euprop.describe_properties(Properties=["dns.enabled"])
            calls[index] += 1

    def child_call() -> int:
        return len(euprop.describe_properties(Properties=["dns.enabled"])["Properties"])

    callers = [threading.Thread(target=keep_calling, args=(i,)) for i in range(threads)]
    for thread in callers:
        thread.start()
    answers: list[int] = []
    try:
        deadline = time.monotonic() + WITHIN_SECONDS
        while len(answers) < FORKS and time.monotonic() < deadline:
            answers.append(in_fork_child(child_call, timeout=20))
    finally:
        stop.set()
        for thread in callers:
            thread.join(timeout=30)
    assert len(answers) >= min(30, FORKS), f"only {len(answers)} children in {WITHIN_SECONDS} s"
    assert min(calls) > 0
    return answers


@pytest.mark.filterwarnings("ignore:This process .* is multi-threaded:DeprecationWarning")
def test_a_child_forked_while_threads_call_and_write_the_wire_log_calls_at_once(
    deployment: dict[str, str], fresh_cloud: LocalCloud
) -> None:
    answers = forks_while_threads_call(euca_boto.session(PROFILE))
    assert answers == [1] * len(answers)
    wire_log = os.path.join(os.path.dirname(deployment["STATE_FILE"]), "wire.log")
    assert os.path.getsize(wire_log) > 0


@pytest.mark.filterwarnings("ignore:This process .* is multi-threaded:DeprecationWarning")
def test_a_child_forked_while_threads_call_writes_to_the_applications_log_file(
    fresh_cloud: LocalCloud, aws_env: AwsEnv, tmp_path: Path
) -> None:
    """The wire log on, no wire-log file: its records go to the application's own handler on
    the root logger (logging.basicConfig(filename=...)), which a child must find free too."""
    aws_env.use(*aws_env.write_profile(fresh_cloud, PROFILE, lines("euca_wire_log = euprop")))
    application_log = tmp_path / "application.log"
    handler = logging.FileHandler(application_log)
    root = logging.getLogger()
    level = root.level
    root.addHandler(handler)
    root.setLevel(logging.INFO)
    try:
        answers = forks_while_threads_call(euca_boto.session(PROFILE))
    finally:
        root.setLevel(level)
        root.removeHandler(handler)
        handler.close()
    assert answers == [1] * len(answers)
    assert "euprop DescribeProperties attempt 1" in application_log.read_text()


@pytest.mark.filterwarnings("ignore:This process .* is multi-threaded:DeprecationWarning")
def test_a_fork_beside_a_thread_reconfiguring_logging_goes_through(tmp_path: Path) -> None:
    """A thread reconfiguring logging (``logging.config.dictConfig`` holds logging's module
    lock, then takes each handler's lock to close it) while another thread forks: holding the
    handlers across the fork must not take them in the other order."""
    from euca_boto.wirelog import attach_file, detach_file

    handler = attach_file(tmp_path / "wire.log")
    forked: list[Any] = []
    reconfigured = threading.Event()

    def reconfigure() -> None:  # what dictConfig does, in the order it does it
        with logging._lock:  # type: ignore[attr-defined]
            time.sleep(0.5)  # meanwhile the other thread starts its fork
            # dictConfig waits for ever; 10 s here, so that a deadlock fails the test instead
            # of hanging it.
            assert handler.lock is not None
            if handler.lock.acquire(timeout=10):
                reconfigured.set()
                handler.lock.release()

    def fork() -> None:
        time.sleep(0.1)
        forked.append(in_fork_child(lambda: "called", timeout=20))

    threads = [threading.Thread(target=reconfigure, daemon=True),
               threading.Thread(target=fork, daemon=True)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    detach_file(tmp_path / "wire.log")
    assert reconfigured.is_set(), "the fork held the handler while it waited for logging's lock"
    assert forked == ["called"]


@pytest.mark.filterwarnings("ignore:This process .* is multi-threaded:DeprecationWarning")
def test_a_child_forked_while_threads_take_pooled_connections_calls_at_once(
    session: Callable[..., Any], fresh_cloud: LocalCloud
) -> None:
    """No wire log: the locks in the way are those of the client's connection pools, which a
    child takes to close its copies of the parent's connections."""
    answers = forks_while_threads_call(session(), threads=4)
    assert answers == [1] * len(answers)
