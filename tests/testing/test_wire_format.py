"""The admin services' answers, byte for byte, in the reference's shapes (§2.2, §2.3, §3.1, §4)."""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable, Iterator
from typing import Any
from xml.etree import ElementTree

import pytest

from euca_boto.testing import LocalCloud

CORRELATION = re.compile(r"<euca:correlationId>([^<]+)</euca:correlationId>")
REQUEST_ID = re.compile(r"<RequestID>([^<]+)</RequestID>")
EXPECTED_NAMESPACE = {
    "4.4.2": "http://msgs.eucalyptus.com/4.4.2",
    None: "http://msgs.eucalyptus.com",
}
VERSIONS: dict[LocalCloud, str | None] = {}  # the msgs_version each small cloud was built with


@pytest.fixture(scope="module", params=["4.4.2", None], ids=["versioned", "bare"])
def small(request: pytest.FixtureRequest) -> Iterator[LocalCloud]:
    """One endpoint, one partition, no moto: a small state whose answers can be spelled out."""
    with LocalCloud(endpoints=1, partitions=1, aws=False, msgs_version=request.param) as c:
        VERSIONS[c] = request.param
        yield c


@pytest.fixture
def call(signed: Callable[..., Any]) -> Callable[..., Any]:
    def admin_call(cloud: LocalCloud, service: str, params: dict[str, str]) -> Any:
        return signed(
            cloud.service_url(service),
            {"Version": "eucalyptus", **params},
            access_key=cloud.access_key,
            secret_key=cloud.secret_key,
        )

    return admin_call


def correlation_id(reply: Any) -> str:
    match = CORRELATION.search(reply.text)
    assert match, reply.text
    uuid.UUID(match.group(1))
    return match.group(1)


def assert_error_document(reply: Any, code: str, message: str) -> None:
    """``reply`` is a 400 in the reference's error document, with its own request id."""
    request_id = REQUEST_ID.search(reply.text)
    assert request_id, reply.text
    assert reply.status == 400
    assert reply.text == (
        f'<?xml version="1.0"?><Response><Errors><Error><Code>{code}</Code>'
        f"<Message>{message}</Message>"
        f"</Error></Errors><RequestID>{request_id.group(1)}</RequestID></Response>"
    )


def namespace(cloud: LocalCloud) -> str:
    return EXPECTED_NAMESPACE[VERSIONS[cloud]]


def describe_services_body(url: str) -> str:
    return (
        "<euca:serviceStatuses><euca:item>"
        "<euca:serviceId><euca:partition>PARTI00</euca:partition>"
        "<euca:name>ufs0.properties</euca:name><euca:type>properties</euca:type>"
        "<euca:fullName>arn:euca:eucalyptus:PARTI00:properties:ufs0.properties/</euca:fullName>"
        f"<euca:uris><euca:item><euca:entry>{url}/services/Properties</euca:entry></euca:item>"
        f"</euca:uris><euca:uri>{url}/services/Properties</euca:uri>"
        "<euca:host>127.0.0.1</euca:host></euca:serviceId>"
        "<euca:localState>ENABLED</euca:localState><euca:localEpoch>1</euca:localEpoch>"
        "</euca:item></euca:serviceStatuses>"
    )


def describe_properties_body(url: str) -> str:
    return (
        "<euca:properties><euca:item>"
        "<euca:name>euca.version</euca:name><euca:value>4.4.2</euca:value>"
        "<euca:description>The Eucalyptus version</euca:description>"
        "<euca:defaultValue>4.4.2</euca:defaultValue><euca:readOnly>true</euca:readOnly>"
        "</euca:item></euca:properties>"
    )


def modify_property_value_body(url: str) -> str:
    return (
        "<euca:name>cloud.vmstate.instance_timeout</euca:name>"
        "<euca:value>60</euca:value><euca:oldValue>720</euca:oldValue>"
    )


@pytest.mark.parametrize(
    ("service", "params", "body"),
    [
        pytest.param(
            "bootstrap",
            {"Action": "DescribeServices", "ListAll": "true", "ServiceName.1": "ufs0.properties"},
            describe_services_body,
            id="DescribeServices",
        ),
        pytest.param(
            "properties",
            {"Action": "DescribeProperties", "Property.1": "euca.version"},
            describe_properties_body,
            id="DescribeProperties",
        ),
        pytest.param(
            "properties",
            {"Action": "ModifyPropertyValue", "Name": "cloud.vmstate.instance_timeout",
             "Value": "60"},
            modify_property_value_body,
            id="ModifyPropertyValue",
        ),
    ],
)
def test_answers_the_reference_shape(
    small: LocalCloud,
    call: Callable[..., Any],
    service: str,
    params: dict[str, str],
    body: Callable[[str], str],
) -> None:
    reply = call(small, service, params)
    response = f"euca:{params['Action']}ResponseType"
    assert reply.status == 200
    assert reply.headers["content-type"] == "text/xml; charset=UTF-8"
    assert reply.text == (
        f'<{response} xmlns:euca="{namespace(small)}">'
        f"<euca:correlationId>{correlation_id(reply)}</euca:correlationId>"
        f"<euca:_return>true</euca:_return>{body(small.url)}</{response}>"
    )
    # ModifyPropertyValue changed the shared cloud; put its default back (a no-op for the others)
    small.properties.set("cloud.vmstate.instance_timeout", "720")


def test_an_empty_result_is_an_empty_list_element(
    small: LocalCloud, call: Callable[..., Any]
) -> None:
    reply = call(small, "properties", {"Action": "DescribeProperties", "Property.1": "nothing."})
    assert "<euca:properties></euca:properties></euca:DescribePropertiesResponseType>" in reply.text


def test_answers_are_well_formed_xml_in_the_msgs_namespace(
    small: LocalCloud, call: Callable[..., Any]
) -> None:
    reply = call(small, "bootstrap", {"Action": "DescribeServices", "ListAll": "true"})
    root = ElementTree.fromstring(reply.body)
    ns = namespace(small)
    assert root.tag == f"{{{ns}}}DescribeServicesResponseType"
    assert [child.tag for child in root][:2] == [f"{{{ns}}}correlationId", f"{{{ns}}}_return"]
    assert len(root.findall(f"{{{ns}}}serviceStatuses/{{{ns}}}item")) == 1 + 7 + 2


def test_missing_version_is_a_400_pipeline_error(
    small: LocalCloud, signed: Callable[..., Any]
) -> None:
    reply = signed(
        small.service_url("properties"),
        {"Action": "DescribeProperties"},
        access_key=small.access_key,
        secret_key=small.secret_key,
    )
    assert reply.headers["content-type"] == "text/plain"
    assert_error_document(
        reply,
        "400 Bad Request",
        "Missing required parameter: Version (send Version=eucalyptus)",
    )


def test_unknown_action_is_a_400_error_naming_the_known_ones(
    small: LocalCloud, call: Callable[..., Any]
) -> None:
    reply = call(small, "properties", {"Action": "DescribeNothing"})
    assert_error_document(
        reply,
        "400 Bad Request",
        "Unsupported action 'DescribeNothing' for service properties "
        "(LocalCloud implements: DescribeProperties, ModifyPropertyValue)",
    )


def test_service_failures_use_the_request_class_name_as_code(
    small: LocalCloud, call: Callable[..., Any]
) -> None:
    reply = call(small, "properties", {"Action": "ModifyPropertyValue", "Name": "no.such"})
    assert reply.headers["content-type"] == "text/xml; charset=UTF-8"
    assert_error_document(
        reply,
        "ModifyPropertyValueType",
        "Failed to set property: no such property: no.such",
    )
