"""One process counting calls in a shared breaker, for the cross-process window tests.

Usage: window_worker.py STORAGE_URL NAME OUTCOMES. For each letter of OUTCOMES (``s`` a call
that succeeds, ``f`` one that fails) one call through the breaker NAME kept at STORAGE_URL
(default window settings); prints one line: the results, ``ok``, ``failed`` or ``refused``,
separated by spaces.
"""

from __future__ import annotations

import sys

from euca_boto.breakers.breaker import Breaker, BreakerConfig, CircuitOpenError
from euca_boto.breakers.storage import storage_for


def main(url: str, name: str, outcomes: str) -> None:
    breaker = Breaker(name, BreakerConfig(), storage_for(url, name))
    results = []
    for letter in outcomes:
        try:
            ticket = breaker.admit()
        except CircuitOpenError:
            results.append("refused")
            continue
        breaker.settle(ticket, OSError("down") if letter == "f" else None)
        results.append("failed" if letter == "f" else "ok")
    print(" ".join(results), flush=True)


if __name__ == "__main__":
    main(*sys.argv[1:4])
