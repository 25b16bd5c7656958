"""The feed store, on SQLite and on PostgreSQL: migrations, diffs, cursors, retention, hooks."""

from __future__ import annotations

import sqlite3
import threading
from pathlib import Path
from typing import Any

import pytest

from euca_boto.tracker import CursorExpired, InvalidRequest, StoreError, open_store
from euca_boto.tracker.model import SUSPENDED
from euca_boto.tracker.store.migrations import SCHEMA_VERSION


def test_a_new_store_is_migrated_to_the_current_schema_version(store_url: str) -> None:
    store = open_store(store_url)
    assert store.schema_version() == SCHEMA_VERSION == 4
    store.close()
    reopened = open_store(store_url)  # migrating again applies nothing twice
    assert reopened.schema_version() == SCHEMA_VERSION
    reopened.close()


def test_a_store_from_a_newer_tracker_is_refused_with_its_version(tmp_path: Path) -> None:
    path = tmp_path / "feed.db"
    open_store(str(path)).close()
    with sqlite3.connect(path) as conn:
        conn.execute("INSERT INTO schema_version (version) VALUES (99)")
    with pytest.raises(StoreError, match=r"schema version 99, newer than .* \(4\); upgrade"):
        open_store(str(path))


def test_a_hooks_next_changes_are_looked_up_by_index(tmp_path: Path) -> None:
    # Every delivery cycle asks, for every hook, whether it has changes to send: for a hook on
    # a quiet resource in a busy account, a search of the account's changes since the hook's
    # cursor would read all of them, every cycle.
    path = tmp_path / "feed.db"
    open_store(str(path)).close()
    resource, of_type = "AND resource_id = 'i-1'", ""
    with sqlite3.connect(path) as conn:
        def plan(select: str, where: str, after: str = "") -> str:
            return " ".join(row[-1] for row in conn.execute(
                f"EXPLAIN QUERY PLAN SELECT {select} FROM changes WHERE account = 'a' "
                f"AND resource_type = 'instance' {where} {after}"))

        # Whether a hook has changes (its last change, as a delivery cycle asks of every
        # hook), and the changes it is sent (asked of the hooks that have some).
        last = {"resource": plan("max(id)", resource), "type": plan("max(id)", of_type)}
        pending = {"resource": plan("id", resource, "AND id > 5 ORDER BY id LIMIT 20"),
                   "type": plan("id", of_type, "AND id > 5 ORDER BY id LIMIT 20")}
    # SEARCH ... USING [COVERING] INDEX name (the columns it is searched by)
    assert "INDEX changes_resource (account=? AND resource_type=? AND resource_id=?)" \
        in last["resource"], last
    assert "INDEX changes_type (account=? AND resource_type=?)" in last["type"], last
    assert "INDEX changes_resource (account=? AND resource_type=? AND resource_id=? AND id>?)" \
        in pending["resource"], pending
    assert "INDEX changes_type (account=? AND resource_type=? AND id>?)" in pending["type"], \
        pending


@pytest.mark.parametrize("url, message", [
    ("mysql://db/feed", "unsupported scheme"),
    ("sqlite://host/feed.db", "sqlite:///relative.db"),
    ("/no/such/dir/feed.db", "does not exist"),
])
def test_bad_store_urls_are_explained(url: str, message: str) -> None:
    with pytest.raises(StoreError, match=message):
        open_store(url)


def test_the_first_listing_is_a_baseline_and_later_ones_record_every_change(
    store_url: str,
) -> None:
    store = open_store(store_url)
    assert store.apply("acct", "instance", {"i-1": "running", "i-2": "running"}, 100.0) == []
    changes = store.apply("acct", "instance", {"i-1": "stopped", "i-3": "pending"}, 200.0)
    assert [(c.id, c.resource_id, c.old_state, c.new_state, c.observed_at) for c in changes] == [
        (1, "i-1", "running", "stopped", 200.0),
        (2, "i-2", "running", None, 200.0),  # gone
        (3, "i-3", None, "pending", 200.0),  # appeared
    ]
    assert store.apply("acct", "instance", {"i-1": "stopped", "i-3": "pending"}, 300.0) == []
    store.close()


def test_pages_of_the_feed_come_in_order_with_the_next_cursor(store_url: str) -> None:
    store = open_store(store_url)
    store.apply("acct", "volume", {}, 1.0)
    for n in range(5):
        store.apply("acct", "volume", {f"vol-{n}": "available"}, 10.0 + n)
    first = store.changes(since=0, limit=4)
    assert [c.id for c in first.changes] == [1, 2, 3, 4]
    assert first.next_cursor == 4
    rest = store.changes(since=first.next_cursor, limit=10)
    assert [c.id for c in rest.changes] == [5, 6, 7, 8, 9]
    assert rest.next_cursor == 9
    assert store.changes(since=9).changes == []
    store.close()


def test_a_reader_of_one_account_sees_only_its_entries(store_url: str) -> None:
    store = open_store(store_url)
    for account in ("a", "b"):
        store.apply(account, "instance", {}, 1.0)
        store.apply(account, "instance", {"i-" + account: "pending"}, 2.0)
    page = store.changes(0, account="b")
    assert [(c.account, c.resource_id) for c in page.changes] == [("b", "i-b")]
    assert page.next_cursor == 2
    store.close()


@pytest.mark.parametrize("since, limit", [(-1, 10), ("3", 10), (0, 0), (0, 10_001)])
def test_bad_cursor_or_limit_is_an_invalid_request(
    tmp_path: Path, since: object, limit: int
) -> None:
    store = open_store(str(tmp_path / "feed.db"))
    with pytest.raises(InvalidRequest):
        store.changes(since, limit)  # type: ignore[arg-type]


def test_a_cursor_older_than_retention_is_an_error_naming_where_to_resume(
    store_url: str,
) -> None:
    store = open_store(store_url)
    store.apply("acct", "zone", {}, 0.0)
    store.apply("acct", "zone", {"z1": "available"}, 10.0)  # id 1
    store.apply("acct", "zone", {"z1": "impaired"}, 20.0)  # id 2
    store.apply("acct", "zone", {"z1": "available"}, 30.0)  # id 3
    assert store.prune(observed_before=25.0) == 2
    with pytest.raises(CursorExpired) as caught:
        store.changes(since=1)
    assert caught.value.resume_from == 2
    assert "list the resources again, then read changes with since=2" in str(caught.value)
    assert [c.id for c in store.changes(since=2).changes] == [3]
    store.close()


def test_retention_keeps_what_an_active_hook_has_not_received(store_url: str) -> None:
    store = open_store(store_url)
    store.apply("acct", "instance", {"i-1": "running"}, 0.0)
    hook = store.put_hook("acct", "instance", "i-1", "http://127.0.0.1:9/h", "t" * 20)
    store.apply("acct", "instance", {"i-1": "stopped"}, 10.0)  # id 1
    store.apply("acct", "instance", {"i-1": "running"}, 20.0)  # id 2
    assert store.prune(observed_before=100.0) == 0
    store.delivered(hook.id, 1)
    assert store.prune(observed_before=100.0) == 1
    assert [c.id for c in store.pending(store.get_hook(hook.id))] == [2]  # type: ignore[arg-type]
    store.close()


def test_a_hook_is_suspended_after_the_limit_and_resumes_where_it_stopped(
    store_url: str,
) -> None:
    store = open_store(store_url)
    store.apply("acct", "instance", {"i-1": "running"}, 0.0)
    hook = store.put_hook("acct", "instance", "", "http://127.0.0.1:9/h", "t" * 20)
    store.apply("acct", "instance", {"i-1": "stopped"}, 1.0)
    store.failed(hook.id, "HTTP 503", 0.0, suspend_after=2)
    suspended = store.failed(hook.id, "HTTP 503", 0.0, suspend_after=2)
    assert suspended is not None
    assert (suspended.status, suspended.failures, suspended.last_error) == (
        SUSPENDED, 2, "HTTP 503")
    resumed = store.put_hook("acct", "instance", "", "http://127.0.0.1:9/h", "t" * 20)
    assert (resumed.status, resumed.failures, resumed.cursor) == ("active", 0, 0)
    moved = store.put_hook("acct", "instance", "", "http://127.0.0.1:9/other", "t" * 20)
    assert moved.cursor == 1  # a new target starts at the head of the feed
    store.close()


def test_a_version_1_store_is_migrated_and_keeps_its_feed(tmp_path: Path) -> None:
    path = tmp_path / "feed.db"
    store = open_store(str(path))
    store.apply("acct", "zone", {}, 1.0)
    store.apply("acct", "zone", {"z1": "available"}, 2.0)
    store.close()
    with sqlite3.connect(path) as conn:  # as a tracker of schema version 1 left it
        conn.execute("DROP TABLE replicas")
        conn.execute("DROP TABLE poll_leases")
        conn.execute("DROP TABLE session_keys")
        conn.execute("DROP INDEX changes_resource")
        conn.execute("DROP INDEX changes_type")
        conn.execute("DELETE FROM schema_version WHERE version > 1")
    reopened = open_store(str(path))
    assert reopened.schema_version() == 4
    assert [c.resource_id for c in reopened.changes(0).changes] == ["z1"]
    assert reopened.heartbeat("r1", 10.0, 5.0) == 1
    reopened.close()


def test_replicas_back_from_a_common_stall_beat_at_once_without_an_error(store_url: str) -> None:
    # A database failover or a paused host stalls every replica at once; they come back
    # together, each finding the others' heartbeats expired. Two beating at the same moment
    # must both count the live ones, not deadlock on each other's expired rows.
    stores = [open_store(store_url), open_store(store_url)]
    errors: list[str] = []
    counts: list[int] = []
    try:
        for round_ in range(1, 31):
            now = 1000.0 * round_
            for store, owner in zip(stores, "AB", strict=True):
                store.heartbeat(owner, now, 1.0)
            together = threading.Barrier(2)

            def beat(store: Any, owner: str, now: float = now,
                     together: threading.Barrier = together) -> None:
                together.wait()
                try:
                    counts.append(store.heartbeat(owner, now + 100, 1.0))
                except Exception as error:  # noqa: BLE001 - the failure is the finding
                    errors.append(f"{type(error).__name__}: {error}")

            threads = [threading.Thread(target=beat, args=pair)
                       for pair in zip(stores, "AB", strict=True)]
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join()
    finally:
        for store in stores:
            store.close()
    assert errors == []
    assert len(counts) == 60 and set(counts) <= {1, 2}
