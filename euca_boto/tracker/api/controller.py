"""The tracker API's front layer: authenticate the caller, validate the request, map errors.

Routes::

    POST   /session                                            a session token for the caller
    PUT    /{collection}/{id}?track_hook=URL[&track_token=T]   hook on one resource
    PUT    /{collection}?track_hook=URL[&track_token=T]        hook on every resource of a type
           (track_hook=none removes the hook)
    GET    /hooks                                              the caller's hooks
    GET    /changes?since=N[&limit=M][&wait=S]                 the caller's feed after cursor N
           (wait=S: hold the request up to S seconds until there is something to answer)
    GET    /health                                             liveness (no authentication)

Every route but ``/health`` needs the caller's identity: an identity proof
(``X-Euca-Tracker-Identity``, checked with the cloud's STS) or a session token from
``POST /session`` (``Authorization: Bearer``, checked locally). ``collection`` is instances,
volumes, zones or services. ``track_hook`` and ``track_token`` may
instead travel in a JSON body (``{"track_hook": ..., "track_token": ...}``) or, for the token,
the ``X-Euca-Tracker-Token`` header, so that no secret sits in a URL that proxies log. Cursors
and limits are ASCII decimal integers in range. Every answer is JSON; errors are
``{"error": {"code", "message"}}`` with a 4xx/5xx status.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qs, unquote, urlsplit

from euca_boto.tracker import strictjson
from euca_boto.tracker.api.dispatcher import Busy, Dispatcher
from euca_boto.tracker.api.handlers import Handlers
from euca_boto.tracker.destinations import DestinationPolicy, ForbiddenDestination
from euca_boto.tracker.errors import (
    AuthenticationError,
    CursorExpired,
    InvalidRequest,
    StoreError,
    UnknownResource,
)
from euca_boto.tracker.identity import IDENTITY_HEADER, Caller
from euca_boto.tracker.model import COLLECTIONS
from euca_boto.tracker.sessions import Sessions
from euca_boto.tracker.store.base import MAX_PAGE

Verify = Callable[[str | None, str, str, bytes], Caller]
MAX_URL = 2048
TOKEN_HEADER = "X-Euca-Tracker-Token"
BEARER = "Bearer "
# Cursors are feed ids, stored as 64-bit integers.
MAX_CURSOR = 2**63 - 1
# The longest a watch holds a request (seconds).
MAX_WAIT = 60

log = logging.getLogger("euca_boto.tracker.api")
# Answers are trees of dicts, lists and scalars the tracker built: no cycle to look for.
_encode = json.JSONEncoder(separators=(",", ":"), check_circular=False).encode


@dataclass(frozen=True)
class Answer:
    """A status and JSON body. A watch (``GET /changes?wait=S``) that found nothing yet also
    carries ``wait`` (seconds) and ``again``, which reads the page once more for the same
    caller; the HTTP layer waits for the feed to grow and calls it, with no thread held
    meanwhile."""

    status: int
    body: dict[str, Any]
    wait: float = 0.0
    again: Callable[[], Answer] | None = None

    def encode(self) -> bytes:
        return _encode(self.body).encode()


def error(status: int, code: str, message: str) -> Answer:
    return Answer(status, {"error": {"code": code, "message": message}})


class RequestHeaders:
    """A request's headers by lower-case name. The ones that name the caller or carry a secret
    may come once: two of them, in any case, are refused rather than one of them chosen."""

    def __init__(self, pairs: Iterable[tuple[str, str]] | Mapping[str, str]) -> None:
        items = pairs.items() if isinstance(pairs, Mapping) else pairs
        self._values: dict[str, str] = {}
        self.repeated: set[str] = set()
        for name, value in items:
            folded = name.lower()
            if folded in self._values:
                self.repeated.add(folded)
            self._values[folded] = value

    def get(self, name: str) -> str | None:
        folded = name.lower()
        if folded in self.repeated:
            if folded == TOKEN_HEADER.lower():
                raise InvalidRequest(f"the {name} header is given more than once; send it once")
            raise AuthenticationError(401, f"the {name} header is given more than once; send "
                                           f"it once")
        return self._values.get(folded)


class Controller:
    def __init__(
        self,
        handlers: Handlers,
        dispatcher: Dispatcher,
        verify: Verify,
        destinations: DestinationPolicy | None = None,
        sessions: Sessions | None = None,
    ) -> None:
        self.handlers = handlers
        self.dispatcher = dispatcher
        self.verify = verify
        self.destinations = destinations or DestinationPolicy()
        self.sessions = sessions

    def handle(
        self, method: str, target: str,
        headers: Iterable[tuple[str, str]] | Mapping[str, str], body: bytes,
    ) -> Answer:
        """Answer one HTTP request (``target`` is the path with its query string)."""
        try:
            return self._handle(method, target, RequestHeaders(headers), body)
        except AuthenticationError as exc:
            return error(exc.status, exc.code, str(exc))
        except strictjson.StrictJsonError as exc:
            return error(400, exc.code, f"the request body: {exc}")
        except ForbiddenDestination as exc:
            return error(400, "ForbiddenDestination", str(exc))
        except InvalidRequest as exc:
            return error(400, "InvalidRequest", str(exc))
        except UnknownResource as exc:
            return error(404, "NotFound", str(exc))
        except CursorExpired as exc:
            return error(410, "CursorExpired", str(exc))
        except _MethodNotAllowed as exc:
            return error(405, "MethodNotAllowed", str(exc))
        except Busy as exc:
            return error(503, "Busy", str(exc))
        except StoreError as exc:
            return error(503, "StoreUnavailable", str(exc))
        except Exception as exc:  # noqa: BLE001 - a bug must still answer in JSON, not drop
            # The target is not logged: its query string may hold a hook token.
            log.error("%s request failed: %s: %s", method, type(exc).__name__, exc)
            return error(500, "InternalError", "the tracker failed to answer this request; "
                         "its log says why")

    def authenticate(
        self, method: str, target: str, headers: RequestHeaders, body: bytes
    ) -> Caller:
        """The caller, from its session token or its identity proof (one of them)."""
        authorization = headers.get("Authorization")
        identity = headers.get(IDENTITY_HEADER)
        if authorization is not None and self.sessions is not None:
            if identity is not None:
                raise AuthenticationError(
                    401, f"send a session token or an {IDENTITY_HEADER} proof, not both")
            if not authorization.startswith(BEARER):
                raise AuthenticationError(
                    401, "the Authorization header must be 'Bearer' and a session token from "
                         "POST /session", code="SessionRejected")
            return self.sessions.verify(authorization[len(BEARER):].strip())
        return self.verify(identity, method, target, body)

    def _handle(
        self, method: str, target: str, headers: RequestHeaders, body: bytes
    ) -> Answer:
        parts = urlsplit(target)
        segments = [unquote(s) for s in parts.path.split("/") if s]
        query = _query(parts.query)
        if segments == ["health"]:
            _allow(method, "GET")
            return Answer(200, self.dispatcher.dispatch(self.handlers.health))
        if not segments:
            raise UnknownResource("no such path; see GET /health, /hooks, /changes")
        route = segments[0]
        if route == "session" and len(segments) == 1 and self.sessions is not None:
            _allow(method, "POST")
            return self._session(method, target, headers, body)
        if route not in ("hooks", "changes") and route not in COLLECTIONS:
            raise UnknownResource(
                f"unknown path /{route}: resources are /{', /'.join(COLLECTIONS)}; "
                f"also /hooks, /changes, /session and /health")
        caller = self.authenticate(method, target, headers, body)
        if route == "hooks" and len(segments) == 1:
            _allow(method, "GET")
            return Answer(200, self.dispatcher.dispatch(lambda: self.handlers.list_hooks(caller)))
        if route == "changes" and len(segments) == 1:
            _allow(method, "GET")
            since = _integer(query, "since", 0, minimum=0, maximum=MAX_CURSOR)
            limit = _integer(query, "limit", 1000, minimum=1, maximum=MAX_PAGE)
            wait = _integer(query, "wait", 0, minimum=0, maximum=MAX_WAIT)

            def page() -> Answer:
                return Answer(200, self.dispatcher.dispatch(
                    lambda: self.handlers.changes(caller, since, limit)))

            first = page()
            if wait and not first.body["changes"]:
                return Answer(200, first.body, wait=wait, again=page)
            return first
        if route in COLLECTIONS and len(segments) <= 2:
            _allow(method, "PUT")
            resource_type = COLLECTIONS[route]
            resource_id = segments[1] if len(segments) == 2 else ""
            fields = _fields(query, headers, body)
            url = fields.get("track_hook")
            if url is None:
                raise InvalidRequest("track_hook is required: a http(s) URL, or none to remove")
            if url.strip().lower() == "none":
                return Answer(200, self.dispatcher.dispatch(
                    lambda: self.handlers.delete_hook(caller, resource_type, resource_id)))
            _check_hook_url(url)
            self.destinations.check(url)
            token = fields.get("track_token")
            if token is not None and not (16 <= len(token) <= 256 and token.isprintable()):
                raise InvalidRequest("track_token must be 16 to 256 printable characters")
            return Answer(200, self.dispatcher.dispatch(
                lambda: self.handlers.put_hook(caller, resource_type, resource_id, url, token)))
        raise UnknownResource(f"no such path {parts.path!r}")

    def _session(self, method: str, target: str, headers: RequestHeaders, body: bytes) -> Answer:
        """A session token for a caller proven by its identity proof (not by a token: a token
        cannot extend itself)."""
        assert self.sessions is not None
        if headers.get("Authorization") is not None:
            raise AuthenticationError(
                401, f"POST /session takes an {IDENTITY_HEADER} proof, not a session token")
        caller = self.verify(headers.get(IDENTITY_HEADER), method, target, body)
        sessions = self.sessions
        token, expires = self.dispatcher.dispatch(lambda: sessions.issue(caller))
        return Answer(200, {"token": token, "expires_at": expires,
                            "expires_in": sessions.ttl, "account": caller.account,
                            "arn": caller.arn})


class _MethodNotAllowed(Exception):
    pass


def _allow(method: str, allowed: str) -> None:
    if method != allowed:
        raise _MethodNotAllowed(f"method {method} is not allowed here; use {allowed}")


def _query(text: str) -> dict[str, str]:
    try:
        parsed = parse_qs(text, keep_blank_values=True, strict_parsing=bool(text))
    except ValueError:
        raise InvalidRequest(f"malformed query string {text!r}") from None
    repeated = sorted(k for k, v in parsed.items() if len(v) > 1)
    if repeated:
        raise InvalidRequest(f"query parameters given more than once: {', '.join(repeated)}")
    return {k: v[0] for k, v in parsed.items()}


def _integer(query: Mapping[str, str], name: str, default: int, minimum: int, maximum: int) -> int:
    raw = query.get(name)
    if raw is None:
        return default
    # Only ASCII digits: str.isdigit() also accepts superscripts and other scripts' digits,
    # which int() then refuses or reads as numbers nobody typed.
    if not (raw.isascii() and raw.isdigit()):
        raise InvalidRequest(
            f"{name}={raw!r} is not a cursor: use the 'next' value of the previous page "
            f"(a decimal integer >= {minimum})" if name == "since" else
            f"{name}={raw!r} is not a decimal integer")
    if len(raw.lstrip("0")) > len(str(maximum)) or not minimum <= int(raw) <= maximum:
        shown = raw if len(raw) <= 30 else raw[:30] + "..."
        raise InvalidRequest(f"{name}={shown} is out of range; expected {minimum} to {maximum}")
    return int(raw)


def _fields(query: Mapping[str, str], headers: RequestHeaders, body: bytes) -> dict[str, str]:
    """``track_hook`` and ``track_token`` from the query string, a JSON body or (the token) the
    ``X-Euca-Tracker-Token`` header; the same field given two ways is refused."""
    found: dict[str, str] = {k: query[k] for k in ("track_hook", "track_token") if k in query}
    sources = [("the query string", dict(found))]
    if body.strip():
        try:
            document = strictjson.loads(body)
        except strictjson.StrictJsonError as exc:
            if exc.code != "NotJson":
                raise
            raise InvalidRequest("the request body is not JSON; send "
                                 '{"track_hook": URL, "track_token": T} or no body') from None
        if not isinstance(document, dict):
            raise InvalidRequest('the request body must be a JSON object such as '
                                 '{"track_hook": URL, "track_token": T}')
        unknown = sorted(set(document) - {"track_hook", "track_token"})
        if unknown:
            raise InvalidRequest(f"unknown fields in the request body: {', '.join(unknown)}; "
                                 "expected track_hook and track_token")
        for name, value in document.items():
            if not isinstance(value, str):
                raise InvalidRequest(f"{name} in the request body must be a string")
        sources.append(("the JSON body", document))
    token = headers.get(TOKEN_HEADER)
    if token is not None:
        sources.append((f"the {TOKEN_HEADER} header", {"track_token": token}))
    merged: dict[str, str] = {}
    for where, values in sources:
        for name, value in values.items():
            if name in merged:
                raise InvalidRequest(f"{name} is given more than once (also in {where}); "
                                     "give it one way")
            merged[name] = value
    return merged


def _check_hook_url(url: str) -> None:
    parts = urlsplit(url)
    try:
        port_ok = parts.port is None or 0 < parts.port < 65536
    except ValueError:
        port_ok = False
    if (
        parts.scheme not in ("http", "https")
        or not parts.hostname
        or not port_ok
        or len(url) > MAX_URL
        or any(c.isspace() for c in url)
    ):
        raise InvalidRequest(
            f"track_hook {url!r} is not a usable URL; expected http(s)://host[:port]/path "
            f"(at most {MAX_URL} characters), or none to remove the hook")
