"""The ``refused_port`` fixture: a dead endpoint stays dead for the whole test.

Slow tests (retries with seconds between attempts) point a client at such a port; if another
test's server could take the port meanwhile, the client would reach that server instead.
"""

from __future__ import annotations

import errno
import socket
import socketserver

import pytest


def test_a_connection_to_the_port_is_refused(refused_port: int) -> None:
    with pytest.raises(ConnectionRefusedError):
        socket.create_connection(("127.0.0.1", refused_port), timeout=5).close()


class ReusingServer(socketserver.TCPServer):
    allow_reuse_address = True  # as the HTTP servers of LocalCloud and moto are


def test_no_server_can_take_the_port_while_the_test_runs(refused_port: int) -> None:
    with pytest.raises(OSError) as raised:
        ReusingServer(("127.0.0.1", refused_port), socketserver.BaseRequestHandler)
    assert raised.value.errno == errno.EADDRINUSE
