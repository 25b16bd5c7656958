"""The demo's retry scene: injected 503s are retried to success; a change that may have happened
is not sent again."""

from __future__ import annotations

from typing import Any

from botocore.exceptions import ClientError

import euca_boto
from euca_boto.cli.scenes.tour import PROFILE, Tour


def scene_retry(tour: Tour) -> None:
    tour.scene("Retries: injected 503s retried to success; an unsafe call is not resent")
    session: Any = euca_boto.session(
        profile_name=PROFILE, euca_retry_base_delay=0.05, euca_retry_delay=0.2, euca_breaker=False
    )
    euprop = session.client("euprop")
    endpoint = tour.cloud.endpoint(0)
    endpoint.clear_requests()
    tour.say(">>> cloud.endpoint(0).fail(503, count=2)      # the next two answers are 503")
    endpoint.fail(503, count=2)
    answer = euprop.describe_properties(Properties=["dns.enabled"])
    meta = answer["ResponseMetadata"]["EucaRetry"]
    tour.say(
        f"  describe_properties -> HTTP 200 after {meta['Attempts']} attempts "
        f"and {meta['Slept']:.2f} s of backoff"
    )
    statuses = [r.status for r in endpoint.requests if r.action == "DescribeProperties"]
    tour.say(f"  what the endpoint answered, in order: {statuses}")
    tour.say(">>> cloud.endpoint(0).fail(500); euprop.modify_property_value(...)")
    endpoint.fail(500)
    try:
        euprop.modify_property_value(Name="dns.enabled", Value="false")
    except ClientError as error:
        sent = [r for r in endpoint.requests if r.action == "ModifyPropertyValue"]
        tour.say(f"  -> {error.response['Error']['Code']}, sent {len(sent)} time(s): a change "
                 "that may have happened is not repeated (euca_retry_non_idempotent)")
    endpoint.clear()
