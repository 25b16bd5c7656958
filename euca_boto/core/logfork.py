"""Log handlers that a fork child can go on writing.

``logging`` renews each handler's lock in a fork child, but not the lock inside the file
buffer the handler writes to. A thread of the parent half way through a record when another
thread forks leaves that buffer locked in the child, where no thread will ever unlock it: the
child's first record through that handler waits forever. euca-boto writes a record per attempt
when the wire log is on, from every thread that calls, so the handlers its records reach (its
wire-log files and its stderr handler, and whatever the application put on the loggers above,
the root's included) are held still across a fork: the forking thread takes each one's lock
first, waiting a bounded time for a record being written to be finished, so the copy holds no
write half done. The parent gives the locks back right after the fork; in the child
``logging`` has renewed them already.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Iterable
from typing import Any

from euca_boto.core import process

# How long the forking thread waits for one record being written (a disk that stalls longer
# than this is not worth a fork that never happens): past it, that handler is not held.
WAIT_SECONDS = 2.0


class HeldAcrossFork:
    """The three fork steps (see :func:`euca_boto.core.process.register`) that hold the
    handlers ``handlers()`` returns still across a fork."""

    __slots__ = ("_handlers", "_held")

    def __init__(self, handlers: Callable[[], Iterable[logging.Handler]]) -> None:
        self._handlers = handlers
        # Per forking thread: two threads may fork at once, each gives back what it took.
        self._held = threading.local()

    def before_fork(self) -> None:
        # logging's own lock first, as logging takes them (dictConfig holds it while it takes
        # each handler's lock to close it; logging's at-fork hook, which runs after this one,
        # takes it too): holding a handler and then waiting for it could deadlock. A thread
        # that keeps it longer is reconfiguring logging: no handler is held then.
        held: list[Any] = []
        module_lock = getattr(logging, "_lock", None)
        if module_lock is not None:
            if not module_lock.acquire(timeout=WAIT_SECONDS):
                self._held.locks = held
                return
            held.append(module_lock)
        for handler in self._handlers():
            lock = handler.lock
            if lock is not None and lock.acquire(timeout=WAIT_SECONDS):
                held.append(lock)
        self._held.locks = held

    def after_fork_in_parent(self) -> None:
        held = getattr(self._held, "locks", ())
        self._held.locks = []
        for lock in reversed(held):
            lock.release()

    def in_fork_child(self) -> None:
        # logging has given every handler, and itself, a new lock (its at-fork hook was
        # registered before euca-boto's, and hooks after a fork run in the order of
        # registration): the ones taken before the fork are the parent's copies, nobody's now.
        self._held.locks = []


def reached_from(name: str) -> Callable[[], list[logging.Handler]]:
    """A function returning every handler a record of logger ``name``, or of a logger below
    it, reaches: theirs, then those of the loggers above it as far as records propagate."""
    prefix = name + "."

    def handlers() -> list[logging.Handler]:
        # From logging's table, not getLogger(): that takes logging's lock, which before_fork
        # has taken or given up. Each logger's way up is walked: ``name`` itself may be only a
        # placeholder (no record is logged on it), whose children still propagate to the root.
        found: dict[int, logging.Handler] = {}
        for logger_name, logger in list(logging.Logger.manager.loggerDict.items()):
            if logger_name != name and not logger_name.startswith(prefix):
                continue
            above = logger if isinstance(logger, logging.Logger) else None
            while above is not None:
                found.update((id(h), h) for h in above.handlers)
                above = above.parent if above.propagate else None
        return list(found.values())

    return handlers


def register(name: str, lifetime: str, handlers: Callable[[], Iterable[logging.Handler]]) -> None:
    """Register log handlers as process-wide state (see
    :func:`euca_boto.core.process.register`): a fork child goes on writing to them, none of
    them left half written by a thread of the parent. Nothing to reset: the handlers belong to
    whoever added them."""
    held = HeldAcrossFork(handlers)
    process.register(name, lifetime, _nothing, in_fork_child=held.in_fork_child,
                     before_fork=held.before_fork,
                     after_fork_in_parent=held.after_fork_in_parent)


def _nothing() -> None:
    """Resetting handlers held across forks: they are their owners' to reset."""
