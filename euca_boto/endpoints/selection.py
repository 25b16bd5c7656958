"""Endpoint selection: the order in which one call tries a service's endpoints.

Endpoints in the preferred zone come first, then the others; SRV priorities split them further.
Within a tier, successive calls start at successive endpoints (weighted at random when SRV
weights differ), so load is spread. Healthy endpoints are tried before ejected ones; ejected
endpoints still come last, least recently failed first, so a call never gives up on an endpoint
list just because every endpoint has failed once. One endpoint whose ejection is over is probed
by one call at a time, first in its tier.

A client spreads its calls over at most :data:`SPREAD` endpoints of a tier, its window, and
successive clients get successive windows (the first at a random place), so a tier larger than
that is spread across clients instead of across one client's calls. The reason is connection
reuse: botocore keeps a client's connections in a pool manager of 10 host pools (urllib3's
default, which botocore offers no setting for), so a client that rotated over more hosts than
that would evict a pool on every call and open a new connection for every call (a TLS handshake
on a real cloud). The window leaves two pools for failover to endpoints outside it. Tiers of at
most :data:`SPREAD` endpoints are one window, so every client spreads over all of them.
"""

from __future__ import annotations

import random
import weakref
from collections.abc import Callable, Sequence
from typing import Any, Final

from euca_boto.core import process
from euca_boto.core.records import Record
from euca_boto.endpoints.health import EjectionPolicy, HealthBoard, State
from euca_boto.endpoints.model import Endpoint, EndpointError


class Tiers(Record):
    """A list of endpoints grouped in the order tiers are tried."""

    __slots__ = ("endpoints", "groups", "weighted")

    def __init__(self, endpoints: tuple[Endpoint, ...], groups: tuple[tuple[Endpoint, ...], ...],
                 weighted: tuple[bool, ...]) -> None:
        self.endpoints: Final = endpoints
        self.groups: Final = groups
        # whether a group's SRV weights differ
        self.weighted: Final = weighted

    @classmethod
    def of(cls, endpoints: Sequence[Endpoint], zone: str | None) -> Tiers:
        def rank(ep: Endpoint) -> tuple[int, int]:
            local = 0 if zone is not None and ep.partition == zone else 1
            return (local if zone is not None else 0, ep.priority)

        keys = sorted({rank(ep) for ep in endpoints})
        groups = tuple(tuple(ep for ep in endpoints if rank(ep) == key) for key in keys)
        weighted = tuple(len({ep.weight for ep in group}) > 1 for group in groups)
        return cls(tuple(endpoints), groups, weighted)


# The most endpoints of a tier one client spreads its calls over (see the module docstring).
SPREAD = 8


def _spread(group: tuple[Endpoint, ...], turn: int, weighted: bool,
            home: int) -> list[Endpoint]:
    rest: tuple[Endpoint, ...] = ()
    if len(group) > SPREAD:
        start = home % len(group)
        rotated = group[start:] + group[:start]
        group, rest = rotated[:SPREAD], rotated[SPREAD:]
    if weighted:
        # Weighted sampling without replacement (Efraimidis-Spirakis); weight 0 goes last.
        return sorted(group, key=lambda ep: -(random.random() ** (1.0 / ep.weight))
                      if ep.weight > 0 else 1.0) + list(rest)
    start = turn % len(group)
    return list(group[start:] + group[:start] + rest)


def order(
    tiers: Tiers, board: HealthBoard, now: float, turn: int, claim: bool = True, home: int = 0
) -> tuple[list[Endpoint], Endpoint | None]:
    """The endpoints in the order one call should try them, and the endpoint this call probes
    (None if none). ``home`` places the calling client's window in tiers larger than
    :data:`SPREAD`. With ``claim=False`` nothing is claimed: a preview for display."""
    if board.all_healthy:  # the common case, kept cheap: nothing to rest, nothing to probe
        return [ep for group, weighted in zip(tiers.groups, tiers.weighted, strict=True)
                for ep in _spread(group, turn, weighted, home)], None
    ready: list[Endpoint] = []
    resting: list[Endpoint] = []
    probe: Endpoint | None = None
    for group, weighted in zip(tiers.groups, tiers.weighted, strict=True):
        tier: list[Endpoint] = []
        for ep in _spread(group, turn, weighted, home):
            state = board.state(ep.url, now)
            if state is State.HEALTHY:
                tier.append(ep)
            elif state is State.PROBE_DUE and probe is None and (
                not claim or board.claim_probe(ep.url, now)
            ):
                probe = ep
                tier.insert(0, ep)
            else:
                resting.append(ep)
        ready.extend(tier)
    resting.sort(key=lambda ep: board.last_failure(ep.url))
    return ready + resting, (probe if claim else None)


class CallPlan:
    """One call's way through the endpoints: where its current attempt goes, what is next."""

    __slots__ = ("endpoints", "probe", "suffix", "position", "fault", "move", "probed",
                 "suspects")

    def __init__(self, endpoints: list[Endpoint], probe: Endpoint | None, suffix: str,
                 probed: bool = False) -> None:
        self.endpoints = endpoints
        self.probe = probe
        self.suffix = suffix  # the request URL after the endpoint's URL: path rest and query
        self.position = 0
        self.fault: str | None = None  # why the current attempt counts as the endpoint's failure
        self.move = False  # whether the next attempt goes to the next endpoint
        self.probed = probed
        # Endpoints that answered with a status that follows the request (a 500), and what they
        # answered: if another endpoint answers the same request, the status was theirs after
        # all.
        self.suspects: dict[str, str] = {}

    @property
    def current(self) -> Endpoint:
        return self.endpoints[self.position]

    @property
    def request_url(self) -> str:
        return self.current.url + self.suffix

    def advance(self) -> Endpoint:
        """Move to the next endpoint; after the last one, start again from the first."""
        self.position = (self.position + 1) % len(self.endpoints)
        if self.current is self.probe:
            self.probed = True
        return self.current


def always_ready() -> bool:
    """The ``ready`` of a route whose endpoints are a constant list."""
    return True


class Route:
    """How the calls of one service pick endpoints.

    ``base`` is the URL its clients are created with; requests whose URL starts with it are
    routed (a client given another ``endpoint_url`` by its caller is left alone).
    ``endpoints`` returns the current endpoint list (the static list, or a source's latest
    answer); ``ready`` tells whether ``endpoints`` answers without waiting for the network;
    ``fault_statuses`` are the HTTP statuses that count as an endpoint's failure.
    """

    def __init__(self, service: str, base: str, endpoints: Callable[[], tuple[Endpoint, ...]],
                 board: HealthBoard, ejection: EjectionPolicy, fault_statuses: frozenset[int],
                 zone: str | None = None, describe_source: str = "",
                 ready: Callable[[], bool] = always_ready) -> None:
        self.service = service
        self.base = base
        self.endpoints = endpoints
        self.board = board
        self.ejection = ejection
        self.fault_statuses = fault_statuses
        self.zone = zone
        self.describe_source = describe_source
        self.ready = ready
        # Unlocked on purpose: two calls racing may start at the same endpoint, which is
        # harmless.
        self._turn = 0
        self._tiers: Tiers | None = None
        # client (any object that stands for one) -> the start of its window; the first
        # client's is random so that processes with one client each do not all pick the same
        # endpoints.
        self._homes: weakref.WeakKeyDictionary[Any, int] = weakref.WeakKeyDictionary()
        self._next_home = random.randrange(1 << 30)
        self._homes_lock = process.lock()

    def __repr__(self) -> str:
        return (f"Route(service={self.service!r}, base={self.base!r}, "
                f"describe_source={self.describe_source!r})")

    def tiers(self) -> Tiers:
        endpoints = self.endpoints()
        tiers = self._tiers
        if tiers is None or tiers.endpoints is not endpoints:
            if not endpoints:
                raise EndpointError(f"no endpoints are known for {self.service}")
            tiers = self._tiers = Tiers.of(endpoints, self.zone)
        return tiers

    def matches(self, url: str) -> bool:
        """Whether a request URL was built on this route's base URL."""
        base = self.base
        return url.startswith(base) and (len(url) == len(base) or url[len(base)] in "/?")

    def home(self, client: Any) -> int:
        """Where ``client``'s window starts (see :data:`SPREAD`); None: no client, 0."""
        if client is None:
            return 0
        try:
            home = self._homes.get(client)
        except TypeError:  # an object that cannot be weakly referenced: no window of its own
            return 0
        if home is None:
            with self._homes_lock:
                home = self._homes.get(client)
                if home is None:
                    home = self._homes[client] = self._next_home
                    self._next_home += SPREAD
        return home

    def plan(self, url: str, tiers: Tiers | None = None, client: Any = None) -> CallPlan:
        """The plan of a call whose request URL botocore built as ``url``, among ``tiers``
        (default: the route's current ones), for ``client`` (an object that stands for the
        calling client; None: any)."""
        turn = self._turn
        self._turn = turn + 1
        now = self.board.clock()
        self.board.refresh(now)
        endpoints, probe = order(tiers or self.tiers(), self.board, now, turn,
                                 home=self.home(client))
        return CallPlan(endpoints, probe, url[len(self.base):],
                        probed=probe is not None and endpoints[0] is probe)

    def preview(self) -> list[Endpoint]:
        """The order the next call would try, without taking a turn or a probe."""
        now = self.board.clock()
        self.board.refresh(now)
        endpoints, _ = order(self.tiers(), self.board, now, self._turn, claim=False,
                             home=self._next_home)
        return endpoints
