"""Several tracker processes on one store share the work: each polls and delivers its share.

Every replica records a heartbeat in the store at each cycle; the replicas seen within the
lease time are the live ones. Polling is split by scope (an account's resource type): a replica
polls a scope only while it holds the scope's lease, renewed at each poll, and holds at most its
share (the scopes divided by the live replicas, rounded up), giving back the rest when more
replicas join. Deliveries are split the same way, by hook with changes to send (see
``Deliverer``). A replica that dies stops renewing: within the lease time its heartbeat and
leases expire, the survivors' shares grow, and they take its scopes and hooks over. Nothing is
lost: changes are in the feed and each hook's progress is its stored cursor.
"""

from __future__ import annotations

import math
import time
import uuid
from collections.abc import Callable, Sequence

from euca_boto.tracker.store.base import SqlStore

Scope = tuple[str, str]  # (account, resource type)


class Replica:
    """This process's membership among the trackers sharing ``store``."""

    def __init__(
        self,
        store: SqlStore,
        lease_seconds: float = 30.0,
        owner: str | None = None,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.store = store
        self.lease_seconds = lease_seconds
        self.owner = owner or uuid.uuid4().hex
        self.clock = clock

    def live(self) -> int:
        """Beat once; how many replicas are alive (this one included)."""
        return self.store.heartbeat(self.owner, self.clock(), self.lease_seconds)

    def share(self, total: int) -> int:
        """How many of ``total`` units of work this replica should hold."""
        return math.ceil(total / self.live()) if total else 0

    def claim_scopes(self, scopes: Sequence[Scope]) -> list[Scope]:
        """The scopes this replica polls now: the ones it holds (renewed) and free or expired
        ones, up to its share; held scopes beyond the share are given back."""
        quota = self.share(len(scopes))
        now = self.clock()
        held = self.store.scopes_held(self.owner, now)
        mine: list[Scope] = []
        for scope in sorted(scopes, key=lambda s: s not in held):
            if len(mine) >= quota:
                if scope in held:
                    self.store.release_scope(*scope, self.owner)
                continue
            if self.store.lease_scope(*scope, self.owner, now, self.lease_seconds):
                mine.append(scope)
        return mine

    def leave(self) -> None:
        """Give this replica's scopes back now (a clean stop), rather than at lease expiry."""
        self.store.leave(self.owner)
