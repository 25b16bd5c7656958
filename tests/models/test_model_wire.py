"""Every operation of our own models: the exact request body and the parsed reply."""

from __future__ import annotations

from typing import Any

import pytest
from botocore import xform_name
from model_cases import EC2_CASES, MSGS_CASES, MSGS_NAMESPACES, Case, msgs_reply
from models_support import CannedServer, ClientFactory, models_session

OWN_SERVICES = ["euserv", "euprop", "euconfig", "euca-ec2"]


def without_metadata(parsed: dict[str, Any]) -> dict[str, Any]:
    return {key: value for key, value in parsed.items() if key != "ResponseMetadata"}


def call(client: Any, case: Case) -> dict[str, Any]:
    return getattr(client, xform_name(case.operation))(**case.params)


def test_every_modelled_operation_has_a_wire_case() -> None:
    session = models_session()
    modelled = {
        f"{service}.{operation}"
        for service in OWN_SERVICES
        for operation in session.get_service_model(service).operation_names
    }
    covered = {case.id for case in MSGS_CASES + EC2_CASES}
    assert modelled == covered
    assert len(modelled) == 6 + 2 + 70 + 2


@pytest.mark.parametrize("namespace", MSGS_NAMESPACES)
@pytest.mark.parametrize("case", MSGS_CASES, ids=lambda c: c.id)
def test_msgs_operation_sends_exact_body_and_parses_reply(
    case: Case, namespace: str, server: CannedServer, client: ClientFactory
) -> None:
    server.reply(msgs_reply(f"{case.operation}ResponseType", case.reply, namespace))

    parsed = call(client(case.service), case)

    assert server.last_body == case.body
    assert without_metadata(parsed) == case.parsed


@pytest.mark.parametrize("case", EC2_CASES, ids=lambda c: c.id)
def test_euca_ec2_operation_sends_exact_body_and_parses_reply(
    case: Case, server: CannedServer, client: ClientFactory
) -> None:
    server.reply(case.reply)

    parsed = call(client(case.service), case)

    assert server.last_body == case.body
    assert without_metadata(parsed) == case.parsed
    assert parsed["ResponseMetadata"]["RequestId"].startswith("r-")


def test_msgs_requests_are_signed_sigv4_for_the_service_dns_name(
    server: CannedServer, client: ClientFactory
) -> None:
    server.reply(msgs_reply("DescribePropertiesResponseType", "", MSGS_NAMESPACES[0]))

    client("euprop").describe_properties()

    authorization = server.requests[-1].headers["Authorization"]
    assert authorization.startswith("AWS4-HMAC-SHA256 Credential=AKIAEXAMPLE/")
    assert "/eucalyptus/properties/aws4_request" in authorization
    assert server.requests[-1].method == "POST"


def test_a_string_list_element_without_entries_parses_as_an_empty_list(
    server: CannedServer, client: ClientFactory
) -> None:
    server.reply(
        msgs_reply(
            "DescribeServicesResponseType",
            "<euca:serviceStatuses><euca:item><euca:localState>STOPPED</euca:localState>"
            "<euca:details/></euca:item></euca:serviceStatuses>",
            MSGS_NAMESPACES[0],
        )
    )

    parsed = client("euserv").describe_services()

    assert parsed["ServiceStatuses"] == [{"LocalState": "STOPPED", "Details": []}]
