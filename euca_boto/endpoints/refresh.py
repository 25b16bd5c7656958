"""Keeping discovered endpoints fresh: lazily on a calling thread, or on the application's
executor.

A :class:`Cached` value (a DNS answer, the cloud's topology) is loaded on first use and
reloaded when it is stale. Without a background updater the caller that finds it stale
reloads it while every other caller goes on with the stale value, so at most one caller at a
time waits for the network; only the very first load makes the others wait for it. A failed
reload keeps the last good value and says so in the log. :func:`keep_topology_updated` moves
the reloads to an executor the application provides.

A fork child has no updater, whatever ran in its parent (the updater's thread is the parent's):
its callers reload what is stale, as in a process that never started one, and a reload the fork
cut off is done again by the child's next caller. The child may start an updater of its own
(in a gunicorn ``post_fork`` hook, say) on an executor it creates.
"""

from __future__ import annotations

import logging
import os
import threading
import weakref
from collections.abc import Callable
from concurrent.futures import Executor, Future
from typing import Generic, TypeVar

from euca_boto.core import process
from euca_boto.endpoints.model import EndpointError

logger = logging.getLogger("euca_boto.endpoints")

T = TypeVar("T")
Clock = Callable[[], float]
# (the previous value or None) -> (the new value, seconds it stays fresh)
Loader = Callable[["T | None"], "tuple[T, float]"]

# How long the first callers wait for the first load before giving up.
FIRST_LOAD_WAIT = 30.0
# After a failed load, how long to go on with the old value (or the error) before trying again.
RETRY_AFTER_FAILURE = 5.0

_ALL: weakref.WeakSet[Cached[object]] = weakref.WeakSet()
_UPDATERS = 0  # how many background updaters run; while any does, callers never reload
_UPDATERS_LOCK = process.lock()
_RUNNING: set[TopologyUpdater] = set()  # the updaters not stopped yet, for process.reset()


class Cached(Generic[T]):
    """A value loaded from the network, with its freshness. Thread safe; no lock is held
    while loading."""

    def __init__(self, name: str, load: Loader[T], clock: Clock) -> None:
        self.name = name
        self._load = load
        self.clock = clock
        self._cond = process.condition()
        self._value: T | None = None
        self._expires = 0.0
        self._loaded_at: float | None = None
        self._loading = False
        self._error: EndpointError | None = None
        _ALL.add(self)  # type: ignore[arg-type]

    def get(self) -> T:
        """The value: fresh, or stale while someone reloads it. Raises
        :class:`EndpointError` when there has never been a good value."""
        value = self._value
        if value is not None and self.clock() < self._expires:
            return value  # the hot path: no lock
        with self._cond:
            value = self._value
            answer = self._answer_now()
            if isinstance(answer, EndpointError):
                raise answer
            if answer is not None:
                return answer
            if self._loading:
                self._cond.wait_for(lambda: not self._loading, timeout=FIRST_LOAD_WAIT)
                if self._value is not None:
                    return self._value
                raise self._error or EndpointError(
                    f"{self.name}: still loading after {FIRST_LOAD_WAIT:g} s")
            self._loading = True
        return self._reload(value)

    def ready(self) -> bool:
        """Whether :meth:`get` answers at once, without loading or waiting for another
        caller's load (an event loop calls :meth:`get` in a worker thread when not)."""
        value = self._value
        if value is not None and self.clock() < self._expires:
            return True
        with self._cond:
            return self._answer_now() is not None

    def _answer_now(self) -> T | EndpointError | None:
        """What :meth:`get` answers without the network, or None if it must load or wait.
        Called with the lock held."""
        fresh = self.clock() < self._expires
        if self._value is not None:
            if self._loading or _UPDATERS > 0 or fresh:
                return self._value
            return None
        if self._error is not None and fresh:
            return self._error  # failed a moment ago: no new lookup for every call
        return None

    def refresh(self) -> None:
        """Reload now unless another thread is (for the background updater, which must outlive
        a value that cannot be loaded)."""
        with self._cond:
            if self._loading:
                return
            self._loading = True
            value = self._value
        try:
            self._reload(value)
        except EndpointError:
            pass  # _reload has logged it and kept the last good value
        except Exception as error:  # not the network's: a profile gone from its file, say
            logger.warning("%s: reload failed, keeping the last good answer: %s: %s",
                           self.name, type(error).__name__, error)
            with self._cond:
                self._expires = self.clock() + RETRY_AFTER_FAILURE

    def _reload(self, previous: T | None) -> T:
        try:
            value, ttl = self._load(previous)
        except EndpointError as error:
            with self._cond:
                self._loading = False
                self._error = error
                self._expires = self.clock() + RETRY_AFTER_FAILURE
                self._cond.notify_all()
            if previous is None:
                raise
            logger.warning("%s: reload failed, keeping the last good answer: %s",
                           self.name, error)
            return previous
        except BaseException:
            with self._cond:
                self._loading = False
                self._cond.notify_all()
            raise
        with self._cond:
            self._value = value
            self._loaded_at = now = self.clock()
            self._expires = now + ttl
            self._error = None
            self._loading = False
            self._cond.notify_all()
        return value

    def _forked(self) -> None:
        """In a fork child: a load in progress was the parent's; the child's callers load."""
        self._loading = False

    def due(self, now: float) -> bool:
        """Whether a background updater should reload it now (shortly before it goes stale)."""
        if self._loaded_at is None:
            return False  # never used: nobody needs it yet
        margin = min(1.0, 0.1 * max(0.0, self._expires - self._loaded_at))
        return now >= self._expires - margin


class TopologyUpdater:
    """A background task, on the application's executor, that reloads every cached topology
    and DNS answer shortly before it goes stale. Stop it with :meth:`stop`."""

    def __init__(self, executor: Executor, tick: float = 0.5) -> None:
        self._stop = threading.Event()
        self._tick = tick
        self._left = False
        self._pid = os.getpid()  # the process whose thread runs it
        global _UPDATERS
        with _UPDATERS_LOCK:
            _UPDATERS += 1
            _RUNNING.add(self)
        try:
            self.future: Future[None] = executor.submit(self._run)
        except BaseException:
            self._leave()
            raise

    def _run(self) -> None:
        try:
            while not self._stop.is_set():
                for cached in list(_ALL):
                    if self._stop.is_set():
                        break
                    if cached.due(cached.clock()):
                        cached.refresh()
                self._stop.wait(self._tick)
        finally:
            self._leave()

    def _leave(self) -> None:
        global _UPDATERS
        with _UPDATERS_LOCK:
            if not self._left:
                self._left = True
                _UPDATERS -= 1
                _RUNNING.discard(self)

    def stop(self, timeout: float | None = 10.0) -> None:
        """Stop reloading; callers reload lazily again. Waits for the task to end."""
        if self._pid != os.getpid():
            return  # a fork child's copy: the task runs in the parent, and nothing runs here
        self._stop.set()
        try:
            self.future.result(timeout=timeout)
        finally:
            self._leave()

    @property
    def running(self) -> bool:
        """Whether it reloads for this process (never in a fork child of the one that
        started it)."""
        return self._pid == os.getpid() and not self.future.done()


def _stop_updaters() -> None:
    with _UPDATERS_LOCK:
        running = list(_RUNNING)
    for updater in running:  # outside the lock: stopping waits for the updater's last round
        updater.stop()


def _none_in_child() -> None:
    global _UPDATERS
    _UPDATERS = 0
    _RUNNING.clear()
    for cached in list(_ALL):
        cached._forked()


process.register("topology updaters", "per updater, from keep_topology_updated() to stop()",
                 _stop_updaters, in_fork_child=_none_in_child)


def keep_topology_updated(executor: Executor, tick: float = 0.5) -> TopologyUpdater:
    """Reload endpoint topologies and DNS answers on ``executor`` instead of on calling threads.

    One task is submitted; it occupies one worker of the executor until
    :meth:`TopologyUpdater.stop`. It checks every ``tick`` seconds what is due, so each value
    is reloaded shortly before it goes stale (after ``euca_topology_refresh`` for a topology,
    after its TTL for a DNS answer). While it runs, calls never reload on their own thread.
    """
    if not callable(getattr(executor, "submit", None)):
        raise TypeError(
            "keep_topology_updated() takes a concurrent.futures.Executor (anything with "
            f"submit()), not {type(executor).__name__}")
    if tick <= 0:
        raise ValueError(f"tick must be > 0 seconds, got {tick}")
    return TopologyUpdater(executor, tick)
