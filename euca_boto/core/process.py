"""The process-wide state of euca-boto, in one table: one :func:`reset` for tests, and what a
fork child does with each piece.

Most of what euca-boto keeps lives on a botocore session (its plugin, endpoint selector and
retry handlers are components and handlers of the session) and goes when the session goes.
A few things outlive any session: breakers are found by name from anywhere in the process,
Redis clients and state files are shared by every breaker that uses them, and so on. Each
module that keeps such state registers it here, with what :func:`reset` must do to give the
process its import-time state back, and what a fork child does with it. This module imports
none of them (they import it), so it costs nothing to import and a module nobody imported has
nothing to reset.

A fork child (``os.fork``, a ``multiprocessing`` pool of the ``fork`` context, gunicorn's
workers) starts with one thread, the one that forked, and a copy of everything else: locks
held by threads it does not have, connections whose other end the parent goes on using, a
count of background threads that do not run in it. One :func:`os.register_at_fork` hook, set
when this module is imported, puts that right: every lock made with :func:`lock` or
:func:`condition` is new in the child, free whoever held it in the parent (or was just being
given it), and then each piece of state below does what its last column says. Lifetimes,
and what :func:`reset` and a fork child do:

=======================  ========================  ======================  =========================
state (module)           lives                     reset                   fork child
=======================  ========================  ======================  =========================
breakers by name and     per process, from the     forget every breaker    keeps them, as the parent
breaker listeners        first breaker of a name   and listener (shared    knew them
(``breakers.registry``)                            state stays in its
                                                   store)
Redis clients by URL     per process, per URL,     close and forget every  keeps them, with empty
(``breakers.storage``)   from the first breaker    client                  connection pools: it
                         kept in it                                        connects anew, the
                                                                           parent's sockets stay the
                                                                           parent's
retry budgets            per botocore session      forget them (live       keeps them
(``retry``)              (weak keys), across       handlers keep theirs)
                         re-installs
topology updaters and    per updater, until its    stop every running      no updater runs in it:
cached topologies        ``stop()``; per session   updater (cached         its callers reload what
(``endpoints.refresh``)                            topologies belong to    is stale (a reload the
                                                   their sessions: weak    fork cut off too) until
                                                   refs)                   it starts one
wire-log switches        per switch, until its     withdraw every switch   keeps them
(``wirelog``)            ``restore()``
wire-log files           per file path, until      detach and close every  keeps appending to them
(``wirelog``)            ``detach_file``           file; the logger's
                                                   level goes back
handlers wire records    their owners'             nothing: they are       keeps writing to them:
reach (``wirelog``, by                             their owners'           the forking thread holds
``core.logfork``)                                                          them still, so none is
                                                                           half written
call metrics             per process               zero every figure       starts from zero: its
(``metrics``)                                                              figures are its own calls
OpenTelemetry duration   per process, from         forget it (spans: see   keeps it
histogram                ``instrument_metrics``    below)
(``telemetry``)
state files              per process, per path     close and forget every  opens its own connection:
(``core.localstate``)                              file                    none crosses a fork (see
                                                                           the module)
problems already said    per process               forget them: say them   keeps them (it writes to
(``core.notice``)                                  again                   the parent's stderr)
host defaults            per process, from         forget them (the        keeps them
(``core.settings``)      ``set_host_default``      settings table's
                                                   defaults apply)
wire log on stderr       per process, from the     remove the handler;     keeps it
(``autoinstall``)        first session             the logger's level
                         ``euca-boto run``         goes back
                         installs on
work left by finalizers  until the next caller     forget it               forgets it: the parent
(``core.deferred``)      does it                                           does it
clients' HTTP            per client (weak refs)    forget the clients      closes its copies of
connections                                                                their pooled connections:
(``core.connections``)                                                     its calls open their own
retry listeners          per process, from         forget them (progress   keeps them
(``retry.handler``)      ``add_retry_listener``    lines stop)
where an operation's     per operation model,      forget them (computed   keeps them
sensitive members travel while it lives (weak      again when next asked
(``core.sensitive``)     keys)                     for)
the redaction of         per process, from the     take the filter off     keeps it
botocore's and urllib3's first ``attach()``        the loggers
log records
(``botocore_logs``)
=======================  ========================  ======================  =========================

Not registered, on purpose:

* per-session components: the plugin of an installed session (``install``), the client plugin's
  (``clientplugin``) and the endpoint selector (``endpoints.selector``); their locks only guard
  their creation. They go with their session. Their locks, like every lock euca-boto keeps
  beyond one call, come from :func:`lock`, so a fork child finds them free.
* context variables (the caller context, the breaker a call went through, the request context
  under the AWS CLI's fork, the operation whose botocore records are being redacted): per
  thread or task.
* ``telemetry.ACTIVE``, and the note of admissions it gives the breakers' guard: set once
  this process traces with OpenTelemetry; the handlers of sessions made since then depend on
  them, so they stay.
* pure caches of values computed from constants: the retry error classes
  (``retry.errors``) and LocalCloud's certificates (``testing.certificates``); and of files'
  contents: botocore's endpoints files, parsed once for every session with the same model
  search path (``core.botocore_access``), read again when the file changes.
* the start-up hook of ``euca-boto run`` (``bootstrap/sitecustomize.py``): it must stay
  stdlib-only and runs before euca-boto is imported; it renews its one lock in a fork child
  itself.
"""

from __future__ import annotations

import logging
import os
import threading
import weakref
from collections.abc import Callable
from typing import Any, Final

from euca_boto.core.records import Record

log = logging.getLogger("euca_boto")


def keep() -> None:
    """What a fork child does with state it goes on using as the parent left it."""


class State(Record):
    """One piece of process-wide state: its name, how long it lives, how to reset it, and what
    a fork child does with it (``before_fork`` and ``after_fork_in_parent``, when given, run in
    the forking thread of the parent just before and just after the fork)."""

    __slots__ = ("name", "lifetime", "reset", "in_fork_child", "before_fork",
                 "after_fork_in_parent")

    def __init__(self, name: str, lifetime: str, reset: Callable[[], None],
                 in_fork_child: Callable[[], None], before_fork: Callable[[], None] | None = None,
                 after_fork_in_parent: Callable[[], None] | None = None) -> None:
        self.name: Final = name
        self.lifetime: Final = lifetime
        self.reset: Final = reset
        self.in_fork_child: Final = in_fork_child
        self.before_fork: Final = before_fork
        self.after_fork_in_parent: Final = after_fork_in_parent


# Every lock lock() made that is still alive: a fork child releases those that are held.
_LOCKS: weakref.WeakSet[threading.Lock] = weakref.WeakSet()


def lock() -> threading.Lock:
    """A new lock that a fork child finds free, whoever held it in the parent.

    For locks that outlive one call; a fork child never hangs on them. What the lock guards is
    left as the holder left it: state that a thread the child does not have could leave
    half-changed says in its registration what the child does about it. Not reentrant.
    """
    new = threading.Lock()
    _LOCKS.add(new)
    return new


def condition() -> threading.Condition:
    """A new condition variable, on a :func:`lock`: a fork child finds it free. Not
    reentrant."""
    return threading.Condition(lock())


_lock = lock()
_states: dict[str, State] = {}


def register(name: str, lifetime: str, reset: Callable[[], None], *,
             in_fork_child: Callable[[], None],
             before_fork: Callable[[], None] | None = None,
             after_fork_in_parent: Callable[[], None] | None = None) -> None:
    """Register a module's process-wide state (at its import; again replaces it).

    ``reset`` must give the state its import-time value and release what it holds (close
    clients and files, stop threads); it must not fail when there is nothing to release.
    ``in_fork_child`` runs in a fork child, alone (no other thread exists yet), after every
    :func:`lock` is renewed: it must not wait for anything, and must leave alone what the
    parent still uses (close no shared connection, delete no shared file); :func:`keep` when
    the child goes on with the state as it is. ``before_fork`` may make the state consistent
    for the child (waiting a bounded time at most); ``after_fork_in_parent`` undoes it.
    """
    with _lock:
        _states[name] = State(name, lifetime, reset, in_fork_child, before_fork,
                              after_fork_in_parent)


def unregister(name: str) -> None:
    """Forget the state registered as ``name``, if any (for tests that register their own)."""
    with _lock:
        _states.pop(name, None)


def registered() -> list[State]:
    """Every piece of state registered so far, in the order of registration."""
    with _lock:
        return list(_states.values())


def reset() -> None:
    """Give the process the state it had right after import: for tests.

    Every registered reset runs, newest first (state registered later may use earlier
    state), even when one fails; the first failure is raised at the end. Sessions, and what
    lives on them, are untouched.
    """
    first: BaseException | None = None
    for state in reversed(registered()):
        try:
            state.reset()
        except Exception as error:
            first = first or error
    if first is not None:
        raise first


# -- fork -----------------------------------------------------------------------------------------

def _run_each(states: list[State], step: str) -> None:
    # A failing step must not keep the others from running: the fork happens anyway.
    for state in states:
        action = getattr(state, step)
        if action is None:
            continue
        try:
            action()
        except Exception:
            log.exception("%s of %s failed (pid %d)", step.replace("_", " "), state.name,
                          os.getpid())


def _before_fork() -> None:
    _run_each(list(reversed(registered())), "before_fork")


def _after_fork_in_parent() -> None:
    _run_each(registered(), "after_fork_in_parent")


def renew(lock: Any) -> None:
    """In a fork child (one thread, before it takes ``lock``): make ``lock`` (a Lock or RLock)
    new and free, whoever held it in the parent.

    Every lock, not just those that say they are held: a thread woken in acquire() owns the
    lock before it marks it held (it waits for the interpreter in between), so a fork in that
    moment copies a lock that is taken and says it is free. threading renews its own locks in
    a fork child the same way.
    """
    renew = getattr(lock, "_at_fork_reinit", None)
    if renew is not None:
        renew()
    elif lock.locked():  # an interpreter without it: the best a released lock can do
        lock.release()


def _after_fork_in_child() -> None:
    # The locks first: the states' own steps may take them.
    for made in list(_LOCKS):
        renew(made)
    _run_each(list(_states.values()), "in_fork_child")


if hasattr(os, "register_at_fork"):  # POSIX
    os.register_at_fork(before=_before_fork, after_in_parent=_after_fork_in_parent,
                        after_in_child=_after_fork_in_child)
