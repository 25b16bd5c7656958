"""``TrackerClient``: the tracker API from Python, signed with the session's own credentials.

The client proves its identity (:mod:`euca_boto.tracker.identity`: a GetCallerIdentity request
signed with the session's credentials, which the tracker checks with the cloud's STS) once, at
``POST /session``, and carries the session token it gets (:mod:`euca_boto.tracker.sessions`) on
later requests. It proves again shortly before the token expires, when the credentials change
(another access key) and when the tracker refuses the token, then sends the refused request
once more. Against a tracker without sessions it signs every request with a proof of its own.
The secret key never leaves the process; the token never reaches a log or an error message.
"""

from __future__ import annotations

import json
import os
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote, urlencode, urlsplit

import requests

from euca_boto.tracker.errors import InvalidRequest, TrackerAPIError
from euca_boto.tracker.identity import IDENTITY_HEADER, make_proof
from euca_boto.tracker.model import COLLECTIONS, Change
from euca_boto.tracker.outbound import session_for

_PLURAL = {singular: plural for plural, singular in COLLECTIONS.items()}
# A token is renewed when less than this part of its lifetime is left (at most RENEW_MAX s).
RENEW_FRACTION = 1 / 30
RENEW_MAX = 30.0


@dataclass(frozen=True)
class _Token:
    value: str
    access_key: str
    renew_at: float  # time.monotonic()


class TrackerClient:
    """A client of one tracker at ``url`` (``http://127.0.0.1:8780``), acting as the account of
    ``session`` (a boto3 session whose STS endpoint is the tracker's cloud). Safe to share
    between threads. ``use_sessions=False`` sends an identity proof with every request instead
    of a session token."""

    def __init__(self, session: Any, url: str, timeout: float = 30.0,
                 use_sessions: bool = True) -> None:
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise InvalidRequest(f"tracker URL must be http(s)://host:port, got {url!r}")
        self.session = session
        self.url = url.rstrip("/")
        self.timeout = timeout
        self.use_sessions = use_sessions
        self._sts_url: str = session.client("sts").meta.endpoint_url
        self._region: str = session.region_name or "us-east-1"
        self._audience = parts.netloc.rpartition("@")[2]
        self._start()

    def _start(self) -> None:
        # Per process: a child of fork() starts over (no half-made login, no shared sockets).
        self._pid = os.getpid()
        self._http = session_for(self.url)
        self._lock = threading.Lock()  # guards the two fields below, never a network call
        self._token: _Token | None = None
        self._proving: threading.Event | None = None  # a login in flight: others wait for it

    def track(
        self,
        resource_id: str,
        hook_url: str,
        token: str | None = None,
        resource_type: str = "instance",
    ) -> dict[str, Any]:
        """Deliver changes of one resource to ``hook_url``; the answer holds the token the
        deliveries are signed with."""
        return self._put(resource_type, resource_id, hook_url, token)

    def track_all(
        self, resource_type: str, hook_url: str, token: str | None = None
    ) -> dict[str, Any]:
        """Deliver changes of every resource of ``resource_type`` to ``hook_url``."""
        return self._put(resource_type, "", hook_url, token)

    def untrack(self, resource_id: str = "", resource_type: str = "instance") -> dict[str, Any]:
        """Remove the hook of one resource (or the type's hook when ``resource_id`` is empty)."""
        return self._put(resource_type, resource_id, "none", None)

    def hooks(self) -> list[dict[str, Any]]:
        """The caller's hooks with their delivery status."""
        hooks: list[dict[str, Any]] = self._request("GET", "/hooks")["hooks"]
        return hooks

    def changes(
        self, since: int = 0, limit: int = 1000, wait: int = 0
    ) -> tuple[list[Change], int]:
        """The caller's feed entries after cursor ``since``, and the next cursor. With ``wait``
        (seconds, at most 60) the tracker holds the request until there are entries or the
        time is up."""
        params = {"since": since, "limit": limit, **({"wait": wait} if wait else {})}
        answer = self._request("GET", "/changes?" + urlencode(params),
                               timeout=self.timeout + wait)
        return [Change.from_dict(c) for c in answer["changes"]], int(answer["next"])

    def watch(
        self,
        since: int = 0,
        wait: int = 30,
        stop: threading.Event | None = None,
        retry_delay: float = 1.0,
    ) -> Iterator[Change]:
        """Yield the caller's changes after cursor ``since`` as they are recorded, forever (or
        until ``stop`` is set). A lost connection or an unavailable tracker is retried from the
        last cursor, so nothing is skipped or repeated; other API errors (such as an expired
        cursor, 410) are raised. A consumer that stops resumes later with ``since`` = the id of
        the last change it handled."""
        cursor = since
        delay = retry_delay
        while stop is None or not stop.is_set():
            try:
                changes, following = self.changes(cursor, wait=wait)
            except (requests.ConnectionError, requests.Timeout):
                changes, following = None, cursor
            except TrackerAPIError as error:
                if error.status < 500:
                    raise
                changes, following = None, cursor
            if changes is None:
                # The tracker is restarting or unreachable: resume from the cursor later.
                (stop or threading.Event()).wait(delay)
                delay = min(delay * 2, 30.0)
                continue
            delay = retry_delay
            for change in changes:
                cursor = change.id
                yield change
            cursor = following

    def health(self) -> dict[str, Any]:
        return self._request("GET", "/health", sign=False)

    def _put(
        self, resource_type: str, resource_id: str, hook_url: str, token: str | None
    ) -> dict[str, Any]:
        if resource_type not in _PLURAL:
            raise InvalidRequest(
                f"unknown resource type {resource_type!r}; use one of {', '.join(_PLURAL)}")
        path = f"/{_PLURAL[resource_type]}"
        if resource_id:
            path += "/" + quote(resource_id, safe="")
        # In the body, not the query string: URLs end up in proxies' logs, the token with them.
        fields = {"track_hook": hook_url}
        if token is not None:
            fields["track_token"] = token
        return self._request("PUT", path, json.dumps(fields).encode())

    def _request(
        self, method: str, target: str, body: bytes = b"", sign: bool = True,
        timeout: float | None = None,
    ) -> dict[str, Any]:
        if self._pid != os.getpid():
            self._start()
        if not sign:
            return _answer(self.url, self._send(method, target, body, {}, timeout))
        token = self._session_token() if self.use_sessions else None
        if token is None:
            headers = {IDENTITY_HEADER: self._proof(method, target, body)}
            return _answer(self.url, self._send(method, target, body, headers, timeout))
        response = self._send(method, target, body, {"Authorization": f"Bearer {token}"},
                              timeout)
        if response.status_code == 401:
            # Expired early, the tracker's key retired, or another tracker: prove again.
            self._forget(token)
            token = self._session_token()
            headers = ({"Authorization": f"Bearer {token}"} if token is not None
                       else {IDENTITY_HEADER: self._proof(method, target, body)})
            response = self._send(method, target, body, headers, timeout)
        return _answer(self.url, response)

    def _send(self, method: str, target: str, body: bytes, headers: dict[str, str],
              timeout: float | None) -> requests.Response:
        if body:
            headers = {**headers, "Content-Type": "application/json"}
        return self._http.request(method, self.url + target, data=body or None,
                                  headers=headers, timeout=timeout or self.timeout)

    def _credentials(self) -> Any:
        credentials = self.session.get_credentials()
        if credentials is None:
            raise InvalidRequest("the session has no credentials to sign tracker requests")
        return credentials.get_frozen_credentials()

    def _proof(self, method: str, target: str, body: bytes, credentials: Any = None) -> str:
        return make_proof(credentials or self._credentials(), self._sts_url, self._region,
                          method, target, body, audience=self._audience)

    def _session_token(self) -> str | None:
        """A session token of the current credentials (proving once for every thread that
        needs one at the same time); None when the tracker has no sessions."""
        credentials = self._credentials()
        while True:
            with self._lock:
                token = self._token
                if (token is not None and token.access_key == credentials.access_key
                        and time.monotonic() < token.renew_at):
                    return token.value
                if not self.use_sessions:
                    return None
                proving = self._proving
                mine = proving is None
                if mine:
                    proving = self._proving = threading.Event()
            assert proving is not None
            if not mine:
                proving.wait(self.timeout)
                continue
            try:
                self._login(credentials)
            finally:
                with self._lock:
                    self._proving = None
                proving.set()

    def _login(self, credentials: Any) -> None:
        started = time.monotonic()
        headers = {IDENTITY_HEADER: self._proof("POST", "/session", b"", credentials)}
        response = self._send("POST", "/session", b"", headers, None)
        if response.status_code in (404, 405):
            # A tracker without sessions: every request carries a proof of its own.
            with self._lock:
                self.use_sessions = False
            return
        answer = _answer(self.url, response)
        lifetime = float(answer["expires_in"])
        renew_at = started + lifetime - min(RENEW_MAX, lifetime * RENEW_FRACTION)
        with self._lock:
            self._token = _Token(str(answer["token"]), credentials.access_key, renew_at)

    def _forget(self, value: str) -> None:
        with self._lock:
            if self._token is not None and self._token.value == value:
                self._token = None


def _answer(url: str, response: requests.Response) -> dict[str, Any]:
    """The JSON of a tracker answer, or :class:`TrackerAPIError`."""
    try:
        answer: dict[str, Any] = response.json()
    except ValueError:
        raise TrackerAPIError(
            response.status_code, "NotJSON",
            f"the tracker at {url} answered {response.text[:200]!r}") from None
    if response.status_code >= 400:
        problem = answer.get("error", {})
        raise TrackerAPIError(
            response.status_code, problem.get("code", "Error"), problem.get("message", ""))
    return answer
