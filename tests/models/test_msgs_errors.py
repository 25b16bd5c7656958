"""Error replies of the msgs binding become ClientErrors with a code and a message."""

from __future__ import annotations

import re

import pytest
from botocore.exceptions import ClientError
from model_cases import MSGS_NAMESPACES, msgs_reply
from models_support import CannedServer, ClientFactory

from euca_boto.msgs import InBandFailure

STACK_TRACE = (
    "java.lang.IllegalArgumentException: No enum constant FROBNICATE\n"
    "\tat java.lang.Enum.valueOf(Enum.java:238)\n"
    "\tat com.eucalyptus.empyrean.EmpyreanService.modifyService(EmpyreanService.java:201)\n"
)


def summary(error: ClientError) -> str:
    """The error's text without botocore's retry count, which depends on the retry mode."""
    return re.sub(r" \(reached max retries: \d+\)", "", str(error))


def error_body(code: str, message: str, request_id: str) -> str:
    return (
        '<?xml version="1.0"?><Response><Errors><Error>'
        f"<Code>{code}</Code><Message>{message}</Message>"
        f"</Error></Errors><RequestID>{request_id}</RequestID></Response>"
    )


def test_coded_exception_keeps_code_message_and_correlation_id(
    server: CannedServer, client: ClientFactory
) -> None:
    server.reply(
        error_body("InvalidParameterValue", "Failed to set property: bad value", "c0ffee-1"),
        status=400,
    )

    with pytest.raises(ClientError) as caught:
        client("euprop").modify_property_value(Name="dns.enabled", Value="maybe")

    response = caught.value.response
    assert response["Error"]["Code"] == "InvalidParameterValue"
    assert response["Error"]["Message"] == "Failed to set property: bad value"
    assert response["ResponseMetadata"]["RequestId"] == "c0ffee-1"
    assert "StackTrace" not in response["Error"]
    assert summary(caught.value) == (
        "An error occurred (InvalidParameterValue) when calling the ModifyPropertyValue "
        "operation: Failed to set property: bad value"
    )


def test_stack_trace_in_request_id_is_kept_apart_from_request_id_and_message(
    server: CannedServer, client: ClientFactory
) -> None:
    server.reply(
        error_body("ModifyServiceType", "No enum constant FROBNICATE", STACK_TRACE), status=406
    )

    with pytest.raises(ClientError) as caught:
        client("euserv").modify_service(Name="zone1-cc", State="FROBNICATE")

    response = caught.value.response
    assert response["Error"]["Code"] == "ModifyServiceType"
    assert response["Error"]["Message"] == "No enum constant FROBNICATE"
    assert response["Error"]["StackTrace"] == STACK_TRACE
    assert "RequestId" not in response["ResponseMetadata"]
    assert response["ResponseMetadata"]["HTTPStatusCode"] == 406
    assert "EmpyreanService.java" not in str(caught.value)


def test_plain_text_pipeline_failure_gets_code_and_message_from_status_and_body(
    server: CannedServer, client: ClientFactory
) -> None:
    server.reply("403 Forbidden\n", status=403, content_type="text/plain")

    with pytest.raises(ClientError) as caught:
        client("euconfig").describe_components()

    error = caught.value.response["Error"]
    assert error["Code"] == "Forbidden"
    assert error["Message"] == "403 Forbidden"
    assert summary(caught.value) == (
        "An error occurred (Forbidden) when calling the DescribeComponents operation: 403 Forbidden"
    )


@pytest.mark.parametrize(("body", "status", "service", "operation", "code", "message"), [
    # A plain-text failure with an explanation keeps it as the message.
    pytest.param("Failed to verify signature", 403, "euserv", "describe_services", "Forbidden",
                 "Failed to verify signature", id="explanation-is-the-message"),
    # An empty body is named after the status.
    pytest.param(b"", 401, "euprop", "describe_properties", "Unauthorized", "401 Unauthorized",
                 id="empty-body-is-named-after-the-status"),
])
def test_plain_text_failure_is_coded_after_the_status(
    server: CannedServer, client: ClientFactory, body: str | bytes, status: int, service: str,
    operation: str, code: str, message: str
) -> None:
    server.reply(body, status=status, content_type="text/plain")

    with pytest.raises(ClientError) as caught:
        getattr(client(service), operation)()

    assert caught.value.response["Error"] == {
        "Code": code,
        "Message": message,
    }


def test_status_line_code_in_xml_becomes_the_reason(
    server: CannedServer, client: ClientFactory
) -> None:
    server.reply(error_body("403 Forbidden", "", "c0ffee-2"), status=403)

    with pytest.raises(ClientError) as caught:
        client("euserv").describe_services()

    assert caught.value.response["Error"]["Code"] == "Forbidden"
    assert caught.value.response["Error"]["Message"] == "403 Forbidden"


@pytest.mark.parametrize("namespace", MSGS_NAMESPACES)
def test_register_service_failure_in_band_raises_with_status_messages(
    namespace: str, server: CannedServer, client: ClientFactory
) -> None:
    server.reply(
        msgs_reply(
            "RegisterServiceResponseType",
            "<euca:correlationId>c1</euca:correlationId><euca:_return>false</euca:_return>"
            "<euca:statusMessages><euca:item><euca:entry>Partition is required</euca:entry>"
            "</euca:item><euca:item><euca:entry>for cluster services</euca:entry></euca:item>"
            "</euca:statusMessages>",
            namespace,
        )
    )

    with pytest.raises(InBandFailure) as caught:
        client("euserv").register_service(Type="cluster", Name="cc", Host="10.0.0.2")

    assert isinstance(caught.value, ClientError)
    assert caught.value.response["Error"] == {
        "Code": "InBandFailure",
        "Message": "Partition is required; for cluster services",
    }
    assert caught.value.response["StatusMessages"] == [
        "Partition is required",
        "for cluster services",
    ]
    assert caught.value.operation_name == "RegisterService"
    assert summary(caught.value) == (
        "An error occurred (InBandFailure) when calling the RegisterService operation: "
        "Partition is required; for cluster services"
    )


def test_legacy_register_failure_in_band_raises_with_status_message(
    server: CannedServer, client: ClientFactory
) -> None:
    server.reply(
        msgs_reply(
            "RegisterClusterResponseType",
            "<euca:_return>false</euca:_return>"
            "<euca:statusMessage>Host 10.0.0.9 is unreachable</euca:statusMessage>",
            MSGS_NAMESPACES[1],
        )
    )

    with pytest.raises(InBandFailure, match="Host 10.0.0.9 is unreachable"):
        client("euconfig").register_cluster(Partition="z", Name="cc", Host="10.0.0.9", Port=8774)


def test_in_band_failure_without_messages_still_says_what_happened(
    server: CannedServer, client: ClientFactory
) -> None:
    server.reply(
        msgs_reply("DeregisterServiceResponseType", "<euca:_return>false</euca:_return>", "x")
    )

    with pytest.raises(InBandFailure) as caught:
        client("euserv").deregister_service(Name="cc")

    assert caught.value.response["Error"]["Message"] == (
        "the server reported failure without a status message"
    )
