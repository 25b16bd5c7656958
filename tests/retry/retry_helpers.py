"""Helpers of the retry tests: a recording clock, a settled request log, an installed session."""

from __future__ import annotations

import time
from typing import Any

import boto3

import euca_boto
from euca_boto.testing import LocalCloud, RequestRecord


class FakeTime:
    """A monotonic clock that only moves when something sleeps; every sleep is recorded."""

    def __init__(self) -> None:
        self.now = 1000.0
        self.sleeps: list[float] = []

    def clock(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += seconds


def settled(endpoint: Any, at_least: int = 0, timeout: float = 15.0) -> list[RequestRecord]:
    """The endpoint's request log once it has ``at_least`` records and stopped growing.

    A call the client gave up on (a read timeout) is still answered, and logged, by the server
    later; on a loaded host that can take seconds. The wait ends as soon as the records are
    there, so the generous timeout costs a passing test nothing.
    """
    deadline = time.monotonic() + timeout
    records = endpoint.requests
    while time.monotonic() < deadline:
        time.sleep(0.01)
        again = endpoint.requests
        if len(again) >= at_least and len(again) == len(records):
            return again
        records = again
    return records


def installed_session(cloud: LocalCloud, **settings: Any) -> boto3.session.Session:
    # The circuit breaker (on by default) would refuse calls after a few failures; these tests
    # are about what happens inside one call.
    settings.setdefault("euca_breaker", False)
    return euca_boto.session(
        region_name=cloud.region,
        aws_access_key_id=cloud.access_key,
        aws_secret_access_key=cloud.secret_key,
        **settings,
    )
