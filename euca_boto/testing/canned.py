"""A minimal, fast HTTP server for measuring what the client side costs.

:class:`CannedServer` listens on any number of loopback ports and answers every request with
one fixed response, from a single thread, with keep-alive. It does no routing, signing or
parsing beyond framing the request, so a call's time is almost all the client's, and it counts
the TCP connections it accepts, so tests can tell whether clients reuse their connections.
"""

from __future__ import annotations

import selectors
import socket
import threading
from types import TracebackType

# A DescribeProperties answer (the ``euprop`` client) as Eucalyptus sends it.
DESCRIBE_PROPERTIES = (
    b'<euca:DescribePropertiesResponseType xmlns:euca="http://msgs.eucalyptus.com/4.4.2">'
    b"<euca:correlationId>5c4b2a6e-0f1d-4c3b-9a8e-7d6c5b4a3f2e</euca:correlationId>"
    b"<euca:_return>true</euca:_return><euca:properties><euca:item>"
    b"<euca:name>dns.enabled</euca:name><euca:value>true</euca:value>"
    b"<euca:description>Enable pluggable DNS resolvers</euca:description>"
    b"<euca:defaultValue>true</euca:defaultValue><euca:readOnly>false</euca:readOnly>"
    b"</euca:item></euca:properties></euca:DescribePropertiesResponseType>"
)

# How long the serving loop waits for a socket before it looks at the stop flag (seconds).
_POLL = 0.05
_HEAD_END = b"\r\n\r\n"


class _Connection:
    __slots__ = ("sock", "buffer", "port")

    def __init__(self, sock: socket.socket, port: int) -> None:
        self.sock = sock
        self.buffer = b""
        self.port = port


class CannedServer:
    """Answers every HTTP request on ``ports`` loopback ports with ``body`` (status 200).

    Use as a context manager. ``urls`` are the base URLs of the ports; ``connections`` counts
    accepted connections in all (``connections_at(port)`` per port) and ``requests`` the
    requests answered.
    """

    def __init__(self, body: bytes, ports: int = 1, content_type: str = "text/xml",
                 host: str = "127.0.0.1") -> None:
        if ports < 1:
            raise ValueError(f"a CannedServer needs at least one port, got {ports}")
        self.host = host
        self._response = (
            f"HTTP/1.1 200 OK\r\nContent-Type: {content_type}\r\n"
            f"Content-Length: {len(body)}\r\n\r\n"
        ).encode("ascii") + body
        self._wanted = ports
        self._listeners: list[socket.socket] = []
        self._accepted: dict[int, int] = {}
        self._counts_lock = threading.Lock()
        self.requests = 0
        self._stopping = threading.Event()
        self._thread: threading.Thread | None = None

    # -- lifecycle --------------------------------------------------------------------------

    def start(self) -> CannedServer:
        if self._thread is not None:
            return self
        for _ in range(self._wanted):
            listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
            listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            listener.bind((self.host, 0))
            listener.listen(128)
            listener.setblocking(False)
            self._listeners.append(listener)
            self._accepted[listener.getsockname()[1]] = 0
        self._stopping.clear()
        self._thread = threading.Thread(target=self._serve, name="canned-http", daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stopping.set()
        if self._thread is not None:
            self._thread.join(timeout=5)
            self._thread = None
        for listener in self._listeners:
            listener.close()
        self._listeners = []

    def __enter__(self) -> CannedServer:
        return self.start()

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.stop()

    # -- observation ------------------------------------------------------------------------

    @property
    def ports(self) -> list[int]:
        return list(self._accepted)

    @property
    def urls(self) -> list[str]:
        return [f"http://{self.host}:{port}" for port in self._accepted]

    @property
    def connections(self) -> int:
        with self._counts_lock:
            return sum(self._accepted.values())

    def connections_at(self, port: int) -> int:
        with self._counts_lock:
            return self._accepted[port]

    # -- serving ----------------------------------------------------------------------------

    def _serve(self) -> None:
        selector = selectors.DefaultSelector()
        for listener in self._listeners:
            selector.register(listener, selectors.EVENT_READ, None)
        try:
            while not self._stopping.is_set():
                for key, _ in selector.select(_POLL):
                    if key.data is None:
                        self._accept(selector, key.fileobj)  # type: ignore[arg-type]
                    else:
                        self._read(selector, key.data)
        finally:
            for key in list(selector.get_map().values()):
                if key.data is not None:
                    key.data.sock.close()
            selector.close()

    def _accept(self, selector: selectors.BaseSelector, listener: socket.socket) -> None:
        try:
            sock, _ = listener.accept()
        except BlockingIOError:
            return
        port = listener.getsockname()[1]
        with self._counts_lock:
            self._accepted[port] += 1
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        sock.setblocking(False)
        selector.register(sock, selectors.EVENT_READ, _Connection(sock, port))

    def _read(self, selector: selectors.BaseSelector, conn: _Connection) -> None:
        try:
            data = conn.sock.recv(65536)
        except (BlockingIOError, InterruptedError):
            return
        except OSError:
            data = b""
        if not data:
            selector.unregister(conn.sock)
            conn.sock.close()
            return
        conn.buffer += data
        while True:
            head_end = conn.buffer.find(_HEAD_END)
            if head_end < 0:
                return
            length = _content_length(conn.buffer[:head_end])
            end = head_end + len(_HEAD_END) + length
            if len(conn.buffer) < end:
                return
            conn.buffer = conn.buffer[end:]
            self.requests += 1
            # The answer is small: a loopback socket's send buffer takes it whole.
            conn.sock.setblocking(True)
            try:
                conn.sock.sendall(self._response)
            except OSError:
                selector.unregister(conn.sock)
                conn.sock.close()
                return
            finally:
                if conn.sock.fileno() >= 0:
                    conn.sock.setblocking(False)


def _content_length(head: bytes) -> int:
    for line in head.split(b"\r\n")[1:]:
        name, _, value = line.partition(b":")
        if name.strip().lower() == b"content-length":
            return int(value.strip() or 0)
    return 0
