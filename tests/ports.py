"""Ports for the servers the tests start on 127.0.0.1 on a port of their choosing.

A port that ``bind(("127.0.0.1", 0))`` found free comes from the kernel's ephemeral range, the
one every LocalCloud, moto server and outgoing connection of the other test workers draws from
too: let go, it may be handed to one of them before the server meant for it binds it (seconds
later, for PostgreSQL after ``initdb``, or for Redis started again on its port). The ports here
are chosen below that range, where nothing binds but servers given their port explicitly.
(A test that needs a port where nothing answers holds one: the ``refused_port`` fixture.)
"""

from __future__ import annotations

import random
import socket

# Above the well-known services' ports a CI machine runs (PostgreSQL, Redis, ...).
LOWEST = 10000


def ephemeral_range() -> tuple[int, int]:
    """The ports the kernel hands out for port 0 and for outgoing connections."""
    try:
        with open("/proc/sys/net/ipv4/ip_local_port_range", encoding="ascii") as handle:
            low, high = (int(part) for part in handle.read().split())
    except (OSError, ValueError):
        return 32768, 60999  # Linux's default
    return low, high


def _free(port: int, udp_too: bool) -> bool:
    kinds = (socket.SOCK_STREAM, socket.SOCK_DGRAM) if udp_too else (socket.SOCK_STREAM,)
    for kind in kinds:
        with socket.socket(socket.AF_INET, kind) as sock:
            try:
                sock.bind(("127.0.0.1", port))
            except OSError:
                return False
    return True


def free_port(udp_too: bool = False) -> int:
    """A port of 127.0.0.1 below the ephemeral range that no socket holds now (for UDP too
    where ``udp_too``), for a server the test starts on it."""
    low, high = ephemeral_range()
    if low - LOWEST >= 1000:
        bottom, top = LOWEST, low
    elif 65535 - high >= 1000:
        bottom, top = high + 1, 65536
    else:  # no room outside the range on this machine: a port checked free, at least
        bottom, top = LOWEST, 65536
    for _ in range(500):
        port = random.randrange(bottom, top)
        if _free(port, udp_too):
            return port
    raise RuntimeError(f"no free port of 127.0.0.1 from {bottom} to {top - 1}")
