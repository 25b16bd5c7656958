"""The process-wide state of euca-boto, in one table, with one :func:`reset` for tests.

Most of what euca-boto keeps lives on a botocore session (its plugin, endpoint selector and
retry handlers are components and handlers of the session) and goes when the session goes.
A few things outlive any session: breakers are found by name from anywhere in the process,
Redis clients and state files are shared by every breaker that uses them, and so on. Each
module that keeps such state registers it here, with what :func:`reset` must do to give the
process its import-time state back. This module imports none of them (they import it), so it
costs nothing to import and a module nobody imported has nothing to reset.

Lifetimes, and what :func:`reset` does:

==================================  ==============================  ===============================
state (module)                      lives                           reset
==================================  ==============================  ===============================
breakers by name and breaker        per process, from the first     forget every breaker and
listeners (``breakers.registry``)   breaker of a name               listener (shared state stays
                                                                    in its store)
Redis clients by URL                per process, per URL, from the  close and forget every client
(``breakers.storage.redis``)        first breaker kept in it
retry budgets                       per botocore session (weak      forget them (live handlers keep
(``retry``)                         keys), across re-installs       theirs)
retry listeners                     per process, from               forget them (progress lines
(``retry.handler``)                 ``add_retry_listener``          stop)
topology updaters                   per updater, from               stop every running updater
(``endpoints.refresh``)             ``keep_topology_updated`` to    (cached topologies belong to
                                    ``stop()``                      their sessions: weak refs)
wire-log switches (``wirelog``)     per switch, until ``restore()`` withdraw every switch
wire-log files (``wirelog``)        per file path, until            detach and close every file;
                                    ``detach_file``                 the logger's level goes back
call metrics (``metrics``)          per process                     zero every figure
OpenTelemetry duration histogram    per process, from               forget it (spans: see below)
(``telemetry``)                     ``instrument_metrics``
state files (``localstate``)        per process, per path           close and forget every file
problems already said (``notice``)  per process                     forget them: say them again
host defaults (``settings``)        per process, from               forget them (the settings
                                    ``set_host_default``            table's defaults apply)
wire log on stderr                  per process, from the first     remove the handler; the
(``autoinstall``)                   session ``euca-boto run``       logger's level goes back
                                    installs on
where an operation's sensitive      per operation model, while it   forget them (computed again
members travel                      lives (weak keys)               when next asked for)
(``core.sensitive``)
the redaction of botocore's and     per process, from the first     take the filter off the
urllib3's log records               ``attach()``                    loggers
(``botocore_logs``)
==================================  ==============================  ===============================

Not registered, on purpose:

* per-session components: the plugin of an installed session (``install``), the client plugin's
  (``clientplugin``) and the endpoint selector (``endpoints.selector``); their locks only guard
  their creation. They go with their session.
* context variables (the caller context, the breaker a call went through, the request context
  under the AWS CLI's fork, the operation whose botocore records are being redacted): per
  thread or task.
* ``telemetry.ACTIVE``: set once this process traces with OpenTelemetry; the handlers of
  sessions made since then depend on it, so it stays.
* pure caches of values computed from constants: the retry error classes
  (``retry.errors``) and LocalCloud's certificates (``testing.certificates``).
* the start-up hook of ``euca-boto run`` (``bootstrap/sitecustomize.py``): it must stay
  stdlib-only and runs before euca-boto is imported.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class State:
    """One piece of process-wide state: its name, how long it lives, how to reset it."""

    name: str
    lifetime: str
    reset: Callable[[], None]


_lock = threading.Lock()
_states: dict[str, State] = {}


def register(name: str, lifetime: str, reset: Callable[[], None]) -> None:
    """Register a module's process-wide state (at its import; again replaces it).

    ``reset`` must give the state its import-time value and release what it holds (close
    clients and files, stop threads); it must not fail when there is nothing to release.
    """
    with _lock:
        _states[name] = State(name, lifetime, reset)


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
