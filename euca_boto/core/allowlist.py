"""Allowlists of networks and host names, such as ``euca_tracker_hook_allow``.

Parsed here, below both of their users: the settings check an allowlist when a profile is read,
and the tracker checks every hook destination against one.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable

Network = ipaddress.IPv4Network | ipaddress.IPv6Network


def parse_allow(entries: Iterable[str]) -> tuple[tuple[Network, ...], frozenset[str]]:
    """Allowlist entries -> (networks, host names); raises ``ValueError`` on a bad entry."""
    networks: list[Network] = []
    hosts: set[str] = set()
    for entry in entries:
        text = entry.strip().lower().strip("[]")
        if not text:
            continue
        try:
            networks.append(ipaddress.ip_network(text, strict=False))
            continue
        except ValueError:
            pass
        labels = text.rstrip(".").split(".")
        if "/" in text or ":" in text or not all(
            label and len(label) <= 63 and label.replace("-", "").isalnum() and label.isascii()
            for label in labels
        ):
            raise ValueError(entry)
        hosts.add(text.rstrip("."))
    return tuple(networks), frozenset(hosts)
