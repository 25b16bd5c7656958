"""The process-wide state: every piece registered, one reset giving the import-time state, and
locks that a fork child finds free."""

from __future__ import annotations

import logging
import re
import threading
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from pathlib import Path

import botocore.session
import pytest
from forking import in_fork_child, rounds

import euca_boto
from euca_boto.core import process
from euca_boto.core.localstate import state_file, use_local_by_default
from euca_boto.core.notice import say_once
from euca_boto.core.settings import load
from euca_boto.metrics import METRICS
from euca_boto.wirelog import LOGGER_NAME, attach_file

PACKAGE = Path(euca_boto.__file__).parent


def test_every_feature_registers_its_state() -> None:
    import euca_boto.autoinstall  # noqa: F401
    import euca_boto.botocore_logs  # noqa: F401
    import euca_boto.breakers.registry  # noqa: F401
    import euca_boto.breakers.storage.redis  # noqa: F401
    import euca_boto.clientplugin  # noqa: F401
    import euca_boto.core.sensitive  # noqa: F401
    import euca_boto.endpoints.refresh  # noqa: F401
    import euca_boto.retry  # noqa: F401
    import euca_boto.telemetry  # noqa: F401
    import euca_boto.wirelog  # noqa: F401

    assert {state.name for state in process.registered()} == {
        "breakers", "redis clients", "retry budgets", "topology updaters", "wire-log switches",
        "wire-log files", "call metrics", "opentelemetry duration histogram", "state files",
        "problems said", "host defaults", "wire log on stderr", "sensitive-member locations",
        "botocore log redaction", "retry listeners", "work left by finalizers",
        "clients' HTTP connections", "handlers wire records reach",
    }
    assert all(state.lifetime for state in process.registered())


def test_reset_forgets_breakers_and_their_listeners() -> None:
    heard: list[object] = []
    euca_boto.add_breaker_listener(heard.append)
    guarded = euca_boto.breaker("reset-me", fail_max=1)(lambda: 1 / 0)
    with pytest.raises(ZeroDivisionError):
        guarded()
    assert [b.name for b in euca_boto.breakers()] == ["reset-me"] and heard

    process.reset()

    assert euca_boto.breakers() == []
    with pytest.raises(KeyError):
        euca_boto.get_breaker("reset-me")
    heard.clear()
    with pytest.raises(ZeroDivisionError):
        euca_boto.breaker("reset-me-too", fail_max=1)(lambda: 1 / 0)()
    assert heard == []  # the listener is gone too


def test_a_session_made_before_a_reset_gives_its_new_clients_breakers_the_process_knows() -> None:
    session = euca_boto.session(region_name="eucalyptus", aws_access_key_id="AKIDEXAMPLE",
                                aws_secret_access_key="secret",
                                euca_endpoint="http://127.0.0.1:1/")
    before = session.client("euprop").breaker
    assert [b.name for b in euca_boto.breakers()] == [before.name]

    process.reset()

    after = session.client("euprop").breaker
    assert after is not before and after.name == before.name
    assert euca_boto.get_breaker(after.name) is after  # not one the registry forgot


def test_reset_zeroes_the_metrics() -> None:
    METRICS.record_call("iam", "ListUsers", 0.1)
    process.reset()
    assert METRICS.snapshot() == {}


def test_reset_detaches_and_closes_wire_log_files(tmp_path: Path) -> None:
    root = logging.getLogger(LOGGER_NAME)
    handler = attach_file(tmp_path / "wire.log")
    assert handler in root.handlers and root.level == logging.INFO

    process.reset()

    assert handler not in root.handlers
    assert root.level == logging.NOTSET
    assert getattr(handler, "stream", None) is None  # closed


def test_reset_says_a_problem_again(caplog: pytest.LogCaptureFixture) -> None:
    say_once("a problem of the process")
    say_once("a problem of the process")
    process.reset()
    say_once("a problem of the process")
    said = [r for r in caplog.records if r.getMessage() == "euca-boto: a problem of the process"]
    assert len(said) == 2


def test_reset_forgets_host_defaults() -> None:
    use_local_by_default("a tool")
    assert load(botocore.session.Session()).for_service(None).source("euca_state") == (
        "default under a tool")
    process.reset()
    assert load(botocore.session.Session()).for_service(None)["euca_state"] == "memory"


def test_reset_closes_state_files(tmp_path: Path) -> None:
    first = state_file(str(tmp_path / "state.db"))
    assert first is not None and first.ejections() == {}
    assert state_file(str(tmp_path / "state.db")) is first

    process.reset()

    again = state_file(str(tmp_path / "state.db"))
    assert again is not first and again is not None
    assert again.ejections() == {}


def test_reset_stops_topology_updaters() -> None:
    with ThreadPoolExecutor(max_workers=1) as executor:
        updater = euca_boto.keep_topology_updated(executor, tick=0.01)
        assert updater.running
        process.reset()
        assert not updater.running
        # The worker is free again: the updater's task has ended.
        assert executor.submit(threading.get_ident).result(timeout=10)


def test_reset_runs_every_reset_when_one_fails() -> None:
    ran: list[str] = []

    def broken() -> None:
        raise RuntimeError("cannot reset")

    process.register("test: broken", "for this test", broken, in_fork_child=process.keep)
    process.register("test: fine", "for this test", lambda: ran.append("fine"),
                     in_fork_child=process.keep)
    try:
        METRICS.record_call("iam", "ListUsers", 0.1)
        with pytest.raises(RuntimeError, match="cannot reset"):
            process.reset()
        assert ran == ["fine"] and METRICS.snapshot() == {}
    finally:
        process.unregister("test: broken")
        process.unregister("test: fine")


# -- fork -----------------------------------------------------------------------------------------


@contextmanager
def held_by_a_thread(lock: threading.Lock | threading.Condition) -> Iterator[None]:
    """``lock`` held by another thread for the whole block."""
    held, release = threading.Event(), threading.Event()

    def hold() -> None:
        with lock:
            held.set()
            release.wait(30)

    holder = threading.Thread(target=hold)
    holder.start()
    try:
        assert held.wait(10)
        yield
    finally:
        release.set()
        holder.join(10)


def test_a_lock_a_parent_thread_holds_is_free_in_a_fork_child() -> None:
    lock, condition = process.lock(), process.condition()
    with held_by_a_thread(lock), held_by_a_thread(condition):
        taken = in_fork_child(lambda: [lock.acquire(timeout=5), condition.acquire(timeout=5)])
        assert not lock.acquire(blocking=False)  # the parent's thread still holds it here
    assert taken == [True, True]


def test_a_lock_threads_are_taking_at_the_moment_of_a_fork_is_free_in_the_child() -> None:
    # A thread blocked in acquire() is woken with the lock already its own, then waits for the
    # interpreter to run it: a fork in that moment copies a lock that is taken and does not say
    # so. Threads queue for one lock without pause, and every one of many fork children must be
    # able to take it.
    lock = process.lock()
    stop = threading.Event()

    def contend() -> None:
        for _ in range(1_000_000):  # bounded; stopped much earlier
            if stop.is_set():
                return
            with lock:
                time.sleep(0.0005)  # held a moment, so the others wait in acquire()

    threads = [threading.Thread(target=contend) for _ in range(3)]
    for thread in threads:
        thread.start()
    try:
        taken = [in_fork_child(lambda: lock.acquire(timeout=2), timeout=20)
                 for _ in range(rounds(400))]
    finally:
        stop.set()
        for thread in threads:
            thread.join(10)
    assert taken.count(False) == 0


def test_the_fork_steps_of_every_piece_of_state_run_in_the_child() -> None:
    ran: list[str] = []
    process.register("test: forked", "for this test", lambda: None,
                     in_fork_child=lambda: ran.append("child"),
                     before_fork=lambda: ran.append("before"),
                     after_fork_in_parent=lambda: ran.append("parent"))
    try:
        in_child = in_fork_child(lambda: list(ran))
    finally:
        process.unregister("test: forked")
    assert in_child == ["before", "child"]
    assert ran == ["before", "parent"]


# Locks made with threading directly, and why each may be: it never outlives one call (a fork
# child has none of the parent's calls), or it belongs to a process that is never forked.
PLAIN_LOCKS = {
    "core/process.py": "makes the others",
    "breakers/guard.py": "one admission of one async call",
    "aio/views.py": "one call handed to an executor",
    "future_client.py": "one listing, paged by its caller",
    "bootstrap/sitecustomize.py": "stdlib-only: renews its lock in a fork child itself",
    "tracker/": "the tracker service, a server process of its own",
    "testing/": "LocalCloud's servers, which run in the process that started them",
}


# A lock made or passed as a factory (not a mere annotation).
PLAIN_LOCK = re.compile(r"threading\.(Lock|RLock|Condition|Semaphore|BoundedSemaphore)(\(|\s*[,)])")


def test_every_lock_that_outlives_a_call_is_free_in_a_fork_child() -> None:
    made_plainly = []
    for path in sorted(PACKAGE.rglob("*.py")):
        relative = path.relative_to(PACKAGE).as_posix()
        if any(relative.startswith(allowed) for allowed in PLAIN_LOCKS):
            continue
        for number, line in enumerate(path.read_text().splitlines(), 1):
            if PLAIN_LOCK.search(line):
                made_plainly.append(f"{relative}:{number}: {line.strip()}")
    assert made_plainly == [], "make these with euca_boto.core.process.lock() or condition()"
