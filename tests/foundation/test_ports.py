"""The tests' ports: a dead endpoint stays dead for the whole test (``refused_port``), and a port
chosen for a server the test starts later is not one the kernel hands out meanwhile
(``ports.free_port``).

Slow tests (retries with seconds between attempts) point a client at a dead port; if another
test's server could take the port meanwhile, the client would reach that server instead. A
server started seconds after its port was chosen (PostgreSQL after initdb, Redis started again)
would find it taken by another worker's LocalCloud, which binds port 0.
"""

from __future__ import annotations

import errno
import socket
import socketserver

import pytest
from ports import ephemeral_range, free_port


def test_a_connection_to_the_port_is_refused(refused_port: int) -> None:
    with pytest.raises(ConnectionRefusedError):
        socket.create_connection(("127.0.0.1", refused_port), timeout=5).close()


class ReusingServer(socketserver.TCPServer):
    allow_reuse_address = True  # as the HTTP servers of LocalCloud and moto are


def test_no_server_can_take_the_port_while_the_test_runs(refused_port: int) -> None:
    with pytest.raises(OSError) as raised:
        ReusingServer(("127.0.0.1", refused_port), socketserver.BaseRequestHandler)
    assert raised.value.errno == errno.EADDRINUSE


@pytest.mark.parametrize("udp_too", [False, True])
def test_a_port_for_a_server_is_free_and_outside_what_the_kernel_hands_out(udp_too: bool) -> None:
    low, high = ephemeral_range()
    for _ in range(20):
        port = free_port(udp_too=udp_too)
        assert not low <= port <= high
        with ReusingServer(("127.0.0.1", port), socketserver.BaseRequestHandler):
            pass
        if udp_too:
            with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as udp:
                udp.bind(("127.0.0.1", port))
