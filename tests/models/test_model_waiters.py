"""The euserv waiters, polling the canned server."""

from __future__ import annotations

import pytest
from botocore.exceptions import WaiterError
from model_cases import MSGS_NAMESPACES, msgs_reply
from models_support import CannedServer, ClientFactory

NO_DELAY = {"Delay": 0, "MaxAttempts": 5}


def states_reply(*states: str) -> str:
    items = "".join(
        f"<euca:item><euca:serviceId><euca:name>svc{i}</euca:name></euca:serviceId>"
        f"<euca:localState>{state}</euca:localState></euca:item>"
        for i, state in enumerate(states)
    )
    return msgs_reply(
        "DescribeServicesResponseType",
        f"<euca:_return>true</euca:_return><euca:serviceStatuses>{items}</euca:serviceStatuses>",
        MSGS_NAMESPACES[0],
    )


def test_service_enabled_polls_until_every_service_is_enabled(
    server: CannedServer, client: ClientFactory
) -> None:
    server.reply(states_reply("NOTREADY", "ENABLED"))
    server.reply(states_reply("DISABLED", "ENABLED"))
    server.reply(states_reply("ENABLED", "ENABLED"))

    client("euserv").get_waiter("service_enabled").wait(
        ServiceNames=["svc0", "svc1"], WaiterConfig=NO_DELAY
    )

    # Named services are looked for wherever they run: ListAll goes with them.
    assert [r.body for r in server.requests] == [
        "Action=DescribeServices&Version=eucalyptus&ServiceName.1=svc0&ServiceName.2=svc1"
        "&ListAll=true"
    ] * 3


def test_service_enabled_fails_when_a_service_is_broken(
    server: CannedServer, client: ClientFactory
) -> None:
    server.reply(states_reply("BROKEN", "ENABLED"))

    with pytest.raises(WaiterError, match="ServiceEnabled failed"):
        client("euserv").get_waiter("service_enabled").wait(
            ServiceNames=["svc0", "svc1"], WaiterConfig=NO_DELAY
        )
    assert len(server.requests) == 1


def test_service_enabled_fails_when_no_service_matches(
    server: CannedServer, client: ClientFactory
) -> None:
    server.reply(states_reply())

    with pytest.raises(WaiterError, match="ServiceEnabled failed"):
        client("euserv").get_waiter("service_enabled").wait(
            ServiceNames=["nosuch"], WaiterConfig=NO_DELAY
        )


def test_service_stopped_succeeds_when_every_service_is_stopped(
    server: CannedServer, client: ClientFactory
) -> None:
    server.reply(states_reply("ENABLED"))
    server.reply(states_reply("STOPPED"))

    client("euserv").get_waiter("service_stopped").wait(
        ServiceNames=["svc0"], WaiterConfig=NO_DELAY
    )

    assert len(server.requests) == 2
