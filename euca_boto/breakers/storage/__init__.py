"""Where a breaker keeps its state: in this process (:mod:`.memory`), in a state file shared by
the processes of one machine (:mod:`.statefile`), or in Redis for a whole fleet (:mod:`.redis`).

Every operation is atomic on its own (a short lock in memory; one SQLite transaction; one Redis
command or script), so a breaker never holds a lock across a call it protects. A shared store
that cannot be used is replaced by a local one, with a warning: a fleet or a machine loses
agreement for a while, but no call fails because the breaker's bookkeeping did.
:mod:`.base` holds what the three share: the snapshot, the operations, the states.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from euca_boto.breakers.storage.base import (
    PROBE_STALE_AFTER,
    STATE_CLOSED,
    STATE_FORCED_CLOSED,
    STATE_FORCED_OPEN,
    STATE_HALF_OPEN,
    STATE_OPEN,
    STATES,
    Snapshot,
    Storage,
)
from euca_boto.breakers.storage.memory import MemoryStorage
from euca_boto.core.setting_kinds import MEMORY

if TYPE_CHECKING:
    from euca_boto.breakers.storage.redis import (
        FallbackStorage,
        FleetEntry,
        RedisStorage,
        fleet,
        redacted,
        redis_client,
    )
    from euca_boto.breakers.storage.statefile import LocalStorage

# Imported when first named: only a profile whose breakers keep their state in Redis (or the
# fleet commands) loads the Redis storage, so every other `aws` command does not pay for it;
# and only one that keeps it in a state file loads SQLite's (a program's sessions keep theirs
# in memory unless told otherwise).
_REDIS_NAMES = frozenset(
    {"FallbackStorage", "FleetEntry", "RedisStorage", "fleet", "redacted", "redis_client"}
)
_STATE_FILE_NAMES = frozenset({"LocalStorage"})

__all__ = [
    "PROBE_STALE_AFTER",
    "STATES",
    "STATE_CLOSED",
    "STATE_FILE_PREFIX",
    "STATE_FORCED_CLOSED",
    "STATE_FORCED_OPEN",
    "STATE_HALF_OPEN",
    "STATE_OPEN",
    "FallbackStorage",
    "FleetEntry",
    "LocalStorage",
    "MemoryStorage",
    "RedisStorage",
    "Snapshot",
    "Storage",
    "fleet",
    "redacted",
    "redis_client",
    "storage_for",
    "storage_url",
]

# The storage of a breaker kept in a state file: this prefix and the file's path.
STATE_FILE_PREFIX = "sqlite:"


def storage_url(settings: Mapping[str, Any]) -> str:
    """Where the breakers of a profile keep their state: the Redis of ``euca_breaker_storage``
    if it names one, else the state file of ``euca_state`` (``sqlite:<path>``), else memory."""
    shared = str(settings["euca_breaker_storage"])
    if shared != MEMORY:
        return shared
    place = settings.get("euca_state", MEMORY)
    if place == MEMORY:
        return MEMORY
    from euca_boto.core.localstate import path_of

    return STATE_FILE_PREFIX + str(path_of(place))


def storage_for(url: str, name: str) -> Storage:
    """The store for the breaker ``name``: ``memory``, ``local`` (the machine's state file),
    ``sqlite:<path>`` (a state file) or a Redis URL."""
    if url == MEMORY:
        return MemoryStorage()
    if url == "local" or url.startswith(STATE_FILE_PREFIX):
        from euca_boto.breakers.storage.statefile import LocalStorage
        from euca_boto.core.localstate import state_file

        file = state_file(url.removeprefix(STATE_FILE_PREFIX))
        assert file is not None
        return LocalStorage(file, name)
    from euca_boto.breakers.storage.redis import FallbackStorage, RedisStorage, shared_client

    return FallbackStorage(RedisStorage(shared_client(url), name))


def __getattr__(name: str) -> Any:
    if name in _STATE_FILE_NAMES:
        from euca_boto.breakers.storage import statefile

        return getattr(statefile, name)
    if name not in _REDIS_NAMES:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    from euca_boto.breakers.storage import redis

    return getattr(redis, name)
