"""Endpoints from DNS: ``<label>.<dns-domain>``, as Eucalyptus' own DNS serves them.

Eucalyptus answers a service's name with the A records of every ENABLED host running it, TTL
60 s, and no SRV records (reference §9.1). When a zone does publish
``_<label>._tcp.<domain>`` SRV records, they win: their priority, weight and port are used.
A records carry no port, so the scheme and port come from ``euca_endpoint`` (default
``http`` and 8773), and the path is the service's Eucalyptus path.
"""

from __future__ import annotations

import ipaddress
from typing import TYPE_CHECKING, Final

from euca_boto.core.records import Record
from euca_boto.endpoints.model import DNS, DNS_SRV, Endpoint, EndpointError

DEFAULT_PORT = 8773  # Eucalyptus' user-facing port
MIN_TTL = 1.0  # a TTL of 0 would send every call to the DNS server

# dnspython is imported where a lookup is made: only profiles with euca_topology = dns pay for it.
if TYPE_CHECKING:
    import dns.message
    import dns.resolver


class DnsQuery(Record):
    """What to ask and whom: the service's name, and how to make URLs of the answers."""

    __slots__ = ("label", "domain", "path", "scheme", "port", "resolver", "timeout")

    def __init__(self, label: str, domain: str, path: str, scheme: str = "http",
                 port: int = DEFAULT_PORT, resolver: str | None = None,
                 timeout: float = 2.0) -> None:
        self.label: Final = label
        self.domain: Final = domain
        self.path: Final = path
        self.scheme: Final = scheme
        self.port: Final = port
        # "host:port"; None: the system's resolvers
        self.resolver: Final = resolver
        self.timeout: Final = timeout

    @property
    def name(self) -> str:
        return f"{self.label}.{self.domain}"

    @property
    def srv_name(self) -> str:
        return f"_{self.label}._tcp.{self.domain}"

    @property
    def server(self) -> str:
        return self.resolver or "the system's DNS resolvers"


class DnsSource:
    """Looks a service's endpoints up in DNS; :meth:`load` is a :class:`Cached` loader."""

    def __init__(self, query: DnsQuery) -> None:
        self.query = query
        self._resolver = _make_resolver(query)

    def load(self, previous: tuple[Endpoint, ...] | None) -> tuple[tuple[Endpoint, ...], float]:
        """The endpoints and how long they stay fresh (the smallest TTL seen)."""
        q = self.query
        srv = self._resolve(q.srv_name, "SRV", missing_ok=True)
        if srv is not None and srv.rrset is not None:
            return self._from_srv(srv)
        endpoints: list[Endpoint] = []
        ttls: list[float] = []
        for rdtype in ("A", "AAAA"):
            answer = self._resolve(q.name, rdtype, missing_ok=rdtype == "AAAA")
            if answer is not None and answer.rrset is not None:
                ttls.append(answer.rrset.ttl)
                endpoints += [Endpoint(_url(q.scheme, r.address, q.port, q.path), DNS)
                              for r in answer.rrset]
        if not endpoints:
            raise EndpointError(f"DNS name {q.name} has no A or AAAA records ({q.server})")
        return tuple(endpoints), max(MIN_TTL, min(ttls))

    def _from_srv(self, answer: dns.resolver.Answer) -> tuple[tuple[Endpoint, ...], float]:
        q = self.query
        assert answer.rrset is not None
        ttls = [float(answer.rrset.ttl)]
        extra = _addresses_in(answer.response)
        endpoints: list[Endpoint] = []
        for record in answer.rrset:
            target = record.target.to_text()
            addresses = extra.get(target.lower())
            if addresses is None:
                addresses = []
                for rdtype in ("A", "AAAA"):
                    found = self._resolve(target, rdtype, missing_ok=True)
                    if found is not None and found.rrset is not None:
                        ttls.append(found.rrset.ttl)
                        addresses += [r.address for r in found.rrset]
            if not addresses:
                raise EndpointError(
                    f"SRV record {q.srv_name} names {target}, which has no A or AAAA records "
                    f"({q.server})")
            endpoints += [
                Endpoint(_url(q.scheme, address, record.port, q.path), DNS_SRV,
                         priority=record.priority, weight=record.weight)
                for address in addresses
            ]
        return tuple(endpoints), max(MIN_TTL, min(ttls))

    def _resolve(self, name: str, rdtype: str, missing_ok: bool) -> dns.resolver.Answer | None:
        import dns.exception
        import dns.resolver

        try:
            return self._resolver.resolve(name, rdtype, search=False,
                                          raise_on_no_answer=False, lifetime=self.query.timeout)
        except dns.resolver.NXDOMAIN:
            if missing_ok:
                return None
            raise EndpointError(
                f"DNS name {name} does not exist (NXDOMAIN from {self.query.server}); check "
                f"euca_dns_domain") from None
        except dns.exception.Timeout:
            raise EndpointError(
                f"DNS lookup of {name} ({rdtype}) timed out after {self.query.timeout:g} s: "
                f"{self.query.server} did not answer; check euca_dns_resolver") from None
        except dns.exception.DNSException as error:
            raise EndpointError(
                f"DNS lookup of {name} ({rdtype}) at {self.query.server} failed: {error}"
            ) from None


def _make_resolver(query: DnsQuery) -> dns.resolver.Resolver:
    import dns.exception
    import dns.resolver

    if query.resolver is None:
        try:
            return dns.resolver.Resolver()
        except dns.exception.DNSException as error:
            raise EndpointError(
                f"no system DNS resolver to look up {query.name} ({error}); "
                f"set euca_dns_resolver") from None
    host, _, port = query.resolver.rpartition(":")
    resolver = dns.resolver.Resolver(configure=False)
    host = host.strip("[]")
    try:
        ipaddress.ip_address(host)
    except ValueError:
        raise EndpointError(
            f"euca_dns_resolver = {query.resolver}: the DNS server must be given as an IP "
            f"address (a name would need a DNS server to resolve it)") from None
    resolver.nameservers = [host]
    resolver.port = int(port)
    resolver.timeout = resolver.lifetime = query.timeout
    return resolver


def _addresses_in(response: dns.message.Message | None) -> dict[str, list[str]]:
    """A and AAAA records of the SRV answer's additional section, by owner name."""
    import dns.rdatatype

    found: dict[str, list[str]] = {}
    if response is None:
        return found
    for rrset in response.additional:
        if rrset.rdtype in (dns.rdatatype.A, dns.rdatatype.AAAA):
            found.setdefault(rrset.name.to_text().lower(), []).extend(r.address for r in rrset)
    return found


def _url(scheme: str, address: str, port: int, path: str) -> str:
    host = f"[{address}]" if ":" in address else address
    return f"{scheme}://{host}:{port}{path}"
