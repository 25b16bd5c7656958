"""State remembered across the processes of one machine: a SQLite file, no server.

Endpoint ejections and circuit-breaker state outlive the process that learnt them, so the next
``aws`` command does not try a dead endpoint first and an open breaker stays open. Every process
of the user shares one file (``euca_state = local``: ``$XDG_CACHE_HOME/euca-boto/state.sqlite3``);
WAL mode, a busy timeout and one short transaction per change keep concurrent processes safe.
Calls never read the file: it is read when a client is first created and again at most every
few seconds, and written when state changes (an ejection; a breaker's window, which counts
every call). Times in it are wall-clock seconds, the only
clock two processes share. A file that cannot be used is reported once and then left alone; the
process goes on with its state in memory, and no call fails because of it.

No connection crosses a fork. SQLite keeps what each process holds of a file (its locks, its
view of the write-ahead log) in the process's memory, which a fork child copies: a connection
the child opens beside an inherited one shares that bookkeeping, so it can believe the parent's
locks are its own and lose its writes. So the parent closes its connections just before it
forks (waiting up to :data:`FORK_WAIT` for a thread inside an operation to finish) and opens
them again on its next operation; the child opens its own. A file that a parent thread was
still using when the wait ended is left to the parent: the child keeps its state in memory and
says so once.
"""

from __future__ import annotations

import logging
import os
import time
import weakref
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final, TypeVar

from euca_boto.core import process
from euca_boto.core.privatefiles import cache_dir, private_file
from euca_boto.core.records import Record
from euca_boto.core.setting_kinds import LOCAL, MEMORY
from euca_boto.core.settings import set_host_default

if TYPE_CHECKING:
    import sqlite3

log = logging.getLogger("euca_boto.state")

# How long a process waits for another one's write before it goes on without the file.
BUSY_TIMEOUT = 2.0
# How often a process re-reads what other processes have written (seconds).
REREAD_AFTER = 2.0
# How long an endpoint's record is kept after its last change and the end of its ejection.
FORGET_AFTER = 24 * 3600.0
# How long a fork waits for a thread inside an operation on a state file (one busy timeout, and
# a little more for the operation itself).
FORK_WAIT = BUSY_TIMEOUT + 1.0

_SCHEMA = """
CREATE TABLE IF NOT EXISTS ejections (
    url TEXT PRIMARY KEY,
    failures INTEGER NOT NULL,
    ejected_until REAL NOT NULL,
    last_failure REAL NOT NULL,
    last_error TEXT,
    changed REAL NOT NULL
);
CREATE TABLE IF NOT EXISTS breakers (
    name TEXT PRIMARY KEY,
    state TEXT NOT NULL,
    failures INTEGER NOT NULL,
    successes INTEGER NOT NULL,
    opened_at REAL,
    probes INTEGER NOT NULL,
    probe_at REAL NOT NULL,
    next_probe REAL,
    outcomes TEXT NOT NULL DEFAULT ''
);
"""
# Columns added since the first version, added to files made before them (ALTER TABLE).
_ADDED_COLUMNS = (("breakers", "outcomes", "TEXT NOT NULL DEFAULT ''"),)

# Named in every statement, in the order of the records' fields, so that columns a later version
# adds do not disturb this one.
_EJECTION_COLUMNS = "url, failures, ejected_until, last_failure, last_error, changed"
_BREAKER_COLUMNS = ("name, state, failures, successes, opened_at, probes, probe_at, next_probe, "
                    "outcomes")

T = TypeVar("T")


def default_path() -> Path:
    """The file of ``euca_state = local``: in ``$XDG_CACHE_HOME`` (else ``~/.cache``)."""
    return Path(cache_dir()) / "state.sqlite3"


def path_of(place: str) -> Path | None:
    """The file an ``euca_state`` value names (None for ``memory``)."""
    if place == MEMORY:
        return None
    if place == LOCAL:
        return default_path()
    return Path(place)


def use_local_by_default(host: str) -> None:
    """Make ``euca_state = local`` the default of this process (a tool run as a series of short
    commands, such as the AWS CLI); a value in the profile, the environment or an argument
    still wins. ``host`` names the tool in ``euca-boto config``."""
    set_host_default("euca_state", LOCAL, host)


class Ejection(Record):
    """An endpoint's ejection as the file keeps it (wall-clock seconds)."""

    __slots__ = ("url", "failures", "ejected_until", "last_failure", "last_error", "changed")

    def __init__(self, url: str, failures: int, ejected_until: float, last_failure: float,
                 last_error: str | None, changed: float) -> None:
        self.url: Final = url
        self.failures: Final = failures
        self.ejected_until: Final = ejected_until
        self.last_failure: Final = last_failure
        self.last_error: Final = last_error
        # when a process last changed it: the newer change wins
        self.changed: Final = changed


class BreakerRow(Record):
    """A breaker's state as the file keeps it (wall-clock seconds)."""

    __slots__ = ("name", "state", "failures", "successes", "opened_at", "probes", "probe_at",
                 "next_probe", "outcomes")

    def __init__(self, name: str, state: str, failures: int, successes: int,
                 opened_at: float | None, probes: int, probe_at: float, next_probe: float | None,
                 outcomes: str = "") -> None:
        self.name: Final = name
        self.state: Final = state
        self.failures: Final = failures
        self.successes: Final = successes
        self.opened_at: Final = opened_at
        self.probes: Final = probes
        self.probe_at: Final = probe_at
        self.next_probe: Final = next_probe
        self.outcomes: Final = outcomes


class StateFile:
    """One state file, opened on first use. Thread safe; safe to share with other processes.

    Every operation answers None when the file cannot be used (reported once) or stays busy
    longer than :data:`BUSY_TIMEOUT`; callers then keep their state in memory.
    """

    def __init__(self, path: Path, report: bool = True) -> None:
        self.path = path
        self._report = report  # False: the owner reports :attr:`problem` itself
        self._lock = process.lock()
        self._connection: sqlite3.Connection | None = None
        self._held_for_fork = False
        self._busy_at_fork = False
        self.problem: str | None = None  # why the file is not used, once it is not
        _EVERY_FILE.add(self)

    # -- endpoint ejections -------------------------------------------------------------------

    def ejections(self) -> dict[str, Ejection] | None:
        rows = self._run(lambda db: db.execute(
            f"SELECT {_EJECTION_COLUMNS} FROM ejections").fetchall())
        return None if rows is None else {row[0]: Ejection(*row) for row in rows}

    def save_ejection(self, ejection: Ejection) -> None:
        """Store an ejection or a re-admission (``failures`` 0) unless a newer one is there."""

        def transaction(db: sqlite3.Connection) -> None:
            db.execute(
                f"INSERT INTO ejections ({_EJECTION_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?) "
                "ON CONFLICT(url) DO UPDATE SET failures = excluded.failures, "
                "ejected_until = excluded.ejected_until, "
                "last_failure = excluded.last_failure, last_error = excluded.last_error, "
                "changed = excluded.changed WHERE excluded.changed >= ejections.changed",
                (ejection.url, ejection.failures, ejection.ejected_until,
                 ejection.last_failure, ejection.last_error, ejection.changed))
            # Endpoints nobody has heard of for a day (gone, or healthy since) are forgotten,
            # so the table every process reads stays as small as the clouds in use.
            db.execute("DELETE FROM ejections WHERE changed < ? AND ejected_until < ?",
                       (ejection.changed - FORGET_AFTER, ejection.changed))

        self._run(transaction, write=True)

    # -- breakers -----------------------------------------------------------------------------

    def breaker(self, name: str) -> BreakerRow | None:
        """The breaker's row; None if it has none or the file cannot be used."""
        return self._run(lambda db: _breaker_row(db, name))

    def breakers(self) -> list[BreakerRow] | None:
        rows = self._run(lambda db: db.execute(
            f"SELECT {_BREAKER_COLUMNS} FROM breakers ORDER BY name").fetchall())
        return None if rows is None else [BreakerRow(*row) for row in rows]

    def change_breaker(self, name: str,
                       change: Callable[[BreakerRow | None], tuple[BreakerRow, T]]
                       ) -> tuple[BreakerRow, T] | None:
        """Apply ``change`` to the breaker's row in one transaction; the new row and what
        ``change`` answered, or None when the file cannot be used."""

        def transaction(db: sqlite3.Connection) -> tuple[BreakerRow, T]:
            found = _breaker_row(db, name)
            new, result = change(found)
            if new != found:
                db.execute(f"INSERT OR REPLACE INTO breakers ({_BREAKER_COLUMNS}) "
                           "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                           (new.name, new.state, new.failures, new.successes, new.opened_at,
                            new.probes, new.probe_at, new.next_probe, new.outcomes))
            return new, result

        return self._run(transaction, write=True)

    # -- the connection -----------------------------------------------------------------------

    def _run(self, operation: Callable[[sqlite3.Connection], T], write: bool = False) -> T | None:
        import sqlite3

        if self.problem is not None:
            return None
        with self._lock:
            try:
                db = self._open()
                with _transaction(db, write):
                    return operation(db)
            except sqlite3.OperationalError as error:
                if _busy(error):
                    log.debug("state file %s is busy (%s); this change stays in memory",
                              self.path, error)
                    return None
                self._give_up(error)
            except (sqlite3.Error, OSError) as error:
                self._give_up(error)
            return None

    def _open(self) -> sqlite3.Connection:
        import sqlite3

        if self._connection is not None:
            return self._connection
        # A private file of this user: anyone who could write it could steer the calls (and
        # SQLite's journal files take the file's mode).
        private_file(self.path)
        db = sqlite3.connect(self.path, timeout=BUSY_TIMEOUT, isolation_level=None,
                             check_same_thread=False)
        try:
            _prepare(db)
        except BaseException:
            db.close()
            raise
        self._connection = db
        return db

    def _give_up(self, error: BaseException) -> None:
        self.problem = str(error) or type(error).__name__
        if self._connection is not None:
            self._connection.close()
            self._connection = None
        if not self._report:
            return
        log.warning(
            "state file %s cannot be used (%s); endpoint ejections and breaker state are kept "
            "in this process only. Delete or fix the file, or set euca_state = memory",
            self.path, self.problem,
        )

    def close(self) -> None:
        with self._lock:
            if self._connection is not None:
                self._connection.close()
                self._connection = None

    # -- fork ---------------------------------------------------------------------------------

    def _close_for_fork(self, deadline: float) -> None:
        """Close the connection and hold the lock across the fork, so that no operation opens
        it again before; unless a thread is still inside one at ``deadline``."""
        if not self._lock.acquire(timeout=max(0.0, deadline - time.monotonic())):
            self._busy_at_fork = True
            return
        self._held_for_fork = True
        if self._connection is not None:
            self._connection.close()
            self._connection = None

    def _reopen_after_fork(self) -> None:
        """In the parent: operations go on (the next one opens the file again)."""
        self._busy_at_fork = False
        if self._held_for_fork:
            self._held_for_fork = False
            self._lock.release()

    def _leave_to_parent(self) -> None:
        """In a fork child, when a parent thread was still using the file: never touch it (the
        inherited connection is not closed either, which would disturb the parent's)."""
        if self._connection is not None:
            _INHERITED.append(self._connection)
            self._connection = None
        if self.problem is None:
            self.problem = (f"a thread of the parent process (pid {os.getppid()}) was using it "
                            f"when this process was forked")
            log.warning("state file %s: %s; this process keeps endpoint ejections and breaker "
                        "state in memory", self.path, self.problem)


def _prepare(db: sqlite3.Connection) -> None:
    """WAL (readers never wait for a writer), commits without a sync per call, the tables."""
    import sqlite3

    # Switching to WAL needs a moment alone with the file, which a concurrent first open can
    # refuse without waiting; a short bounded retry gets past that.
    for attempt in range(20):
        try:
            mode = db.execute("PRAGMA journal_mode=WAL").fetchone()[0]
            break
        except sqlite3.OperationalError as error:
            if not _busy(error) or attempt == 19:
                raise
            time.sleep(0.05)
    if str(mode).lower() != "wal":
        raise sqlite3.OperationalError(f"cannot use write-ahead logging (journal mode {mode})")
    db.execute("PRAGMA synchronous=NORMAL")
    db.executescript(_SCHEMA)
    for table, column, declaration in _ADDED_COLUMNS:
        present = {row[1] for row in db.execute(f"PRAGMA table_info({table})")}
        if column not in present:
            try:
                db.execute(f"ALTER TABLE {table} ADD COLUMN {column} {declaration}")
            except sqlite3.OperationalError as error:
                if "duplicate column" not in str(error).lower():
                    raise  # another process adding it at the same moment is fine


@contextmanager
def _transaction(db: sqlite3.Connection, write: bool) -> Iterator[None]:
    if not write:
        yield  # one SELECT is consistent on its own
        return
    # IMMEDIATE takes the write lock up front, so a read-modify-write never loses an update.
    db.execute("BEGIN IMMEDIATE")
    try:
        yield
    except BaseException:
        db.execute("ROLLBACK")
        raise
    db.execute("COMMIT")


def _busy(error: Exception) -> bool:
    text = str(error).lower()
    return "locked" in text or "busy" in text


def _breaker_row(db: Any, name: str) -> BreakerRow | None:
    row = db.execute(f"SELECT {_BREAKER_COLUMNS} FROM breakers WHERE name = ?",
                     (name,)).fetchone()
    return None if row is None else BreakerRow(*row)


_FILES: dict[Path, StateFile] = {}
_FILES_LOCK = process.lock()
# Every StateFile of the process (those of _FILES and any made apart), for forks.
_EVERY_FILE: weakref.WeakSet[StateFile] = weakref.WeakSet()
# Connections a fork child inherited while a parent thread used them: kept, never closed.
_INHERITED: list[sqlite3.Connection] = []


def _close_files() -> None:
    with _FILES_LOCK:
        files = list(_FILES.values())
        _FILES.clear()
    for file in files:
        file.close()


def _close_for_fork() -> None:
    deadline = time.monotonic() + FORK_WAIT
    for file in list(_EVERY_FILE):
        file._close_for_fork(deadline)


def _reopen_after_fork() -> None:
    for file in list(_EVERY_FILE):
        file._reopen_after_fork()


def _open_own_in_child() -> None:
    files = list(_EVERY_FILE)
    # SQLite's bookkeeping is per file, not per connection: every StateFile of a path a parent
    # thread was using stays away from it.
    in_use = {file.path for file in files if file._busy_at_fork}
    for file in files:
        file._held_for_fork = file._busy_at_fork = False  # process has released its lock
        if file.path in in_use:
            file._leave_to_parent()


process.register("state files", "per process, per path", _close_files,
                 in_fork_child=_open_own_in_child, before_fork=_close_for_fork,
                 after_fork_in_parent=_reopen_after_fork)


def state_file(place: str) -> StateFile | None:
    """The process's one :class:`StateFile` for an ``euca_state`` value (None for memory)."""
    path = path_of(place)
    if path is None:
        return None
    with _FILES_LOCK:
        found = _FILES.get(path)
        if found is None:
            found = _FILES[path] = StateFile(path)
        return found
