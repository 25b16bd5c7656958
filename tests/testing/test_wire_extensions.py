"""Byte-for-byte answers of the action families LocalCloud serves beyond DescribeServices and
the properties: Empyrean, Configuration, Euare, Tokens and the EC2 extensions."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from typing import Any

import pytest

from euca_boto.testing import LocalCloud
from euca_boto.testing.wire import namespace

Call = Callable[..., Any]  # the ``admin`` fixture: a signed request with the admin's keys
MSGS = {"Version": "eucalyptus"}
NS = namespace("4.4.2")


@pytest.fixture(scope="module")
def cloud() -> Iterator[LocalCloud]:
    """A cloud of this module's own: these tests change service states and accounts."""
    with LocalCloud(endpoints=1, partitions=1) as own:
        yield own


def _between(text: str, start: str, end: str) -> str:
    found = re.search(re.escape(start) + "(.*?)" + re.escape(end), text)
    assert found is not None, text
    return found.group(1)


def _answered(reply: Any, status: int, id_tag: str) -> str:
    """Check that ``reply`` has HTTP ``status``; return the id it carries in ``<id_tag>``."""
    assert reply.status == status, reply.text
    return _between(reply.text, f"<{id_tag}>", f"</{id_tag}>")


def test_modify_service_answers_only_the_header(admin: Call) -> None:
    reply = admin(
        "bootstrap", {"Action": "ModifyService", **MSGS, "Name": "ufs0.euare", "State": "DISABLE"}
    )
    correlation = _answered(reply, 200, "euca:correlationId")
    assert reply.headers["content-type"] == "text/xml; charset=UTF-8"
    assert (
        reply.body
        == (
            f'<euca:ModifyServiceResponseType xmlns:euca="{NS}">'
            f"<euca:correlationId>{correlation}</euca:correlationId><euca:_return>true</euca:_return>"
            "</euca:ModifyServiceResponseType>"
        ).encode()
    )


def test_an_invalid_state_is_a_msgs_error_document(admin: Call) -> None:
    reply = admin(
        "bootstrap", {"Action": "ModifyService", **MSGS, "Name": "ufs0.euare", "State": "nap"}
    )
    request_id = _answered(reply, 400, "RequestID")
    assert (
        reply.body
        == (
            '<?xml version="1.0"?><Response><Errors><Error><Code>ModifyServiceType</Code>'
            "<Message>Failed to modify service ufs0.euare: 'nap' is not a state or a "
            "transition; possible arguments are: START, STOP, INITIALIZE, LOAD, DESTROY, ENABLE, "
            "DISABLE, CHECK, RESTART, BROKEN, PRIMORDIAL, INITIALIZED, LOADED, STOPPED, NOTREADY, "
            f"DISABLED, ENABLED</Message></Error></Errors><RequestID>{request_id}</RequestID>"
            "</Response>"
        ).encode()
    )


def test_a_registration_failure_is_http_200_with_return_false(
    admin: Call,
) -> None:
    reply = admin(
        "bootstrap",
        {"Action": "RegisterService", **MSGS, "Type": "cluster", "Name": "cc1", "Host": "10.0.0.1"},
    )
    correlation = _answered(reply, 200, "euca:correlationId")
    assert (
        reply.body
        == (
            f'<euca:RegisterServiceResponseType xmlns:euca="{NS}">'
            f"<euca:correlationId>{correlation}</euca:correlationId>"
            "<euca:_return>false</euca:_return><euca:statusMessages><euca:item><euca:entry>"
            "Failed to register cc1: the Partition parameter is required for cluster services"
            "</euca:entry></euca:item></euca:statusMessages></euca:RegisterServiceResponseType>"
        ).encode()
    )


def test_configuration_register_without_port_and_describe(admin: Call) -> None:
    refused = admin(
        "configuration",
        {"Action": "RegisterCluster", **MSGS, "Name": "cc2", "Host": "10.0.0.2", "Partition": "z2"},
    )
    correlation = _between(refused.text, "<euca:correlationId>", "</euca:correlationId>")
    assert (
        refused.body
        == (
            f'<euca:RegisterClusterResponseType xmlns:euca="{NS}">'
            f"<euca:correlationId>{correlation}</euca:correlationId>"
            "<euca:_return>false</euca:_return>"
            "<euca:statusMessage>Missing required parameter(s): Port</euca:statusMessage>"
            "</euca:RegisterClusterResponseType>"
        ).encode()
    )

    admin(
        "configuration",
        {
            "Action": "RegisterCluster",
            **MSGS,
            "Name": "cc2",
            "Host": "10.0.0.2",
            "Partition": "z2",
            "Port": "8774",
        },
    )
    listed = admin("configuration", {"Action": "DescribeClusters", **MSGS})
    correlation = _between(listed.text, "<euca:correlationId>", "</euca:correlationId>")

    def item(partition: str, name: str, host: str) -> str:
        return (
            f"<euca:item><euca:type>cluster</euca:type><euca:partition>{partition}"
            f"</euca:partition><euca:name>{name}</euca:name><euca:hostName>{host}"
            f"</euca:hostName><euca:fullName>arn:euca:eucalyptus:{partition}:cluster:{name}/"
            "</euca:fullName><euca:state>ENABLED</euca:state></euca:item>"
        )

    assert (
        listed.body
        == (
            f'<euca:DescribeClustersResponseType xmlns:euca="{NS}">'
            f"<euca:correlationId>{correlation}</euca:correlationId><euca:_return>true</euca:_return>"
            f"<euca:registered>{item('PARTI00', 'PARTI00.cluster', '127.0.0.1')}"
            f"{item('z2', 'cc2', '10.0.0.2')}</euca:registered></euca:DescribeClustersResponseType>"
        ).encode()
    )


def test_create_account_and_a_euare_error(cloud: LocalCloud, admin: Call) -> None:
    iam = {"Version": "2010-05-08"}
    reply = admin("iam", {"Action": "CreateAccount", **iam, "AccountName": "acme"})
    request_id = _answered(reply, 200, "RequestId")
    account_id = cloud.accounts.get("acme").id
    assert (
        reply.body
        == (
            '<CreateAccountResponse xmlns="https://iam.amazonaws.com/doc/2010-05-08/">'
            "<CreateAccountResult><Account><AccountName>acme</AccountName>"
            f"<AccountId>{account_id}</AccountId></Account></CreateAccountResult>"
            f"<ResponseMetadata><RequestId>{request_id}</RequestId></ResponseMetadata>"
            "</CreateAccountResponse>"
        ).encode()
    )

    refused = admin("iam", {"Action": "ListUsers", **iam, "DelegateAccount": "nobody"})
    request_id = _answered(refused, 403, "RequestId")
    assert (
        refused.body
        == (
            '<ErrorResponse xmlns="https://iam.amazonaws.com/doc/2010-05-08/"><Error>'
            "<Type>Sender</Type><Code>NotAuthorized</Code>"
            "<Message>Can not find delegation account nobody</Message></Error>"
            f"<RequestId>{request_id}</RequestId></ErrorResponse>"
        ).encode()
    )


def test_get_impersonation_token(cloud: LocalCloud, admin: Call) -> None:
    reply = admin(
        "sts",
        {
            "Action": "GetImpersonationToken",
            "Version": "2011-06-15",
            "AccountAlias": "eucalyptus",
            "UserName": "admin",
        },
    )
    text = reply.text
    values = {
        tag: _between(text, f"<{tag}>", f"</{tag}>")
        for tag in ("AccessKeyId", "SecretAccessKey", "SessionToken", "Expiration", "RequestId")
    }
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", values["Expiration"])
    assert (
        reply.body
        == (
            '<GetImpersonationTokenResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/">'
            "<GetImpersonationTokenResult><Credentials>"
            f"<AccessKeyId>{values['AccessKeyId']}</AccessKeyId>"
            f"<SecretAccessKey>{values['SecretAccessKey']}</SecretAccessKey>"
            f"<SessionToken>{values['SessionToken']}</SessionToken>"
            f"<Expiration>{values['Expiration']}</Expiration>"
            "</Credentials></GetImpersonationTokenResult>"
            f"<ResponseMetadata><RequestId>{values['RequestId']}</RequestId></ResponseMetadata>"
            "</GetImpersonationTokenResponse>"
        ).encode()
    )
    assert cloud.requests()[-1].access_key == cloud.access_key


def test_modify_instance_type_attribute(admin: Call) -> None:
    reply = admin(
        "ec2",
        {
            "Action": "ModifyInstanceTypeAttribute",
            "Version": "2015-10-01",
            "Name": "t1.micro",
            "Memory": "512",
        },
    )
    request_id = _answered(reply, 200, "requestId")

    def details(memory: int) -> str:
        return (
            "<name>t1.micro</name><cpu>1</cpu><disk>5</disk>"
            f"<memory>{memory}</memory><networkInterfaces>1</networkInterfaces>"
        )

    assert (
        reply.body
        == (
            '<ModifyInstanceTypeAttributeResponseType xmlns="http://ec2.amazonaws.com/doc/2015-10-01/">'
            f"<requestId>{request_id}</requestId><instanceType>{details(512)}</instanceType>"
            f"<previousInstanceType>{details(256)}</previousInstanceType>"
            "</ModifyInstanceTypeAttributeResponseType>"
        ).encode()
    )


def test_describe_instance_types_lists_items_with_availability(
    admin: Call,
) -> None:
    reply = admin(
        "ec2",
        {
            "Action": "DescribeInstanceTypes",
            "Version": "2015-10-01",
            "InstanceType.1": "m1.xlarge",
            "Availability": "true",
        },
    )
    request_id = _between(reply.text, "<requestId>", "</requestId>")
    assert (
        reply.body
        == (
            '<DescribeInstanceTypesResponseType xmlns="http://ec2.amazonaws.com/doc/2015-10-01/">'
            f"<requestId>{request_id}</requestId><instanceTypeDetails><item><name>m1.xlarge</name>"
            "<cpu>2</cpu><disk>10</disk><memory>1024</memory><networkInterfaces>2"
            "</networkInterfaces><availability><item><name>m1.xlarge</name><zoneName>PARTI00"
            "</zoneName><max>16</max><available>16</available></item></availability></item>"
            "</instanceTypeDetails></DescribeInstanceTypesResponseType>"
        ).encode()
    )
