"""SQLite, the embedded default: one file, one writer at a time."""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Any

from euca_boto.tracker.errors import StoreError


class SqliteDialect:
    name = "sqlite"

    @property
    def types(self) -> dict[str, str]:
        return {"id": "INTEGER", "real": "REAL"}

    def __init__(self, path: str) -> None:
        self.path = path
        parent = Path(path).expanduser().resolve().parent
        if path != ":memory:" and not parent.is_dir():
            raise StoreError(f"store file {path!r}: directory {str(parent)!r} does not exist")

    def connect(self) -> Any:
        # isolation_level=None: transactions are begun explicitly, so a write can take the
        # database lock up front (BEGIN IMMEDIATE) instead of upgrading half way through.
        conn = sqlite3.connect(self.path, timeout=30, isolation_level=None,
                               check_same_thread=False)
        conn.execute("PRAGMA journal_mode=WAL")
        # In WAL mode NORMAL survives a crash of the process; an OS crash may lose the last
        # transactions, which only repeats a delivery or re-detects a change at the next poll
        # (states and feed entries are written in one transaction).
        conn.execute("PRAGMA synchronous=NORMAL")
        return _Connection(conn)

    def sql(self, statement: str) -> str:
        return statement

    def begin_write(self, cursor: Any) -> None:
        cursor.execute("BEGIN IMMEDIATE")

    def alive(self, conn: Any) -> bool:
        return True  # a file: nothing drops it from the other side

    def describe(self) -> str:
        return f"sqlite:{self.path}"


class _Connection:
    """A sqlite3 connection in explicit-transaction mode with the DB-API commit/rollback."""

    def __init__(self, conn: sqlite3.Connection) -> None:
        self._conn = conn

    def cursor(self) -> Any:
        return _Cursor(self._conn)

    def commit(self) -> None:
        if self._conn.in_transaction:
            self._conn.execute("COMMIT")

    def rollback(self) -> None:
        if self._conn.in_transaction:
            self._conn.execute("ROLLBACK")

    def close(self) -> None:
        self._conn.close()


class _Cursor:
    """Starts a deferred transaction at the first statement, so reads see one snapshot."""

    def __init__(self, conn: sqlite3.Connection) -> None:
        self._conn = conn
        self._cursor = conn.cursor()

    def execute(self, statement: str, params: Any = ()) -> Any:
        if not self._conn.in_transaction and not statement.startswith("BEGIN"):
            self._cursor.execute("BEGIN")
        self._cursor.execute(statement, params)
        return self

    def executemany(self, statement: str, rows: Any) -> Any:
        if not self._conn.in_transaction:
            self._cursor.execute("BEGIN")
        self._cursor.executemany(statement, rows)
        return self

    def fetchone(self) -> Any:
        return self._cursor.fetchone()

    def fetchall(self) -> Any:
        return self._cursor.fetchall()

    @property
    def rowcount(self) -> int:
        return self._cursor.rowcount

    def close(self) -> None:
        self._cursor.close()
