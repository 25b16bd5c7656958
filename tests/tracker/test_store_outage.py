"""A ``tracker serve`` whose PostgreSQL connections are dropped (a database restart, a failover,
a proxy's idle timeout) reconnects. Connections dropped while idle are replaced before use, so
no call fails; a poll caught in the drop is one line in the log and a failure in ``/health``, a
request caught in it gets 503 ``StoreUnavailable``, and the next ones work, so the feed misses
nothing."""

from __future__ import annotations

import os
import resource
import threading
import time
import uuid
from pathlib import Path
from typing import Any

import psycopg
import pytest
import requests
from test_daemon import TOKEN, Daemon, _wait_for_feed, daemons  # noqa: F401 - the fixture
from tracker_support import Cloud, Receiver

from euca_boto.tracker import TrackerAPIError, TrackerClient, open_store
from euca_boto.tracker.store.postgresql import WRITE_LOCK_KEY


def _drop_connections(postgres_url: str, application: str) -> int:
    """Terminate the server side of every connection of ``application``; how many there were."""
    return len(_rows(postgres_url, "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                                   "WHERE application_name = %s", application))


def _rows(postgres_url: str, statement: str, *params: Any) -> list[tuple[Any, ...]]:
    """The rows of one statement, on a connection of the test's own."""
    with psycopg.connect(postgres_url, autocommit=True) as conn:
        return conn.execute(statement, params).fetchall()


def _health(daemon: Daemon) -> dict[str, Any]:
    health: dict[str, Any] = requests.get(daemon.url + "/health", timeout=10).json()
    return health


def _started(cloud: Cloud, postgres_url: str, started: list[Daemon], tmp_path: Path
             ) -> tuple[Daemon, str, list[str]]:
    """A tracker that has polled, the name its connections carry, two running instances it
    knows."""
    application = f"tracker-{uuid.uuid4().hex[:8]}"
    daemon = Daemon(cloud, f"{postgres_url}&application_name={application}",
                    tmp_path / "tracker.log")
    started.append(daemon)
    instances = cloud.run_instances(cloud.admin, 2)
    daemon.wait_polled()
    # The poll that ended may have listed before the instances ran; a later one records them.
    _wait_for("the tracker knows the instances", lambda: _known(postgres_url, instances))
    return daemon, application, instances


def _wait_for(what: str, condition: Any, timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            pytest.fail(f"{what} within {timeout:g} s")
        time.sleep(0.05)


def test_connections_dropped_while_idle_are_replaced_without_a_failed_call(
    cloud: Cloud, postgres_url: str, daemons: list[Daemon], tmp_path: Path  # noqa: F811
) -> None:
    daemon, application, instances = _started(cloud, postgres_url, daemons, tmp_path)
    assert _health(daemon)["last_failure"] is None

    assert _drop_connections(postgres_url, application) >= 1
    # The server thread's connection was idle: the first request after the drop is answered.
    answer = requests.get(daemon.url + "/health", timeout=10)
    assert answer.status_code == 200 and answer.json()["status"] == "ok", answer.text
    cloud.admin.client("ec2").stop_instances(InstanceIds=instances)
    _wait_for_feed(postgres_url, instances, {(i, "running", "stopped") for i in instances})
    assert "Traceback" not in daemon.log.read_text()
    assert daemon.terminate() == 0


def test_a_connection_dropped_in_a_poll_fails_that_poll_in_one_line_and_the_next_reconnects(
    cloud: Cloud, postgres_url: str, daemons: list[Daemon], tmp_path: Path  # noqa: F811
) -> None:
    daemon, application, instances = _started(cloud, postgres_url, daemons, tmp_path)

    # Hold the feed's write lock, so the tracker's next write waits inside its transaction,
    # and drop its connections there.
    with psycopg.connect(postgres_url, autocommit=True) as holder:
        holder.execute("SELECT pg_advisory_lock(%s)", (WRITE_LOCK_KEY,))
        _wait_for("the tracker waits for the write lock",
                  lambda: _waiting(postgres_url, application))
        assert _drop_connections(postgres_url, application) >= 1
    _wait_for("the failed cycle is logged", lambda: "failed: StoreError" in daemon.log.read_text())
    log = daemon.log.read_text()
    assert "the connection to store postgresql://postgres@127.0.0.1" in log, log
    assert "was lost" in log and "Traceback" not in log, log

    cloud.admin.client("ec2").stop_instances(InstanceIds=instances)
    _wait_for_feed(postgres_url, instances, {(i, "running", "stopped") for i in instances})
    # /health keeps the failure, with its age beside the last poll's, so a monitor can tell a
    # tracker that failed once and recovered from one that keeps failing. (The feed shows a
    # poll's changes before that poll has finished its other scopes: wait for it to end.)
    _wait_for("a poll ends after the failure", lambda: _recovered(_health(daemon)))
    health = _health(daemon)
    failure, last_poll = health["last_failure"], health["last_poll"]
    assert "was lost" in failure["error"] and "\n" not in failure["error"], health
    assert last_poll["errors"] == [], health
    assert daemon.terminate() == 0


def test_a_request_caught_in_the_drop_is_answered_503_and_the_next_one_works(
    cloud: Cloud, postgres_url: str, daemons: list[Daemon], receiver: Receiver,  # noqa: F811
    tmp_path: Path
) -> None:
    daemon, application, instances = _started(cloud, postgres_url, daemons, tmp_path)
    client = TrackerClient(cloud.admin, daemon.url)
    client.hooks()  # the session is made before the write lock is held
    outcome: list[BaseException | None] = []

    def track() -> None:
        try:
            client.track(instances[0], receiver.url, token=TOKEN)
            outcome.append(None)
        except BaseException as error:  # noqa: BLE001 - the outcome is the finding
            outcome.append(error)

    with psycopg.connect(postgres_url, autocommit=True) as holder:
        holder.execute("SELECT pg_advisory_lock(%s)", (WRITE_LOCK_KEY,))
        caller = threading.Thread(target=track)
        caller.start()
        # The request's write and the poller's next one both wait for the lock.
        _wait_for("the request and the poll wait for the write lock",
                  lambda: outcome or _waiting(postgres_url, application) >= 2)
        assert not outcome, f"the request ended before the drop: {outcome}"
        assert _drop_connections(postgres_url, application) >= 2
    caller.join(timeout=30)
    assert len(outcome) == 1 and isinstance(outcome[0], TrackerAPIError), outcome
    assert outcome[0].status == 503 and outcome[0].code == "StoreUnavailable", outcome[0]
    assert "was lost" in outcome[0].message and "the next call reconnects" in outcome[0].message

    client.track(instances[0], receiver.url, token=TOKEN)
    assert [h["resource_id"] for h in client.hooks()] == [instances[0]]
    assert daemon.terminate() == 0


def test_a_busy_process_keeps_its_live_connections(postgres_url: str) -> None:
    """A tracker with over a thousand open sockets (its clients, its deliveries) puts its store
    connections on descriptors past 1024, which select() cannot watch: a live connection there
    is kept, not replaced on every call."""
    application = f"tracker-{uuid.uuid4().hex[:8]}"
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    wanted = 2048 if hard == resource.RLIM_INFINITY else min(hard, 2048)
    assert wanted > 1200, f"this test needs 1,200 open files; the hard limit is {hard}"
    resource.setrlimit(resource.RLIMIT_NOFILE, (max(soft, wanted), hard))
    # The lowest free descriptors are taken first: with these open, the store's are past 1100.
    filler = [os.open(os.devnull, os.O_RDONLY) for _ in range(1100)]
    try:
        store = open_store(f"{postgres_url}&application_name={application}")
        try:
            store.latest_id()
            first = _backends(postgres_url, application)
            for _ in range(3):
                store.latest_id()
            assert len(first) == 1 and _backends(postgres_url, application) == first
        finally:
            store.close()
    finally:
        for descriptor in filler:
            os.close(descriptor)
        resource.setrlimit(resource.RLIMIT_NOFILE, (soft, hard))


def _backends(postgres_url: str, application: str) -> set[int]:
    """The server processes serving ``application``'s connections."""
    return {pid for (pid,) in _rows(
        postgres_url, "SELECT pid FROM pg_stat_activity WHERE application_name = %s", application)}


def _recovered(health: dict[str, Any]) -> bool:
    failure, last_poll = health["last_failure"], health["last_poll"]
    return failure is not None and failure["ago"] > last_poll["ago"]


def _known(postgres_url: str, resource_ids: list[str]) -> bool:
    """Whether the tracker's store has a state for each of ``resource_ids``."""
    [(count,)] = _rows(postgres_url, "SELECT count(*) FROM resources WHERE resource_id = ANY(%s)",
                       resource_ids)
    return bool(count == len(resource_ids))


def _waiting(postgres_url: str, application: str) -> int:
    """How many connections of ``application`` wait for a lock."""
    [(count,)] = _rows(postgres_url, "SELECT count(*) FROM pg_stat_activity "
                       "WHERE application_name = %s AND wait_event_type = 'Lock'", application)
    return int(count)
