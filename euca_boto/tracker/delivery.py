"""Delivery of feed entries to hooks: at-least-once, in order, resumable, with back-pressure.

Each hook has a cursor in the store (the last change it received). A delivery cycle takes the
active hooks that are due and have changes to send (this process's share of them when several
trackers share the store), leases each (so two tracker processes never deliver the same hook at
once), sends its pending changes in id order on one of ``workers`` threads and advances the
cursor after each success; a crash between a send and the cursor update means that change is
sent again, never skipped.

A failed send is retried with the plugin's :class:`~euca_boto.retry.RetryPolicy`; when the
policy gives up, the hook waits (growing delays) until a later cycle, and after
``suspend_after`` such failures in a row it is suspended (``GET /hooks`` shows it, and
registering it again resumes it). A circuit breaker (:mod:`euca_boto.breakers`) per destination
(scheme, host and port) stops hammering a receiver that is down, for every hook pointing at it.
"""

from __future__ import annotations

import email.utils
import logging
import threading
import time
import uuid
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import requests
from requests.adapters import HTTPAdapter
from urllib3.exceptions import ConnectTimeoutError, NewConnectionError

from euca_boto.breakers.breaker import Breaker, BreakerConfig, CircuitOpenError
from euca_boto.retry import Outcome, RetryContext, RetryPolicy, wait_full_jitter
from euca_boto.tracker import signature
from euca_boto.tracker.destinations import DestinationPolicy, ForbiddenDestination
from euca_boto.tracker.model import ACTIVE, CALLABLE_PREFIX, Change, Hook
from euca_boto.tracker.replicas import Replica
from euca_boto.tracker.store.base import SqlStore

log = logging.getLogger("euca_boto.tracker.delivery")

Callback = Callable[[Change], None]
Clock = Callable[[], float]
Sleep = Callable[[float], None]

DEFAULT_POLICY = RetryPolicy(backoff=wait_full_jitter(0.5, 10.0), max_attempts=4)


@dataclass(frozen=True)
class SendResult:
    """How one send ended, as the retry policy needs to see it."""

    ok: bool
    outcome: Outcome
    status: int | None = None
    error: str = ""
    server_delay: float | None = None
    exception: BaseException | None = None
    skipped: bool = False  # not attempted (the destination's breaker is open)


class DeliveryFailed(Exception):
    """A delivery attempt failed (what the destination's breaker counts)."""


class _PinnedTLS(HTTPAdapter):
    """Connects to an address but verifies the certificate (and sends SNI) for a host name."""

    def __init__(self, hostname: str) -> None:
        self._hostname = hostname
        super().__init__()

    def init_poolmanager(self, *args: Any, **kwargs: Any) -> None:
        kwargs["server_hostname"] = self._hostname
        kwargs["assert_hostname"] = self._hostname
        super().init_poolmanager(*args, **kwargs)


class HttpSender:
    """POSTs one change to a URL, at the address the destination policy checked; keep-alive
    ``requests`` sessions per thread. Redirects are never followed (a 3xx is a failure): the
    redirect target would escape the policy."""

    def __init__(
        self, timeout: float = 10.0, destinations: DestinationPolicy | None = None
    ) -> None:
        self.timeout = timeout
        self.destinations = destinations or DestinationPolicy()
        self._local = threading.local()

    def _session(self, tls_hostname: str | None) -> requests.Session:
        sessions: dict[str | None, requests.Session] | None = getattr(
            self._local, "sessions", None)
        if sessions is None:
            sessions = self._local.sessions = {}
        session = sessions.get(tls_hostname)
        if session is None:
            session = requests.Session()
            # Nothing from the environment: a proxy would connect to a name it resolves itself,
            # not to the address the policy checked, and a ~/.netrc password for the host would
            # reach the hook's target as an Authorization header.
            session.trust_env = False
            if tls_hostname is not None:
                session.mount("https://", _PinnedTLS(tls_hostname))
            sessions[tls_hostname] = session
        return session

    def send(self, hook: Hook, change: Change) -> SendResult:
        try:
            address = self.destinations.check(hook.target)
        except ForbiddenDestination as error:
            return SendResult(False, Outcome.OTHER_ERROR, error=str(error), exception=error)
        parts = urlsplit(hook.target)
        userinfo, _, host_port = parts.netloc.rpartition("@")
        pinned = f"[{address}]" if ":" in address else address
        if parts.port:
            pinned += f":{parts.port}"
        url = urlunsplit((parts.scheme, f"{userinfo}@{pinned}" if userinfo else pinned,
                          parts.path or "/", parts.query, ""))
        body = change.to_json()
        headers = {
            "Host": host_port,
            "Content-Type": "application/json",
            "User-Agent": "euca-boto-tracker",
            signature.SIGNATURE_HEADER: signature.sign(hook.token, body),
            signature.CHANGE_HEADER: str(change.id),
            signature.HOOK_HEADER: str(hook.id),
        }
        session = self._session(parts.hostname if parts.scheme == "https" else None)
        try:
            response = session.post(
                url, data=body, headers=headers, timeout=self.timeout, allow_redirects=False,
            )
        except requests.ConnectionError as error:
            # A connection that was never made never carried the request; a lost one may have.
            reason = getattr(error.args[0], "reason", None) if error.args else None
            never_sent = isinstance(reason, (NewConnectionError, ConnectTimeoutError))
            outcome = Outcome.CONNECT_FAILED if never_sent else Outcome.CONNECTION_LOST
            return SendResult(False, outcome, error=f"{outcome.value} to {hook.target}",
                              exception=error)
        except requests.Timeout as error:
            return SendResult(False, Outcome.READ_TIMEOUT,
                              error=f"no answer from {hook.target} in {self.timeout:g} s",
                              exception=error)
        except requests.RequestException as error:
            return SendResult(False, Outcome.OTHER_ERROR, error=str(error), exception=error)
        if 200 <= response.status_code < 300:
            return SendResult(True, Outcome.SUCCESS, response.status_code)
        return SendResult(
            False, Outcome.HTTP_ERROR, response.status_code,
            f"HTTP {response.status_code} from {hook.target}",
            server_delay=_retry_after(response.headers.get("Retry-After")),
        )


class Deliverer:
    """Runs delivery cycles over every hook in the store."""

    def __init__(
        self,
        store: SqlStore,
        *,
        policy: RetryPolicy = DEFAULT_POLICY,
        sender: HttpSender | None = None,
        suspend_after: int = 10,
        pause_max: float = 300.0,
        breaker_fail_max: int = 5,
        breaker_reset_timeout: float = 30.0,
        lease_seconds: float = 30.0,
        batch: int = 20,
        hook_allow: tuple[str, ...] = (),
        workers: int = 1,
        replica: Replica | None = None,
        clock: Clock = time.time,
        sleep: Sleep = time.sleep,
    ) -> None:
        if workers < 1:
            raise ValueError(f"workers must be >= 1, got {workers}")
        self.store = store
        self.policy = policy
        self.sender = sender or HttpSender(destinations=DestinationPolicy(hook_allow))
        self.suspend_after = suspend_after
        self.pause_max = pause_max
        self.lease_seconds = lease_seconds
        self.batch = batch
        self.clock = clock
        self.sleep = sleep
        self.owner = replica.owner if replica is not None else uuid.uuid4().hex
        self.workers = workers
        self.replica = replica
        self._pool: ThreadPoolExecutor | None = None
        self.sent_total = 0  # deliveries made by this process (for /health)
        self._callbacks: dict[str, Callback] = {}
        self._breakers: dict[str, Breaker] = {}
        self._breaker_config = BreakerConfig(
            fail_max=breaker_fail_max, reset_timeout=breaker_reset_timeout)
        self._lock = threading.Lock()

    def register_callback(self, name: str, callback: Callback) -> str:
        """Make ``callback`` the in-process target ``python:<name>``; returns that target."""
        with self._lock:
            self._callbacks[name] = callback
        return CALLABLE_PREFIX + name

    def breaker(self, target: str) -> Breaker:
        """The breaker of a target's destination (scheme, host and port)."""
        parts = urlsplit(target)
        key = f"{parts.scheme}://{parts.hostname}:{parts.port or ''}"
        with self._lock:
            breaker = self._breakers.get(key)
            if breaker is None:
                breaker = Breaker(f"tracker-hook {key}", self._breaker_config, clock=self.clock)
                self._breakers[key] = breaker
            return breaker

    def deliver(self) -> int:
        """One cycle: deliver what this process's share of the due hooks has pending, on up to
        ``workers`` threads (one hook per thread at a time, so each hook's changes stay in
        order); returns how many were sent."""
        due = []
        # Only hooks with changes to send: leased, a hook with none would use up a place of
        # this replica's share, and a replica whose cycles never overlap another's would lease
        # the hooks that one has just served, every cycle, and never reach the rest.
        for hook in self.store.due_hooks(self.clock()):
            if hook.target.startswith(CALLABLE_PREFIX):
                with self._lock:
                    known = hook.target[len(CALLABLE_PREFIX):] in self._callbacks
                if not known:
                    continue  # registered by another process; it delivers its own callables
            due.append(hook)
        # Trackers sharing the store split the hooks: each leases at most its share.
        quota = self.replica.share(len(due)) if self.replica is not None else len(due)
        leased: list[Hook] = []
        for hook in due:
            if len(leased) >= quota:
                break
            if self.store.lease(hook.id, self.owner, self.clock(), self.lease_seconds):
                leased.append(hook)
        if self.workers <= 1 or len(leased) <= 1:
            sent = sum(self._deliver_leased(hook) for hook in leased)
        else:
            with self._lock:
                if self._pool is None:
                    self._pool = ThreadPoolExecutor(self.workers,
                                                    thread_name_prefix="tracker-delivery")
                pool = self._pool
            sent = sum(pool.map(self._deliver_leased, leased))
        with self._lock:
            self.sent_total += sent
        return sent

    def _deliver_leased(self, hook: Hook) -> int:
        try:
            return self._deliver_hook(hook)
        finally:
            self.store.release(hook.id, self.owner)

    def close(self) -> None:
        """Stop the delivery threads (after the cycle that runs, if any)."""
        with self._lock:
            pool, self._pool = self._pool, None
        if pool is not None:
            pool.shutdown(wait=True)

    def _deliver_hook(self, hook: Hook) -> int:
        sent = 0
        # Re-read: another process may have delivered since the listing.
        current = self.store.get_hook(hook.id)
        if current is None or current.status != ACTIVE:
            return 0
        while True:
            # Renewed per batch, so a lease outlives a slow batch but not a crashed process
            # by more than ``lease_seconds``.
            if not self.store.lease(current.id, self.owner, self.clock(), self.lease_seconds):
                return sent
            pending = self.store.pending(current, self.batch)
            if not pending:
                return sent
            for change in pending:
                result = self._send_with_retries(current, change)
                if result.skipped:
                    return sent
                if not result.ok:
                    failures = current.failures + 1
                    pause = min(self.pause_max, 2.0 ** min(failures, 30))
                    updated = self.store.failed(
                        current.id, result.error, self.clock() + pause, self.suspend_after
                    )
                    if updated is not None and updated.status != ACTIVE:
                        log.warning("hook %s suspended after %s failed deliveries: %s",
                                    current.id, updated.failures, result.error)
                    return sent
                self.store.delivered(current.id, change.id)
                sent += 1
            refreshed = self.store.get_hook(current.id)
            if refreshed is None or refreshed.status != ACTIVE:
                return sent
            current = refreshed

    def _send_with_retries(self, hook: Hook, change: Change) -> SendResult:
        started = time.monotonic()
        slept = 0.0
        attempt = 0
        while True:
            attempt += 1
            result = self._send(hook, change)
            if result.ok or result.skipped:
                return result
            elapsed = time.monotonic() - started
            decision = self.policy.decide(RetryContext(
                service="tracker-hook",
                operation="DeliverChange",
                attempt=attempt,
                outcome=result.outcome,
                status=result.status,
                exception=result.exception,
                endpoint=hook.target,
                # Receivers dedupe on the change id, so a repeated delivery is harmless.
                mutating=False,
                server_delay=result.server_delay,
                server_delay_source="Retry-After" if result.server_delay is not None else None,
                elapsed=elapsed,
                slept=slept,
                attempt_duration=(elapsed - slept) / attempt,
            ))
            if not decision.retry:
                return SendResult(False, result.outcome, result.status,
                                  f"{result.error} ({decision.reason})")
            self.sleep(decision.delay)
            slept += decision.delay

    def _send(self, hook: Hook, change: Change) -> SendResult:
        if hook.target.startswith(CALLABLE_PREFIX):
            with self._lock:
                callback = self._callbacks.get(hook.target[len(CALLABLE_PREFIX):])
            if callback is None:
                return SendResult(False, Outcome.OTHER_ERROR, error="callback not registered")
            try:
                callback(change)
            except Exception as error:  # noqa: BLE001 - a failing callback is a failed delivery
                return SendResult(False, Outcome.OTHER_ERROR,
                                  error=f"callback raised {error!r}", exception=error)
            return SendResult(True, Outcome.SUCCESS)
        breaker = self.breaker(hook.target)
        try:
            ticket = breaker.admit("DeliverChange")
        except CircuitOpenError as error:
            return SendResult(False, Outcome.CONNECT_FAILED, skipped=True, error=str(error))
        result = self.sender.send(hook, change)
        breaker.settle(ticket, None if result.ok else DeliveryFailed(result.error))
        return result


def _retry_after(value: str | None) -> float | None:
    """A ``Retry-After`` header as seconds: a number or an HTTP date."""
    if not value:
        return None
    value = value.strip()
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, when.timestamp() - time.time())

