"""One process of a fleet: reads commands from stdin, answers one line each on stdout.

``call``: one DescribeProperties through the installed session's protected client, answered
``ok``, ``refused`` (CircuitOpenError) or ``error <status>``; ``state``: the breaker's state.
Usage: fleet_worker.py PROFILE STORAGE_URL
"""

from __future__ import annotations

import logging
import sys

from botocore.exceptions import ClientError

import euca_boto


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
            try:
                client.describe_properties(Properties=["dns.enabled"])
                answer = "ok"
            except euca_boto.CircuitOpenError:
                answer = "refused"
            except ClientError as error:
                answer = f"error {error.response['ResponseMetadata']['HTTPStatusCode']}"
        elif command == "state":
            answer = euca_boto.get_breaker(f"{profile}/euprop").info().state
        else:
            answer = f"unknown command {command!r}"
        print(answer, flush=True)


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
