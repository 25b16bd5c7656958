"""The HTTP connections of the clients euca-boto makes or completes, across a fork.

A botocore client keeps its keep-alive connections in a pool. A fork child inherits the pool:
sockets the parent, and every other child, go on using. Two processes writing requests on one
connection read each other's answers, or send a request the server cannot parse. So euca-boto
keeps a weak set of its clients, and a fork child closes its copies of their pooled connections
(which leaves the parent's sockets open: a socket closes with its last copy); the child's calls
then open connections of their own. The pools' locks are renewed first: a parent thread taking
a connection at the moment of the fork left them taken in the child.
"""

from __future__ import annotations

import inspect
import weakref
from typing import Any

from euca_boto.core import botocore_access, process

_CLIENTS: weakref.WeakSet[Any] = weakref.WeakSet()


def track(client: Any) -> None:
    """Give ``client`` (a botocore client) connections of its own in every fork child."""
    _CLIENTS.add(client)


def _close_inherited() -> None:
    for client in list(_CLIENTS):
        close = getattr(client, "close", None)
        # An aiobotocore client closes in its event loop, which is the parent's thread's.
        if close is not None and not inspect.iscoroutinefunction(close):
            # A parent thread may have been taking a connection from a pool at the fork.
            botocore_access.renew_pool_locks(client)
            close()  # botocore's: empties the pools, the client stays usable


process.register("clients' HTTP connections", "per client (weak refs)", _CLIENTS.clear,
                 in_fork_child=_close_inherited)
