"""The tracker as a service: the engine's loop plus the HTTP API, started and stopped together.

``euca-boto tracker serve`` runs one of these; tests and applications can embed one too.
"""

from __future__ import annotations

import logging
import threading

from euca_boto.tracker.api.controller import Controller
from euca_boto.tracker.api.dispatcher import Dispatcher, InlineDispatcher, QueueDispatcher
from euca_boto.tracker.api.handlers import Handlers
from euca_boto.tracker.api.server import ApiServer, Limits
from euca_boto.tracker.api.watch import FeedWatch
from euca_boto.tracker.destinations import DestinationPolicy
from euca_boto.tracker.engine import Tracker
from euca_boto.tracker.errors import StoreError
from euca_boto.tracker.identity import IdentityVerifier
from euca_boto.tracker.sessions import SESSION_TTL, Sessions

log = logging.getLogger("euca_boto.tracker")


class TrackerService:
    """Serves ``tracker``'s API on ``host:port`` (0: any free port), authenticating callers
    through the cloud's STS at ``sts_url``. ``workers`` > 0 runs handlers on a worker queue.
    ``hook_allow`` lists the internal networks and hosts hooks may nevertheless target;
    ``limits`` are the HTTP server's timeouts, sizes and connection caps; ``tls_cert`` and
    ``tls_key`` (PEM files) serve HTTPS. Session tokens (``POST /session``) live
    ``session_ttl`` seconds. With ``audience`` (the host and port clients reach it at) proofs
    signed for another tracker are refused."""

    def __init__(
        self,
        tracker: Tracker,
        sts_url: str,
        host: str = "127.0.0.1",
        port: int = 8780,
        workers: int = 0,
        hook_allow: tuple[str, ...] = (),
        limits: Limits | None = None,
        tls_cert: str | None = None,
        tls_key: str | None = None,
        session_ttl: float = SESSION_TTL,
        audience: str | None = None,
    ) -> None:
        self.tracker = tracker
        self.dispatcher: Dispatcher = QueueDispatcher(workers) if workers else InlineDispatcher()
        mode = f"queue, {workers} workers" if workers else "inline"
        # /health reports the API server's load: the server below answers nothing until it
        # is this service's (started last).
        handlers = Handlers(
            tracker.store,
            status=lambda: {**tracker.status(), "dispatcher": mode, **self.api.load()},
        )
        self.sessions = Sessions(tracker.store, session_ttl)
        verifier = IdentityVerifier(sts_url, audience=audience)
        controller = Controller(handlers, self.dispatcher, verifier.verify,
                                DestinationPolicy(hook_allow), self.sessions)
        watch = FeedWatch(tracker.store.latest_id)
        # This process's polls wake watches at once; other processes' show in the store's head.
        tracker.listeners.append(watch.notify)
        self.api = ApiServer(controller, host, port, limits=limits, tls_cert=tls_cert,
                             tls_key=tls_key, watch=watch)
        self._stop = threading.Event()
        self._loop: threading.Thread | None = None
        self.api.start()

    @property
    def url(self) -> str:
        return self.api.url

    def start_loop(self, deliver_every: float = 1.0) -> None:
        """Run the tracker's poll and delivery loop on a background thread."""
        self._loop = threading.Thread(
            target=self.tracker.run, args=(self._stop, deliver_every), name="tracker-loop",
            daemon=True,
        )
        self._loop.start()

    def run_loop(self, deliver_every: float = 1.0) -> None:
        """Run the loop in this thread until :meth:`stop` is called (from another thread or
        a signal handler)."""
        self.tracker.run(self._stop, deliver_every)

    def stop(self) -> None:
        self._stop.set()

    def close(self) -> None:
        self._stop.set()
        if self._loop is not None:
            self._loop.join(timeout=30)
        self.api.close()
        self.dispatcher.close()
        self.tracker.deliverer.close()
        try:
            self.tracker.replica.leave()
        except StoreError as error:  # the leases expire on their own
            log.warning("could not give back this tracker's polls: %s", error)
