"""The tracker API on HTTP: a server on its own thread and event loop that hands every request
to the controller on a pool of threads and writes its JSON answer.

What a service exposed to hostile clients needs:

- time and size limits, JSON refusals of malformed requests, connection admission: each
  connection enforces them itself (:mod:`~euca_boto.tracker.api.connection`);
- bounded concurrency: at most ``max_requests`` requests are handled at once (503 ``Busy``
  beyond that), on at most ``max_threads`` threads, whatever the number of connections;
  ``/health`` has a small capacity of its own, and a connection on the admission reserve
  answers ``/health`` only;
- change watches (``GET /changes?wait=S``) held on the event loop, with no thread;
- graceful shutdown: ``close()`` stops accepting, lets running requests finish (up to
  ``shutdown_grace`` seconds; held watches answer at once with what they have), then closes;
- optional TLS (a certificate and key file), and the API's OpenAPI document at
  ``/openapi.json``.

Request lines are never logged (older clients put hook tokens in query strings).
"""

from __future__ import annotations

import asyncio
import json
import socket
import ssl
import threading
import time
from dataclasses import dataclass
from typing import Any
from urllib.parse import unquote

from euca_boto.tracker.api.admission import Admission
from euca_boto.tracker.api.connection import HttpConnection, Request
from euca_boto.tracker.api.controller import Answer, Controller, error
from euca_boto.tracker.api.openapi import document
from euca_boto.tracker.api.pool import Pool
from euca_boto.tracker.api.watch import FeedWatch


@dataclass(frozen=True)
class Limits:
    """The server's time, size, connection and concurrency limits."""

    header_timeout: float = 10.0
    request_timeout: float = 30.0
    idle_timeout: float = 15.0
    max_body: int = 1 << 20
    max_header_bytes: int = 16 * 1024
    max_header_field: int = 8 * 1024
    max_requests: int = 64
    max_threads: int = 16
    max_connections: int = 1000
    max_connections_per_client: int = 100
    health_reserve: int = 8
    refuse_after: float = 5.0
    shutdown_grace: float = 10.0


# Requests /health answers at once (beside max_requests), on threads of its own.
HEALTH_CAPACITY = 4

_RESERVED = error(503, "Busy", "the tracker has no free connection; this one is reserved for "
                               "GET /health; retry shortly")
_BUSY = error(503, "Busy", "the tracker is handling as many requests as it may; retry shortly")
_FAILED = error(500, "InternalError", "the tracker failed to answer this request")


class Api:
    """What the server does with a complete request, on the event loop: refuse it (busy, a
    reserve connection), serve ``/openapi.json``, or run the controller on a worker thread and
    write its answer; a watch that found nothing yet waits on ``watch`` without a thread."""

    def __init__(self, controller: Controller, limits: Limits, watch: FeedWatch,
                 workers: Pool, health: Pool) -> None:
        self.controller = controller
        self.limits = limits
        self.watch = watch
        self.workers = workers
        self.health = health
        self.openapi = json.dumps(document()).encode()
        self.active = 0  # requests on the workers (watches waiting are not)
        self.watches: set[asyncio.Task[None]] = set()

    def __call__(self, connection: HttpConnection, request: Request) -> None:
        path = request.target.partition("?")[0]
        if "%" in path:
            path = unquote(path)
        health = path == "/health"
        # A reserve connection answers /health once, then makes room again.
        if request.reserved and not health:
            connection.respond(_RESERVED.status, _RESERVED.encode(), close=True)
            return
        if path == "/openapi.json":
            if request.method != "GET":
                answer = error(405, "MethodNotAllowed",
                               f"method {request.method} is not allowed here; use GET")
                connection.respond(answer.status, answer.encode(), close=request.reserved)
            else:
                connection.respond(200, self.openapi, close=request.reserved)
            return
        if health:
            # /health does not queue behind busy handlers, nor is it refused: an operator
            # sees the server under load.
            self.health.submit(lambda: self._answer_of(request),
                               lambda result: self._answered(connection, request, result))
            return
        if self.active >= self.limits.max_requests:
            connection.respond(_BUSY.status, _BUSY.encode())
            return
        self.active += 1

        def then(result: Any) -> None:
            self.active -= 1
            self._answered(connection, request, result)

        self.workers.submit(lambda: self._answer_of(request), then)

    def _answer_of(self, request: Request) -> tuple[Answer, bytes]:
        # On a worker thread, encoding included: the event loop only moves bytes.
        answer = self.controller.handle(request.method, request.target, request.headers,
                                        request.body)
        return answer, b"" if answer.again is not None else answer.encode()

    def _answered(self, connection: HttpConnection, request: Request, result: Any) -> None:
        if isinstance(result, BaseException):
            connection.respond(_FAILED.status, _FAILED.encode(), close=True)
            return
        answer, encoded = result
        if answer.again is None:
            connection.respond(answer.status, encoded, close=request.reserved)
            return
        task = asyncio.get_running_loop().create_task(self._hold(connection, request, answer))
        self.watches.add(task)
        task.add_done_callback(self.watches.discard)

    async def _hold(self, connection: HttpConnection, request: Request, answer: Answer) -> None:
        # Held without a thread until the feed grows past the page's cursor, then read again
        # (the account's page may still be empty: wait on). A server that stops answers at
        # once with what it has: the client resumes from the cursor.
        loop = asyncio.get_running_loop()
        deadline = loop.time() + answer.wait
        again = answer.again
        assert again is not None
        try:
            while not answer.body["changes"] and loop.time() < deadline:
                if not await self.watch.wait_past(int(answer.body["next"]),
                                                  deadline - loop.time()):
                    break
                answer = await self.workers.run(again)
        except asyncio.CancelledError:
            pass
        except Exception:  # noqa: BLE001 - a bug must still answer in JSON, not drop
            answer = _FAILED
        connection.respond(answer.status, answer.encode(), close=request.reserved)


class ApiServer:
    """An API server on its own thread and event loop. Made, it holds its port (connections
    wait in the listen queue); ``start()`` starts answering, ``close()`` stops it. Its owner
    starts it once everything a request may ask of it is in place: ``/health`` reports the
    server's own load."""

    def __init__(
        self,
        controller: Controller,
        host: str = "127.0.0.1",
        port: int = 8780,
        *,
        limits: Limits | None = None,
        tls_cert: str | None = None,
        tls_key: str | None = None,
        watch: FeedWatch | None = None,
    ) -> None:
        self.limits = limits or Limits()
        self.watch = watch or FeedWatch(lambda: 0)
        context = None
        if tls_cert:
            context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
            context.load_cert_chain(tls_cert, tls_key)
        family = socket.AF_INET6 if ":" in host else socket.AF_INET
        sock = socket.socket(family, socket.SOCK_STREAM)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind((host, port))
        except OSError:
            sock.close()
            raise
        sock.listen(1024)
        self.host, self.port = host, int(sock.getsockname()[1])
        self.scheme = "https" if tls_cert else "http"
        self.admission = Admission(self.limits.max_connections,
                                   self.limits.max_connections_per_client,
                                   self.limits.health_reserve)
        self._connections: set[HttpConnection] = set()
        self._loop = asyncio.new_event_loop()
        self._workers = Pool(self._loop, min(self.limits.max_threads, self.limits.max_requests),
                             "tracker-api")
        self._health = Pool(self._loop, HEALTH_CAPACITY, "tracker-health")
        self._api = Api(controller, self.limits, self.watch, self._workers, self._health)
        self._socket = sock
        self._server: asyncio.AbstractServer | None = None
        started = self._started = threading.Event()
        failure: list[BaseException] = []
        self._failure = failure

        async def serve() -> None:
            def connection() -> HttpConnection:
                return HttpConnection(self.limits, self.admission, self._api,
                                      self._connections)

            try:
                # Clients are counted by the address they connect from, never by a header
                # they write (X-Forwarded-For).
                self._server = await self._loop.create_server(
                    connection, sock=sock, ssl=context, backlog=1024,
                    ssl_handshake_timeout=self.limits.header_timeout if context else None)
            except BaseException as exc:  # noqa: BLE001 - reported by the constructor
                failure.append(exc)
            finally:
                started.set()

        def run() -> None:
            asyncio.set_event_loop(self._loop)
            self._loop.run_until_complete(serve())
            if not failure:
                self._loop.run_forever()
            # What still runs (the watch's check of the store's head) ends with the loop.
            pending = asyncio.all_tasks(self._loop)
            for task in pending:
                task.cancel()
            self._loop.run_until_complete(asyncio.gather(*pending, return_exceptions=True))
            self._loop.run_until_complete(self._loop.shutdown_default_executor())
            self._loop.close()

        self._thread = threading.Thread(target=run, name="tracker-api", daemon=True)

    def start(self) -> ApiServer:
        """Start answering: the connections made meanwhile are answered first. Raises
        ``OSError`` if the server cannot serve."""
        self._thread.start()
        if not self._started.wait(30) or self._failure:
            self._shut_pools()
            self._socket.close()
            raise OSError(f"the tracker API did not start on {self.host}:{self.port}"
                          + (f": {self._failure[0]}" if self._failure else ""))
        return self

    @property
    def url(self) -> str:
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"{self.scheme}://{host}:{self.port}"

    @property
    def open_connections(self) -> int:
        """Connections currently open (for health checks and tests)."""
        return len(self._connections)

    def load(self) -> dict[str, int]:
        """For ``/health``: the requests being handled (of at most ``max_requests``, beyond
        which the server answers 503 ``Busy``), the watches held, which take none of those
        places, and the connections open. Read from another thread than the server's: each
        count is a moment's."""
        return {"requests_in_progress": self._api.active,
                "max_requests": self.limits.max_requests,
                "watches_held": len(self._api.watches),
                "connections": len(self._connections)}

    def close(self) -> None:
        """Stop accepting, let running requests finish (within the grace time), stop."""
        if self._thread.is_alive():
            stopping = asyncio.run_coroutine_threadsafe(self._stop(), self._loop)
            try:
                stopping.result(timeout=self.limits.shutdown_grace + 5)
            except Exception:  # noqa: BLE001 - stopping goes on regardless
                pass
            self._loop.call_soon_threadsafe(self._loop.stop)
            self._thread.join(timeout=10)
        elif self._thread.ident is None:  # never started: its loop never ran
            self._loop.close()
        self._socket.close()
        self._shut_pools()

    async def _stop(self) -> None:
        if self._server is not None:
            self._server.close()  # no new connections
        for task in list(self._api.watches):
            task.cancel()  # held watches answer with what they have
        for connection in list(self._connections):
            connection.shutdown()
        # The grace is for answers in progress; a connection already closing waits for nothing
        # the server needs.
        deadline = time.monotonic() + self.limits.shutdown_grace
        while (any(not c.closing for c in self._connections)
               and time.monotonic() < deadline):
            await asyncio.sleep(0.02)
        for connection in list(self._connections):
            connection.evict()
        await asyncio.sleep(0)  # the transports close

    def _shut_pools(self) -> None:
        self._workers.close()
        self._health.close()
