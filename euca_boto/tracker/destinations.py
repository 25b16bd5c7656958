"""Where hooks may send: global addresses only, unless the operator allows more.

A hook URL is chosen by a caller of the API, and the tracker POSTs signed JSON to it from inside
the operator's network. Left unchecked that is a server-side request forgery: a hook on
``http://169.254.169.254/`` reads cloud metadata, one on ``http://127.0.0.1:5432/`` talks to the
tracker's own database. So the rule is an allow-list: a destination must be a globally reachable
address, and anything else needs ``euca_tracker_hook_allow`` (networks and host names an operator
trusts, such as an internal receiver).

Globally reachable means: Python's ``ipaddress`` calls it global, no entry of the IANA IPv4 and
IPv6 Special-Purpose Address Registries marked not globally reachable covers it, it is not
multicast, and an IPv6 address lies in the global unicast space ``2000::/3``. The registries are
listed here because older Pythons' tables lag behind them (Python 3.11 calls ``2002:7f00:1::``,
``fec0::1`` and ``ff0e::1`` global). An IPv6 address that carries an IPv4 address (IPv4-mapped,
IPv4-compatible, 6to4, Teredo, NAT64 ``64:ff9b::/96``) is judged by the IPv4 addresses it
carries, since that is where a host with such a route sends it.

The check runs at registration and again at every delivery, after resolving the name (DNS
answers change), and deliveries connect to the very address that was checked.
"""

from __future__ import annotations

import ipaddress
import socket
from collections.abc import Callable, Iterable
from urllib.parse import urlsplit

from euca_boto.core.allowlist import parse_allow
from euca_boto.tracker.errors import InvalidRequest

Address = ipaddress.IPv4Address | ipaddress.IPv6Address
Network = ipaddress.IPv4Network | ipaddress.IPv6Network
Resolve = Callable[[str, int], list[str]]

# The registries' blocks that are not globally reachable (and multicast, which is in the address
# space registries instead), with what the registry calls them.
_NOT_GLOBAL: tuple[tuple[Network, str], ...] = tuple(
    (ipaddress.ip_network(network), name) for network, name in (
        ("0.0.0.0/8", "this network"),
        ("10.0.0.0/8", "private"),
        ("100.64.0.0/10", "shared address space"),
        ("127.0.0.0/8", "loopback"),
        ("169.254.0.0/16", "link-local"),
        ("172.16.0.0/12", "private"),
        ("192.0.0.0/24", "IETF protocol assignments"),
        ("192.0.2.0/24", "documentation"),
        ("192.88.99.0/24", "6to4 relay anycast"),
        ("192.168.0.0/16", "private"),
        ("198.18.0.0/15", "benchmarking"),
        ("198.51.100.0/24", "documentation"),
        ("203.0.113.0/24", "documentation"),
        ("224.0.0.0/4", "multicast"),
        ("240.0.0.0/4", "reserved"),
        ("255.255.255.255/32", "broadcast"),
        ("::/128", "unspecified"),
        ("::1/128", "loopback"),
        ("64:ff9b:1::/48", "local-use NAT64"),
        ("100::/64", "discard-only"),
        ("100:0:0:1::/64", "dummy prefix"),
        ("2001::/23", "IETF protocol assignments"),
        ("2001:db8::/32", "documentation"),
        ("3fff::/20", "documentation"),
        ("5f00::/16", "segment routing"),
        ("fc00::/7", "unique local"),
        ("fe80::/10", "link-local"),
        ("fec0::/10", "site-local"),
        ("ff00::/8", "multicast"),
    )
)
_GLOBAL_UNICAST_V6 = ipaddress.IPv6Network("2000::/3")
_SIX_TO_FOUR = ipaddress.IPv6Network("2002::/16")
_TEREDO = ipaddress.IPv6Network("2001::/32")
_NAT64 = ipaddress.IPv6Network("64:ff9b::/96")
_V4_COMPATIBLE = ipaddress.IPv6Network("::/96")


class ForbiddenDestination(InvalidRequest):
    """A hook URL points at an address that is not global and that the operator has not
    allowed."""


def resolve(host: str, port: int) -> list[str]:
    """Every address ``host`` resolves to (an IP literal resolves to itself)."""
    infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    return list(dict.fromkeys(str(info[4][0]) for info in infos))


def carried(address: Address) -> tuple[ipaddress.IPv4Address, ...]:
    """The IPv4 addresses an IPv6 address carries (mapped, compatible, 6to4, Teredo server and
    client, NAT64); empty for any other address."""
    if isinstance(address, ipaddress.IPv4Address):
        return ()
    if address.ipv4_mapped is not None:
        return (address.ipv4_mapped,)
    if address in _SIX_TO_FOUR:
        assert address.sixtofour is not None
        return (address.sixtofour,)
    if address in _TEREDO:
        assert address.teredo is not None
        return address.teredo
    if address in _NAT64 or (address in _V4_COMPATIBLE and int(address) > 1):
        return (ipaddress.IPv4Address(int(address) & 0xFFFFFFFF),)
    return ()


def not_global(address: Address) -> str | None:
    """Why ``address`` is not globally reachable (a short description), or None when it is."""
    inner = carried(address)
    if inner:
        for embedded in inner:
            reason = not_global(embedded)
            if reason:
                return f"carries {embedded}, {reason}"
        return None
    for network, name in _NOT_GLOBAL:
        if address.version == network.version and address in network:
            return f"{name}, {network}"
    if isinstance(address, ipaddress.IPv6Address) and address not in _GLOBAL_UNICAST_V6:
        return "outside the global unicast space 2000::/3"
    if not address.is_global:
        return "not global"
    return None


class DestinationPolicy:
    """Checks hook URLs: global addresses pass; others only when the operator allows them."""

    def __init__(self, allow: Iterable[str] = (), resolver: Resolve = resolve) -> None:
        try:
            self.networks, self.hosts = parse_allow(allow)
        except ValueError as error:
            raise InvalidRequest(
                f"hook allowlist entry {error.args[0]!r} is neither a network (10.0.0.0/8, "
                f"::1) nor a host name") from None
        self.resolver = resolver

    def _allowed(self, address: Address) -> bool:
        candidates = (address, *carried(address))
        return any(candidate.version == network.version and candidate in network
                   for network in self.networks for candidate in candidates)

    def check(self, url: str) -> str:
        """The address to connect to for ``url``; raises :class:`ForbiddenDestination` when
        the host resolves to an address that is not global and not allowed (any of them: a
        name with one global and one private address is refused), or cannot be resolved."""
        parts = urlsplit(url)
        host = (parts.hostname or "").lower().rstrip(".")
        port = parts.port or (443 if parts.scheme == "https" else 80)
        try:
            addresses = self.resolver(host, port)
        except (OSError, UnicodeError) as error:
            raise ForbiddenDestination(
                f"hook host {host!r} does not resolve ({error}); use a name the tracker's "
                f"resolver knows") from None
        if not addresses:
            raise ForbiddenDestination(f"hook host {host!r} resolves to no address")
        if host in self.hosts:
            return addresses[0]
        for text in addresses:
            address = ipaddress.ip_address(text.split("%", 1)[0])
            reason = not_global(address)
            if reason and not self._allowed(address):
                shown = host if host == text else f"{host} ({text})"
                raise ForbiddenDestination(
                    f"hook destination {shown} is not a global address ({reason}); hooks may "
                    f"target only global addresses unless the operator lists the network or "
                    f"host in euca_tracker_hook_allow")
        return addresses[0]
