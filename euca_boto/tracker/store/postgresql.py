"""PostgreSQL, for several tracker processes or hosts sharing one feed.

Writers serialise on a transaction-scoped advisory lock, so ids are committed in order across
processes (a sequence alone would let a later id commit before an earlier one).
"""

from __future__ import annotations

import select
from typing import Any
from urllib.parse import urlsplit, urlunsplit

from euca_boto.tracker.errors import StoreError

# The advisory lock key of the feed's writers ("euca-tracker" folded into a bigint); an
# operator sees it in pg_locks while a write waits (classid and objid: its high and low halves).
WRITE_LOCK_KEY = 0x6575636174726B


class PostgresDialect:
    name = "postgresql"

    @property
    def types(self) -> dict[str, str]:
        return {"id": "BIGINT", "real": "DOUBLE PRECISION"}

    def __init__(self, url: str) -> None:
        try:
            import psycopg
        except ImportError:
            raise StoreError(
                "a postgresql:// store needs psycopg: pip install 'euca-boto[tracker]'"
            ) from None
        self._psycopg = psycopg
        self.url = url
        self.connect().close()

    def connect(self) -> Any:
        try:
            return self._psycopg.connect(self.url, connect_timeout=10)
        except self._psycopg.OperationalError as error:
            raise StoreError(f"cannot connect to store {self.describe()}: {error}") from None

    def sql(self, statement: str) -> str:
        return statement.replace("?", "%s")

    def begin_write(self, cursor: Any) -> None:
        cursor.execute("SELECT pg_advisory_xact_lock(%s)", (WRITE_LOCK_KEY,))

    def alive(self, conn: Any) -> bool:
        if conn.closed:
            return False
        # An idle connection has nothing to read (the tracker does not LISTEN): a readable
        # socket holds the server's goodbye (a restart, pg_terminate_backend, a proxy's
        # timeout) or its end of file. (A rare notice costs one reconnect.) One poll of the
        # socket, no round trip: poll(), as select() cannot watch a descriptor past 1024, where
        # a busy tracker's connections are.
        try:
            return not _readable(conn.fileno())
        except (OSError, ValueError):
            return False

    def describe(self) -> str:
        parts = urlsplit(self.url)
        netloc = parts.hostname or ""
        if parts.username:
            netloc = f"{parts.username}@{netloc}"
        if parts.port:
            netloc += f":{parts.port}"
        return urlunsplit((parts.scheme, netloc, parts.path, "", ""))


def _readable(descriptor: int) -> bool:
    """Whether ``descriptor`` has something to read (or is closed), without waiting."""
    if not hasattr(select, "poll"):  # Windows: its select() takes any socket
        return bool(select.select([descriptor], [], [], 0)[0])
    watch = select.poll()
    watch.register(descriptor, select.POLLIN)
    return bool(watch.poll(0))
