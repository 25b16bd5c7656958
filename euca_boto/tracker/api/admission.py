"""Connection admission: no client can take every connection the API server has.

Each connection is counted against its client (an IPv4 address, or an IPv6 /64: one host's
share of addresses) and against the server's total. Under pressure idle connections go first:

- a connection beyond its client's cap is held, unread, for a few seconds and then refused:
  a client that reopens every refused connection at once would otherwise keep the server busy
  accepting them (held connections are bounded too: beyond the total cap they are refused at
  once);
- at the total cap, the longest-idle connection of the client holding the most connections is
  closed for the newcomer;
- when every connection is busy with a request, a newcomer gets one of a few reserve
  connections, which answer only ``GET /health`` (everything else gets 503 ``Busy``), so an
  operator can still see the server.

A refused connection gets a JSON 503 and is closed. Everything here runs on the server's event
loop thread, so nothing is locked.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Literal, Protocol

Verdict = Literal["admitted", "reserve", "held", "refused"]


class Connection(Protocol):
    """What admission needs of a connection."""

    @property
    def idle(self) -> bool:
        """No request in progress (between requests, or none sent yet)."""
        ...

    @property
    def idle_since(self) -> float:
        """``time.monotonic()`` of the last moment the connection became idle."""
        ...

    @property
    def peer(self) -> tuple[str, int] | None:
        """The client's address and port."""
        ...

    def evict(self) -> None:
        """Close the connection to make room for another."""
        ...


def client_of(host: str) -> str:
    """The client a peer address counts for: the address itself for IPv4 (IPv4-mapped IPv6
    included), the /64 for IPv6, the text as given for anything else (a Unix socket)."""
    try:
        address = ipaddress.ip_address(host.split("%", 1)[0])
    except ValueError:
        return host
    if isinstance(address, ipaddress.IPv6Address):
        if address.ipv4_mapped is not None:
            return str(address.ipv4_mapped)
        return str(ipaddress.IPv6Network((address, 64), strict=False))
    return str(address)


@dataclass
class Admission:
    """The connection caps: ``limit`` in total, ``per_client`` per client, and ``reserve``
    more connections that serve only ``/health``."""

    limit: int
    per_client: int
    reserve: int
    _clients: dict[str, dict[Connection, None]] = field(default_factory=dict)
    _client_of: dict[Connection, str] = field(default_factory=dict)
    _reserved: set[Connection] = field(default_factory=set)
    _held: set[Connection] = field(default_factory=set)
    evicted: int = 0
    refused: int = 0

    def __post_init__(self) -> None:
        if self.limit < 1 or self.per_client < 1 or self.reserve < 0:
            raise ValueError(
                f"connection caps must be >= 1 (total {self.limit}, per client "
                f"{self.per_client}) and the reserve >= 0 ({self.reserve})")

    def admit(self, connection: Connection, host: str) -> Verdict:
        """Admit a new connection from ``host`` (closing idle ones to make room), put it on
        the reserve, hold it (over its client's cap: refuse it later) or refuse it."""
        client = client_of(host)
        if len(self._clients.get(client, ())) >= self.per_client:
            if len(self._held) >= self.limit:
                return self._refuse()
            self._held.add(connection)
            self.refused += 1
            return "held"
        if len(self._client_of) - len(self._reserved) >= self.limit:
            victim = self._idle_of_heaviest_client()
            if victim is None:
                if len(self._reserved) >= self.reserve:
                    return self._refuse()
                self._add(connection, client)
                self._reserved.add(connection)
                return "reserve"
            self._evict(victim)
        self._add(connection, client)
        return "admitted"

    def leave(self, connection: Connection) -> None:
        """The connection closed (whoever closed it)."""
        client = self._client_of.pop(connection, None)
        self._reserved.discard(connection)
        self._held.discard(connection)
        if client is None:
            return
        own = self._clients.get(client)
        if own is not None:
            own.pop(connection, None)
            if not own:
                del self._clients[client]

    @property
    def open(self) -> int:
        return len(self._client_of)

    def _add(self, connection: Connection, client: str) -> None:
        self._clients.setdefault(client, {})[connection] = None
        self._client_of[connection] = client

    def _evict(self, connection: Connection) -> None:
        self.leave(connection)
        self.evicted += 1
        connection.evict()

    def _refuse(self) -> Verdict:
        self.refused += 1
        return "refused"

    def _idle_of_heaviest_client(self) -> Connection | None:
        for own in sorted(self._clients.values(), key=len, reverse=True):
            victim = _longest_idle(c for c in own if c not in self._reserved)
            if victim is not None:
                return victim
        return None


def _longest_idle(connections: Iterable[Connection]) -> Connection | None:
    idle = [c for c in connections if c.idle]
    return min(idle, key=lambda c: c.idle_since, default=None)
