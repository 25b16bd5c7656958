"""Where hooks may send: no internal addresses unless the operator allows them.

A hook URL is chosen by a caller of the API, and the tracker POSTs signed JSON to it from inside
the operator's network. Left unchecked that is a server-side request forgery: a hook on
``http://169.254.169.254/`` reads cloud metadata, one on ``http://127.0.0.1:5432/`` talks to the
tracker's own database. So a destination whose host resolves to a loopback, link-local, private,
multicast, unspecified or reserved address is refused, at registration and again at every
delivery (after resolving the name, because DNS answers change), and deliveries connect to the
very address that was checked. ``euca_tracker_hook_allow`` lists the networks (CIDRs) and host
names an operator trusts anyway, such as an internal receiver.
"""

from __future__ import annotations

import ipaddress
import socket
from collections.abc import Callable, Iterable
from urllib.parse import urlsplit

from euca_boto.core.allowlist import parse_allow
from euca_boto.tracker.errors import InvalidRequest

Address = ipaddress.IPv4Address | ipaddress.IPv6Address
Resolve = Callable[[str, int], list[str]]


class ForbiddenDestination(InvalidRequest):
    """A hook URL points at an internal address that the operator has not allowed."""


def resolve(host: str, port: int) -> list[str]:
    """Every address ``host`` resolves to (an IP literal resolves to itself)."""
    infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    return list(dict.fromkeys(str(info[4][0]) for info in infos))


def _internal(address: Address) -> str | None:
    """What makes ``address`` internal, or None for a public one."""
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        address = address.ipv4_mapped
    for kind, flag in (("loopback", address.is_loopback), ("link-local", address.is_link_local),
                       ("multicast", address.is_multicast),
                       ("unspecified", address.is_unspecified),
                       ("private", address.is_private), ("reserved", address.is_reserved)):
        if flag:
            return kind
    return None


class DestinationPolicy:
    """Checks hook URLs against the internal ranges and the operator's allowlist."""

    def __init__(self, allow: Iterable[str] = (), resolver: Resolve = resolve) -> None:
        try:
            self.networks, self.hosts = parse_allow(allow)
        except ValueError as error:
            raise InvalidRequest(
                f"hook allowlist entry {error.args[0]!r} is neither a network (10.0.0.0/8, "
                f"::1) nor a host name") from None
        self.resolver = resolver

    def check(self, url: str) -> str:
        """The address to connect to for ``url``; raises :class:`ForbiddenDestination` when
        the host resolves to an internal address that is not allowed (any of them: a name with
        one public and one private address is refused), or cannot be resolved."""
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
            kind = _internal(address)
            if kind and not any(address in network for network in self.networks):
                shown = host if host == text else f"{host} ({text})"
                raise ForbiddenDestination(
                    f"hook destination {shown} is a {kind} address; hooks may not target "
                    f"internal addresses unless the operator lists them in "
                    f"euca_tracker_hook_allow")
        return addresses[0]
