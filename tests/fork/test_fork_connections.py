"""A fork child of a process whose clients keep connections alive: its calls open connections of
their own, and the parent's stay open for the parent."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import boto3
from forking import in_fork_child

from euca_boto.testing import LocalCloud


def test_a_fork_child_calls_on_connections_of_its_own(
    session: Callable[..., boto3.session.Session], fresh_cloud: LocalCloud
) -> None:
    euprop: Any = session().client("euprop")

    def call() -> None:
        euprop.describe_properties(Properties=["dns.enabled"])

    call()  # the connection stays in the client's pool
    in_fork_child(call)
    call()
    assert fresh_cloud.wait_idle()
    parent, child, parent_again = [
        r.client_port for r in fresh_cloud.requests() if r.action == "DescribeProperties"]
    assert child != parent  # not a request written on the parent's connection
    assert parent_again == parent  # which is still open
