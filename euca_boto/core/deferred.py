"""Work a finalizer leaves for the next caller, because a finalizer must take no lock.

The garbage collector runs finalizers (``__del__``, weak-reference callbacks) on whatever thread
happens to allocate at the time, in the middle of whatever that thread is doing: possibly while
it holds the very lock the finalizer's work needs, which a non-reentrant lock answers with a
deadlock. So a finalizer only appends its work here (``deque.append`` takes no lock and is
atomic), and code that knows it holds no lock, such as the start of a call, runs it with
:func:`run_pending`.
"""

from __future__ import annotations

import logging
from collections import deque
from collections.abc import Callable

from euca_boto.core import process

log = logging.getLogger("euca_boto")

_PENDING: deque[Callable[[], object]] = deque()


def defer(work: Callable[[], object]) -> None:
    """Leave ``work`` for the next :func:`run_pending` (safe in a finalizer)."""
    _PENDING.append(work)


def run_pending() -> None:
    """Do the work finalizers left, oldest first. Call it holding no lock. A failure is logged,
    not raised: it belongs to whoever left the work, not to this caller."""
    while _PENDING:
        try:
            work = _PENDING.popleft()
        except IndexError:  # another thread took the last one
            return
        try:
            work()
        except Exception:
            log.exception("work left by a finalizer failed: %r", work)


# The work of a fork child's copy of the queue belongs to the parent's objects: the parent does it.
process.register("work left by finalizers", "until the next caller does it", _PENDING.clear,
                 in_fork_child=_PENDING.clear)
