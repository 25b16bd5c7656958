"""A WSGI application as gunicorn runs it with ``--preload``: the master imports it (building its
session and client, starting its topology updater) and then forks the workers that serve it.

At the fork one of the master's threads is inside the state file, waiting for another process's
write (the test holds the file's lock), and another keeps the topology updated. Each request
makes one call through the master's client and answers, as JSON, the worker's pid, the names
the call returned and the endpoints the worker knows for the service.
"""

from __future__ import annotations

import json
import os
import threading
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import euca_boto
from euca_boto.endpoints import selector_of

session: Any = euca_boto.session(os.environ["AWS_PROFILE"])
euprop = session.client("euprop")
euprop.describe_properties(Properties=["dns.enabled"])  # a kept-alive connection, a topology
updater = euca_boto.keep_topology_updated(ThreadPoolExecutor(1), tick=0.02)
threading.Thread(target=euprop.breaker.reset, daemon=True).start()  # a state-file write


def app(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
    answer = euprop.describe_properties(Properties=["dns.enabled"])
    body = json.dumps({
        "pid": os.getpid(),
        "names": [p["Name"] for p in answer["Properties"]],
        "endpoints": sorted(row.endpoint.url for row in selector_of(session).rows("euprop")),
        "updater running": updater.running,
    }).encode()
    start_response("200 OK", [("Content-Type", "application/json")])
    return [body]
