"""The demo's endpoint scene: calls spread over the cloud's endpoints, one endpoint dies, the
calls fail over and it is left out."""

from __future__ import annotations

from typing import Any

import euca_boto
from euca_boto.cli.scenes.tour import PROFILE, Tour
from euca_boto.endpoints.selector import selector_of


def scene_endpoints(tour: Tour) -> None:
    tour.scene("Endpoints: an endpoint dies and calls fail over")
    cloud = tour.cloud
    tour.say(">>> session = euca_boto.session('localcloud', "
             "euca_topology='describe-services')")
    session: Any = euca_boto.session(PROFILE, euca_topology="describe-services",
                                     euca_retry_base_delay=0.01)
    euprop = session.client("euprop")
    selector = selector_of(session)

    def calls(count: int) -> None:
        cloud.clear_requests()
        retried = 0
        for _ in range(count):
            answer = euprop.describe_properties(Properties=["dns.enabled"])
            retried += answer["ResponseMetadata"]["RetryAttempts"]
        spread = ", ".join(
            f"endpoint {e.index}: {len([r for r in e.requests if r.service == 'properties'])}"
            for e in cloud.endpoints)
        tour.say(f"  {count} calls, all answered ({retried} moved to another endpoint); "
                 f"{spread}")

    def table() -> None:
        tour.say("$ euca-boto endpoints --service euprop")
        for row in selector.rows("euprop"):
            health = row.health.state.value
            if row.health.failures:
                health += f", back in {row.health.ejected_for:.0f} s"
            tour.say(f"  {row.order}  {row.endpoint.url}  {row.endpoint.partition}  {health}")

    calls(6)
    table()
    tour.say(">>> cloud.endpoint(0).stop()     # endpoint 0 dies")
    cloud.endpoint(0).stop()
    try:
        calls(6)
        table()
    finally:
        cloud.endpoint(0).start()
