"""``TrackerClient``: the tracker API from Python, signed with the session's own credentials.

Every request carries an identity proof (:mod:`euca_boto.tracker.identity`): a GetCallerIdentity
request signed (SigV4) with the session's credentials, bound to that one tracker request. The
secret key never leaves the process.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from typing import Any
from urllib.parse import quote, urlencode, urlsplit

import requests

from euca_boto.tracker.errors import InvalidRequest, TrackerAPIError
from euca_boto.tracker.identity import IDENTITY_HEADER, make_proof
from euca_boto.tracker.model import COLLECTIONS, Change

_PLURAL = {singular: plural for plural, singular in COLLECTIONS.items()}


class TrackerClient:
    """A client of one tracker at ``url`` (``http://127.0.0.1:8780``), acting as the account of
    ``session`` (a boto3 session whose STS endpoint is the tracker's cloud)."""

    def __init__(self, session: Any, url: str, timeout: float = 30.0) -> None:
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise InvalidRequest(f"tracker URL must be http(s)://host:port, got {url!r}")
        self.session = session
        self.url = url.rstrip("/")
        self.timeout = timeout
        self._sts_url: str = session.client("sts").meta.endpoint_url
        self._region: str = session.region_name or "us-east-1"
        self._http = requests.Session()

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
        headers = {"Content-Type": "application/json"} if body else {}
        if sign:
            credentials = self.session.get_credentials()
            if credentials is None:
                raise InvalidRequest("the session has no credentials to sign tracker requests")
            headers[IDENTITY_HEADER] = make_proof(
                credentials.get_frozen_credentials(), self._sts_url, self._region,
                method, target, body,
            )
        response = self._http.request(
            method, self.url + target, data=body or None, headers=headers,
            timeout=timeout or self.timeout,
        )
        try:
            answer: dict[str, Any] = response.json()
        except ValueError:
            raise TrackerAPIError(
                response.status_code, "NotJSON",
                f"the tracker at {self.url} answered {response.text[:200]!r}") from None
        if response.status_code >= 400:
            problem = answer.get("error", {})
            raise TrackerAPIError(
                response.status_code, problem.get("code", "Error"), problem.get("message", ""))
        return answer
