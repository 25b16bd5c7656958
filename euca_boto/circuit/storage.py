"""Where a breaker keeps its state: in this process, in a state file shared by the processes of
one machine, or in Redis for a whole fleet.

Every operation is atomic on its own (a short lock in memory; one SQLite transaction; one Redis
command or script), so a breaker never holds a lock across a call it protects. A Redis store
that cannot be reached is replaced by a local one, with a warning, until Redis answers again; a
state file that cannot be used is replaced by memory, with one warning: a fleet or a machine
loses agreement for a while, but no call fails because the breaker's bookkeeping did.

A half-open breaker's probe slots are taken under an id per admitted call, so a call whose taking
was interrupted (not knowing whether it got the slot) can give back its own slot, if any, and
nobody else's. Memory and Redis keep the ids; a state file keeps a count, where giving back
after an interrupted taking may free one slot too many (one extra probe, never a lockout).
"""

from __future__ import annotations

import logging
import math
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from typing import Any, Protocol, TypeVar

from euca_boto.core import process
from euca_boto.core.localstate import (
    MEMORY,
    REREAD_AFTER,
    BreakerRow,
    StateFile,
    path_of,
    state_file,
)
from euca_boto.core.redact import url_passwords

# The three states of a circuit breaker, spelt as pybreaker spells them.
STATE_CLOSED = "closed"
STATE_OPEN = "open"
STATE_HALF_OPEN = "half-open"
# Beyond the three: an operator's decision that holds until the next reset.
STATE_FORCED_OPEN = "forced-open"
STATE_FORCED_CLOSED = "forced-closed"
STATES = (STATE_CLOSED, STATE_OPEN, STATE_HALF_OPEN, STATE_FORCED_OPEN, STATE_FORCED_CLOSED)

# A probe that has not reported back after this long is presumed lost with its process.
PROBE_STALE_AFTER = 300.0

log = logging.getLogger("euca_boto.breaker")


@dataclass(frozen=True)
class Snapshot:
    """One consistent read of a breaker's shared state."""

    state: str = STATE_CLOSED
    failures: int = 0
    successes: int = 0
    opened_at: float | None = None
    probes: int = 0
    probe_at: float = 0.0
    # The ids of the slots taken, where the store keeps them (else empty: only ``probes``).
    probe_ids: frozenset[str] = frozenset()


class Storage(Protocol):
    """The operations a breaker needs from its state store; each one is atomic."""

    @property
    def description(self) -> str:
        """Where the state is kept, for people (``memory``, ``redis://host:port/db``)."""
        ...

    def read(self) -> Snapshot: ...

    def add_failure(self) -> int:
        """Count one failure; return the new count of consecutive failures."""
        ...

    def add_success(self) -> int:
        """Count one successful probe; return the new count."""
        ...

    def clear_failures(self) -> None: ...

    def transition(
        self, expected: str | None, new: str, now: float, next_probe: float | None = None
    ) -> bool:
        """Move to ``new`` if the state is ``expected`` (any state when None); True if moved.

        Entering a state resets what belongs to it: probes and successes always, the opening
        time (and the time of the next probe, for readers without the breaker's settings) when
        opening, the failure count when closing.
        """
        ...

    def acquire_probe(self, limit: int, now: float, probe: str) -> bool:
        """Take one of ``limit`` probe slots under the id ``probe``; False if all are taken (a
        slot taken longer ago than ``PROBE_STALE_AFTER`` counts as free) or it is not
        half-open."""
        ...

    def release_probe(self, probe: str) -> None:
        """Give back the slot taken under ``probe``, if there is one."""
        ...


def _entered(snapshot: Snapshot, new: str, now: float) -> Snapshot:
    opened_at = snapshot.opened_at
    failures = snapshot.failures
    if new in (STATE_OPEN, STATE_FORCED_OPEN):
        opened_at = now
    elif new in (STATE_CLOSED, STATE_FORCED_CLOSED):
        opened_at, failures = None, 0
    return Snapshot(new, failures, 0, opened_at, 0, 0.0)


# The operations of a store as changes of a snapshot: (old) -> (new, the operation's answer).
# Memory applies them under its lock, a state file inside one transaction.
R = TypeVar("R")
Change = Callable[[Snapshot], tuple[Snapshot, R]]


def _failure_added(current: Snapshot) -> tuple[Snapshot, int]:
    new = replace(current, failures=current.failures + 1)
    return new, new.failures


def _success_added(current: Snapshot) -> tuple[Snapshot, int]:
    new = replace(current, successes=current.successes + 1)
    return new, new.successes


def _failures_cleared(current: Snapshot) -> tuple[Snapshot, None]:
    return replace(current, failures=0), None


def _moved(expected: str | None, new: str, now: float) -> Change[bool]:
    def change(current: Snapshot) -> tuple[Snapshot, bool]:
        if expected is not None and current.state != expected:
            return current, False
        return _entered(current, new, now), True

    return change


def _probe_taken(limit: int, now: float, probe: str) -> Change[bool]:
    def change(current: Snapshot) -> tuple[Snapshot, bool]:
        if current.state != STATE_HALF_OPEN:
            return current, False
        taken, ids = current.probes, current.probe_ids
        if taken >= limit:
            if now - current.probe_at < PROBE_STALE_AFTER:
                return current, False
            taken, ids = 0, frozenset()
        return replace(current, probes=taken + 1, probe_at=now, probe_ids=ids | {probe}), True

    return change


def _probe_given_back(probe: str) -> Change[None]:
    def change(current: Snapshot) -> tuple[Snapshot, None]:
        if probe in current.probe_ids:
            return replace(current, probes=current.probes - 1,
                           probe_ids=current.probe_ids - {probe}), None
        if not current.probe_ids and current.state == STATE_HALF_OPEN and current.probes > 0:
            return replace(current, probes=current.probes - 1), None  # a store of counts
        return current, None

    return change


class _ChangeStorage:
    """The operations of :class:`Storage`, each one change made by :meth:`apply`."""

    def apply(self, change: Change[R], next_probe: float | None = None) -> R:
        raise NotImplementedError

    def add_failure(self) -> int:
        return self.apply(_failure_added)

    def add_success(self) -> int:
        return self.apply(_success_added)

    def clear_failures(self) -> None:
        self.apply(_failures_cleared)

    def transition(
        self, expected: str | None, new: str, now: float, next_probe: float | None = None
    ) -> bool:
        return self.apply(_moved(expected, new, now), next_probe)

    def acquire_probe(self, limit: int, now: float, probe: str) -> bool:
        return self.apply(_probe_taken(limit, now, probe))

    def release_probe(self, probe: str) -> None:
        self.apply(_probe_given_back(probe))


class MemoryStorage(_ChangeStorage):
    """State kept in this process."""

    description = "memory"

    def __init__(self, initial: Snapshot | None = None) -> None:
        self._lock = process.lock()
        self._snapshot = initial or Snapshot()

    def read(self) -> Snapshot:
        return self._snapshot

    def load(self, snapshot: Snapshot) -> None:
        with self._lock:
            self._snapshot = snapshot

    def apply(self, change: Change[R], next_probe: float | None = None) -> R:
        with self._lock:
            self._snapshot, answer = change(self._snapshot)
            return answer


def _snapshot_of_row(row: BreakerRow) -> Snapshot:
    return Snapshot(row.state, row.failures, row.successes, row.opened_at, row.probes,
                    row.probe_at)


class LocalStorage(_ChangeStorage):
    """State kept in a state file (``euca_state``), shared by the processes of one machine.

    A call reads the state from memory: the file is read when the breaker is created and again
    at most every :data:`~euca_boto.core.localstate.REREAD_AFTER` seconds. Every change (a failure,
    a state change, a probe) is one transaction on the file, applied to what the file holds,
    so concurrent processes count together. If the file cannot be used, memory takes over.
    """

    def __init__(self, file: StateFile, name: str,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.file = file
        self.name = name
        self.local = MemoryStorage()
        self._clock = clock
        self._reread_at = -math.inf

    @property
    def description(self) -> str:
        if self.file.problem is not None:
            return f"memory (state file {self.file.path} cannot be used)"
        return f"state file {self.file.path}"

    def read(self) -> Snapshot:
        now = self._clock()
        if now >= self._reread_at:
            self._reread_at = now + REREAD_AFTER
            row = self.file.breaker(self.name)
            if row is not None:
                self.local.load(_snapshot_of_row(row))
        return self.local.read()

    def apply(self, change: Change[R], next_probe: float | None = None) -> R:
        def on_row(row: BreakerRow | None) -> tuple[BreakerRow, R]:
            current = _snapshot_of_row(row) if row is not None else Snapshot()
            new, answer = change(current)
            probe = row.next_probe if row is not None else None
            if new.state != current.state:
                probe = next_probe if new.state == STATE_OPEN else None
            return BreakerRow(self.name, new.state, new.failures, new.successes, new.opened_at,
                              new.probes, new.probe_at, probe), answer

        done = self.file.change_breaker(self.name, on_row)
        if done is None:
            return self.local.apply(change)
        row, answer = done
        self.local.load(_snapshot_of_row(row))
        return answer


NAMES_KEY = "euca-boto:breakers"
KEY_PREFIX = "euca-boto:breaker:"

# Probe slots are hash fields "probe:<id>" holding the time each was taken.
PROBE_FIELD = "probe:"

_TRANSITION = """
local state = redis.call('HGET', KEYS[1], 'state') or 'closed'
if ARGV[1] ~= '' and state ~= ARGV[1] then return 0 end
for _, name in ipairs(redis.call('HKEYS', KEYS[1])) do
  if string.sub(name, 1, 6) == 'probe:' then redis.call('HDEL', KEYS[1], name) end
end
redis.call('HSET', KEYS[1], 'state', ARGV[2], 'successes', 0)
if ARGV[2] == 'open' or ARGV[2] == 'forced-open' then
  redis.call('HSET', KEYS[1], 'opened_at', ARGV[3], 'next_probe', ARGV[4])
elseif ARGV[2] == 'closed' or ARGV[2] == 'forced-closed' then
  redis.call('HSET', KEYS[1], 'failures', 0)
  redis.call('HDEL', KEYS[1], 'opened_at', 'next_probe')
end
return 1
"""

_ACQUIRE_PROBE = """
if redis.call('HGET', KEYS[1], 'state') ~= 'half-open' then return 0 end
local now = tonumber(ARGV[2])
local fields = redis.call('HGETALL', KEYS[1])
local taken = 0
for i = 1, #fields, 2 do
  if string.sub(fields[i], 1, 6) == 'probe:' then
    if now - tonumber(fields[i + 1]) >= tonumber(ARGV[3]) then
      redis.call('HDEL', KEYS[1], fields[i])
    else
      taken = taken + 1
    end
  end
end
if taken >= tonumber(ARGV[1]) then return 0 end
redis.call('HSET', KEYS[1], 'probe:' .. ARGV[4], ARGV[2])
return 1
"""


def redacted(url: str) -> str:
    """``url`` without its password, fit for messages and logs."""
    return url_passwords(url)


def redis_client(url: str) -> Any:
    """A Redis client for ``url`` whose calls give up quickly when Redis is away.

    Timeouts in the URL's query (``?socket_timeout=1``) take precedence.
    """
    import redis

    return redis.Redis.from_url(url, socket_connect_timeout=0.25, socket_timeout=0.25)


class RedisStorage:
    """State kept in one Redis hash per breaker, shared by every process that names it."""

    def __init__(self, client: Any, name: str) -> None:
        self._redis = client
        self.name = name
        self.key = KEY_PREFIX + name
        kwargs = client.connection_pool.connection_kwargs
        # Built from the parts, so a password in the URL never reaches a log line.
        if "path" in kwargs:
            self.description = f"unix://{kwargs['path']}?db={kwargs.get('db', 0)}"
        else:
            self.description = (
                f"redis://{kwargs.get('host')}:{kwargs.get('port')}/{kwargs.get('db', 0)}"
            )
        self._transition = client.register_script(_TRANSITION)
        self._acquire = client.register_script(_ACQUIRE_PROBE)
        self._announced = False

    def _announce(self) -> None:
        # The fleet-wide list of names lets `euca-boto breakers list` find breakers it never ran.
        if not self._announced:
            self._redis.sadd(NAMES_KEY, self.name)
            self._announced = True

    def read(self) -> Snapshot:
        self._announce()
        return snapshot_of(self._redis.hgetall(self.key))

    def add_failure(self) -> int:
        return int(self._redis.hincrby(self.key, "failures", 1))

    def add_success(self) -> int:
        return int(self._redis.hincrby(self.key, "successes", 1))

    def clear_failures(self) -> None:
        self._redis.hset(self.key, "failures", 0)

    def transition(
        self, expected: str | None, new: str, now: float, next_probe: float | None = None
    ) -> bool:
        self._announce()
        args = [expected or "", new, repr(now), repr(next_probe) if next_probe else ""]
        return bool(self._transition(keys=[self.key], args=args))

    def acquire_probe(self, limit: int, now: float, probe: str) -> bool:
        return bool(self._acquire(keys=[self.key],
                                  args=[limit, repr(now), PROBE_STALE_AFTER, probe]))

    def release_probe(self, probe: str) -> None:
        self._redis.hdel(self.key, PROBE_FIELD + probe)


def snapshot_of(fields: dict[bytes, bytes]) -> Snapshot:
    """The snapshot stored in a Redis hash (missing fields take their initial values)."""

    def text(name: str, default: str) -> str:
        raw = fields.get(name.encode())
        return raw.decode() if raw is not None else default

    opened = text("opened_at", "")
    probes = {name.decode()[len(PROBE_FIELD):]: float(at) for name, at in fields.items()
              if name.startswith(PROBE_FIELD.encode())}
    return Snapshot(
        state=text("state", STATE_CLOSED),
        failures=int(text("failures", "0")),
        successes=int(text("successes", "0")),
        opened_at=float(opened) if opened else None,
        probes=len(probes),
        probe_at=max(probes.values(), default=0.0),
        probe_ids=frozenset(probes),
    )


class FallbackStorage:
    """A shared store that falls back to a local one while the shared one cannot be reached.

    The local store starts from the last state read from the shared one, so an open breaker
    stays open through an outage of Redis. Redis is tried again every ``recheck`` seconds.
    """

    def __init__(
        self,
        shared: RedisStorage,
        recheck: float = 5.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        import redis

        self.shared = shared
        self.local = MemoryStorage()
        self._recheck = recheck
        self._clock = clock
        self._errors: tuple[type[BaseException], ...] = (redis.RedisError, OSError)
        self._lock = process.lock()
        self._degraded_until: float | None = None
        self._last = Snapshot()

    @property
    def description(self) -> str:
        if self._degraded_until is not None:
            return f"{self.shared.description} (unreachable; using local state)"
        return self.shared.description

    @property
    def degraded(self) -> bool:
        return self._degraded_until is not None

    def _run(self, operation: str, *args: Any) -> Any:
        until = self._degraded_until
        if until is not None and self._clock() < until:
            return getattr(self.local, operation)(*args)
        try:
            result = getattr(self.shared, operation)(*args)
        except self._errors as error:
            self._degrade(error)
            return getattr(self.local, operation)(*args)
        if until is not None:
            self._restore()
        if operation == "read":
            self._last = result
        return result

    def _degrade(self, error: BaseException) -> None:
        with self._lock:
            first = self._degraded_until is None
            self._degraded_until = self._clock() + self._recheck
            if first:
                self.local.load(self._last)
        if first:
            log.warning(
                "breaker %s: shared state at %s is unreachable (%s); calls go on with a local "
                "breaker until it answers again",
                self.shared.name, self.shared.description, error,
            )

    def _restore(self) -> None:
        with self._lock:
            was_degraded = self._degraded_until is not None
            self._degraded_until = None
        if was_degraded:
            log.warning(
                "breaker %s: shared state at %s is reachable again; the fleet's state applies",
                self.shared.name, self.shared.description,
            )

    def read(self) -> Snapshot:
        result: Snapshot = self._run("read")
        return result

    def add_failure(self) -> int:
        result: int = self._run("add_failure")
        return result

    def add_success(self) -> int:
        result: int = self._run("add_success")
        return result

    def clear_failures(self) -> None:
        self._run("clear_failures")

    def transition(
        self, expected: str | None, new: str, now: float, next_probe: float | None = None
    ) -> bool:
        result: bool = self._run("transition", expected, new, now, next_probe)
        return result

    def acquire_probe(self, limit: int, now: float, probe: str) -> bool:
        result: bool = self._run("acquire_probe", limit, now, probe)
        return result

    def release_probe(self, probe: str) -> None:
        self._run("release_probe", probe)


_clients_lock = process.lock()
_clients: dict[str, Any] = {}


def _close_clients() -> None:
    with _clients_lock:
        clients = list(_clients.values())
        _clients.clear()
    for client in clients:  # outside the lock: closing talks to Redis
        client.close()


def _connect_anew() -> None:
    # A fork child forgets the parent's connections (without closing them: they are the
    # parent's) and a lock a parent thread may have held; its commands open connections of
    # its own.
    for client in _clients.values():
        client.connection_pool.reset()


process.register("redis clients", "per process, per URL, from the first breaker kept there",
                 _close_clients, in_fork_child=_connect_anew)


# The storage of a breaker kept in a state file: this prefix and the file's path.
STATE_FILE_PREFIX = "sqlite:"


def storage_url(settings: Mapping[str, Any]) -> str:
    """Where the breakers of a profile keep their state: the Redis of ``euca_breaker_storage``
    if it names one, else the state file of ``euca_state`` (``sqlite:<path>``), else memory."""
    shared = str(settings["euca_breaker_storage"])
    if shared != MEMORY:
        return shared
    path = path_of(settings.get("euca_state", MEMORY))
    return MEMORY if path is None else STATE_FILE_PREFIX + str(path)


def storage_for(url: str, name: str) -> Storage:
    """The store for the breaker ``name``: ``memory``, ``local`` (the machine's state file),
    ``sqlite:<path>`` (a state file) or a Redis URL."""
    if url == MEMORY:
        return MemoryStorage()
    if url == "local" or url.startswith(STATE_FILE_PREFIX):
        file = state_file(url.removeprefix(STATE_FILE_PREFIX))
        assert file is not None
        return LocalStorage(file, name)
    with _clients_lock:
        client = _clients.get(url)
        if client is None:
            client = _clients[url] = redis_client(url)
    return FallbackStorage(RedisStorage(client, name))


@dataclass(frozen=True)
class FleetEntry:
    """One breaker as its shared store holds it."""

    name: str
    snapshot: Snapshot
    next_probe: float | None


def fleet(client: Any) -> list[FleetEntry]:
    """Every breaker kept in the Redis of ``client``, by name."""
    entries = []
    for raw in sorted(client.smembers(NAMES_KEY)):
        name = raw.decode()
        fields = client.hgetall(KEY_PREFIX + name)
        probe = fields.get(b"next_probe", b"").decode()
        entries.append(FleetEntry(name, snapshot_of(fields), float(probe) if probe else None))
    return entries
