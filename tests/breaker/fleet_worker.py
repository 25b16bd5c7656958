"""One process of a fleet: reads commands from stdin, answers one line each on stdout.

``call``: one DescribeProperties through the installed session's protected client, answered
``ok``, ``refused`` (CircuitOpenError) or ``error <status>``; ``state``: the breaker's state.
Usage: fleet_worker.py PROFILE STORAGE_URL
"""

from __future__ import annotations

import logging
import sys
from pathlib import Path

import euca_boto

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # run as a script: find tests/
from worker_support import describe_answer  # noqa: E402


def main(profile: str, storage: str) -> None:
    logging.basicConfig(level=logging.INFO, stream=sys.stderr, format="%(name)s %(message)s")
    session = euca_boto.session(
        profile, euca_breaker_storage=storage, euca_breaker_fail_max=2,
        euca_retry_max_attempts=1, euca_breaker_reset_timeout=600,
    )
    client = session.client("euprop")
    for line in sys.stdin:
        command = line.strip()
        if command == "call":
            answer = describe_answer(client)
        elif command == "state":
            answer = euca_boto.get_breaker(f"{profile}/euprop").info().state
        else:
            answer = f"unknown command {command!r}"
        print(answer, flush=True)


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
