"""The demo's breaker scene: a service goes down, its breaker opens and calls fail fast."""

from __future__ import annotations

import time
from typing import Any

from botocore.exceptions import ClientError

import euca_boto
from euca_boto.cli.scenes.tour import PROFILE, Tour


def scene_breaker(tour: Tour) -> None:
    tour.scene("Circuit breakers: fail fast while a service is down")
    session: Any = euca_boto.session(
        PROFILE, euca_breaker_fail_max=2, euca_retry_max_attempts=1
    )
    euprop = session.client("euprop")
    name = euprop.breaker.name  # <profile>/<service>@<host:port>: one service of one cloud

    def listener(change: euca_boto.StateChange) -> None:
        tour.say(f"  [listener] {change.breaker}: {change.old} -> {change.new} ({change.reason})")

    euca_boto.add_breaker_listener(listener)
    try:
        endpoint = tour.cloud.endpoint(0)
        tour.say(">>> cloud.endpoint(0).fail(503, count=2)     # the service goes down")
        endpoint.fail(503, count=2)
        for _ in range(2):
            try:
                euprop.describe_properties()
            except ClientError as error:
                status = error.response["ResponseMetadata"]["HTTPStatusCode"]
                tour.say(f"  describe_properties -> ClientError, HTTP {status}")
        sent = len(endpoint.requests)
        started = time.perf_counter()
        try:
            euprop.describe_properties()
        except euca_boto.CircuitOpenError as error:
            elapsed = (time.perf_counter() - started) * 1000
            tour.say(f"  describe_properties -> CircuitOpenError in {elapsed:.2f} ms: {error}")
        tour.say(f"  requests sent by that call: {len(endpoint.requests) - sent}")
        tour.say(">>> euca_boto.breakers()")
        for info in euca_boto.breakers():
            if info.name == name:
                tour.say(f"  {info.name}: {info.state}, {info.failures} failures")
        tour.say(f">>> euca_boto.get_breaker({name!r}).reset()   # this process's breaker")
        tour.say("  (kept in this process; with euca_state = local (this machine) or "
                 "euca_breaker_storage = redis://... (a fleet) processes share it, and "
                 f"`euca-boto breakers reset {name}` resets it from any shell)")
        euca_boto.get_breaker(name).reset()
        answer = euprop.describe_properties(Properties=["dns.enabled"])
        tour.say(f"  describe_properties -> HTTP {answer['ResponseMetadata']['HTTPStatusCode']}")
    finally:
        euca_boto.remove_breaker_listener(listener)
