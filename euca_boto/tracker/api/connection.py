"""One HTTP/1.1 connection of the tracker API: requests parsed by llhttp (``httptools``),
answers written straight to the socket.

The protocol object is the whole per-connection state: no task, future or ASGI message per
request. A request whose head and body have arrived goes to the server's ``handle`` callable
with a :class:`Request`; the answer comes back through :meth:`HttpConnection.respond`, on the
event loop. Requests a client sends before its previous answer (pipelining) wait in order, with
reading paused.

What the connection enforces itself, before any handler runs:

- time: the request head must arrive within ``header_timeout`` (else the connection is
  closed), an announced body within ``request_timeout`` (else 408), and an idle keep-alive
  connection closes after ``idle_timeout``;
- size: a header field over ``max_header_field`` bytes and a head over ``max_header_bytes``
  (whole or arriving in pieces) get 431, a body over ``max_body`` 413;
- syntax: anything llhttp refuses (bad request line, header, chunking, both Content-Length and
  Transfer-Encoding, an HTTP version other than 1.x) gets a JSON 400;
- admission (:mod:`~euca_boto.tracker.api.admission`): a connection over its client's cap is
  held unread and then refused, one on the reserve serves ``/health`` only.

Every refusal is JSON, written before the connection closes; request lines are never logged.
"""

from __future__ import annotations

import asyncio
import http
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from email.utils import formatdate
from typing import TYPE_CHECKING

import httptools

from euca_boto.tracker.api.admission import Admission
from euca_boto.tracker.api.controller import Answer, error

if TYPE_CHECKING:
    from euca_boto.tracker.api.server import Limits

# Seconds a connection refused with a last answer stays open for the client to read it.
LINGER = 2.0

_STATUS = {s.value: f"HTTP/1.1 {s.value} {s.phrase}\r\n".encode() for s in http.HTTPStatus}
_JSON_HEAD = b"content-type: application/json\r\ncontent-length: "


@dataclass(frozen=True)
class Request:
    """A complete request: ``target`` is the request target as sent (path and query)."""

    method: str
    target: str
    headers: list[tuple[str, str]]
    body: bytes
    reserved: bool  # the connection is on the admission reserve: /health only


Handle = Callable[["HttpConnection", Request], None]


class _Date:
    """The Date header, formatted once a second."""

    second = -1
    value = b""

    @classmethod
    def header(cls) -> bytes:
        now = int(time.time())
        if now != cls.second:
            cls.value = f"date: {formatdate(now, usegmt=True)}\r\n".encode()
            cls.second = now
        return cls.value


def encode_response(status: int, body: bytes, close: bool, length: int | None = None) -> bytes:
    """An HTTP/1.1 answer with a JSON body (``length`` bytes long: an answer to HEAD has none
    but says how long it would be)."""
    return b"".join((_STATUS[status], _JSON_HEAD,
                     str(len(body) if length is None else length).encode(), b"\r\n",
                     _Date.header(), b"connection: close\r\n\r\n" if close else b"\r\n",
                     body))


class _Refused(Exception):
    """A request the connection answers itself (raised from a parser callback)."""

    def __init__(self, answer: Answer) -> None:
        self.answer = answer


class HttpConnection(asyncio.Protocol):
    """The server side of one connection."""

    def __init__(self, limits: Limits, admission: Admission, handle: Handle,
                 connections: set[HttpConnection]) -> None:
        self.limits = limits
        self.admission = admission
        self.handle = handle
        self.connections = connections
        self.loop = asyncio.get_running_loop()
        self.transport: asyncio.Transport | None = None
        self.peer: tuple[str, int] | None = None
        self.reserved = False
        self.idle_since = time.monotonic()
        self._parser = httptools.HttpRequestParser(self)
        # A request after one that asked to close is not answered; llhttp would call it an
        # error and cost the client the answer it is owed.
        self._parser.set_dangerous_leniencies(lenient_data_after_close=True)
        self._timer: asyncio.TimerHandle | None = None
        self._done = False  # answered for the last time, or closing: nothing more is read
        self._closing_after = False  # close once the answers in progress are written
        self._queue: deque[Request] = deque()
        self._in_progress = False  # a request handed to ``handle``, not yet answered
        self._head_only = False  # the request in progress is a HEAD: the answer has no body
        self._writing_paused = False  # the client has not taken the answers written so far
        self._started = 0  # requests handed to ``handle``
        self._refusal: Answer | None = None  # the last answer, after those in progress
        # The request being parsed.
        self._url = b""
        self._headers: list[tuple[str, str]] = []
        self._head = 0  # bytes of the head as parsed so far
        self._received = 0  # bytes received while the head, or the body, was incomplete
        self._feeding = 0  # the size of the piece being parsed
        self._trailers = 0  # bytes of trailer fields
        self._heading = False  # between the first byte of a request and its head's end
        self._body: list[bytes] = []
        self._body_size = 0
        self._expects_body = False

    # Admission's view (see admission.Connection) -------------------------------------------------

    @property
    def idle(self) -> bool:
        """No request in progress: between requests, or in the middle of a head."""
        return not self._in_progress and not self._queue and not self._expects_body

    def evict(self) -> None:
        # At once: a graceful close would wait for the client (see ``_close``), and the place is
        # needed now.
        if self.transport is not None:
            self.transport.abort()

    @property
    def closing(self) -> bool:
        """Closed by either side, or closing: nothing more is answered on it."""
        return self.transport is None or self.transport.is_closing()

    # asyncio.Protocol ----------------------------------------------------------------------------

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        assert isinstance(transport, asyncio.Transport)
        self.transport = transport
        self.connections.add(self)
        peer = transport.get_extra_info("peername")
        self.peer = (str(peer[0]), int(peer[1])) if isinstance(peer, tuple) else None
        verdict = self.admission.admit(self, self.peer[0] if self.peer else "")
        if verdict in ("held", "refused"):
            refusal = error(503, "TooManyConnections", "the tracker holds as many connections "
                            "from your address as it may; close some and retry")
            if verdict == "refused":
                self._answer_and_close(refusal)
            else:
                self._done = True  # nothing it sends is read
                transport.pause_reading()
                self._timer = self.loop.call_later(self.limits.refuse_after,
                                                   self._answer_and_close, refusal)
            return
        self.reserved = verdict == "reserve"
        self._arm(self.limits.header_timeout, self._close)

    def connection_lost(self, exc: Exception | None) -> None:
        self._disarm()
        self._done = True
        self._queue.clear()
        self.connections.discard(self)
        self.admission.leave(self)

    def data_received(self, data: bytes) -> None:
        if self._done:
            return  # answered for the last time, or evicted: the rest is not read
        started = self._started
        self._feeding = len(data)
        try:
            self._parser.feed_data(data)
        except httptools.HttpParserUpgrade:
            # A protocol switch (Upgrade, CONNECT) is not offered: the request is answered as
            # any other, and the connection closes after it; what follows is not read.
            self._done = self._closing_after = True
            if self._in_progress or self._queue:
                return
            if self._started != started:
                self._close()  # answered already
            else:
                self._refuse(error(400, "MalformedRequest",
                                   "the tracker does not switch protocols"))
            return
        except httptools.HttpParserError as exc:
            refused = exc.__context__
            self._refuse(refused.answer if isinstance(refused, _Refused) else error(
                400, "MalformedRequest", "the request is not valid HTTP/1.1"))
            return
        if self._done:
            return
        # llhttp buffers a head or a trailer field without bound; what arrives in pieces is
        # measured here: the bytes received after the piece the head (or body) began in (a
        # head that arrives whole is measured exactly as it is parsed).
        if self._heading:
            self._received += len(data)
            if self._received > self.limits.max_header_bytes:
                self._refuse(self._head_too_large())
        elif self._expects_body:
            # The body's bytes on the wire: the body, its chunks' framing, its trailers.
            self._received += len(data)
            if self._received > 2 * self.limits.max_body + self.limits.max_header_bytes:
                self._refuse(self._body_too_large())

    # llhttp's callbacks --------------------------------------------------------------------------

    def on_message_begin(self) -> None:
        self._url = b""
        self._headers = []
        self._head = 12  # the request line's spaces, version and line ends
        self._received = -self._feeding
        self._heading = True
        self._body = []
        self._body_size = 0
        if not self._in_progress and not self._queue:
            self._arm(self.limits.header_timeout, self._close)

    def on_url(self, url: bytes) -> None:
        self._url += url
        self._head += len(url)

    def on_header(self, name: bytes, value: bytes) -> None:
        size = len(name) + len(value) + 4
        if not self._heading:
            # A trailer (after a chunked body): not a header, never read as one, and bounded
            # as the head is.
            self._trailers += size
            if self._trailers > self.limits.max_header_bytes:
                raise _Refused(self._head_too_large())
            return
        if size > self.limits.max_header_field:
            raise _Refused(error(431, "HeaderFieldTooLarge",
                                 f"a header field is {size} bytes; the limit is "
                                 f"{self.limits.max_header_field} bytes per field"))
        self._head += size
        if self._head > self.limits.max_header_bytes:
            raise _Refused(self._head_too_large())
        # llhttp keeps trailing white space, which is not part of a field's value.
        self._headers.append((name.decode("latin-1"), value.rstrip(b" \t").decode("latin-1")))

    def on_headers_complete(self) -> None:
        self._heading = False
        if self._parser.get_http_version() not in ("1.1", "1.0"):
            raise _Refused(error(400, "MalformedRequest", "the request is not HTTP/1.1"))
        length: int | None = None
        chunked = expect_continue = False
        for name, value in self._headers:
            folded = name.lower()
            if folded == "content-length":
                length = int(value)  # llhttp has checked it is one decimal number
            elif folded == "transfer-encoding":
                chunked = True
            elif folded == "expect":
                expect_continue = value.lower() == "100-continue"
        if length is not None and length > self.limits.max_body:
            raise _Refused(self._body_too_large())
        self._expects_body = chunked or bool(length)
        self._received, self._trailers = -self._feeding, 0
        if self._expects_body:
            self._arm(self.limits.request_timeout, self._body_timeout)
            # Not before the answers to earlier requests: a client that waits for it sends
            # its body after a while anyway.
            if (expect_continue and self.transport is not None and not self._in_progress
                    and not self._queue):
                self.transport.write(b"HTTP/1.1 100 Continue\r\n\r\n")
        else:
            self._disarm()

    def on_body(self, body: bytes) -> None:
        self._body_size += len(body)
        if self._body_size > self.limits.max_body:
            raise _Refused(self._body_too_large())
        self._body.append(body)

    def on_message_complete(self) -> None:
        if self._done:
            return  # a request after the last one the connection answers
        if self._expects_body:
            self._disarm()
            self._expects_body = False
        request = Request(self._parser.get_method().decode("ascii"),
                          self._url.decode("latin-1"), self._headers, b"".join(self._body),
                          self.reserved)
        if not self._parser.should_keep_alive() or self._parser.get_http_version() == "1.0":
            # An HTTP/1.0 client is answered once: keeping its connection would need a
            # Connection: keep-alive answer, which not every such client understands.
            self._closing_after = True
            self._done = True  # nothing it sends after this is read
        self._queue.append(request)
        if self._in_progress or self._writing_paused:
            self._reading()
        else:
            self._next()

    # Answers -------------------------------------------------------------------------------------

    def respond(self, status: int, body: bytes, close: bool = False) -> None:
        """Write the answer to the request in progress (on the event loop), then start the
        next one, if any."""
        transport = self.transport
        if transport is None or transport.is_closing() or not self._in_progress:
            return
        close = close or self._closing_after and not self._queue
        last = self._refusal
        transport.write(encode_response(status, b"" if self._head_only else body,
                                        close and last is None, len(body)))
        self._in_progress = False
        self.idle_since = time.monotonic()
        if close and last is not None:
            self._answer_and_close(last)
        elif close:
            self._done = True
            transport.close()
        elif self._queue:
            # On the next turn of the loop: answers made at once (/openapi.json) to many
            # requests sent together must not nest one call per request.
            self.loop.call_soon(self._resume)
        elif self._heading:
            self._arm(self.limits.header_timeout, self._close)
        else:
            self._arm(self.limits.idle_timeout, self._close)

    def pause_writing(self) -> None:
        # The client does not read its answers: read no more requests, start none, until it
        # has taken them.
        self._writing_paused = True
        self._reading()

    def resume_writing(self) -> None:
        self._writing_paused = False
        self._resume()

    def _resume(self) -> None:
        """Start the next waiting request, if the connection may."""
        if self._queue and not self._in_progress and not self._writing_paused:
            if self.transport is not None and not self.transport.is_closing():
                self._next()
        else:
            self._reading()

    def shutdown(self) -> None:
        """The server is stopping: close now if idle, else after the answer in progress."""
        if self._in_progress or self._queue:
            self._closing_after = True
            self._done = True
        else:
            self._close()

    def _refuse(self, answer: Answer) -> None:
        """Refuse the request being read, after the answers to those before it."""
        if self._in_progress or self._queue:
            self._refusal = answer
            self._done = self._closing_after = True
            self._disarm()
        else:
            self._answer_and_close(answer)

    def _reading(self) -> None:
        """Read while no request waits and the client takes its answers."""
        if self.transport is None or self._done:
            return
        if self._queue or self._writing_paused:
            self.transport.pause_reading()
        else:
            self.transport.resume_reading()

    def _next(self) -> None:
        request = self._queue.popleft()
        self._reading()
        self._in_progress = True
        self._head_only = request.method == "HEAD"
        self._started += 1
        self._disarm()
        try:
            self.handle(self, request)
        except Exception:  # noqa: BLE001 - a bug must still answer in JSON, not drop
            self._answer_and_close(error(500, "InternalError", "the tracker failed to answer "
                                         "this request"))

    def _answer_and_close(self, answer: Answer) -> None:
        """Write a last answer and close once the client has it (its end of file closes the
        transport, or the timer does): closing at once, with its request unread, would reset
        the connection and could lose the answer."""
        self._disarm()
        self._done = True
        self._in_progress = False
        self._queue.clear()
        self.admission.leave(self)  # answered: it no longer counts, whenever it closes
        transport = self.transport
        if transport is None or transport.is_closing():
            return  # the client went first
        transport.resume_reading()  # to see the client's end of file
        transport.write(encode_response(answer.status, answer.encode(), True))
        try:
            if transport.can_write_eof():
                transport.write_eof()
                self._timer = self.loop.call_later(LINGER, transport.close)
                return
        except OSError:
            pass  # the client reset the connection: nothing to wait for
        transport.close()

    def eof_received(self) -> bool:
        # The client is done sending: close once the answers in progress are written.
        if self._in_progress or self._queue:
            self._closing_after = True
            self._done = True
            return True
        return False

    # Timers --------------------------------------------------------------------------------------

    def _arm(self, seconds: float, then: Callable[[], None]) -> None:
        if self._timer is not None:
            self._timer.cancel()
        self._timer = self.loop.call_later(seconds, then)

    def _disarm(self) -> None:
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None

    def _close(self) -> None:
        self._disarm()  # called by its own timer, or at once (a timer may be armed)
        self._done = True
        transport = self.transport
        if transport is not None and not transport.is_closing():
            transport.close()
            # A close ends when the client takes what is written, and over TLS when it answers
            # the close_notify: a client that reads no more does neither. It gets LINGER seconds.
            self._arm(LINGER, transport.abort)

    def _body_timeout(self) -> None:
        self._timer = None
        self._refuse(error(408, "RequestTimeout", f"the request body did not arrive "
                                     f"within {self.limits.request_timeout:g} s"))

    def _head_too_large(self) -> Answer:
        return error(431, "HeadersTooLarge", f"the request head exceeds "
                     f"{self.limits.max_header_bytes} bytes")

    def _body_too_large(self) -> Answer:
        return error(413, "BodyTooLarge",
                     f"request bodies are limited to {self.limits.max_body} bytes")
