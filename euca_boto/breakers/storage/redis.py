"""A breaker's state kept in Redis, shared by every process of a fleet that names it: one hash
per breaker, each operation one command or one Lua script. A Redis that cannot be reached is
replaced by a local store, with a warning, until it answers again."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from euca_boto.breakers.storage.base import PROBE_STALE_AFTER, STATE_CLOSED, Snapshot, log
from euca_boto.breakers.storage.memory import MemoryStorage
from euca_boto.breakers.window import SUCCESS, WindowSpec, decode, prefix
from euca_boto.core import process
from euca_boto.core.urls import url_passwords

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
redis.call('HDEL', KEYS[1], 'window')
if ARGV[2] == 'open' or ARGV[2] == 'forced-open' then
  redis.call('HSET', KEYS[1], 'opened_at', ARGV[3], 'next_probe', ARGV[4])
elseif ARGV[2] == 'closed' or ARGV[2] == 'forced-closed' then
  redis.call('HSET', KEYS[1], 'failures', 0)
  redis.call('HDEL', KEYS[1], 'opened_at', 'next_probe')
end
return 1
"""

# One call's outcome, as ``_recorded`` in storage/base.py and ``record`` in window.py do it.
# ARGV: the outcome's letter, now, the window's kind ('' for none), its size, and the start of
# its text ("count 100", "time 60"), which also tells whether the stored window is of its kind.
_RECORD = """
local key, letter, now, kind, size, prefix = KEYS[1], ARGV[1], tonumber(ARGV[2]), ARGV[3],
  tonumber(ARGV[4]), ARGV[5]
local state = redis.call('HGET', key, 'state') or 'closed'
if state == 'closed' or state == 'forced-closed' then
  if letter == 'f' or letter == 'F' then
    redis.call('HINCRBY', key, 'failures', 1)
  else
    redis.call('HSET', key, 'failures', 0)
  end
  if kind ~= '' then
    local text = redis.call('HGET', key, 'window') or ''
    local rest = ''
    if string.sub(text, 1, #prefix + 1) == prefix .. ' ' then
      rest = string.sub(text, #prefix + 2)
    end
    if kind == 'count' then
      local head, ring = string.match(rest, '^(%d+) ?(.*)$')
      head = tonumber(head) or 0
      ring = ring or ''
      -- A success in a full ring of successes leaves the window as it is, and a full ring of
      -- successes has its head at 0, however it was reached (as in window.py).
      if not (letter == 's' and #ring == size and not string.find(ring, '[^s]')) then
        ring = string.sub(ring, 1, head) .. letter .. string.sub(ring, head + 2)
        head = (head + 1) % size
        if #ring == size and not string.find(ring, '[^s]') then head = 0 end
        text = prefix .. ' ' .. head .. ' ' .. ring
      end
    else
      local count = math.min(math.ceil(size), 60)
      local now_key = math.floor(now / (size / count))
      local kept, calls, failures, slow = {}, 0, 0, 0
      for k, c, f, s in string.gmatch(rest, '(%-?%d+):(%d+):(%d+):(%d+)') do
        local bucket = tonumber(k)
        if bucket == now_key then
          calls, failures, slow = tonumber(c), tonumber(f), tonumber(s)
        elseif now_key - count < bucket and bucket <= now_key then
          table.insert(kept, k .. ':' .. c .. ':' .. f .. ':' .. s)
        end
      end
      if letter == 'f' or letter == 'F' then failures = failures + 1 end
      if letter == 'S' or letter == 'F' then slow = slow + 1 end
      table.insert(kept, string.format('%d:%d:%d:%d', now_key, calls + 1, failures, slow))
      text = prefix .. ' ' .. table.concat(kept, ' ')
    end
    redis.call('HSET', key, 'window', text)
  end
end
return redis.call('HGETALL', key)
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
        self._record = client.register_script(_RECORD)
        self._announced = False

    def _announce(self) -> None:
        # The fleet-wide list of names lets `euca-boto breakers list` find breakers it never ran.
        if not self._announced:
            self._redis.sadd(NAMES_KEY, self.name)
            self._announced = True

    def read(self) -> Snapshot:
        self._announce()
        return snapshot_of(self._redis.hgetall(self.key))

    def peek(self) -> Snapshot:
        return self.read()

    def record_success(self, now: float, window: WindowSpec) -> None:
        self.record(SUCCESS, now, window)

    def record(self, outcome: str, now: float, window: WindowSpec | None) -> Snapshot:
        args: list[Any] = [outcome, repr(now), "", 0, ""]
        if window is not None:
            args[2:] = [window.kind, repr(window.size), prefix(window.kind, window.size)]
        flat = self._record(keys=[self.key], args=args)
        return snapshot_of(dict(zip(flat[::2], flat[1::2], strict=True)))

    def add_success(self) -> int:
        return int(self._redis.hincrby(self.key, "successes", 1))

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
        window=decode(text("window", "")),
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

    def peek(self) -> Snapshot:
        return self.read()  # a read: the last snapshot is what an outage starts from

    def record_success(self, now: float, window: WindowSpec) -> None:
        self._run("record_success", now, window)

    def record(self, outcome: str, now: float, window: WindowSpec | None) -> Snapshot:
        result: Snapshot = self._run("record", outcome, now, window)
        return result

    def add_success(self) -> int:
        result: int = self._run("add_success")
        return result

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
    # parent's); its commands open connections of its own.
    for client in _clients.values():
        client.connection_pool.reset()


process.register("redis clients", "per process, per URL, from the first breaker kept there",
                 _close_clients, in_fork_child=_connect_anew)


def shared_client(url: str) -> Any:
    """The process's one Redis client for ``url``."""
    with _clients_lock:
        client = _clients.get(url)
        if client is None:
            client = _clients[url] = redis_client(url)
        return client


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
