"""What a worker process prints for one call, shared by the breaker-fleet and state-file
workers (tests/breaker/fleet_worker.py, tests/state/state_worker.py).

The workers run as scripts, so each puts this directory on ``sys.path`` before importing it.
"""

from __future__ import annotations

from typing import Any

from botocore.exceptions import ClientError

import euca_boto


def describe_answer(client: Any) -> str:
    """One DescribeProperties through ``client``, answered ``ok``, ``refused`` (the breaker
    refused it: CircuitOpenError) or ``error <status>``."""
    try:
        client.describe_properties(Properties=["dns.enabled"])
    except euca_boto.CircuitOpenError:
        return "refused"
    except ClientError as error:
        return f"error {error.response['ResponseMetadata']['HTTPStatusCode']}"
    return "ok"
