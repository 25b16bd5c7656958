"""The tracker engine: polling, the feed, delivery and retention behind one object.

An application drives it from its own scheduler (``tracker.poll()`` and ``tracker.deliver()``,
each safe to call from any thread, never overlapping itself) or lets ``tracker.run(stop)`` loop
at a fixed interval; a poll that takes longer than the interval delays the next one, it never
runs alongside it.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Iterable, Sequence
from typing import Any

from euca_boto.tracker.delivery import Callback, Deliverer
from euca_boto.tracker.errors import InvalidRequest, one_line
from euca_boto.tracker.model import RESOURCE_TYPES, Hook, Page
from euca_boto.tracker.poller import Poller, PollReport
from euca_boto.tracker.replicas import Replica
from euca_boto.tracker.store import open_store
from euca_boto.tracker.store.base import SqlStore

log = logging.getLogger("euca_boto.tracker")

DEFAULT_INTERVAL = 30.0
DEFAULT_RETENTION = 7 * 24 * 3600.0


class Tracker:
    """Tracks the resources of the accounts behind ``sessions`` into ``store``.

    ``store`` is a :class:`SqlStore` or a store URL (file path, ``sqlite:///...``,
    ``postgresql://...``). ``sessions`` are boto3 sessions, one per profile (use
    ``euca_boto.session(profile)`` so the plugin's retries and endpoints apply).
    ``hook_allow`` lists internal networks and hosts that HTTP hooks may target anyway (see
    :mod:`euca_boto.tracker.destinations`). Several trackers on one store share the polling
    and the deliveries (:mod:`euca_boto.tracker.replicas`).
    """

    def __init__(
        self,
        store: SqlStore | str,
        sessions: Sequence[Any],
        *,
        interval: float = DEFAULT_INTERVAL,
        retention: float = DEFAULT_RETENTION,
        resource_types: Iterable[str] = RESOURCE_TYPES,
        deliverer: Deliverer | None = None,
        hook_allow: tuple[str, ...] = (),
        poll_lease: float | None = None,
        clock: Callable[[], float] = time.time,
    ) -> None:
        if interval <= 0:
            raise InvalidRequest(f"interval must be > 0 seconds, got {interval}")
        if retention <= 0:
            raise InvalidRequest(f"retention must be > 0 seconds, got {retention}")
        self.store = open_store(store) if isinstance(store, str) else store
        self.interval = interval
        self.retention = retention
        self.clock = clock
        self.deliverer = deliverer or Deliverer(self.store, clock=clock, hook_allow=hook_allow)
        # Trackers sharing the store split polls and deliveries; a replica that stops renewing
        # its leases for ``poll_lease`` seconds (default: three intervals) is taken over.
        self.replica = self.deliverer.replica or Replica(
            self.store, poll_lease or max(3 * interval, 1.0), owner=self.deliverer.owner,
            clock=clock)
        self.deliverer.replica = self.replica
        self.poller = Poller(self.store, sessions, resource_types, clock=clock,
                             replica=self.replica)
        self.last_poll: PollReport | None = None
        self._last_poll_at = 0.0  # time.monotonic() when last_poll finished
        # The last poll that raised (its one-line error and when), kept after later successes
        # so /health shows a tracker that failed and recovered as well as one that keeps failing.
        self._last_failure: tuple[str, float] | None = None
        # Called with the feed's new head after a poll that recorded changes (any thread).
        self.listeners: list[Callable[[int], None]] = []
        self._delivering = threading.Lock()

    def poll(self) -> PollReport | None:
        """Poll once; None when a poll is already running."""
        try:
            report = self.poller.poll()
        except Exception as error:
            self._failed(error)
            raise
        if report is not None:
            self.last_poll, self._last_poll_at = report, time.monotonic()
            if report.changes:
                head = max(c.id for c in report.changes)
                for listener in list(self.listeners):
                    listener(head)
        return report

    def _failed(self, error: Exception) -> str:
        """Note a failed poll (or its pruning) for ``/health``; the error as one line."""
        line = one_line(error)
        self._last_failure = (line, time.monotonic())
        return line

    def deliver(self) -> int:
        """Deliver what is pending to every hook; returns the number of deliveries (0 when a
        delivery cycle is already running in this process)."""
        if not self._delivering.acquire(blocking=False):
            return 0
        try:
            return self.deliverer.deliver()
        finally:
            self._delivering.release()

    def prune(self) -> int:
        """Apply retention; returns how many feed entries were removed."""
        return self.store.prune(self.clock() - self.retention)

    def changes(self, since: int = 0, limit: int = 1000, account: str | None = None) -> Page:
        """Feed entries after cursor ``since`` and the next cursor (raises ``CursorExpired``)."""
        return self.store.changes(since, limit, account)

    def subscribe(
        self,
        callback: Callback,
        resource_type: str,
        resource_id: str = "",
        *,
        account: str,
        name: str | None = None,
    ) -> Hook:
        """Call ``callback(change)`` in this process for changes of one resource (or of every
        resource of ``resource_type``) of ``account``.

        Delivery progress is stored under ``name`` (default: the callback's qualified name), so a
        process that subscribes the same name again after a restart resumes where it stopped.
        """
        if resource_type not in RESOURCE_TYPES:
            raise InvalidRequest(
                f"unknown resource type {resource_type!r}; use one of {', '.join(RESOURCE_TYPES)}")
        name = name or f"{callback.__module__}.{getattr(callback, '__qualname__', 'callback')}"
        target = self.deliverer.register_callback(name, callback)
        return self.store.put_hook(account, resource_type, resource_id, target, "in-process")

    def run(self, stop: threading.Event, deliver_every: float = 1.0) -> None:
        """Poll every ``interval`` seconds and deliver every ``deliver_every`` seconds until
        ``stop`` is set. Runs in the calling thread."""
        next_poll = 0.0
        while not stop.is_set():
            now = time.monotonic()
            if now >= next_poll:
                # A broken cycle is logged, one line an operator can read rather than a
                # traceback per interval, and the loop carries on.
                try:
                    self.poll()
                except Exception as error:  # poll() has noted it for /health
                    log.warning("poll failed: %s", one_line(error))
                else:
                    try:
                        self.prune()
                    except Exception as error:
                        log.warning("pruning failed: %s", self._failed(error))
                # Measured from the start of the poll, so the rhythm holds; a slow poll
                # pushes the next one back instead of overlapping it.
                next_poll = max(now + self.interval, time.monotonic())
            try:
                self.deliver()
            except Exception as error:
                log.warning("delivery failed: %s", one_line(error))
            stop.wait(max(0.0, min(deliver_every, next_poll - time.monotonic())))

    def status(self) -> dict[str, Any]:
        """For ``/health``: how the last poll went and how long ago it finished (``ago``, in
        seconds), and the last poll that failed (None if none has)."""
        now = time.monotonic()
        report, failure = self.last_poll, self._last_failure
        return {
            "last_poll": None if report is None else {
                "changes": len(report.changes), "errors": report.errors,
                "seconds": round(report.duration, 3), "scopes": report.scopes,
                "ago": round(now - self._last_poll_at, 3)},
            "last_failure": None if failure is None else {
                "error": failure[0], "ago": round(now - failure[1], 3)},
            "replica": self.replica.owner, "delivered": self.deliverer.sent_total,
        }
