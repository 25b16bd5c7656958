"""The tracker API on HTTP: an ASGI application (Starlette's requests and responses) under
uvicorn that hands every request to the controller and writes its JSON answer.

What a service exposed to hostile clients needs, and ``http.server`` lacked:

- time limits: request headers must arrive within ``header_timeout``, the body within
  ``request_timeout`` (a client that announces a body and never sends it gets 408 and its
  connection closed), idle keep-alive connections close after ``idle_timeout``;
- size limits: each header field (``max_header_field``) and the whole request head
  (``max_header_bytes``) get 431, bodies 413; every refusal, malformed requests included, is a
  JSON error;
- connection admission (:mod:`~euca_boto.tracker.api.admission`): caps per client and in total,
  idle connections closed first under pressure, and a reserve that answers ``/health``;
- bounded concurrency: at most ``max_requests`` requests are handled at once (503 ``Busy``
  beyond that), on at most ``max_threads`` threads, whatever the number of connections;
  ``/health`` has a small capacity of its own;
- graceful shutdown: ``close()`` stops accepting, lets running requests finish (up to
  ``shutdown_grace`` seconds), then closes;
- optional TLS (a certificate and key file), and the API's OpenAPI document at
  ``/openapi.json``.

Request lines are never logged (older clients put hook tokens in query strings).
"""

from __future__ import annotations

import asyncio
import http
import json
import socket
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

import uvicorn
from starlette.requests import ClientDisconnect, Request
from starlette.responses import Response
from starlette.types import ASGIApp, Receive, Scope, Send
from uvicorn.protocols.http.h11_impl import H11Protocol

from euca_boto.tracker.api.admission import Admission, Verdict
from euca_boto.tracker.api.controller import Answer, Controller, error
from euca_boto.tracker.api.openapi import document
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


# Requests the /health reserve answers at once (beside max_requests).
HEALTH_CAPACITY = 4
# Seconds a connection refused with a last answer stays open for the client to read it.
LINGER = 2.0


class _Limited(Exception):
    def __init__(self, answer: Answer) -> None:
        self.answer = answer


def _json(answer: Answer, close: bool = False) -> Response:
    headers = {"Connection": "close"} if close else None
    return Response(answer.encode(), answer.status, headers, media_type="application/json")


def _raw(answer: Answer) -> bytes:
    """``answer`` as the bytes of an HTTP/1.1 response that closes the connection (for the
    refusals made below the application: admission, malformed requests)."""
    body = answer.encode()
    phrase = http.HTTPStatus(answer.status).phrase
    return (f"HTTP/1.1 {answer.status} {phrase}\r\ncontent-type: application/json\r\n"
            f"content-length: {len(body)}\r\nconnection: close\r\n\r\n").encode() + body


def _head_too_large(scope: Scope, limits: Limits) -> Answer | None:
    """431 when a header field or the request head exceeds its limit (h11 bounds only a head
    that arrives in pieces; one that arrives whole is measured here)."""
    total = len(scope["method"]) + len(scope.get("raw_path") or b"") + len(
        scope.get("query_string") or b"") + 12
    for name, value in scope["headers"]:
        size = len(name) + len(value) + 4
        if size > limits.max_header_field:
            return error(431, "HeaderFieldTooLarge",
                         f"a header field is {size} bytes; the limit is "
                         f"{limits.max_header_field} bytes per field")
        total += size
    if total > limits.max_header_bytes:
        return error(431, "HeadersTooLarge",
                     f"the request head is {total} bytes; the limit is "
                     f"{limits.max_header_bytes} bytes")
    return None


class Workers:
    """The threads handlers run on (they block: store, STS): never more than ``max_threads``,
    since more only fight the event loop for the interpreter lock; and a few for ``/health``
    alone."""

    def __init__(self, limits: Limits) -> None:
        self.api = ThreadPoolExecutor(min(limits.max_threads, limits.max_requests),
                                      thread_name_prefix="tracker-api")
        self.health = ThreadPoolExecutor(HEALTH_CAPACITY, thread_name_prefix="tracker-health")

    def close(self) -> None:
        self.api.shutdown(wait=False, cancel_futures=True)
        self.health.shutdown(wait=False, cancel_futures=True)


def build_app(
    controller: Controller, limits: Limits, watch: FeedWatch, admission: Admission,
    workers: Workers,
) -> ASGIApp:
    """The ASGI application: ``/openapi.json`` and every other path through the controller on
    ``workers``; watches wait on ``watch``; connections on ``admission``'s reserve get only
    ``/health``."""
    openapi = json.dumps(document()).encode()
    admitted = asyncio.Semaphore(limits.max_requests)
    # /health does not queue behind busy handlers: an operator sees the server under load.
    health_admitted = asyncio.Semaphore(HEALTH_CAPACITY)

    def answer_of(method: str, target: str, headers: list[tuple[str, str]],
                  body: bytes) -> tuple[Answer, bytes]:
        # On the worker thread, encoding included: the event loop only moves bytes.
        answer = controller.handle(method, target, headers, body)
        return answer, b"" if answer.again is not None else answer.encode()

    async def read_body(request: Request) -> bytes:
        length = request.headers.get("content-length")
        if length is not None and (not length.isascii() or not length.isdigit()
                                   or int(length) > limits.max_body):
            raise _Limited(error(413, "BodyTooLarge",
                                 f"request bodies are limited to {limits.max_body} bytes"))
        chunks, size = [], 0
        async for chunk in request.stream():
            size += len(chunk)
            if size > limits.max_body:
                raise _Limited(error(413, "BodyTooLarge",
                                     f"request bodies are limited to {limits.max_body} bytes"))
            chunks.append(chunk)
        return b"".join(chunks)

    async def api(request: Request) -> Response:
        too_large = _head_too_large(request.scope, limits)
        if too_large is not None:
            return _json(too_large, close=True)
        health = request.url.path == "/health"
        # A reserve connection answers once, then makes room again.
        reserved = admission.reserved_peer(request.scope.get("client"))
        if reserved and not health:
            return _json(error(503, "Busy", "the tracker has no free connection; this one is "
                                            "reserved for GET /health; retry shortly"),
                         close=True)
        if request.url.path == "/openapi.json":
            if request.method != "GET":
                return _json(error(405, "MethodNotAllowed",
                                   f"method {request.method} is not allowed here; use GET"))
            return Response(openapi, 200, media_type="application/json")
        try:
            # A request with neither header has no body (RFC 9112): nothing to wait for.
            announced = "content-length" in request.headers or (
                "transfer-encoding" in request.headers)
            body = (await asyncio.wait_for(read_body(request), limits.request_timeout)
                    if announced else b"")
        except (TimeoutError, asyncio.TimeoutError):
            return _json(error(408, "RequestTimeout",
                               f"the request body did not arrive within "
                               f"{limits.request_timeout:g} s"), close=True)
        except _Limited as limited:
            return _json(limited.answer, close=True)
        except ClientDisconnect:
            return _json(error(400, "ClientDisconnected", "the client went away"), close=True)
        gate, pool = (health_admitted, workers.health) if health else (admitted, workers.api)
        # A busy tracker refuses work at once; /health, cheap and bounded by the connections,
        # waits its turn instead.
        if gate.locked() and not health:
            return _json(error(503, "Busy", "the tracker is handling as many requests as it "
                                            "may; retry shortly"))
        raw_path = request.scope.get("raw_path") or request.url.path.encode()
        query = request.scope.get("query_string", b"")
        target = raw_path.decode("latin-1") + ("?" + query.decode("latin-1") if query else "")
        headers = [(k.decode("latin-1"), v.decode("latin-1")) for k, v in request.headers.raw]
        loop = asyncio.get_running_loop()
        async with gate:
            answer, encoded = await loop.run_in_executor(
                pool, answer_of, request.method, target, headers, body)
        if answer.again is not None:
            answer = await _watch(answer)
            encoded = answer.encode()
        return Response(encoded, answer.status, {"Connection": "close"} if reserved else None,
                        media_type="application/json")

    async def _watch(answer: Answer) -> Answer:
        # Held without a thread or an admission slot until the feed grows past the page's
        # cursor, then read again (the account's page may still be empty: wait on).
        loop = asyncio.get_running_loop()
        deadline = loop.time() + answer.wait
        again = answer.again
        assert again is not None
        while not answer.body["changes"] and loop.time() < deadline:
            if not await watch.wait_past(int(answer.body["next"]), deadline - loop.time()):
                break
            async with admitted:
                answer = await loop.run_in_executor(workers.api, again)
        return answer

    async def app(scope: Scope, receive: Receive, send: Send) -> None:
        # Every path and method goes to the controller (no router: an unknown method must get
        # the same JSON error as any other bad request).
        if scope["type"] != "http":
            return
        response = await api(Request(scope, receive))
        await response(scope, receive, send)

    return app


def _guarded_protocol(limits: Limits, admission: Admission) -> type[H11Protocol]:
    """uvicorn's HTTP/1.1 protocol on h11, with what the tracker adds: connection admission,
    request headers that must arrive within ``header_timeout`` (uvicorn bounds only idle
    keep-alive time), and JSON answers to malformed and oversized requests (431 when the
    head outgrew ``max_header_bytes`` before it was complete)."""

    class Guarded(H11Protocol):
        _header_timer: asyncio.TimerHandle | None = None
        _idle_since: float = 0.0

        @property
        def idle(self) -> bool:
            return self._waiting()

        @property
        def idle_since(self) -> float:
            return self._idle_since

        @property
        def peer(self) -> tuple[str, int] | None:
            return self.client

        def evict(self) -> None:
            if not self.transport.is_closing():
                self.transport.close()

        _lingering = False

        def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
            super().connection_made(transport)
            self._idle_since = time.monotonic()
            verdict: Verdict = admission.admit(self, self.client[0] if self.client else "")
            if verdict in ("held", "refused"):
                refusal = error(503, "TooManyConnections", "the tracker holds as many "
                                "connections from your address as it may; close some and retry")
                if verdict == "refused":
                    self._answer_and_close(refusal)
                else:
                    self._lingering = True  # nothing it sends is read
                    transport.pause_reading()
                    self.loop.call_later(limits.refuse_after, self._answer_and_close, refusal)
                return
            self._arm()

        def _answer_and_close(self, answer: Answer) -> None:
            """Write a last answer and close once the client has it (its end of file closes
            the transport, or the timer does): closing at once, with its request unread, would
            reset the connection and could lose the answer."""
            self._disarm()
            self._lingering = True
            admission.leave(self)  # answered: it no longer counts, whenever it closes
            if self.transport.is_closing():
                return  # the client went first
            self.transport.resume_reading()  # to see the client's end of file
            self.transport.write(_raw(answer))
            try:
                if self.transport.can_write_eof():
                    self.transport.write_eof()
                    self.loop.call_later(LINGER, self.transport.close)
                    return
            except OSError:
                pass  # the client reset the connection: nothing to wait for
            self.transport.close()

        def _waiting(self) -> bool:
            return self.cycle is None or self.cycle.response_complete

        def _arm(self) -> None:
            if self._header_timer is None:
                self._header_timer = self.loop.call_later(limits.header_timeout, self._expire)

        def _disarm(self) -> None:
            if self._header_timer is not None:
                self._header_timer.cancel()
                self._header_timer = None

        def _expire(self) -> None:
            self._header_timer = None
            if self._waiting() and not self.transport.is_closing():
                self.transport.close()

        def data_received(self, data: bytes) -> None:
            if self._lingering or self.transport.is_closing():
                return  # answered for the last time, or evicted: the rest is not read
            super().data_received(data)
            if self._waiting():
                self._arm()
            else:
                self._disarm()

        def on_response_complete(self) -> None:
            self._idle_since = time.monotonic()
            super().on_response_complete()

        def send_400_response(self, msg: str) -> None:
            if len(self.conn.trailing_data[0]) > limits.max_header_bytes:
                answer = error(431, "HeadersTooLarge", f"the request head exceeds "
                               f"{limits.max_header_bytes} bytes")
            else:
                answer = error(400, "MalformedRequest", "the request is not valid HTTP/1.1")
            self._answer_and_close(answer)

        def connection_lost(self, exc: Exception | None) -> None:
            self._disarm()
            admission.leave(self)
            super().connection_lost(exc)

    return Guarded


class ApiServer:
    """A running API server on its own thread and event loop; ``close()`` stops it."""

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
        self._workers = Workers(self.limits)
        config = uvicorn.Config(
            build_app(controller, self.limits, self.watch, self.admission, self._workers),
            http=_guarded_protocol(self.limits, self.admission),
            lifespan="off",
            access_log=False,  # request lines may carry tokens
            # Clients are counted by the address they connect from, never by a header they
            # write (X-Forwarded-For).
            proxy_headers=False,
            log_level="warning",
            timeout_keep_alive=int(max(1, self.limits.idle_timeout)),
            timeout_graceful_shutdown=int(max(1, self.limits.shutdown_grace)),
            # Admission caps connections (uvicorn's cap answers plain text to everyone alike).
            limit_concurrency=None,
            h11_max_incomplete_event_size=self.limits.max_header_bytes,
            ssl_certfile=tls_cert,
            ssl_keyfile=tls_key,
            server_header=False,
        )
        self._server = uvicorn.Server(config)
        self._socket = sock
        self._thread = threading.Thread(
            target=self._server.run, kwargs={"sockets": [sock]}, name="tracker-api",
            daemon=True)
        self._thread.start()
        deadline = time.monotonic() + 30
        while not self._server.started:
            if not self._thread.is_alive() or time.monotonic() > deadline:
                sock.close()
                raise OSError(f"the tracker API did not start on {host}:{port}")
            time.sleep(0.01)

    @property
    def url(self) -> str:
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"{self.scheme}://{host}:{self.port}"

    @property
    def open_connections(self) -> int:
        """Connections currently open (for health checks and tests)."""
        return len(self._server.server_state.connections)

    def close(self) -> None:
        """Stop accepting, let running requests finish (within the grace time), stop."""
        self._server.should_exit = True
        self._thread.join(timeout=self.limits.shutdown_grace + 5)
        self._socket.close()
        self._workers.close()
