"""Versioned schema migrations of the tracker store, shared by SQLite and PostgreSQL.

Each migration is a list of statements that brings the schema from version N-1 to N; a store
records the version it reached in ``schema_version`` and applies only the missing steps, in one
transaction each. A store written by a newer tracker (a higher version) is refused rather than
guessed at.
"""

from __future__ import annotations

# {id} is the dialect's type of a 64-bit integer key, {real} of a float column.
MIGRATIONS: tuple[tuple[str, ...], ...] = (
    (
        # 1: the feed, the last known state of every resource, hooks and bookkeeping.
        """CREATE TABLE changes (
            id {id} PRIMARY KEY,
            account TEXT NOT NULL,
            resource_type TEXT NOT NULL,
            resource_id TEXT NOT NULL,
            old_state TEXT,
            new_state TEXT,
            observed_at {real} NOT NULL
        )""",
        "CREATE INDEX changes_account ON changes (account, id)",
        "CREATE INDEX changes_observed ON changes (observed_at)",
        """CREATE TABLE resources (
            account TEXT NOT NULL,
            resource_type TEXT NOT NULL,
            resource_id TEXT NOT NULL,
            state TEXT NOT NULL,
            PRIMARY KEY (account, resource_type, resource_id)
        )""",
        # A scope is (account, resource type) once polled: the first poll is the baseline.
        """CREATE TABLE scopes (
            account TEXT NOT NULL,
            resource_type TEXT NOT NULL,
            PRIMARY KEY (account, resource_type)
        )""",
        """CREATE TABLE hooks (
            id {id} PRIMARY KEY,
            account TEXT NOT NULL,
            resource_type TEXT NOT NULL,
            resource_id TEXT NOT NULL,
            target TEXT NOT NULL,
            token TEXT NOT NULL,
            cursor {id} NOT NULL,
            status TEXT NOT NULL,
            failures INTEGER NOT NULL,
            last_error TEXT,
            next_attempt_at {real} NOT NULL,
            lease_owner TEXT,
            lease_until {real} NOT NULL,
            UNIQUE (account, resource_type, resource_id)
        )""",
        "CREATE TABLE meta (name TEXT PRIMARY KEY, value {id} NOT NULL)",
        "INSERT INTO meta (name, value) VALUES ('last_change_id', 0)",
        "INSERT INTO meta (name, value) VALUES ('pruned_through', 0)",
        "INSERT INTO meta (name, value) VALUES ('last_hook_id', 0)",
    ),
    (
        # 2: replicas sharing the work: who is alive, and who polls which scope.
        """CREATE TABLE replicas (
            owner TEXT PRIMARY KEY,
            seen_at {real} NOT NULL
        )""",
        """CREATE TABLE poll_leases (
            account TEXT NOT NULL,
            resource_type TEXT NOT NULL,
            owner TEXT NOT NULL,
            lease_until {real} NOT NULL,
            PRIMARY KEY (account, resource_type)
        )""",
    ),
    (
        # 3: the keys that sign API session tokens, shared by the replicas. A key signs new
        # tokens until signs_until and verifies them until valid_until.
        """CREATE TABLE session_keys (
            id TEXT PRIMARY KEY,
            secret TEXT NOT NULL,
            signs_until {real} NOT NULL,
            valid_until {real} NOT NULL
        )""",
    ),
    (
        # 4: a hook's next changes found without reading its account's other changes: one
        # resource's (a hook on that resource) and one resource type's (a hook on the type).
        # Every delivery cycle asks this of every hook; a hook on a quiet resource in a busy
        # account would otherwise go through every change of the account since its cursor.
        "CREATE INDEX changes_resource ON changes (account, resource_type, resource_id, id)",
        "CREATE INDEX changes_type ON changes (account, resource_type, id)",
    ),
)

SCHEMA_VERSION = len(MIGRATIONS)
