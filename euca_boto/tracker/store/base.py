"""The tracker store: one SQL implementation over a small dialect (SQLite or PostgreSQL).

Every write that touches the feed runs under the dialect's store-wide write lock, so change ids
are handed out and committed in order: a reader that saw id N never later finds an id below N
appear. That is what makes a cursor (``since``) safe to resume from.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from typing import Any, Protocol

from euca_boto.tracker.errors import CursorExpired, InvalidRequest, StoreError, one_line
from euca_boto.tracker.model import ACTIVE, SUSPENDED, Change, Hook, Page
from euca_boto.tracker.store.migrations import MIGRATIONS, SCHEMA_VERSION

MAX_PAGE = 10_000

# A session key as stored: id, secret (hex), signs until, valid until (Unix times).
SessionKeyRow = tuple[str, str, float, float]

_CHANGE_COLUMNS = "id, account, resource_type, resource_id, old_state, new_state, observed_at"
# The columns are the keys of Change.to_dict, and their types its values' (integer id, float
# time), in SQLite and PostgreSQL alike.
_CHANGE_KEYS = tuple(_CHANGE_COLUMNS.split(", "))
_HOOK_COLUMNS = (
    "id, account, resource_type, resource_id, target, token, cursor, status, failures, "
    "last_error, next_attempt_at"
)


class Dialect(Protocol):
    """What differs between the SQL backends."""

    name: str

    @property
    def types(self) -> Mapping[str, str]:
        """Placeholders of migrations.py -> column types."""
        ...

    def connect(self) -> Any:
        """A new DB-API connection, not in autocommit mode."""
        ...

    def sql(self, statement: str) -> str:
        """``statement`` (written with ``?`` placeholders) in the backend's parameter style."""
        ...

    def begin_write(self, cursor: Any) -> None:
        """Start a transaction holding the store-wide write lock until commit."""
        ...

    def alive(self, conn: Any) -> bool:
        """Whether an idle connection of ``connect()`` can still be used (no round trip)."""
        ...

    def describe(self) -> str:
        """The store, for logs and ``/health`` (never a password)."""
        ...


class SqlStore:
    """The feed, the last known resource states and the hooks. Safe to share between threads:
    each thread uses its own connection."""

    def __init__(self, dialect: Dialect) -> None:
        self.dialect = dialect
        self._local = threading.local()
        self._connections: list[Any] = []
        self._connections_lock = threading.Lock()
        self.migrate()

    # Connections and transactions --------------------------------------------------------------

    def _connection(self) -> Any:
        conn = getattr(self._local, "conn", None)
        if conn is not None and not self.dialect.alive(conn):
            # The server dropped it while it was idle (a restart, a failover, a proxy's idle
            # timeout): this call and later ones get a new connection instead of an error.
            self._forget(conn)
            conn = None
        if conn is None:
            conn = self.dialect.connect()
            self._local.conn = conn
            with self._connections_lock:
                self._connections.append(conn)
        return conn

    @contextmanager
    def _transaction(self, write: bool = False) -> Iterator[Any]:
        conn = self._connection()
        cursor = conn.cursor()
        try:
            if write:
                self.dialect.begin_write(cursor)
            yield cursor
            conn.commit()
        except BaseException as exc:
            try:
                conn.rollback()
            except Exception:  # noqa: BLE001 - a dropped connection cannot roll back (the
                pass  # server did); the error that dropped it is the one to report
            if isinstance(exc, Exception) and not self.dialect.alive(conn):
                # Dropped during this transaction: whether it committed is unknown, so it is
                # not repeated here; the caller's next call reconnects.
                self._forget(conn)
                raise StoreError(f"the connection to store {self.describe()} was lost: "
                                 f"{one_line(exc)}; the next call reconnects") from exc
            raise
        finally:
            cursor.close()

    def _forget(self, conn: Any) -> None:
        """Drop a dead connection of this thread; the next call opens another."""
        self._local.conn = None
        with self._connections_lock:
            self._connections = [c for c in self._connections if c is not conn]
        try:
            conn.close()
        except Exception:  # noqa: BLE001 - it is dead already; closing only frees the socket
            pass

    def _execute(self, cursor: Any, statement: str, params: tuple[Any, ...] = ()) -> Any:
        cursor.execute(self.dialect.sql(statement), params)
        return cursor

    def close(self) -> None:
        """Close every connection this store opened."""
        with self._connections_lock:
            connections, self._connections = self._connections, []
        for conn in connections:
            try:
                conn.close()
            except Exception:  # noqa: BLE001 - closing is best effort; the process may be exiting
                pass
        self._local = threading.local()

    def describe(self) -> str:
        return self.dialect.describe()

    # Schema ------------------------------------------------------------------------------------

    def migrate(self) -> int:
        """Bring the schema to the current version; returns the version reached."""
        with self._transaction(write=True) as cur:
            self._execute(
                cur, "CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL)")
            row = self._execute(cur, "SELECT max(version) FROM schema_version").fetchone()
            current = row[0] or 0
            if current > SCHEMA_VERSION:
                raise StoreError(
                    f"store {self.describe()} has schema version {current}, newer than this "
                    f"tracker understands ({SCHEMA_VERSION}); upgrade euca-boto"
                )
            for version in range(current + 1, SCHEMA_VERSION + 1):
                for statement in MIGRATIONS[version - 1]:
                    self._execute(cur, statement.format(**self.dialect.types))
                self._execute(cur, "INSERT INTO schema_version (version) VALUES (?)", (version,))
            return SCHEMA_VERSION

    def schema_version(self) -> int:
        with self._transaction() as cur:
            row = self._execute(cur, "SELECT max(version) FROM schema_version").fetchone()
            return int(row[0] or 0)

    # Observations -> feed ----------------------------------------------------------------------

    def apply(
        self,
        account: str,
        resource_type: str,
        states: Mapping[str, str],
        observed_at: float,
    ) -> list[Change]:
        """Record a complete listing of one resource type of one account.

        Returns the changes it made to the feed, in id order: a resource whose state differs
        from the last known one, one that appeared (``old_state`` None) and one that is gone
        (``new_state`` None). The first listing of a scope is the baseline and adds no entries.
        """
        with self._transaction(write=True) as cur:
            known = dict(self._execute(
                cur,
                "SELECT resource_id, state FROM resources WHERE account = ? AND resource_type = ?",
                (account, resource_type),
            ).fetchall())
            baseline = self._execute(
                cur, "SELECT 1 FROM scopes WHERE account = ? AND resource_type = ?",
                (account, resource_type),
            ).fetchone() is None
            transitions: list[tuple[str, str | None, str | None]] = []
            for resource_id, state in states.items():
                old = known.get(resource_id)
                if old != state:
                    transitions.append((resource_id, old, state))
            for resource_id, old in known.items():
                if resource_id not in states:
                    transitions.append((resource_id, old, None))
            transitions.sort(key=lambda t: t[0])
            if baseline:
                self._execute(
                    cur, "INSERT INTO scopes (account, resource_type) VALUES (?, ?)",
                    (account, resource_type),
                )
            upserts = [(account, resource_type, rid, new) for rid, _, new in transitions if new]
            removals = [(account, resource_type, rid) for rid, _, new in transitions if not new]
            if upserts:
                cur.executemany(self.dialect.sql(
                    "INSERT INTO resources (account, resource_type, resource_id, state) "
                    "VALUES (?, ?, ?, ?) ON CONFLICT (account, resource_type, resource_id) "
                    "DO UPDATE SET state = excluded.state"), upserts)
            if removals:
                cur.executemany(self.dialect.sql(
                    "DELETE FROM resources WHERE account = ? AND resource_type = ? "
                    "AND resource_id = ?"), removals)
            if baseline or not transitions:
                return []
            last = self._meta(cur, "last_change_id")
            changes = [
                Change(last + n, account, resource_type, rid, old, new, observed_at)
                for n, (rid, old, new) in enumerate(transitions, start=1)
            ]
            cur.executemany(self.dialect.sql(
                f"INSERT INTO changes ({_CHANGE_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?)"),
                [(c.id, c.account, c.resource_type, c.resource_id, c.old_state, c.new_state,
                  c.observed_at) for c in changes])
            self._set_meta(cur, "last_change_id", changes[-1].id)
            return changes

    def state_of(self, account: str, resource_type: str, resource_id: str) -> str | None:
        """The last known state of a resource of ``account``, or None if never seen there."""
        with self._transaction() as cur:
            row = self._execute(
                cur,
                "SELECT state FROM resources WHERE account = ? AND resource_type = ? "
                "AND resource_id = ?",
                (account, resource_type, resource_id),
            ).fetchone()
            return None if row is None else str(row[0])

    # The feed ----------------------------------------------------------------------------------

    def changes(self, since: int = 0, limit: int = 1000, account: str | None = None) -> Page:
        """Entries with an id above ``since``, in order (only ``account``'s when given).

        Raises :class:`CursorExpired` when retention removed entries after ``since``.
        """
        rows, next_cursor = self._change_rows(since, limit, account)
        return Page([_change(row) for row in rows], next_cursor)

    def change_entries(
        self, since: int = 0, limit: int = 1000, account: str | None = None
    ) -> tuple[list[dict[str, Any]], int]:
        """The page :meth:`changes` reads, as the entries' ``Change.to_dict`` forms and the
        next cursor: for the API, which only encodes them."""
        rows, next_cursor = self._change_rows(since, limit, account)
        return [dict(zip(_CHANGE_KEYS, row, strict=True)) for row in rows], next_cursor

    def _change_rows(self, since: int, limit: int, account: str | None) -> tuple[list[Any], int]:
        if isinstance(since, bool) or not isinstance(since, int) or since < 0:
            raise InvalidRequest(f"since must be an integer >= 0, got {since!r}")
        if isinstance(limit, bool) or not isinstance(limit, int) or not 1 <= limit <= MAX_PAGE:
            raise InvalidRequest(f"limit must be an integer from 1 to {MAX_PAGE}, got {limit!r}")
        with self._transaction() as cur:
            # The head is read first and bounds the rows: under READ COMMITTED each statement
            # has its own snapshot, and entries committed in between must not be skipped.
            meta = dict(self._execute(
                cur, "SELECT name, value FROM meta WHERE name IN (?, ?)",
                ("pruned_through", "last_change_id")).fetchall())
            pruned, head = int(meta["pruned_through"]), int(meta["last_change_id"])
            if since < pruned:
                raise CursorExpired(since, pruned)
            if account is None:
                rows = self._execute(
                    cur,
                    f"SELECT {_CHANGE_COLUMNS} FROM changes WHERE id > ? AND id <= ? "
                    "ORDER BY id LIMIT ?",
                    (since, head, limit),
                ).fetchall()
            else:
                rows = self._execute(
                    cur,
                    f"SELECT {_CHANGE_COLUMNS} FROM changes WHERE account = ? AND id > ? "
                    "AND id <= ? ORDER BY id LIMIT ?",
                    (account, since, head, limit),
                ).fetchall()
            if len(rows) < limit:
                # Caught up: the next cursor is the feed's head, so a reader of one account
                # does not rescan the other accounts' entries it skipped.
                return rows, max(head, since)
            return rows, int(rows[-1][0])

    def latest_id(self) -> int:
        with self._transaction() as cur:
            return self._meta(cur, "last_change_id")

    def prune(self, observed_before: float) -> int:
        """Remove entries observed before ``observed_before`` that every active hook has
        received; returns how many were removed."""
        with self._transaction(write=True) as cur:
            row = self._execute(
                cur, "SELECT max(id) FROM changes WHERE observed_at < ?", (observed_before,)
            ).fetchone()
            through = row[0]
            if through is None:
                return 0
            held = self._execute(
                cur, "SELECT min(cursor) FROM hooks WHERE status = ?", (ACTIVE,)
            ).fetchone()[0]
            if held is not None:
                through = min(through, held)
            if through <= self._meta(cur, "pruned_through"):
                return 0
            removed = self._execute(cur, "DELETE FROM changes WHERE id <= ?", (through,)).rowcount
            self._set_meta(cur, "pruned_through", through)
            return int(removed)

    # Hooks -------------------------------------------------------------------------------------

    def put_hook(
        self, account: str, resource_type: str, resource_id: str, target: str, token: str
    ) -> Hook:
        """Register (or replace) the hook of a resource, or of a type when ``resource_id`` is
        empty, and make it active.

        A new hook, or one given a new target, starts after the current head of the feed. The
        same target registered again (to resume a suspended hook) keeps its cursor, so it gets
        what it missed, as far as retention kept it.
        """
        with self._transaction(write=True) as cur:
            head = self._meta(cur, "last_change_id")
            row = self._execute(
                cur,
                "SELECT id, target, cursor FROM hooks "
                "WHERE account = ? AND resource_type = ? AND resource_id = ?",
                (account, resource_type, resource_id),
            ).fetchone()
            if row is None:
                hook_id = self._meta(cur, "last_hook_id") + 1
                self._set_meta(cur, "last_hook_id", hook_id)
                self._execute(
                    cur,
                    f"INSERT INTO hooks ({_HOOK_COLUMNS}, lease_owner, lease_until) "
                    "VALUES (?, ?, ?, ?, ?, ?, ?, ?, 0, NULL, 0, NULL, 0)",
                    (hook_id, account, resource_type, resource_id, target, token, head, ACTIVE),
                )
            else:
                hook_id = row[0]
                if row[1] == target:
                    head = max(int(row[2]), self._meta(cur, "pruned_through"))
                self._execute(
                    cur,
                    "UPDATE hooks SET target = ?, token = ?, cursor = ?, status = ?, "
                    "failures = 0, last_error = NULL, next_attempt_at = 0 WHERE id = ?",
                    (target, token, head, ACTIVE, hook_id),
                )
            return self._hook(cur, hook_id)

    def delete_hook(self, account: str, resource_type: str, resource_id: str) -> bool:
        with self._transaction(write=True) as cur:
            deleted = self._execute(
                cur,
                "DELETE FROM hooks WHERE account = ? AND resource_type = ? AND resource_id = ?",
                (account, resource_type, resource_id),
            ).rowcount
            return bool(deleted)

    def hooks(self, account: str | None = None) -> list[Hook]:
        with self._transaction() as cur:
            if account is None:
                rows = self._execute(cur, f"SELECT {_HOOK_COLUMNS} FROM hooks ORDER BY id")
            else:
                rows = self._execute(
                    cur, f"SELECT {_HOOK_COLUMNS} FROM hooks WHERE account = ? ORDER BY id",
                    (account,),
                )
            return [_hook(row) for row in rows.fetchall()]

    def due_hooks(self, now: float) -> list[Hook]:
        """The active hooks that have changes to send and are not waiting after a failure
        (their next attempt is not after ``now``), by id: what a delivery cycle shares out.
        Hooks with nothing to send are left out, so that they take no replica's share."""
        with self._transaction() as cur:
            rows = self._execute(
                cur,
                # A hook's last change, of its resource or of its resource type, is the last
                # entry of an index (migration 4): found at once, whatever the planner knows
                # of the table, where a search for any change after the cursor could read
                # every change of the account since.
                f"SELECT {_HOOK_COLUMNS} FROM hooks h WHERE h.status = ? "
                "AND h.next_attempt_at <= ? AND h.cursor < CASE WHEN h.resource_id = '' "
                "THEN (SELECT max(c.id) FROM changes c WHERE c.account = h.account "
                "AND c.resource_type = h.resource_type) "
                "ELSE (SELECT max(c.id) FROM changes c WHERE c.account = h.account "
                "AND c.resource_type = h.resource_type AND c.resource_id = h.resource_id) END "
                "ORDER BY h.id",
                (ACTIVE, now),
            )
            return [_hook(row) for row in rows.fetchall()]

    def get_hook(self, hook_id: int) -> Hook | None:
        with self._transaction() as cur:
            return self._hook(cur, hook_id, missing_ok=True)

    def lease(self, hook_id: int, owner: str, now: float, seconds: float) -> bool:
        """Claim delivery of a hook for ``seconds`` unless another process holds it."""
        with self._transaction() as cur:
            claimed = self._execute(
                cur,
                "UPDATE hooks SET lease_owner = ?, lease_until = ? WHERE id = ? "
                "AND (lease_owner IS NULL OR lease_owner = ? OR lease_until < ?)",
                (owner, now + seconds, hook_id, owner, now),
            ).rowcount
            return bool(claimed)

    def release(self, hook_id: int, owner: str) -> None:
        with self._transaction() as cur:
            self._execute(
                cur,
                "UPDATE hooks SET lease_owner = NULL, lease_until = 0 "
                "WHERE id = ? AND lease_owner = ?",
                (hook_id, owner),
            )

    # Replicas --------------------------------------------------------------------------------

    def heartbeat(self, owner: str, now: float, ttl: float) -> int:
        """Record that replica ``owner`` is alive; returns how many replicas are (seen within
        ``ttl`` seconds), forgetting those that are not."""
        # Two transactions, never one: a transaction that renewed its own row and then deleted
        # expired ones would wait for another replica doing the same the other way round (both
        # back from one stall, each seeing the other expired), a deadlock. Deleting first, holding
        # nothing, and counting by time, cannot wait in a cycle.
        with self._transaction() as cur:
            self._execute(cur, "DELETE FROM replicas WHERE seen_at < ? AND owner <> ?",
                          (now - ttl, owner))
        with self._transaction() as cur:
            self._execute(
                cur,
                "INSERT INTO replicas (owner, seen_at) VALUES (?, ?) ON CONFLICT (owner) "
                "DO UPDATE SET seen_at = excluded.seen_at", (owner, now))
            row = self._execute(
                cur, "SELECT count(*) FROM replicas WHERE seen_at >= ?", (now - ttl,)).fetchone()
            return max(1, int(row[0]))

    def lease_scope(
        self, account: str, resource_type: str, owner: str, now: float, seconds: float
    ) -> bool:
        """Claim (or renew) the polling of one account's resource type for ``seconds``,
        unless another live replica holds it."""
        with self._transaction() as cur:
            claimed = self._execute(
                cur,
                "INSERT INTO poll_leases (account, resource_type, owner, lease_until) "
                "VALUES (?, ?, ?, ?) ON CONFLICT (account, resource_type) DO UPDATE SET "
                "owner = excluded.owner, lease_until = excluded.lease_until "
                "WHERE poll_leases.owner = excluded.owner OR poll_leases.lease_until < ?",
                (account, resource_type, owner, now + seconds, now),
            ).rowcount
            return bool(claimed)

    def release_scope(self, account: str, resource_type: str, owner: str) -> None:
        with self._transaction() as cur:
            self._execute(
                cur,
                "DELETE FROM poll_leases WHERE account = ? AND resource_type = ? AND owner = ?",
                (account, resource_type, owner))

    def leave(self, owner: str) -> None:
        """Replica ``owner`` stops: its scopes and its place among the live go at once."""
        with self._transaction() as cur:
            self._execute(cur, "DELETE FROM poll_leases WHERE owner = ?", (owner,))
            self._execute(cur, "DELETE FROM replicas WHERE owner = ?", (owner,))

    def scopes_held(self, owner: str, now: float) -> set[tuple[str, str]]:
        """The (account, resource type) scopes whose polling ``owner`` holds."""
        with self._transaction() as cur:
            rows = self._execute(
                cur, "SELECT account, resource_type FROM poll_leases WHERE owner = ? "
                "AND lease_until >= ?", (owner, now)).fetchall()
            return {(str(a), str(t)) for a, t in rows}

    # Session keys ------------------------------------------------------------------------------

    def session_keys(self, now: float) -> list[SessionKeyRow]:
        """The keys that still verify session tokens at ``now``."""
        with self._transaction() as cur:
            rows = self._execute(
                cur, "SELECT id, secret, signs_until, valid_until FROM session_keys "
                "WHERE valid_until > ?", (now,)).fetchall()
            return [_session_key(row) for row in rows]

    def signing_key(self, now: float, new: SessionKeyRow) -> SessionKeyRow:
        """The key that signs session tokens at ``now``: the newest one still signing, or
        ``new`` when there is none (one key, whichever replica asks first). Keys past their
        validity are removed."""
        with self._transaction(write=True) as cur:
            self._execute(cur, "DELETE FROM session_keys WHERE valid_until <= ?", (now,))
            row = self._execute(
                cur, "SELECT id, secret, signs_until, valid_until FROM session_keys "
                "WHERE signs_until > ? ORDER BY signs_until DESC LIMIT 1", (now,)).fetchone()
            if row is not None:
                return _session_key(row)
            self._execute(
                cur, "INSERT INTO session_keys (id, secret, signs_until, valid_until) "
                "VALUES (?, ?, ?, ?)", new)
            return new

    def pending(self, hook: Hook, limit: int = 100) -> list[Change]:
        """The next changes a hook has to deliver, in order."""
        params: tuple[Any, ...] = (hook.account, hook.resource_type, hook.cursor)
        where = "account = ? AND resource_type = ? AND id > ?"
        if hook.resource_id:
            where += " AND resource_id = ?"
            params += (hook.resource_id,)
        with self._transaction() as cur:
            rows = self._execute(
                cur, f"SELECT {_CHANGE_COLUMNS} FROM changes WHERE {where} ORDER BY id LIMIT ?",
                (*params, limit),
            ).fetchall()
            return [_change(row) for row in rows]

    def delivered(self, hook_id: int, change_id: int) -> None:
        """Record that a hook received everything up to ``change_id``."""
        with self._transaction() as cur:
            self._execute(
                cur,
                "UPDATE hooks SET cursor = ?, failures = 0, last_error = NULL, "
                "next_attempt_at = 0 WHERE id = ? AND cursor < ?",
                (change_id, hook_id, change_id),
            )

    def failed(
        self, hook_id: int, error: str, next_attempt_at: float, suspend_after: int
    ) -> Hook | None:
        """Record a failed delivery; the hook is suspended at ``suspend_after`` failures."""
        with self._transaction() as cur:
            self._execute(
                cur,
                "UPDATE hooks SET failures = failures + 1, last_error = ?, next_attempt_at = ?, "
                "status = CASE WHEN failures + 1 >= ? THEN ? ELSE status END WHERE id = ?",
                (error, next_attempt_at, suspend_after, SUSPENDED, hook_id),
            )
            return self._hook(cur, hook_id, missing_ok=True)

    # Helpers -----------------------------------------------------------------------------------

    def _meta(self, cur: Any, name: str) -> int:
        row = self._execute(cur, "SELECT value FROM meta WHERE name = ?", (name,)).fetchone()
        return int(row[0])

    def _set_meta(self, cur: Any, name: str, value: int) -> None:
        self._execute(cur, "UPDATE meta SET value = ? WHERE name = ?", (value, name))

    def _hook(self, cur: Any, hook_id: int, missing_ok: bool = False) -> Any:
        row = self._execute(
            cur, f"SELECT {_HOOK_COLUMNS} FROM hooks WHERE id = ?", (hook_id,)
        ).fetchone()
        if row is None and missing_ok:
            return None
        return _hook(row)


def _session_key(row: Any) -> SessionKeyRow:
    return str(row[0]), str(row[1]), float(row[2]), float(row[3])


def _change(row: Any) -> Change:
    return Change(int(row[0]), row[1], row[2], row[3], row[4], row[5], float(row[6]))


def _hook(row: Any) -> Hook:
    return Hook(
        id=int(row[0]), account=row[1], resource_type=row[2], resource_id=row[3], target=row[4],
        token=row[5], cursor=int(row[6]), status=row[7], failures=int(row[8]),
        last_error=row[9], next_attempt_at=float(row[10]),
    )
