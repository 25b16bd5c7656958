"""A TCP proxy on 127.0.0.1 in front of a real redis-server that can hold back one reply: it
puts a breaker's caller in the middle of a Redis round trip for as long as a test needs."""

from __future__ import annotations

import socket
import threading
from types import TracebackType
from urllib.parse import urlsplit


class RedisProxy:
    """Forwards every connection to ``upstream`` (a redis:// URL); :meth:`hold_reply` makes it
    keep back a later reply until :meth:`release`."""

    def __init__(self, upstream: str) -> None:
        parts = urlsplit(upstream)
        self._upstream = (parts.hostname or "127.0.0.1", parts.port or 6379)
        self._db = parts.path or "/0"
        self._listener = socket.create_server(("127.0.0.1", 0))
        self._sockets: list[socket.socket] = [self._listener]
        self._lock = threading.Lock()
        self._countdown = 0  # replies still to forward before the one held
        self.held = threading.Event()  # set while a reply is held back
        self._released = threading.Event()
        self._threads: list[threading.Thread] = []

    def url(self, **query: object) -> str:
        port = self._listener.getsockname()[1]
        tail = "&".join(f"{k}={v}" for k, v in query.items())
        return f"redis://127.0.0.1:{port}{self._db}" + (f"?{tail}" if tail else "")

    def hold_reply(self, after: int = 0) -> None:
        """Forward ``after`` more replies, then hold the next one back until :meth:`release`."""
        with self._lock:
            self._countdown = after + 1
        self.held.clear()
        self._released.clear()

    def release(self) -> None:
        with self._lock:
            self._countdown = 0
        self._released.set()

    def __enter__(self) -> RedisProxy:
        self._start(self._accept)
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 traceback: TracebackType | None) -> None:
        self.release()
        with self._lock:
            for sock in self._sockets:
                try:
                    sock.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass
                sock.close()
        for thread in self._threads:
            thread.join(timeout=5)

    def _start(self, target: object, *args: object) -> None:
        thread = threading.Thread(target=target, args=args, daemon=True)  # type: ignore[arg-type]
        self._threads.append(thread)
        thread.start()

    def _accept(self) -> None:
        while True:
            try:
                client, _ = self._listener.accept()
            except OSError:
                return  # closed
            server = socket.create_connection(self._upstream, timeout=10)
            server.settimeout(None)
            with self._lock:
                self._sockets += [client, server]
            self._start(self._pump, client, server, False)
            self._start(self._pump, server, client, True)

    def _pump(self, source: socket.socket, target: socket.socket, replies: bool) -> None:
        while True:
            try:
                data = source.recv(65536)
            except OSError:
                return
            if not data:
                return
            if replies and self._is_held():
                self.held.set()
                self._released.wait(30)
            try:
                target.sendall(data)
            except OSError:
                return

    def _is_held(self) -> bool:
        with self._lock:
            if self._countdown == 0:
                return False
            self._countdown -= 1
            return self._countdown == 0
