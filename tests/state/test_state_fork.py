"""A fork child of a process that uses a state file: it never waits for a thread it does not
have, and it writes the file through a connection of its own."""

from __future__ import annotations

import logging
import os
import sqlite3
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from forking import in_fork_child, written_by_another_process

import euca_boto
from euca_boto.core.localstate import default_path


@contextmanager
def in_a_thread(work: Callable[[], Any]) -> Iterator[dict[str, float]]:
    """``work`` running in a thread of its own; yields (and fills in) when it started and
    ended."""
    times: dict[str, float] = {}

    def run() -> None:
        times["start"] = time.monotonic()
        work()
        times["end"] = time.monotonic()

    thread = threading.Thread(target=run)
    thread.start()
    try:
        yield times
    finally:
        thread.join(30)


def stored_state() -> str:
    with sqlite3.connect(default_path()) as db:
        row = db.execute("SELECT state FROM breakers WHERE name = 'forked'").fetchone()
    return str(row[0])


@pytest.fixture
def breaker() -> Any:
    """A breaker kept in the state file of ``euca_state = local``, which exists once it is
    made."""
    made = euca_boto.breaker("forked", storage="local")(lambda: "ok")
    assert made() == "ok" and default_path().exists()
    return euca_boto.get_breaker("forked")


def test_a_fork_child_does_not_wait_for_a_parent_thread_inside_the_state_file(
    breaker: Any,
) -> None:
    def child() -> str:
        breaker.reset()  # its first operation on the file: a write
        return str(breaker.info().state)

    with written_by_another_process(default_path()):
        # A write waits for the other process (up to the busy timeout) holding the file's lock.
        with in_a_thread(breaker.reset) as times:
            while "start" not in times:
                time.sleep(0.01)
            time.sleep(0.2)
            forked_at = time.monotonic()
            state = in_fork_child(child, timeout=30)
    assert times["start"] < forked_at < times["end"]  # the thread was inside at the fork
    assert state == "closed"


def test_a_fork_child_writes_the_state_file_through_a_connection_of_its_own(
    breaker: Any,
) -> None:
    def child() -> str:
        breaker.force_open()
        return str(breaker.info().state)

    assert in_fork_child(child, timeout=30) == "forced-open"
    assert stored_state() == "forced-open"
    breaker.reset()  # the parent's connection was closed for the fork: it opens another
    assert stored_state() == "closed"


def test_a_file_a_parent_thread_is_stuck_in_is_left_to_the_parent(
    breaker: Any, caplog: pytest.LogCaptureFixture
) -> None:
    parent = os.getpid()
    stuck, release = threading.Event(), threading.Event()

    class Stuck(logging.Handler):
        """A handler that blocks the parent's thread that logs (inside the file's lock)."""

        def emit(self, record: logging.LogRecord) -> None:
            if os.getpid() == parent and "busy" in record.getMessage():
                stuck.set()
                release.wait(30)

    logger = logging.getLogger("euca_boto.state")
    handler = Stuck(logging.DEBUG)
    logger.addHandler(handler)
    logger.setLevel(logging.DEBUG)

    def child() -> list[Any]:
        breaker.reset()
        said = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
        return [breaker.info().state, breaker.info().storage, said]

    try:
        with written_by_another_process(default_path()), in_a_thread(breaker.reset):
            try:
                assert stuck.wait(20)
                state, storage, said = in_fork_child(child, timeout=30)
            finally:
                release.set()
    finally:
        logger.removeHandler(handler)
        logger.setLevel(logging.NOTSET)
    assert state == "closed"
    assert storage == f"memory (state file {default_path()} cannot be used)"
    assert said == [
        f"state file {default_path()}: a thread of the parent process (pid {parent}) was using "
        f"it when this process was forked; this process keeps endpoint ejections and breaker "
        f"state in memory"]
