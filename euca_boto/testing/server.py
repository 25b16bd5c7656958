"""One LocalCloud endpoint: an HTTP server on 127.0.0.1 with its fault plan and request log.

The HTTP mechanics live here (keep-alive, bodies, resets, black holes, stopping without hanging);
what to answer is the ``Frontend``'s business.
"""

from __future__ import annotations

import contextlib
import os
import socket
import struct
import sys
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from . import wire
from .faults import Decision, FaultPlan
from .frontend import Frontend, Request, Response, pipeline_error
from .requestlog import RequestLog, RequestRecord

# Codes AWS SDKs recognise for these statuses, so injected faults look like real ones.
_FAULT_CODES = {
    400: "BadRequest",
    403: "AccessDenied",
    404: "NotFound",
    408: "RequestTimeout",
    429: "Throttling",
    500: "InternalError",
    502: "BadGateway",
    503: "ServiceUnavailable",
    504: "GatewayTimeout",
}
MALFORMED_BODY = (
    b'<?xml version="1.0" encoding="UTF-8"?>\n'
    b'<LocalCloudResponse xmlns="http://msgs.eucalyptus.com"><requestId>7c1e0b2a-'
)
_POLL_SECONDS = 0.05  # how quickly held requests notice a cleared black hole or a stop


class _Server(ThreadingHTTPServer):
    daemon_threads = True  # a hung handler must never keep the process (or a test run) alive
    allow_reuse_address = True  # stop() then start() re-binds the same port at once
    request_queue_size = 128

    def __init__(self, address: tuple[str, int], endpoint: Endpoint,
                 bound: socket.socket | None = None) -> None:
        self.endpoint = endpoint
        self.stopping = threading.Event()
        self._connections: set[socket.socket] = set()
        self._connections_lock = threading.Lock()
        self._bound = bound
        super().__init__(address, _Handler)

    def server_bind(self) -> None:
        bound, self._bound = self._bound, None
        if bound is None:
            super().server_bind()
            return
        # The port the endpoint held while stopped: already bound, so only what HTTPServer's
        # server_bind notes besides binding.
        self.socket.close()
        self.socket = bound
        host, port = bound.getsockname()[:2]
        self.server_address = (host, port)
        self.server_name, self.server_port = socket.getfqdn(host), port

    def process_request(self, request: Any, client_address: Any) -> None:
        with self._connections_lock:
            self._connections.add(request)
        super().process_request(request, client_address)

    def shutdown_request(self, request: Any) -> None:
        with self._connections_lock:
            self._connections.discard(request)
        super().shutdown_request(request)

    def handle_error(self, request: Any, client_address: Any) -> None:
        # A client that went away (timed out, reset) is normal here; anything else is a bug.
        if not isinstance(sys.exc_info()[1], OSError):
            super().handle_error(request, client_address)

    def drop_connections(self) -> None:
        """Wake every handler blocked on its connection (shutdown only: the handler closes)."""
        with self._connections_lock:
            connections = list(self._connections)
        for conn in connections:
            try:
                conn.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive, as botocore's connection pool expects
    # Headers and body go out in separate writes; without TCP_NODELAY the body waits for the
    # client's delayed ACK (about 40 ms), which would dwarf everything a benchmark measures.
    disable_nagle_algorithm = True
    server_version = "LocalCloud"

    def version_string(self) -> str:
        return self.server_version

    server: _Server

    def log_message(self, format: str, *args: Any) -> None:
        return  # the request log is the record; stderr stays quiet

    def do_GET(self) -> None:
        self._serve()

    do_POST = do_PUT = do_DELETE = do_HEAD = do_PATCH = do_OPTIONS = do_GET

    def _serve(self) -> None:
        with self.server.endpoint.busy():
            self._serve_one()

    def _serve_one(self) -> None:
        server = self.server
        endpoint = server.endpoint
        arrived = time.time()
        body = self._read_body()
        raw_path, _, raw_query = self.path.partition("?")
        request = Request(self.command, raw_path, raw_query, list(self.headers.items()), body)
        service, action = endpoint.frontend.classify(request)
        decision = endpoint.faults.next()

        def record(status: int | None, access_key: str | None = None) -> None:
            endpoint.log.append(
                RequestRecord(
                    endpoint=endpoint.index,
                    method=self.command,
                    path=raw_path,
                    service=service,
                    action=action,
                    params=_params_dict(request.params),
                    headers=dict(self.headers.items()),
                    status=status,
                    time=arrived,
                    fault=None if decision.kind == "none" else decision.kind,
                    access_key=access_key,
                    client_port=self.client_address[1],
                )
            )

        if not endpoint.faults.hold(decision, server.stopping, _POLL_SECONDS):
            return self._drop(record)
        # A request held by latency, or by a black hole since cleared, is answered now (late),
        # as over a network path that healed.
        if decision.kind == "reset":
            record(None)
            return self._reset()
        if decision.kind == "status":
            response = _status_response(decision, endpoint.index)
        elif decision.kind == "malformed":
            response = Response(200, [("Content-Type", wire.XML_CONTENT_TYPE)], MALFORMED_BODY)
        else:
            try:
                response = endpoint.frontend.answer(request, endpoint.index)
            except Exception as exc:  # a bug or moto failing must still get an HTTP answer
                response = pipeline_error(
                    500, "Internal Server Error", f"LocalCloud failed: {exc!r}", str(uuid.uuid4())
                )
        # Logged before answering, so a client that has its answer finds the record.
        record(response.status, response.access_key)
        self._send(response)

    def _read_body(self) -> bytes:
        if "chunked" in self.headers.get("Transfer-Encoding", "").lower():
            chunks: list[bytes] = []
            while True:
                size = int(self.rfile.readline().split(b";", 1)[0].strip() or b"0", 16)
                if size == 0:
                    while self.rfile.readline() not in (b"\r\n", b"\n", b""):
                        pass  # trailers
                    return b"".join(chunks)
                chunks.append(self.rfile.read(size))
                self.rfile.readline()
        length = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(length) if length else b""

    def _send(self, response: Response) -> None:
        self.send_response(response.status)
        has_length = False
        for name, value in response.headers:
            lower = name.lower()
            if lower in ("date", "server"):
                continue
            if lower == "content-length":
                # Only a HEAD answer keeps the length of a body it does not carry.
                if self.command != "HEAD" or has_length:
                    continue
                has_length = True
            self.send_header(name, value)
        if not has_length:
            self.send_header("Content-Length", str(len(response.body)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(response.body)

    def _reset(self) -> None:
        # SO_LINGER with a zero timeout makes close() send a TCP RST instead of a FIN. Close the
        # descriptor itself: the socket object would wait for its file objects, and socketserver
        # would send a FIN (shutdown) first.
        self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        os.close(self.connection.detach())
        self.close_connection = True

    def _drop(self, record: Callable[[int | None], None]) -> None:
        record(None)
        self.close_connection = True


def _status_response(decision: Decision, index: int) -> Response:
    status = decision.status
    code = _FAULT_CODES.get(status) or HTTPStatus(status).phrase.replace(" ", "")
    body = (
        decision.body
        if decision.body is not None
        else wire.render_error(
            code,
            f"Injected fault: HTTP {status} from LocalCloud endpoint {index}",
            str(uuid.uuid4()),
        )
    )
    headers = [("Content-Type", wire.XML_CONTENT_TYPE)]
    if decision.retry_after is not None:
        headers.append(("Retry-After", decision.retry_after))
    return Response(status, headers, body)


def _params_dict(pairs: list[tuple[str, str]]) -> dict[str, str | list[str]]:
    result: dict[str, str | list[str]] = {}
    for name, value in pairs:
        if name not in result:
            result[name] = value
        else:
            existing = result[name]
            result[name] = [*existing, value] if isinstance(existing, list) else [existing, value]
    return result


class Endpoint:
    """One endpoint of a LocalCloud: every service, on its own port, in one partition.

    Fault methods affect the requests that arrive after the call, in arrival order.
    """

    def __init__(
        self,
        index: int,
        partition: str,
        frontend: Frontend,
        *,
        port: int = 0,
        host: str = "127.0.0.1",
        on_change: Callable[[], None] = lambda: None,
    ) -> None:
        self.index = index
        self.partition = partition
        self.host = host
        self.frontend = frontend
        self.faults = FaultPlan(on_change)
        self.log = RequestLog()
        self._port = port
        self._on_change = on_change
        self._lock = threading.Lock()
        self._server: _Server | None = None
        self._thread: threading.Thread | None = None
        # While stopped, the port stays bound (not listening: connections are refused), so no
        # other program can take it before start() listens there again. close() frees it.
        self._held: socket.socket | None = None
        self._busy = 0
        self._idle = threading.Condition()

    def __repr__(self) -> str:
        return f"<Endpoint {self.index} {self.url} {self.partition} {self.state}>"

    @property
    def port(self) -> int:
        return self._port

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self._port}"

    @property
    def running(self) -> bool:
        return self._server is not None

    @property
    def state(self) -> str:
        """How DescribeServices reports this endpoint's services."""
        if not self.running:
            return "STOPPED"
        return "NOTREADY" if self.faults.degraded else "ENABLED"

    @property
    def requests(self) -> list[RequestRecord]:
        """A snapshot of the request log."""
        return self.log.snapshot()

    def clear_requests(self) -> None:
        self.log.clear()

    @contextlib.contextmanager
    def busy(self) -> Iterator[None]:
        """Count a request as in progress while the block runs."""
        with self._idle:
            self._busy += 1
        try:
            yield
        finally:
            with self._idle:
                self._busy -= 1
                self._idle.notify_all()

    def wait_idle(self, timeout: float = 2.0) -> bool:
        """Wait until no request is in progress (e.g. one a timed-out client left behind);
        False if some still is after ``timeout`` seconds."""
        with self._idle:
            return self._idle.wait_for(lambda: self._busy == 0, timeout)

    # Faults -----------------------------------------------------------------------------------

    def fail(
        self,
        status: int,
        count: int = 1,
        retry_after: int | float | str | None = None,
        body: str | bytes | None = None,
    ) -> None:
        """Answer the next ``count`` requests with ``status`` and a §2.3 error body (or ``body``),
        with a ``Retry-After`` header when given (seconds or an HTTP date)."""
        if not 100 <= status <= 599:
            raise ValueError(f"status must be an HTTP status code (100-599), got {status}")
        self.faults.add_status(
            status,
            count,
            None if retry_after is None else str(retry_after),
            body.encode() if isinstance(body, str) else body,
        )

    def latency(self, seconds: float) -> None:
        """Delay every answer by ``seconds`` until cleared (0 clears it)."""
        self.faults.set_latency(seconds)

    def reset(self, count: int = 1) -> None:
        """Reset (TCP RST, no answer) the connection of the next ``count`` requests."""
        self.faults.add_reset(count)

    def malformed(self, count: int = 1) -> None:
        """Answer the next ``count`` requests with 200 and a truncated XML body."""
        self.faults.add_malformed(count)

    def blackhole(self) -> None:
        """Accept requests and never answer them, until ``clear()`` or ``stop()``."""
        self.faults.set_blackhole(True)

    def clear(self) -> None:
        """Remove every fault (pending counted faults, latency, black hole)."""
        self.faults.clear()

    # Lifecycle --------------------------------------------------------------------------------

    def start(self) -> None:
        """Listen (again) on this endpoint's port; a no-op when running."""
        with self._lock:
            if self._server is not None:
                return
            held, self._held = self._held, None
            server = _Server((self.host, self._port), self, held)
            self._port = server.server_address[1]
            thread = threading.Thread(
                target=server.serve_forever,
                kwargs={"poll_interval": _POLL_SECONDS},
                name=f"localcloud-endpoint-{self.index}",
                daemon=True,
            )
            thread.start()
            self._server, self._thread = server, thread
        self._on_change()

    def stop(self) -> None:
        """Close the listening socket (new connections are refused) and drop open ones."""
        with self._lock:
            server, thread = self._server, self._thread
            self._server = self._thread = None
        if server is None:
            return
        server.stopping.set()
        server.shutdown()
        server.server_close()
        server.drop_connections()
        if thread is not None:
            thread.join(timeout=1)
        self._held = _hold(server.address_family, self.host, self._port)
        self._on_change()

    def close(self) -> None:
        """Stop, and give the port back."""
        self.stop()
        with self._lock:
            held, self._held = self._held, None
        if held is not None:
            held.close()


def _hold(family: int, host: str, port: int) -> socket.socket | None:
    """A socket bound to ``port`` and not listening; None if another took the port meanwhile."""
    sock = socket.socket(family)
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as the server's was
        sock.bind((host, port))
    except OSError:
        sock.close()
        return None
    return sock
