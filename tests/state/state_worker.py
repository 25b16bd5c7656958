"""One short-lived process, as a user's script or tool would be, for the state-file tests.

``calls PROFILE N [euca_key=value ...]``: N DescribeProperties calls through a session of
PROFILE with those settings, one line each on stdout: ``ok``, ``refused`` (the breaker refused
it) or ``error <status>``; the ``euca_boto`` log goes to stderr.

``hammer PATH INDEX COUNT START``: from wall-clock time START on, COUNT times: eject the endpoint
``http://host-INDEX-i.test/`` and count a failure of the breaker ``hammer``, both kept in the
state file PATH, taking in the other processes' ejections on the way.
"""

from __future__ import annotations

import logging
import sys
import time
from pathlib import Path

import euca_boto
from euca_boto.breakers.breaker import Breaker, BreakerConfig
from euca_boto.breakers.storage import STATE_FILE_PREFIX, storage_for
from euca_boto.core.localstate import state_file
from euca_boto.endpoints.health import EjectionPolicy, HealthBoard

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # run as a script: find tests/
from worker_support import describe_answer  # noqa: E402


def calls(profile: str, count: int, settings: list[str]) -> None:
    values = dict(item.split("=", 1) for item in settings)
    session = euca_boto.session(profile, **values)
    client = session.client("euprop")
    for _ in range(count):
        print(describe_answer(client), flush=True)


def hammer(path: str, index: int, count: int, start: float) -> None:
    board = HealthBoard(time.monotonic)
    board.remember_in(state_file(path))
    breaker = Breaker("hammer", BreakerConfig(fail_max=1_000_000),
                      storage=storage_for(STATE_FILE_PREFIX + path, "hammer"))
    policy = EjectionPolicy(base=600.0)
    time.sleep(max(0.0, start - time.time()))
    for i in range(count):
        board.failed(f"http://host-{index}-{i}.test/", policy, "hammered")
        ticket = breaker.admit()
        breaker.settle(ticket, OSError("hammered"))
        board.refresh(float("inf"))  # a read of the file between writes, as calls make them


def main(argv: list[str]) -> None:
    logging.basicConfig(level=logging.INFO, stream=sys.stderr, format="%(name)s %(message)s")
    if argv[0] == "calls":
        calls(argv[1], int(argv[2]), argv[3:])
    else:
        hammer(argv[1], int(argv[2]), int(argv[3]), float(argv[4]))


if __name__ == "__main__":
    main(sys.argv[1:])
