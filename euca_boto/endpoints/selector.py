"""The endpoint selector of one session: routes per service, shared health, cached sources.

Every client a session creates shares its selector, so one client's failure spares the others
the same endpoint. Routes are built when a client is created, from the service's settings;
DNS answers and the topology are cached here, one per distinct lookup, and loaded on first use.
"""

from __future__ import annotations

import inspect
import time
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any, Final
from urllib.parse import urlsplit

import botocore.session
from botocore.config import Config

from euca_boto.core import connections, process
from euca_boto.core.botocore_access import AnySession, add_models_path, botocore_session_of
from euca_boto.core.models import models_path
from euca_boto.core.plainsession import plain_session
from euca_boto.core.records import Record
from euca_boto.core.setting_kinds import MEMORY
from euca_boto.core.statuses import REQUEST_STATUSES
from euca_boto.endpoints.model import (
    Endpoint,
    EndpointError,
    component_type,
    dns_label,
    service_path,
    service_url,
)
from euca_boto.endpoints.sources.static import configured_url, static_endpoints
from euca_boto.errors import ConfigError

if TYPE_CHECKING:
    # Imported where used: health and the order of endpoints only where a service has
    # endpoints to choose from (one endpoint needs neither: botocore's own handling is
    # enough), and only a profile that takes its endpoints from DNS or from the cloud's
    # topology loads those sources.
    from euca_boto.endpoints.health import Health, HealthBoard
    from euca_boto.endpoints.refresh import Cached
    from euca_boto.endpoints.selection import Route
    from euca_boto.endpoints.sources.dns import DnsQuery
    from euca_boto.endpoints.sources.topology import Topology

Clock = Callable[[], float]

# The settings a route is made from; a client created after one of them changed gets a new one.
ROUTE_KEYS = (
    "euca_topology", "euca_endpoint", "euca_endpoint_urls", "euca_dns_domain",
    "euca_dns_resolver", "euca_dns_timeout", "euca_zone", "euca_topology_refresh",
    "euca_eject_time", "euca_eject_max_time", "euca_retry_status_codes", "euca_state",
)
# Timeouts of the DescribeServices calls that read the topology (seconds).
TOPOLOGY_CONNECT_TIMEOUT = 2.0
TOPOLOGY_READ_TIMEOUT = 10.0


class EndpointRow(Record):
    """One line of ``euca-boto endpoints``: an endpoint, its health, its place in the order."""

    __slots__ = ("endpoint", "health", "order")

    def __init__(self, endpoint: Endpoint, health: Health, order: int) -> None:
        self.endpoint: Final = endpoint
        self.health: Final = health
        # 1 = the next call tries it first
        self.order: Final = order


class EndpointSelector:
    """Picks endpoints for the clients of one botocore session. Thread safe."""

    def __init__(self, botocore_session: botocore.session.Session,
                 clock: Clock = time.monotonic) -> None:
        self.session = botocore_session
        self.clock = clock
        self._board: HealthBoard | None = None
        self._lock = process.lock()
        # service -> its route; read without the lock on every call (a dict read is atomic)
        self.routes: dict[str, Route] = {}
        self._route_keys: dict[str, tuple[Any, ...]] = {}
        # service -> the settings object and configured URL its route was last looked up with
        self._seen: dict[str, tuple[Mapping[str, Any], str | None]] = {}
        self._dns: dict[DnsQuery, Cached[tuple[Endpoint, ...]]] = {}
        self._topologies: dict[tuple[str, float], Cached[Topology]] = {}
        self._bootstrap_clients: dict[tuple[str, Any], Any] = {}

    @property
    def board(self) -> HealthBoard:
        """The health of the session's endpoints, shared by all its routes (made when first
        asked for: a session whose services have one endpoint each never needs it)."""
        board = self._board
        if board is None:
            from euca_boto.endpoints.health import HealthBoard

            with self._lock:
                if self._board is None:
                    self._board = HealthBoard(self.clock)
                board = self._board
        return board

    # -- client creation ----------------------------------------------------------------------

    def creation_url(self, service: str, settings: Mapping[str, Any],
                     caller_url: str | None) -> str | None:
        """The ``endpoint_url`` a new client of ``service`` is created with (None: botocore's
        own choice), after (re)building the service's route."""
        configured = configured_url(self.session, service)
        route = self._route_for(service, settings, configured)
        if caller_url is not None:
            return caller_url
        if configured is not None:
            return None  # botocore applies it, and the route's base is that URL
        if route is not None:
            return route.base
        static = static_endpoints(service, settings, None)
        return static[0].url if static else None

    def route_for(self, service: str, settings: Mapping[str, Any]) -> Route | None:
        """The service's route for these settings (built once per distinct settings)."""
        return self._route_for(service, settings, configured_url(self.session, service))

    def _route_for(self, service: str, settings: Mapping[str, Any],
                   configured: str | None) -> Route | None:
        seen = self._seen.get(service)
        if seen is not None and seen[0] is settings and seen[1] == configured:
            return self.routes.get(service)  # the same settings as last time: the same route
        key = (*(settings.get(k) for k in ROUTE_KEYS), configured)
        with self._lock:
            if self._route_keys.get(service) == key:
                self._seen[service] = (settings, configured)
                return self.routes.get(service)
        route = self._build(service, settings, configured)
        with self._lock:
            self._route_keys[service] = key
            self._seen[service] = (settings, configured)
            if route is None:
                self.routes.pop(service, None)
            else:
                self.routes[service] = route
        return route

    def _build(self, service: str, settings: Mapping[str, Any],
               configured: str | None) -> Route | None:
        topology = settings["euca_topology"]
        static = static_endpoints(service, settings, configured)
        endpoints: Callable[[], tuple[Endpoint, ...]]
        ready: Callable[[], bool] | None = None  # None: always ready
        if topology == "dns" and dns_label(service) is not None:
            query = self._dns_query(service, settings)
            cached = self._dns_cache(query)
            endpoints = cached.get
            ready = cached.ready
            base = static[0].url if configured else _dns_base(query)
            described = f"dns {query.name} (SRV {query.srv_name}) via {query.server}"
        elif topology == "describe-services" and component_type(service) is not None:
            bootstrap = settings.get("euca_endpoint")
            if not bootstrap:
                raise ConfigError(
                    f"euca_topology = describe-services ({settings_source(settings)}) needs "
                    f"euca_endpoint, the URL of a host that runs the bootstrap service")
            bootstrap_url = service_url(bootstrap, "euserv") or bootstrap
            cached_topology = self._topology_cache(bootstrap_url,
                                                   settings["euca_topology_refresh"])
            component = component_type(service) or ""
            endpoints = _topology_endpoints(cached_topology, component, static)
            ready = cached_topology.ready
            base = static[0].url if static else service_url(bootstrap, service) or bootstrap
            described = f"describe-services from {bootstrap_url}"
        else:
            if len(static) < 2:
                return None  # nothing to choose from: botocore's own handling is enough
            endpoints = _constant(static)
            base = static[0].url
            described = "static"
        from euca_boto.endpoints.health import EjectionPolicy
        from euca_boto.endpoints.selection import Route, always_ready

        # Read here, when a client is created, so that calls do not wait for the file.
        place = settings["euca_state"]
        if place != MEMORY:  # SQLite's modules only for a session that keeps a file
            from euca_boto.core.localstate import state_file

            self.board.remember_in(state_file(place))
        else:
            self.board.remember_in(None)
        return Route(
            service=service,
            base=base,
            endpoints=endpoints,
            board=self.board,
            ejection=EjectionPolicy(settings["euca_eject_time"], settings["euca_eject_max_time"]),
            fault_statuses=frozenset(s for s in settings["euca_retry_status_codes"]
                                     if s >= 500 and s not in REQUEST_STATUSES),
            zone=settings.get("euca_zone"),
            describe_source=described,
            ready=ready or always_ready,
        )

    def _dns_query(self, service: str, settings: Mapping[str, Any]) -> DnsQuery:
        from euca_boto.endpoints.sources.dns import DEFAULT_PORT, DnsQuery

        domain = settings.get("euca_dns_domain")
        if not domain:
            raise ConfigError(
                f"euca_topology = dns ({settings_source(settings)}) needs euca_dns_domain, "
                f"the cloud's DNS domain (e.g. cloud.example.com)")
        scheme, port = "http", DEFAULT_PORT
        if settings.get("euca_endpoint"):
            parts = urlsplit(settings["euca_endpoint"])
            scheme = parts.scheme
            port = parts.port or (443 if scheme == "https" else 80)
        return DnsQuery(
            label=dns_label(service) or service, domain=domain, path=service_path(service) or "",
            scheme=scheme, port=port, resolver=settings.get("euca_dns_resolver"),
            timeout=settings["euca_dns_timeout"],
        )

    def _dns_cache(self, query: DnsQuery) -> Cached[tuple[Endpoint, ...]]:
        # Freshness and background reloads matter only to endpoints found on the network.
        from euca_boto.endpoints.refresh import Cached
        from euca_boto.endpoints.sources.dns import DnsSource

        with self._lock:
            cached = self._dns.get(query)
            if cached is None:
                cached = self._dns[query] = Cached(
                    f"DNS {query.name}", DnsSource(query).load, self.clock)
            return cached

    def _topology_cache(self, url: str, refresh: float) -> Cached[Topology]:
        from euca_boto.endpoints.refresh import Cached
        from euca_boto.endpoints.sources.topology import TopologySource

        with self._lock:
            cached = self._topologies.get((url, refresh))
            if cached is None:
                source = TopologySource(url, self._bootstrap_client, refresh)
                cached = self._topologies[(url, refresh)] = Cached(
                    f"topology from {url}", source.load, self.clock)
            return cached

    def _bootstrap_client(self, url: str) -> Any:
        """An ``euserv`` client pinned to one bootstrap URL, made from a plain session with this
        session's credentials: reading the topology must not route through the topology."""
        credentials = self.session.get_credentials()
        if inspect.iscoroutine(credentials):
            # An aiobotocore session answers with a coroutine, and the topology is loaded
            # outside the event loop: take the profile's credentials through a plain session.
            credentials.close()
            credentials = botocore.session.Session(profile=self.session.profile).get_credentials()
        if credentials is None:
            raise EndpointError(f"no AWS credentials to call DescribeServices on {url}")
        frozen = credentials.get_frozen_credentials()
        key = (url, frozen)
        with self._lock:
            client = self._bootstrap_clients.get(key)
        if client is not None:
            return client
        plain = plain_session(self.session.profile)
        add_models_path(plain, str(models_path()))
        client = plain.create_client(
            "euserv",
            region_name=self.session.get_config_variable("region") or "eucalyptus",
            endpoint_url=url,
            aws_access_key_id=frozen.access_key,
            aws_secret_access_key=frozen.secret_key,
            aws_session_token=frozen.token,
            config=Config(connect_timeout=TOPOLOGY_CONNECT_TIMEOUT,
                          read_timeout=TOPOLOGY_READ_TIMEOUT,
                          retries={"total_max_attempts": 1}),
        )
        connections.track(client)
        with self._lock:
            # Credentials rotate: keep only the current client of each URL.
            for old in [k for k in self._bootstrap_clients if k[0] == url]:
                del self._bootstrap_clients[old]
            self._bootstrap_clients[key] = client
        return client

    # -- inspection ---------------------------------------------------------------------------

    def rows(self, service: str) -> list[EndpointRow]:
        """The service's endpoints with their health, in the order the next call tries them
        (loads the endpoints if need be; raises :class:`EndpointError` if that fails)."""
        route = self.routes.get(service)
        if route is None:
            return []
        ordered = route.preview()
        return [EndpointRow(ep, self.board.health(ep.url), i + 1) for i, ep in enumerate(ordered)]


def settings_source(settings: Mapping[str, Any]) -> str:
    source = getattr(settings, "source", None)
    return source("euca_topology") if callable(source) else "settings"


def _constant(endpoints: tuple[Endpoint, ...]) -> Callable[[], tuple[Endpoint, ...]]:
    return lambda: endpoints


def _topology_endpoints(cached: Cached[Topology], component: str,
                        fallback: tuple[Endpoint, ...]) -> Callable[[], tuple[Endpoint, ...]]:
    # The tuple for one topology is the same object on every call, which lets the route keep
    # its tiers until the topology changes.
    def endpoints() -> tuple[Endpoint, ...]:
        return cached.get().endpoints(component) or fallback

    return endpoints


def _dns_base(query: DnsQuery) -> str:
    return f"{query.scheme}://{query.name}:{query.port}{query.path}"


# The selector lives on its session as a component, not in a process-wide table: the session and
# its clients keep it alive and it keeps the session alive (it reads the session's credentials
# and configuration), so once neither is referenced any more the garbage collector frees both,
# with their cached topologies, which a background updater then no longer reloads.
_COMPONENT = "euca_boto.endpoint_selector"
_SELECTORS_LOCK = process.lock()


def selector_of(session: AnySession, clock: Clock | None = None) -> EndpointSelector:
    """The endpoint selector of a boto3 or botocore session, created on first use.

    ``clock`` (seconds, monotonic) replaces ``time.monotonic`` for ejection periods and
    freshness; it can only be given before the selector exists.
    """
    core = botocore_session_of(session)
    with _SELECTORS_LOCK:
        selector = _registered(core)
        if selector is None:
            selector = EndpointSelector(core, clock or time.monotonic)
            core.register_component(_COMPONENT, selector)
        elif clock is not None and selector.clock is not clock:
            raise ValueError("this session's endpoint selector exists already; pass clock= "
                             "before the session creates its first client")
        return selector


def _registered(core: botocore.session.Session) -> EndpointSelector | None:
    try:
        found = core.get_component(_COMPONENT)
    except ValueError:
        return None
    return found if isinstance(found, EndpointSelector) else None
