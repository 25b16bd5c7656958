"""Durable storage of the tracker's feed, resource states and hooks.

``open_store(url)`` picks the backend from the URL: a file path or ``sqlite:///path`` for the
embedded default, ``postgresql://...`` when several tracker processes share one feed.
"""

from __future__ import annotations

from euca_boto.tracker.errors import StoreError
from euca_boto.tracker.store.base import SqlStore


def open_store(url: str) -> SqlStore:
    """Open (creating and migrating as needed) the store at ``url``."""
    if url.startswith(("postgresql://", "postgres://")):
        from euca_boto.tracker.store.postgresql import PostgresDialect

        return SqlStore(PostgresDialect(url))
    if url.startswith("sqlite://"):
        path = url[len("sqlite://"):]
        if not path.startswith("/"):
            raise StoreError(
                f"store URL {url!r}: write sqlite:///relative.db or sqlite:////absolute/path.db"
            )
        path = path[1:]
    elif "://" in url:
        raise StoreError(
            f"store URL {url!r}: unsupported scheme; use a file path, sqlite:///file.db "
            f"or postgresql://user@host/db"
        )
    else:
        path = url
    if not path:
        raise StoreError(f"store URL {url!r} names no file")
    from euca_boto.tracker.store.sqlite import SqliteDialect

    return SqlStore(SqliteDialect(path))


__all__ = ["SqlStore", "StoreError", "open_store"]
